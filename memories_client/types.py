"""Neutral, framework-free request and response types.

The LangChain and LlamaIndex layers translate their own messages into these, and a dialect
translates these into one provider family's wire format. Plain frozen dataclasses keep the
per-call overhead small.

Example:
    >>> from memories_client.types import ChatRequest, Message, TextPart
    >>> from memories_client._media import media_from_url
    >>> req = ChatRequest(
    ...     model="gemini:gemini-2.5-flash",
    ...     messages=[Message.user("What happens here?", media_from_url("https://x.test/a.mp4"))],
    ... )
    >>> req.messages[0].parts[1].kind
    'video'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = [
    "ChatRequest",
    "Choice",
    "Completion",
    "MediaKind",
    "MediaPart",
    "Message",
    "Part",
    "Role",
    "StreamChunk",
    "TextPart",
    "ToolCall",
    "ToolSpec",
    "Usage",
]

Role = Literal["system", "user", "assistant", "tool"]
MediaKind = Literal["image", "video", "document"]


@dataclass(frozen=True, slots=True)
class TextPart:
    """A piece of text inside a message."""

    text: str


@dataclass(frozen=True, slots=True)
class MediaPart:
    """An image, video or document, either by reference (``url``) or inline (``data``).

    Build these with ``memories_client.media_from_url`` (``media_from_bytes``, ``media_from_path``,
    ...), which checks the input and fills ``mime_type``.

    Attributes:
        kind: ``image``, ``video`` or ``document``.
        mime_type: e.g. ``video/mp4``.
        url: an ``http(s)://`` or ``gs://`` URL the service fetches itself.
        data: the base64 of inline bytes (no ``data:`` prefix), encoded once: text, or the same
            ASCII as ``bytes`` when the caller already holds it that way (LlamaIndex blocks do),
            so that a large image is not copied once more.
    """

    kind: MediaKind
    mime_type: str
    url: str | None = None
    data: str | bytes | None = None

    @property
    def is_inline(self) -> bool:
        """True when the bytes travel inside the request."""
        return self.data is not None

    def b64_text(self) -> str:
        """The inline data as base64 text."""
        if self.data is None:
            raise ValueError("this part is a URL, not inline data")
        return self.data if isinstance(self.data, str) else self.data.decode("ascii")

    def data_uri(self) -> str:
        """The inline data as a ``data:<mime>;base64,...`` URI."""
        return f"data:{self.mime_type};base64,{self.b64_text()}"

    def __repr__(self) -> str:
        # A 20 MB image must not end up in a log line or a traceback.
        where = (
            f"url={self.url!r}"
            if self.url is not None
            else f"data=<{len(self.data or '')} b64 chars>"
        )
        return f"MediaPart(kind={self.kind!r}, mime_type={self.mime_type!r}, {where})"


Part = TextPart | MediaPart


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call the model asked for (or one replayed in the history)."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool offered to the model: a name, a description and a JSON Schema for its input."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message.

    ``tool`` messages carry a tool result for ``tool_call_id``; assistant messages may carry the
    ``tool_calls`` they made, so a history can be replayed.
    """

    role: Role
    parts: tuple[Part, ...] = ()
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None

    @classmethod
    def system(cls, text: str) -> Message:
        """A system message."""
        return cls("system", (TextPart(text),))

    @classmethod
    def user(cls, *parts: str | Part) -> Message:
        """A user message from strings and parts, in order."""
        return cls("user", tuple(TextPart(p) if isinstance(p, str) else p for p in parts))

    @classmethod
    def assistant(cls, text: str = "", tool_calls: Sequence[ToolCall] = ()) -> Message:
        """An assistant message (a previous answer)."""
        return cls("assistant", (TextPart(text),) if text else (), tuple(tool_calls))

    @classmethod
    def tool(cls, tool_call_id: str, content: str, name: str | None = None) -> Message:
        """A tool result answering the call ``tool_call_id``."""
        return cls("tool", (TextPart(content),), tool_call_id=tool_call_id, name=name)

    @property
    def text(self) -> str:
        """All text parts joined by newlines."""
        return "\n".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def media(self) -> tuple[MediaPart, ...]:
        """The media parts, in order."""
        return tuple(p for p in self.parts if isinstance(p, MediaPart))


