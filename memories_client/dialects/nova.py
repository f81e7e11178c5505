"""The Nova wire format (``nova:`` models).

Documented on the Nova VLM/ILM pages: user content parts of type ``text``, ``image_url`` and
``video_url``; tools as Bedrock-style ``extra_body.metadata.toolConfig.tools[].toolSpec``.
The pages name ``/iu`` for images and ``/vu`` for video, so requests go to ``/iu`` unless a video
part is present.

Not documented, and chosen here (each configurable or tolerated):

* ``image_url`` / ``video_url`` are sent as objects ``{"url": ...}`` (the OpenAI form, also seen
  in public code calling Nova); inline data as a ``data:`` URI inside ``url``.
* ``toolChoice`` is sent in Bedrock's form (``{"auto": {}}``, ``{"any": {}}``,
  ``{"tool": {"name": ...}}``) inside ``toolConfig``.
* Tool history: Nova answers in the OpenAI ``chat.completion`` shape, so by default the history
  is replayed in that shape too (assistant ``tool_calls``, ``role: "tool"`` results).
  ``tool_message_style="text"`` replays it as plain user/assistant text instead, using only the
  roles the docs list.

Example:
    >>> from memories_client.dialects.nova import NovaDialect
    >>> from memories_client._media import media_from_url
    >>> from memories_client.types import ChatRequest, Message
    >>> req = ChatRequest(model="nova:us.amazon.nova-lite-v1:0",
    ...     messages=[Message.user("what is it?", media_from_url("https://x.test/a.png"))])
    >>> d = NovaDialect()
    >>> d.endpoint(req), d.build_body(req)["messages"][0]["content"][1]
    ('iu', {'type': 'image_url', 'image_url': {'url': 'https://x.test/a.png'}})
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from memories_client._tool_calls import openai_tool_call
from memories_client.catalog import Endpoint
from memories_client.dialects.base import Dialect, InlineFormat
from memories_client.errors import MemoriesInputError
from memories_client.types import ChatRequest, MediaPart, Message, TextPart

__all__ = ["NovaDialect", "ToolMessageStyle"]

ToolMessageStyle = Literal["openai", "text"]


class NovaDialect(Dialect):
    """Nova: ``image_url`` / ``video_url`` objects and Bedrock-style ``toolConfig``.

    Args:
        inline_format: ``data_uri`` (default) or ``raw`` base64 inside ``url``.
        tool_message_style: how tool calls and results in the history are sent (see module doc).
    """

    family: ClassVar[str] = "nova"
    label: ClassVar[str] = "Nova"
    default_inline_format: ClassVar[InlineFormat] = "data_uri"
    supports_tools: ClassVar[bool] = True
    option_hints: ClassVar[Mapping[str, str]] = dict.fromkeys(
        ("response_schema", "response_mime_type"),
        " (use tools or prompted JSON for structured output)",
    )

    def __init__(
        self,
        *,
        inline_format: InlineFormat | None = None,
        tool_message_style: ToolMessageStyle = "openai",
    ) -> None:
        super().__init__(inline_format=inline_format)
        if tool_message_style not in ("openai", "text"):
            raise MemoriesInputError("tool_message_style must be 'openai' or 'text'")
        self.tool_message_style: ToolMessageStyle = tool_message_style
        self._text_twin: NovaDialect | None = None  # built on first use, then reused

    def validate(self, request: ChatRequest, *, model: str | None = None) -> None:
        """Also check that tool results answer tool calls, and tool choices name tools."""
        super().validate(request, model=model)
        names = [t.name for t in request.tools or ()]
        if len(set(names)) != len(names):
            raise MemoriesInputError(f"tool names must be unique, got {names}")
        for tool in request.tools or ():
            if not tool.name or not isinstance(tool.parameters, dict):
                raise MemoriesInputError(
                    "each tool needs a non-empty name and a JSON Schema dict of parameters"
                )
        if self._style(request) == "openai":
            self._check_tool_results(request)
        choice = request.tool_choice
        if choice is not None:
            if not request.tools:
                raise MemoriesInputError("tool_choice was given but no tools were bound")
            if choice not in ("auto", "any") and choice not in names:
                raise MemoriesInputError(
                    f"tool_choice {choice!r} is neither 'auto', 'any' nor a bound tool's name "
                    f"({', '.join(names)})"
                )

    def _style(self, request: ChatRequest) -> ToolMessageStyle:
        # Bedrock (behind Nova) refuses tool calls and results in a history sent without a
        # toolConfig, e.g. when a plain model summarises an agent transcript. Without bound
        # tools such a history is therefore replayed as text, which any model can read.
        if request.tools or not any(m.role == "tool" or m.tool_calls for m in request.messages):
            return self.tool_message_style
        return "text"

    @staticmethod
    def _check_tool_results(request: ChatRequest) -> None:
        """Refuse tool results that answer no earlier tool call (the service rejects them)."""
        called: set[str] = set()
        for i, message in enumerate(request.messages):
            called.update(call.id for call in message.tool_calls)
            if message.role != "tool":
                continue
            if not message.tool_call_id or message.tool_call_id not in called:
                raise MemoriesInputError(
                    f"messages[{i}]: this tool result answers tool call "
                    f"{message.tool_call_id!r}, which no earlier assistant message made (a "
                    "trimmed history often does this); trim the history so it starts on a user "
                    "message and keeps each tool call with its result, or use "
                    "NovaDialect(tool_message_style='text')"
                )

    def build_body(
        self, request: ChatRequest, *, stream: bool = False, model: str | None = None
    ) -> dict[str, Any]:
        """The JSON body; tool history is replayed as text when no tools are bound."""
        if self._style(request) == self.tool_message_style:
            return super().build_body(request, stream=stream, model=model)
        if self._text_twin is None:
            self._text_twin = NovaDialect(
                inline_format=self.inline_format, tool_message_style="text"
            )
        return self._text_twin.build_body(request, stream=stream, model=model)

    def endpoint(self, request: ChatRequest) -> Endpoint:
        """``/vu`` when any message carries video, else ``/iu`` (unless forced)."""
        if request.endpoint is not None:
            return request.endpoint
        for message in request.messages:
            for part in message.parts:
                if isinstance(part, MediaPart) and part.kind == "video":
                    return "vu"
        return "iu"

    def _part(self, part: TextPart | MediaPart) -> dict[str, Any]:
        if isinstance(part, TextPart):
            return {"type": "text", "text": part.text}
        key = "video_url" if part.kind == "video" else "image_url"
        return {"type": key, key: {"url": self.inline(part)}}

    def _wire_message(self, message: Message) -> dict[str, Any]:
        if self.tool_message_style == "text":
            return self._wire_message_as_text(message)
        if message.role == "tool":
            return {
                "role": "tool",
                "tool_call_id": message.tool_call_id or "",
                "content": message.text,
            }
        if message.role == "user":
            return {"role": "user", "content": [self._part(p) for p in message.parts]}
        wire: dict[str, Any] = {"role": message.role, "content": message.text}
        if message.tool_calls:
            wire["tool_calls"] = [openai_tool_call(call) for call in message.tool_calls]
        return wire

    def _wire_message_as_text(self, message: Message) -> dict[str, Any]:
        if message.role == "tool":
            label = f"{message.name} " if message.name else ""
            text = f"Result of tool call {label}({message.tool_call_id}): {message.text}"
            return {"role": "user", "content": [{"type": "text", "text": text}]}
        if message.role == "user":
            return {"role": "user", "content": [self._part(p) for p in message.parts]}
        text = message.text
        for call in message.tool_calls:
            text += f"\nCalled tool {call.name} ({call.id}) with {json.dumps(call.arguments)}"
        return {"role": message.role, "content": text.strip()}

    def _metadata(self, request: ChatRequest) -> dict[str, Any]:
        if not request.tools:
            return {}
        config: dict[str, Any] = {
            "tools": [
                {
                    "toolSpec": {
                        "name": t.name,
                        "description": t.description or t.name,
                        "inputSchema": {"json": t.parameters},
                    }
                }
                for t in request.tools
            ]
        }
        choice = request.tool_choice
        if choice == "auto":
            config["toolChoice"] = {"auto": {}}
        elif choice == "any":
            config["toolChoice"] = {"any": {}}
        elif choice is not None:
            config["toolChoice"] = {"tool": {"name": choice}}
        return {"toolConfig": config}
