"""The uploader protocol, the shared upload-once logic, and the errors uploads raise.

An uploader turns a local file (or bytes) into a URL the memories.ai service can fetch, because
the API takes video only by URL for Gemini ("video does not support base64"). Two ship with the
package (:class:`~memories_client.uploads.MemoriesAssetUploader`,
:class:`~memories_client.uploads.S3Uploader`); anything with ``upload`` and ``aupload`` methods
of the same shape is one too.
"""

from __future__ import annotations

import abc
import asyncio
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, runtime_checkable

from memories_client.errors import APITimeoutError, MemoriesAPIError
from memories_client.uploads._cache import MemoryUploadCache, UploadCache
from memories_client.uploads._source import (
    ProgressCallback,
    SourceChangedError,
    UploadSource,
    upload_source,
)

__all__ = [
    "BaseUploader",
    "SourceChangedError",
    "UploadError",
    "UploadSourceLike",
    "UploadTimeoutError",
    "Uploader",
]

UploadSourceLike = str | os.PathLike[str] | bytes | bytearray | memoryview
"""A local file path (``str`` or ``Path``) or the bytes themselves."""


class UploadError(MemoriesAPIError):
    """An upload the service took but then failed (asset status ``FAILED``, a refused envelope).

    Example:
        >>> err = UploadError("asset re_1 failed", code="FAILED")
        >>> err.code
        'FAILED'
    """


class UploadTimeoutError(APITimeoutError):
    """The uploaded asset did not become ready within the uploader's ``poll_timeout``.

    Example:
        >>> isinstance(UploadTimeoutError("still UPLOADING"), TimeoutError)
        True
    """


@runtime_checkable
class Uploader(Protocol):
    """Turns a local video (a path or bytes) into a URL the API can fetch.

    ``upload`` and ``aupload`` return the same URL for the same content: implementations cache
    by content hash for as long as the URL stays valid.

    Example:
        >>> class Public:
        ...     '''Files already published under a web root (a toy uploader).'''
        ...     def upload(self, source, mime_type=None, *, progress=None):
        ...         return "https://cdn.example.com/" + os.path.basename(source)
        ...     async def aupload(self, source, mime_type=None, *, progress=None):
        ...         return self.upload(source, mime_type)
        >>> isinstance(Public(), Uploader)
        True
    """

    def upload(
        self,
        source: UploadSourceLike,
        mime_type: str | None = None,
        *,
        progress: ProgressCallback | None = None,
    ) -> str:
        """Upload ``source`` (unless already uploaded) and return a URL the service can fetch."""

    async def aupload(
        self,
        source: UploadSourceLike,
        mime_type: str | None = None,
        *,
        progress: ProgressCallback | None = None,
    ) -> str:
        """Async :meth:`upload`."""


class BaseUploader(abc.ABC):
    """Upload once per content hash: check the source, hash it, look in the cache, upload.

    Subclasses implement :meth:`_upload` / :meth:`_aupload` (send the content, return the URL
    and when it expires) and :attr:`cache_namespace` (what makes a URL valid: the bucket, the
    service...). The file is read twice on a miss (hash, then send) and once on a hit; never
    whole into memory.

    Args:
        cache: where URLs are remembered; default: this uploader's own in-process cache. Pass a
            :class:`~memories_client.uploads.FileUploadCache` to reuse URLs across runs.
    """

    def __init__(self, *, cache: UploadCache | None = None) -> None:
        self.cache: UploadCache = cache if cache is not None else MemoryUploadCache()
        # One upload per content at a time: a second caller with the same file (two sources
        # naming one file, loaded concurrently) waits for the first and takes its URL.
        self._guard = threading.Lock()
        self._inflight: dict[str, threading.Lock] = {}
        self._ainflight: dict[tuple[int, str], asyncio.Lock] = {}

    def __getstate__(self) -> None:
        # An uploader holds locks, connections and the API key (in its request headers): a
        # pickle would carry the key, so it is refused with a message rather than by a lock.
        raise TypeError(
            f"{type(self).__name__} holds the API key, locks and open connections and cannot be "
            "pickled; build a new uploader in the other process (its cache can be shared: "
            "FileUploadCache)"
        )

    @contextmanager
    def _one_at_a_time(self, key: str) -> Iterator[None]:
        with self._guard:
            lock = self._inflight.setdefault(key, threading.Lock())
        with lock:
            yield

    def _alock(self, key: str) -> asyncio.Lock:
        # asyncio locks belong to one event loop: keyed by the running loop too.
        with self._guard:
            return self._ainflight.setdefault((id(asyncio.get_running_loop()), key), asyncio.Lock())

    @property
    @abc.abstractmethod
    def cache_namespace(self) -> str:
        """What a cached URL is valid for (it prefixes the content hash in cache keys)."""

    @abc.abstractmethod
    def _upload(
        self, source: UploadSource, digest: str, progress: ProgressCallback | None
    ) -> tuple[str, float | None]:
        """Send ``source``; return its URL and the Unix time it expires (None: never)."""

    @abc.abstractmethod
    async def _aupload(
        self, source: UploadSource, digest: str, progress: ProgressCallback | None
    ) -> tuple[str, float | None]:
        """Async :meth:`_upload`."""

    def upload(
        self,
        source: UploadSourceLike,
        mime_type: str | None = None,
        *,
        progress: ProgressCallback | None = None,
    ) -> str:
        """Upload ``source`` unless the same content already has a valid URL; return the URL.

        Raises:
            MemoriesInputError: a missing, empty or unreadable file, or an unknown MIME type,
                before any request.
            SourceChangedError: the file changed while it was hashed or sent (not retried;
                nothing is cached for it).
            UploadError, UploadTimeoutError, MemoriesAPIError: the upload failed.
        """
        src = upload_source(source, mime_type)
        digest = src.sha256()
        key = f"{self.cache_namespace}#{digest}"
        with self._one_at_a_time(key):
            url = self.cache.get(key)
            if url is None:
                url, expires_at = self._upload(src, digest, progress)
                self.cache.put(key, url, expires_at)
                return url
        if progress is not None:
            progress(src.size, src.size)  # nothing to send: report it done
        return url

    async def aupload(
        self,
        source: UploadSourceLike,
        mime_type: str | None = None,
        *,
        progress: ProgressCallback | None = None,
    ) -> str:
        """Async :meth:`upload` (file reads and hashing run in worker threads)."""
        src = upload_source(source, mime_type)
        digest = await src.asha256()
        key = f"{self.cache_namespace}#{digest}"
        async with self._alock(key):
            url = self.cache.get(key)
            if url is None:
                url, expires_at = await self._aupload(src, digest, progress)
                self.cache.put(key, url, expires_at)
                return url
        if progress is not None:
            progress(src.size, src.size)
        return url


def expires_at(lifetime_s: float | None) -> float | None:
    """Unix time ``lifetime_s`` seconds from now (None stays None)."""
    return None if lifetime_s is None else time.time() + lifetime_s
