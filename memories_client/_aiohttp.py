"""``async_transport="aiohttp"``: httpx's interface over aiohttp's connections (the extra).

httpx-aiohttp's transport lets an ``httpx.AsyncClient`` send through an ``aiohttp`` session,
whose connection pool and HTTP parser cost several times less per request than httpcore's
(benchmarks/RESULTS.md, "Batches"). Everything above the transport is unchanged: the same
request building, deadlines, byte caps, retries and typed errors.

Two things are set right here rather than taken as httpx-aiohttp 0.2.0 has them:

* **What failed.** Its exception map turns every ``aiohttp.ClientConnectionError`` into
  ``httpx.ConnectTimeout``: a refused connection, a reset and a server that hung up all read
  as timeouts, and aiohttp errors it does not list (a malformed response) escape as aiohttp's
  own. :func:`as_httpx_error` maps from the original aiohttp exception, most specific first, so
  the clients report a connection error as one, and a timeout only for a timeout.
* **Raw bytes.** Bodies must reach httpx undecoded (``auto_decompress=False``), so that the
  clients' byte caps apply to what they decode themselves; a test keeps it so.

Example:
    >>> import asyncio
    >>> async def demo():
    ...     client = aiohttp_client(httpx.Limits(max_connections=4))
    ...     await client.aclose()
    ...     return type(client._transport).__name__
    >>> asyncio.run(demo())
    'AiohttpTransport'
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport as _UpstreamTransport
from httpx_aiohttp import HttpxAiohttpClient

__all__ = ["AiohttpTransport", "aiohttp_client", "as_httpx_error"]

# Most specific first: the first entry the exception is an instance of wins.
_ERRORS: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
    (aiohttp.ClientHttpProxyError, httpx.ProxyError),
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientConnectorError, httpx.ConnectError),  # refused, unreachable, DNS, TLS
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),  # a body cut short or malformed
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),  # a malformed status or header
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.ClientOSError, httpx.ReadError),
    (aiohttp.ClientError, httpx.TransportError),
    (asyncio.TimeoutError, httpx.ReadTimeout),
    (OSError, httpx.ReadError),
)


def as_httpx_error(exc: BaseException) -> httpx.TransportError | None:
    """The httpx error for an aiohttp failure (``None`` for anything else, e.g. cancellation).

    httpx-aiohttp raises its own mapping ``from`` the aiohttp exception: that original is what
    is judged.

    Example:
        >>> type(as_httpx_error(aiohttp.ServerDisconnectedError())).__name__
        'RemoteProtocolError'
    """
    if isinstance(exc, httpx.TransportError) and exc.__cause__ is not None:
        exc = exc.__cause__
    for source, target in _ERRORS:
        if isinstance(exc, source):
            return target(f"{type(exc).__name__}: {exc}")
    return None


class _MappedStream(httpx.AsyncByteStream):
    """A response body whose read errors are mapped as :func:`as_httpx_error` says."""

    __slots__ = ("_inner",)

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except Exception as exc:
            mapped = as_httpx_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        except Exception as exc:
            mapped = as_httpx_error(exc)
            if mapped is None:
                raise
            raise mapped from exc


class AiohttpTransport(_UpstreamTransport):
    """httpx-aiohttp's transport, with failures reported as what they were."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the aiohttp session (created on first use)."""
        try:
            response = await super().handle_async_request(request)
        except Exception as exc:
            mapped = as_httpx_error(exc)
            if mapped is None:
                raise
            raise mapped from exc
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        response.stream = _MappedStream(stream)
        return response


class _Client(HttpxAiohttpClient):
    # Proxies from the environment (HTTPS_PROXY...) are mounted by httpx through this hook:
    # give them the corrected transport too.
    def _init_proxy_transport(  # type: ignore[override]
        self, proxy: httpx.Proxy, **kwargs: object
    ) -> httpx.AsyncBaseTransport:
        return AiohttpTransport(proxy=proxy, **kwargs)  # type: ignore[arg-type]


def aiohttp_client(limits: httpx.Limits) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` that sends through aiohttp with ``limits`` connections."""
    return _Client(limits=limits, transport=AiohttpTransport(limits=limits))
