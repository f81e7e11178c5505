"""Connections for many calls in flight: one-connection pools, and a slot per connection.

httpcore's ``AsyncConnectionPool`` rescans its whole connection list for every queued request
each time a request arrives or a response closes (``_assign_requests_to_connections``), and
checks every connection's socket while doing so. With 100 connections and 1,000 calls queued
that is tens of millions of checks: the pool's CPU, not the server, then sets the pace of a
batch (benchmarks/RESULTS.md, "Batches"). Two pieces keep each call's cost independent of how
many others wait:

* :class:`ConnectionSlots` is the default async transport: ``size`` httpx transports of one
  connection each, handed out from a stack of free ones. Each pool's list holds one
  connection, so its scans cost nothing; the stack costs O(1) per request.
* :class:`Admission` holds one slot per connection, per client and event loop: a call waits
  for a free slot *before* it is sent (in a FIFO queue that costs O(1) per call), so neither
  transport ever queues requests of its own and no call meets httpx's ``PoolTimeout``. The
  wait counts against the call's ``total_timeout``, not against ``timeout`` (which starts
  when the request is sent).

Both are private: the clients build them; a caller-supplied ``http_client`` is used as given.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable

import httpx

__all__ = ["Admission", "ConnectionSlots", "ReleasingStream"]


class ReleasingStream(httpx.AsyncByteStream):
    """A response body that calls ``release`` once, when the response is closed."""

    __slots__ = ("_inner", "_release")

    def __init__(self, inner: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._inner = inner
        self._release: Callable[[], None] | None = release

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._inner.__aiter__()

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()


class ConnectionSlots(httpx.AsyncBaseTransport):
    """An async transport of ``size`` one-connection httpx pools, each used by one request.

    A request takes the most recently freed pool (its connection is the likeliest to be still
    open) and gives it back when its response is closed. Pools are made on first need and
    share one SSL context. If every pool is busy (only when more than ``size`` requests are
    sent at once without :class:`Admission`), the request queues in the pool after the
    last one used, as in httpx.

    Example:
        >>> import asyncio
        >>> transport = ConnectionSlots(4)
        >>> asyncio.run(transport.aclose())
    """

    def __init__(self, size: int, *, keepalive_expiry: float | None = 30.0) -> None:
        self._size = size
        self._limits = httpx.Limits(
            max_connections=1, max_keepalive_connections=1, keepalive_expiry=keepalive_expiry
        )
        self._ssl: ssl.SSLContext | None = None
        self._pools: list[httpx.AsyncHTTPTransport] = []
        self._busy: list[int] = []
        self._free: list[int] = []  # a stack: the last freed pool is used first
        self._next = 0

    def _take(self) -> int:
        if self._free:
            index = self._free.pop()
        elif len(self._pools) < self._size:
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context()
            self._pools.append(httpx.AsyncHTTPTransport(verify=self._ssl, limits=self._limits))
            self._busy.append(0)
            index = len(self._pools) - 1
        else:  # over-committed: share a busy pool, round robin
            index = self._next = (self._next + 1) % len(self._pools)
        self._busy[index] += 1
        return index

    def _give_back(self, index: int) -> None:
        self._busy[index] -= 1
        if self._busy[index] == 0:
            self._free.append(index)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` on a pool of its own; the pool is free again once it is closed."""
        index = self._take()
        try:
            response = await self._pools[index].handle_async_request(request)
        except BaseException:
            self._give_back(index)
            raise
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        response.stream = ReleasingStream(stream, lambda: self._give_back(index))
        return response

    async def aclose(self) -> None:
        """Close every pool's connection."""
        pools, self._pools, self._busy, self._free = self._pools, [], [], []
        for pool in pools:
            await pool.aclose()


class Admission:
    """One slot per connection of a client's pool in one event loop; FIFO when all are taken.

    Example:
        >>> import asyncio
        >>> async def demo():
        ...     gate = Admission(2)
        ...     assert await gate.acquire(None)
        ...     gate.release()
        ...     return gate.size
        >>> asyncio.run(demo())
        2
    """

    __slots__ = ("_semaphore", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._semaphore = asyncio.Semaphore(size)

    async def acquire(self, seconds: float | None) -> bool:
        """Take a slot, waiting at most ``seconds`` (None: as long as it takes); False if not."""
        semaphore = self._semaphore
        if not semaphore.locked():
            await semaphore.acquire()  # returns at once, without a task switch
            return True
        if seconds is None:
            await semaphore.acquire()
            return True
        try:
            await asyncio.wait_for(semaphore.acquire(), seconds)
        except asyncio.TimeoutError:
            return False
        return True

    def release(self) -> None:
        """Give a slot back."""
        self._semaphore.release()

    def __repr__(self) -> str:
        return f"Admission(size={self.size})"
