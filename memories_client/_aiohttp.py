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
    ...     return client.is_closed
    >>> asyncio.run(demo())
    True
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport as _UpstreamTransport

from memories_client._transport import proxy_mounts
from memories_client.errors import MemoriesInputError

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


def _mapped(exc: Exception) -> Exception:
    mapped = as_httpx_error(exc)
    return exc if mapped is None else mapped


def _arrived(content: aiohttp.StreamReader) -> bytes:
    """The bytes aiohttp holds for a body that failed: they arrived before the failure.

    aiohttp's reads raise a failure (a connection dropped mid-body) before handing over the
    bytes that came with it, so a stream's last events would be lost from ``partial_text``.
    Reads its private buffer; if that is shaped otherwise, nothing (the failure still raises).
    """
    buffer, offset = getattr(content, "_buffer", None), getattr(content, "_buffer_offset", 0)
    if not isinstance(buffer, deque) or not isinstance(offset, int) or not buffer:
        return b""
    data = b"".join(buffer)[offset:]
    buffer.clear()
    return data


class _Body(httpx.AsyncByteStream):
    """A response body read as it arrives, failures mapped as :func:`as_httpx_error` says."""

    __slots__ = ("_response", "_upstream")

    def __init__(self, upstream: httpx.AsyncByteStream, response: aiohttp.ClientResponse) -> None:
        self._upstream, self._response = upstream, response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        content = self._response.content
        try:
            while chunk := await content.readany():
                yield chunk
        except Exception as exc:
            rest = _arrived(content)
            if rest:
                yield rest
            raise _mapped(exc) from exc

    async def aclose(self) -> None:
        try:
            await self._upstream.aclose()
        except Exception as exc:
            raise _mapped(exc) from exc


class AiohttpTransport(_UpstreamTransport):
    """httpx-aiohttp's transport, with failures reported as what they were."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the aiohttp session (created on first use)."""
        try:
            response = await super().handle_async_request(request)
        except Exception as exc:
            raise _mapped(exc) from exc
        upstream = response.stream
        # httpx-aiohttp's body stream keeps the aiohttp response; read it directly (above).
        source = getattr(upstream, "_aiohttp_response", None)
        if isinstance(upstream, httpx.AsyncByteStream) and isinstance(
            source, aiohttp.ClientResponse
        ):
            response.stream = _Body(upstream, source)
        return response


def _proxy_transport(limits: httpx.Limits) -> Callable[[httpx.Proxy], AiohttpTransport]:
    def transport(proxy: httpx.Proxy) -> AiohttpTransport:
        if proxy.url.scheme not in ("http", "https"):
            raise MemoriesInputError(
                f"async_transport='aiohttp' sends through HTTP proxies only, and the "
                f"environment names a {proxy.url.scheme} proxy (ALL_PROXY...): use "
                "async_transport='httpx' (with socksio installed) for it"
            )
        return AiohttpTransport(proxy=proxy, limits=limits)

    return transport


def aiohttp_client(limits: httpx.Limits) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` that sends through aiohttp with ``limits`` connections.

    Proxies from the environment (``HTTPS_PROXY``...) are mounted as httpx would mount them:
    a client given its own transport does not read them.
    """
    return httpx.AsyncClient(
        transport=AiohttpTransport(limits=limits),
        mounts=proxy_mounts(_proxy_transport(limits)),
    )
