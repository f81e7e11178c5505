"""The base class both chat models share: fields, request building, clients, calls.

One request builder (:meth:`_BaseChatMemories._prepare`) turns LangChain messages plus the
instance's settings plus per-call overrides into a ``memories_client.ChatRequest``; the four
entry points (``_generate``, ``_agenerate``, ``_stream``, ``_astream``) only send it and convert
the answer. Clients are created on first use, so building a model is cheap and a model pickles
(the cached clients are dropped from the pickle).
"""

from __future__ import annotations

import asyncio
import json
import threading
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.language_models.model_profile import ModelProfile
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator
from typing_extensions import Self

import memories_client as mc
from langchain_memories._convert import convert_messages
from langchain_memories._errors import mapped_errors
from langchain_memories._outputs import PROVIDER, chat_result, delta_chunk, final_chunk
from langchain_memories._profiles import profile_for
from langchain_memories._tools import to_tool_spec

__all__ = ["JSON_INSTRUCTION_KEY"]

JSON_INSTRUCTION_KEY = "json_instruction_schema"
"""Per-call option: a JSON Schema to ask for in a system instruction (prompted JSON)."""

_SAMPLING = ("temperature", "max_tokens", "top_p", "frequency_penalty", "presence_penalty", "n")
# Per-call keys LangChain itself passes that are not request options.
_IGNORED = frozenset({"stream"})
_CLIENT_LOCK = threading.Lock()


def json_instruction(schema: Mapping[str, Any] | None) -> str:
    """The system instruction that asks for JSON (matching ``schema`` when one is given).

    The schema travels in a fenced ```json block: it is unambiguous for the model, and the
    emulator (like a careful reader) recognises it.
    """
    if schema is None:
        return (
            "Answer with one JSON object and nothing else: no prose before or after it, no "
            "Markdown fences."
        )
    text = json.dumps(schema, ensure_ascii=False, indent=2)
    return (
        "Answer with one JSON object that satisfies this JSON Schema, and nothing else (no "
        f"prose before or after it):\n```json\n{text}\n```"
    )


@dataclass(frozen=True, slots=True)
class _Call:
    """One prepared call: the request and how to report its answer."""

    request: mc.ChatRequest
    model_name: str
    include_usage: bool
    raw_json: bool
    """The caller asked for bare JSON text (``response_format``): strip Markdown fences."""


@dataclass(frozen=True, slots=True)
class _Base:
    """What every call takes from the instance settings, built once per settings state."""

    fields: dict[str, Any]
    """``ChatRequest`` keyword arguments: the resolved model, sampling and family fields."""
    model_name: str
    include_usage: bool
    identifying: dict[str, Any]
    reusable: bool
    """All fields are immutable values, so a call without overrides can use them as they are."""


def _bare_json(text: str) -> str:
    """``text`` as bare JSON if it is JSON (fenced or not); unchanged otherwise."""
    try:
        return json.dumps(mc.parse_json_output(text), ensure_ascii=False)
    except (mc.JSONOutputError, mc.MemoriesInputError):
        return text


