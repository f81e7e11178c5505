"""The base class both chat models share: fields, request building, clients, calls.

One function (:meth:`_BaseChatMemories._prepare`) turns LangChain messages, the instance's
fields and the per-call options into a ``memories_client.ChatRequest``; the four entry points
(``_generate``, ``_agenerate``, ``_stream``, ``_astream``) only send it and convert the answer.
Connection settings become one :class:`memories_client.integration.ClientOptions`, checked when the
model is built; the clients come from a :class:`memories_client.integration.ClientCache`, created on
first use, so building a model is cheap and a model pickles.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Literal

import httpx
from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.language_models.model_profile import ModelProfile
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    MessageLikeRepresentation,
    convert_to_messages,
)
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, SecretStr, model_validator
from typing_extensions import Self

import memories_client as mc
import memories_client.integration as kit
from langchain_memories._convert import to_core_messages, to_tool_spec
from langchain_memories._errors import mapped_errors
from langchain_memories._outputs import PROVIDER, chat_result, delta_chunk, final_chunk
from langchain_memories._profiles import profile_for
from langchain_memories._structured import (
    JSON_INSTRUCTION_KEY,
    bare_json,
    json_instruction,
    read_response_format,
    with_instruction,
)
from memories_client.uploads import aupload_local_videos, upload_local_videos

__all__: list[str] = []

# The request options every model may carry as fields (the family's own are added per class),
# checked by the core when a model is built; per-call values when the request is.
_OPTIONS = (*kit.SAMPLING_FIELDS, "extra_body")


@dataclass(slots=True)  # not frozen: made on every call, and never shared
class _Call:
    """One prepared call: the request and how to report its answer."""

    request: mc.ChatRequest
    model_name: str
    include_usage: bool
    raw_json: bool
    """The caller asked for bare JSON text (``response_format``): strip Markdown fences."""


class _BaseChatMemories(kit.ClosesPooledClients, kit.DerivedState, BaseChatModel):
    """Shared implementation of the family chat classes (Gemini, Nova, Qwen and GPT).

    Tool calling is refused here, naming the family that has it: the docs show tools for Nova
    only, and ``ChatMemoriesNova`` overrides ``bind_tools`` and ``_tool_fields``.
    """

    _family: ClassVar[str]
    _family_options: ClassVar[frozenset[str]] = frozenset()

    # hide_input_in_errors: a validation error would otherwise echo the constructor input,
    # api_key included (pydantic shows a truncated repr of it).
    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, hide_input_in_errors=True
    )

    model: str = Field(alias="model_name")
    """Model id, with or without its family prefix (``gemini:``/``nova:``)."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env(kit.API_KEY_ENV, default=None)
    )
    """The memories.ai key; defaults to ``MEMORIES_API_KEY``. Sent raw in ``Authorization``.

    Not needed when ``base_url`` is on this machine (the emulator)."""
    base_url: str | None = Field(default_factory=from_env(kit.BASE_URL_ENV, default=None))
    """API base URL; defaults to ``MEMORIES_BASE_URL``, else the documented production URL."""
    paths: dict[str, str] | None = None
    """Endpoint paths over the defaults, e.g. ``{"iu": "/ilm/chat/completions"}``."""
    auth_scheme: Literal["raw", "bearer"] = "raw"
    """``"raw"`` (documented: the key alone in ``Authorization``) or ``"bearer"``."""
    temperature: float | None = None
    """Sampling temperature, 0.0-2.0 (None: the service default, 0.7 Gemini / 1.0 Nova)."""
    max_tokens: int | None = None
    """Maximum tokens to generate (None: the service's default, 1,000 tokens; Qwen 1,024).

    An answer cut at that default warns with ``memories_client.TruncatedAnswerWarning``."""
    top_p: float | None = None
    """Nucleus sampling, 0.0-1.0."""
    frequency_penalty: float | None = None
    """Frequency penalty, -2.0-2.0."""
    presence_penalty: float | None = None
    """Presence penalty, -2.0-2.0."""
    n: int | None = None
    """Number of alternatives, 1-8 (``invoke`` returns the first; ``generate`` all)."""
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    """Stop sequences."""
    extra_body: dict[str, Any] | None = None
    """Extra top-level keys of the request body, as ``ChatOpenAI(extra_body=...)``: the escape
    hatch for what the service accepts beyond the named fields. Provider options go in the
    body's own ``extra_body.metadata``: ``extra_body={"extra_body": {"metadata": {...}}}`` adds
    keys there beside the generated ones. A key that replaces a named field's (``temperature``)
    warns; one that belongs in the metadata (``thinking_config``) is refused, naming the field
    to use."""
    timeout: float | httpx.Timeout | None = None
    """Seconds (or an ``httpx.Timeout``) per attempt (None: 120 s read, 10 s connect)."""
    total_timeout: float | None = None
    """Seconds for the whole call: every attempt, the waits between them, and a stream to its
    last event (None: bounded by ``timeout`` and ``max_retries`` only)."""
    max_retries: int = 2
    """Retries after the first attempt for 429, 5xx and connection errors (0: none).

    Waits grow exponentially with jitter; a ``Retry-After`` from the service is honoured.
    """
    max_response_bytes: int = kit.ClientOptions.max_response_bytes
    """The largest answer read before it is refused (a typed error, not unbounded memory)."""
    dialects: dict[str, kit.Dialect] | None = Field(default=None, exclude=True)
    """Per-family wire settings, e.g. ``{"gemini": GeminiDialect(inline_format="data_uri")}``."""
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """An ``httpx.Client`` to send requests with (not closed by the model; not pickled)."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """An ``httpx.AsyncClient`` for the async methods (not closed by the model; not pickled)."""
    async_transport: Literal["httpx", "aiohttp"] = "httpx"
    """What the async methods send through: ``"httpx"`` or ``"aiohttp"`` (the ``aiohttp``
    extra: several times less CPU per call for batches of thousands against a fast server).
    Not with ``http_async_client``, which brings its own transport."""
    default_headers: dict[str, str] | None = Field(default=None, exclude=True, repr=False)
    """Extra headers on every request (``Authorization`` is refused: use ``api_key``).

    Kept out of ``repr``, ``model_dump`` and ``dumpd`` like the key: they may carry proxy
    credentials. A model rebuilt from ``dumpd`` has none.
    """
    uploader: Any = Field(default=None, exclude=True)
    """A ``memories_client.uploads.Uploader`` (``MemoriesAssetUploader``, ``S3Uploader``...): video
    given as bytes, base64 or a file is uploaded through it and sent by URL (Gemini takes no
    inline video). Not serialised or pickled."""
    streaming: bool = False
    """Make ``invoke`` stream under the hood (callbacks then receive tokens)."""
    stream_usage: bool = True
    """Report token usage on the last streamed chunk."""

    # Cached properties, forgotten as memories_client.integration.DerivedState says when a field is
    # set, on copy and on pickling: the core's (options; clients on copy and pickling only), the
    # full model id, and langchain-core's _serialized (the LLM cache's key and the tracers'
    # payload are made from it).
    _FROM_FIELDS: ClassVar[tuple[str, ...]] = (
        *kit.DerivedState._FROM_FIELDS,
        "_full_model",
        "_serialized",
    )

    # -- construction ----------------------------------------------------------------------

    def __init__(self, **data: Any) -> None:
        """Build the model; refuses unknown arguments and bad values before anything else.

        Raises:
            memories_client.MemoriesInputError: an unknown argument (naming the closest field),
                a value out of its documented range, another family's model id, or a key, URL,
                path or header that cannot be sent.
        """
        fields = type(self).model_fields
        known = {*fields, *(f.alias for f in fields.values() if f.alias)}
        kit.refuse_unknown(type(self).__name__, data, known)
        # The request options the model carries go through the core's one check, once, before
        # pydantic sees them (its errors would differ from MemoriesClient's): with the model's
        # own ranges (a thinking budget per model, a Qwen budget of 0...), so a bad value fails
        # when the model is built.
        model = kit.resolve_model(
            data.get("model", data.get("model_name", fields["model"].default)), self._family
        )
        kit.dialect_for(model).check_options(
            model=model,
            stop=data.get("stop", data.get("stop_sequences")),
            **{name: data[name] for name in (*_OPTIONS, *self._family_options) if name in data},
        )
        # The given connection settings, checked by the core before pydantic sees them (its
        # own errors would differ from MemoriesClient's); values from the environment are
        # checked once the fields are filled in (_client_options).
        kit.ClientOptions.from_settings(data)
        kit.check_async_transport(
            data.get("async_transport", "httpx"), http_async_client=data.get("http_async_client")
        )
        super().__init__(**data)
        _ = self._client_options

    @cached_property
    def _full_model(self) -> str:
        """The full model id, made once per field state."""
        return kit.resolve_model(self.model, self._family)

    def _resolve_model_profile(self) -> ModelProfile | None:
        return profile_for(self.model, self._family)

    @model_validator(mode="after")
    def _check_profile_keys(self) -> Self:
        """Replaces langchain-core's check that the profile has no undeclared keys.

        langchain-core 1.8 runs ``typing.get_type_hints(ModelProfile)`` for it on every
        construction, about half the time it takes to build one of these models. Our profiles
        come from ``profile_for``, whose keys a test keeps within ``ModelProfile``
        (tests/langchain/test_lc_chat_models.py), so the warning cannot fire. A validator of the
        same name replaces the parent's (pydantic v2).
        """
        return self

    # Clients: memories_client.integration.DerivedState (_sync_client, _async_client) and
    # memories_client.integration.ClosesPooledClients (close / aclose / with).

    # -- serialization and tracing ---------------------------------------------------------

    @property
    def lc_secrets(self) -> dict[str, str]:
        """The key is serialized as a reference to ``MEMORIES_API_KEY``, never its value."""
        return {"api_key": kit.API_KEY_ENV}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """The models can be serialized with ``langchain_core.load.dumpd``."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """``["langchain_memories", "chat_models"]``."""
        return ["langchain_memories", "chat_models"]

    @property
    def _llm_type(self) -> str:
        return f"memories-{self._family}-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model, "base_url": self.base_url}
        for name in (*kit.SAMPLING_FIELDS, "stop", *sorted(self._family_options)):
            value = getattr(self, name, None)
            if value is not None:
                params[name] = value
        return params

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        model = kwargs.get("model")
        params = LangSmithParams(
            ls_provider=PROVIDER,
            # Without the family prefix, like response_metadata["model_name"]: the name
            # LangSmith's price table knows ("gemini-2.5-pro", not "gemini:gemini-2.5-pro").
            ls_model_name=mc.model_info(model, self._family).name
            if isinstance(model, str) and model
            else self._full_model.split(":", 1)[1],
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        # LangChain calls this before _generate: check `stop` here, so a wrong type is our
        # MemoriesInputError naming `stop`, not a TypeError from list(True).
        stops = kit.normalize_stop(stop if stop is not None else kwargs.get("stop", self.stop))
        if stops:
            params["ls_stop"] = stops
        return params

    # -- token estimates -------------------------------------------------------------------

    def get_num_tokens(self, text: str) -> int:
        """An estimate of the tokens in ``text``, with no tokenizer to download.

        About 4 characters a token (Google's rule for Gemini; see ``memories_client.tokens``),
        or ``custom_get_token_ids`` when you set one. It is an estimate: the bill uses the
        usage the service reports.

        Example:
            >>> from langchain_memories import ChatMemoriesGemini
            >>> ChatMemoriesGemini(api_key="k").get_num_tokens("What happens in this video?")
            7
        """
        if self.custom_get_token_ids is not None:
            return len(self.custom_get_token_ids(text))
        return kit.estimate_text_tokens(text)

    def get_num_tokens_from_messages(
        self, messages: Sequence[MessageLikeRepresentation], tools: Sequence[Any] | None = None
    ) -> int:
        """An estimate of the input tokens of ``messages`` (and ``tools``), without downloads.

        Text as in :meth:`get_num_tokens`; each image, video or document part by the catalog's
        per-kind estimate for this model's family (a typical part: media is never downloaded
        to be measured); a few tokens per message for its role. This is what
        ``trim_messages(token_counter=llm)`` and summarising memories call. It is an estimate:
        the bill uses the usage the service reports.

        Example:
            >>> from langchain_core.messages import HumanMessage
            >>> from langchain_memories import ChatMemoriesGemini
            >>> llm = ChatMemoriesGemini(api_key="k")
            >>> llm.get_num_tokens_from_messages([HumanMessage(content=[
            ...     {"type": "text", "text": "What happens?"},
            ...     {"type": "video", "url": "https://x.test/clip.mp4"}])])
            15787
            >>> llm.get_num_tokens_from_messages([("user", "hi")])  # as invoke() takes them
            4
        """
        specs = [to_tool_spec(tool) for tool in tools] if tools else None
        return kit.estimate_tokens(
            to_core_messages(convert_to_messages(messages)),
            self.model,
            specs,
            family=self._family,
            count_text=self.get_num_tokens,
        )

    # -- request building ------------------------------------------------------------------

    def _family_fields(self, options: dict[str, Any]) -> dict[str, Any]:
        """Pop this family's own per-call options from ``options``; return request fields.

        The options are the family's own that the request marks (``FAMILY_OPTIONS``; tools
        are ``_tool_fields``'s); a call's value wins over the model's field of the same name.
        """
        fields = {
            name: options.pop(name, getattr(self, name, None))
            for name in kit.FAMILY_OPTIONS
            if name in self._family_options
        }
        schema = fields.get("response_schema")
        if schema is not None:  # a per-call Pydantic model or TypedDict
            fields["response_schema"] = kit.json_schema_of(schema)
        return fields

    def _json_fields(
        self, schema: Mapping[str, Any] | None, *, native: bool
    ) -> tuple[dict[str, Any], Mapping[str, Any] | None]:
        """Request fields and instruction schema for an OpenAI-style ``response_format``."""
        return {}, schema

    def _prepare(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: Mapping[str, Any]
    ) -> _Call:
        """Build the request from the instance's fields and the per-call options.

        Raises:
            memories_client.MemoriesInputError: an unknown option, a bad value, or content
                the API cannot take; always before any network call.
        """
        full_model = self._full_model
        options = dict(kwargs)
        options.pop("stream", None)  # LangChain's own flag, not a request option
        fields: dict[str, Any] = {
            name: options.pop(name, getattr(self, name)) for name in kit.SAMPLING_FIELDS
        }
        model = options.pop("model", None)
        if model:
            full_model = kit.resolve_model(model, self._family)
        fields["model"] = full_model
        include_usage = bool(options.pop("stream_usage", self.stream_usage))
        call_stop = stop if stop is not None else options.pop("stop", self.stop)
        options.pop("stop", None)
        fields["extra_body"] = options.pop("extra_body", self.extra_body)
        fields.update(self._family_fields(options))
        fields.update(self._tool_fields(options))
        # Present (even as None, "any JSON object") means: ask for JSON in the system prompt.
        want_instruction = JSON_INSTRUCTION_KEY in options
        instruction_schema = options.pop(JSON_INSTRUCTION_KEY, None)
        raw_json = False
        response_format = options.pop("response_format", None)
        if response_format is not None:
            schema, native = read_response_format(response_format)
            extra, instruction_schema = self._json_fields(schema, native=native)
            fields.update(extra)
            want_instruction = instruction_schema is not None or not native
            raw_json = True
        if options:
            allowed = {
                *kit.SAMPLING_FIELDS,
                "model",
                "stop",
                "stream_usage",
                "response_format",
                "extra_body",
                JSON_INSTRUCTION_KEY,
                *self._family_options,
            }
            kit.refuse_unknown(f"{type(self).__name__} (per call)", options, allowed)
        core_messages = to_core_messages(messages)
        if want_instruction:
            core_messages = with_instruction(core_messages, json_instruction(instruction_schema))
        request = mc.ChatRequest(messages=core_messages, stop=call_stop or None, **fields)
        return _Call(request, full_model.split(":", 1)[1], include_usage, raw_json)

    def _combine_llm_outputs(self, llm_outputs: list[dict[str, Any] | None]) -> dict[str, Any]:
        """Sum the token usage of a batch for ``generate()`` (what callback handlers read)."""
        usage: dict[str, int] = {}
        combined: dict[str, Any] = {"model_provider": PROVIDER}
        for output in llm_outputs:
            if not output:
                continue
            for key, value in (output.get("token_usage") or {}).items():
                usage[key] = usage.get(key, 0) + int(value)
            combined.setdefault("model_name", output.get("model_name"))
        combined["token_usage"] = usage
        if combined.get("model_name") is None:
            combined["model_name"] = self._full_model.split(":", 1)[1]
        return combined

    # -- tools (refused; ChatMemoriesNova has them) -----------------------------------------

    def _no_tools(self) -> mc.UnsupportedFeatureError:
        message = kit.dialect_for(self._full_model).no_tools_message()
        return mc.UnsupportedFeatureError(
            f"{message} (ChatMemoriesNova in LangChain), or with_structured_output() for "
            "structured answers"
        )

    def _tool_fields(self, options: dict[str, Any]) -> dict[str, Any]:
        self._offer(options.pop("tools", None), options.pop("tool_choice", None))
        return {}

    def _offer(self, tools: Sequence[Any] | None, tool_choice: Any) -> None:
        """The core's rule for a family without tools: a tool is refused, none is nothing."""
        try:  # any tool is refused, so none is converted first
            kit.refuse_tools(tools, kit.dialect_for(self._full_model))
        except mc.UnsupportedFeatureError:
            raise self._no_tools() from None  # the same refusal, with LangChain's hint
        kit.offered_tools(None, tool_choice)  # no tools: a choice that forces one is refused

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Not supported: the memories.ai docs show tool calling for Nova models only.

        An empty ``tools`` list is accepted (``create_agent`` binds one when the agent has no
        tools) and binds only ``kwargs``. ``strict`` is accepted for the same reason
        (langchain 1.0 to 1.2 pass ``strict=True`` with a ``response_format``): with no tools it
        has nothing to apply to, and a bound ``response_format`` is enforced by the family's
        own structured output and validated strictly on the way back whatever its value.

        Raises:
            memories_client.UnsupportedFeatureError: when any tool is given (a
                ``NotImplementedError`` and a ``ValueError``, as from a call with ``tools=``).

        Example:
            >>> from langchain_memories import ChatMemoriesQwen
            >>> def add(a: int, b: int) -> int:
            ...     '''Add two integers.'''
            ...     return a + b
            >>> ChatMemoriesQwen(api_key="test").bind_tools([add])
            Traceback (most recent call last):
            ...
            memories_client.errors.UnsupportedFeatureError: tool calling is not supported for \
