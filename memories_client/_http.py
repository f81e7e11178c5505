"""Transport pieces shared by the sync and async clients: settings, retries, error mapping.

Nothing here does I/O; the clients in :mod:`memories_client._client` do, so the retry policy and
the error mapping are written once.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import os
import random
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from memories_client import _json
from memories_client._decoding import ACCEPT_ENCODING
from memories_client._parsing import error_fields
from memories_client._version import __version__
from memories_client._warnings import warn
from memories_client.errors import (
    APIConnectionError,
    APITimeoutError,
    MemoriesAPIError,
    MemoriesError,
    MemoriesInputError,
    RateLimitError,
    ServerError,
    StreamInterruptedError,
    _cut,
    error_for_status,
)

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_PATHS",
    "DEFAULT_TIMEOUT",
    "EMULATOR_COMMAND",
    "LOOPBACK_PLACEHOLDER_KEY",
    "MAX_TIMEOUT",
    "InsecureBaseURLWarning",
    "RetryPolicy",
    "check_connection_settings",
    "check_default_headers",
    "check_header_value",
    "check_paths",
    "check_seconds",
    "error_from_response",
    "is_retryable",
    "missing_key_message",
    "resolve_api_key",
    "resolve_base_url",
    "resolve_timeout",
]

logger = logging.getLogger("memories_client")

DEFAULT_BASE_URL = "https://mavi-backend.memories.ai/serve/api/v2"
API_KEY_ENV = "MEMORIES_API_KEY"
BASE_URL_ENV = "MEMORIES_BASE_URL"
DEFAULT_PATHS: Mapping[str, str] = {
    # The prose of every docs page names /vu and /iu. The curl samples disagree (/ilm and bare
    # /chat/completions); pass paths={"iu": "/ilm/chat/completions"} to use those.
    "vu": "/vu/chat/completions",
    "iu": "/iu/chat/completions",
}
DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
"""Video answers are slow: public clients of this API use 120 s for chat calls."""
MAX_TIMEOUT = 86_400.0
"""The longest timeout accepted, in seconds: one day.

Far longer than any answer takes (the public clients of this API wait 120 s; an hour-long video
answers in minutes), yet far below where a timeout stops being a number the operating system can
wait for: ``poll()`` takes milliseconds in a C int (about 24.8 days), and ``1e10`` s already
overflows the platform's ``time_t``. Those values would fail only at the first call, with an
``OverflowError``; a larger number here is a typo or a unit mix-up (milliseconds), refused when
the client or model is built. For no limit on one phase, pass ``httpx.Timeout(..., read=None)``.
"""

AuthScheme = Literal["raw", "bearer"]
USER_AGENT = f"memories-integrations/{__version__}"


class InsecureBaseURLWarning(UserWarning):
    """The base URL is plain http:// to a remote host: the key would travel unencrypted."""


LOOPBACK_PLACEHOLDER_KEY = "no-key-loopback"
"""What is sent as the key to a server on this machine (the emulator) when none is set."""

EMULATOR_COMMAND = "python -m memories_emulator"
"""The command that starts the bundled emulator on http://127.0.0.1:8765."""


def missing_key_message() -> str:
    """What a call without a key is told: the variable to set, or how to work offline.

    Example:
        >>> "python -m memories_emulator" in missing_key_message()
        True
    """
    return (
        f"no memories.ai API key: pass api_key=... or set {API_KEY_ENV}=sk-mavi-... "
        f"To work offline instead, start the bundled emulator with `{EMULATOR_COMMAND}` "
        "(the 'emulator' extra) and set "
        f"{BASE_URL_ENV}=http://127.0.0.1:8765: a loopback base URL needs no key"
    )


def resolve_api_key(api_key: str | SecretStr | None, *, base_url: str | None = None) -> SecretStr:
    """The key from the argument or ``MEMORIES_API_KEY``, as a ``SecretStr``.

    Args:
        api_key: The key given, if any.
        base_url: The resolved base URL. A server on this machine (``localhost``, ``127.0.0.1``,
            ``[::1]``: the emulator) needs no key; :data:`LOOPBACK_PLACEHOLDER_KEY` is sent.

    Raises:
        MemoriesInputError: no key anywhere and a remote base URL (the message never contains a
            key, and says how to start the emulator).

    Example:
        >>> resolve_api_key(None, base_url="http://127.0.0.1:8765").get_secret_value()
        'no-key-loopback'
    """
    if isinstance(api_key, SecretStr):
        value = api_key.get_secret_value()
    else:
        value = api_key if api_key is not None else os.environ.get(API_KEY_ENV, "")
    if not isinstance(value, str):
        raise MemoriesInputError("api_key must be a string")
    value = value.strip()
    if not value:
        if base_url is not None and _is_loopback(urlsplit(base_url).hostname or ""):
            # Nothing secret can travel to this machine; the emulator takes any non-empty key.
            return SecretStr(LOOPBACK_PLACEHOLDER_KEY)
        raise MemoriesInputError(missing_key_message())
    check_header_value("api_key", value)
    return SecretStr(value)


