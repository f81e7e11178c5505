"""The Gemini wire format (``gemini:`` models).

Documented on the Gemini VLM/ILM pages: user content is an array of ``text`` and ``input_file``
parts (``file_uri`` + ``mime_type``); system content is a plain string; options go in a literal
``extra_body.metadata`` with ``thinking_config.thinking_budget``, ``response_mime_type`` and a
``responseSchema`` in Gemini's uppercase schema dialect. Requests go to ``/vu`` (it takes text,
images and video; the image-only ``/iu`` is reachable with ``endpoint="iu"``).

Observed, not documented: a bare-string user content on ``/vu`` fails with "Model input cannot
be empty", so user content is always sent as an array; tool calling is not offered for Gemini.

Example:
    >>> from memories_client.dialects.gemini import GeminiDialect
    >>> from memories_client.types import ChatRequest, Message
    >>> body = GeminiDialect().build_body(
    ...     ChatRequest(model="gemini-2.5-flash", messages=[Message.user("hi")], thinking_budget=0))
    >>> body["messages"][0]["content"], body["extra_body"]
    ([{'type': 'text', 'text': 'hi'}], {'metadata': {'thinking_config': {'thinking_budget': 0}}})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from memories_client.dialects.base import Dialect, InlineFormat
from memories_client.schema import to_gemini_schema
from memories_client.types import ChatRequest, MediaPart, Message, TextPart

__all__ = ["GeminiDialect"]


class GeminiDialect(Dialect):
    """Gemini: ``input_file`` parts and ``thinking_config`` / ``responseSchema`` metadata.

    Inline images are sent as bare base64 text in ``file_uri`` by default (the docs' wording,
    "File URL or base64 encoded file"); pass ``inline_format="data_uri"`` if the service wants a
    ``data:`` URI instead.
    """

    family: ClassVar[str] = "gemini"
    label: ClassVar[str] = "Gemini"
    default_inline_format: ClassVar[InlineFormat] = "raw"
    options: ClassVar[frozenset[str]] = frozenset(
        {"thinking_budget", "response_schema", "response_mime_type"}
    )
    option_hints: ClassVar[Mapping[str, str]] = {
        "enable_thinking": " (thinking_budget=0 turns Gemini's thinking off)"
    }

    def validate(self, request: ChatRequest, *, model: str | None = None) -> None:
        """Also refuse a schema that Gemini's ``responseSchema`` cannot express."""
        super().validate(request, model=model)
        if request.response_schema is not None:
            to_gemini_schema(request.response_schema)  # refuse what cannot be expressed, now

    def _part(self, part: TextPart | MediaPart) -> dict[str, Any]:
        if isinstance(part, TextPart):
            return {"type": "text", "text": part.text}
        return {"type": "input_file", "file_uri": self.inline(part), "mime_type": part.mime_type}

    def _wire_message(self, message: Message) -> dict[str, Any]:
        if message.role == "user":
            return {"role": "user", "content": [self._part(p) for p in message.parts]}
        return {"role": message.role, "content": message.text}

    def _metadata(self, request: ChatRequest) -> dict[str, Any]:
        metadata: dict[str, Any] = {}
        if request.thinking_budget is not None:
            metadata["thinking_config"] = {"thinking_budget": request.thinking_budget}
        mime = request.response_mime_type
        if request.response_schema is not None:
            mime = mime or "application/json"
        # Key order as in the docs' samples: thinking_config, response_mime_type, responseSchema.
        if mime is not None:
            metadata["response_mime_type"] = mime
        if request.response_schema is not None:
            metadata["responseSchema"] = to_gemini_schema(request.response_schema)
        return metadata
