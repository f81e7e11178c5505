"""Video parts from whatever the caller has, with local content sent through an uploader.

This is the hook between "a local video" and the API, which takes Gemini video only by URL: a
URL passes through untouched; a file, bytes or a ``data:`` URI goes to the configured uploader and
the part carries the URL it returns. Without an uploader, local video is sent inline only where
the family takes base64 video (Nova) and it is small enough; otherwise the error says how to
configure an uploader, before any request.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import replace

from memories_client._media import media_from_bytes, media_from_path, media_from_url
from memories_client.catalog import FAMILIES, family_of
from memories_client.errors import MemoriesInputError
from memories_client.types import ChatRequest, MediaPart
from memories_client.uploads._source import ProgressCallback, upload_source
from memories_client.uploads.base import Uploader, UploadSourceLike

__all__ = [
    "INLINE_VIDEO_LIMIT",
    "VideoSourceLike",
    "aupload_local_videos",
    "avideo_part",
    "is_local",
    "upload_local_videos",
    "video_part",
]

INLINE_VIDEO_LIMIT = 25 * 1024 * 1024
"""Largest local video sent inline (base64) when no uploader is set: Amazon Bedrock's limit for
video bytes sent to Nova. Larger videos need an uploader."""

VideoSourceLike = str | os.PathLike[str] | bytes | bytearray | memoryview
"""A URL or ``data:`` URI (``str``), a local file (``Path``), or the video's bytes."""

_URL_SCHEMES = ("http://", "https://", "gs://")
_HOW = (
    "pass uploader=MemoriesAssetUploader() (memories.ai's own storage) or "
    "uploader=S3Uploader('<bucket>') (from memories_client.uploads), or publish the file and "
    "pass its URL"
)


def _local(source: VideoSourceLike) -> str | os.PathLike[str] | bytes | bytearray | memoryview:
    """The local content of ``source`` (a path or bytes); a data: URI is decoded."""
    if isinstance(source, str):
        header, sep, payload = source.partition(",")
        if not source[:5].lower() == "data:" or not sep or ";base64" not in header.lower():
            raise MemoriesInputError(
                f"a video given as text must be an http(s):// or gs:// URL or a base64 data: URI, "
                f"got {source[:80]!r}; pass a local file as a pathlib.Path"
            )
        try:
            return base64.b64decode("".join(payload.split()), validate=True)
        except (binascii.Error, ValueError):
            raise MemoriesInputError("the video data: URI is not valid base64") from None
    if isinstance(source, (os.PathLike, bytes, bytearray, memoryview)):
        return source
    raise MemoriesInputError(
        f"cannot make a video part from {type(source).__name__}; pass a URL, a pathlib.Path or "
        "bytes"
    )


def _mime_of_uri(source: VideoSourceLike, mime_type: str | None) -> str | None:
    if mime_type is None and isinstance(source, str) and source[:5].lower() == "data:":
        declared = source[5:].split(",", 1)[0].split(";", 1)[0].strip()
        return declared or None
    return mime_type


def _inline(
    content: str | os.PathLike[str] | bytes | bytearray | memoryview,
    mime_type: str | None,
    family: str,
) -> MediaPart:
    src = upload_source(content, mime_type)  # checks the file / bytes and the MIME type
    info = FAMILIES.get(family)
    if info is None or not info.video_base64_allowed:
        raise MemoriesInputError(
            f"{src.label}: {family} models take video only by URL (the API: video does not "
            f"support base64), so a local video needs an uploader: {_HOW}"
        )
    if src.size > INLINE_VIDEO_LIMIT:
        raise MemoriesInputError(
            f"{src.label} is {src.size / 2**20:.0f} MiB, more than the "
            f"{INLINE_VIDEO_LIMIT / 2**20:.0f} MiB sent inline; use an uploader: {_HOW}"
        )
    if src.path is not None:
        return media_from_path(src.path, src.mime_type)
    assert src.data is not None
    return media_from_bytes(src.data, src.mime_type)


def _prepare(
    source: VideoSourceLike, mime_type: str | None, family: str, uploader: Uploader | None
) -> MediaPart | tuple[UploadSourceLike, str]:
    """The finished part (a URL, or inline data), or what to upload and its MIME type."""
    if isinstance(source, str) and source.lower().startswith(_URL_SCHEMES):
        return media_from_url(source, mime_type or _url_mime(source))
    content = _local(source)
    mime = _mime_of_uri(source, mime_type)
    if uploader is None:
        return _inline(content, mime, family)
    src = upload_source(content, mime)
    return (src.path if src.path is not None else content), src.mime_type


