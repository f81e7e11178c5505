"""Media parts: what the builders send for URLs, data URIs, base64, bytes and files.

Every magic number the sniffer knows (with bytes after it, so a shifted slice fails), the
extension table, the MIME kinds, base64 in every form the builders take, and the messages of
each refusal, through the public ``media_from_*``, ``media_part``, ``sniff_mime`` and
``kind_of_mime``. A wrong answer here sends the service the wrong file type, or a file it
cannot read, and the user pays for the failed call.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
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
)
from memories_client._media import DEFAULT_MIME, kind_of_mime, media_part, sniff_mime
from memories_client.types import MediaPart

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


TAIL = b"\x00" * 60


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"\x89PNG\r\n\x1a\n" + TAIL, "image/png"),
        (b"\xff\xd8\xff" + TAIL, "image/jpeg"),
        (b"GIF87a" + TAIL, "image/gif"),
        (b"GIF89a" + TAIL, "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 " + TAIL, "image/webp"),
        (b"RIFF\x10\x00\x00\x00AVI LIST" + TAIL, "video/x-msvideo"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt " + TAIL, "audio/wav"),
        (b"BM" + TAIL, "image/bmp"),
        (b"II*\x00" + TAIL, "image/tiff"),
        (b"MM\x00*" + TAIL, "image/tiff"),
        (b"%PDF-1.7" + TAIL, "application/pdf"),
        (b"\x00\x00\x00\x18ftypheic" + TAIL, "image/heic"),
        (b"\x00\x00\x00\x18ftypheix" + TAIL, "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1" + TAIL, "image/heic"),
        (b"\x00\x00\x00\x18ftypmsf1" + TAIL, "image/heic"),
        (b"\x00\x00\x00\x14ftypqt  " + TAIL, "video/quicktime"),
        (b"\x00\x00\x00\x18ftypM4A " + TAIL, "audio/mp4"),
        (b"\x00\x00\x00\x18ftyp3gp5" + TAIL, "video/3gpp"),
        (b"\x00\x00\x00\x18ftypisom" + TAIL, "video/mp4"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 20 + b"webm" + TAIL, "video/webm"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 20 + b"matroska" + TAIL, "video/x-matroska"),
        # "webm" must start within the first 64 bytes
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 56 + b"webm", "video/webm"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 57 + b"webm", "video/x-matroska"),
        (b"ID3\x04" + TAIL, "audio/mpeg"),
        (b"\xff\xfb\x90" + TAIL, "audio/mpeg"),
        (b"\xff\xf3\x90" + TAIL, "audio/mpeg"),
        (b"\xff\xf2\x90" + TAIL, "audio/mpeg"),
        (b"OggS\x00" + TAIL, "audio/ogg"),
        (b"fLaC\x00" + TAIL, "audio/flac"),
    ],
)
def test_every_magic_number(head: bytes, mime: str) -> None:
    assert sniff_mime(head) == mime


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"\x89png\r\n\x1a\n",
        b"gif89a",
        b"GIF89",
        b"RIFF\x10\x00\x00\x00webp",
        b"RIFX\x10\x00\x00\x00WEBP",
        b"bm",
        b"ii*\x00",
        b"%pdf-",
        b"%PDF",
        b"\x00\x00\x00\x18FTYPisom",
        b"\x1a\x45\xdf\xa2",
        b"id3",
        b"\xff\xfa",
        b"oggs",
        b"flac",
        b"XX\x89PNG\r\n\x1a\n",
    ],
)
def test_near_misses_are_not_sniffed(head: bytes) -> None:
    assert sniff_mime(head) is None


@pytest.mark.parametrize(
    ("mime", "kind"),
    [
        ("image/png", "image"),
        ("IMAGE/PNG", "image"),
        ("video/mp4", "video"),
        ("Video/Quicktime", "video"),
        ("application/pdf", "document"),
        ("Application/PDF", "document"),
        ("text/plain", "document"),
        ("TEXT/csv", "document"),
    ],
)
def test_kinds_of_mime_types(mime: str, kind: str) -> None:
    assert kind_of_mime(mime) == kind


def test_mime_types_the_api_cannot_take() -> None:
    with pytest.raises(MemoriesInputError) as info:
        kind_of_mime("Audio/MPEG")
    assert str(info.value) == (
        "audio input (Audio/MPEG) is not supported by the memories.ai chat-completions API; "
        "send video, image or text instead"
    )
    with pytest.raises(MemoriesInputError) as info:
        kind_of_mime("application/zip")
    assert str(info.value) == (
        "unsupported MIME type 'application/zip'; the API takes image/*, video/*, "
        "application/pdf and text/* files"
    )


# -- URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "mime"),
    [
        ("https://x.test/clip.3gp", "video/3gpp"),  # the stdlib says audio/3gpp
        ("https://x.test/CLIP.3GP", "video/3gpp"),
        ("HTTPS://x.test/a.PNG", "image/png"),
        ("GS://bucket/a.webp", "image/webp"),
        ("http://x.test/picture.svg", "image/svg+xml"),  # from the stdlib table
        ("https://x.test/notes.txt", "text/plain"),
        ("https://x.test/dir.mp4/file.jpeg", "image/jpeg"),
    ],
)
def test_mime_types_of_urls(url: str, mime: str) -> None:
    part = media_from_url(f"  {url} ")
    assert part == MediaPart(kind_of_mime(mime), mime, url=url)


def test_a_url_without_a_telling_name_takes_the_kind_or_the_given_type() -> None:
    for kind, mime in DEFAULT_MIME.items():
        assert media_from_url("https://cdn.test/a1b2", kind=kind) == MediaPart(
            kind, mime, url="https://cdn.test/a1b2"
        )
    # a given type wins over the name and the kind
    part = media_from_url("https://x.test/a.png", mime_type="video/webm", kind="image")
    assert part == MediaPart("video", "video/webm", url="https://x.test/a.png")
    # a telling name wins over the kind
    assert media_from_url("https://x.test/a.png", kind="video").mime_type == "image/png"


@pytest.mark.parametrize("url", [None, "", "   ", 5])
def test_a_url_must_be_a_non_empty_string(url: object) -> None:
    with pytest.raises(MemoriesInputError) as info:
        media_from_url(url)  # type: ignore[arg-type]
    assert str(info.value) == "media url must be a non-empty string"


def test_url_refusals_quote_at_most_80_or_120_characters() -> None:
    path = "/" + "p" * 200
    with pytest.raises(MemoriesInputError) as info:
        media_from_url("ftp://x.test" + path)
    assert str(info.value) == (
        f"media url must start with http://, https:// or gs:// (or be a data: URI), got "
        f"{('ftp://x.test' + path)[:80]!r}; for a local file use media_from_path()"
    )
    with pytest.raises(MemoriesInputError) as info:
        media_from_url("https://" + path)
    assert str(info.value) == (
        f"media url {('https://' + path)[:80]!r} has no host; pass a full URL"
    )
    with pytest.raises(MemoriesInputError) as info:
        media_from_url("https://x.test" + path)
    assert str(info.value) == (
        f"cannot tell the MIME type of {('https://x.test' + path)[:120]!r} from its name; pass "
        "mime_type= (e.g. 'video/mp4' or 'image/jpeg')"
    )


def test_a_data_uri_passed_as_a_url_is_inline_data() -> None:
    b64 = base64.b64encode(b"%PDF-1.4 x").decode()
    assert media_from_url(f"DATA:application/pdf;base64,{b64}") == MediaPart(
        "document", "application/pdf", data=b64
    )
    assert media_from_url(f"data:;base64,{b64}", mime_type="text/plain") == MediaPart(
        "document", "text/plain", data=b64
    )


# -- base64, data URIs and bytes ----------------------------------------------------------------

BARE_PNG = b"\x89PNG\r\n\x1a\n" + bytes(30)
PNG_B64 = base64.b64encode(BARE_PNG).decode()


@pytest.mark.parametrize("b64", ["AAAA", "AAA=", "AA==", "iVBORw0KGgo="])
def test_plain_base64_bytes_stay_bytes(b64: str) -> None:
    part = media_from_base64(b64.encode(), mime_type="image/png")
    assert part == MediaPart("image", "image/png", data=b64.encode())
    assert type(part.data) is bytes
    assert media_from_base64(bytearray(b64.encode()), mime_type="image/png").data == b64.encode()


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        (b"AA AA\n", "AAAA"),
        (b"A-_A", "A+/A"),
        (b"AAA", "AAA="),
        (b"AA", "AA=="),
        (b"data:image/png;base64,AAAA", "AAAA"),
    ],
)
def test_other_base64_bytes_go_the_text_way(given: bytes, cleaned: str) -> None:
    assert media_from_base64(given, mime_type="image/png").data == cleaned


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        ("AAAA", "AAAA"),
        ("AAA=", "AAA="),
        ("AA==", "AA=="),
        (" AA\tAA\r\n", "AAAA"),
        ("AA\nA=", "AAA="),
        ("A-_A", "A+/A"),
        ("A-_", "A+/="),
        ("AAA", "AAA="),
        ("AA", "AA=="),
        ("AAAAAA", "AAAAAA=="),
    ],
)
def test_base64_text_is_cleaned(given: str, cleaned: str) -> None:
    assert media_from_base64(given, mime_type="image/png").data == cleaned


@pytest.mark.parametrize(
    "given", ["A===", "=AAA", "AA=A", "A", "AAAAA", "A+-A", "ÄAAA", "AAA!", "AA AA=="]
)
def test_text_that_is_not_base64_is_refused(given: str) -> None:
    with pytest.raises(MemoriesInputError) as info:
        media_from_base64(given, mime_type="image/png")
    assert str(info.value) == "base64 media: the data is not valid base64"


@pytest.mark.parametrize("given", [b"A===", b"\xff\xfeAA", b"AAAA!"])
def test_bytes_that_are_not_base64_are_refused(given: bytes) -> None:
    with pytest.raises(MemoriesInputError) as info:
        media_from_base64(given, mime_type="image/png")
    assert str(info.value) == "base64 media: the data is not valid base64"


@pytest.mark.parametrize("given", ["", " \n "])
def test_empty_base64_is_refused(given: str) -> None:
    with pytest.raises(MemoriesInputError) as info:
        media_from_base64(given, mime_type="image/png")
    assert str(info.value) == "base64 media: the base64 data is empty"


def test_base64_of_the_wrong_type() -> None:
    with pytest.raises(MemoriesInputError) as info:
        media_from_base64(1234)  # type: ignore[arg-type]
    assert str(info.value) == "base64 data must be a str, got int"


def test_base64_types_are_sniffed_from_the_first_characters() -> None:
    assert media_from_base64(PNG_B64) == MediaPart("image", "image/png", data=PNG_B64)
    assert media_from_base64(PNG_B64.encode()).mime_type == "image/png"
    # the first 88 characters (66 bytes) are decoded to sniff
    long_png = base64.b64encode(BARE_PNG + bytes(100))
    assert media_from_base64(long_png.decode()).mime_type == "image/png"
    assert media_from_base64(long_png).mime_type == "image/png"
    with pytest.raises(MemoriesInputError) as info:
        media_from_base64("AAAA")
    assert str(info.value) == (
        "cannot tell the MIME type of the base64 data; pass mime_type= (e.g. 'image/png')"
    )
    # a head that does not decode sniffs as nothing
    with pytest.raises(MemoriesInputError, match="cannot tell the MIME type"):
        media_from_base64("A-_A")


def test_data_uris() -> None:
    assert media_from_data_uri(f"data:image/png;base64,{PNG_B64}") == MediaPart(
        "image", "image/png", data=PNG_B64
    )
    # the parameters may come in any order and case; the type may be left to sniffing
    assert media_from_data_uri(f"Data:;name=a.png;BASE64 ,{PNG_B64}").mime_type == "image/png"
    assert media_from_data_uri(f"data: image/png ;charset=x;base64,{PNG_B64}").mime_type == (
        "image/png"
    )
    # a given type wins over the declared one
    assert (
        media_from_data_uri(f"data:image/png;base64,{PNG_B64}", mime_type="image/webp").mime_type
        == "image/webp"
    )
    # the header ends at the first comma
    with pytest.raises(MemoriesInputError) as info:
        media_from_data_uri("data:image/png;base64,AA,A")
    assert str(info.value) == "data URI: the data is not valid base64"


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("image/png;base64,AAAA", "a data URI must start with 'data:'"),
        (b"data:image/png;base64,AAAA", "a data URI must start with 'data:'"),
        ("data:image/png;base64", "malformed data URI: no ',' between the header and the data"),
        ("data:image/png,AAAA", "only base64 data URIs are supported (data:<mime>;base64,<data>)"),
        (
            "data:base64,AAAA",
            "only base64 data URIs are supported (data:<mime>;base64,<data>)",
        ),
        ("data:;base64,AAAA", "the data URI names no MIME type; pass mime_type="),
        ("data:image/png;base64,@@@@", "data URI: the data is not valid base64"),
    ],
)
def test_data_uri_refusals(uri: str, message: str) -> None:
    with pytest.raises(MemoriesInputError) as info:
        media_from_data_uri(uri)
    assert str(info.value) == message


def test_bytes() -> None:
    data = bytes(range(256)) * 3
    part = media_from_bytes(data, mime_type="video/mp4")
    assert part == MediaPart("video", "video/mp4", data=base64.b64encode(data).decode())
    assert media_from_bytes(bytearray(BARE_PNG)) == MediaPart("image", "image/png", data=PNG_B64)
    assert media_from_bytes(memoryview(BARE_PNG)).data == PNG_B64
    # only the first 64 bytes are sniffed
    assert sniff_mime(b"\x1a\x45\xdf\xa3" + bytes(57) + b"webm") == "video/x-matroska"
    webm_late = b"\x1a\x45\xdf\xa3" + bytes(57) + b"webm"
    assert media_from_bytes(webm_late).mime_type == "video/x-matroska"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("text", "media bytes must be bytes, got str"),
        (b"", "media bytes are empty"),
        (
            b"no magic here",
            "cannot tell the MIME type of these bytes; pass mime_type= (e.g. 'image/png')",
        ),
    ],
)
def test_bytes_refusals(data: object, message: str) -> None:
    with pytest.raises(MemoriesInputError) as info:
        media_from_bytes(data)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_large_bytes_are_encoded_in_one_piece() -> None:
    data = bytes(range(256)) * (29 * 1024)  # three 3 MiB slices of the encoder
    assert media_from_bytes(data, mime_type="video/mp4").data == base64.b64encode(data).decode()


# -- files ------------------------------------------------------------------------------------


def test_files(tmp_path: Path) -> None:
    sniffed = tmp_path / "photo.bin"
    sniffed.write_bytes(BARE_PNG)
    assert media_from_path(sniffed) == MediaPart("image", "image/png", data=PNG_B64)
    named = tmp_path / "notes.TXT"
    named.write_bytes(b"plain words")
    assert media_from_path(named) == MediaPart(
        "document", "text/plain", data=base64.b64encode(b"plain words").decode()
    )
    assert media_from_path(str(named), mime_type="application/pdf").mime_type == "application/pdf"
    # the bytes win over the name
    misnamed = tmp_path / "photo.mp4"
    misnamed.write_bytes(BARE_PNG)
    assert media_from_path(misnamed).mime_type == "image/png"
    assert media_part(misnamed) == media_from_path(misnamed)
    assert media_part(misnamed, mime_type="image/webp").mime_type == "image/webp"


def test_file_refusals(tmp_path: Path) -> None:
    unknown = tmp_path / "blob"
    unknown.write_bytes(b"no magic")
    with pytest.raises(MemoriesInputError) as info:
        media_from_path(unknown)
    assert str(info.value) == f"cannot tell the MIME type of {unknown}; pass mime_type="
    with pytest.raises(MemoriesInputError) as info:
        media_from_path(unknown, mime_type="not a type")
    assert str(info.value) == (
        f"media file {unknown}: mime_type 'not a type' is not a MIME type like 'image/png' or "
        "'video/mp4'"
    )
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(MemoriesInputError) as info:
        media_from_path(empty)
    assert str(info.value) == f"media file {empty} is empty"
    with pytest.raises(MemoriesInputError) as info:
        media_from_path(tmp_path / "missing.png")
    assert str(info.value) == f"media file {tmp_path / 'missing.png'} does not exist"
    with pytest.raises(MemoriesInputError) as info:
        media_from_path(tmp_path)
    assert str(info.value) == f"{tmp_path} is a directory, not a media file"


@pytest.mark.parametrize(
    ("build", "source"),
    [
        (lambda: media_from_url("https://x.test/a.png", mime_type="png"), "media url"),
        (lambda: media_from_base64("AAAA", mime_type="png"), "base64 media"),
        (lambda: media_from_base64(b"AAAA", mime_type="png"), "base64 media"),
        (lambda: media_from_data_uri("data:png;base64,AAAA"), "data URI"),
        (lambda: media_from_bytes(b"\x89PNG\r\n\x1a\n", mime_type="png"), "media bytes"),
    ],
    ids=["url", "base64", "base64-bytes", "data-uri", "bytes"],
)
def test_a_bad_mime_type_is_refused_naming_the_source(
    build: Callable[[], MediaPart], source: str
) -> None:
    with pytest.raises(MemoriesInputError) as info:
        build()
    assert str(info.value) == (
        f"{source}: mime_type 'png' is not a MIME type like 'image/png' or 'video/mp4'"
    )


def test_a_data_uri_given_as_base64_keeps_the_given_type() -> None:
    part = media_from_base64(f"data:image/png;base64,{PNG_B64}", mime_type="image/webp")
    assert part == MediaPart("image", "image/webp", data=PNG_B64)


def test_a_declared_type_is_used_when_the_data_sniffs_as_nothing() -> None:
    assert media_from_data_uri("data:video/mp4;base64,AAAA") == MediaPart(
        "video", "video/mp4", data="AAAA"
    )


def test_a_file_that_shrinks_while_it_is_read_is_sent_as_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "a.png"
    f.write_bytes(BARE_PNG)
    real = os.fstat

    def larger(fd: int) -> os.stat_result:
        st = real(fd)
        return os.stat_result((*st[:6], st.st_size + 10, *st[7:]))

    monkeypatch.setattr(os, "fstat", larger)
    assert media_from_path(f).data == PNG_B64


def test_an_unreadable_file_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "secret.png"
    f.write_bytes(BARE_PNG)
    errors = iter([PermissionError(13, "Permission denied"), OSError("device gone")])

    def fail(self: Path, *args: object, **kwargs: object) -> None:
        raise next(errors)

    monkeypatch.setattr(Path, "open", fail)
    for reason in ("Permission denied", "device gone"):
        with pytest.raises(MemoriesInputError) as info:
            media_from_path(f)
        assert str(info.value) == f"cannot read media file {f}: {reason}"


def test_media_part_dispatch() -> None:
    assert media_part(BARE_PNG) == MediaPart("image", "image/png", data=PNG_B64)
    assert media_part(bytearray(BARE_PNG), mime_type="image/webp").mime_type == "image/webp"
    assert media_part("https://x.test/a.mp4") == MediaPart(
        "video", "video/mp4", url="https://x.test/a.mp4"
    )
    assert media_part("https://x.test/a", mime_type="video/mp4").mime_type == "video/mp4"
    with pytest.raises(MemoriesInputError) as info:
        media_part(3.5)  # type: ignore[arg-type]
    assert str(info.value) == (
        "cannot make a media part from float; pass a URL, data URI, bytes or a pathlib.Path"
    )
