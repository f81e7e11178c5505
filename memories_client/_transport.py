"""httpx transports over httpcore pools built here, and the proxies the environment names.

httpx's ``HTTPTransport`` builds its httpcore pool itself and offers no way to pass the pool a
network backend; the sync client needs one (:mod:`memories_client._deadline`). So the pool is
built here with httpcore's public constructors (``httpcore.ConnectionPool``, ``HTTPProxy`` or
``SOCKSProxy``, each given ``network_backend=``: :func:`connection_pool`) and wrapped in
:class:`PoolTransport`, a public ``httpx.BaseTransport`` that does
what httpx's own transport does around its pool: turn the request into httpcore's, and
httpcore's errors into httpx's of the same name.

Handing httpx a transport (``httpx.Client(transport=...)``) turns off its reading of
``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY``: :func:`proxy_mounts` reads them
as httpx does and gives each proxy a transport through ``mounts=``, so the clients this package
creates keep honouring them (``tests/integration/test_proxies.py``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import ipaddress
import os
import ssl
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar
from urllib.request import getproxies

import httpcore
import httpx

__all__ = [
    "PoolTransport",
    "connection_pool",
    "environment_proxies",
    "httpx_transport_replaced",
    "proxy_mounts",
]

_T = TypeVar("_T")

# httpcore's errors and httpx's of the same name, most specific first: the first entry the
# error is an instance of wins (the pairs httpx's own transport maps).
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for source, target in _ERRORS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _Body(httpx.SyncByteStream):
    """httpcore's response body, its errors raised as httpx's."""

    __slots__ = ("_chunks",)

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors():
            yield from self._chunks

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)  # httpcore's pooled stream has one
        if close is not None:
            close()


_HTTPX_FOLDER = os.path.dirname(httpx.__file__)


def httpx_transport_replaced() -> bool:
    """Whether something replaced ``httpx.HTTPTransport.handle_request`` (vcrpy, while recording).

    Example:
        >>> httpx_transport_replaced()
        False
    """
    code = getattr(httpx.HTTPTransport.handle_request, "__code__", None)
    return code is None or not code.co_filename.startswith(_HTTPX_FOLDER)


class PoolTransport(httpx.BaseTransport):
    """A sync httpx transport that sends through the httpcore pool it is given.

    Tools that record and replay HTTP (vcrpy, pytest-recording) replace the method that sends
    on httpx's own ``HTTPTransport``. While it is replaced, requests go through ``stand_in()``,
    an ``httpx.HTTPTransport`` of the same settings made on first need, so that the tool sees
    them; a request sent that way keeps its deadline only between the chunks that arrive.

    Example:
        >>> transport = PoolTransport(httpcore.ConnectionPool(), stand_in=httpx.HTTPTransport)
        >>> with httpx.Client(transport=transport) as client:
        ...     client.is_closed
        False
    """

    def __init__(
        self, pool: httpcore.ConnectionPool, *, stand_in: Callable[[], httpx.HTTPTransport]
    ) -> None:
        self._httpcore_pool = pool
        self._make_stand_in = stand_in
        self._stand_in: httpx.HTTPTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` on the pool; the body is read as the response is iterated."""
        if httpx_transport_replaced():
            if self._stand_in is None:
                self._stand_in = self._make_stand_in()
            return self._stand_in.handle_request(request)
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            response = self._httpcore_pool.handle_request(core_request)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        """Close the pool's connections (and the stand-in's, if one was made)."""
        self._httpcore_pool.close()
        if self._stand_in is not None:
            self._stand_in.close()