def check_connection_settings(
    *,
    api_key: str | SecretStr | None = None,
    base_url: str | None = None,
    default_headers: Mapping[str, str] | None = None,
    paths: Mapping[str, str] | None = None,
) -> None:
    """What a framework model checks when it is built, before any client or request exists.

    The same checks the core client runs, minus the ones that need the key to be there: a model
    may be built before ``MEMORIES_API_KEY`` is set, and a missing key is reported at the first
    call. Nothing is echoed that could be a secret.

    Example:
        >>> check_connection_settings(api_key="sk-ok", base_url="https://api.example.com/v2")
        >>> check_connection_settings(base_url="https://api.example.com/v2?tenant=1")
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: base_url must not have a query or fragment \
(endpoint paths are appended to it), got 'https://api.example.com/v2?tenant=1'
    """
    value = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
    if value is not None:
        check_header_value("api_key", value.strip() if isinstance(value, str) else value)
    if base_url is not None:
        resolve_base_url(base_url, warn_insecure=False)  # the client warns once it is built
    check_default_headers(default_headers)
    check_paths(paths)


def check_header_value(what: str, value: object) -> None:
    """Refuse a header value httpx cannot send as is, without ever echoing it.

    HTTP header values are printable ASCII here: httpx would raise a ``UnicodeEncodeError``
    carrying the whole value (a key with a zero-width space, a BOM or an accent copied along
    with it) and the error would reach logs and tracers. The message gives only the position.

    Example:
        >>> check_header_value("api_key", "sk-abc\u200b")
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: api_key has a character that cannot be sent \
in an HTTP header at position 6 (not printable ASCII: an invisible or accented character \
copied along with it?); the value is not shown
    """
    if not isinstance(value, str):
        raise MemoriesInputError(f"{what} must be a string, got {type(value).__name__}")
    for position, char in enumerate(value):
        if not (" " <= char <= "~" or char == "\t"):
            kind = (
                "a line break"
                if char in "\r\n"
                else (
                    "not printable ASCII: an invisible or accented character copied along with it?"
                )
            )
            raise MemoriesInputError(
                f"{what} has a character that cannot be sent in an HTTP header at position "
                f"{position} ({kind}); the value is not shown"
            )


