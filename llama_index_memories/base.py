"""``MemoriesMultiModal``: the LlamaIndex LLM for memories.ai (all four families, video + images).

This module holds the class and nothing else: converting blocks lives in ``_convert``, building
the request in ``_requests``, shaping responses in ``_responses``, structured output in
``_structured``, tools in ``_tools`` and the lazily created HTTP clients in
``memories_client.ClientCache``. Every request goes through ``memories_client``.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Sequence
from typing import Any, Literal

import httpx
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.constants import DEFAULT_CONTEXT_WINDOW
from llama_index.core.llms.function_calling import FunctionCallingLLM
from pydantic import Field, SecretStr, field_validator

from llama_index_memories._entry_points import ChatEntryPoints
from llama_index_memories._requests import HINTS, RequestBuilding
from llama_index_memories._responses import StreamState, completion_to_chat_response
from llama_index_memories._structured_methods import StructuredPrediction
from llama_index_memories._tools import NovaToolCalling
from memories_client import (
    API_KEY_ENV,
    SERVICE_DEFAULT_MAX_TOKENS,
    ClientOptions,
    ClosesPooledClients,
    DerivedState,
    Dialect,
    MemoriesInputError,
    Uploader,
    aupload_local_videos,
    check_async_transport,
    dialect_for,
    model_info,
    refuse_unknown,
    resolve_model,
    upload_local_videos,
)

__all__ = ["DEFAULT_MODEL", "DEFAULT_NUM_OUTPUT", "MemoriesMultiModal"]

DEFAULT_MODEL = "gemini:gemini-2.5-flash"
"""The model used when none is given."""
DEFAULT_NUM_OUTPUT = SERVICE_DEFAULT_MAX_TOKENS["gemini"]
"""The service's documented default ``max_tokens`` (the Gemini, Nova and GPT pages; Qwen: 1024)."""


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


class MemoriesMultiModal(
    ClosesPooledClients,
    DerivedState,
    ChatEntryPoints,
    NovaToolCalling,
    StructuredPrediction,
    RequestBuilding,
    FunctionCallingLLM,
):
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
        uploader: a ``memories_client.Uploader``: a video block given as bytes or a path is
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
        description="A memories_client.Uploader: local video is uploaded and sent by URL.",
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

    # -- undecorated chat implementations (complete* wraps these, so it emits only completion
    # events, as GoogleGenAI does) -------------------------------------------------------------

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request = upload_local_videos(self._build_request(messages, kwargs), self.uploader)
        completion = self._sync_client().chat(request)
        return completion_to_chat_response(completion, self.model)

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request = self._build_request(messages, kwargs)
        request = await aupload_local_videos(request, self.uploader)
        completion = await self._async_client().chat(request)
        return completion_to_chat_response(completion, self.model)

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        # Built (and local video uploaded) eagerly so bad input fails at the call, not at the
        # first iteration.
        request = upload_local_videos(self._build_request(messages, kwargs), self.uploader)
        client = self._sync_client()

        def gen() -> ChatResponseGen:
            state = StreamState(self.model)
            for chunk in client.stream(request):
                response = state.add(chunk)
                if response is not None:
                    yield response

        return gen()

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        request = self._build_request(messages, kwargs)
        request = await aupload_local_videos(request, self.uploader)
        client = self._async_client()

        async def gen() -> ChatResponseAsyncGen:
            state = StreamState(self.model)
            async for chunk in client.stream(request):
                response = state.add(chunk)
                if response is not None:
                    yield response

        return gen()
