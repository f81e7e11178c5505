"""``MemoriesMultiModal``: the LlamaIndex LLM for memories.ai (all four families, video + images).

The whole class is here, as LlamaIndex's own integrations keep theirs: its fields and
constructor, the request a call sends, the eight chat and completion entry points, Nova's tool
hooks and structured prediction. Helpers that are not methods sit beside it, one concept each:
``_convert`` (LlamaIndex messages, blocks and tools to the core's types and back),
``_responses`` (core answers to ``ChatResponse``) and ``_structured`` (answers to a schema).
Every request goes through ``memories_client``, which also owns the lazily created HTTP clients.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import AsyncGenerator, Callable, Generator, Mapping, Sequence
from typing import Any, Literal, TypeVar, cast

import httpx
from llama_index.core.base.llms.generic_utils import (
    astream_chat_response_to_completion_response,
    chat_response_to_completion_response,
    prompt_to_messages,
    stream_chat_response_to_completion_response,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
    ToolCallBlock,
)
from llama_index.core.constants import DEFAULT_CONTEXT_WINDOW
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.structured_llm import StructuredLLM
from llama_index.core.program.utils import FlexibleModel
from llama_index.core.prompts import BasePromptTemplate
from llama_index.core.tools.types import BaseTool
from llama_index.core.types import PydanticProgramMode
from llama_index_instrumentation import get_dispatcher
from pydantic import BaseModel, Field, SecretStr, field_validator

from llama_index_memories._convert import (
    image_documents_to_blocks,
    to_core_messages,
    tool_selections,
    tool_specs,
    with_extra_blocks,
)
from llama_index_memories._responses import (
    astream_chat_responses,
    completion_to_chat_response,
    stream_chat_responses,
)
from llama_index_memories._structured import (
    MemoriesStructuredLLM,
    astream_structured,
    astructured,
    stream_structured,
    structured,
)
from memories_client import (
    ChatRequest,
    MemoriesInputError,
    model_info,
)
from memories_client.integration import (
    API_KEY_ENV,
    DIALECTS,
    FAMILY_OPTIONS,
    SAMPLING_FIELDS,
    SERVICE_DEFAULT_MAX_TOKENS,
    ClientOptions,
    ClosesPooledClients,
    DerivedState,
    Dialect,
    call_options,
    check_async_transport,
    dialect_for,
    json_schema_of,
    offered_tools,
    refuse_unknown,
    resolve_model,
)
from memories_client.uploads import (
    Uploader,
    aupload_local_videos,
    upload_local_videos,
)

__all__ = ["DEFAULT_MODEL", "DEFAULT_NUM_OUTPUT", "MemoriesMultiModal"]

DEFAULT_MODEL = "gemini:gemini-2.5-flash"
"""The model used when none is given."""
DEFAULT_NUM_OUTPUT = SERVICE_DEFAULT_MAX_TOKENS["gemini"]
"""The service's documented default ``max_tokens`` (the Gemini, Nova and GPT pages; Qwen: 1024)."""

# The sampling fields a LlamaIndex call sends: LlamaIndex reads one answer, so no ``n``.
SAMPLING = tuple(name for name in SAMPLING_FIELDS if name != "n")
# Options a call may pass as keyword arguments; anything else is refused instead of dropped.
CALL_OPTIONS = frozenset(
    {
        *SAMPLING,
        "stop",
        # One class serves every family: each family's own options, as its dialect declares
        # them (the dialect refuses one the model's family does not take, naming who has it).
        *(name for family in DIALECTS for name in call_options(family)),
        "extra_body",
        "endpoint",
        "image_documents",
    }
)
# What to do instead of a refused name, for the constructor and for a call alike.
HINTS = {
    "n": (
        "LlamaIndex reads one answer per call, so MemoriesMultiModal does not take n; use "
        "ChatMemoriesGemini(n=...).generate() in LangChain for alternatives"
    ),
}

dispatcher = get_dispatcher(__name__)
Model = TypeVar("Model", bound=BaseModel)
_F = TypeVar("_F", bound=Callable[..., Any])


