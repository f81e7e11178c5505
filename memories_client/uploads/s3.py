"""Upload to any S3-compatible object store and hand the API a presigned GET URL.

Needs the ``s3`` extra (``pip install 'memories-integrations[s3]'``, which brings boto3). Objects
are stored under their content hash (``<prefix><sha256><ext>``), so the same video is stored once
however often it is loaded, and a second process finds it with one ``HEAD`` instead of sending it
again. Large files go up with boto3's managed multipart transfer, read part by part from disk.

The hash is stored with the object (user metadata ``sha256``), and an object counts as already
uploaded only when its size *and* that checksum match: an object left by a file rewritten during
an upload, or written by anything else, is uploaded over. The file is read once, in order, while
it is sent, and checked against its hash before the last part goes (see ``_source``): a file
that changes during the upload raises :class:`SourceChangedError` and the multipart upload is
aborted, so no object is created for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from memories_client.errors import (
    APIConnectionError,
    AuthenticationError,
    MemoriesError,
    MemoriesInputError,
    error_for_status,
)
from memories_client.uploads._cache import UploadCache
from memories_client.uploads._source import (
    ProgressCallback,
    SourceChangedError,
    UploadSource,
    extension_for,
    source_changed,
)
from memories_client.uploads.base import BaseUploader, UploadError

__all__ = ["MAX_PRESIGN_SECONDS", "S3Uploader"]

MAX_PRESIGN_SECONDS = 7 * 24 * 3600
"""SigV4 presigned URLs last at most seven days."""
_MIB = 1 << 20
CHECKSUM_KEY = "sha256"
"""The object metadata key (``x-amz-meta-sha256``) holding the content's hex SHA-256."""


def _boto3() -> Any:
    try:
        import boto3
    except ImportError:
        raise MemoriesInputError(
            "S3Uploader needs boto3: pip install 'memories-integrations[s3]'"
        ) from None
    return boto3


def _error(exc: Exception, what: str) -> MemoriesError:
    """Our typed error for a boto3/botocore failure (HTTP status and S3's code kept)."""
    from botocore import exceptions as bce

    cause = exc
    # s3transfer wraps the real failure of a managed upload in S3UploadFailedError.
    if type(exc).__name__ == "S3UploadFailedError" and isinstance(exc.__context__, Exception):
        cause = exc.__context__
    if isinstance(cause, bce.ClientError):
        meta = cause.response.get("ResponseMetadata", {})
        err = cause.response.get("Error", {})
        status = int(meta.get("HTTPStatusCode") or 0) or None
        cls = error_for_status(status) if status else UploadError
        return cls(
            f"{what} failed: {err.get('Code')}: {err.get('Message')}",
            status=status,
            code=err.get("Code"),
            server_message=err.get("Message"),
            request_id=meta.get("RequestId"),
        )
    if isinstance(cause, (bce.NoCredentialsError, bce.PartialCredentialsError)):
        return AuthenticationError(
            f"{what} failed: no AWS credentials ({cause}); configure them as boto3 reads them "
            "(environment, ~/.aws, an instance role) or pass client=boto3.client('s3', ...)"
        )
    if isinstance(cause, bce.BotoCoreError):
        return APIConnectionError(f"{what} failed: {type(cause).__name__}: {cause}")
    return UploadError(f"{what} failed: {type(exc).__name__}: {exc}")


class _Progress:
    """boto3 reports byte increments from its worker threads; callers want running totals."""

    def __init__(self, progress: ProgressCallback | None, total: int) -> None:
        self.progress, self.total, self.sent = progress, total, 0
        self._lock = threading.Lock()

    def __call__(self, increment: int) -> None:
        if self.progress is None:
            return
        with self._lock:
            self.sent += increment
            sent = self.sent
        self.progress(min(sent, self.total), self.total)


class _Reader:
    """A read-once, non-seekable file object over verified chunks, for ``upload_fileobj``.

    Non-seekable on purpose: s3transfer then reads it once, in order, from one thread (each
    part is buffered for its own retries), so every byte sent passes the hash check.
    """

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._rest = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size: int = -1) -> bytes:
        # Whole chunks are joined once, and only a chunk that straddles the end is cut: a part
        # is copied once on its way to s3transfer, never twice.
        parts, have = ([self._rest], len(self._rest)) if self._rest else ([], 0)
        self._rest = b""
        while size < 0 or have < size:
            piece = next(self._chunks, None)
            if piece is None:
                break
            if size >= 0 and have + len(piece) > size:
                cut = size - have
                parts.append(piece[:cut])
                self._rest = piece[cut:]
                break
            parts.append(piece)
            have += len(piece)
        return parts[0] if len(parts) == 1 else b"".join(parts)


