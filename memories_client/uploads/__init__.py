"""Local videos to URLs the memories.ai API can fetch: uploaders, their cache, the part hook.

The API takes Gemini video only by URL. An uploader sends a local file (streamed from disk, with
progress) and returns a URL; the same content is uploaded once per URL lifetime, found by its
SHA-256.

* :class:`Uploader`: the protocol (``upload`` / ``aupload``); any object with those methods works.
* :class:`MemoriesAssetUploader`: memories.ai's own asset storage (signed-URL upload, status
  polling).
* :class:`S3Uploader`: any S3-compatible store, presigned GET URLs (the ``s3`` extra).
* :class:`MemoryUploadCache` (default) and :class:`FileUploadCache` (survives restarts).
* :func:`video_part` / :func:`avideo_part`: a video part from a URL, path, bytes or data URI,
  uploading local content; what the framework layers call.
* :func:`upload_local_videos` / :func:`aupload_local_videos`: a request with its inline videos
  uploaded and sent by URL; the hook a chat model runs before sending when it has an uploader.

Example:
    >>> import pathlib, tempfile
    >>> from memories_emulator import Emulator
    >>> from memories_client.uploads import MemoriesAssetUploader, video_part
    >>> clip = pathlib.Path(tempfile.mkdtemp()) / "clip.mp4"
    >>> _ = clip.write_bytes(bytes(4) + b"ftypmp42" + bytes(1000))
    >>> with Emulator() as emu:
    ...     uploader = MemoriesAssetUploader(api_key="k", base_url=emu.base_url)
    ...     part = video_part(clip, family="gemini", uploader=uploader)
    ...     base = emu.base_url
    >>> part.kind, part.url.startswith(base)
    ('video', True)
"""

from __future__ import annotations

from memories_client.uploads._cache import (
    DEFAULT_MIN_REMAINING,
    FileUploadCache,
    MemoryUploadCache,
    UploadCache,
)
from memories_client.uploads._source import ProgressCallback, UploadSource, upload_source
from memories_client.uploads.base import (
    BaseUploader,
    SourceChangedError,
    Uploader,
    UploadError,
    UploadSourceLike,
    UploadTimeoutError,
)
from memories_client.uploads.memories import MemoriesAssetUploader, UploadedAsset
from memories_client.uploads.parts import (
    INLINE_VIDEO_LIMIT,
    VideoSourceLike,
    aupload_local_videos,
    avideo_part,
    is_local,
    upload_local_videos,
    video_part,
)
from memories_client.uploads.s3 import S3Uploader

__all__ = [
    "DEFAULT_MIN_REMAINING",
    "INLINE_VIDEO_LIMIT",
    "BaseUploader",
    "FileUploadCache",
    "MemoriesAssetUploader",
    "MemoryUploadCache",
    "ProgressCallback",
    "S3Uploader",
    "SourceChangedError",
    "UploadCache",
    "UploadError",
    "UploadSource",
    "UploadSourceLike",
    "UploadTimeoutError",
    "UploadedAsset",
    "Uploader",
    "VideoSourceLike",
    "aupload_local_videos",
    "avideo_part",
    "is_local",
    "upload_local_videos",
    "upload_source",
    "video_part",
]