def _chat_callback(fn: _F) -> _F:
    # LlamaIndex's decorator is untyped; this keeps the methods' signatures for mypy.
    return cast(_F, llm_chat_callback()(fn))


def _completion_callback(fn: _F) -> _F:
    return cast(_F, llm_completion_callback()(fn))


def _resolve_family_model(model: Any) -> str:
    if not isinstance(model, str):
        raise MemoriesInputError(f"model must be a string, got {type(model).__name__}")
    full = resolve_model(model)
    dialect_for(full)  # a family without a dialect fails here, not at the first call
    return full


def _pickles(value: object) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


class MemoriesMultiModal(ClosesPooledClients, DerivedState, FunctionCallingLLM):
    """A LlamaIndex LLM for the memories.ai chat-completions API: text, images, video, PDFs.

    One class serves every model family ``memories_client`` speaks: Gemini (the default,
    ``gemini:gemini-2.5-flash``; video by URL, images, documents, thinking budget, native
    structured output), Nova (``nova:us.amazon.nova-lite-v1:0``; video and images by URL or
    bytes, tool calling), Qwen (``qwen:qwen3-vl-plus``; video and images, ``enable_thinking``
    and ``thinking_budget``, native ``json_schema`` structured output) and GPT
    (``gpt:gpt-4o``; images only, structured output through JSON mode, cached-token usage).
    Bare ids such as ``gemini-2.5-pro`` get their family prefix.

    It accepts ``TextBlock``, ``ImageBlock``, ``VideoBlock`` and (Gemini) ``DocumentBlock``
    from ``url`` (passed through, never downloaded), ``path`` or bytes; ``ToolCallBlock`` and
    ``ThinkingBlock`` in the history (thinking is dropped, since the API takes none back). Any other
    block raises :class:`memories_client.MemoriesInputError` before a request is sent.

    Every response carries ``raw["usage"] = {"prompt_tokens", "completion_tokens",
    "total_tokens"}`` (on the last chunk when streaming), mirrored in ``additional_kwargs`` with
    ``cost_usd``, so ``TokenCountingHandler`` records the service's real numbers. Sync methods
    use a sync HTTP client (they work inside a running event loop: Jupyter, FastAPI); async
    methods use a real async one. Errors are the typed errors of ``memories_client``.

    No network call and no client creation happen in ``__init__``; the API key (argument or
    ``MEMORIES_API_KEY``) is kept as a ``SecretStr`` and left out of ``to_dict()``,
    ``to_json()``, ``to_payload()`` and ``repr()``. A missing key raises at the first call,
    unless ``base_url`` is on this machine (the emulator needs none).

    Args:
        model: ``family:name`` or a bare catalogued id.
        api_key: the memories.ai key; defaults to ``MEMORIES_API_KEY``.
        base_url: defaults to ``MEMORIES_BASE_URL``, else the documented production URL.
        temperature, max_tokens, top_p, frequency_penalty, presence_penalty, stop: sampling
            options; ``None`` leaves the service's default (``max_tokens``: 1,000 tokens,
            Qwen 1,024; an answer cut there warns with ``TruncatedAnswerWarning``).
        timeout: seconds: a wall-clock deadline per attempt and between a stream's events
            (default 120 s; 10 s to connect).
        total_timeout: seconds for the whole call, its retries and a whole stream (default none).
        max_retries: retries for 429, 5xx, timeouts and dropped connections.
        http_client / http_async_client: ``httpx`` clients to use (not closed by this class).
        async_transport: what async calls send through: ``"httpx"`` (default) or
            ``"aiohttp"`` (the ``aiohttp`` extra; for batches of thousands of calls).
        default_headers: extra headers on every request.
        paths, auth_scheme, dialects, max_response_bytes: as for ``MemoriesClient`` (the
            README's configuration table holds for every class).
        extra_body: extra top-level keys of the request body, as the OpenAI SDK's
            ``extra_body=`` (the escape hatch for what the API accepts beyond these fields);
            per call too. Provider options go in the body's own ``extra_body.metadata``:
            ``extra_body={"extra_body": {"metadata": {...}}}`` adds keys there beside the
            generated ones. Replacing a named option's key warns; a key that belongs in the
            metadata (``thinking_config``...) is refused, naming the option to use.
        thinking_budget: Gemini thinking budget (``0`` off, ``-1`` dynamic) or Qwen's (at
            least 1); per call too.
        enable_thinking: Qwen's thinking switch; per call too.
        context_window: overrides the catalog's figure (for ids the catalog does not know).
        uploader: a ``memories_client.uploads.Uploader``: a video block given as bytes or a path is
            uploaded through it and sent by URL (Gemini takes no inline video).

    Example:
        >>> from llama_index.core.llms import ChatMessage, ImageBlock, TextBlock, VideoBlock
        >>> from memories_emulator import Emulator
        >>> from llama_index_memories import MemoriesMultiModal
        >>> with Emulator() as emu:
        ...     llm = MemoriesMultiModal(api_key="sk-test", base_url=emu.base_url)
        ...     answer = llm.chat([ChatMessage(role="user", blocks=[
        ...         VideoBlock(url="https://storage.googleapis.com/bucket/clip.mp4"),
        ...         TextBlock(text="What happens in this clip?")])])
        >>> isinstance(answer.message.content, str), answer.raw["usage"]["prompt_tokens"] > 1000
        (True, True)
    """

    model: str = Field(
        default=DEFAULT_MODEL,
        description=(
            "The model id, 'gemini:', 'nova:', 'qwen:' or 'gpt:' + name (bare catalogued ids work)."
        ),
    )
    api_key: SecretStr | None = Field(
        default=None,
        exclude=True,
        repr=False,
        validate_default=True,
        description="The memories.ai API key; defaults to the MEMORIES_API_KEY variable.",
    )
    base_url: str | None = Field(
        default=None,
        description="API base URL; defaults to MEMORIES_BASE_URL, then the production URL.",
    )
    paths: dict[str, str] | None = Field(
        default=None, description="Endpoint paths over the defaults, e.g. {'iu': '/ilm/...'}."
    )
    auth_scheme: Literal["raw", "bearer"] = Field(
        default="raw", description="'raw' (documented: the key alone) or 'bearer'."
    )
    temperature: float | None = Field(default=None, description="Sampling temperature 0-2.")
    max_tokens: int | None = Field(
        default=None,
        description="Maximum tokens to generate (None: the service's default, 1,000; Qwen 1,024).",
    )
    top_p: float | None = Field(default=None, description="Nucleus sampling 0-1.")
    frequency_penalty: float | None = Field(default=None, description="-2.0 to 2.0.")
    presence_penalty: float | None = Field(default=None, description="-2.0 to 2.0.")
    stop: str | list[str] | None = Field(default=None, description="Stop sequence(s).")
    thinking_budget: int | None = Field(
        default=None,
        description="Thinking budget in tokens (Gemini: 0 = off, -1 = dynamic; Qwen: >= 1).",
    )
    enable_thinking: bool | None = Field(
        default=None, description="Qwen's thinking switch (None: the model's default)."
    )
    extra_body: dict[str, Any] | None = Field(
        default=None,
        description="Extra top-level keys of the request body, as the OpenAI SDK's extra_body.",
    )
    timeout: float | httpx.Timeout | None = Field(
        default=None,
        description="Seconds: a deadline per attempt and between stream events; default 120 s.",
    )
    total_timeout: float | None = Field(
        default=None,
        description="Seconds for the whole call, retries and a stream included; default none.",
    )
    max_retries: int = Field(
        default=2, description="Retries for 429, 5xx, timeouts and dropped connections."
    )
    max_response_bytes: int = Field(
        default=ClientOptions.max_response_bytes,
        description="The largest answer read before it is refused.",
    )
    dialects: dict[str, Dialect] | None = Field(
        default=None, exclude=True, description="Per-family wire settings (see the README)."
    )
    http_client: httpx.Client | None = Field(
        default=None, exclude=True, repr=False, description="An httpx.Client to use."
    )
    http_async_client: httpx.AsyncClient | None = Field(
        default=None, exclude=True, repr=False, description="An httpx.AsyncClient to use."
    )
    async_transport: Literal["httpx", "aiohttp"] = Field(
        default="httpx",
        description="What async calls send through: 'httpx' or 'aiohttp' (the aiohttp extra).",
    )
    default_headers: dict[str, str] | None = Field(
        # Headers may carry proxy credentials, so they are not serialised either.
        default=None,
        exclude=True,
        repr=False,
        description="Extra headers on every request.",
    )
    context_window: int | None = Field(
        default=None, gt=0, description="Overrides the catalog's context window."
    )
    uploader: Any = Field(
        default=None,
        exclude=True,
        repr=False,
        description="A memories_client.uploads.Uploader: local video is uploaded and sent by URL.",
    )

    # -- construction -----------------------------------------------------------------------

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        paths: dict[str, str] | None = None,
        auth_scheme: Literal["raw", "bearer"] = "raw",
        temperature: float | None = None,
        max_tokens: int | None = None,
        top_p: float | None = None,
        frequency_penalty: float | None = None,
        presence_penalty: float | None = None,
        stop: str | list[str] | None = None,
        thinking_budget: int | None = None,
        enable_thinking: bool | None = None,
        extra_body: dict[str, Any] | None = None,
        timeout: float | httpx.Timeout | None = None,
        total_timeout: float | None = None,
        max_retries: int = 2,
        max_response_bytes: int = ClientOptions.max_response_bytes,
        dialects: dict[str, Dialect] | None = None,
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
        async_transport: Literal["httpx", "aiohttp"] = "httpx",
        default_headers: dict[str, str] | None = None,
        context_window: int | None = None,
        uploader: Uploader | None = None,
        **kwargs: Any,
    ) -> None:
        # kwargs: LlamaIndex's own LLM fields (callback_manager, system_prompt,
        # pydantic_program_mode...). Anything else is refused, naming the closest field.
        refuse_unknown(type(self).__name__, kwargs, type(self).model_fields, HINTS)
        # Checked before pydantic sees them, so the caller gets the core's own
        # MemoriesInputError (not a wrapping ValidationError), before any network call.
        model = _resolve_family_model(model)
        dialect_for(model).check_options(
            model=model,
            temperature=temperature,
            max_tokens=max_tokens,
            top_p=top_p,
            frequency_penalty=frequency_penalty,
            presence_penalty=presence_penalty,
            thinking_budget=thinking_budget,
            enable_thinking=enable_thinking,
            stop=stop,
            extra_body=extra_body,
        )
        # The given connection settings, checked by the core before pydantic sees them (the
        # key from the environment is checked once the fields are filled in, in
        # DerivedState's _client_options).
        settings = {
            "api_key": api_key,
            "base_url": base_url,
            "paths": paths,
            "auth_scheme": auth_scheme,
            "timeout": timeout,
            "total_timeout": total_timeout,
            "max_retries": max_retries,
            "default_headers": default_headers,
            "dialects": dialects,
            "max_response_bytes": max_response_bytes,
            "async_transport": async_transport,
        }
        ClientOptions.from_settings(settings)
        check_async_transport(async_transport, http_async_client=http_async_client)
        super().__init__(
            model=model,
            **settings,
            temperature=temperature,
            max_tokens=max_tokens,
            top_p=top_p,
            frequency_penalty=frequency_penalty,
            presence_penalty=presence_penalty,
            stop=stop,
            thinking_budget=thinking_budget,
            enable_thinking=enable_thinking,
            extra_body=extra_body,
            http_client=http_client,
            http_async_client=http_async_client,
            context_window=context_window,
            uploader=uploader,
            **kwargs,
        )
        _ = self._client_options  # the key from the environment is checked now, not at a call

    @field_validator("api_key", mode="before")
    @classmethod
    def _key_from_env(cls, value: Any) -> Any:
        if value is None or value == "":
            return os.environ.get(API_KEY_ENV) or None
        return value

    def __getstate__(self) -> dict[Any, Any]:
        # DerivedState's copy of the state, then what LlamaIndex's BaseComponent.__getstate__
        # does, on that copy: BaseComponent deletes each value that does not pickle (a
        # messages_to_prompt lambda, a callback manager holding a lock) from the dictionaries
        # pydantic hands out, which are the live model's own; the original then lost them.
        state = super().__getstate__()
        for key in ("__dict__", "__pydantic_private__"):
            values = state.get(key) or {}
            for name in [name for name, value in values.items() if not _pickles(value)]:
                logging.getLogger(__name__).warning("Not pickling the unpicklable %s", name)
                del values[name]
        return state

    @classmethod
    def class_name(cls) -> str:
        """The serialisation id; it contains "multi" so multimodal indexes do not warn.

        Example:
            >>> MemoriesMultiModal.class_name()
            'memories_multi_modal_llm'
        """
        return "memories_multi_modal_llm"

    @property
    def family(self) -> str:
        """The model's provider family: ``gemini``, ``nova``, ``qwen`` or ``gpt``.

        Example:
            >>> MemoriesMultiModal(model="us.amazon.nova-lite-v1:0", api_key="k").family
            'nova'
        """
        return self.model.split(":", 1)[0]

    @property
    def metadata(self) -> LLMMetadata:
        """Context window and output size from the catalog; tool calling for Nova only.

        Example:
            >>> md = MemoriesMultiModal(api_key="k").metadata
            >>> md.context_window, md.num_output, md.is_chat_model, md.is_function_calling_model
            (1048576, 1000, True, False)
        """
        info = model_info(self.model)
        return LLMMetadata(
            context_window=self.context_window or info.context_window or DEFAULT_CONTEXT_WINDOW,
            num_output=self.max_tokens or DEFAULT_NUM_OUTPUT,
            is_chat_model=True,
            is_function_calling_model=self.family == "nova",
            model_name=self.model,
            system_role=MessageRole.SYSTEM,
        )

    # -- the request a call sends ------------------------------------------------------------

    def _build_request(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> ChatRequest:
        """A call's messages and keyword arguments, merged over the fields, as one request.

        Raises:
            memories_client.MemoriesInputError: an unknown option (naming the closest one), a
                bad value, or a block the family cannot take; before any network call.
        """
        refuse_unknown(f"{type(self).__name__} (per call)", kwargs, CALL_OPTIONS, HINTS)
        image_documents = kwargs.get("image_documents")
        if image_documents:
            messages = with_extra_blocks(messages, image_documents_to_blocks(image_documents))
        tools = kwargs.get("tools") or None
        specs, choice = offered_tools(
            tool_specs(tools) if tools else None,
            kwargs.get("tool_choice"),
            dialect=dialect_for(self.model) if tools else None,  # a call without tools: no look-up
        )
        # Every family option, as the request marks them: a call's value, else the model's field
        # of that name where it has one (the dialect refuses what the model's family lacks).
        options = {name: kwargs.get(name, getattr(self, name, None)) for name in FAMILY_OPTIONS}
        schema = options["response_schema"]
        if schema is not None and not isinstance(schema, Mapping):
            options["response_schema"] = json_schema_of(schema)
        return ChatRequest(
            model=self.model,
            messages=to_core_messages(messages, self.family),
            tools=specs,
            tool_choice=choice,
            extra_body=kwargs.get("extra_body", self.extra_body),
            endpoint=kwargs.get("endpoint"),
            stop=kwargs.get("stop", self.stop),
            **{name: kwargs.get(name, getattr(self, name)) for name in SAMPLING},
            **options,
        )

    def _request(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> ChatRequest:
        """The request a sync call sends: built, then local video uploaded (``uploader``)."""
        return upload_local_videos(self._build_request(messages, kwargs), self.uploader)

    async def _arequest(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> ChatRequest:
        """The request an async call sends: built, then local video uploaded (``uploader``)."""
        return await aupload_local_videos(self._build_request(messages, kwargs), self.uploader)

    # -- chat and completion -----------------------------------------------------------------
    # Each entry point sends its own request inside its own LlamaIndex event. complete* do not
    # go through chat*: a chat event inside the completion event would make TokenCountingHandler
    # count the call twice, so a completion emits completion events only (as GoogleGenAI's do).
    # Streams build the request (and upload local video) at the call, so bad input fails there
    # rather than at the first chunk.

    @_chat_callback
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Send a chat history and return the answer.

        Keyword arguments override the instance's options for this call: ``temperature``,
        ``max_tokens``, ``top_p``, ``frequency_penalty``, ``presence_penalty``, ``stop``,
        ``thinking_budget``, ``enable_thinking`` (Qwen), ``response_schema`` (JSON Schema or
        Pydantic class; Gemini, Qwen, GPT), ``response_mime_type``, ``tools`` /
        ``tool_choice`` (Nova), ``extra_body``, ``endpoint`` and ``image_documents``. Unknown
        ones raise.

        Example:
            >>> from llama_index.core.llms import ChatMessage
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     r = llm.chat([ChatMessage(role="user", content="Hi")], thinking_budget=0)
            >>> r.additional_kwargs["prompt_tokens"], r.raw["usage"]["prompt_tokens"]
            (1, 1)
        """
        completion = self._sync_client().chat(self._request(messages, kwargs))
        return completion_to_chat_response(completion, self.model)

    @_chat_callback
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat` on an ``httpx.AsyncClient``.

        Example:
            >>> import asyncio
            >>> from llama_index.core.llms import ChatMessage
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     r = asyncio.run(llm.achat([ChatMessage(role="user", content="Hi")]))
            >>> bool(r.message.content), r.raw["usage"]["total_tokens"] > 0
            (True, True)
        """
        completion = await self._async_client().chat(await self._arequest(messages, kwargs))
        return completion_to_chat_response(completion, self.model)

    @_chat_callback
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream the answer; the last chunk carries usage, finish reason and tool calls.

        Example:
            >>> from llama_index.core.llms import ChatMessage
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     chunks = list(llm.stream_chat([ChatMessage(role="user", content="Hi")]))
            >>> "".join(c.delta or "" for c in chunks) == chunks[-1].message.content
            True
            >>> chunks[-1].raw["usage"]["total_tokens"] > 0
            True
        """
        request = self._request(messages, kwargs)
        return stream_chat_responses(self._sync_client().stream(request), self.model)

    @_chat_callback
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`; ``await`` it, then ``async for`` over the chunks.

        Example:
            >>> import asyncio
            >>> from llama_index.core.llms import ChatMessage
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> async def main(llm):
            ...     stream = await llm.astream_chat([ChatMessage(role="user", content="Hi")])
            ...     return [c async for c in stream]
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     chunks = asyncio.run(main(llm))
            >>> chunks[-1].additional_kwargs["completion_tokens"] > 0
            True
        """
        request = await self._arequest(messages, kwargs)
        return astream_chat_responses(self._async_client().stream(request), self.model)

    @_completion_callback
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Complete a prompt; ``image_documents=[...]`` adds images like the legacy interface.

        ``image_documents`` takes ``ImageNode`` / ``ImageDocument`` objects (and Image, Video or
        Document blocks); they are put before the prompt text.

        Example:
            >>> from llama_index.core.schema import ImageNode
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     r = llm.complete("Describe it.", image_documents=[
            ...         ImageNode(image_url="https://example.com/cat.png")])
            >>> "1 image(s)" in r.text
            True
        """
        completion = self._sync_client().chat(self._request(prompt_to_messages(prompt), kwargs))
        return chat_response_to_completion_response(
            completion_to_chat_response(completion, self.model)
        )

    @_completion_callback
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        """Async :meth:`complete`.

        Example:
            >>> import asyncio
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     r = asyncio.run(llm.acomplete("Say hi"))
            >>> r.raw["usage"]["completion_tokens"] > 0
            True
        """
        request = await self._arequest(prompt_to_messages(prompt), kwargs)
        completion = await self._async_client().chat(request)
        return chat_response_to_completion_response(
            completion_to_chat_response(completion, self.model)
        )

    @_completion_callback
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """Stream a completion; the last chunk carries usage.

        Example:
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     last = list(llm.stream_complete("Say hi"))[-1]
            >>> bool(last.text), "usage" in last.raw
            (True, True)
        """
        request = self._request(prompt_to_messages(prompt), kwargs)
        responses = stream_chat_responses(self._sync_client().stream(request), self.model)
        return stream_chat_response_to_completion_response(responses)

    @_completion_callback
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        """Async :meth:`stream_complete`.

        Example:
            >>> import asyncio
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> async def main(llm):
            ...     return [c.delta async for c in await llm.astream_complete("Say hi")]
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     deltas = asyncio.run(main(llm))
            >>> len(deltas) > 1 and all(isinstance(d, str) for d in deltas)
            True
        """
        request = await self._arequest(prompt_to_messages(prompt), kwargs)
        responses = astream_chat_responses(self._async_client().stream(request), self.model)
        return astream_chat_response_to_completion_response(responses)

    # -- tool calling (Nova, the only family with tools on memories.ai) -----------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The ``chat`` arguments for a tool-calling turn (used by ``chat_with_tools``).

        ``tool_required=True`` forces some tool (Bedrock ``toolChoice: any``); ``tool_choice``
        may name one tool; either without tools raises, as in LangChain
        (:func:`memories_client.integration.offered_tools`). A tool for a family without documented
        tools (all but Nova) raises, an empty list is sent as none, as in LangChain.
        """
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            messages.append(ChatMessage(role=MessageRole.USER, content=user_msg))
        elif user_msg is not None:
            messages.append(user_msg)
        specs, choice = offered_tools(
            tool_specs(tools),
            tool_choice,
            tool_required=tool_required,
            dialect=dialect_for(self.model),
        )
        return {"messages": messages, "tools": specs, "tool_choice": choice, **kwargs}

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Keep only the first tool call unless parallel calls were allowed."""
        if allow_parallel_tool_calls:
            return response
        message = response.message
        calls = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
        if len(calls) > 1:
            message.blocks = [
                b for b in message.blocks if not isinstance(b, ToolCallBlock) or b is calls[0]
            ]
            listed = message.additional_kwargs.get("tool_calls")
            if isinstance(listed, list):
                message.additional_kwargs["tool_calls"] = listed[:1]
        return response

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        """The tool calls in a response (its ``ToolCallBlock``s) as ``ToolSelection`` objects.

        Raises:
            ValueError: no tool call, and ``error_on_no_tool_call`` is true.

        Example:
            >>> from llama_index.core.base.llms import types as t
            >>> r = t.ChatResponse(message=t.ChatMessage(role="assistant", blocks=[
            ...     t.ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs={"a": 1})]))
            >>> from llama_index_memories import MemoriesMultiModal
            >>> MemoriesMultiModal(api_key="k").get_tool_calls_from_response(r)[0].tool_kwargs
            {'a': 1}
        """
        selections = tool_selections(response)
        if not selections and error_on_no_tool_call:
            raise ValueError("Expected at least one tool call, but got 0 tool calls.")
        return selections

    # -- structured output -------------------------------------------------------------------

    def _native_structured(self) -> bool:
        # The families whose dialect takes a response_schema (Gemini's responseSchema, Qwen's
        # json_schema, GPT's JSON mode) use it; Nova goes through LlamaIndex's own program
        # (FunctionCallingProgram: the schema as a forced tool).
        return (
            "response_schema" in dialect_for(self.model).options
            and self.pydantic_program_mode == PydanticProgramMode.DEFAULT
        )

    def as_structured_llm(self, output_cls: type[BaseModel], **kwargs: Any) -> StructuredLLM:
        """A ``StructuredLLM`` around this model whose calls are counted once.

        It behaves like LlamaIndex's own (``chat`` returns the JSON as text and the object as
        ``raw``), but does not add a second, tokenizer-estimated LLM event next to this model's
        event with the service's usage, so ``TokenCountingHandler`` totals match the service
        (see :class:`~llama_index_memories._structured.MemoriesStructuredLLM`).

        Example:
            >>> from pydantic import BaseModel
            >>> from llama_index.core.llms import ChatMessage
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> class Tag(BaseModel):
            ...     label: str
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     r = llm.as_structured_llm(Tag).chat([ChatMessage(content="Tag a cat")])
            >>> isinstance(r.raw, Tag)
            True
        """
        return MemoriesStructuredLLM(llm=self, output_cls=output_cls, **kwargs)

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Predict an ``output_cls`` instance through the family's response schema.

        Gemini sends it as ``responseSchema``, Qwen as its ``json_schema`` ``response_format``,
        GPT as JSON mode with the schema in the system message (all in the core's dialects).

        The call goes through :meth:`chat`, so events and token counts are recorded. Prompts may
        carry images or video (a ``ChatPromptTemplate`` whose messages hold blocks). Nova, or a
        non-DEFAULT ``pydantic_program_mode``, use LlamaIndex's own programs.

        Raises:
            memories_client.JSONOutputError: the answer does not match ``output_cls``.

        Example:
            >>> from pydantic import BaseModel
            >>> from llama_index.core.prompts import PromptTemplate
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> class Scene(BaseModel):
            ...     summary: str
            ...     people: int
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     scene = llm.structured_predict(Scene, PromptTemplate("Describe {what}"),
            ...                                    what="a beach")
            >>> isinstance(scene, Scene)
            True
        """
        if self._native_structured():
            return structured(self, output_cls, prompt, llm_kwargs, prompt_args)
        return cast(
            Model,
            super().structured_predict(output_cls, prompt, llm_kwargs, **prompt_args),
        )

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Async :meth:`structured_predict`.

        Example:
            >>> import asyncio
            >>> from pydantic import BaseModel
            >>> from llama_index.core.prompts import PromptTemplate
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> class Tag(BaseModel):
            ...     label: str
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     prompt = PromptTemplate("Tag {x}")
            ...     tag = asyncio.run(llm.astructured_predict(Tag, prompt, x="a"))
            >>> isinstance(tag.label, str)
            True
        """
        if self._native_structured():
            return await astructured(self, output_cls, prompt, llm_kwargs, prompt_args)
        result = await super().astructured_predict(output_cls, prompt, llm_kwargs, **prompt_args)
        return cast(Model, result)

    @dispatcher.span
    def stream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Model | FlexibleModel, None, None]:
        """Stream partial objects, ending with the strictly validated ``output_cls`` instance.

        Example:
            >>> from pydantic import BaseModel
            >>> from llama_index.core.prompts import PromptTemplate
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> class Tag(BaseModel):
            ...     label: str
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     prompt = PromptTemplate("Tag {x}")
            ...     parts = list(llm.stream_structured_predict(Tag, prompt, x="a"))
            >>> isinstance(parts[-1], Tag)
            True
        """
        if self._native_structured():
            return stream_structured(self, output_cls, prompt, llm_kwargs, prompt_args)
        return super().stream_structured_predict(output_cls, prompt, llm_kwargs, **prompt_args)

    @dispatcher.span
    async def astream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Model | FlexibleModel, None]:
        """Async :meth:`stream_structured_predict`; ``await`` it, then ``async for``.

        Example:
            >>> import asyncio
            >>> from pydantic import BaseModel
            >>> from llama_index.core.prompts import PromptTemplate
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> class Tag(BaseModel):
            ...     label: str
            >>> async def main(llm):
            ...     prompt = PromptTemplate("Tag {x}")
            ...     stream = await llm.astream_structured_predict(Tag, prompt, x="a")
            ...     return [p async for p in stream]
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     parts = asyncio.run(main(llm))
            >>> isinstance(parts[-1], Tag)
            True
        """
        if self._native_structured():
            return astream_structured(self, output_cls, prompt, llm_kwargs, prompt_args)
        return await super().astream_structured_predict(
            output_cls, prompt, llm_kwargs, **prompt_args
        )