class _PartHashes:
    """The SHA-256 of every part s3transfer will send of a file, and files that check them.

    s3transfer reads each part from disk itself (``OSUtils.open`` then a seek to the part's
    first byte), several at once; :meth:`open` hands it a :class:`_CheckedFile` instead.
    """

    def __init__(self, source: UploadSource, digest: str, part_size: int, threshold: int) -> None:
        from s3transfer.utils import ChunksizeAdjuster

        self.source = source
        size = source.size
        # The part size s3transfer itself will use (it grows parts past 10,000 of them).
        step = ChunksizeAdjuster().adjust_chunksize(part_size, size) if size >= threshold else size
        self.parts: dict[int, tuple[int, str]] = {}
        start, filled, running = 0, 0, hashlib.sha256()
        for piece in source.chunks(expect=digest):  # raises if the file changed since hashing
            view = memoryview(piece)
            while view:
                take = view[: step - filled]
                running.update(take)
                filled += len(take)
                view = view[len(take) :]
                if filled == step:
                    self.parts[start] = (filled, running.hexdigest())
                    start, filled, running = start + filled, 0, hashlib.sha256()
        if filled:
            self.parts[start] = (filled, running.hexdigest())

    def open(self, filename: str, mode: str) -> _CheckedFile:
        # s3transfer only ever reads ("rb"), and closes what it opened.
        return _CheckedFile(open(filename, "rb"), self)

    def changed(self, what: str) -> SourceChangedError:
        return source_changed(self.source, what)


class _CheckedFile:
    """A file s3transfer reads one part of: hashed as it is read, refused if it differs.

    A seek (a new part, or botocore rewinding a part to resend it or after computing its
    checksum) starts the count again from there.
    """

    def __init__(self, fh: BinaryIO, parts: _PartHashes) -> None:
        self._fh, self._parts = fh, parts
        self._begin(0)

    def _begin(self, at: int) -> None:
        self._at, self._read, self._hash = at, 0, hashlib.sha256()
        self._part = self._parts.parts.get(at)

    def seek(self, where: int, whence: int = 0) -> int:
        position = self._fh.seek(where, whence)
        self._begin(position)
        return position

    def tell(self) -> int:
        return self._fh.tell()

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        if not data:
            if size != 0 and self._part is not None and self._read < self._part[0]:
                raise self._parts.changed(f"it ended {self._part[0] - self._read:,} bytes early")
            return data
        if self._part is None:
            raise self._parts.changed(f"it has bytes from offset {self._at + self._read:,} on")
        length, expect = self._part
        self._read += len(data)
        if self._read > length:
            raise self._parts.changed("it grew")
        self._hash.update(data)
        if self._read == length and self._hash.hexdigest() != expect:
            raise self._parts.changed("its content changed (same size, another SHA-256)")
        return data

    def close(self) -> None:
        self._fh.close()


