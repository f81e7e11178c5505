r"""Structured output through the response schema: the LLM's own ``chat`` with the class's schema.

One job: run ``structured_predict`` and friends by sending the output class's JSON Schema as the
request's ``response_schema`` (the core's dialects turn it into Gemini's ``responseSchema``,
Qwen's ``json_schema`` ``response_format``, or GPT's JSON mode with the schema in the prompt),
then parsing the answer leniently (Gemini wraps JSON in ```` ```json ```` fences even in JSON
mode) and validating it strictly with :func:`memories_client.integration.parse_structured`.

Unlike GoogleGenAI's native path, every call goes through the decorated ``chat`` /
``achat`` / ``stream_chat`` / ``astream_chat``, so chat events, token counting and the rate
limiter all still apply; the ``LLMStructuredPredict*`` events are emitted here because
``super()`` is not called. A JSON answer is never lost for want of an SDK's ``parsed`` field
(LlamaIndex issue #20307): if the text holds valid JSON, it is used.

Example:
    >>> from pydantic import BaseModel
    >>> class City(BaseModel):
    ...     name: str
    >>> sorted(schema_kwargs(City, {"temperature": 0}))
    ['response_schema', 'temperature']

Partial objects while streaming read the growing text through the core's
:func:`memories_client.integration.strip_json_fences`, which takes a fence that is still arriving.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Sequence
from typing import Any, TypeVar, cast

from llama_index.core.base.llms.generic_utils import (
    achat_to_completion_decorator,
    chat_to_completion_decorator,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    MessageRole,
)
from llama_index.core.callbacks import CallbackManager
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictInProgressEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.llm import LLM
from llama_index.core.llms.structured_llm import StructuredLLM
from llama_index.core.program.utils import FlexibleModel, process_streaming_objects
from llama_index.core.prompts import BasePromptTemplate, ChatPromptTemplate
from llama_index_instrumentation import get_dispatcher
from pydantic import BaseModel

from memories_client.integration import json_schema_of, parse_structured, strip_json_fences

__all__ = [
    "MemoriesStructuredLLM",
    "astream_structured",
    "astructured",
    "schema_kwargs",
    "stream_structured",
    "structured",
]

Model = TypeVar("Model", bound=BaseModel)
dispatcher = get_dispatcher(__name__)


def schema_kwargs(output_cls: type[BaseModel], llm_kwargs: dict[str, Any] | None) -> dict[str, Any]:
    """The chat keyword arguments that ask for ``output_cls`` as JSON."""
    return {**(llm_kwargs or {}), "response_schema": json_schema_of(output_cls)}


def _messages(
    llm: LLM, prompt: BasePromptTemplate, prompt_args: dict[str, Any]
) -> list[ChatMessage]:
    # Same steps as core's text-completion program: format (blocks kept), then system prompt.
    return llm._extend_messages(prompt.format_messages(llm=llm, **prompt_args))


def _start(output_cls: type[BaseModel], prompt: BasePromptTemplate, args: dict[str, Any]) -> None:
    dispatcher.event(
        LLMStructuredPredictStartEvent(output_cls=output_cls, template=prompt, template_args=args)
    )


def structured(
    llm: LLM,
    output_cls: type[Model],
    prompt: BasePromptTemplate,
    llm_kwargs: dict[str, Any] | None,
    prompt_args: dict[str, Any],
) -> Model:
    """``structured_predict`` through ``llm.chat`` with a native response schema."""
    _start(output_cls, prompt, prompt_args)
    response = llm.chat(
        _messages(llm, prompt, prompt_args), **schema_kwargs(output_cls, llm_kwargs)
    )
    result = parse_structured(response.message.content or "", output_cls)
    dispatcher.event(LLMStructuredPredictEndEvent(output=result))
    return result


async def astructured(
    llm: LLM,
    output_cls: type[Model],
    prompt: BasePromptTemplate,
    llm_kwargs: dict[str, Any] | None,
    prompt_args: dict[str, Any],
) -> Model:
    """``astructured_predict`` through ``llm.achat`` with a native response schema."""
    _start(output_cls, prompt, prompt_args)
    response = await llm.achat(
        _messages(llm, prompt, prompt_args), **schema_kwargs(output_cls, llm_kwargs)
    )
    result = parse_structured(response.message.content or "", output_cls)
    dispatcher.event(LLMStructuredPredictEndEvent(output=result))
    return result


class _Partials:
    """Turns growing JSON text into partial objects (``FlexibleModel`` until it validates)."""

    def __init__(self, output_cls: type[BaseModel]) -> None:
        self.output_cls = output_cls
        self.current: list[Any] | None = None

    def update(self, text: str) -> Any:
        obj = process_streaming_objects(
            CompletionResponse(text=strip_json_fences(text)),
            self.output_cls,
            cur_objects=self.current,
            flexible_mode=True,
        )
        self.current = obj if isinstance(obj, list) else [obj]
        return obj


def stream_structured(
    llm: LLM,
    output_cls: type[Model],
    prompt: BasePromptTemplate,
    llm_kwargs: dict[str, Any] | None,
    prompt_args: dict[str, Any],
) -> Generator[Model | FlexibleModel, None, None]:
    """``stream_structured_predict``: partial objects, then the strictly validated result."""
    _start(output_cls, prompt, prompt_args)
    partials = _Partials(output_cls)
    text = ""
    for response in llm.stream_chat(
        _messages(llm, prompt, prompt_args), **schema_kwargs(output_cls, llm_kwargs)
    ):
        text = response.message.content or ""
        if response.delta:  # the last chunk carries usage, not text: nothing new to parse
            partial = partials.update(text)
            dispatcher.event(LLMStructuredPredictInProgressEvent(output=partial))
            yield partial
    result = parse_structured(text, output_cls)
    dispatcher.event(LLMStructuredPredictInProgressEvent(output=result))
    yield result
    dispatcher.event(LLMStructuredPredictEndEvent(output=result))


async def astream_structured(
    llm: LLM,
    output_cls: type[Model],
    prompt: BasePromptTemplate,
    llm_kwargs: dict[str, Any] | None,
    prompt_args: dict[str, Any],
) -> AsyncGenerator[Model | FlexibleModel, None]:
    """``astream_structured_predict``: partial objects, then the strictly validated result."""
    _start(output_cls, prompt, prompt_args)
    partials = _Partials(output_cls)
    text = ""
    responses = await llm.astream_chat(
        _messages(llm, prompt, prompt_args), **schema_kwargs(output_cls, llm_kwargs)
    )
    async for response in responses:
        text = response.message.content or ""
        if response.delta:
            partial = partials.update(text)
            dispatcher.event(LLMStructuredPredictInProgressEvent(output=partial))
            yield partial
    result = parse_structured(text, output_cls)
    dispatcher.event(LLMStructuredPredictInProgressEvent(output=result))
    yield result
    dispatcher.event(LLMStructuredPredictEndEvent(output=result))


def _handlers_covered(outer: CallbackManager | None, inner: CallbackManager | None) -> bool:
    """True when every handler of ``outer`` is also on ``inner`` (by identity)."""
    inner_ids = {id(h) for h in (inner.handlers if inner is not None else [])}
    return all(id(h) in inner_ids for h in (outer.handlers if outer is not None else []))


def _wrap(output: Any, cls: type[BaseModel], method: str) -> ChatResponse:
    # The same checks and shape as StructuredLLM's own methods.
    if not isinstance(output, BaseModel):
        raise TypeError(
            f"StructuredLLM expected a {cls.__name__} instance from {method}, but got "
            f"{type(output).__name__}: {output!r}. The underlying LLM failed to produce valid "
            "structured output."
        )
    return ChatResponse(
        message=ChatMessage(role=MessageRole.ASSISTANT, content=output.model_dump_json()),
        raw=output,
    )


def _partial_response(partial: Any) -> ChatResponse:
    # StructuredLLM uses the deprecated .json(), which gives the same text with a warning.
    return ChatResponse(
        message=ChatMessage(role=MessageRole.ASSISTANT, content=partial.model_dump_json()),
        raw=partial,
    )


class MemoriesStructuredLLM(StructuredLLM):
    """What ``MemoriesMultiModal.as_structured_llm`` returns: one LLM event per model call.

    LlamaIndex's ``StructuredLLM`` records an LLM event of its own around the wrapped model's
    call. Its response's ``raw`` is the output object, with no usage, so ``TokenCountingHandler``
    estimates that event with a tokenizer and adds it to the real one the wrapped model already
    recorded: one call counted twice, once wrongly. ``raw`` has to stay the output object (that
    is what callers read), so the event cannot carry the real numbers; instead, when every
    handler of this wrapper is also on the wrapped model (the usual case: both take
    ``Settings.callback_manager``), the wrapper records no LLM event and the model's own event,
    with the service's usage, is the only one (for callback handlers and for the dispatcher's
    ``LLMChat*`` events alike). Dispatcher spans still wrap each method, and the
    structured-predict events are still emitted. A handler attached only to the wrapper, or a
    ``rate_limiter`` on the wrapper, keeps LlamaIndex's own behaviour: the handler would
    otherwise see nothing, and the limiter is applied by that event wrapper.
    """

    # The base methods are wrapped by LlamaIndex's untyped callback decorators, hence the casts.

    def _quiet(self) -> bool:
        return self.rate_limiter is None and _handlers_covered(
            self.callback_manager, getattr(self.llm, "callback_manager", None)
        )

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """As ``StructuredLLM.chat`` (``raw`` is the output object), without a duplicate event."""
        if not self._quiet():
            return cast(ChatResponse, super().chat(messages, **kwargs))
        output = self.llm.structured_predict(
            output_cls=self.output_cls,
            prompt=ChatPromptTemplate(message_templates=messages),
            llm_kwargs=kwargs,
        )
        return _wrap(output, self.output_cls, "structured_predict")

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """As ``StructuredLLM.achat``, without a duplicate event."""
        if not self._quiet():
            return cast(ChatResponse, await super().achat(messages, **kwargs))
        output = await self.llm.astructured_predict(
            output_cls=self.output_cls,
            prompt=ChatPromptTemplate(message_templates=messages),
            llm_kwargs=kwargs,
        )
        return _wrap(output, self.output_cls, "astructured_predict")

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """As ``StructuredLLM.stream_chat`` (partial objects), without a duplicate event."""
        if not self._quiet():
            return cast(ChatResponseGen, super().stream_chat(messages, **kwargs))
        stream = self.llm.stream_structured_predict(
            output_cls=self.output_cls,
            prompt=ChatPromptTemplate(message_templates=messages),
            llm_kwargs=kwargs,
        )
        return (_partial_response(partial) for partial in stream)

    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """As ``StructuredLLM.astream_chat``, without a duplicate event."""
        if not self._quiet():
            return cast(ChatResponseAsyncGen, await super().astream_chat(messages, **kwargs))

        async def gen() -> ChatResponseAsyncGen:
            stream = await self.llm.astream_structured_predict(
                output_cls=self.output_cls,
                prompt=ChatPromptTemplate(message_templates=messages),
                llm_kwargs=kwargs,
            )
            async for partial in stream:
                yield _partial_response(partial)

        return gen()

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """As ``StructuredLLM.complete`` (the JSON as text), without a duplicate event."""
        if not self._quiet():
            return cast(CompletionResponse, super().complete(prompt, formatted=formatted, **kwargs))
        return chat_to_completion_decorator(self.chat)(prompt, **kwargs)

    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        """As ``StructuredLLM.acomplete``, without a duplicate event."""
        if not self._quiet():
            return cast(
                CompletionResponse, await super().acomplete(prompt, formatted=formatted, **kwargs)
            )
        return await achat_to_completion_decorator(self.achat)(prompt, **kwargs)
