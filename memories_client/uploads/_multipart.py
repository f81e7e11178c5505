"""A ``multipart/form-data`` body with one file field, streamed chunk by chunk.

httpx can stream a file object in a multipart body, but gives no progress and cannot read a file
off the event loop; this writes the few header bytes itself and streams the content between them,
with an exact ``Content-Length`` (storage services refuse chunked uploads of unknown length).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator

from memories_client._decoding import ACCEPT_ENCODING
from memories_client.uploads._source import ProgressCallback, UploadSource

__all__ = ["MultipartBody"]


def _quoted(value: str) -> str:
    # RFC 7578: the name is a quoted string; quotes and line breaks cannot appear in it.
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class MultipartBody:
    """The bytes of a one-file multipart form, as sync and async chunk iterators.

    Example:
        >>> from memories_client.uploads._source import upload_source
        >>> body = MultipartBody(upload_source(b"%PDF-1.4 x"), field="file")
        >>> data = b"".join(body.chunks())
        >>> len(data) == body.length, b'name="file"; filename="upload.pdf"' in data
        (True, True)
    """

    def __init__(
        self,
        source: UploadSource,
        *,
        field: str = "file",
        progress: ProgressCallback | None = None,
        expect: str | None = None,
    ) -> None:
        self.source = source
        self.progress = progress
        # The SHA-256 the content must still have: a file rewritten since it was hashed raises
        # SourceChangedError before its last piece is sent (see _source).
        self.expect = expect
        boundary = secrets.token_hex(16)
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self._head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{_quoted(field)}"; '
            f'filename="{_quoted(source.name)}"\r\n'
            f"Content-Type: {source.mime_type}\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self.length = len(self._head) + source.size + len(self._tail)

    @property
    def headers(self) -> dict[str, str]:
        """``Content-Type`` (with the boundary), ``Content-Length`` and ``Accept-Encoding``."""
        return {
            "Content-Type": self.content_type,
            "Content-Length": str(self.length),
            # The storage's answer is read by the same bounded reader as every other answer.
            "Accept-Encoding": ACCEPT_ENCODING,
        }

    def chunks(self) -> Iterator[bytes]:
        """The body, re-readable (a retry iterates it again from the start)."""
        yield self._head
        yield from self.source.chunks(self.progress, expect=self.expect)
        yield self._tail

    async def achunks(self) -> AsyncIterator[bytes]:
        """The body for an async client; file reads run in a worker thread."""
        yield self._head
        async for piece in self.source.achunks(self.progress, expect=self.expect):
            yield piece
        yield self._tail