_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def check_default_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Validated extra headers: RFC 9110 names, printable ASCII values, no ``Authorization``.

    Example:
        >>> check_default_headers({"X-Team": "video"})
        {'X-Team': 'video'}
    """
    checked: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not name or not set(name) <= _TOKEN:
            raise MemoriesInputError(
                f"default_headers has an invalid header name {name!r}: use letters, digits and "
                "-_. only"
            )
        if name.lower() == "authorization":
            raise MemoriesInputError(
                "default_headers must not set Authorization; pass api_key= instead"
            )
        check_header_value(f"default_headers[{name!r}]", value)
        checked[name] = value
    return checked


def check_paths(paths: Mapping[str, str] | None) -> dict[str, str]:
    """Endpoint paths merged over the defaults; each must be an absolute path on the base URL.

    A path with a scheme, host or port (``"//evil.example/vu"``, ``":8443/vu"``), a query or a
    fragment is refused: joined to the base URL it would send the key somewhere else.

    Example:
        >>> check_paths({"iu": "/ilm/chat/completions"})["iu"]
        '/ilm/chat/completions'
    """
    unknown = set(paths or {}) - set(DEFAULT_PATHS)
    if unknown:
        raise MemoriesInputError(f"paths keys must be 'vu' and/or 'iu', got {sorted(unknown)}")
    for key, path in (paths or {}).items():
        if (
            not isinstance(path, str)
            or not path.startswith("/")
            or path.startswith("//")
            or any(c in path for c in "?#\\")
            or any(not (" " < c <= "~") for c in path)
        ):
            raise MemoriesInputError(
                f"paths[{key!r}] must be an absolute path such as '/vu/chat/completions' (no "
                f"scheme, host, port, query or fragment), got {path!r}"
            )
    return {**DEFAULT_PATHS, **(paths or {})}


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_base_url(base_url: str | None, *, warn_insecure: bool = True) -> str:
    """The base URL from the argument, ``MEMORIES_BASE_URL`` or the documented default.

    Warns with :class:`InsecureBaseURLWarning` for plain ``http://`` to a non-loopback host,
    unless ``warn_insecure`` is false (a check of settings: the client warns once it is built).
    """
    url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if not isinstance(url, str):
        raise MemoriesInputError(f"base_url must be a string, got {type(url).__name__}")
    url = url.strip().rstrip("/")
    for position, char in enumerate(url):
        # urlsplit silently drops TAB, CR and LF, and httpx refuses them (and DEL, and the
        # other C0 controls) only when the first request is built, as an untyped InvalidURL.
        # A space or an invisible character inside the URL is a copy-and-paste accident.
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
            raise MemoriesInputError(
                f"base_url has a control, space or invisible character {char!r} at position "
                f"{position}; got {url!r}"
            )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is not None and "@" in parts.netloc:
        # Credentials in the URL would show in reprs, errors and logs; the value is not echoed.
        raise MemoriesInputError(
            "base_url must not contain credentials (user:password@); the value is not shown. "
            "Authenticate a proxy through your own httpx client (http_client=...)"
        )
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise MemoriesInputError(
            f"base_url must be an http(s) URL such as {DEFAULT_BASE_URL!r}, got {url!r}"
        )
    if parts.query or parts.fragment or "?" in url or "#" in url:
        # Paths are appended to the base URL: "…/api?tenant=1" would become
        # "…/api?tenant=1/vu/chat/completions".
        raise MemoriesInputError(
            f"base_url must not have a query or fragment (endpoint paths are appended to it), "
            f"got {url!r}"
        )
    try:
        httpx.URL(url)  # what the client will build: anything httpx refuses, refused now
    except httpx.InvalidURL as exc:
        raise MemoriesInputError(
            f"base_url is not a URL httpx can use ({exc}), got {url!r}"
        ) from None
    if warn_insecure and parts.scheme == "http" and not _is_loopback(parts.hostname):
        warn(
            f"base_url {url!r} is plain http to a remote host: the API key would be sent "
            "unencrypted. Use https://",
            InsecureBaseURLWarning,
        )
    return url


def check_seconds(name: str, value: object) -> float:
    """``value`` as seconds, refused unless a finite number above 0 and at most a day.

    One rule for every timeout a user passes (``timeout``, each phase of an ``httpx.Timeout``,
    ``total_timeout``): ``nan``, ``inf``, a negative number or ``1e300`` would otherwise be
    accepted and fail only at the first call, as a bare ``ValueError`` or ``OverflowError``.
    See :data:`MAX_TIMEOUT` for the upper bound.

    Example:
        >>> check_seconds("timeout", 30)
        30.0
        >>> check_seconds("timeout", float("inf"))
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: timeout must be a number of seconds above 0 \
and at most 86400 (a day), got inf
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        # Written so that nan fails it too (every comparison with nan is false).
        or not 0 < value <= MAX_TIMEOUT
    ):
        raise MemoriesInputError(
            f"{name} must be a number of seconds above 0 and at most {MAX_TIMEOUT:.0f} (a day), "
            f"got {repr(value)[:40]}"
        )
    return float(value)


def resolve_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """An ``httpx.Timeout`` from seconds, a Timeout, or None (the default).

    Seconds and each phase of a Timeout go through :func:`check_seconds`; a phase of a Timeout
    may also be ``None`` (httpx: no limit for that phase).

    Example:
        >>> resolve_timeout(30).read, resolve_timeout(30).connect
        (30.0, 10.0)
        >>> resolve_timeout(httpx.Timeout(5.0, connect=float("nan")))
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: timeout.connect must be a number of seconds \
above 0 and at most 86400 (a day), got nan
    """
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        for phase in ("connect", "read", "write", "pool"):
            value = getattr(timeout, phase)
            if value is not None:
                check_seconds(f"timeout.{phase}", value)
        return timeout
    seconds = check_seconds("timeout", timeout)
    return httpx.Timeout(seconds, connect=min(10.0, seconds))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before trying again.

    Retries only what may succeed on a second try: HTTP 429, 5xx, timeouts and connection
    errors. ``max_retries=0`` means exactly one attempt. Waits grow exponentially from
    ``initial_delay`` with full jitter, capped at ``max_delay``; a ``Retry-After`` from the
    server is honoured as given, up to ``max_retry_after`` (a longer wait raises at once).

    Example:
        >>> RetryPolicy(max_retries=3).delay(0, RateLimitError("x", retry_after=2.0))
        2.0
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if (
            not isinstance(self.max_retries, int)
            or isinstance(self.max_retries, bool)
            or (self.max_retries < 0)
        ):
            raise MemoriesInputError(
                f"max_retries must be an integer >= 0, got {self.max_retries!r}"
            )
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            value = getattr(self, name)
            # nan or inf here would surface only after a failed attempt, as a bare ValueError
            # from time.sleep (or a wait of forever): refuse them now, as timeouts are.
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not 0 <= value <= MAX_TIMEOUT
            ):
                raise MemoriesInputError(
                    f"RetryPolicy {name} must be a number of seconds from 0 to "
                    f"{MAX_TIMEOUT:.0f} (a day), got {repr(value)[:40]}"
                )

    def delay(self, attempt: int, error: MemoriesError) -> float:
        """Seconds to wait before retry number ``attempt + 1``."""
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, (int, float)) and retry_after >= 0:
            return float(retry_after)
        base: float = min(self.max_delay, self.initial_delay * 2.0**attempt)
        return base * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not crypto

    def explain_refusal(self, attempt: int, error: MemoriesError) -> None:
        """Say in ``error`` why it was not retried when only the ``Retry-After`` cap stopped it."""
        retry_after = getattr(error, "retry_after", None)
        if (
            attempt < self.max_retries
            and is_retryable(error)
            and isinstance(error, MemoriesAPIError)
            and isinstance(retry_after, (int, float))
            and retry_after > self.max_retry_after
        ):
            error.message += (
                f" (not retried: the server asked to wait {retry_after:.0f} s, longer than the "
                f"{self.max_retry_after:.0f} s this client waits; pass "
                "retry_policy=RetryPolicy(max_retry_after=...) to wait longer)"
            )

    def should_retry(self, attempt: int, error: MemoriesError) -> bool:
        """True if ``error`` on attempt number ``attempt`` (0-based) deserves another try."""
        if attempt >= self.max_retries or not is_retryable(error):
            return False
        retry_after = getattr(error, "retry_after", None)
        return not (isinstance(retry_after, (int, float)) and retry_after > self.max_retry_after)


