"""Connection settings in one object, checked once, and the refusal of unknown arguments.

:class:`ClientOptions` holds every setting of the README's configuration table. The core
clients are built from it, and both framework layers build one from their fields and hand it
down unchanged, so a setting means the same thing on ``MemoriesClient``, ``ChatMemoriesGemini``
/ ``ChatMemoriesNova`` and ``MemoriesMultiModal``. It is checked when it is made (before any
client or request exists); the one check that needs the key to be present waits for the first
call, so a model may be built before ``MEMORIES_API_KEY`` is set.

:func:`refuse_unknown` is what every constructor runs on its keyword arguments: a misspelt or
foreign option raises instead of being dropped, naming the closest field.

Example:
    >>> from memories_client._options import ClientOptions
    >>> opts = ClientOptions(base_url="http://127.0.0.1:8080", paths={"vu": "/v/chat"},
    ...                      auth_scheme="bearer", timeout=30)
    >>> opts.timeout.read, opts.paths["vu"], opts.paths["iu"]
    (30.0, '/v/chat', '/iu/chat/completions')
    >>> ClientOptions(auth_scheme="Bearer")
    Traceback (most recent call last):
    ...
    memories_client.errors.MemoriesInputError: auth_scheme must be 'raw' or 'bearer', got 'Bearer'
"""

from __future__ import annotations

import difflib
import importlib.util
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from memories_client._http import (
    AuthScheme,
    RetryPolicy,
    check_default_headers,
    check_header_value,
    check_paths,
    check_seconds,
    resolve_base_url,
    resolve_timeout,
)
from memories_client._limits import DEFAULT_MAX_RESPONSE_BYTES
from memories_client.dialects import DIALECTS, Dialect
from memories_client.errors import MemoriesInputError

__all__ = [
    "ASYNC_TRANSPORTS",
    "CONNECTION_FIELDS",
    "PEER_HINTS",
    "AsyncTransport",
    "ClientOptions",
    "check_async_transport",
    "refuse_unknown",
]

AsyncTransport = Literal["httpx", "aiohttp"]
ASYNC_TRANSPORTS: tuple[AsyncTransport, ...] = ("httpx", "aiohttp")
"""What ``async_transport`` takes: httpx's own connections (the default), or aiohttp's."""

CONNECTION_FIELDS = (
    "api_key",
    "base_url",
    "paths",
    "auth_scheme",
    "timeout",
    "total_timeout",
    "max_retries",
    "default_headers",
    "dialects",
    "max_response_bytes",
    "async_transport",
)
"""The settings every entry point takes under these names (the README's configuration table)."""