class _BaseChatMemories(BaseChatModel):
    """Shared implementation of :class:`ChatMemoriesGemini` and :class:`ChatMemoriesNova`."""

    _family: ClassVar[str]
    _family_options: ClassVar[frozenset[str]] = frozenset()

    # hide_input_in_errors: a validation error would otherwise echo the constructor input,
    # api_key included (pydantic shows a truncated repr of it).
    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, hide_input_in_errors=True
    )

    model: str = Field(alias="model_name")
    """Model id, with or without its family prefix (``gemini:``/``nova:``)."""
    api_key: SecretStr | None = Field(default_factory=secret_from_env(mc.API_KEY_ENV, default=None))
    """The memories.ai key; defaults to ``MEMORIES_API_KEY``. Sent raw in ``Authorization``."""
    base_url: str | None = Field(default_factory=from_env(mc.BASE_URL_ENV, default=None))
    """API base URL; defaults to ``MEMORIES_BASE_URL``, else the documented production URL."""
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    """Sampling temperature, 0.0-2.0 (None: the service default, 0.7 Gemini / 1.0 Nova)."""
    max_tokens: int | None = Field(default=None, ge=1)
    """Maximum tokens to generate (None: the service default, 1000)."""
    top_p: float | None = Field(default=None, ge=0.0, le=1.0)
    """Nucleus sampling, 0.0-1.0."""
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    """Frequency penalty, -2.0-2.0."""
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    """Presence penalty, -2.0-2.0."""
    n: int | None = Field(default=None, ge=1)
    """Number of alternatives to generate (``invoke`` returns the first; ``generate`` all)."""
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    """Stop sequences."""
    timeout: float | None = Field(default=None, gt=0)
    """Seconds per attempt (None: 120 s read, 10 s connect; video answers are slow)."""
    total_timeout: float | None = Field(default=None, gt=0)
    """Seconds for the whole call: every attempt, the waits between them, and a stream to its
    last event (None: bounded by ``timeout`` and ``max_retries`` only)."""
    max_retries: int = Field(default=2, ge=0)
    """Retries after the first attempt for 429, 5xx and connection errors (0: none).

    Waits grow exponentially with jitter; a ``Retry-After`` from the service is honoured.
    """
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """An ``httpx.Client`` to send requests with (not closed by the model; not pickled)."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """An ``httpx.AsyncClient`` for the async methods (not closed by the model; not pickled)."""
    default_headers: dict[str, str] | None = Field(default=None, exclude=True, repr=False)
    """Extra headers on every request (``Authorization`` is refused: use ``api_key``).

    Kept out of ``repr``, ``model_dump`` and ``dumpd`` like the key: they may carry proxy
    credentials. A model rebuilt from ``dumpd`` has none.
    """
    streaming: bool = False
    """Make ``invoke`` stream under the hood (callbacks then receive tokens)."""
    stream_usage: bool = True
    """Report token usage on the last streamed chunk."""

    # Cached clients, each with the settings key it was built from (see _settings_key).
    _client: tuple[tuple[Any, ...], mc.MemoriesClient] | None = PrivateAttr(default=None)
    _async_clients: (
        weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[tuple[Any, ...], mc.AsyncMemoriesClient]
        ]
        | None
    ) = PrivateAttr(default=None)
    # The per-call view of the settings (see _base), with the field values it was built from.
    _base_cache: tuple[tuple[Any, ...], _Base] | None = PrivateAttr(default=None)

    # -- construction ----------------------------------------------------------------------

    @model_validator(mode="after")
    def _check_model(self) -> Self:
        """Refuse another family's model id, or a key, URL or header that cannot be sent, now."""
        mc.resolve_model(self.model, self._family)
        mc.check_connection_settings(
            api_key=self.api_key, base_url=self.base_url, default_headers=self.default_headers
        )
        return self

    def _resolve_model_profile(self) -> ModelProfile | None:
        return profile_for(self.model, self._family)

    # -- serialization and tracing ---------------------------------------------------------

    @property
    def lc_secrets(self) -> dict[str, str]:
        """The key is serialized as a reference to ``MEMORIES_API_KEY``, never its value."""
        return {"api_key": mc.API_KEY_ENV}

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
        # LangChain reads this on every call (invocation params, tracing); built with _base.
        return dict(self._base().identifying)

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        model = kwargs.get("model")
        params = LangSmithParams(
            ls_provider=PROVIDER,
            # Without the family prefix, like response_metadata["model_name"]: the name
            # LangSmith's price table knows ("gemini-2.5-pro", not "gemini:gemini-2.5-pro").
            ls_model_name=mc.model_info(model, self._family).name
            if isinstance(model, str) and model
            else self._base().model_name,
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
        stops = mc.normalize_stop(stop if stop is not None else kwargs.get("stop", self.stop))
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
        return mc.estimate_text_tokens(text)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
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
        """
        specs = [to_tool_spec(tool) for tool in tools] if tools else None
        return mc.estimate_tokens(
            convert_messages(messages),
            self.model,
            specs,
            family=self._family,
            count_text=self.get_num_tokens,
        )

    def __getstate__(self) -> dict[Any, Any]:
        # Connection pools and locks cannot cross a process boundary: drop the cached clients
        # and any injected httpx clients; the unpickled model creates fresh ones on first use.
        state = dict(super().__getstate__())
        fields = dict(state["__dict__"])
        fields["http_client"] = None
        fields["http_async_client"] = None
        state["__dict__"] = fields
        state["__pydantic_private__"] = {
            "_client": None,
            "_async_clients": None,
            "_base_cache": None,
        }
        return state

    # -- clients ---------------------------------------------------------------------------

    def _settings(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "total_timeout": self.total_timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }

    def _settings_key(self, http_client: object) -> tuple[Any, ...]:
        """The settings a cached client was built from.

        A change (``model_copy(update=...)``, an assignment) makes the next call build a new
        client instead of using stale settings. The key stays a ``SecretStr`` (it compares by
        value but never shows it).
        """
        headers = tuple(sorted((self.default_headers or {}).items()))
        return (
            self.api_key,
            self.base_url,
            self.timeout,
            self.total_timeout,
            self.max_retries,
            headers,
            id(http_client),
        )

    def _sync_client(self) -> mc.MemoriesClient:
        wanted = self._settings_key(self.http_client)
        # Read through the slot: pydantic's __getattr__ for private attributes costs ~1 us.
        cached = (self.__pydantic_private__ or {}).get("_client")
        if cached is None or cached[0] != wanted:
            with _CLIENT_LOCK:
                cached = self._client
                if cached is None or cached[0] != wanted:
                    client = mc.MemoriesClient(**self._settings(), http_client=self.http_client)
                    cached = self._client = (wanted, client)
        return cached[1]

    def _async_client(self) -> mc.AsyncMemoriesClient:
        # CORE: AsyncMemoriesClient creates its httpx.AsyncClient once and keeps it; that pool
        # belongs to the event loop it first ran on, so a second asyncio.run() with the same
        # client fails with "Event loop is closed". Keep one client per running loop instead,
        # dropped with the loop.
        loop = asyncio.get_running_loop()
        wanted = self._settings_key(self.http_async_client)
        with _CLIENT_LOCK:
            clients = self._async_clients
            if clients is None:
                clients = self._async_clients = weakref.WeakKeyDictionary()
            cached = clients.get(loop)
            if cached is None or cached[0] != wanted:
                client = mc.AsyncMemoriesClient(
                    **self._settings(), http_client=self.http_async_client
                )
                cached = clients[loop] = (wanted, client)
        return cached[1]

    # -- request building ------------------------------------------------------------------

    def _family_fields(self, options: dict[str, Any]) -> dict[str, Any]:
        """Pop this family's own per-call options from ``options``; return request fields."""
        return {}

    def _json_fields(
        self, schema: Mapping[str, Any] | None, *, native: bool
    ) -> tuple[dict[str, Any], Mapping[str, Any] | None]:
        """Request fields and instruction schema for an OpenAI-style ``response_format``."""
        return {}, schema

    def _tool_fields(self, options: dict[str, Any]) -> dict[str, Any]:
        """Pop ``tools`` / ``tool_choice`` from ``options``; return request fields."""
        return {}

    def _base(self) -> _Base:
        """The instance's part of every request, rebuilt only when a field was reassigned.

        Keyed by the values of all fields (a tuple compare, identity first, well under a
        microsecond), so assignment, ``model_copy(update=...)`` and unpickling all rebuild it
        without hooking ``__setattr__``. In-place changes of mutable values cannot be seen this
        way, so ``stop`` is read on every call and fields holding dicts or lists (a Gemini
        ``response_schema``) turn the cached fast path off. A reassigned value equal to the old
        one (``1`` for ``1.0``) keeps the cache: it describes the same request.
        """
        key = tuple(self.__dict__.values())
        # Read through the slot: pydantic's __getattr__ for private attributes costs ~1 us.
        private = self.__pydantic_private__ or {}
        cached: tuple[tuple[Any, ...], _Base] | None = private.get("_base_cache")
        if cached is not None and cached[0] == key:
            return cached[1]
        full_model = mc.resolve_model(self.model, self._family)
        family = {**self._family_fields({}), **self._tool_fields({})}
        fields: dict[str, Any] = {"model": full_model}
        fields.update((name, getattr(self, name)) for name in _SAMPLING)
        fields.update(family)
        identifying: dict[str, Any] = {"model": self.model, "base_url": self.base_url}
        for name in (*_SAMPLING, "stop", *sorted(self._family_options)):
            value = getattr(self, name, None)
            if value is not None:
                identifying[name] = value
        base = _Base(
            fields=fields,
            model_name=full_model.split(":", 1)[1],
            include_usage=bool(self.stream_usage),
            identifying=identifying,
            reusable=all(
                value is None or isinstance(value, (str, int, float)) for value in family.values()
            ),
        )
        self._base_cache = (key, base)
        return base

    def _prepare(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: Mapping[str, Any]
    ) -> _Call:
        """Build the request from the instance settings and the per-call overrides.

        Raises:
            memories_client.MemoriesInputError: an unknown option, a bad value, or content
                the API cannot take; always before any network call.
        """
        base = self._base()
        options = {k: v for k, v in kwargs.items() if k not in _IGNORED} if kwargs else {}
        if not options and stop is None and base.reusable:
            # The common call (plain invoke): nothing to merge, the cached fields are the request.
            request = mc.ChatRequest(
                messages=convert_messages(messages), stop=self.stop or None, **base.fields
            )
            return _Call(request, base.model_name, base.include_usage, False)
        fields = dict(base.fields)
        model_name = base.model_name
        model = options.pop("model", None)
        if model:
            fields["model"] = mc.resolve_model(model, self._family)
            model_name = fields["model"].split(":", 1)[1]
        include_usage = bool(options.pop("stream_usage", self.stream_usage))
        for name in _SAMPLING:
            if name in options:
                fields[name] = options.pop(name)
        call_stop = stop if stop is not None else options.pop("stop", self.stop)
        options.pop("stop", None)
        fields.update(self._family_fields(options))
        fields.update(self._tool_fields(options))
        # Present (even as None, "any JSON object") means: ask for JSON in the system prompt.
        want_instruction = JSON_INSTRUCTION_KEY in options
        instruction_schema = options.pop(JSON_INSTRUCTION_KEY, None)
        raw_json = False
        response_format = options.pop("response_format", None)
        if response_format is not None:
            schema, native = _read_response_format(response_format)
            extra, instruction_schema = self._json_fields(schema, native=native)
            fields.update(extra)
            want_instruction = instruction_schema is not None or not native
            raw_json = True
        if options:
            allowed = sorted(
                {*_SAMPLING, "model", "stop", "stream_usage", "response_format"}
                | {JSON_INSTRUCTION_KEY}
                | self._family_options
            )
            raise mc.MemoriesInputError(
                f"unknown option(s) for {type(self).__name__}: {', '.join(sorted(options))}; "
                f"supported per-call options: {', '.join(allowed)}"
            )
        core_messages = convert_messages(messages)
        if want_instruction:
            core_messages = _with_instruction(core_messages, json_instruction(instruction_schema))
        request = mc.ChatRequest(messages=core_messages, stop=call_stop or None, **fields)
        return _Call(request, model_name, include_usage, raw_json)

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
            combined["model_name"] = self._base().model_name
        return combined

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
            completion = self._sync_client().chat(call.request)
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
            completion = await self._async_client().chat(call.request)
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
            for chunk in self._sync_client().stream(call.request):
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
            async for chunk in self._async_client().stream(call.request):
                for out in self._chunks(chunk, call, buffered):
                    yield out

    @staticmethod
    def _result(completion: mc.Completion, call: _Call) -> ChatResult:
        result = chat_result(completion, call.model_name)
        if call.raw_json:
            for generation in result.generations:
                message = generation.message
                if isinstance(message, AIMessage) and isinstance(message.content, str):
                    message.content = _bare_json(message.content)
        return result

    @staticmethod
    def _chunks(
        chunk: mc.StreamChunk, call: _Call, buffered: list[str]
    ) -> Iterator[ChatGenerationChunk]:
        if chunk.done:
            if buffered:
                # Bare JSON was asked for: the text was held back so its fences can be stripped.
                text = _bare_json("".join(buffered))
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


def _read_response_format(value: Any) -> tuple[Mapping[str, Any] | None, bool]:
    """Read an OpenAI-style ``response_format`` (what ``create_agent`` binds).

    Returns:
        The JSON Schema (None for plain JSON mode) and whether it asked for a schema natively.
    """
    if isinstance(value, Mapping):
        kind = value.get("type")
        if kind == "json_object":
            return None, False
        if kind == "json_schema" and isinstance(value.get("json_schema"), Mapping):
            schema = value["json_schema"].get("schema")
            if isinstance(schema, Mapping):
                return schema, True
    raise mc.MemoriesInputError(
        "response_format must be {'type': 'json_object'} or {'type': 'json_schema', "
        "'json_schema': {'name': ..., 'schema': {...}}}"
    )


def _with_instruction(messages: list[mc.Message], instruction: str) -> list[mc.Message]:
    """Add ``instruction`` to the leading system message, or put one first.

    One system message rather than two: Bedrock-style backends take a single system prompt.
    """
    if messages and messages[0].role == "system":
        merged = f"{messages[0].text}\n\n{instruction}" if messages[0].text else instruction
        return [mc.Message.system(merged), *messages[1:]]
    return [mc.Message.system(instruction), *messages]