def is_retryable(error: BaseException) -> bool:
    """True for errors a later attempt may not repeat (429, 5xx, timeouts, connection drops)."""
    if isinstance(error, StreamInterruptedError):
        return False
    return isinstance(error, (RateLimitError, ServerError, APITimeoutError, APIConnectionError))


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    # NaN, a negative number or a date in the past says nothing usable: fall back to the
    # client's own backoff rather than retrying at once, back to back.
    if seconds != seconds or seconds < 0:
        return None
    return seconds


def error_from_response(
    status: int, headers: httpx.Headers, content: bytes | bytearray
) -> MemoriesAPIError:
    """The typed error for a non-2xx response, carrying status, code, message and request id."""
    request_id = headers.get("x-request-id") or headers.get("request-id")
    text = content.decode("utf-8", "replace")
    try:
        body: Any = _json.loads(text) if text else None
    except ValueError:
        body = None
    code, server_message = error_fields(body, text)
    if request_id is None and isinstance(body, Mapping) and isinstance(body.get("id"), str):
        request_id = body["id"]
    cls = error_for_status(status)
    lead = f"memories.ai answered HTTP {status}"
    message = f"{lead}: {server_message}" if server_message else lead
    if cls.default_hint:
        message = f"{message}. {cls.default_hint}"
    kwargs: dict[str, Any] = {
        "status": status,
        "code": code,
        "server_message": server_message,
        "request_id": request_id,
        "body": body,
    }
    if cls is RateLimitError:
        return RateLimitError(
            message, retry_after=parse_retry_after(headers.get("retry-after")), **kwargs
        )
    error = cls(message, **kwargs)
    retry_after = parse_retry_after(headers.get("retry-after"))
    if retry_after is not None:
        error.retry_after = retry_after  # type: ignore[attr-defined]
    return error


def transport_error(exc: httpx.HTTPError, url: str | httpx.URL) -> MemoriesError:
    """Our error for an httpx transport failure (never includes headers, so never the key)."""
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"the request to {url} timed out ({type(exc).__name__}); raise timeout= for long "
            "videos, or retry"
        )
    # The transport's own text may quote what the server sent (h11 quotes a bad status line
    # of up to 16 KB): cut, like every server text that reaches an error.
    return APIConnectionError(
        f"could not talk to {url}: {type(exc).__name__}: {_cut(str(exc), 500)}. Check base_url "
        "and the network"
    )


def build_headers(
    api_key: SecretStr, scheme: AuthScheme, extra: Mapping[str, str] | None, *, stream: bool
) -> dict[str, str]:
    """Request headers: the raw key by default (the docs: no 'Bearer' prefix)."""
    key = api_key.get_secret_value()
    headers = {
        "Authorization": key if scheme == "raw" else f"Bearer {key}",
        "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json",
        # Only codings that decode in bounded steps (see _decoding); httpx's default would add
        # zstd and br, which it decodes a whole chunk at a time. Per request, so a caller's
        # own http_client is covered too.
        "Accept-Encoding": ACCEPT_ENCODING,
        "User-Agent": USER_AGENT,
    }
    headers.update(check_default_headers(extra))
    return headers
