from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memories_client import (
    MemoriesInputError,
    media_from_base64,
    media_from_bytes,
    media_from_data_uri,
    media_from_path,
    media_from_url,
    media_part,
)
from memories_client.media import sniff_mime

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(16)
JPEG = b"\xff\xd8\xff\xe0" + bytes(20)
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(20)
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 8 + b"webm" + bytes(8)
PDF = b"%PDF-1.4\n%tiny\n"


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (MP4, "video/mp4"),
        (WEBM, "video/webm"),
        (PDF, "application/pdf"),
        (b"GIF89a....", "image/gif"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
        (b"\0\0\0\x14ftypqt  ", "video/quicktime"),
        (b"hello", None),
    ],
)
def test_sniff(head: bytes, mime: str | None) -> None:
    assert sniff_mime(head) == mime


@pytest.mark.parametrize(
    ("url", "mime", "kind"),
    [
        ("https://x.test/a.mp4", "video/mp4", "video"),
        ("https://x.test/a.MOV?sig=1#t", "video/quicktime", "video"),
        ("gs://bucket/dir/a.webm", "video/webm", "video"),
        ("http://x.test/a%20b.jpg", "image/jpeg", "image"),
        ("https://x.test/doc.pdf", "application/pdf", "document"),
    ],
)
def test_url_mime_from_extension(url: str, mime: str, kind: str) -> None:
    part = media_from_url(url)
    assert (part.mime_type, part.kind, part.url, part.data) == (mime, kind, url, None)


def test_url_errors_say_what_to_do() -> None:
    with pytest.raises(MemoriesInputError, match="pass mime_type="):
        media_from_url("https://signed.test/object?X-Goog-Signature=abc")
    with pytest.raises(MemoriesInputError, match="media_from_path"):
        media_from_url("/etc/passwd")
    with pytest.raises(MemoriesInputError, match="not supported"):
        media_from_url("https://x.test/a.mp3")
    with pytest.raises(MemoriesInputError, match="MIME type like"):
        media_from_url("https://x.test/a", mime_type="video")
    assert media_from_url("https://x.test/a", mime_type="Video/MP4").mime_type == "video/mp4"


def test_bytes_are_encoded_once_and_sniffed() -> None:
    part = media_from_bytes(PNG)
    assert part.mime_type == "image/png"
    assert part.data == base64.b64encode(PNG).decode()
    assert "b64 chars" in repr(part) and part.data not in repr(part)
    with pytest.raises(MemoriesInputError, match="empty"):
        media_from_bytes(b"")
    with pytest.raises(MemoriesInputError, match="pass mime_type"):
        media_from_bytes(b"plain text, no magic")


def test_data_uri_and_base64() -> None:
    b64 = base64.b64encode(PNG).decode()
    assert media_from_data_uri(f"data:image/png;base64,{b64}").data == b64
    assert media_from_base64(b64).mime_type == "image/png"
    assert media_from_base64(f"data:image/png;base64,{b64}").data == b64
    wrapped = "\n".join(b64[i : i + 8] for i in range(0, len(b64), 8))
    assert media_from_base64(wrapped).data == b64
    with pytest.raises(MemoriesInputError, match="not valid base64"):
        media_from_base64("@@@not base64@@@", mime_type="image/png")
    with pytest.raises(MemoriesInputError, match="only base64"):
        media_from_data_uri("data:text/plain,hello")
    with pytest.raises(MemoriesInputError, match="no ','"):
        media_from_data_uri("data:image/png;base64")


def test_path(tmp_path: Path) -> None:
    f = tmp_path / "clip.bin"
    f.write_bytes(MP4)
    assert media_from_path(f).mime_type == "video/mp4"
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(MemoriesInputError, match="empty"):
        media_from_path(tmp_path / "empty.png")
    with pytest.raises(MemoriesInputError, match="does not exist"):
        media_from_path(tmp_path / "missing.png")
    with pytest.raises(MemoriesInputError, match="directory"):
        media_from_path(tmp_path)


def test_unreadable_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated: CI runs as root, which can read files whatever their permission bits.
    f = tmp_path / "secret.png"
    f.write_bytes(PNG)

    def deny(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(MemoriesInputError, match=r"cannot read .*Permission denied"):
        media_from_path(f)


def test_media_part_never_treats_strings_as_paths(tmp_path: Path) -> None:
    f = tmp_path / "a.png"
    f.write_bytes(PNG)
    with pytest.raises(MemoriesInputError):
        media_part(str(f))
    assert media_part(f).mime_type == "image/png"
    assert media_part(PNG).mime_type == "image/png"
    with pytest.raises(MemoriesInputError):
        media_part(123)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=300))
