"""Content decoding that never inflates a body past what the reader has room for.

httpx decodes a compressed body one network chunk at a time, each chunk whole: a 16 KiB zstd
chunk that inflates to 1 GB is 1 GB in memory before any byte cap sees it. So the clients never
let httpx decode. They advertise only the codings zlib can decode in bounded steps
(:data:`ACCEPT_ENCODING`, sent on every request, a caller's own ``http_client`` included), read
the *raw* bytes (``iter_raw`` / ``aiter_raw``) and decode them here, where no call to the
decompressor returns more than :data:`SLICE` bytes: the rest of the input waits in zlib's
``unconsumed_tail`` until the reader asks for more. A capped reader downstream
(:func:`memories_client._limits.read_capped`, the SSE :class:`~memories_client._limits.LineReader`)
therefore stops a bomb after at most its cap plus one slice.

A body in a coding that was not advertised (``br``, ``zstd``, anything unknown) is refused with
:class:`~memories_client.MalformedResponseError` before a byte of it is decoded; so is a corrupt
compressed body.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

from memories_client.errors import MalformedResponseError

__all__ = ["ACCEPT_ENCODING", "SLICE", "adecoded", "decoded", "decoders_for"]

ACCEPT_ENCODING = "gzip, deflate"
"""The only content codings the clients ask for: both decode in bounded steps with zlib."""
SLICE = 64 * 1024
"""The most decoded bytes one step of a decoder hands out."""

_GZIP = zlib.MAX_WBITS | 16
_IDENTITY = frozenset({"", "identity"})


class _Inflater:
    """One gzip or deflate layer: compressed bytes in, decoded slices of at most SLICE out."""

    __slots__ = ("_fallback", "_head", "_name", "_zlib")

    def __init__(self, name: str) -> None:
        self._name = name
        # HTTP "deflate" is meant to be zlib-wrapped, but some servers send raw deflate: try the
        # wrapper first and, if its 2-byte header is wrong, start again on the same bytes as raw
        # deflate, as browsers do. The first bytes are kept until the header is judged (a
        # chunk may hold a single byte).
        self._fallback = name == "deflate"
        self._head = b""
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS if name == "deflate" else _GZIP)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._fallback:
            self._head += data
        while data and not self._zlib.eof:
            try:
                out = self._zlib.decompress(data, SLICE)
            except zlib.error as exc:
                if not self._fallback:
                    raise _corrupt(self._name, exc) from None
                self._fallback = False
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                data, self._head = self._head, b""
                continue
            if self._fallback and len(self._head) >= 2:
                self._fallback, self._head = False, b""  # the header was good: zlib-wrapped
            # Input that did not fit in this slice waits here until the next one is asked for.
            data = self._zlib.unconsumed_tail
            if out:
                yield out

    def flush(self) -> Iterator[bytes]:
        try:
            # Nothing is left unconsumed here, so what flush returns is zlib's small window.
            rest = self._zlib.flush()
        except zlib.error as exc:
            raise _corrupt(self._name, exc) from None
        if rest:
            yield rest


def _corrupt(name: str, exc: zlib.error) -> MalformedResponseError:
    return MalformedResponseError(f"the response body is not valid {name} data ({exc})")


def decoders_for(content_encoding: str | None) -> list[_Inflater]:
    """The decoding layers for a ``Content-Encoding`` header, in the order to undo them.

    Raises:
        MalformedResponseError: a coding that was not advertised (``br``, ``zstd``, unknown).

    Example:
        >>> len(decoders_for("gzip")), decoders_for(None)
        (1, [])
        >>> decoders_for("zstd")
        Traceback (most recent call last):
        ...
        memories_client.errors.MalformedResponseError: the response is in content-encoding \
'zstd', which was not asked for (Accept-Encoding: gzip, deflate); it was not decoded
    """
    names = [part.strip().lower() for part in (content_encoding or "").split(",") if part.strip()]
    layers = []
    for name in reversed(names):  # the last coding listed was applied last: undo it first
        if name in _IDENTITY:
            continue
        if name in ("gzip", "x-gzip"):
            layers.append(_Inflater("gzip"))
        elif name == "deflate":
            layers.append(_Inflater("deflate"))
        else:
            raise MalformedResponseError(
                f"the response is in content-encoding {name[:40]!r}, which was not asked for "
                f"(Accept-Encoding: {ACCEPT_ENCODING}); it was not decoded"
            )
    return layers


def decoded(raw: Iterable[bytes], content_encoding: str | None) -> Iterator[bytes]:
    """The decoded bytes of a raw body, in slices of at most :data:`SLICE` bytes, lazily.

    Nothing is decoded ahead of what the consumer takes, so a consumer that stops at a cap has
    decoded at most its cap plus one slice per layer. The coding is checked at once, before the
    first byte is read.

    Raises:
        MalformedResponseError: a coding that was not advertised, or corrupt compressed data.

    Example:
        >>> import gzip
        >>> bomb = gzip.compress(bytes(10_000_000))      # 10 MB of zeros in about 10 KB
        >>> first = next(decoded([bomb], "gzip"))
        >>> len(bomb) < 20_000, len(first) <= SLICE
        (True, True)
    """
    layers = decoders_for(content_encoding)
    return _decoded(layers, raw) if layers else iter(raw)


def _decoded(layers: list[_Inflater], raw: Iterable[bytes]) -> Iterator[bytes]:
    for chunk in raw:
        yield from _decode_all(layers, chunk)
    yield from _flush_all(layers)


def adecoded(raw: AsyncIterable[bytes], content_encoding: str | None) -> AsyncIterator[bytes]:
    """:func:`decoded` for an async raw body (the coding is checked at once here too)."""
    layers = decoders_for(content_encoding)
    return _adecoded(layers, raw)


async def _adecoded(layers: list[_Inflater], raw: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    async for chunk in raw:
        for piece in _decode_all(layers, chunk):
            yield piece
    for piece in _flush_all(layers):
        yield piece


def _decode_all(layers: list[_Inflater], chunk: bytes) -> Iterator[bytes]:
    """``chunk`` through every layer, lazily (each layer's slices feed the next)."""
    pieces: Iterator[bytes] = iter((chunk,))
    for layer in layers:
        pieces = _fed(layer, pieces)
    return pieces


def _fed(layer: _Inflater, pieces: Iterator[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield from layer.feed(piece)


def _flush_all(layers: list[_Inflater]) -> Iterator[bytes]:
    """What each layer still holds at the end, passed through the layers after it."""
    for position, layer in enumerate(layers):
        for piece in layer.flush():
            yield from _decode_all(layers[position + 1 :], piece)
