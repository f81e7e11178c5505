"""Core results (``Completion``, ``StreamChunk``) -> LlamaIndex ``ChatResponse`` objects.

One job: shape answers the way LlamaIndex consumers read them.

* ``raw`` is a plain dict: the response body plus ``raw["usage"] = {"prompt_tokens",
  "completion_tokens", "total_tokens"}`` (ints; ``reasoning_tokens`` and GPT's
  ``cached_tokens`` when reported), exactly those
  keys, streaming or not. Those are the keys ``TokenCountingHandler`` reads, so it counts the
  service's real numbers instead of falling back to a tiktoken guess (BedrockConverse's
  camelCase keys make it guess). The body's own usage object, in the service's spelling, is
  kept as ``raw["service_usage"]``.
* The same numbers are mirrored in ``additional_kwargs`` (MLflow, Langfuse and OpenLLMetry read
  them there), with ``cost_usd`` from the catalog's prices (``None`` when no price is known).
* Thinking text becomes a ``ThinkingBlock`` before the answer's ``TextBlock``; tool calls become
  ``ToolCallBlock``s, and are also listed in ``message.additional_kwargs["tool_calls"]`` in the
  OpenAI shape for code that reads them there.
* While streaming, only the last chunk carries usage (the callback decorators hand only the last
  chunk to the end-of-call handlers), and ``thinking_delta`` carries new thinking text.

Example:
    >>> from memories_client import Choice, Completion, Usage
    >>> c = Completion(id="resp_1", model="gemini:gemini-2.5-flash",
    ...                choices=(Choice(0, "Hi"),), usage=Usage(10, 2, 12),
    ...                raw={"id": "resp_1", "usage": {"input_tokens": 10, "output_tokens": 2}})
    >>> r = completion_to_chat_response(c, "gemini:gemini-2.5-flash")
    >>> r.message.content, r.raw["usage"]["prompt_tokens"], r.additional_kwargs["completion_tokens"]
    ('Hi', 10, 2)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    ContentBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from memories_client import (
    Completion,
    StreamChunk,
    ToolCall,
    Usage,
)
from memories_client.integration import openai_tool_call, try_estimate_cost

__all__ = [
    "StreamState",
    "astream_chat_responses",
    "completion_to_chat_response",
    "stream_chat_responses",
]


def _usage_kwargs(usage: Usage | None, model: str) -> dict[str, Any]:
    if usage is None:
        return {}
    cost = try_estimate_cost(model, usage.input_tokens, usage.output_tokens)
    return {**usage.as_openai(), "cost_usd": float(cost) if cost is not None else None}


def _message(
    text: str, reasoning: str | None, calls: tuple[ToolCall, ...], usage: Usage | None
) -> ChatMessage:
    blocks: list[ContentBlock] = []
    if reasoning:
        blocks.append(
            ThinkingBlock(content=reasoning, num_tokens=usage.reasoning_tokens if usage else None)
        )
    if text or not calls:
        blocks.append(TextBlock(text=text))
    blocks.extend(
        ToolCallBlock(tool_call_id=c.id, tool_name=c.name, tool_kwargs=c.arguments) for c in calls
    )
    kwargs: dict[str, Any] = {"tool_calls": [openai_tool_call(c) for c in calls]} if calls else {}
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=kwargs)


def _raw_with_usage(body: Mapping[str, Any], usage: Usage | None) -> dict[str, Any]:
    raw = dict(body)
    # raw["usage"] holds exactly the normalised keys, as on the last stream chunk, so consumers
    # see one shape whatever the family or call; the service's own spelling (Nova's
    # "output_token", Gemini's "input_tokens") stays readable under "service_usage".
    original = raw.pop("usage", None)
    if original is not None:
        raw["service_usage"] = original
    if usage is not None:
        raw["usage"] = usage.as_openai()
    return raw


def completion_to_chat_response(completion: Completion, model: str) -> ChatResponse:
    """A whole answer as a ``ChatResponse`` (``model`` is the requested id, used for the price).

    Example:
        >>> from memories_client import Choice, Completion, ToolCall
        >>> c = Completion(id=None, model=None, choices=(
        ...     Choice(0, "", "tool_calls", (ToolCall("c1", "add", {"a": 1}),)),))
        >>> r = completion_to_chat_response(c, "nova:us.amazon.nova-lite-v1:0")
        >>> r.message.blocks[0].tool_name, r.message.additional_kwargs["tool_calls"][0]["id"]
        ('add', 'c1')
    """
    choice = completion.choices[0]
    usage = completion.usage
    kwargs = _usage_kwargs(usage, model)
    kwargs["finish_reason"] = choice.finish_reason
    if completion.id is not None:
        kwargs["id"] = completion.id
    return ChatResponse(
        message=_message(choice.text, choice.reasoning, choice.tool_calls, usage),
        raw=_raw_with_usage(completion.raw, usage),
        additional_kwargs=kwargs,
    )


class StreamState:
    """Accumulates streamed chunks into cumulative ``ChatResponse`` objects.

    Each response holds the whole text so far (``message``) and the new piece (``delta``); the
    last one also carries usage, finish reason and tool calls.

    Example:
        >>> state = StreamState("gemini:gemini-2.5-flash")
        >>> r1 = state.add(StreamChunk(text="Hel"))
        >>> r2 = state.add(StreamChunk(done=True, usage=Usage(4, 1, 5), finish_reason="stop"))
        >>> r1.delta, r2.message.content, r2.raw["usage"]["total_tokens"]
        ('Hel', 'Hel', 5)
    """

    def __init__(self, model: str) -> None:
        self.model = model
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._id: str | None = None

    @property
    def text(self) -> str:
        """The answer text received so far."""
        return "".join(self._text)

    def add(self, chunk: StreamChunk) -> ChatResponse | None:
        """The response for one chunk, or None for a chunk of another choice (``n > 1``)."""
        if chunk.index != 0 and not chunk.done:
            return None
        self._id = chunk.id or self._id
        if chunk.done:
            return self._final(chunk)
        self._text.append(chunk.text)
        if chunk.reasoning:
            self._reasoning.append(chunk.reasoning)
        raw = dict(chunk.raw or {})
        # Usage belongs on the last chunk only, in the normalised spelling.
        raw.pop("usage", None)
        kwargs = {"thinking_delta": chunk.reasoning} if chunk.reasoning else {}
        return ChatResponse(
            message=_message(self.text, "".join(self._reasoning), (), None),
            delta=chunk.text,
            raw=raw,
            additional_kwargs=kwargs,
        )

    def _final(self, chunk: StreamChunk) -> ChatResponse:
        # The core's final StreamChunk carries no raw body (raw=None), so the last chunk's raw is
        # rebuilt from what the stream told us: id, model, finish reason and usage.
        usage = chunk.usage
        kwargs = _usage_kwargs(usage, self.model)
        kwargs["finish_reason"] = chunk.finish_reason
        body: dict[str, Any] = {
            "id": self._id,
            "model": chunk.model,
            "finish_reason": chunk.finish_reason,
        }
        if self._id is not None:
            kwargs["id"] = self._id
        return ChatResponse(
            message=_message(self.text, "".join(self._reasoning), chunk.tool_calls, usage),
            delta="",
            raw=_raw_with_usage(body, usage),
            additional_kwargs=kwargs,
        )


def stream_chat_responses(chunks: Iterator[StreamChunk], model: str) -> ChatResponseGen:
    """A core stream as cumulative ``ChatResponse`` objects (see :class:`StreamState`).

    Example:
        >>> chunks = iter([StreamChunk(text="Hi"), StreamChunk(done=True, usage=Usage(2, 1, 3))])
        >>> [r.message.content for r in stream_chat_responses(chunks, "gemini:gemini-2.5-flash")]
        ['Hi', 'Hi']
    """
    state = StreamState(model)
    for chunk in chunks:
        response = state.add(chunk)
        if response is not None:
            yield response


async def astream_chat_responses(
    chunks: AsyncIterator[StreamChunk], model: str
) -> ChatResponseAsyncGen:
    """Async :func:`stream_chat_responses`."""
    state = StreamState(model)
    async for chunk in chunks:
        response = state.add(chunk)
        if response is not None:
            yield response
