"""The GPT wire format (``gpt:`` models, images only).

Documented on the GPT ILM page: the image endpoint only (``/iu``); OpenAI-style content parts
with ``image_url`` as an object (``{"type": "image_url", "image_url": {"url": ...}}``); JSON
mode as a top-level ``response_format: {"type": "json_object"}`` (not in ``extra_body``); and a
complete OpenAI response (``choices[].message.content``, usage with
``prompt_tokens_details.cached_tokens`` and ``completion_tokens_details.reasoning_tokens``).
No tools, no video and no thinking control are documented, so those are refused before
sending. No ``json_schema`` is documented either: a ``response_schema`` is sent as JSON mode
with the schema in the system message (:func:`~memories_client.integration.json_instruction`), and
the answer is validated against it by whoever asked (both framework layers do).

The service hands the request to OpenAI, so OpenAI's own rules are checked here too, before a
request is paid for: JSON mode needs the word "JSON" in the messages; images are PNG, JPEG, WEBP
or GIF, fetched over ``http(s)`` (not ``gs://``), and inline images travel as ``data:`` URIs.

Not documented: how a streamed answer reports usage. OpenAI sends usage in a stream only when
asked with ``stream_options: {"include_usage": true}``, a field the page does not list, so it is
not sent by default (``stream_usage=True`` sends it); the stream parser reads usage from any
chunk, including OpenAI's last one, which has no choices.

Example:
    >>> from memories_client.dialects.gpt import GPTDialect
    >>> from memories_client._media import media_from_url
    >>> from memories_client.types import ChatRequest, Message
    >>> req = ChatRequest(model="gpt:gpt-4o", response_mime_type="application/json",
    ...     messages=[Message.user("Describe it as JSON.", media_from_url("https://x.test/a.png"))])
    >>> body = GPTDialect().build_body(req)
    >>> body["messages"][0]["content"][1], body["response_format"]
    ({'type': 'image_url', 'image_url': {'url': 'https://x.test/a.png'}}, {'type': 'json_object'})
"""

from __future__ import annotations

from typing import Any, ClassVar

from memories_client._jsonout import json_instruction, with_instruction
from memories_client.catalog import Endpoint
from memories_client.dialects.base import Dialect, InlineFormat
from memories_client.errors import MemoriesInputError
from memories_client.schema import json_schema_of
from memories_client.types import ChatRequest, MediaPart, Message, TextPart

__all__ = ["GPTDialect"]

JSON_MIME = "application/json"
# OpenAI's vision guide: the image formats it reads.
_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/jpg", "image/webp", "image/gif"})