class S3Uploader(BaseUploader):
    """Uploads local videos to an S3 bucket (AWS, MinIO, R2, GCS interop...) for the API.

    The object is written under its content hash and the API gets a presigned GET URL valid for
    ``expires_in`` seconds; the URL is cached for that long (see :class:`BaseUploader`).

    Presigned URLs made from temporary credentials (an assumed role, SSO) stop working when
    those credentials expire, whatever ``expires_in`` says.

    Args:
        bucket: the bucket (it must exist).
        prefix: key prefix of the uploads, e.g. ``"videos/"``.
        client: a boto3 S3 client; by default ``boto3.client("s3", endpoint_url=...,
            region_name=...)`` with boto3's usual credential lookup.
        endpoint_url, region_name: for the default client (an S3-compatible store's URL).
        expires_in: lifetime of the presigned URLs, in seconds (at most seven days).
        skip_existing: ``HEAD`` the key first and skip the upload when an object of the same
            size and the same SHA-256 (its ``sha256`` metadata) is there.
        part_size: multipart part size in bytes; memory use is about ``part_size *
            max_concurrency`` (bytes given in memory: parts are buffered as they go up).
        max_concurrency: parts in flight at once.
        extra_args: more ``ExtraArgs`` for the upload (``{"ServerSideEncryption": "AES256"}``);
            a ``Metadata`` mapping is kept, with ``sha256`` set to the content's hash.
        cache: where URLs are remembered (default: in this process).

    Example:
        >>> uploader = S3Uploader("my-bucket", prefix="videos/", expires_in=6 * 3600)
        >>> uploader.key_for("ab" * 32, "video/mp4")
        'videos/abababababababababababababababababababababababababababababababab.mp4'
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "memories-uploads/",
        client: Any = None,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        expires_in: int = 3600,
        skip_existing: bool = True,
        part_size: int = 8 * _MIB,
        max_concurrency: int = 4,
        extra_args: Mapping[str, Any] | None = None,
        cache: UploadCache | None = None,
    ) -> None:
        super().__init__(cache=cache)
        if not isinstance(bucket, str) or not bucket:
            raise MemoriesInputError("bucket must be a non-empty string")
        if not isinstance(prefix, str):
            raise MemoriesInputError("prefix must be a string")
        if (
            isinstance(expires_in, bool)
            or not isinstance(expires_in, int)
            or not 0 < expires_in <= MAX_PRESIGN_SECONDS
        ):
            raise MemoriesInputError(
                f"expires_in must be whole seconds between 1 and {MAX_PRESIGN_SECONDS} (seven "
                f"days, the longest a SigV4 presigned URL lasts), got {expires_in!r}"
            )
        if not isinstance(part_size, int) or part_size < 5 * _MIB:
            raise MemoriesInputError("part_size must be at least 5 MiB (S3's smallest part)")
        if not isinstance(max_concurrency, int) or max_concurrency < 1:
            raise MemoriesInputError("max_concurrency must be a positive integer")
        boto3 = _boto3()
        self.bucket = bucket
        self.prefix = prefix
        self.expires_in = expires_in
        self.skip_existing = skip_existing
        self.extra_args = dict(extra_args or {})
        self._client = client
        self._client_args = {"endpoint_url": endpoint_url, "region_name": region_name}
        self._client_lock = threading.Lock()
        from boto3.s3.transfer import TransferConfig

        self._config = TransferConfig(
            multipart_threshold=part_size,
            multipart_chunksize=part_size,
            max_concurrency=max_concurrency,
            use_threads=max_concurrency > 1,
        )
        # Parts read ahead and held in memory while they wait for a worker.
        self._config.max_in_memory_upload_chunks = max_concurrency
        self._part_size = part_size
        self._boto3 = boto3

    def __repr__(self) -> str:
        return f"S3Uploader(bucket={self.bucket!r}, prefix={self.prefix!r})"

    @property
    def client(self) -> Any:
        """The boto3 S3 client (created on first use; boto3 clients are thread-safe)."""
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    from botocore.config import Config

                    # SigV4: the only presigned form every current AWS region accepts (boto3
                    # may otherwise presign with the legacy SigV2 for S3).
                    self._client = self._boto3.client(
                        "s3", config=Config(signature_version="s3v4"), **self._client_args
                    )
        return self._client

    @property
    def cache_namespace(self) -> str:
        """URLs are valid for this endpoint, bucket and prefix."""
        endpoint = self._client_args["endpoint_url"] or (
            self._client.meta.endpoint_url if self._client is not None else "aws"
        )
        return f"s3:{endpoint}:{self.bucket}:{self.prefix}"

    def key_for(self, digest: str, mime_type: str) -> str:
        """The object key of content with SHA-256 ``digest``.

        Example:
            >>> S3Uploader("b", prefix="").key_for("00" * 32, "video/quicktime")[-4:]
            '.mov'
        """
        return f"{self.prefix}{digest}{extension_for(mime_type)}"

    def _exists(self, key: str, size: int, digest: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status in (403, 404):  # 403: no ListBucket right, which S3 reports for a miss
                return False
            raise
        metadata = head.get("Metadata")
        stored = metadata.get(CHECKSUM_KEY) if isinstance(metadata, Mapping) else None
        return int(head.get("ContentLength", -1)) == size and stored == digest

    def _upload(
        self, source: UploadSource, digest: str, progress: ProgressCallback | None
    ) -> tuple[str, float | None]:
        key = self.key_for(digest, source.mime_type)
        counter = _Progress(progress, source.size)
        try:
            if self.skip_existing and self._exists(key, source.size, digest):
                counter(source.size)
            else:
                metadata = dict(self.extra_args.get("Metadata") or {})
                metadata[CHECKSUM_KEY] = digest
                extra = {
                    "ContentType": source.mime_type,
                    **self.extra_args,
                    "Metadata": metadata,
                }
                self._send(source, digest, key, extra, counter)
            issued = time.time()
            url = self.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=self.expires_in,
            )
        except MemoriesError:
            raise
        except Exception as exc:  # boto3 raises many unrelated classes; all become typed errors
            raise _error(exc, f"uploading {source.label} to s3://{self.bucket}/{key}") from exc
        return str(url), issued + self.expires_in

    def _send(
        self,
        source: UploadSource,
        digest: str,
        key: str,
        extra: Mapping[str, Any],
        counter: _Progress,
    ) -> None:
        if source.path is None:
            # Bytes: one ordered read, checked against the hash before the last part.
            self.client.upload_fileobj(
                _Reader(source.chunks(expect=digest)),
                self.bucket,
                key,
                ExtraArgs=dict(extra),
                Callback=counter,
                Config=self._config,
            )
            return
        from boto3.s3.transfer import S3Transfer
        from s3transfer.utils import OSUtils

        hashes = _PartHashes(source, digest, self._part_size, self._config.multipart_threshold)
        osutil = OSUtils()
        osutil.open = hashes.open
        # Each part is read from disk when it is sent, through a file that checks it: memory
        # stays near part_size * max_concurrency whatever the file's size.
        with S3Transfer(self.client, self._config, osutil=osutil) as transfer:
            transfer.upload_file(
                os.fspath(source.path), self.bucket, key, callback=counter, extra_args=dict(extra)
            )

    async def _aupload(
        self, source: UploadSource, digest: str, progress: ProgressCallback | None
    ) -> tuple[str, float | None]:
        # boto3 is synchronous: the whole upload runs in a worker thread.
        return await asyncio.to_thread(self._upload, source, digest, progress)