# The field metadata of a ChatRequest option that only some families take: such an option is in
# memories_client.dialects.FAMILY_OPTIONS; a family's dialect lists the ones it takes
# (Dialect.options), and the others refuse them, naming who has them.
_FAMILY_ONLY: Mapping[str, Any] = {"family_only": True}


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """Everything one chat-completions call needs, before it is put on the wire.

    ``None`` means "leave it to the service's default" (documented per family: e.g. temperature
    0.7 for Gemini, 1.0 for Nova; max_tokens 1000, 1024 for Qwen). The family's dialect
    (:meth:`memories_client.dialects.Dialect.validate`) checks the request before any network call;
    the clients call it for you.

    Attributes:
        model: the full, prefixed model id (see :func:`memories_client.catalog.resolve_model`).
        max_tokens: the answer's token limit; None sends none, and the service's default
            applies: 1,000 tokens (Qwen 1,024). An answer cut there warns
            (:class:`memories_client.TruncatedAnswerWarning`).
        thinking_budget: Gemini ``thinking_config.thinking_budget``; Qwen ``thinking_budget``.
        enable_thinking: Qwen ``enable_thinking`` (a ``thinking_budget`` alone turns it on).
        response_mime_type: ``application/json`` for JSON mode (Gemini ``response_mime_type``,
            GPT's top-level ``response_format: {"type": "json_object"}``).
        response_schema: a JSON Schema; the Gemini dialect converts it to ``responseSchema``,
            the Qwen dialect sends it as ``response_format`` of type ``json_schema``.
        tools: Nova tools, sent as ``toolConfig``.
        tool_choice: ``"auto"``, ``"any"`` or a tool name (sent as Bedrock's ``toolChoice``).
        metadata: extra keys merged into the body's ``extra_body.metadata``, where the docs
            put provider options (wins over generated keys, with a warning).
        extra_body: extra top-level body keys, as the OpenAI SDK's ``extra_body=`` (for
            options the docs add later). Its own ``extra_body`` key is merged into the
            body's: ``extra_body={"extra_body": {"metadata": {...}}}`` adds provider options
            beside the generated ones. A key that belongs inside ``extra_body.metadata``
            (``thinking_config``, ``toolConfig``...) is refused, naming the option to use.
        endpoint: force ``vu`` or ``iu``; by default the dialect routes by content.
    """

    model: str
    messages: Sequence[Message]
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    n: int | None = None
    stop: str | Sequence[str] | None = None
    thinking_budget: int | None = field(default=None, metadata=_FAMILY_ONLY)
    enable_thinking: bool | None = field(default=None, metadata=_FAMILY_ONLY)
    response_mime_type: str | None = field(default=None, metadata=_FAMILY_ONLY)
    response_schema: Mapping[str, Any] | None = field(default=None, metadata=_FAMILY_ONLY)
    tools: Sequence[ToolSpec] | None = None
    tool_choice: str | None = None
    metadata: Mapping[str, Any] | None = None
    extra_body: Mapping[str, Any] | None = None
    endpoint: Literal["vu", "iu"] | None = None

    def replace(self, **changes: Any) -> ChatRequest:
        """A copy with some fields changed."""
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Usage:
    """Token usage of one call, normalised across families.

    Nova's ``output_token`` (sic), Gemini's ``output_tokens`` and OpenAI's ``completion_tokens``
    all land in ``output_tokens``. ``total_tokens`` is the service's figure when it sent one.
    ``reasoning_tokens`` are part of ``output_tokens`` and ``cached_tokens`` (input read from
    the provider's prompt cache, GPT's ``prompt_tokens_details.cached_tokens``) part of
    ``input_tokens``; each is ``None`` when the service did not report it.
    """

    input_tokens: int
    output_tokens: int
    total_tokens: int
    reasoning_tokens: int | None = None
    cached_tokens: int | None = None

    def as_openai(self) -> dict[str, int]:
        """The OpenAI-style usage keys that tracers and token counters read.

        LangChain's ``token_usage`` and LlamaIndex's ``TokenCountingHandler`` read these;
        ``reasoning_tokens`` and ``cached_tokens`` are there only when the service reported them.

        Example:
            >>> Usage(5, 3, 8, reasoning_tokens=2).as_openai()
            {'prompt_tokens': 5, 'completion_tokens': 3, 'total_tokens': 8, 'reasoning_tokens': 2}
        """
        out = {
            "prompt_tokens": self.input_tokens,
            "completion_tokens": self.output_tokens,
            "total_tokens": self.total_tokens,
        }
        if self.reasoning_tokens is not None:
            out["reasoning_tokens"] = self.reasoning_tokens
        if self.cached_tokens is not None:
            out["cached_tokens"] = self.cached_tokens
        return out


@dataclass(frozen=True, slots=True)
class Choice:
    """One generated alternative."""

    index: int
    text: str
    finish_reason: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    reasoning: str | None = None


@dataclass(frozen=True, slots=True)
class Completion:
    """A parsed, successful answer.

    Attributes:
        id: the response id (``resp_...`` for Gemini, ``chatcmpl_...`` for Nova).
        model: the model the service says answered (Gemini echoes the prefixed id).
        created: Unix time from ``created_at`` (Gemini) or ``created`` (Nova).
        provider / provider_model: Gemini's ``meta`` block, when present.
        raw: the response body as received.
        request_id: the ``x-request-id`` header, if the service sent one.
    """

    id: str | None
    model: str | None
    choices: tuple[Choice, ...]
    usage: Usage | None = None
    created: int | None = None
    status: str | None = None
    provider: str | None = None
    provider_model: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    request_id: str | None = None

    @property
    def text(self) -> str:
        """The first choice's text."""
        return self.choices[0].text if self.choices else ""

    @property
    def finish_reason(self) -> str | None:
        """The first choice's finish reason."""
        return self.choices[0].finish_reason if self.choices else None

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        """The first choice's tool calls."""
        return self.choices[0].tool_calls if self.choices else ()


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """One piece of a streamed answer.

    ``text`` is the new text only (a delta). ``usage`` is set on exactly one chunk, the last
    one, with the service's final figures. ``done`` is True on that last chunk.
    """

    text: str = ""
    index: int = 0
    finish_reason: str | None = None
    usage: Usage | None = None
    id: str | None = None
    model: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    reasoning: str = ""
    done: bool = False
    raw: Mapping[str, Any] | None = field(default=None, repr=False)
