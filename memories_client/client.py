"""The HTTP clients: :class:`MemoriesClient` (sync) and :class:`AsyncMemoriesClient`.

One request path for every caller: validate the request (before any network call), build the
family's body, POST it on a pooled ``httpx`` client, retry what is worth retrying, and parse the
answer or raise a typed error.

Example:
    >>> from memories_client import MemoriesClient, ChatRequest, Message
    >>> from memories_client.emulator import Emulator
    >>> with Emulator() as emu, MemoriesClient(api_key="test", base_url=emu.base_url) as client:
    ...     answer = client.chat(ChatRequest(model="gemini-2.5-flash",
    ...                                      messages=[Message.user("Say hi")]))
    >>> answer.usage.total_tokens > 0
    True
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from memories_client import _json
from memories_client._body import SplicedBody, encode_body, with_placeholders
from memories_client._deadline import EventClock, deadline, install, until
from memories_client._http import (
    AuthScheme,
    RetryPolicy,
    build_headers,
    error_from_response,
    resolve_api_key,
    resolve_base_url,
    transport_error,
)
from memories_client._limits import (
    DEFAULT_MAX_RESPONSE_BYTES,
    ERROR_BODY_LIMIT,
    LineReader,
    aread_capped,
    read_capped,
    too_large,
)
from memories_client.catalog import family_of, resolve_model
from memories_client.dialects import Dialect, dialect_for
from memories_client.errors import (
    APITimeoutError,
    MalformedResponseError,
    MemoriesAPIError,
    MemoriesError,
    MemoriesInputError,
    StreamInterruptedError,
)
from memories_client.options import ClientOptions
from memories_client.streaming import SSEDecoder, StreamAssembler, completion_to_chunks
from memories_client.types import ChatRequest, Completion, StreamChunk

__all__ = ["AsyncMemoriesClient", "MemoriesClient"]

logger = logging.getLogger("memories_client")
_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=30)


@dataclass(frozen=True, slots=True)
class _Prepared:
    url: str
    # Holds the Authorization header: kept out of repr, which error trackers record as a
    # frame local on every error path.
    headers: dict[str, str] = field(repr=False)
    content: bytes | SplicedBody
    dialect: Dialect
    stream: bool


def _is_plain_json(response: httpx.Response) -> bool:
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
            )
        self.options = options
        """The settings this client was built from (see :class:`ClientOptions`)."""
        self._api_key = resolve_api_key(options.api_key)
        self.max_response_bytes = options.max_response_bytes
        self.base_url = resolve_base_url(options.base_url)
        self.timeout = options.timeout
        # The read timeout doubles as the wall-clock deadline of an attempt (see _deadline).
        self._attempt_seconds = self.timeout.read
        # A deadline for the whole call: every attempt, the waits between them, and a stream to
        # its last event. None: bounded by timeout and max_retries only.
        self.total_timeout = options.total_timeout
        assert options.retry_policy is not None  # ClientOptions always sets one
        self.retry_policy = options.retry_policy
        self.default_headers = dict(options.default_headers)
        self.paths = dict(options.paths)
        self.auth_scheme: AuthScheme = options.auth_scheme
        self._dialects = dict(options.dialects)
        # Headers are built once per client; only Accept differs between stream and not.
        self._headers = build_headers(
            self._api_key, self.auth_scheme, self.default_headers, stream=False
        )
        self._stream_headers = {**self._headers, "Accept": "text/event-stream"}

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
        family = family_of(resolve_model(model))
        if family is not None and family in self._dialects:
            return self._dialects[family]
        return dialect_for(model)

    def prepare(self, request: ChatRequest, *, stream: bool = False) -> _Prepared:
        """Validate and encode a request; raises :class:`MemoriesInputError` before any I/O."""
        if not isinstance(request, ChatRequest):
            raise MemoriesInputError(f"expected a ChatRequest, got {type(request).__name__}")
        dialect = self.dialect(request.model)
        dialect.validate(request)
        url = self.base_url + self.paths[dialect.endpoint(request)]
        slim, inline = with_placeholders(request)
        content = encode_body(dialect.build_body(slim, stream=stream), inline)
        headers = self._stream_headers if stream else self._headers
        return _Prepared(url, headers, content, dialect, stream)

    def _request(
        self, prepared: _Prepared, client: httpx.Client | httpx.AsyncClient
    ) -> httpx.Request:
        content = prepared.content
        if isinstance(content, bytes):
            return client.build_request(
                "POST",
                prepared.url,
                content=content,
                headers=prepared.headers,
                timeout=self.timeout,
            )
        # Large inline media: stream the spliced body instead of building it in memory. The
        # request is rebuilt around the stream (keeping the client's merged URL, headers and
        # timeout) because an empty built request caches b"" as its content.
        base = client.build_request(
            "POST", prepared.url, headers=prepared.headers, timeout=self.timeout
        )
        headers = base.headers.copy()
        headers["Content-Length"] = str(content.length)
        return httpx.Request(
            "POST", base.url, headers=headers, stream=content, extensions=base.extensions
        )

    @staticmethod
    def _parse(
        prepared: _Prepared, response: httpx.Response, content: bytes | bytearray
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
        return prepared.dialect.parse_completion(body, request_id=request_id)

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
        content, over = capped
        if over:
            raise too_large(
                self.max_response_bytes,
                status=response.status_code,
                request_id=response.headers.get("x-request-id"),
            )
        return content

    @staticmethod
    def _log_success(prepared: _Prepared, status: int, started: float) -> None:
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


class MemoriesClient(_BaseClient):
    """Synchronous client for the memories.ai chat-completions API.

    Args:
        api_key: the key; defaults to ``MEMORIES_API_KEY``. Sent raw in ``Authorization``.
        base_url: defaults to ``MEMORIES_BASE_URL``, else
            ``https://mavi-backend.memories.ai/serve/api/v2``.
        timeout: seconds (or an ``httpx.Timeout``) per attempt; default 120 s read, 10 s connect.
        max_retries: retries after the first attempt for 429, 5xx, timeouts and dropped
            connections (0 = one attempt).
        default_headers: extra headers on every request.
        paths: endpoint paths, e.g. ``{"iu": "/ilm/chat/completions"}``.
        auth_scheme: ``"raw"`` (documented) or ``"bearer"``.
        dialects: per-family dialect instances, e.g. ``{"nova": NovaDialect(inline_format="raw")}``.
        http_client: an ``httpx.Client`` to use (not closed by us); by default one pooled client
            is created on first use and reused for every call.

    Example:
        >>> from memories_client import MemoriesClient, ChatRequest, Message, media_from_url
        >>> from memories_client.emulator import Emulator
        >>> with Emulator() as emu:
        ...     client = MemoriesClient(api_key="k", base_url=emu.base_url)
        ...     video = media_from_url("https://storage.googleapis.com/b/clip.mp4")
        ...     c = client.chat(ChatRequest(model="gemini:gemini-2.5-flash",
        ...                                 messages=[Message.user("What happens?", video)]))
        ...     client.close()
        >>> "1 video" in c.text
        True
    """

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        http_client: httpx.Client | None = None,
        **settings: Any,
    ) -> None:
        super().__init__(api_key, **settings)
        self._owned = http_client is None
        self._http_client = http_client
        self._pid = os.getpid()
        self._lock = threading.Lock()

    @property
    def http_client(self) -> httpx.Client:
        """The pooled ``httpx.Client`` (created on first use, and again in a forked child)."""
        if self._owned and self._pid != os.getpid():
            self._forget_parent_pool()
        client = self._http_client
        if client is None:
            with self._lock:
                client = self._http_client
                if client is None:
                    client = self._http_client = httpx.Client(limits=_LIMITS)
                    install(client)
        return client

    def _forget_parent_pool(self) -> None:
        # After fork() the child holds copies of the parent's pooled sockets: using one would
        # interleave both processes' bytes and swap their answers (gunicorn --preload, Celery
        # prefork, multiprocessing). The child starts a pool of its own. The parent's client is
        # dropped, not closed: closing could send a TLS close_notify on the parent's connection.
        # The lock is replaced too, in case another thread held it at the moment of the fork.
        self._http_client = None
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def close(self) -> None:
        """Close the connection pool (only if this client created it)."""
        if self._owned and self._http_client is not None:
            self._http_client.close()
            self._http_client = None

    def release(self) -> None:
        """Close the pool once nothing uses this client any more, instead of now.

        For a caller that replaces this client (its settings changed) while another thread may
        still be reading a stream from it: the running call keeps the client alive, and the
        pool closes when the last reference goes.

        Example:
            >>> client = MemoriesClient(api_key="k")
            >>> pool = client.http_client
            >>> client.release(); del client
            >>> pool.is_closed
            True
        """
        if self._owned and self._http_client is not None:
            weakref.finalize(self, self._http_client.close)

    def __enter__(self) -> MemoriesClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(
        self, prepared: _Prepared, call_deadline: float | None
    ) -> tuple[httpx.Response, bytes | bytearray | None]:
        """POST with retries. Returns the response and, unless streaming, its body."""
        attempt = 0
        while True:
            outcome = self._attempt(prepared, call_deadline)
            if not isinstance(outcome, MemoriesError):
                return outcome
            time.sleep(self._retry_delay(attempt, outcome, call_deadline))
            attempt += 1

    def _attempt(
        self, prepared: _Prepared, call_deadline: float | None
    ) -> tuple[httpx.Response, bytes | bytearray | None] | MemoriesError:
        """One attempt under the attempt's deadline: the answer, or the error to judge."""
        started = time.perf_counter()
        at = self._attempt_deadline(call_deadline)
        response: httpx.Response | None = None
        try:
            with deadline(at):
                # Always streamed, so that no body is read past its limit (see _limits).
                response = self.http_client.send(
                    self._request(prepared, self.http_client), stream=True
                )
                if response.status_code < 300:
                    self._log_success(prepared, response.status_code, started)
                    if prepared.stream:
                        return response, None
                    try:
                        body = until(response.iter_bytes(), at)
                        capped = read_capped(body, self.max_response_bytes)
                    finally:
                        response.close()
                    return response, self._whole_answer(response, capped)
                try:  # the error page is read up to a small cap; the rest never is
                    content, _ = read_capped(until(response.iter_bytes(), at), ERROR_BODY_LIMIT)
                finally:
                    response.close()
            return error_from_response(response.status_code, response.headers, content)
        except httpx.HTTPError as exc:
            if response is not None:
                response.close()
            return transport_error(exc, prepared.url)

    def chat(self, request: ChatRequest | None = None, /, **fields: Any) -> Completion:
        """Send one request and return the parsed answer.

        Pass a :class:`ChatRequest`, or its fields as keywords (``model=..., messages=[...]``).

        Raises:
            MemoriesInputError: before any network call, for anything the API would refuse.
            MemoriesAPIError: subclasses for every failure the service reports.
            APITimeoutError, APIConnectionError: after all retries.
        """
        request = self._as_request(request, fields)
        prepared = self.prepare(request)
        response, content = self._send(prepared, self._call_deadline())
        assert content is not None
        return self._parse(prepared, response, content)

    def stream(self, request: ChatRequest | None = None, /, **fields: Any) -> Iterator[StreamChunk]:
        """Stream an answer: text deltas, then one final chunk with usage and finish reason.

        Retries happen only before the first byte of the answer; a stream cut short raises
        :class:`StreamInterruptedError` (never a silently short answer).
        """
        request = self._as_request(request, fields)
        prepared = self.prepare(request, stream=True)
        call_deadline = self._call_deadline()
        response, _ = self._send(prepared, call_deadline)
        request_id = response.headers.get("x-request-id")
        try:
            if _is_plain_json(response):
                # A plain answer to a stream request: the whole body within one timeout.
                body = EventClock(self._attempt_seconds, total_at=call_deadline).chunks(
                    response.iter_bytes()
                )
                try:
                    capped = read_capped(body, self.max_response_bytes)
                except httpx.HTTPError as exc:
                    raise transport_error(exc, prepared.url) from exc
                content = self._whole_answer(response, capped)
                yield from completion_to_chunks(self._parse(prepared, response, content))
                return
            decoder, assembler = SSEDecoder(), StreamAssembler(request_id=request_id)
            try:
                clock = EventClock(self._attempt_seconds, total_at=call_deadline)
                for line in _lines(clock.chunks(response.iter_bytes())):
                    for event in decoder.feed_line(line):
                        clock.event()
                        yield from assembler.add_event(event)
                    if assembler.ended:
                        break
                else:
                    for event in decoder.flush():
                        yield from assembler.add_event(event)
            except httpx.HTTPError as exc:
                # After the service marked the answer finished (a finish_reason), a server that
                # then idles or hangs up without [DONE] has still given the whole answer.
                if not assembler.complete:
                    raise _interrupted(exc, assembler) from exc
            yield assembler.finish()
        finally:
            response.close()


