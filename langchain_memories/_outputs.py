"""Core completions and stream chunks -> LangChain results, messages and chunks.

Rules that callback handlers and cost trackers rely on:

* ``usage_metadata`` holds ints (``input_tokens``, ``output_tokens``, ``total_tokens``); reasoning
  tokens, when reported, are in ``output_token_details["reasoning"]`` and already counted in
  ``output_tokens``; input read from the provider's prompt cache (GPT), when reported, is in
  ``input_token_details["cache_read"]`` and already counted in ``input_tokens``.
* ``response_metadata["model_name"]`` is the model that was *requested* (a per-call ``model=``
  wins), without the family prefix, so it matches the names price tables use.
* When streaming, usage and all response metadata ride on exactly one chunk, the last one
  (``chunk_position="last"``): the service reports final totals once, and repeating them on
  several chunks makes LangChain add them up.

Example:
    >>> import memories_client as mc
    >>> c = mc.Completion(id="resp_1", model="gemini:gemini-2.5-flash",
    ...     choices=(mc.Choice(index=0, text="Hi", finish_reason="stop"),),
    ...     usage=mc.Usage(3, 1, 4))
    >>> msg = chat_result(c, "gemini-2.5-flash").generations[0].message
    >>> msg.usage_metadata["total_tokens"], msg.response_metadata["model_name"]
    (4, 'gemini-2.5-flash')
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import ToolCall, tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

import memories_client as mc

__all__ = ["PROVIDER", "chat_result", "delta_chunk", "final_chunk", "usage_metadata"]

PROVIDER = "memories"
"""``model_provider`` / ``ls_provider`` of every message this package produces."""


def usage_metadata(usage: mc.Usage) -> UsageMetadata:
    """LangChain usage from core usage.

    Example:
        >>> usage_metadata(mc.Usage(10, 5, 15, reasoning_tokens=2))["output_token_details"]
        {'reasoning': 2}
        >>> usage_metadata(mc.Usage(1200, 5, 1205, cached_tokens=1024))["input_token_details"]
        {'cache_read': 1024}
    """
    result = UsageMetadata(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens,
    )
    if usage.reasoning_tokens is not None:
        result["output_token_details"] = {"reasoning": usage.reasoning_tokens}
    if usage.cached_tokens is not None:
        result["input_token_details"] = {"cache_read": usage.cached_tokens}
    return result


def _metadata(
    model_name: str, finish_reason: str | None, response_id: str | None, request_id: str | None
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "model_name": model_name,
        "model_provider": PROVIDER,
        "finish_reason": finish_reason,
        "id": response_id,
    }
    if request_id is not None and request_id != response_id:
        meta["request_id"] = request_id
    return meta


def _tool_calls(calls: tuple[mc.ToolCall, ...]) -> list[ToolCall]:
    return [ToolCall(name=c.name, args=dict(c.arguments), id=c.id, type="tool_call") for c in calls]


def chat_result(completion: mc.Completion, model_name: str) -> ChatResult:
    """A ``ChatResult`` with one generation per choice (``n > 1`` gives several).

    Args:
        completion: the parsed answer.
        model_name: the requested model, as reported in ``response_metadata["model_name"]``.
    """
    # Runs once per call: the usage dicts are built once (not per choice), and empty tool calls
    # / extras are left to AIMessage's defaults, which are the same values and skip a
    # validation pass each.
    core_usage = completion.usage
    usage: UsageMetadata | None = None
    token_usage: dict[str, int] = {}
    if core_usage is not None:
        usage = usage_metadata(core_usage)
        token_usage = core_usage.as_openai()
    response_id = completion.id
    generations: list[ChatGeneration] = []
    for choice in completion.choices:
        meta = _metadata(model_name, choice.finish_reason, response_id, completion.request_id)
        fields: dict[str, Any] = {"usage_metadata": usage, "response_metadata": meta}
        if choice.reasoning:
            fields["additional_kwargs"] = {"reasoning_content": choice.reasoning}
        if choice.tool_calls:
            fields["tool_calls"] = _tool_calls(choice.tool_calls)
        generations.append(ChatGeneration(message=AIMessage(content=choice.text, **fields)))
    llm_output = {
        "token_usage": token_usage,
        "model_name": model_name,
        "model_provider": PROVIDER,
        "id": response_id,
    }
    return ChatResult(generations=generations, llm_output=llm_output)


def delta_chunk(chunk: mc.StreamChunk) -> ChatGenerationChunk | None:
    """A text (or reasoning) delta as a chunk; None for chunks with nothing to add.

    Only the first choice streams: an ``AIMessageChunk`` has no notion of alternatives.
    """
    if chunk.index != 0 or not (chunk.text or chunk.reasoning):
        return None
    extra: dict[str, Any] = {"reasoning_content": chunk.reasoning} if chunk.reasoning else {}
    return ChatGenerationChunk(message=AIMessageChunk(content=chunk.text, additional_kwargs=extra))


def final_chunk(
    chunk: mc.StreamChunk, model_name: str, *, include_usage: bool
) -> ChatGenerationChunk:
    """The last chunk: usage (if wanted), response metadata and any tool calls.

    Tool calls arrive whole on the core's final chunk; they are emitted as tool-call chunks
    (arguments as JSON text) so that LangChain's chunk merging turns them into ``tool_calls``.
    """
    calls = [
        tool_call_chunk(
            name=call.name,
            args=json.dumps(call.arguments, ensure_ascii=False),
            id=call.id,
            index=k,
        )
        for k, call in enumerate(chunk.tool_calls)
    ]
    usage = usage_metadata(chunk.usage) if include_usage and chunk.usage is not None else None
    message = AIMessageChunk(
        content="",
        usage_metadata=usage,
        tool_call_chunks=calls,
        response_metadata=_metadata(model_name, chunk.finish_reason, chunk.id, None),
        chunk_position="last",
    )
    return ChatGenerationChunk(message=message)
