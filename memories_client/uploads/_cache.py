"""Uploaded URLs by content hash, kept for as long as the URL stays valid.

The same file (the same bytes, whatever its name or path) is uploaded once per URL lifetime.
A URL is handed out again only while it has at least ``min_remaining`` seconds left: the
service fetches the video some time after the call starts, and a URL that expires in between
fails the call.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from memories_client.errors import MemoriesInputError

__all__ = ["DEFAULT_MIN_REMAINING", "FileUploadCache", "MemoryUploadCache", "UploadCache"]

DEFAULT_MIN_REMAINING = 600.0
"""Seconds a cached URL must still be valid for to be reused (10 minutes)."""


@runtime_checkable
class UploadCache(Protocol):
    """Where uploaders remember URLs: ``key`` (uploader target + content hash) -> URL.

    Example:
        >>> isinstance(MemoryUploadCache(), UploadCache)
        True
    """

    def get(self, key: str) -> str | None:
        """The URL stored for ``key`` if it is still valid long enough, else None."""

    def put(self, key: str, url: str, expires_at: float | None) -> None:
        """Remember ``url`` for ``key`` until ``expires_at`` (Unix time; None: no expiry)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    url: str
    expires_at: float | None


class MemoryUploadCache:
    """The default cache: in this process, thread-safe.

    Args:
        min_remaining: seconds a URL must still be valid for to be reused.

    Example:
        >>> cache = MemoryUploadCache()
        >>> cache.put("k", "https://x.test/v.mp4", time.time() + 3600)
        >>> cache.get("k")
        'https://x.test/v.mp4'
        >>> cache.put("old", "https://x.test/o.mp4", time.time() + 60)
        >>> cache.get("old") is None   # expires within min_remaining
        True
    """

    def __init__(self, *, min_remaining: float = DEFAULT_MIN_REMAINING) -> None:
        if not isinstance(min_remaining, (int, float)) or min_remaining < 0:
            raise MemoriesInputError(f"min_remaining must be >= 0 seconds, got {min_remaining!r}")
        self.min_remaining = float(min_remaining)
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def _fresh(self, entry: _Entry | None) -> str | None:
        if entry is None:
            return None
        if entry.expires_at is not None and entry.expires_at - self.min_remaining <= time.time():
            return None
        return entry.url

    def get(self, key: str) -> str | None:
        """The URL for ``key``, if valid for at least ``min_remaining`` more seconds."""
        with self._lock:
            entry = self._entries.get(key)
            url = self._fresh(entry)
            if url is None and entry is not None:
                del self._entries[key]
            return url

    def put(self, key: str, url: str, expires_at: float | None) -> None:
        """Remember ``url`` for ``key``."""
        with self._lock:
            self._entries[key] = _Entry(url, expires_at)

    def __len__(self) -> int:
        with self._lock:
            return sum(self._fresh(e) is not None for e in self._entries.values())


class FileUploadCache(MemoryUploadCache):
    """A cache kept in a JSON file, so a re-run (a notebook, a nightly job) reuses URLs too.

    The file holds signed URLs, which grant read access to the uploads until they expire:
    keep it where only you can read it (it is created with mode 0600).

    Args:
        path: the JSON file (created on first write).
        min_remaining: seconds a URL must still be valid for to be reused.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "uploads.json"
        >>> FileUploadCache(path).put("k", "https://x.test/v.mp4", None)
        >>> FileUploadCache(path).get("k")
        'https://x.test/v.mp4'
    """

    def __init__(
        self, path: str | os.PathLike[str], *, min_remaining: float = DEFAULT_MIN_REMAINING
    ) -> None:
        super().__init__(min_remaining=min_remaining)
        self.path = Path(path)
        try:
            raw = json.loads(self.path.read_text()) if self.path.exists() else {}
        except (OSError, ValueError) as exc:
            raise MemoriesInputError(f"cannot read the upload cache {self.path}: {exc}") from None
        if isinstance(raw, dict):
            for key, value in raw.items():
                if isinstance(value, dict) and isinstance(value.get("url"), str):
                    expires = value.get("expires_at")
                    self._entries[str(key)] = _Entry(
                        value["url"], float(expires) if isinstance(expires, (int, float)) else None
                    )

    def put(self, key: str, url: str, expires_at: float | None) -> None:
        """Remember ``url`` for ``key`` and rewrite the file (atomically)."""
        with self._lock:
            self._entries[key] = _Entry(url, expires_at)
            live = {
                k: {"url": e.url, "expires_at": e.expires_at}
                for k, e in self._entries.items()
                if self._fresh(e) is not None
            }
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Write a sibling file and rename it over the old one: a crash mid-write never
            # leaves half a JSON document behind.
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".uploads-", suffix=".json")
            try:
                with os.fdopen(fd, "w") as fh:
                    json.dump(live, fh)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
