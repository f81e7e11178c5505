"""Video sources: what a loader is given, normalised and checked; MP4/MOV lengths."""

from __future__ import annotations

import hashlib
import math
import os
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from memories_client.errors import MemoriesInputError

__all__ = [
    "VIDEO_BOOKKEEPING_KEYS",
    "VideoSource",
    "known_duration",
    "probe_duration",
    "video_sources",
]


VIDEO_BOOKKEEPING_KEYS = frozenset(
    {
        "video_id",
        "scene_index",
        "model",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "cost_usd",
        "windows",
    }
)
"""Record metadata for bookkeeping (ids, tokens, cost): useful to filter and total, noise to an
embedding or a prompt. LlamaIndex documents hide them from both."""
_RESERVED_KEYS = VIDEO_BOOKKEEPING_KEYS | {
    "source",
    "kind",
    "start_s",
    "end_s",
    "title",
    "duration_s",
}
"""Every metadata key the loader sets: a source's own metadata may not use them."""


@dataclass(frozen=True, slots=True)
class VideoSource:
    """One video to load, with what is known about it.

    Give exactly one of ``url``, ``path``, ``data`` or ``base64``. Plain values are accepted
    wherever a source is (:func:`video_sources`): an ``http(s)://`` / ``gs://`` URL, a
    ``data:`` URI, a file path (``str`` or ``Path``) or bytes.

    Attributes:
        url: a URL the service fetches itself.
        path: a local file (sent through the uploader).
        data: the video's bytes (sent through the uploader).
        base64: the video as base64 text (sent through the uploader).
        mime_type: the video's type (sniffed or guessed when None).
        duration_s: the length in seconds, if known (lets long videos be windowed up front).
        title: a title, put in the records' text and metadata.
        metadata: more metadata for every record of this video (reserved keys are refused).
        id: a stable id for the records (default: a hash of the URL, path or content).

    Example:
        >>> VideoSource(url="https://example.com/a.mp4", duration_s=90, title="A").label
        'https://example.com/a.mp4'
    """

    url: str | None = None
    path: str | os.PathLike[str] | None = None
    data: bytes | None = field(default=None, repr=False)
    base64: str | None = field(default=None, repr=False)
    mime_type: str | None = None
    duration_s: float | None = None
    title: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None

    def __post_init__(self) -> None:
        given = [k for k in ("url", "path", "data", "base64") if getattr(self, k) is not None]
        if len(given) != 1:
            raise MemoriesInputError(
                "a VideoSource needs exactly one of url, path, data or base64, got "
                f"{', '.join(given) or 'none'}"
            )
        if self.url is not None and (
            not isinstance(self.url, str)
            or not self.url.lower().startswith(("http://", "https://", "gs://"))
        ):
            raise MemoriesInputError(
                f"VideoSource url must be an http(s):// or gs:// URL, got {self.url!r}"
            )
        if self.duration_s is not None and (
            isinstance(self.duration_s, bool)
            or not isinstance(self.duration_s, (int, float))
            or not 0 < self.duration_s < math.inf
        ):
            raise MemoriesInputError(
                f"duration_s must be a positive number of seconds, got {self.duration_s!r}"
            )
        if not isinstance(self.metadata, Mapping):
            raise MemoriesInputError("VideoSource metadata must be a mapping")
        clash = sorted(_RESERVED_KEYS & set(self.metadata))
        if clash:
            raise MemoriesInputError(
                f"VideoSource metadata keys {clash} are set by the loader; rename them"
            )

    @property
    def label(self) -> str:
        """How records and messages name the video: its URL or path (never its bytes)."""
        if self.url is not None:
            return self.url
        if self.path is not None:
            return os.fspath(self.path)
        return f"{'bytes' if self.data is not None else 'base64'}:{self.video_id}"

    @property
    def video_id(self) -> str:
        """A stable id: the given ``id``, else a hash of the URL, absolute path or content."""
        if self.id is not None:
            return self.id
        if self.url is not None:
            basis = self.url.encode()
        elif self.path is not None:
            basis = os.fspath(Path(self.path).resolve()).encode()
        else:
            basis = self.data if self.data is not None else (self.base64 or "").encode()
        return hashlib.sha256(basis).hexdigest()[:16]

    @property
    def content(self) -> str | os.PathLike[str] | bytes:
        """What :func:`memories_client.uploads.video_part` takes."""
        if self.url is not None:
            return self.url
        if self.path is not None:
            return Path(self.path)
        if self.data is not None:
            return self.data
        return f"data:{self.mime_type or 'video/mp4'};base64,{self.base64}"


