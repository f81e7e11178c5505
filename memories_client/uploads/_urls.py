"""Server-sent URLs and ids an uploader is about to use: checked by parsing, never by connecting.

The upload service answers with a ``signed_url`` the user's video is POSTed to, and an
``asset_id`` that goes into the status URL. Both are untrusted. A signed URL must be ``https``
or on the configured base URL's own origin (the emulator, a local S3 server), and never point
at a place only this machine can reach: a loopback, private, link-local (``169.254.x``, cloud
metadata), shared or reserved address, or a metadata or local host name
(``metadata.google.internal``, ``*.internal``, ``*.local``, ``localhost``). Numeric host forms
(``2852039166``, ``0xA9FEA9FE``, ``169.254.43518``) are read as the address they stand for.
A name that *resolves* to a private address cannot be told apart without a DNS lookup, which
this check does not make.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import quote

import httpx

from memories_client.uploads.base import UploadError

__all__ = ["check_asset_id", "check_signed_url", "private_reason", "quoted_id"]

_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_METADATA_NAMES = frozenset(
    {"localhost", "metadata", "metadata.goog", "metadata.google.internal", "instance-data"}
)
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".localdomain")
_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_ID = 256


def _refused(what: str, shown: str) -> UploadError:
    return UploadError(f"the upload service sent {what}: {shown[:120]!r}; it was not used")


def check_asset_id(asset_id: object) -> str:
    r"""The asset id, if it is one a URL path can carry; else :class:`UploadError`.

    Example:
        >>> check_asset_id("re_660727003963174912")
        're_660727003963174912'
        >>> check_asset_id("re_1\r\nX-Evil: 1")
        Traceback (most recent call last):
        ...
        memories_client.uploads.base.UploadError: the upload service sent an asset_id with ...
    """
    if not isinstance(asset_id, str) or not asset_id:
        raise UploadError("the signed-URL answer has no asset_id")
    if len(asset_id) > MAX_ID:
        raise _refused(f"an asset_id longer than {MAX_ID} characters", asset_id)
    if _CONTROL.search(asset_id):
        raise _refused("an asset_id with control characters or spaces", asset_id)
    if asset_id in (".", ".."):
        raise _refused("an asset_id that is a path step", asset_id)
    return asset_id


def quoted_id(asset_id: str) -> str:
    """``asset_id`` quoted for one path segment (``/``, ``?``, ``#`` and ``%`` escaped).

    Example:
        >>> quoted_id("re_1/../x?y")
        're_1%2F..%2Fx%3Fy'
    """
    return quote(asset_id, safe="")


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host.lower(), url.port or _DEFAULT_PORTS.get(url.scheme)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host):
        # What the resolver would make of "2852039166", "0xa9.0xfe.0xa9.0xfe" or "169.254.43518":
        # inet_aton reads every numeric form getaddrinfo accepts, without any lookup.
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def private_reason(host: str) -> str | None:
    """Why ``host`` is only reachable from inside (a private address...), or None.

    Example:
        >>> private_reason("169.254.169.254"), private_reason("storage.googleapis.com")
        ('a link-local address', None)
    """
    name = host.lower().rstrip(".")
    if name in _METADATA_NAMES or name.endswith(_LOCAL_SUFFIXES):
        return "a local or cloud-metadata host name"
    ip = _ip(name.strip("[]"))
    if ip is None:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_private or not ip.is_global or ip.is_multicast:
        return "a private or reserved address"
    return None


def check_signed_url(url: object, *, base_url: str, trust: bool) -> str:
    """The signed upload URL, if it is safe to send the user's file to; else :class:`UploadError`.

    Args:
        url: the server's ``signed_url``.
        base_url: the uploader's configured base URL: its own origin is always allowed.
        trust: the uploader's ``trust_signed_urls`` (skip the https and address checks).

    Example:
        >>> base = "https://mavi-backend.memories.ai/serve/api/v2"
        >>> check_signed_url("https://storage.googleapis.com/b/re_1?sig=x", base_url=base,
        ...                  trust=False)
        'https://storage.googleapis.com/b/re_1?sig=x'
        >>> check_signed_url("http://169.254.169.254/latest", base_url=base, trust=False)
        Traceback (most recent call last):
        ...
        memories_client.uploads.base.UploadError: the upload service sent a signed URL that is \
plain http to another host: 'http://169.254.169.254/latest'; it was not used (your file was \
not sent). If this is your own deployment, pass trust_signed_urls=True
    """
    if not isinstance(url, str) or not url:
        raise UploadError("the signed-URL answer has no signed_url")
    if _CONTROL.search(url) or len(url) > 16_384:
        raise _refused("a signed URL with control characters or spaces", url)
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise _refused("a signed URL that does not parse", url) from None
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.host:
        raise _refused("a signed URL that is not http(s)", url)
    if parsed.userinfo:
        raise UploadError("the upload service sent a signed URL with credentials in it (user@)")
    if trust or _origin(parsed) == _origin(httpx.URL(base_url)):
        return url
    reason = "plain http to another host" if parsed.scheme != "https" else None
    reason = reason or private_reason(parsed.host)
    if reason is not None:
        raise UploadError(
            f"the upload service sent a signed URL that is {reason}: {url[:120]!r}; it was not "
            "used (your file was not sent). If this is your own deployment, pass "
            "trust_signed_urls=True"
        )
    return url