def _positive_int(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise MemoriesInputError(f"{name} must be a positive integer, got {value!r}")
    return value


@dataclass(frozen=True, eq=True)
class ClientOptions:
    """Every connection setting, checked once when the options are made.

    Args:
        api_key: the key (a ``SecretStr`` or str); ``None`` reads ``MEMORIES_API_KEY`` when the
            first request is sent.
        base_url: ``None`` reads ``MEMORIES_BASE_URL``, else the documented production URL.
        paths: endpoint paths over the defaults, e.g. ``{"iu": "/ilm/chat/completions"}``.
        auth_scheme: ``"raw"`` (documented: the key alone) or ``"bearer"``.
        timeout: seconds or an ``httpx.Timeout``; a wall-clock deadline per attempt. Finite,
            above 0 and at most a day (:data:`~memories_client._http.MAX_TIMEOUT`).
        total_timeout: seconds for a whole call, retries and a stream included (same bounds).
        max_retries: retries after the first attempt (429, 5xx, timeouts, dropped connections).
        default_headers: extra headers on every request.
        dialects: per-family dialect instances, e.g. ``{"gemini": GeminiDialect(...)}``.
        max_response_bytes: the largest answer read before it is refused.
        retry_policy: a full :class:`RetryPolicy` (overrides ``max_retries``).
        async_transport: what the async calls send through: ``"httpx"`` (default) or
            ``"aiohttp"`` (the ``aiohttp`` extra; several times less CPU per call, for batches
            of thousands of calls against a fast server). Sync calls always use httpx.

    Two options compare equal when they would build the same client; the key compares by
    value without ever being shown.

    Example:
        >>> ClientOptions(max_retries=0) == ClientOptions(max_retries=0)
        True
    """

    api_key: SecretStr | None = field(default=None, repr=False)
    base_url: str | None = None
    paths: Mapping[str, str] = field(default_factory=dict)
    auth_scheme: AuthScheme = "raw"
    timeout: httpx.Timeout = field(default_factory=lambda: resolve_timeout(None))
    total_timeout: float | None = None
    max_retries: int = 2
    default_headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    dialects: Mapping[str, Dialect] = field(default_factory=dict)
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    retry_policy: RetryPolicy | None = None
    async_transport: AsyncTransport = "httpx"

    def __post_init__(self) -> None:
        # Normalised in place (the dataclass is frozen for its users, not for its own checks):
        # equal settings written differently (5 and 5.0, None and {}) then compare equal.
        set_ = object.__setattr__
        key = self.api_key
        if key is not None and not isinstance(key, SecretStr):
            if not isinstance(key, str):
                raise MemoriesInputError(f"api_key must be a string, got {type(key).__name__}")
            key = SecretStr(key)
        if key is not None:
            value = key.get_secret_value().strip()
            key = SecretStr(value) if value else None
            if key is not None:
                check_header_value("api_key", value)
        set_(self, "api_key", key)
        if self.base_url is not None:
            # Checked, not warned about: the client warns once it is built. (Not by silencing
            # the warning: catch_warnings changes process-wide state, unsafe across threads.)
            resolve_base_url(self.base_url, warn_insecure=False)
        set_(self, "paths", check_paths(self.paths or None))
        if self.auth_scheme not in ("raw", "bearer"):
            raise MemoriesInputError(
                f"auth_scheme must be 'raw' or 'bearer', got {self.auth_scheme!r}"
            )
        set_(self, "timeout", resolve_timeout(self.timeout))
        total = self.total_timeout
        if total is not None:
            set_(self, "total_timeout", check_seconds("total_timeout", total))
        policy = self.retry_policy or RetryPolicy(max_retries=self.max_retries)
        set_(self, "retry_policy", policy)
        set_(self, "max_retries", policy.max_retries)
        set_(self, "default_headers", check_default_headers(self.default_headers or None))
        dialects = dict(self.dialects or {})
        for family, dialect in dialects.items():
            if family not in DIALECTS:
                raise MemoriesInputError(f"dialects keys must be among {sorted(DIALECTS)}")
            if not isinstance(dialect, DIALECTS[family]):
                raise MemoriesInputError(
                    f"dialects[{family!r}] must be a {DIALECTS[family].__name__}, "
                    f"got {type(dialect).__name__}"
                )
        set_(self, "dialects", dialects)
        _positive_int("max_response_bytes", self.max_response_bytes)
        check_async_transport(self.async_transport)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ClientOptions:
        """Options from a mapping that may hold other keys too (a framework model's fields).

        ``None`` values mean "the default", so a model field left unset never overrides one.

        Example:
            >>> ClientOptions.from_settings({"max_retries": 0, "temperature": 1}).max_retries
            0
        """
        return cls(
            **{
                name: settings[name]
                for name in (*CONNECTION_FIELDS, "retry_policy")
                if settings.get(name) is not None
            }
        )


def check_async_transport(value: object, *, http_async_client: object = None) -> None:
    """Refuse an unknown ``async_transport``, a missing extra, or one next to an httpx client.

    Example:
        >>> check_async_transport("httpx")
        >>> check_async_transport("requests")
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: async_transport must be 'httpx' or \
'aiohttp', got 'requests'
    """
    if value not in ASYNC_TRANSPORTS:
        raise MemoriesInputError(f"async_transport must be 'httpx' or 'aiohttp', got {value!r}")
    if value == "aiohttp" and importlib.util.find_spec("httpx_aiohttp") is None:
        raise MemoriesInputError(
            "async_transport='aiohttp' needs the aiohttp extra: "
            "pip install 'memories-integrations[aiohttp]'"
        )
    if value != "httpx" and http_async_client is not None:
        # The given client would be used and the choice silently dropped.
        raise MemoriesInputError(
            f"async_transport={value!r} and an httpx client of your own were both given: the "
            "client already has its transport. Pass one or the other"
        )


def _not_documented(name: str) -> str:
    return (
        f"the memories.ai API documents no {name!r}; if you know the service accepts it, pass "
        f"extra_body={{'extra_body': {{'metadata': {{{name!r}: ...}}}}}} (the body's "
        "extra_body.metadata, where the docs put provider options)"
    )


PEER_HINTS: dict[str, str] = {
    "model_kwargs": (
        "pass options the API may accept beyond the named fields as extra_body={...} (top-level "
        "body keys, as in ChatOpenAI; provider options go in "
        "extra_body={'extra_body': {'metadata': {...}}})"
    ),
    "additional_kwargs": "pass extra options as extra_body={...}",
    "request_timeout": "use timeout= (seconds or an httpx.Timeout)",
    "max_output_tokens": "use max_tokens=",
    "max_new_tokens": "use max_tokens=",
    "num_predict": "use max_tokens=",
    "google_api_key": "use api_key= (or MEMORIES_API_KEY)",
    "openai_api_key": "use api_key= (or MEMORIES_API_KEY)",
    "api_base": "use base_url=",
    "openai_api_base": "use base_url=",
    "async_http_client": "use http_async_client= (the name both layers share)",
    "include_thoughts": (
        "memories.ai returns no thought text for Gemini; thinking_budget= sets how much the "
        "model thinks"
    ),
    **{
        name: _not_documented(name)
        for name in ("seed", "top_k", "safety_settings", "logprobs", "response_logprobs")
    },
}
"""What to do instead, for arguments users bring from the peer integrations."""


def refuse_unknown(
    owner: str,
    given: Iterable[str],
    known: Iterable[str],
    hints: Mapping[str, str] | None = None,
) -> None:
    """Raise for keyword arguments that are not ``known``, naming the closest known one.

    ``hints`` maps a name to what to do instead; :data:`PEER_HINTS` (names users bring from the
    peer integrations: ``model_kwargs``, ``seed``, ``top_k``...) always applies.

    Example:
        >>> refuse_unknown("ChatMemoriesGemini", ["temprature"], ["temperature", "top_p"])
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: ChatMemoriesGemini got an unexpected \
argument 'temprature'; did you mean 'temperature'?
    """
    known = sorted(set(known))
    problems = []
    for name in given:
        if name in known:
            continue
        hint = {**PEER_HINTS, **(hints or {})}.get(name)
        if hint is None:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
            hint = f"did you mean {close[0]!r}?" if close else f"it takes {', '.join(known)}"
        problems.append(f"an unexpected argument {name!r}; {hint}")
    if problems:
        raise MemoriesInputError(f"{owner} got " + "; and ".join(problems))