def test_any_bytes_round_trip_through_base64(data: bytes) -> None:
    part = media_from_bytes(data, mime_type="image/png")
    assert base64.b64decode(part.data or "") == data
    again = media_from_base64(part.data or "", mime_type="image/png")
    assert again.data == part.data


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_is_valid_base64_or_input_error(text: str) -> None:
    try:
        part = media_from_base64(text, mime_type="image/png")
    except MemoriesInputError:
        return
    base64.b64decode(part.data or "", validate=True)


def _reference_b64(text: str) -> str | None:
    """The regex rules media.py used before its fast check: the cleaned text, or None if refused."""
    import re

    cleaned = "".join(text.split())
    if not cleaned:
        return None
    standard, url_safe = r"[A-Za-z0-9+/]*={0,2}", r"[A-Za-z0-9_-]*={0,2}"
    if re.fullmatch(url_safe, cleaned) and not re.fullmatch(standard, cleaned):
        cleaned = cleaned.replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    return cleaned if re.fullmatch(standard, cleaned) else None


_B64ISH = st.text(
    alphabet=st.sampled_from("QUJDabc019+/-_= \n\t\x0b\x1f\u00a0\u00e9!."), max_size=40
)


@settings(max_examples=500, deadline=None)
@given(_B64ISH)
def test_base64_text_accepted_and_cleaned_as_the_regex_rules_did(text: str) -> None:
    expected = _reference_b64(text)
    if expected is None:
        with pytest.raises(
            MemoriesInputError,
            match=r"base64 media: the (data is not valid base64|base64 data is empty)",
        ):
            media_from_base64(text, mime_type="image/png")
    else:
        assert media_from_base64(text, mime_type="image/png").data == expected


@settings(max_examples=300, deadline=None)
@given(_B64ISH)
def test_base64_bytes_accepted_as_ascii_text_is(text: str) -> None:
    data = text.encode("utf-8")
    # Bytes must be ASCII: a non-breaking space is whitespace in text, not in bytes.
    expected = _reference_b64(text) if text.isascii() else None
    if expected is None:
        with pytest.raises(MemoriesInputError, match="base64"):
            media_from_base64(data, mime_type="image/png")
    else:
        part = media_from_base64(data, mime_type="image/png")
        assert part.data in (expected, expected.encode("ascii"))


# Larger than the 256 KiB slices media.py checks at a time, so a flaw past the first slice,
# or one straddling two slices, must still be found.
_LARGE = base64.b64encode(PNG + bytes(range(256)) * 2400).decode("ascii")


@pytest.mark.parametrize(
    "position", [1, (1 << 18) - 1, 1 << 18, (1 << 18) + 1, len(_LARGE) // 2, len(_LARGE) - 3]
)
@pytest.mark.parametrize("flaw", ["!", "=", "\u00e9", "-"])
def test_a_flaw_anywhere_in_large_base64_is_refused(position: int, flaw: str) -> None:
    text = _LARGE[:position] + flaw + _LARGE[position + 1 :]
    with pytest.raises(MemoriesInputError, match="not valid base64"):
        media_from_base64(text, mime_type="image/png")
    with pytest.raises(MemoriesInputError, match="not valid base64"):
        media_from_data_uri("data:image/png;base64," + text)
    with pytest.raises(MemoriesInputError, match="not valid base64"):
        media_from_base64(text.encode("utf-8"), mime_type="image/png")


def test_large_base64_is_kept_as_given_or_unwrapped() -> None:
    part = media_from_base64(_LARGE)
    assert part.data is _LARGE  # already clean: no copy
    assert part.mime_type == "image/png"
    wrapped = base64.encodebytes(base64.b64decode(_LARGE)).decode("ascii")  # 76-char lines
    assert media_from_base64(wrapped).data == _LARGE
    url_safe = _LARGE.replace("+", "-").replace("/", "_")
    assert media_from_base64(url_safe).data == _LARGE
    raw = _LARGE.encode("ascii")
    assert media_from_base64(raw).data == raw
