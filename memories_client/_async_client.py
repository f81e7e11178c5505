"""The asynchronous client, :class:`AsyncMemoriesClient` (one connection pool per event loop).

The same request path as :class:`memories_client.MemoriesClient`, on ``httpx.AsyncClient``.
"""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from memories_client._client_base import (
    LIMITS,
    Prepared,
    _BaseClient,
    alines,
    interrupted,
    is_plain_json,
)
from memories_client._deadline import EventClock
from memories_client._http import error_from_response, transport_error
from memories_client._limits import abody_of, aread_error_body, aread_response
from memories_client._options import check_async_transport
from memories_client._pool import Admission, ConnectionSlots, ReleasingStream
from memories_client._streaming import SSEDecoder, StreamAssembler, completion_to_chunks
from memories_client.errors import APITimeoutError, MemoriesError
from memories_client.types import ChatRequest, Completion, StreamChunk

__all__ = ["AsyncMemoriesClient"]


@dataclass(frozen=True, slots=True)
class _LoopPool:
    """The httpx client of one event loop, and its admission (None for a caller's client)."""

    http: httpx.AsyncClient
    admission: Admission | None


class AsyncMemoriesClient(_BaseClient):
    """Asynchronous client; the same settings as :class:`MemoriesClient`.

    Any number of calls may run at once (``asyncio.gather`` over thousands of requests): each
    event loop's pool has 100 connections, and a call beyond those waits for one before it is
    sent, in order. That wait counts against ``total_timeout`` (when set), not ``timeout``,
    which starts when the request is sent. ``async_transport="aiohttp"`` (the ``aiohttp``
    extra) sends through aiohttp instead of httpx's own connections.

    Args:
        http_client: an ``httpx.AsyncClient`` to use (not closed by us). Its own limits apply
            and no call waits for a slot here: bound your concurrency yourself.

    Example:
        >>> import asyncio
        >>> from memories_client import AsyncMemoriesClient, ChatRequest, Message
        >>> from memories_emulator import Emulator
        >>> async def main(url):
        ...     async with AsyncMemoriesClient(api_key="k", base_url=url) as client:
        ...         req = ChatRequest(model="nova:us.amazon.nova-lite-v1:0",
        ...                           messages=[Message.user("hi")])
        ...         return [c async for c in client.stream(req)]
        >>> with Emulator() as emu:
        ...     chunks = asyncio.run(main(emu.base_url))
        >>> chunks[-1].done, chunks[-1].usage.total_tokens > 0
        (True, True)
    """

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        **settings: Any,
    ) -> None:
        super().__init__(api_key, **settings)
        check_async_transport(self.options.async_transport, http_async_client=http_client)
        self._owned = http_client is None
        self._given = None if http_client is None else _LoopPool(http_client, None)
        # One pool per running event loop: an httpx.AsyncClient belongs to the loop it first
        # ran on, and a second asyncio.run() (scripts, notebooks, worker threads) must not
        # reuse the first loop's sockets ("Event loop is closed"). A pool goes with its loop.
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPool]
        self._pools = weakref.WeakKeyDictionary()
        self._parents_pools: list[object] = []
        self._pid = os.getpid()

    def _new_http_client(self) -> httpx.AsyncClient:
        if self.options.async_transport == "aiohttp":
            from memories_client._aiohttp import aiohttp_client

            return aiohttp_client(LIMITS)
        # httpx's default pool costs CPU per request in proportion to the requests queued
        # times the connections open; one-connection pools do not (see _pool).
        assert LIMITS.max_connections is not None
        slots = ConnectionSlots(LIMITS.max_connections, keepalive_expiry=LIMITS.keepalive_expiry)
        # limits: for the proxy transports httpx mounts from HTTPS_PROXY and the like.
        return httpx.AsyncClient(limits=LIMITS, transport=slots)

    def _loop_pool(self) -> _LoopPool:
        if self._given is not None:
            return self._given
        if self._pid != os.getpid():
            # As for the sync client: never share pooled sockets with the parent process. The
            # parent's pools are kept, never closed nor collected: aiohttp closes a collected
            # session's sockets, which unregisters them from the epoll set the child shares
            # with its parent, and the parent's next answer would never be seen.
            self._parents_pools.append(self._pools)
            self._pools = weakref.WeakKeyDictionary()
            self._pid = os.getpid()
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            assert LIMITS.max_connections is not None
            pool = _LoopPool(self._new_http_client(), Admission(LIMITS.max_connections))
            self._pools[loop] = pool
        return pool

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The pooled ``httpx.AsyncClient`` of the running event loop (created on first use).

        A caller-supplied client is returned as given, whatever the loop. Outside a running
        loop this is a fresh, unused client with the same configuration (nothing to bind to).
        """
        try:
            return self._loop_pool().http
        except RuntimeError:  # looked at outside a coroutine: no loop to bind to, just show one
            return self._new_http_client()

    async def aclose(self) -> None:
        """Close the running event loop's connection pool (only if this client created it).

        Pools of loops that have ended went with their loops.

        Example:
            >>> import asyncio
            >>> asyncio.run(AsyncMemoriesClient(api_key="k").aclose())
        """
        if self._owned:
            pool = self._pools.pop(asyncio.get_running_loop(), None)
            if pool is not None:
                await pool.http.aclose()

    async def __aenter__(self) -> AsyncMemoriesClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _send(
        self, prepared: Prepared, call_deadline: float | None
    ) -> tuple[httpx.Response, bytes | bytearray | None]:
        attempt = 0
        while True:
            outcome = await self._attempt(prepared, call_deadline)
            if not isinstance(outcome, MemoriesError):
                return outcome
            await asyncio.sleep(self._retry_delay(attempt, outcome, call_deadline))
            attempt += 1

    async def _attempt(
        self, prepared: Prepared, call_deadline: float | None
    ) -> tuple[httpx.Response, bytes | bytearray | None] | MemoriesError:
        """One attempt: a connection slot, then the request under the attempt's deadline.

        The slot is held until the answer is read, or for a stream until it is closed.
        """
        pool = self._loop_pool()
        admission = pool.admission
        if admission is not None:
            waited = time.monotonic()
            left = None if call_deadline is None else max(0.0, call_deadline - waited)
            if not await admission.acquire(left):
                return self._no_slot(admission, time.monotonic() - waited)
        at = self._attempt_deadline(call_deadline)
        seconds = None if at is None else max(0.0, at - time.monotonic())
        outcome: tuple[httpx.Response, bytes | bytearray | None] | MemoriesError
        try:
            outcome = await asyncio.wait_for(self._attempt_unbounded(prepared, pool.http), seconds)
        except asyncio.TimeoutError:
            outcome = transport_error(
                httpx.ReadTimeout("the request's deadline passed"), prepared.url
            )
        except BaseException:
            if admission is not None:
                admission.release()
            raise
        if admission is not None:
            if prepared.stream and not isinstance(outcome, MemoriesError):
                response = outcome[0]  # still open: its slot goes free when it is closed
                assert isinstance(response.stream, httpx.AsyncByteStream)
                response.stream = ReleasingStream(response.stream, admission.release)
            else:
                admission.release()
        return outcome

    def _no_slot(self, admission: Admission, waited: float) -> MemoriesError:
        return APITimeoutError(
            f"the call waited {waited:.1f} s for one of the {admission.size} connections this "
            f"client opens per event loop, and total_timeout={self.total_timeout:g} s passed "
            "before it could be sent. Raise total_timeout, or send fewer calls at once"
        )

    async def _attempt_unbounded(
        self, prepared: Prepared, http: httpx.AsyncClient
    ) -> tuple[httpx.Response, bytes | bytearray | None] | MemoriesError:
        started = time.perf_counter()
        response: httpx.Response | None = None
        try:
            response = await http.send(self._request(prepared, http), stream=True)
            if response.status_code < 300:
                self._log_success(prepared, response.status_code, started)
                if prepared.stream:
                    return response, None
                try:
                    capped = await aread_response(response, self.max_response_bytes)
                finally:
                    await response.aclose()
                return response, self._whole_answer(response, capped)
            try:
                content = await aread_error_body(response)
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
        return self._checked(request, self._parse(prepared, response, content))

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
            if is_plain_json(response):
                raw = EventClock(self._attempt_seconds, total_at=call_deadline).achunks(
                    response.aiter_raw()
                )
                try:
                    capped = await aread_response(response, self.max_response_bytes, raw)
                except httpx.HTTPError as exc:
                    raise transport_error(exc, prepared.url) from exc
                whole = self._whole_answer(response, capped)
                completion = self._checked(request, self._parse(prepared, response, whole))
                for chunk in completion_to_chunks(completion):
                    yield chunk
                return
            decoder, assembler = SSEDecoder(), StreamAssembler(request_id=request_id)
            try:
                ended = False
                clock = EventClock(self._attempt_seconds, total_at=call_deadline)
                async for line in alines(abody_of(response, clock.achunks(response.aiter_raw()))):
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
                    raise interrupted(exc, assembler) from exc
            yield self._checked_final(request, assembler.finish())
        finally:
            await response.aclose()