def connection_pool(
    proxy: httpx.Proxy | None,
    *,
    limits: httpx.Limits,
    ssl_context: ssl.SSLContext,
    network_backend: httpcore.NetworkBackend,
) -> httpcore.ConnectionPool:
    """The httpcore pool httpx's own transport would build, with ``network_backend``.

    Direct, or through ``proxy``: forwarding plain HTTP and tunnelling HTTPS (``HTTPProxy``,
    credentials and headers included), or SOCKS (``SOCKSProxy``, which needs ``socksio``).
    The classes httpx 0.28 uses, so every httpcore 1.x it accepts has them.

    Example:
        >>> pool = connection_pool(
        ...     httpx.Proxy("http://user:pw@proxy:3128"), limits=httpx.Limits(),
        ...     ssl_context=httpx.create_ssl_context(), network_backend=httpcore.SyncBackend())
        >>> type(pool).__name__
        'HTTPProxy'
    """
    connections, keepalive = limits.max_connections, limits.max_keepalive_connections
    if proxy is None:
        return httpcore.ConnectionPool(
            ssl_context=ssl_context,
            network_backend=network_backend,
            max_connections=connections,
            max_keepalive_connections=keepalive,
            keepalive_expiry=limits.keepalive_expiry,
        )
    url = proxy.url
    proxy_url = httpcore.URL(
        scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
    )
    if url.scheme in ("http", "https"):
        return httpcore.HTTPProxy(
            proxy_url=proxy_url,
            proxy_auth=proxy.raw_auth,
            proxy_headers=proxy.headers.raw,
            ssl_context=ssl_context,
            proxy_ssl_context=proxy.ssl_context,
            network_backend=network_backend,
            max_connections=connections,
            max_keepalive_connections=keepalive,
            keepalive_expiry=limits.keepalive_expiry,
        )
    # httpcore imports socksio only when it first connects: say it is missing now, as httpx does.
    if importlib.util.find_spec("socksio") is None:
        raise ImportError(
            "Using SOCKS proxy, but the 'socksio' package is not installed. "
            "Make sure to install httpx using `pip install httpx[socks]`."
        )
    return httpcore.SOCKSProxy(  # httpx.Proxy admits only socks5 and socks5h besides
        proxy_url=proxy_url,
        proxy_auth=proxy.raw_auth,
        ssl_context=ssl_context,
        network_backend=network_backend,
        max_connections=connections,
        max_keepalive_connections=keepalive,
        keepalive_expiry=limits.keepalive_expiry,
    )


def _address(hostname: str, version: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    try:
        version(hostname.split("/")[0])
    except ValueError:
        return False
    return True


def environment_proxies() -> dict[str, str | None]:
    """The proxy of each URL pattern, as httpx reads ``*_PROXY`` and ``NO_PROXY`` (None: direct).

    The rules of httpx 0.28's own reading (curl's for ``NO_PROXY``); a test compares the two
    for a set of environments, so a change in httpx does not go unnoticed.

    Example:
        >>> import os
        >>> from unittest import mock
        >>> with mock.patch.dict(os.environ, {"HTTPS_PROXY": "proxy:3128", "NO_PROXY": "localhost"},
        ...                      clear=True):
        ...     environment_proxies()
        {'https://': 'http://proxy:3128', 'all://localhost': None}
    """
    found = getproxies()  # the environment; on Windows and macOS also the system settings
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        url = found.get(scheme)
        if url:
            mounts[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for hostname in (host.strip() for host in found.get("no", "").split(",")):
        if hostname == "*":
            return {}
        if not hostname:
            continue
        if "://" in hostname:
            mounts[hostname] = None
        elif _address(hostname, ipaddress.IPv4Address) or hostname.lower() == "localhost":
            mounts[f"all://{hostname}"] = None
        elif _address(hostname, ipaddress.IPv6Address):
            mounts[f"all://[{hostname}]"] = None
        else:  # "example.com" also covers its subdomains, ".example.com" only them
            mounts[f"all://*{hostname}"] = None
    return mounts


def proxy_mounts(transport: Callable[[httpx.Proxy], _T]) -> dict[str, _T | None]:
    """``mounts=`` for an httpx client given its own transport: one per environment proxy.

    ``transport(proxy)`` makes the transport of one proxy; a pattern mounted to None (a
    ``NO_PROXY`` host) goes through the client's own transport.

    Example:
        >>> import os
        >>> from unittest import mock
        >>> with mock.patch.dict(os.environ, {"HTTP_PROXY": "http://proxy:3128"}, clear=True):
        ...     proxy_mounts(lambda proxy: str(proxy.url))
        {'http://': 'http://proxy:3128'}
    """
    return {
        pattern: None if url is None else transport(httpx.Proxy(url))
        for pattern, url in environment_proxies().items()
    }