class AsyncMemoriesClient(_BaseClient):
    """Asynchronous client; the same settings as :class:`MemoriesClient`.

    Args:
        http_client: an ``httpx.AsyncClient`` to use (not closed by us).

    Example:
        >>> import asyncio
        >>> from memories_client import AsyncMemoriesClient, ChatRequest, Message
        >>> from memories_client.emulator import Emulator
        >>> async def main(url):
        ...     async with AsyncMemoriesClient(api_key="k", base_url=url) as client:
        ...         req = ChatRequest(model="nova:us.amazon.nova-lite-v1:0",
        ...                           messages=[Message.user("hi")])
        ...         return "".join([c.text async for c in client.stream(req)])
        >>> with Emulator() as emu:
        ...     text = asyncio.run(main(emu.base_url))
        >>> text.startswith("Emulated answer")
        True
    """

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        **settings: Any,
    ) -> None:
        super().__init__(api_key, **settings)
        self._owned = http_client is None
        self._given = http_client
        # One pool per running event loop: an httpx.AsyncClient belongs to the loop it first
        # ran on, and a second asyncio.run() (scripts, notebooks, worker threads) must not
        # reuse the first loop's sockets ("Event loop is closed"). A pool goes with its loop.
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
        self._pools = weakref.WeakKeyDictionary()
        self._pid = os.getpid()

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The pooled ``httpx.AsyncClient`` of the running event loop (created on first use).

        A caller-supplied client is returned as given, whatever the loop. Outside a running
        loop this is a fresh, unused client with the same configuration (nothing to bind to).
        """
        if self._given is not None:
            return self._given
        if self._pid != os.getpid():
            # As for the sync client: never share pooled sockets with the parent process.
            self._pools = weakref.WeakKeyDictionary()
            self._pid = os.getpid()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # looked at outside a coroutine: no loop to bind to, just show one
            return httpx.AsyncClient(limits=_LIMITS)
        client = self._pools.get(loop)
        if client is None:
            client = self._pools[loop] = httpx.AsyncClient(limits=_LIMITS)
        return client

    async def aclose(self) -> None:
        """Close the running event loop's connection pool (only if this client created it).

        Pools of loops that have ended went with their loops.

        Example:
            >>> import asyncio
            >>> asyncio.run(AsyncMemoriesClient(api_key="k").aclose())
        """
        if self._owned:
            client = self._pools.pop(asyncio.get_running_loop(), None)
            if client is not None:
                await client.aclose()

    async def __aenter__(self) -> AsyncMemoriesClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _send(
        self, prepared: _Prepared, call_deadline: float | None
    ) -> tuple[httpx.Response, bytes | bytearray | None]:
        attempt = 0
        while True:
            outcome = await self._attempt(prepared, call_deadline)
            if not isinstance(outcome, MemoriesError):
                return outcome
            await asyncio.sleep(self._retry_delay(attempt, outcome, call_deadline))
            attempt += 1

    async def _attempt(
        self, prepared: _Prepared, call_deadline: float | None
    ) -> tuple[httpx.Response, bytes | bytearray | None] | MemoriesError:
        """One attempt, cancelled at the attempt's deadline (see _deadline)."""
        at = self._attempt_deadline(call_deadline)
        seconds = None if at is None else max(0.0, at - time.monotonic())
        try:
            return await asyncio.wait_for(self._attempt_unbounded(prepared), seconds)
        except asyncio.TimeoutError:
            return transport_error(httpx.ReadTimeout("the request's deadline passed"), prepared.url)

    async def _attempt_unbounded(
        self, prepared: _Prepared
    ) -> tuple[httpx.Response, bytes | bytearray | None] | MemoriesError:
        started = time.perf_counter()
        response: httpx.Response | None = None
        try:
            response = await self.http_client.send(
                self._request(prepared, self.http_client), stream=True
            )
            if response.status_code < 300:
                self._log_success(prepared, response.status_code, started)
                if prepared.stream:
                    return response, None
                try:
                    capped = await aread_capped(response.aiter_bytes(), self.max_response_bytes)
                finally:
                    await response.aclose()
                return response, self._whole_answer(response, capped)
            try:
                content, _ = await aread_capped(response.aiter_bytes(), ERROR_BODY_LIMIT)
            finally:
                await response.aclose()
            return error_from_response(response.status_code, response.headers, content)
        except httpx.HTTPError as exc:
            if response is not None:
                await response.aclose()
            return transport_error(exc, prepared.url)

    async def chat(self, request: ChatRequest | None = None, /, **fields: Any) -> Completion:
        """Send one request and return the parsed answer (see :meth:`MemoriesClient.chat`)."""
        request = self._as_request(request, fields)
        prepared = self.prepare(request)
        response, content = await self._send(prepared, self._call_deadline())
        assert content is not None
        return self._parse(prepared, response, content)

    async def stream(
        self, request: ChatRequest | None = None, /, **fields: Any
    ) -> AsyncIterator[StreamChunk]:
        """Stream an answer (see :meth:`MemoriesClient.stream`).

        Closing the iterator early (``break``, cancellation) closes the connection.
        """
        request = self._as_request(request, fields)
        prepared = self.prepare(request, stream=True)
        call_deadline = self._call_deadline()
        response, _ = await self._send(prepared, call_deadline)
        request_id = response.headers.get("x-request-id")
        try:
            if _is_plain_json(response):
                body = EventClock(self._attempt_seconds, total_at=call_deadline).achunks(
                    response.aiter_bytes()
                )
                try:
                    capped = await aread_capped(body, self.max_response_bytes)
                except httpx.HTTPError as exc:
                    raise transport_error(exc, prepared.url) from exc
                completion = self._parse(prepared, response, self._whole_answer(response, capped))
                for chunk in completion_to_chunks(completion):
                    yield chunk
                return
            decoder, assembler = SSEDecoder(), StreamAssembler(request_id=request_id)
            try:
                ended = False
                clock = EventClock(self._attempt_seconds, total_at=call_deadline)
                async for line in _alines(clock.achunks(response.aiter_bytes())):
                    for event in decoder.feed_line(line):
                        clock.event()
                        for chunk in assembler.add_event(event):
                            yield chunk
                    if assembler.ended:
                        ended = True
                        break
                if not ended:
                    for event in decoder.flush():
                        for chunk in assembler.add_event(event):
                            yield chunk
            except httpx.HTTPError as exc:
                # After the service marked the answer finished (a finish_reason), a server that
                # then idles or hangs up without [DONE] has still given the whole answer.
                if not assembler.complete:
                    raise _interrupted(exc, assembler) from exc
            yield assembler.finish()
        finally:
            await response.aclose()


def _lines(chunks: Iterator[bytes]) -> Iterator[str]:
    # httpx's iter_lines buffers a line without end; this reader refuses one past the cap.
    reader = LineReader()
    for chunk in chunks:
        yield from reader.feed(chunk)
    yield from reader.flush()


async def _alines(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    reader = LineReader()
    async for chunk in chunks:
        for line in reader.feed(chunk):
            yield line
    for line in reader.flush():
        yield line


def _interrupted(exc: httpx.HTTPError, assembler: StreamAssembler) -> MemoriesError:
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
