"""What the sync and async clients share: settings, request preparation, parsing, retries.

:class:`_BaseClient` holds the settings (from a :class:`ClientOptions`) and everything that
does no I/O; :mod:`memories_client._client` and :mod:`memories_client._async_client` add the
sending, each in its own way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import httpx
from pydantic import SecretStr

from memories_client import _json
from memories_client._body import SplicedBody, encode_body, with_placeholders
from memories_client._http import (
    AuthScheme,
    RetryPolicy,
    build_headers,
    resolve_api_key,
    resolve_base_url,
)
from memories_client._limits import (
    DEFAULT_MAX_RESPONSE_BYTES,
    LineReader,
    whole_answer,
)
from memories_client._options import AsyncTransport, ClientOptions
from memories_client._parsing import parse_completion
from memories_client._streaming import StreamAssembler
from memories_client._truncation import warn_if_cut_by_default
from memories_client.catalog import family_of, resolve_model
from memories_client.dialects import DIALECTS, Dialect, dialect_for
from memories_client.errors import (
    APITimeoutError,
    MalformedResponseError,
    MemoriesAPIError,
    MemoriesError,
    MemoriesInputError,
    StreamInterruptedError,
)
from memories_client.types import ChatRequest, Completion, StreamChunk

__all__ = ["_BaseClient"]

logger = logging.getLogger("memories_client")
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=30)
"""The pools this package creates: 100 connections, each kept open 30 s between calls.

