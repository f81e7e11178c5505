"""The Qwen wire format (``qwen:`` models).

Documented on the Qwen VLM/ILM pages: the common parameters, and in a literal
``extra_body.metadata`` the options ``enable_thinking``, ``thinking_budget`` and a
``response_format`` of type ``json_schema`` holding a plain (lowercase) JSON Schema. Answers
come in the ``completion`` shape (``choices[].text``), with a bare UUID as ``id`` and the model
echoed without its prefix. The VLM page takes text, images and video on ``/vu``, so requests go
there (``endpoint="iu"`` reaches the image endpoint, where the ILM page lists only ``system``
and ``user`` roles).

Not documented, and chosen here (each configurable):

* The content-part shape. The ILM page lists the array items as "image: Image URL or base64
  encoded image" and "text: Text content", with no ``type`` key (the Gemini, Nova and GPT pages
  name theirs), and the answer's ``id`` has the form of a DashScope request id: both point at
  DashScope's own parts, ``{"text": ...}``, ``{"image": ...}``, ``{"video": ...}``, which is the
  default (``part_style="dashscope"``). ``"typed"`` adds a ``type`` key (Qwen's chat-template
  form, ``{"type": "image", "image": ...}``); ``"openai"`` sends OpenAI ``image_url`` /
  ``video_url`` objects (DashScope's OpenAI-compatible mode, and Nova's shape here).
* A user message with text only is sent as a plain string (``text_as_string=True``): the docs
  allow "a string or array", and the one public client seen working with Qwen sends strings.
* Inline media is sent as a ``data:`` URI, the form DashScope reads.
* A ``thinking_budget`` without ``enable_thinking`` also sends ``enable_thinking: true``: the
  budget means nothing while thinking is off, and dropping it silently would surprise.

Example:
    >>> from memories_client.dialects.qwen import QwenDialect
    >>> from memories_client._media import media_from_url
    >>> from memories_client.types import ChatRequest, Message
    >>> req = ChatRequest(model="qwen:qwen3-vl-plus", thinking_budget=512,
    ...     messages=[Message.user("What happens?", media_from_url("https://x.test/a.mp4"))])
    >>> body = QwenDialect().build_body(req)
    >>> body["messages"][0]["content"], body["extra_body"]
    ([{'text': 'What happens?'}, {'video': 'https://x.test/a.mp4'}], \
{'metadata': {'enable_thinking': True, 'thinking_budget': 512}})
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from memories_client.catalog import Endpoint
from memories_client.dialects.base import Dialect, InlineFormat
from memories_client.errors import MemoriesInputError
from memories_client.schema import json_schema_of
from memories_client.types import ChatRequest, MediaPart, Message, TextPart

__all__ = ["QwenDialect", "QwenPartStyle"]

QwenPartStyle = Literal["dashscope", "typed", "openai"]
"""How a Qwen content part is written (see the module docstring)."""

_PART_STYLES = ("dashscope", "typed", "openai")
# OpenAI's rule for a json_schema name, which DashScope's OpenAI-style format follows.
_SCHEMA_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


class QwenDialect(Dialect):
    """Qwen: thinking switches and ``json_schema`` structured output in ``extra_body.metadata``.

    Args:
        inline_format: ``data_uri`` (default) or ``raw`` base64 for inline media.
        part_style: ``"dashscope"`` (default: ``{"image": url}``), ``"typed"``
            (``{"type": "image", "image": url}``) or ``"openai"`` (``image_url`` objects).
        text_as_string: send a user message without media as a plain string (default) rather
            than an array with one text part.

    Example:
        >>> from memories_client.types import ChatRequest, Message
        >>> d = QwenDialect(part_style="typed", text_as_string=False)
        >>> d.build_body(ChatRequest(model="qwen:qwen3-vl-plus",
        ...     messages=[Message.user("hi")]))["messages"][0]["content"]
        [{'type': 'text', 'text': 'hi'}]
    """

    family: ClassVar[str] = "qwen"
    label: ClassVar[str] = "Qwen"
    default_inline_format: ClassVar[InlineFormat] = "data_uri"
    options: ClassVar[frozenset[str]] = frozenset(
        {"thinking_budget", "enable_thinking", "response_schema"}
    )
    option_hints: ClassVar[Mapping[str, str]] = {
        "response_mime_type": (
            " (pass response_schema=, which Qwen receives as response_format json_schema)"
        )
    }

    def __init__(
        self,
        *,
        inline_format: InlineFormat | None = None,
        part_style: QwenPartStyle = "dashscope",
        text_as_string: bool = True,
    ) -> None:
        super().__init__(inline_format=inline_format)
        if part_style not in _PART_STYLES:
            raise MemoriesInputError(
                f"part_style must be one of {', '.join(_PART_STYLES)}, got {part_style!r}"
            )
        if not isinstance(text_as_string, bool):
            raise MemoriesInputError("text_as_string must be True or False")
        self.part_style: QwenPartStyle = part_style
        self.text_as_string = text_as_string

    def check_options(self, **options: Any) -> None:
        """Also check Qwen's thinking switches and that the schema suits ``json_schema``.

        Example:
            >>> QwenDialect().check_options(thinking_budget=0)
            Traceback (most recent call last):
            ...
            memories_client.errors.MemoriesInputError: Qwen's thinking_budget is a number of \
tokens, at least 1 (got 0); enable_thinking=False turns thinking off
        """
        super().check_options(**options)
        budget = options.get("thinking_budget")
        if budget is not None and budget < 1:
            raise MemoriesInputError(
                f"Qwen's thinking_budget is a number of tokens, at least 1 (got {budget}); "
                "enable_thinking=False turns thinking off"
            )
        if budget is not None and options.get("enable_thinking") is False:
            raise MemoriesInputError(
                "thinking_budget was given with enable_thinking=False; Qwen uses a budget only "
                "while thinking, so drop one of them"
            )
        schema = options.get("response_schema")
        if schema is not None:
            self.response_format(schema)

    def validate(self, request: ChatRequest, *, model: str | None = None) -> None:
        """Also refuse roles the image endpoint does not list (the ILM page: system, user)."""
        super().validate(request, model=model)
        if self.endpoint(request) == "iu":
            for i, message in enumerate(request.messages):
                if message.role not in ("system", "user"):
                    raise MemoriesInputError(
                        f"messages[{i}]: Qwen's image endpoint (/iu) takes system and user "
                        f"messages only (the docs), not {message.role}; leave endpoint unset to "
                        "send the conversation to /vu"
                    )

    @staticmethod
    def response_format(schema: Any) -> dict[str, Any]:
        """The ``response_format`` that asks for JSON matching ``schema``.

        ``schema`` is a JSON Schema dict, a Pydantic model or a TypedDict. The format's name is
        the schema's ``title`` when that is a valid name, else ``response``.

        Raises:
            MemoriesInputError: the schema is not a lowercase JSON Schema of an object.

        Example:
            >>> QwenDialect.response_format({"title": "Scene", "type": "object",
            ...     "properties": {"summary": {"type": "string"}}})["json_schema"]["name"]
            'Scene'
        """
        plain = json_schema_of(schema)
        kind = plain.get("type")
        if isinstance(kind, str) and kind != kind.lower():
            raise MemoriesInputError(
                f"response_schema for Qwen is a plain JSON Schema with lowercase types "
                f"('object'), not Gemini's responseSchema (type {kind!r})"
            )
        if kind != "object":
            raise MemoriesInputError(
                "response_schema for Qwen must describe an object (type 'object' at the root); "
                "wrap a list or a single value in an object"
            )
        title = plain.get("title")
        name = title if isinstance(title, str) and _SCHEMA_NAME.fullmatch(title) else "response"
        return {"type": "json_schema", "json_schema": {"name": name, "schema": plain}}

    def endpoint(self, request: ChatRequest) -> Endpoint:
        """``/vu``, which takes text, images and video (unless forced)."""
        return request.endpoint or "vu"

    def _part(self, part: TextPart | MediaPart) -> dict[str, Any]:
        style = self.part_style
        if isinstance(part, TextPart):
            if style == "dashscope":
                return {"text": part.text}
            return {"type": "text", "text": part.text}
        key = "video" if part.kind == "video" else "image"
        source = self.inline(part)
        if style == "dashscope":
            return {key: source}
        if style == "typed":
            return {"type": key, key: source}
        return {"type": f"{key}_url", f"{key}_url": {"url": source}}

    def _wire_message(self, message: Message) -> dict[str, Any]:
        if message.role == "user" and (message.media or not self.text_as_string):
            return {"role": "user", "content": [self._part(p) for p in message.parts]}
        return {"role": message.role, "content": message.text}

    def _metadata(self, request: ChatRequest) -> dict[str, Any]:
        # Key order as in the docs' sample: enable_thinking, thinking_budget, response_format.
        metadata: dict[str, Any] = {}
        thinking = request.enable_thinking
        if thinking is None and request.thinking_budget is not None:
            thinking = True
        if thinking is not None:
            metadata["enable_thinking"] = thinking
        if request.thinking_budget is not None:
            metadata["thinking_budget"] = request.thinking_budget
        if request.response_schema is not None:
            metadata["response_format"] = self.response_format(request.response_schema)
        return metadata
