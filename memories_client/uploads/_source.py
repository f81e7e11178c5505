"""What an uploader reads: a local file or bytes, in chunks, never whole.

A 4 GB video must upload with flat memory: the file is hashed chunk by chunk, then read again
chunk by chunk while it is sent. Bytes already in memory are sliced through a ``memoryview``
(no copy).

A file can change between the two reads (a recorder still writing it, an editor saving over
it). Every read is therefore held to what was checked: exactly ``size`` bytes, and, while
sending, the same SHA-256 as the hash the upload is cached under. The check runs on the read
that reaches the end, *before* the last chunk is handed to the sender, so a changed file never
reaches storage whole; the read raises :class:`SourceChangedError` instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from memories_client._media import kind_of_mime, sniff_mime
from memories_client.errors import MemoriesInputError

__all__ = [
    "CHUNK",
    "ProgressCallback",
    "SourceChangedError",
    "UploadSource",
    "extension_for",
    "source_changed",
    "upload_source",
]

CHUNK = 1 << 20
"""Bytes read (and sent) at a time: large enough for throughput, small enough for memory."""

ProgressCallback = Callable[[int, int], None]
"""``progress(bytes_sent, total_bytes)``, called as an upload advances (and once at the end)."""

# Names the stdlib table lacks or gets wrong on some systems (the same as memories_client._media).
_VIDEO_SUFFIXES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".avi": "video/x-msvideo",
    ".flv": "video/x-flv",
    ".wmv": "video/x-ms-wmv",
    ".mpeg": "video/mpeg",
    ".mpg": "video/mpeg",
    ".3gp": "video/3gpp",
}
_EXTENSIONS = {mime: suffix for suffix, mime in reversed(_VIDEO_SUFFIXES.items())}


class SourceChangedError(MemoriesInputError):
    """The file (or buffer) changed while it was being hashed or uploaded.

    Raised mid-upload, unlike other input errors: the file grew, shrank or was rewritten after it
    was checked and hashed. Nothing is cached for it, and the uploader does not retry it (the
    next attempt would read yet other bytes); upload again once the file is complete. The
    storage never receives the changed file whole: the read that would finish the body raises.

    Example:
        >>> issubclass(SourceChangedError, MemoriesInputError)
        True
    """


class _Tally:
    """Counts and hashes what is read of a source, and refuses what was not checked."""

    __slots__ = ("_expect", "_hash", "read", "source")

    def __init__(self, source: UploadSource, expect: str | None) -> None:
        self.source, self._expect = source, expect
        self._hash = hashlib.sha256()
        self.read = 0

    @property
    def want(self) -> int:
        """Bytes to ask for next (never past the size that was checked)."""
        return min(CHUNK, self.source.size - self.read)

    def take(self, piece: bytes) -> None:
        if not piece:
            raise self._changed(f"it ended after {self.read:,} bytes")
        self.read += len(piece)
        self._hash.update(piece)

    def finish(self, probe: bytes) -> None:
        """At ``size`` bytes: ``probe`` is one more read, which must find nothing."""
        if probe:
            raise self._changed("it grew")
        if self._expect is not None and self._hash.hexdigest() != self._expect:
            raise self._changed("its content changed (same size, another SHA-256)")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def _changed(self, what: str) -> SourceChangedError:
        return source_changed(self.source, what)


def source_changed(source: UploadSource, what: str) -> SourceChangedError:
    """The error for ``source`` found changed (``what`` says how)."""
    return SourceChangedError(
        f"{source.label} changed while it was being uploaded: {what}, after it was checked at "
        f"{source.size:,} bytes. Nothing was cached and it was not retried; upload it again once "
        "the file is complete"
    )


class _ViewReader:
    """``read(n)`` over a memoryview, one slice copied at a time."""

    __slots__ = ("_at", "_view")

    def __init__(self, view: memoryview) -> None:
        self._view, self._at = view, 0

    def read(self, size: int) -> bytes:
        piece = self._view[self._at : self._at + size].tobytes()
        self._at += len(piece)
        return piece

    def __enter__(self) -> _ViewReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


@dataclass(frozen=True, slots=True)
class UploadSource:
    """A local file or in-memory bytes to upload, with its size, name and MIME type.

    Build it with :func:`upload_source`, which checks the input before any request.

    Attributes:
        path: the file, or None for bytes.
        data: the bytes, or None for a file.
        size: bytes to send.
        name: a file name for the upload (the path's name, or ``upload.<ext>`` for bytes).
        mime_type: e.g. ``video/mp4``.
    """

    path: Path | None
    data: memoryview | None
    size: int
    name: str
    mime_type: str

    @property
    def label(self) -> str:
        """How messages name this source (the path, or ``<N bytes>``); never the content."""
        return str(self.path) if self.path is not None else f"<{self.size} bytes>"

    def open(self) -> BinaryIO:
        """A fresh binary reader over the content (a file handle, or a view of the bytes)."""
        if self.path is not None:
            try:
                return self.path.open("rb")
            except OSError as exc:
                raise MemoriesInputError(
                    f"cannot read {self.path}: {exc.strerror or exc}"
                ) from None
        assert self.data is not None
        return io.BytesIO(self.data)

    def chunks(
        self, progress: ProgressCallback | None = None, *, expect: str | None = None
    ) -> Iterator[bytes]:
        """The content in :data:`CHUNK`-sized pieces, reporting progress after each.

        Exactly ``size`` bytes, with the SHA-256 ``expect`` if given, or the read raises
        :class:`SourceChangedError` before handing over the last piece.
        """
        return self._pieces(_Tally(self, expect), progress)

    def _reader(self) -> BinaryIO | _ViewReader:
        # Slices of the caller's bytes: no copy of the whole payload is ever made.
        return self.open() if self.data is None else _ViewReader(self.data)

    def _pieces(self, tally: _Tally, progress: ProgressCallback | None) -> Iterator[bytes]:
        with self._reader() as fh:
            while tally.read < self.size:
                piece = fh.read(tally.want)
                tally.take(piece)
                if tally.read >= self.size:
                    tally.finish(fh.read(1))
                yield piece
                if progress is not None:
                    progress(tally.read, self.size)

    async def achunks(
        self, progress: ProgressCallback | None = None, *, expect: str | None = None
    ) -> AsyncIterator[bytes]:
        """:meth:`chunks` for an event loop: file reads run in a worker thread."""
        if self.path is None:
            for piece in self.chunks(progress, expect=expect):
                yield piece
            return
        tally = _Tally(self, expect)
        fh = await asyncio.to_thread(self.open)
        try:
            while tally.read < self.size:
                piece = await asyncio.to_thread(fh.read, tally.want)
                tally.take(piece)
                if tally.read >= self.size:
                    tally.finish(await asyncio.to_thread(fh.read, 1))
                yield piece
                if progress is not None:
                    progress(tally.read, self.size)
        finally:
            fh.close()

    def sha256(self) -> str:
        """The hex SHA-256 of the content, read chunk by chunk (the cache key of uploads).

        Raises:
            SourceChangedError: the file no longer has the size it was checked at.
        """
        tally = _Tally(self, None)
        for _ in self._pieces(tally, None):
            pass
        return tally.hexdigest()

    async def asha256(self) -> str:
        """:meth:`sha256` without blocking the event loop."""
        return await asyncio.to_thread(self.sha256)


def _mime(head: bytes, name: str, mime_type: str | None, label: str) -> str:
    mime = mime_type or sniff_mime(head) or _VIDEO_SUFFIXES.get(Path(name).suffix.lower())
    if mime is None:
        raise MemoriesInputError(
            f"cannot tell the MIME type of {label}; pass mime_type= (e.g. 'video/mp4')"
        )
    kind_of_mime(mime)  # refuses audio and types the API cannot take, before any upload
    return mime.strip().lower()


def extension_for(mime_type: str) -> str:
    """A file extension for a MIME type (``.mp4`` for ``video/mp4``), or ``""``.

    Example:
        >>> extension_for("video/quicktime")
        '.mov'
    """
    if mime_type in _EXTENSIONS:
        return _EXTENSIONS[mime_type]
    import mimetypes

    return mimetypes.guess_extension(mime_type) or ""


def upload_source(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview,
    mime_type: str | None = None,
) -> UploadSource:
    """Check ``source`` (a path or bytes) and settle its size, name and MIME type.

    Raises:
        MemoriesInputError: a missing, empty or unreadable file, empty bytes, an unknown MIME
            type, or another type of source. Always before any request.

    Example:
        >>> src = upload_source(bytes(4) + b"ftypmp42" + bytes(8))
        >>> src.mime_type, src.size, src.name
        ('video/mp4', 20, 'upload.mp4')
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source).cast("B")
        if not len(view):
            raise MemoriesInputError("the bytes to upload are empty")
        mime = _mime(view[:64].tobytes(), "", mime_type, "these bytes")
        return UploadSource(None, view, len(view), f"upload{extension_for(mime)}", mime)
    if isinstance(source, str) and source.lower().startswith(("http://", "https://", "gs://")):
        raise MemoriesInputError(
            f"{source[:80]!r} is a URL: the service fetches URLs itself, so there is nothing to "
            "upload; pass it to the model as it is"
        )
    if not isinstance(source, (str, os.PathLike)):
        raise MemoriesInputError(
            f"an upload source must be a file path or bytes, got {type(source).__name__}"
        )
    path = Path(source)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise MemoriesInputError(f"the file {path} does not exist") from None
    except OSError as exc:
        raise MemoriesInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise MemoriesInputError(f"{path} is not a regular file")
    if stat.st_size == 0:
        raise MemoriesInputError(f"the file {path} is empty")
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise MemoriesInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    mime = _mime(head, path.name, mime_type, str(path))
    return UploadSource(path, None, stat.st_size, path.name, mime)