class GPTDialect(Dialect):
    """GPT: OpenAI ``image_url`` parts on ``/iu`` and a top-level JSON-mode ``response_format``.

    Args:
        inline_format: ``data_uri`` (default; OpenAI reads no bare base64) or ``raw``.
        stream_usage: ask OpenAI for usage in streamed answers (``stream_options``, a field
            the GPT page does not list; off by default).

    Example:
        >>> from memories_client.types import ChatRequest, Message
        >>> request = ChatRequest(model="gpt:gpt-4o", messages=[Message.user("hi")])
        >>> GPTDialect().endpoint(request)
        'iu'
        >>> GPTDialect(stream_usage=True).build_body(request, stream=True)["stream_options"]
        {'include_usage': True}
    """

    family: ClassVar[str] = "gpt"
    label: ClassVar[str] = "GPT"
    default_inline_format: ClassVar[InlineFormat] = "data_uri"
    options: ClassVar[frozenset[str]] = frozenset({"response_mime_type", "response_schema"})

    def __init__(
        self, *, inline_format: InlineFormat | None = None, stream_usage: bool = False
    ) -> None:
        super().__init__(inline_format=inline_format)
        if not isinstance(stream_usage, bool):
            raise MemoriesInputError("stream_usage must be True or False")
        self.stream_usage = stream_usage

    def check_options(self, **options: Any) -> None:
        """Also check that ``response_mime_type`` is one GPT can express.

        Example:
            >>> GPTDialect().check_options(response_mime_type="text/x.enum")
            Traceback (most recent call last):
            ...
            memories_client.errors.MemoriesInputError: response_mime_type for GPT is \
'application/json' (JSON mode) or 'text/plain', got 'text/x.enum'
        """
        super().check_options(**options)
        mime = options.get("response_mime_type")
        if mime is not None and mime not in (JSON_MIME, "text/plain"):
            raise MemoriesInputError(
                f"response_mime_type for GPT is {JSON_MIME!r} (JSON mode) or 'text/plain', "
                f"got {mime!r}"
            )
        schema = options.get("response_schema")
        if schema is not None:
            if mime == "text/plain":
                raise MemoriesInputError(
                    "response_schema asks GPT for JSON, but response_mime_type is 'text/plain'"
                )
            json_schema_of(schema)  # a dict, a Pydantic model or a TypedDict

    def validate(self, request: ChatRequest, *, model: str | None = None) -> None:
        """Also apply OpenAI's rule that JSON mode needs the word "JSON" in the messages.

        With a ``response_schema`` the instruction this dialect adds says "JSON" itself.
        """
        super().validate(request, model=model)
        if (
            request.response_mime_type == JSON_MIME
            and request.response_schema is None
            and not any("json" in message.text.lower() for message in request.messages)
        ):
            raise MemoriesInputError(
                "GPT's JSON mode needs the word 'JSON' in the messages (OpenAI refuses the "
                "request otherwise); say in a system or user message that the answer is JSON"
            )

    def _validate_message(self, i: int, message: Message, endpoint: Endpoint) -> None:
        super()._validate_message(i, message, endpoint)
        for j, part in enumerate(message.media):
            where = f"messages[{i}] media[{j}]"
            if part.url is not None and part.url.lower().startswith("gs://"):
                raise MemoriesInputError(
                    f"{where}: GPT (OpenAI) fetches images over http(s) only, not gs://; pass a "
                    "signed https URL or the bytes"
                )
            if part.mime_type.lower() not in _IMAGE_TYPES:
                raise MemoriesInputError(
                    f"{where}: GPT (OpenAI) reads PNG, JPEG, WEBP and GIF images, not "
                    f"{part.mime_type}; convert the image, or use a Gemini, Nova or Qwen model"
                )

    def endpoint(self, request: ChatRequest) -> Endpoint:
        """``/iu``, the only endpoint that serves GPT."""
        return request.endpoint or "iu"

    def _part(self, part: TextPart | MediaPart) -> dict[str, Any]:
        if isinstance(part, TextPart):
            return {"type": "text", "text": part.text}
        return {"type": "image_url", "image_url": {"url": self.inline(part)}}

    def _wire_message(self, message: Message) -> dict[str, Any]:
        if message.role == "user":
            return {"role": "user", "content": [self._part(p) for p in message.parts]}
        return {"role": message.role, "content": message.text}

    def _metadata(self, request: ChatRequest) -> dict[str, Any]:
        return {}

    def build_body(
        self, request: ChatRequest, *, stream: bool = False, model: str | None = None
    ) -> dict[str, Any]:
        """The JSON body; with ``stream_usage``, a stream asks OpenAI for its usage.

        A ``response_schema`` becomes JSON mode plus the schema in the system message.

        Example:
            >>> from memories_client.types import ChatRequest, Message
            >>> count = {"type": "object", "properties": {"people": {"type": "integer"}}}
            >>> body = GPTDialect().build_body(ChatRequest(model="gpt:gpt-4o",
            ...     messages=[Message.user("Count the people.")], response_schema=count))
            >>> body["response_format"], body["messages"][0]["role"]
            ({'type': 'json_object'}, 'system')
        """
        if request.response_schema is not None:
            instruction = json_instruction(json_schema_of(request.response_schema))
            request = request.replace(
                messages=with_instruction(request.messages, instruction),
                response_mime_type=JSON_MIME,
            )
        body = super().build_body(request, stream=stream, model=model)
        if stream and self.stream_usage:
            body["stream_options"] = {"include_usage": True}
        return body

    def _top_level(self, request: ChatRequest) -> dict[str, Any]:
        # GPT's response_format is a top-level field, unlike Qwen's inside extra_body.metadata.
        if request.response_mime_type == JSON_MIME:
            return {"response_format": {"type": "json_object"}}
        return {}
