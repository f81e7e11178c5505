"""Size limits on what a server can make the client hold in memory, and the readers that keep them.

A misbehaving or hostile server can send a 200 MB answer, an endless chunked body, a 200 MB
error page, or a streamed line that never ends. Without limits each costs memory in proportion
(several times over, once decoded and parsed). The readers here stop at a limit instead:

* an answer (a non-streamed body) is read up to ``max_response_bytes`` (default 32 MiB; the
  API's answers are text and JSON, typically a few KB), then refused with
  :class:`~memories_client.MalformedResponseError`;
* an error body is read up to :data:`ERROR_BODY_LIMIT` (64 KiB) and kept truncated: enough for
  the server's message, never the whole page, and the rest is never downloaded;
* a streamed line, and a streamed event, may not exceed :data:`MAX_STREAM_LINE` (8 MiB);
* the text a stream keeps for an "interrupted after N characters" error is a bounded tail.

Every limit counts *decoded* bytes: bodies are read raw (``iter_raw`` / ``aiter_raw``) and
decoded by :mod:`memories_client._decoding` in bounded slices, so a compressed bomb is stopped
like any other oversized body. :func:`read_response` / :func:`aread_response` (an answer),
:func:`read_error_body` / :func:`aread_error_body` (an error page) and :func:`body_of` /
:func:`abody_of` (a stream) are the one reader the chat clients and the uploaders share.

Pure functions and small classes: the clients in :mod:`memories_client._client` do the I/O.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

import httpx

from memories_client._decoding import adecoded, decoded
from memories_client.errors import MalformedResponseError

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "ERROR_BODY_LIMIT",
    "MAX_STREAM_LINE",
    "PARTIAL_TEXT_LIMIT",
    "LineReader",
    "PartialText",
    "abody_of",
    "aread_capped",
    "aread_error_body",
    "aread_response",
    "body_of",
    "read_capped",
    "read_error_body",
    "read_response",
    "whole_answer",
]

DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
ERROR_BODY_LIMIT = 64 * 1024
MAX_STREAM_LINE = 8 * 1024 * 1024
PARTIAL_TEXT_LIMIT = 64 * 1024
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # SSE's line ends; not str.splitlines' (U+2028...)


class _Capped:
    """Collects chunks up to ``limit`` bytes in one buffer; ``add`` says when it was passed.

    One ``bytearray`` grown in place, so a capped read peaks near ``limit`` rather than twice
    it (a list of chunks joined at the end); ``json.loads`` takes it as it is.
    """

    __slots__ = ("buffer", "limit", "over")

    def __init__(self, limit: int) -> None:
        self.limit, self.over = limit, False
        self.buffer = bytearray()

    def add(self, chunk: bytes) -> bool:
        room = self.limit - len(self.buffer)
        if len(chunk) > room:
            self.buffer += chunk[:room]
            self.over = True
        else:
            self.buffer += chunk
        return self.over

    def result(self) -> tuple[bytearray, bool]:
        return self.buffer, self.over


def read_capped(chunks: Iterable[bytes], limit: int) -> tuple[bytearray, bool]:
    """At most ``limit`` bytes of ``chunks``, and whether more were on offer (not read).

    Example:
        >>> read_capped([b"abc", b"def"], 4)
        (bytearray(b'abcd'), True)
    """
    capped = _Capped(limit)
    for chunk in chunks:
        if capped.add(chunk):
            break
    return capped.result()


async def aread_capped(chunks: AsyncIterable[bytes], limit: int) -> tuple[bytearray, bool]:
    """:func:`read_capped` for an async byte stream."""
    capped = _Capped(limit)
    async for chunk in chunks:
        if capped.add(chunk):
            break
    return capped.result()


def body_of(response: httpx.Response, raw: Iterable[bytes] | None = None) -> Iterator[bytes]:
    """The decoded body of ``response`` in bounded slices, from its raw bytes.

    ``raw`` is the raw byte stream to decode (``response.iter_raw()`` by default; the clients
    pass it wrapped in their deadline checks). Any transport that delivers the undecoded bytes
    is capped the same way.

    Raises:
        MalformedResponseError: a content coding that was not advertised, or corrupt data.

    Example:
        >>> import gzip
        >>> answer = httpx.Response(200, headers={"content-encoding": "gzip"},
        ...                         content=iter([gzip.compress(b'{"ok": true}')]))
        >>> b"".join(body_of(answer))
        b'{"ok": true}'
    """
    held = _already_read(response)
    if held is not None:
        return iter(held)
    encoding = response.headers.get("content-encoding")
    return decoded(response.iter_raw() if raw is None else raw, encoding)


def abody_of(
    response: httpx.Response, raw: AsyncIterable[bytes] | None = None
) -> AsyncIterator[bytes]:
    """:func:`body_of` for an async response."""
    held = _already_read(response)
    if held is not None:
        return _aiter(held)
    encoding = response.headers.get("content-encoding")
    return adecoded(response.aiter_raw() if raw is None else raw, encoding)


def _already_read(response: httpx.Response) -> tuple[bytes] | None:
    """The decoded body of a response httpx has already read whole, else None.

    A transport that builds its responses from bytes (``httpx.MockTransport``, respx) hands
    over a response read at construction: its raw stream is gone and the body is in memory
    already, decoded by httpx. It is then capped like any other body, as it is.
    """
    if not response.is_stream_consumed:
        return None
    try:
        return (response.content,)
    except httpx.ResponseNotRead:
        return None


async def _aiter(pieces: tuple[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


def read_response(
    response: httpx.Response, limit: int, raw: Iterable[bytes] | None = None
) -> tuple[bytearray, bool]:
    """At most ``limit`` decoded bytes of the body, and whether more were on offer.

    Example:
        >>> import zlib
        >>> bomb = httpx.Response(200, headers={"content-encoding": "deflate"},
        ...                       content=iter([zlib.compress(bytes(50_000_000))]))
        >>> body, over = read_response(bomb, 1000)
        >>> len(body), over
        (1000, True)
    """
    try:
        return read_capped(body_of(response, raw), limit)
    except MalformedResponseError as exc:
        raise _of_response(exc, response) from None


async def aread_response(
    response: httpx.Response, limit: int, raw: AsyncIterable[bytes] | None = None
) -> tuple[bytearray, bool]:
    """:func:`read_response` for an async response."""
    try:
        return await aread_capped(abody_of(response, raw), limit)
    except MalformedResponseError as exc:
        raise _of_response(exc, response) from None


def _of_response(error: MalformedResponseError, response: httpx.Response) -> MalformedResponseError:
    """``error`` with the status and request id of the response it came from."""
    error.status = error.status or response.status_code
    error.request_id = error.request_id or response.headers.get("x-request-id")
    return error


def read_error_body(response: httpx.Response, raw: Iterable[bytes] | None = None) -> bytearray:
    """Up to :data:`ERROR_BODY_LIMIT` decoded bytes of an error page (the rest is never read).

    An error page in a coding that was not asked for, or corrupt, gives what could be decoded
    (often nothing): the status still makes the typed error, and a 429 or 503 stays retryable.

    Example:
        >>> page = httpx.Response(503, headers={"content-encoding": "br"}, content=iter([b"??"]))
        >>> read_error_body(page)
        bytearray(b'')
    """
    capped = _Capped(ERROR_BODY_LIMIT)
    try:
        for chunk in body_of(response, raw):
            if capped.add(chunk):
                break
    except MalformedResponseError:
        pass
    return capped.buffer


async def aread_error_body(
    response: httpx.Response, raw: AsyncIterable[bytes] | None = None
) -> bytearray:
    """:func:`read_error_body` for an async response."""
    capped = _Capped(ERROR_BODY_LIMIT)
    try:
        async for chunk in abody_of(response, raw):
            if capped.add(chunk):
                break
    except MalformedResponseError:
        pass
    return capped.buffer


def whole_answer(response: httpx.Response, capped: tuple[bytearray, bool], limit: int) -> bytearray:
    """The answer a capped read got, or the error for one over ``limit`` bytes.

    Example:
        >>> whole_answer(httpx.Response(200), (bytearray(b"{}"), False), 10)
        bytearray(b'{}')
    """
    content, over = capped
    if over:
        raise too_large(
            limit, status=response.status_code, request_id=response.headers.get("x-request-id")
        )
    return content


def too_large(limit: int, *, status: int, request_id: str | None) -> MalformedResponseError:
    """The error for an answer over ``max_response_bytes``."""
    return MalformedResponseError(
        f"the answer is larger than max_response_bytes ({limit:,} bytes) and was not read; "
        "raise max_response_bytes if such answers are expected",
        status=status,
        request_id=request_id,
    )


class LineReader:
    r"""Bytes in, complete text lines out (UTF-8), refusing a line longer than ``max_line``.

    Example:
        >>> reader = LineReader(max_line=100)
        >>> reader.feed(b"data: 1\r"), reader.feed(b"\ndata: \xc3")
        ([], ['data: 1'])
        >>> reader.feed(b"\xa9\n\n") == ["data: \u00e9", ""]  # a character split across chunks
        True
    """

    __slots__ = ("_buffer", "_decoder", "_max_line")

    def __init__(self, max_line: int = MAX_STREAM_LINE) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._buffer = ""
        self._max_line = max_line

    def feed(self, data: bytes) -> list[str]:
        """The lines that ``data`` completes (without their line breaks)."""
        text = self._buffer + self._decoder.decode(data)
        # A trailing "\r" may be the first half of "\r\n": keep it until the next chunk.
        pieces = _LINE_BREAK.split(text[:-1] if text.endswith("\r") else text)
        self._buffer = pieces.pop() + ("\r" if text.endswith("\r") else "")
        if len(self._buffer) > self._max_line:
            raise MalformedResponseError(
                f"a streamed line is longer than {self._max_line:,} characters without a line "
                "break; the stream was abandoned"
            )
        return pieces

    def flush(self) -> list[str]:
        """The last line, if the stream ended without a line break."""
        rest = (self._buffer + self._decoder.decode(b"", final=True)).rstrip("\r")
        self._buffer = ""
        return [rest] if rest else []


class PartialText:
    """The text of a stream so far, for error messages: a count and a bounded tail.

    A consumer that discards a long stream should not find it all held here.

    Example:
        >>> partial = PartialText(limit=5)
        >>> partial.append("Hello, "); partial.append("world")
        >>> partial.chars, partial.tail()
        (12, 'world')
    """

    __slots__ = ("_held", "_limit", "_pieces", "chars")

    def __init__(self, limit: int = PARTIAL_TEXT_LIMIT) -> None:
        self._pieces: deque[str] = deque()
        self._held = 0
        self._limit = limit
        self.chars = 0

    def append(self, text: str) -> None:
        """Add a delta."""
        self._pieces.append(text)
        self._held += len(text)
        self.chars += len(text)
        while self._held - len(self._pieces[0]) >= self._limit:
            self._held -= len(self._pieces.popleft())

    def tail(self) -> str:
        """The last ``limit`` characters (all of them for a short stream)."""
        return "".join(self._pieces)[-self._limit :]

    def __bool__(self) -> bool:
        return self.chars > 0