def video_part(
    source: VideoSourceLike,
    mime_type: str | None = None,
    *,
    family: str,
    uploader: Uploader | None = None,
    progress: ProgressCallback | None = None,
) -> MediaPart:
    """A video part for a model of ``family``; local content goes through ``uploader``.

    Args:
        source: an ``http(s)://`` / ``gs://`` URL (passed as is), a base64 ``data:`` URI, a
            ``pathlib.Path`` or bytes. Plain strings are never read as file names.
        mime_type: the video's type; sniffed from the content or guessed from the name if None.
        family: the model family (``gemini``, ``nova``...), which decides whether inline video
            is possible at all.
        uploader: turns local content into a URL; without one, local video is inline (Nova,
            up to :data:`INLINE_VIDEO_LIMIT`) or refused.
        progress: ``progress(sent, total)`` during an upload.

    Raises:
        MemoriesInputError: a bad source, or local video the family cannot take inline and no
            uploader; before any request.

    Example:
        >>> video_part("https://example.com/clip.mp4", family="gemini").url
        'https://example.com/clip.mp4'
        >>> video_part(bytes(4) + b"ftypmp42" + bytes(8), family="gemini")
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: <20 bytes>: gemini models take video only ...
    """
    prepared = _prepare(source, mime_type, family, uploader)
    if isinstance(prepared, MediaPart):
        return prepared
    assert uploader is not None
    content, mime = prepared
    return media_from_url(uploader.upload(content, mime, progress=progress), mime)


async def avideo_part(
    source: VideoSourceLike,
    mime_type: str | None = None,
    *,
    family: str,
    uploader: Uploader | None = None,
    progress: ProgressCallback | None = None,
) -> MediaPart:
    """Async :func:`video_part` (the upload runs through ``uploader.aupload``).

    Example:
        >>> import asyncio
        >>> asyncio.run(avideo_part("gs://bucket/clip.webm", family="nova")).mime_type
        'video/webm'
    """
    prepared = _prepare(source, mime_type, family, uploader)
    if isinstance(prepared, MediaPart):
        return prepared
    assert uploader is not None
    content, mime = prepared
    return media_from_url(await uploader.aupload(content, mime, progress=progress), mime)


def _url_mime(url: str) -> str | None:
    """None when the URL's name tells the type; else ``video/mp4``, the common default.

    A video URL without a telling extension (a signed link) is still a video: Gemini needs some
    MIME type beside it and sniffs the real format itself.
    """
    try:
        media_from_url(url)
    except MemoriesInputError:
        return "video/mp4"
    return None


def is_local(source: object) -> bool:
    """True for content an uploader would send (a path, bytes or a data: URI).

    Example:
        >>> from pathlib import Path
        >>> is_local(Path("clip.mp4")), is_local("https://x.test/a.mp4")
        (True, False)
    """
    if isinstance(source, str):
        return source[:5].lower() == "data:"
    return isinstance(source, (os.PathLike, bytes, bytearray, memoryview))


def _local_videos(request: ChatRequest) -> list[tuple[int, int, MediaPart]]:
    family = family_of(request.model) if isinstance(request.model, str) else None
    info = FAMILIES.get(family) if family is not None else None
    if info is not None and "video" not in info.input_kinds:
        # A family that takes no video (GPT) refuses the request when it is validated; the
        # user's video is not uploaded anywhere first.
        return []
    return [
        (m, p, part)
        for m, message in enumerate(request.messages)
        for p, part in enumerate(message.parts)
        if isinstance(part, MediaPart) and part.kind == "video" and part.is_inline
    ]


def _with_parts(
    request: ChatRequest, found: list[tuple[int, int, MediaPart]], parts: list[MediaPart]
) -> ChatRequest:
    messages = list(request.messages)
    for (m, p, _), part in zip(found, parts, strict=True):
        message = messages[m]
        new_parts = list(message.parts)
        new_parts[p] = part
        messages[m] = replace(message, parts=tuple(new_parts))
    return request.replace(messages=messages)


def upload_local_videos(request: ChatRequest, uploader: Uploader | None) -> ChatRequest:
    """``request`` with its inline videos uploaded and sent by URL (unchanged without any).

    The hook a chat model calls before sending when it has an uploader: a video given as bytes,
    base64 or a file (which the message converters hold inline) goes through ``uploader``, and the
    part then carries the URL it returns. Images and documents stay inline.

    Example:
        >>> from memories_client import ChatRequest, Message, media_from_url
        >>> request = ChatRequest(model="gemini:gemini-2.5-flash",
        ...                       messages=[Message.user("Hi", media_from_url("https://x.test/a.mp4"))])
        >>> upload_local_videos(request, None) is request
        True
    """
    if uploader is None:
        return request
    found = _local_videos(request)
    if not found:
        return request
    uploaded = []
    for _, _, part in found:
        data = base64.b64decode(part.b64_text())
        uploaded.append(media_from_url(uploader.upload(data, part.mime_type), part.mime_type))
    return _with_parts(request, found, uploaded)


async def aupload_local_videos(request: ChatRequest, uploader: Uploader | None) -> ChatRequest:
    """Async :func:`upload_local_videos` (uploads run through ``uploader.aupload``).

    Example:
        >>> import asyncio
        >>> from memories_client import ChatRequest, Message
        >>> request = ChatRequest(model="gemini:gemini-2.5-flash", messages=[Message.user("Hi")])
        >>> asyncio.run(aupload_local_videos(request, None)) is request
        True
    """
    if uploader is None:
        return request
    found = _local_videos(request)
    if not found:
        return request
    uploaded = []
    for _, _, part in found:
        data = base64.b64decode(part.b64_text())
        url = await uploader.aupload(data, part.mime_type)
        uploaded.append(media_from_url(url, part.mime_type))
    return _with_parts(request, found, uploaded)
