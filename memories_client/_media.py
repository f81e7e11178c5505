"""Build media parts from URLs, ``data:`` URIs, bytes, base64 text and local files.

Every builder checks its input and settles the MIME type (given, sniffed from the bytes, or
guessed from the file name) so that a bad input fails here, before any request, with a message
that says what to do. Bytes are base64-encoded exactly once.

URLs are passed to the service as references: we never download them, because the service's
model backend fetches them itself (and a YouTube page downloaded client-side is HTML, not video).

Example:
    >>> from memories_client._media import media_from_url, media_from_bytes
    >>> media_from_url("https://example.com/clip.mp4").mime_type
    'video/mp4'
    >>> png = bytes.fromhex("89504e470d0a1a0a") + bytes(16)
    >>> media_from_bytes(png).kind
    'image'
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from memories_client._warnings import warn
from memories_client.errors import MemoriesInputError
from memories_client.types import MediaKind, MediaPart

__all__ = [
    "DEFAULT_MIME",
    "PageURLWarning",
    "kind_of_mime",
    "media_from_base64",
    "media_from_bytes",
    "media_from_data_uri",
    "media_from_path",
    "media_from_url",
    "media_part",
    "sniff_mime",
]

DEFAULT_MIME: dict[MediaKind, str] = {
    "image": "image/jpeg",
    "video": "video/mp4",
    "document": "application/pdf",
}
"""The stand-in MIME type of each kind, for a URL whose name does not tell its type.

Gemini needs some MIME type next to every file and its backend sniffs the real image or video
format, so the kind's most common type is a safe stand-in (the same defaults LlamaIndex's
``GoogleGenAI`` uses)."""

_URL_SCHEMES = ("http://", "https://", "gs://")
# Extensions that the stdlib table lacks or gets wrong on some systems.
_EXTRA_TYPES = {
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".avi": "video/x-msvideo",
    ".flv": "video/x-flv",
    ".wmv": "video/x-ms-wmv",
    ".m4v": "video/mp4",
    ".mp4": "video/mp4",
    ".mpeg": "video/mpeg",
    ".mpg": "video/mpeg",
    ".3gp": "video/3gpp",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
}
_B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Inline media is checked slice by slice: the copies a slice needs stay small next to a 27 MB
# base64 string, and 256 KiB measured fastest.
_SCAN_SLICE = 1 << 18
# RFC 6838 also allows !#$&^ in names; no image, video or document type uses them and the
# service's validators (like the emulator's) refuse them, so they are refused here first.
_MIME_RE = re.compile(r"[a-z0-9][a-z0-9_.+-]*/[a-z0-9][a-z0-9_.+-]*")


def sniff_mime(head: bytes) -> str | None:
    """Guess a MIME type from the first bytes of a file, or None.

    Example:
        >>> sniff_mime(b"%PDF-1.7 ...")
        'application/pdf'
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "image/heic"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand.startswith(b"M4A"):
            return "audio/mp4"
        if brand.startswith(b"3g"):
            return "video/3gpp"
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    return None


def _mime_from_name(name: str) -> str | None:
    suffix = os.path.splitext(name.lower())[1]
    if suffix in _EXTRA_TYPES:
        return _EXTRA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type("x" + suffix) if suffix else (None, None)
    return guessed


def kind_of_mime(mime_type: str) -> MediaKind:
    """Map a MIME type to the kind of part it is, refusing what the API cannot take.

    Example:
        >>> kind_of_mime("image/png"), kind_of_mime("video/mp4"), kind_of_mime("application/pdf")
        ('image', 'video', 'document')
    """
    mime = mime_type.lower()
    if mime.startswith("image/"):
        return "image"
    if mime.startswith("video/"):
        return "video"
    if mime == "application/pdf" or mime.startswith("text/"):
        return "document"
    if mime.startswith("audio/"):
        raise MemoriesInputError(
            f"audio input ({mime_type}) is not supported by the memories.ai chat-completions "
            "API; send video, image or text instead"
        )
    raise MemoriesInputError(
        f"unsupported MIME type {mime_type!r}; the API takes image/*, video/*, application/pdf "
        "and text/* files"
    )