Qwen models on memories.ai (the API documents tools for Nova only); use a Nova model for tools \
(ChatMemoriesNova in LangChain), or with_structured_output() for structured answers
        """
        self._offer(tools, tool_choice)
        return self.bind(**kwargs)

    # -- calls -----------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._prepare(messages, stop, kwargs)
        with mapped_errors():
            request = upload_local_videos(call.request, self.uploader)
            completion = self._sync_client().chat(request)
        return self._result(completion, call)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._prepare(messages, stop, kwargs)
        with mapped_errors():
            request = await aupload_local_videos(call.request, self.uploader)
            completion = await self._async_client().chat(request)
        return self._result(completion, call)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        call = self._prepare(messages, stop, kwargs)
        buffered: list[str] = []
        with mapped_errors():
            request = upload_local_videos(call.request, self.uploader)
            for chunk in self._sync_client().stream(request):
                yield from self._chunks(chunk, call, buffered)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        call = self._prepare(messages, stop, kwargs)
        buffered: list[str] = []
        with mapped_errors():
            request = await aupload_local_videos(call.request, self.uploader)
            async for chunk in self._async_client().stream(request):
                for out in self._chunks(chunk, call, buffered):
                    yield out

    @staticmethod
    def _result(completion: mc.Completion, call: _Call) -> ChatResult:
        result = chat_result(completion, call.model_name)
        if call.raw_json:
            for generation in result.generations:
                message = generation.message
                if isinstance(message, AIMessage) and isinstance(message.content, str):
                    message.content = bare_json(message.content)
        return result

    @staticmethod
    def _chunks(
        chunk: mc.StreamChunk, call: _Call, buffered: list[str]
    ) -> Iterator[ChatGenerationChunk]:
        if chunk.done:
            if buffered:
                # Bare JSON was asked for: the text was held back so its fences can be stripped.
                text = bare_json("".join(buffered))
                yield ChatGenerationChunk(message=AIMessageChunk(content=text))
            yield final_chunk(chunk, call.model_name, include_usage=call.include_usage)
            return
        out = delta_chunk(chunk)
        if out is None:
            return
        if call.raw_json and chunk.text:
            buffered.append(chunk.text)
            return
        yield out
