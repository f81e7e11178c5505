"""What a probe saw on the wire: each request and answer, bounded and without the key.

:class:`RecordingTransport` wraps the transport of the ``httpx.Client`` the probes use. The
answer's bytes pass through to the client's own bounded reader unchanged; a copy of at most
:data:`CAPTURE_LIMIT` bytes is kept as evidence. The ``Authorization`` header is never kept: an
:class:`Exchange` records only which scheme was used.

``on_exchange`` is the hook for saving the exchanges as fixtures (the emulator's record mode,
with cassettes scrubbed of keys and signatures, can subscribe here): it is called with every
:class:`Exchange` as its request is sent, and the exchange fills in as the answer is read.

Example:
    >>> ex = Exchange(method="POST", path="/vu/chat/completions", auth="raw")
    >>> ex.add_body(b'{"usage": {"output_token": 3}}')
    >>> ex.field_names()
    ['usage', 'usage.output_token']
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = [
    "CAPTURE_LIMIT",
    "SHORT_BODY",
    "Exchange",
    "RecordingTransport",
    "field_names",
    "sse_events",
]

CAPTURE_LIMIT = 64 * 1024
"""The most bytes of an answer kept as evidence (the client reads the whole answer, capped)."""
SHORT_BODY = 600
"""The characters of a body shown in a report."""
_KEPT_HEADERS = ("content-type", "retry-after", "x-request-id")
_MAX_FIELDS = 80
_MAX_DEPTH = 6


@dataclass
class Exchange:
    """One request and its answer, as evidence: no key, and at most ``CAPTURE_LIMIT`` bytes.

    Attributes:
        method, path: the request line (the path only, no host).
        auth: ``raw``, ``bearer`` or ``none``: how the key was sent, never the key.
        request_body: the start of the request body (JSON text).
        status: the HTTP status, ``None`` when no answer came.
        headers: the answer's ``content-type``, ``retry-after`` and ``x-request-id``.
        body: the first ``CAPTURE_LIMIT`` bytes of the answer that the client read.
        truncated: whether the answer was longer than what was kept.
        error: the transport error, when the exchange failed.
    """

    method: str
    path: str
    auth: str
    request_body: str = ""
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)
    truncated: bool = False
    error: str | None = None

    def add_body(self, chunk: bytes) -> None:
        """Keep ``chunk`` up to the capture limit."""
        room = CAPTURE_LIMIT - len(self.body)
        if len(chunk) > room:
            self.truncated = True
        self.body += chunk[: max(room, 0)]

    @property
    def text(self) -> str:
        """The kept answer as text (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The answer parsed as JSON, or ``None`` (not JSON, cut short, or nested too deep)."""
        if self.truncated:
            return None
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            return None

    def field_names(self) -> list[str]:
        """The JSON field paths of the answer, or of the JSON events of a stream."""
        value = self.json()
        if value is not None:
            return field_names(value)
        names: list[str] = []
        for event in sse_events(self.text):
            for name in field_names(event):
                if name not in names:
                    names.append(name)
        return names[:_MAX_FIELDS]

    def short(self, limit: int = SHORT_BODY) -> str:
        """The start of the answer, for a report."""
        text = self.text
        return text if len(text) <= limit else text[:limit] + " [...]"

    def as_dict(self, *, whole: bool = False) -> dict[str, Any]:
        """The evidence as JSON-ready data: the body shortened, or (``whole``) all that was kept.

        The whole kept body (at most ``CAPTURE_LIMIT`` bytes) is what a fixture is made from.
        """
        return {
            "request": f"{self.method} {self.path}",
            "auth": self.auth,
            "request_body": self.request_body,
            "status": self.status,
            "headers": self.headers,
            "fields": self.field_names(),
            "body": self.text if whole else self.short(),
            "truncated": self.truncated if whole else len(self.text) > SHORT_BODY,
            "error": self.error,
        }


def field_names(value: Any, prefix: str = "", depth: int = 0) -> list[str]:
    """Dotted paths of the keys in a JSON value (``choices[].text``), bounded in depth and count.

    Example:
        >>> field_names({"choices": [{"text": "hi"}], "id": "r"})
        ['choices', 'choices[].text', 'id']
    """
    names: list[str] = []
    if depth >= _MAX_DEPTH:
        return names
    if isinstance(value, dict):
        for key in sorted(str(k) for k in value)[:_MAX_FIELDS]:
            path = f"{prefix}.{key}" if prefix else key
            names.append(path)
            names.extend(field_names(value.get(key), path, depth + 1))
    elif isinstance(value, list):
        seen: list[str] = []
        for item in value[:8]:
            for name in field_names(item, f"{prefix}[]", depth + 1):
                if name not in seen:
                    seen.append(name)
        names.extend(seen)
    return names[:_MAX_FIELDS]


def sse_events(text: str) -> Iterator[Any]:
    r"""The JSON ``data:`` payloads of a Server-Sent-Events text (``[DONE]`` and junk skipped).

    Example:
        >>> list(sse_events('data: {"a": 1}\n\ndata: [DONE]\n\n'))
        [{'a': 1}]
    """
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if not payload or payload == "[DONE]":
            continue
        try:
            yield json.loads(payload)
        except (ValueError, RecursionError):
            continue


class _Tee(httpx.SyncByteStream):
    """The answer's bytes, unchanged, with a bounded copy kept on the exchange."""

    def __init__(self, inner: httpx.SyncByteStream, exchange: Exchange) -> None:
        self._inner, self._exchange = inner, exchange

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._exchange.add_body(chunk)
            yield chunk

    def close(self) -> None:
        """Close the answer's stream."""
        self._inner.close()


def _request_text(request: httpx.Request) -> str:
    try:
        content = request.content
    except httpx.RequestNotRead:  # a body streamed from a file: not kept
        return "<streamed body>"
    text = content[:SHORT_BODY].decode("utf-8", "replace")
    return text + (" [...]" if len(content) > SHORT_BODY else "")


def _auth_scheme(request: httpx.Request) -> str:
    value = request.headers.get("authorization")
    if not value:
        return "none"
    return "bearer" if value.lower().startswith("bearer ") else "raw"


class RecordingTransport(httpx.BaseTransport):
    """A transport that keeps an :class:`Exchange` of every request it carries.

    Args:
        inner: the transport that really sends (default: a plain ``httpx.HTTPTransport``).
        on_exchange: called with each exchange as its request is sent.

    Example:
        >>> seen = []
        >>> client = httpx.Client(transport=RecordingTransport(on_exchange=seen.append))
        >>> client.close()
    """

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        self._inner = inner or httpx.HTTPTransport()
        self._on_exchange = on_exchange or (lambda exchange: None)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the inner transport, keeping an exchange of the request and answer."""
        exchange = Exchange(
            method=request.method,
            path=request.url.path,
            auth=_auth_scheme(request),
            request_body=_request_text(request),
        )
        self._on_exchange(exchange)
        try:
            response = self._inner.handle_request(request)
        except httpx.HTTPError as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"[:300]
            raise
        exchange.status = response.status_code
        exchange.headers = {
            name: response.headers[name][:200] for name in _KEPT_HEADERS if name in response.headers
        }
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Tee(stream, exchange),
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        """Close the inner transport."""
        self._inner.close()