def _check_mime(mime_type: str, source: str) -> str:
    mime = mime_type.strip().lower()
    if not _MIME_RE.fullmatch(mime):
        raise MemoriesInputError(
            f"{source}: mime_type {mime_type!r} is not a MIME type like 'image/png' or 'video/mp4'"
        )
    return mime


def _part(
    mime_type: str, source: str, *, url: str | None = None, data: str | bytes | None = None
) -> MediaPart:
    mime = _check_mime(mime_type, source)
    return MediaPart(kind=kind_of_mime(mime), mime_type=mime, url=url, data=data)


# Video sites whose page URLs the service cannot read (docs/API_FACTS.md: TikTok pages are
# blocked by robots.txt for the backend that fetches media; docs/LANGCHAIN.md and
# docs/LLAMAINDEX.md say the same of YouTube pages). A warning, not a refusal: that YouTube
# pages fail is our reading, not something the service's pages state.
_PAGE_HOSTS = frozenset({"youtube.com", "youtu.be", "tiktok.com", "vm.tiktok.com"})


class PageURLWarning(UserWarning):
    """A media URL is a video site's web page (YouTube, TikTok), which the service cannot fetch.

    Example:
        >>> issubclass(PageURLWarning, UserWarning)
        True
    """


def media_from_url(
    url: str, mime_type: str | None = None, *, kind: MediaKind | None = None
) -> MediaPart:
    """A part the service fetches itself from an ``http(s)://`` or ``gs://`` URL.

    ``data:`` URIs are accepted too and become inline data. The MIME type is guessed from the
    URL's file extension when not given; for a URL without a telling extension (a signed link,
    say) pass ``mime_type``, or the ``kind`` the caller knows (a framework's image, video or
    document block), which stands in with that kind's common type (:data:`DEFAULT_MIME`). The
    URL must be publicly fetchable by the service: page URLs of social sites (TikTok, YouTube
    pages) are blocked for it.

    Example:
        >>> media_from_url("https://example.com/v?id=1", mime_type="video/mp4").kind
        'video'
        >>> media_from_url("https://cdn.example.com/a1b2", kind="image").mime_type
        'image/jpeg'
    """
    if not isinstance(url, str) or not url.strip():
        raise MemoriesInputError("media url must be a non-empty string")
    url = url.strip()
    if url[:5].lower() == "data:":
        return media_from_data_uri(url, mime_type=mime_type)
    if not url.lower().startswith(_URL_SCHEMES):
        raise MemoriesInputError(
            f"media url must start with http://, https:// or gs:// (or be a data: URI), got "
            f"{url[:80]!r}; for a local file use media_from_path()"
        )
    parts = urlsplit(url)
    if not parts.netloc:
        raise MemoriesInputError(f"media url {url[:80]!r} has no host; pass a full URL")
    if (parts.hostname or "").removeprefix("www.").removeprefix("m.") in _PAGE_HOSTS:
        warn(
            f"media url {url[:80]!r} is a video site's web page, not a media file: the service "
            "fetches the URL itself and cannot read such pages (TikTok's are blocked by "
            "robots.txt), so the call is likely to fail. Pass a direct link to the file (.mp4)",
            PageURLWarning,
        )
    if mime_type is None:
        mime_type = _mime_from_name(unquote(parts.path))
        if mime_type is None and kind is not None:
            mime_type = DEFAULT_MIME[kind]
        if mime_type is None:
            raise MemoriesInputError(
                f"cannot tell the MIME type of {url[:120]!r} from its name; pass mime_type= "
                "(e.g. 'video/mp4' or 'image/jpeg')"
            )
    return _part(mime_type, "media url", url=url)


def _is_plain_b64(data: str | bytes | bytearray) -> bool:
    """True if ``data`` is standard, padded base64 with nothing to clean (no whitespace).

    This is what nearly every caller passes, so it is checked first and cheaply: deleting the
    alphabet with ``bytes.translate``, slice by slice, leaves whatever is not base64, at a small
    fraction of the cost of a regex over a 20 MB image's 27 MB of base64 (``benchmarks/inline.py``).
    """
    size = len(data)
    if not size or size % 4:
        return False
    # str.isascii() reads a flag CPython keeps on every str; it does not scan.
    if isinstance(data, str) and not data.isascii():
        return False
    tail = data[-2:]
    tail_bytes = tail.encode("ascii") if isinstance(tail, str) else bytes(tail)
    end = size - 2 if tail_bytes == b"==" else size - 1 if tail_bytes.endswith(b"=") else size
    for start in range(0, end, _SCAN_SLICE):
        piece = data[start : min(start + _SCAN_SLICE, end)]
        raw = piece.encode("ascii") if isinstance(piece, str) else piece
        if raw.translate(None, _B64_ALPHABET):
            return False
    return True