The async clients also admit at most ``max_connections`` calls at once per event loop
(:mod:`memories_client._pool`): more wait their turn before they are sent.
"""


@dataclass(slots=True)  # not frozen: made on every call, and never shared
class Prepared:
    url: httpx.URL
    # Holds the Authorization header: kept out of repr, which error trackers record as a
    # frame local on every error path.
    headers: httpx.Headers = field(repr=False)
    content: bytes | SplicedBody
    dialect: Dialect
    stream: bool


def is_plain_json(response: httpx.Response) -> bool:
    ctype = response.headers.get("content-type", "").lower()
    return "json" in ctype and "event-stream" not in ctype and "ndjson" not in ctype


class _BaseClient:
    """Settings and request preparation shared by the sync and async clients."""

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        paths: Mapping[str, str] | None = None,
        auth_scheme: AuthScheme = "raw",
        dialects: Mapping[str, Dialect] | None = None,
        retry_policy: RetryPolicy | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        total_timeout: float | None = None,
        async_transport: AsyncTransport = "httpx",
        options: ClientOptions | None = None,
    ) -> None:
        if options is None:
            options = ClientOptions(
                api_key=api_key,  # type: ignore[arg-type]  # a str is wrapped on the way in
                base_url=base_url,
                timeout=timeout,  # type: ignore[arg-type]  # seconds are resolved on the way in
                max_retries=max_retries,
                default_headers=default_headers or {},
                paths=paths or {},
                auth_scheme=auth_scheme,
                dialects=dialects or {},
                retry_policy=retry_policy,
                max_response_bytes=max_response_bytes,
                total_timeout=total_timeout,
                async_transport=async_transport,
            )
        self.options = options
        """The settings this client was built from (see :class:`ClientOptions`)."""
        self._base_url = resolve_base_url(options.base_url)
        self._api_key = resolve_api_key(options.api_key, base_url=self._base_url)
        self.max_response_bytes = options.max_response_bytes
        # Read-only: the attempt deadline below is derived from it once.
        self._timeout = options.timeout
        # The read timeout doubles as the wall-clock deadline of an attempt (see _deadline).
        self._attempt_seconds = self._timeout.read
        # A deadline for the whole call: every attempt, the waits between them, and a stream to
        # its last event. None: bounded by timeout and max_retries only.
        self.total_timeout = options.total_timeout
        assert options.retry_policy is not None  # ClientOptions always sets one
        self.retry_policy = options.retry_policy
        # Read-only, as is auth_scheme: the headers and URLs below are built from them once,
        # so a change made later would silently not apply. Build a new client instead.
        self._default_headers = MappingProxyType(dict(options.default_headers))
        self._paths = MappingProxyType(dict(options.paths))
        # Each endpoint's URL is parsed once per client, not on every call: httpx parses a
        # str URL each time it builds a request, about a fifth of what the client adds.
        self._urls = {
            endpoint: httpx.URL(self._base_url + path) for endpoint, path in self._paths.items()
        }
        self._auth_scheme: AuthScheme = options.auth_scheme
        # Every family's dialect, the configured one or a default, found by the family prefix
        # of the model id a call resolves (once, in prepare).
        self._dialects = {
            family: options.dialects.get(family) or cls() for family, cls in DIALECTS.items()
        }
        # Headers are built once per client; only Accept differs between stream and not.
        # As httpx.Headers: httpx copies these as they are instead of checking each name and
        # value again on every request.
        headers = build_headers(
            self._api_key, self._auth_scheme, self._default_headers, stream=False
        )
        self._headers = httpx.Headers(headers)
        self._stream_headers = httpx.Headers({**headers, "Accept": "text/event-stream"})

    @property
    def base_url(self) -> str:
        """The API's base URL (read-only; see :class:`ClientOptions`)."""
        return self._base_url

    @property
    def paths(self) -> Mapping[str, str]:
        """The endpoint paths, by endpoint (read-only; see :class:`ClientOptions`)."""
        return self._paths

    @property
    def timeout(self) -> httpx.Timeout:
        """Per-attempt timeouts; the read timeout is also each attempt's deadline (read-only)."""
        return self._timeout

    @property
    def auth_scheme(self) -> AuthScheme:
        """How the key is sent: ``"raw"`` or ``"bearer"`` (read-only; see ClientOptions)."""
        return self._auth_scheme

    @property
    def default_headers(self) -> Mapping[str, str]:
        """The extra headers sent on every request (read-only; see :class:`ClientOptions`)."""
        return self._default_headers

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, api_key=SecretStr('**********'), "
            f"max_retries={self.retry_policy.max_retries})"
        )

    def __getstate__(self) -> None:
        raise TypeError(
            f"{type(self).__name__} holds open connections and cannot be pickled; pickle the "
            "LangChain/LlamaIndex model instead, which creates its client lazily"
        )

    def dialect(self, model: str) -> Dialect:
        """The dialect for a model (a configured one, or the family default)."""
        return self._dialect_of(resolve_model(model))

    def _dialect_of(self, model: str) -> Dialect:
        # A catalog family without a wire format gets dialect_for's typed refusal.
        return self._dialects.get(model.partition(":")[0]) or dialect_for(model)

    def prepare(self, request: ChatRequest, *, stream: bool = False) -> Prepared:
        """Validate and encode a request; raises :class:`MemoriesInputError` before any I/O."""
        if not isinstance(request, ChatRequest):
            raise MemoriesInputError(f"expected a ChatRequest, got {type(request).__name__}")
        # The model id is resolved once per call, here, and handed down to the dialect.
        model = resolve_model(request.model)
        dialect = self._dialect_of(model)
        dialect.validate(request, model=model)
        url = self._urls[dialect.endpoint(request)]
        slim, inline = with_placeholders(request)
        content = encode_body(dialect.build_body(slim, stream=stream, model=model), inline)
        headers = self._stream_headers if stream else self._headers
        return Prepared(url, headers, content, dialect, stream)

    def _request(
        self, prepared: Prepared, client: httpx.Client | httpx.AsyncClient
    ) -> httpx.Request:
        content = prepared.content
        if isinstance(content, bytes):
            return client.build_request(
                "POST",
                prepared.url,
                content=content,
                headers=prepared.headers,
                timeout=self._timeout,
            )
        # Large inline media: stream the spliced body instead of building it in memory. The
        # request is rebuilt around the stream (keeping the client's merged URL, headers and
        # timeout) because an empty built request caches b"" as its content.
        base = client.build_request(
            "POST", prepared.url, headers=prepared.headers, timeout=self._timeout
        )
        headers = base.headers.copy()
        headers["Content-Length"] = str(content.length)
        return httpx.Request(
            "POST", base.url, headers=headers, stream=content, extensions=base.extensions
        )

    @staticmethod
    def _parse(
        prepared: Prepared, response: httpx.Response, content: bytes | bytearray
    ) -> Completion:
        request_id = response.headers.get("x-request-id")
        try:
            body = _json.loads(content)
        except ValueError as exc:  # not JSON, too deep, an oversized number, bad bytes
            raise MalformedResponseError(
                f"the response is not valid JSON: {bytes(content[:200])!r}",
                status=response.status_code,
                request_id=request_id,
            ) from exc
        return parse_completion(body, request_id=request_id)

    @staticmethod
    def _checked(request: ChatRequest, completion: Completion) -> Completion:
        """The answer, after warning if the service's default max_tokens cut it."""
        reasons = (c.finish_reason for c in completion.choices)
        warn_if_cut_by_default(family_of(request.model), request.max_tokens, reasons)
        return completion

    @staticmethod
    def _checked_final(request: ChatRequest, final: StreamChunk) -> StreamChunk:
        """A stream's final chunk, after the same warning as :meth:`_checked`."""
        warn_if_cut_by_default(family_of(request.model), request.max_tokens, (final.finish_reason,))
        return final

    def _call_deadline(self) -> float | None:
        return None if self.total_timeout is None else time.monotonic() + self.total_timeout

    def _attempt_deadline(self, call_deadline: float | None) -> float | None:
        seconds = self._attempt_seconds
        at = None if seconds is None else time.monotonic() + seconds
        if call_deadline is None:
            return at
        return call_deadline if at is None else min(at, call_deadline)

    def _whole_answer(self, response: httpx.Response, capped: tuple[bytearray, bool]) -> bytearray:
        """The answer a capped read got, or the error for one over ``max_response_bytes``."""
        return whole_answer(response, capped, self.max_response_bytes)

    @staticmethod
    def _log_success(prepared: Prepared, status: int, started: float) -> None:
        # DEBUG only, and never headers or bodies: the key and the user's media stay out of logs.
        if logger.isEnabledFor(logging.DEBUG):
            elapsed_ms = (time.perf_counter() - started) * 1000
            logger.debug("POST %s -> %d in %.0f ms", prepared.url, status, elapsed_ms)

    def _retry_delay(
        self, attempt: int, error: MemoriesError, call_deadline: float | None
    ) -> float:
        """The wait before retrying after ``error``; raises it when it is not to be retried."""
        policy = self.retry_policy
        if not policy.should_retry(attempt, error):
            policy.explain_refusal(attempt, error)
            raise error
        delay = policy.delay(attempt, error)
        if call_deadline is not None and time.monotonic() + delay >= call_deadline:
            if isinstance(error, MemoriesAPIError):
                error.message += (
                    f" (not retried: waiting {delay:.1f} s would pass total_timeout="
                    f"{self.total_timeout:g} s)"
                )
            raise error
        self._log_retry(attempt, error, delay)
        return delay

    def _log_retry(self, attempt: int, error: MemoriesError, delay: float) -> None:
        logger.info(
            "memories.ai request failed (%s); retry %d/%d in %.2fs",
            type(error).__name__,
            attempt + 1,
            self.retry_policy.max_retries,
            delay,
        )

    @staticmethod
    def _as_request(request: ChatRequest | None, fields: dict[str, Any]) -> ChatRequest:
        if request is not None and not fields:
            return request
        try:
            return request.replace(**fields) if request is not None else ChatRequest(**fields)
        except TypeError as exc:  # an unknown or missing field name
            raise MemoriesInputError(f"invalid request fields: {exc}") from None


def lines(chunks: Iterator[bytes]) -> Iterator[str]:
    # httpx's iter_lines buffers a line without end; this reader refuses one past the cap.
    reader = LineReader()
    for chunk in chunks:
        yield from reader.feed(chunk)
    yield from reader.flush()


async def alines(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    reader = LineReader()
    async for chunk in chunks:
        for line in reader.feed(chunk):
            yield line
    for line in reader.flush():
        yield line


def interrupted(exc: httpx.HTTPError, assembler: StreamAssembler) -> MemoriesError:
    partial = assembler.partial.tail()
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"the stream stalled and timed out after {assembler.partial.chars} characters "
            f"({exc or type(exc).__name__}); the answer is incomplete"
        )
    return StreamInterruptedError(
        f"the connection dropped mid-stream ({type(exc).__name__}) after {assembler.partial.chars} "
        "characters; the answer is incomplete. Retry the request",
        partial_text=partial,
    )
