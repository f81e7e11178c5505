"""The value types of the emulator's answers: what a request asks for, and what it gets back.

One job: the frozen records :mod:`~memories_emulator.answers` composes. Validation fills
an :class:`AnswerRequest` (with its :class:`MediaCounts` and :class:`ToolSpec` objects) from a
request body; :func:`~memories_emulator.answers.build_answer` returns an :class:`Answer`
of :class:`Choice` objects (text or a :class:`ToolCall`) and a :class:`Usage`, which
``responses`` and ``streaming`` serialise. No logic beyond ``Usage.total_tokens`` and
``AnswerRequest.family_name``; everything is re-exported by ``answers``, where callers import it.

Example:
    >>> Answer((Choice(0, "hi", "stop"),), Usage(3, 1)).usage.total_tokens
    4
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Answer", "AnswerRequest", "Choice", "MediaCounts", "ToolCall", "ToolSpec", "Usage"]


@dataclass(frozen=True, slots=True)
class MediaCounts:
    """How many parts of each kind the user messages carried.

    Example:
        >>> MediaCounts(texts=2, images=0, videos=1, documents=0).videos
        1
    """

    texts: int = 0
    images: int = 0
    videos: int = 0
    documents: int = 0


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool declared in Nova's ``toolConfig.tools[].toolSpec``.

    Example:
        >>> ToolSpec("get_weather", {"type": "object", "properties": {}}).name
        'get_weather'
    """

    name: str
    schema: Mapping[str, Any]
    description: str = ""


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call the emulator answers with (OpenAI shape, as the Nova family returns it).

    Example:
        >>> ToolCall("call_0123456789ab", "get_weather", '{"city": "example city"}').name
        'get_weather'
    """

    id: str
    name: str
    arguments: str
    """The arguments as a JSON string."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer choice: text, or tool calls with empty text.

    Example:
        >>> Choice(0, "hello", "stop").finish_reason
        'stop'
    """

    index: int
    text: str
    finish_reason: Literal["stop", "length", "tool_calls"]
    tool_calls: tuple[ToolCall, ...] = ()


@dataclass(frozen=True, slots=True)
class Usage:
    """Token usage by the emulator's formula.

    Example:
        >>> Usage(input_tokens=10, output_tokens=5).total_tokens
        15
    """

    input_tokens: int
    output_tokens: int
    """Includes ``reasoning_tokens`` when there are any."""
    reasoning_tokens: int | None = None
    cached_tokens: int | None = None
    """Input tokens read from the prompt cache (GPT only; part of ``input_tokens``)."""

    @property
    def total_tokens(self) -> int:
        """``input_tokens + output_tokens``."""
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class Answer:
    """All choices of one completion and its usage.

    Example:
        >>> Answer((Choice(0, "hi", "stop"),), Usage(1, 1)).choices[0].text
        'hi'
    """

    choices: tuple[Choice, ...]
    usage: Usage


@dataclass(frozen=True, slots=True)
class AnswerRequest:
    """What the answer depends on, taken from a validated request.

    Attributes:
        model: The model id as sent (with its prefix).
        shape: ``"gemini"`` (Gemini, Qwen) or ``"nova"`` (Nova, GPT) response shape.
        counts: Parts over all user messages.
        texts: Every text of every message, in order (for input tokens and prompted schemas).
        question: The text of the last user message (its text parts joined by spaces).
        body: The raw request body (tool-call ids are derived from it).
        n: Number of choices.
        max_tokens: Word limit per choice, or ``None``.
        stop: Stop sequences (empty ones already dropped).
        thinking_budget: Gemini ``thinking_config.thinking_budget``, or the budget of enabled
            Qwen thinking; ``None`` without thinking.
        json_mime: True if Gemini ``response_mime_type`` asks for JSON.
        response_schema: Gemini ``responseSchema``, or ``None``.
        json_schema: Qwen's ``response_format`` JSON Schema, or ``None``.
        json_object: True for GPT's JSON mode (``response_format: json_object``).
        family: ``gemini``, ``nova``, ``qwen`` or ``gpt`` (empty: taken from ``model``).
        prefix_texts: How many of ``texts`` come before the last user message.
        prefix_counts: The media parts before the last user message.
        tools: Nova tools.
        tool_choice: Nova ``toolChoice`` as ``("auto" | "any" | "tool", tool name or None)``;
            ``None`` when absent (which behaves like ``any`` before a tool result, like
            ``auto`` after one).
        tool_result: Content of the last message when it is a ``tool`` message, else ``None``.
        called_tools: Names of the tools the conversation's assistant messages called.
        media_urls: The http(s) / gs URLs of the user messages' media, in order.
        video_seconds: The length of the request's video, when declared or known.

    Example:
        >>> AnswerRequest("nova:amazon.nova-lite-v1:0", "nova", MediaCounts(texts=1)).n
        1
    """

    model: str
    shape: Literal["gemini", "nova"]
    counts: MediaCounts
    texts: tuple[str, ...] = ()
    question: str = ""
    body: bytes = b""
    n: int = 1
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    thinking_budget: int | None = None
    json_mime: bool = False
    response_schema: Mapping[str, Any] | None = None
    tools: tuple[ToolSpec, ...] = field(default=())
    tool_choice: tuple[str, str | None] | None = None
    tool_result: str | None = None
    called_tools: tuple[str, ...] = ()
    json_schema: Mapping[str, Any] | None = None
    json_object: bool = False
    family: str = ""
    prefix_texts: int = 0
    prefix_counts: MediaCounts = field(default_factory=MediaCounts)
    media_urls: tuple[str, ...] = ()
    video_seconds: float | None = None

    @property
    def family_name(self) -> str:
        """The provider family, from ``family`` or the model's prefix."""
        return self.family or self.model.partition(":")[0]