def _validated_b64(text: str, source: str) -> str:
    """Return base64 text with whitespace removed, refusing anything that is not base64."""
    if _is_plain_b64(text):
        return text
    cleaned = "".join(text.split())  # the same object, not a copy, when there is no whitespace
    if not cleaned:
        raise MemoriesInputError(f"{source}: the base64 data is empty")
    if cleaned is not text and _is_plain_b64(cleaned):  # wrapped lines (MIME-style base64)
        return cleaned
    if _B64URL_RE.fullmatch(cleaned) and not _B64_RE.fullmatch(cleaned):
        cleaned = cleaned.replace("-", "+").replace("_", "/")
    if len(cleaned) % 4:
        cleaned += "=" * (-len(cleaned) % 4)
    if not _B64_RE.fullmatch(cleaned) or len(cleaned) % 4:
        raise MemoriesInputError(f"{source}: the data is not valid base64")
    return cleaned


_B64_SLICE = 3 << 20  # a multiple of 3, so slices encode without padding in between


def _b64(data: bytes | bytearray | memoryview) -> bytearray:
    """Base64 of ``data`` in one exactly-sized buffer.

    ``base64.b64encode`` over-allocates its output and copies it down, peaking near twice the
    result; encoding slice by slice into a preallocated buffer keeps the peak at the result.
    """
    view = memoryview(data).cast("B")
    out = bytearray(4 * ((len(view) + 2) // 3))
    pos = 0
    for start in range(0, len(view), _B64_SLICE):
        chunk = binascii.b2a_base64(view[start : start + _B64_SLICE], newline=False)
        out[pos : pos + len(chunk)] = chunk
        pos += len(chunk)
    return out


def _head_of_b64(b64: str) -> bytes:
    try:
        return base64.b64decode(b64[:88])
    except (binascii.Error, ValueError):
        return b""


def _mime_of_b64(b64_head: str, mime_type: str | None) -> str:
    """The given MIME type, else one sniffed from the first base64 characters, else an error."""
    mime = mime_type or sniff_mime(_head_of_b64(b64_head))
    if mime is None:
        raise MemoriesInputError(
            "cannot tell the MIME type of the base64 data; pass mime_type= (e.g. 'image/png')"
        )
    return mime


def media_from_base64(data: str | bytes | bytearray, mime_type: str | None = None) -> MediaPart:
    """An inline part from base64 text (no ``data:`` prefix; use media_from_data_uri for that).

    Base64 held as ASCII ``bytes`` (as LlamaIndex keeps image blocks) is kept as bytes, not
    copied into text: a 20 MB image is then sent without another 27 MB copy.

    Example:
        >>> media_from_base64("iVBORw0KGgoAAAAAAAAAAA==").mime_type
        'image/png'
    """
    if isinstance(data, (bytes, bytearray)):
        if _is_plain_b64(data):
            raw = bytes(data)
            mime = _mime_of_b64(raw[:88].decode("ascii"), mime_type)
            return _part(mime, "base64 media", data=raw)
        try:  # whitespace, base64url or a data: URI: the text path handles (and checks) them
            data = data.decode("ascii")
        except UnicodeDecodeError:
            raise MemoriesInputError("base64 media: the data is not valid base64") from None
    if not isinstance(data, str):
        raise MemoriesInputError(f"base64 data must be a str, got {type(data).__name__}")
    if data[:5].lower() == "data:":
        return media_from_data_uri(data, mime_type=mime_type)
    b64 = _validated_b64(data, "base64 media")
    return _part(_mime_of_b64(b64, mime_type), "base64 media", data=b64)


def media_from_data_uri(uri: str, mime_type: str | None = None) -> MediaPart:
    """An inline part from a ``data:<mime>;base64,<data>`` URI.

    Example:
        >>> media_from_data_uri("data:image/png;base64,iVBORw0KGgo=").mime_type
        'image/png'
    """
    if not isinstance(uri, str) or uri[:5].lower() != "data:":
        raise MemoriesInputError("a data URI must start with 'data:'")
    header, sep, payload = uri.partition(",")
    if not sep:
        raise MemoriesInputError("malformed data URI: no ',' between the header and the data")
    fields = header[5:].split(";")
    if "base64" not in (f.strip().lower() for f in fields[1:]):
        raise MemoriesInputError("only base64 data URIs are supported (data:<mime>;base64,<data>)")
    declared = fields[0].strip() or None
    b64 = _validated_b64(payload, "data URI")
    mime = mime_type or declared or sniff_mime(_head_of_b64(b64))
    if mime is None:
        raise MemoriesInputError("the data URI names no MIME type; pass mime_type=")
    return _part(mime, "data URI", data=b64)


def media_from_bytes(
    data: bytes | bytearray | memoryview, mime_type: str | None = None
) -> MediaPart:
    """An inline part from raw bytes (encoded to base64 once).

    Example:
        >>> media_from_bytes(b"%PDF-1.4 tiny").mime_type
        'application/pdf'
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise MemoriesInputError(f"media bytes must be bytes, got {type(data).__name__}")
    if len(data) == 0:
        raise MemoriesInputError("media bytes are empty")
    mime = mime_type or sniff_mime(bytes(data[:64]))
    if mime is None:
        raise MemoriesInputError(
            "cannot tell the MIME type of these bytes; pass mime_type= (e.g. 'image/png')"
        )
    return _part(mime, "media bytes", data=_b64(data).decode("ascii"))


def media_from_path(path: str | os.PathLike[str], mime_type: str | None = None) -> MediaPart:
    """An inline part from a local file, read and base64-encoded once.

    The MIME type is sniffed from the file's first bytes, then guessed from its name.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.pdf"
        >>> _ = p.write_bytes(b"%PDF-1.4 tiny")
        >>> media_from_path(p).kind
        'document'
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            # Read into a buffer of the file's size: read() would grow and copy its buffer.
            size = os.fstat(fh.fileno()).st_size
            data = bytearray(size)
            got = fh.readinto(data)
            if got != size:
                del data[got:]
    except IsADirectoryError:
        raise MemoriesInputError(f"{p} is a directory, not a media file") from None
    except FileNotFoundError:
        raise MemoriesInputError(f"media file {p} does not exist") from None
    except OSError as exc:
        raise MemoriesInputError(f"cannot read media file {p}: {exc.strerror or exc}") from None
    if not data:
        raise MemoriesInputError(f"media file {p} is empty")
    mime = mime_type or sniff_mime(bytes(data[:64])) or _mime_from_name(p.name)
    if mime is None:
        raise MemoriesInputError(f"cannot tell the MIME type of {p}; pass mime_type=")
    # Checked now although _part checks again: a bad MIME type must fail before a 27 MB encode.
    mime = _check_mime(mime, f"media file {p}")
    encoded = _b64(data)
    # The file's bytes are ours: drop them before the text copy, so a 20 MB file peaks at
    # two base64-sized buffers rather than three.
    del data
    return _part(mime, f"media file {p}", data=encoded.decode("ascii"))


def media_part(
    source: str | bytes | bytearray | os.PathLike[str], mime_type: str | None = None
) -> MediaPart:
    """Build a part from whatever the caller has: a URL, a data URI, bytes or a ``Path``.

    Strings are treated as URLs or data URIs only, never as file names, so text from an
    untrusted prompt can never make us read a local file. Use :func:`media_from_path` for files
    and :func:`media_from_base64` for bare base64 text.

    Example:
        >>> media_part("gs://bucket/clip.webm").mime_type
        'video/webm'
    """
    if isinstance(source, (bytes, bytearray)):
        return media_from_bytes(source, mime_type)
    if isinstance(source, os.PathLike):
        return media_from_path(source, mime_type)
    if isinstance(source, str):
        return media_from_url(source, mime_type)
    raise MemoriesInputError(
        f"cannot make a media part from {type(source).__name__}; pass a URL, data URI, bytes or "
        "a pathlib.Path"
    )