def _as_source(item: Any, where: str) -> VideoSource:
    if isinstance(item, VideoSource):
        return item
    if isinstance(item, (bytes, bytearray, memoryview)):
        return VideoSource(data=bytes(item))
    if isinstance(item, os.PathLike):
        return VideoSource(path=item)
    if isinstance(item, str):
        if not item.strip():
            raise MemoriesInputError(f"{where} is an empty string")
        lowered = item.lower()
        if lowered.startswith(("http://", "https://", "gs://")):
            return VideoSource(url=item)
        if lowered.startswith("data:"):
            header, sep, payload = item.partition(",")
            if not sep or ";base64" not in header.lower():
                raise MemoriesInputError(f"{where}: only base64 data: URIs are supported")
            return VideoSource(base64=payload, mime_type=header[5:].split(";", 1)[0] or None)
        if lowered.startswith("file://"):
            return VideoSource(path=item[7:])
        if "://" in item:
            raise MemoriesInputError(
                f"{where}: {item[:80]!r} is not an http(s):// or gs:// URL, a data: URI or a path"
            )
        return VideoSource(path=item)  # a loader's sources are file names, as in every loader
    raise MemoriesInputError(
        f"{where} is a {type(item).__name__}; pass URLs, paths, bytes or VideoSource objects"
    )


def video_sources(sources: Any) -> list[VideoSource]:
    """Check and normalise a loader's sources (one source, or an iterable of them).

    Raises:
        MemoriesInputError: a source of the wrong type or shape, before any request.

    Example:
        >>> [s.url or s.path for s in video_sources(["https://x.test/a.mp4", "clip.mp4"])]
        ['https://x.test/a.mp4', 'clip.mp4']
    """
    if isinstance(sources, (str, bytes, bytearray, memoryview, os.PathLike, VideoSource)):
        sources = [sources]
    if not isinstance(sources, Iterable):
        raise MemoriesInputError(
            f"sources must be a video or an iterable of videos, got {type(sources).__name__}"
        )
    return [_as_source(item, f"sources[{i}]") for i, item in enumerate(sources)]


_MAX_BOXES = 4096
"""Boxes read per level before giving up: a real file has a handful before ``moov`` (a
fragmented one, a few thousand ``moof``/``mdat`` pairs, and ``moov`` first); a crafted one of
millions of 8-byte boxes would otherwise cost a read each."""


def _boxes(fh: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the ISO-BMFF boxes between ``start`` and ``end``."""
    pos = start
    for _ in range(_MAX_BOXES):
        if pos + 8 > end:
            return
        fh.seek(pos)
        head = fh.read(16)
        if len(head) < 8:
            return
        size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1 and len(head) == 16:
            size, header = struct.unpack(">Q", head[8:16])[0], 16
        elif size == 0:
            size = end - pos
        if size < header:
            return
        yield kind, pos + header, min(pos + size, end)
        pos += size


def _mp4_duration(fh: BinaryIO, size: int) -> float | None:
    for kind, start, end in _boxes(fh, 0, size):
        if kind != b"moov":
            continue
        for child, cstart, _ in _boxes(fh, start, end):
            if child != b"mvhd":
                continue
            fh.seek(cstart)
            body = fh.read(32)
            if not body:
                return None
            if body[0] == 1 and len(body) >= 32:  # version 1: 64-bit times
                scale, length = struct.unpack(">IQ", body[20:32])
            elif len(body) >= 20:
                scale, length = struct.unpack(">II", body[12:20])
            else:
                return None
            return length / scale if scale and length else None
    return None


def known_duration(source: VideoSource) -> float | None:
    """A source's length: ``duration_s`` if given, else a local MP4/MOV file's header, else None.

    Reads nothing but a local file's box headers (never the network, never the model).

    Example:
        >>> known_duration(VideoSource(url="https://x.test/a.mp4", duration_s=90))
        90.0
        >>> known_duration(VideoSource(url="https://x.test/a.mp4")) is None
        True
    """
    if source.duration_s is not None:
        return float(source.duration_s)
    if source.path is not None:
        return probe_duration(source.path)
    if source.data is not None:
        return probe_duration(source.data)
    return None


def probe_duration(source: str | os.PathLike[str] | bytes) -> float | None:
    """The length in seconds of an MP4 / MOV file or bytes, from its ``mvhd`` header; else None.

    Only box headers are read (a few hundred bytes, wherever ``moov`` sits), so this is cheap
    for any file size. Other containers (WebM, MKV, AVI), anything that is not a regular file
    (a FIFO would block) and unreadable or malformed headers give None. The header is the
    file's claim, not a measurement: a 1 KB file can claim 35 days (the loader bounds what a
    claimed length may cost; see ``SceneOptions.max_windows``).

    Example:
        >>> import struct
        >>> mvhd = struct.pack(">I4s4x8xII", 28, b"mvhd", 1000, 93_500)
        >>> moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
        >>> probe_duration(struct.pack(">I4s4s4x", 16, b"ftyp", b"isom") + moov)
        93.5
    """
    try:
        if isinstance(source, (bytes, bytearray, memoryview)):
            import io

            return _mp4_duration(io.BytesIO(bytes(source)), len(source))
        path = Path(source)
        if not path.is_file():
            return None
        with path.open("rb") as fh:
            return _mp4_duration(fh, path.stat().st_size)
    except (OSError, ValueError, struct.error):  # ValueError: a NUL in the path
        return None
