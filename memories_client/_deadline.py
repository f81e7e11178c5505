"""Wall-clock deadlines on top of httpx's per-read timeouts.

httpx's ``timeout`` bounds each socket read, not a request: a server that sends its headers or
body one byte every 0.3 s, or an SSE comment every 0.3 s, never trips a 1 s timeout and holds
the call for as long as it likes. The clients therefore treat ``timeout`` (its ``read`` part)
as a deadline:

* **per attempt**, from sending the request to the last byte of a plain answer, or to the
  response headers of a stream;
* **between events** of a stream: the time spent *waiting* for the next ``data:`` event
  (comments and keep-alives do not count as events; time the caller spends on a chunk is not
  waiting) may not exceed it.

How it is enforced. Async: ``asyncio.wait_for`` around the attempt, and the waiting time
between a stream's chunks. Sync: the connection pools of the client this package creates
(:func:`deadline_client`) are built with a network backend whose reads, writes and connects
are given at most the time left, so even a single slow read is cut at the deadline; the time
left comes from a context variable set around the attempt (:func:`deadline`). Only public
constructors are used: the pool is ``httpcore.ConnectionPool(network_backend=...)`` (or its
``HTTPProxy``/``SOCKSProxy`` kin), and :mod:`memories_client._transport` wraps it in an
``httpx.BaseTransport``. With an ``http_client`` of your own the deadline is checked between
the chunks that arrive, which still ends a slow-byte body or a keep-alive stream, but not a
slow header phase: set your client's own timeouts for that.

A passed deadline raises ``httpx.ReadTimeout`` (httpcore's, mapped by the transport), which the
clients turn into :class:`~memories_client.APITimeoutError`, retried like any timeout.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from memories_client._transport import PoolTransport, connection_pool, proxy_mounts

__all__ = ["EventClock", "deadline", "deadline_client", "until"]

_DEADLINE: ContextVar[float | None] = ContextVar("memories_client_deadline", default=None)


class deadline:  # noqa: N801 - used as a function: ``with deadline(at):``
    """Bound every network operation of this thread or task by ``at`` (``time.monotonic()``).

    Set and restored by value, not by token, so that a generator that sets it between its
    caller's ``next()`` calls never trips over a token of another context. A class rather than
    a ``@contextmanager`` generator: it is entered on every attempt and every streamed chunk,
    and a generator-based context costs about four times as much.

    Example:
        >>> with deadline(None):
        ...     pass
    """

    __slots__ = ("_at", "_previous")

    def __init__(self, at: float | None) -> None:
        self._at = at
        self._previous: float | None = None

    def __enter__(self) -> None:
        self._previous = _DEADLINE.get()
        _DEADLINE.set(self._at)

    def __exit__(self, *exc_info: object) -> None:
        _DEADLINE.set(self._previous)


def _bounded(timeout: float | None) -> float | None:
    at = _DEADLINE.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _bounded(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._inner.connect_unix_socket(path, _bounded(timeout), socket_options)
        )

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def deadline_client(limits: httpx.Limits) -> httpx.Client:
    """The ``httpx.Client`` the sync client creates: every connection keeps the deadline.

    Built with public constructors only: an httpcore pool given the deadline network backend,
    sent through by a :class:`~memories_client._transport.PoolTransport`; one such pool per
    proxy the environment names (``HTTPS_PROXY``..., mounted as httpx would, ``NO_PROXY`` hosts
    direct), so a proxied connection keeps the deadline too.

    Example:
        >>> with deadline_client(httpx.Limits(max_connections=4)) as client:
        ...     client.trust_env
        True
    """
    ssl_context = httpx.create_ssl_context()  # one for every pool: loading the CAs takes ~20 ms

    def transport(proxy: httpx.Proxy | None) -> PoolTransport:
        backend = _DeadlineBackend(httpcore.SyncBackend())
        return PoolTransport(
            connection_pool(proxy, limits=limits, ssl_context=ssl_context, network_backend=backend),
            stand_in=lambda: httpx.HTTPTransport(verify=ssl_context, limits=limits, proxy=proxy),
        )

    return httpx.Client(transport=transport(None), mounts=proxy_mounts(transport))


def until(chunks: Iterable[bytes], at: float | None) -> Iterator[bytes]:
    """``chunks``, raising ``httpx.ReadTimeout`` once a chunk arrives after ``at``."""
    for chunk in chunks:
        if at is not None and time.monotonic() > at:
            raise httpx.ReadTimeout("the request's deadline passed")
        yield chunk


class EventClock:
    """The between-events deadline of a stream: waiting time since the last event.

    Example:
        >>> clock = EventClock(limit=None)
        >>> list(clock.chunks([b"a", b"b"]))
        [b'a', b'b']
    """

    __slots__ = ("limit", "total_at", "waited")

    def __init__(self, limit: float | None, *, total_at: float | None = None) -> None:
        self.limit = limit
        self.total_at = total_at  # the call's total deadline (time.monotonic()), if any
        self.waited = 0.0

    def event(self) -> None:
        """An event arrived: the next one has ``limit`` seconds of waiting again."""
        self.waited = 0.0

    def _left(self) -> float | None:
        left = None
        if self.limit is not None:
            left = self.limit - self.waited
            if left <= 0:
                raise httpx.ReadTimeout(f"no streamed event arrived within {self.limit:g} s")
        if self.total_at is not None:
            total_left = self.total_at - time.monotonic()
            if total_left <= 0:
                raise httpx.ReadTimeout("the call's total_timeout passed during the stream")
            left = total_left if left is None else min(left, total_left)
        return left

    def chunks(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """``chunks``, each read bounded by the waiting time left."""
        iterator = iter(chunks)
        while True:
            left = self._left()
            started = time.monotonic()
            try:
                with deadline(None if left is None else started + left):
                    chunk = next(iterator, None)
            except httpx.TimeoutException:
                self.waited += time.monotonic() - started
                self._left()  # say which deadline it was, if it was the call's or the event's
                raise
            self.waited += time.monotonic() - started
            if chunk is None:
                return
            self._left()
            yield chunk

    async def achunks(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """:meth:`chunks` for an async byte stream.

        Checked between chunks only: a single read is still bounded by httpx's own read
        timeout (the same number), and a chunk that arrives late, or a trickle of comments,
        ends the stream here. No ``wait_for`` per chunk: cancelling the consumer's task must
        stay a plain cancellation.
        """
        while True:
            self._left()
            started = time.monotonic()
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except httpx.TimeoutException:
                self.waited += time.monotonic() - started
                self._left()
                raise
            self.waited += time.monotonic() - started
            self._left()
            yield chunk
