"""The memories.ai asset uploader against the emulator's upload endpoints, over a real socket."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import memories_client as mc
from memories_client.uploads import (
    FileUploadCache,
    MemoriesAssetUploader,
    MemoryUploadCache,
    UploadError,
    UploadTimeoutError,
    aupload_local_videos,
    upload_local_videos,
    video_part,
)
from memories_emulator import Emulator

MP4_HEAD = bytes(4) + b"ftypmp42"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def clip(tmp_path: Path, name: str = "clip.mp4", size: int = 300_000, seed: bytes = b"") -> Path:
    path = tmp_path / name
    path.write_bytes(MP4_HEAD + seed + os.urandom(size) if not seed else MP4_HEAD + seed * size)
    return path


def uploader(emu: Emulator, **kwargs: object) -> MemoriesAssetUploader:
    return MemoriesAssetUploader(
        api_key="k",
        base_url=emu.base_url,
        poll_interval=0.01,
        **kwargs,  # type: ignore[arg-type]
    )


def test_upload_returns_a_fetchable_url_with_the_same_bytes(emu: Emulator, tmp_path: Path) -> None:
    path = clip(tmp_path)
    seen: list[tuple[int, int]] = []
    url = uploader(emu).upload(path, progress=lambda sent, total: seen.append((sent, total)))
    [asset] = emu.app.upload_store.assets
    assert asset.status == "SUCCESS" and asset.original_filename == "clip.mp4"
    assert asset.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert asset.content_type == "video/mp4"
    assert url.startswith(emu.base_url + "/_storage/" + asset.asset_id)
    assert httpx.get(url).content == path.read_bytes()  # the URL it hands out is fetchable
    sizes = [sent for sent, _ in seen]
    assert sizes == sorted(sizes) and seen[-1] == (path.stat().st_size, path.stat().st_size)


def test_the_same_content_is_uploaded_once(emu: Emulator, tmp_path: Path) -> None:
    path = clip(tmp_path)
    copy = tmp_path / "renamed.mp4"
    copy.write_bytes(path.read_bytes())
    up = uploader(emu)
    first = up.upload(path)
    assert up.upload(copy) == first
    assert up.upload(path.read_bytes()) == first  # bytes of the same content, too
    assert len(emu.app.upload_store.assets) == 1
    other = up.upload(clip(tmp_path, "other.mp4"))
    assert other != first and len(emu.app.upload_store.assets) == 2


def test_a_file_cache_survives_a_new_uploader(emu: Emulator, tmp_path: Path) -> None:
    path = clip(tmp_path)
    cache_file = tmp_path / "cache" / "uploads.json"
    first = uploader(emu, cache=FileUploadCache(cache_file)).upload(path)
    again = uploader(emu, cache=FileUploadCache(cache_file)).upload(path)
    assert first == again and len(emu.app.upload_store.assets) == 1
    assert oct(cache_file.stat().st_mode & 0o777) == "0o600"


def test_a_url_close_to_expiry_is_not_reused(emu: Emulator, tmp_path: Path) -> None:
    path = clip(tmp_path)
    # Every signed URL lasts 26 h; asking for 27 h of validity makes each one too short.
    up = uploader(emu, cache=MemoryUploadCache(min_remaining=27 * 3600))
    assert up.upload(path) != up.upload(path)
    assert len(emu.app.upload_store.assets) == 2


def test_status_is_polled_until_success(emu: Emulator, tmp_path: Path) -> None:
    emu.app.upload_store.processing_polls = 3
    polls: list[str] = []
    client = httpx.Client(event_hooks={"request": [lambda r: polls.append(r.url.path)]})
    uploader(emu, http_client=client).upload(clip(tmp_path))
    assert sum(p.endswith("/metadata") for p in polls) == 4


def test_the_storage_upload_carries_no_api_key(emu: Emulator, tmp_path: Path) -> None:
    sent: list[httpx.Request] = []
    client = httpx.Client(event_hooks={"request": [sent.append]})
    uploader(emu, http_client=client).upload(clip(tmp_path))
    storage = [r for r in sent if "/_storage/" in r.url.path]
    api = [r for r in sent if "/_storage/" not in r.url.path]
    assert storage and all("authorization" not in r.headers for r in storage)
    assert api and all(r.headers["authorization"] == "k" for r in api)


def test_a_failed_asset_is_an_upload_error(emu: Emulator, tmp_path: Path) -> None:
    emu.app.upload_store.fail_uploads = True
    with pytest.raises(UploadError, match="FAILED"):
        uploader(emu).upload(clip(tmp_path))


def test_an_asset_that_never_finishes_times_out(emu: Emulator, tmp_path: Path) -> None:
    emu.app.upload_store.processing_polls = 10_000
    with pytest.raises(UploadTimeoutError, match="poll_timeout"):
        uploader(emu, poll_timeout=0.2).upload(clip(tmp_path))


def test_transient_failures_are_retried(emu: Emulator, tmp_path: Path) -> None:
    up = uploader(emu, default_headers={"X-Emulator-Fault": "503;times=1"})
    assert up.upload(clip(tmp_path))
    no_retries = uploader(emu, default_headers={"X-Emulator-Fault": "503"}, max_retries=0)
    with pytest.raises(mc.ServerError):
        no_retries.upload(clip(tmp_path, "b.mp4"))


def test_a_wrong_key_is_an_authentication_error(tmp_path: Path) -> None:
    with Emulator(api_key="right") as emu:
        up = MemoriesAssetUploader(api_key="wrong", base_url=emu.base_url)
        with pytest.raises(mc.AuthenticationError):
            up.upload(clip(tmp_path))


def test_bad_input_fails_before_any_request(emu: Emulator, tmp_path: Path) -> None:
    up = uploader(emu)
    with pytest.raises(mc.MemoriesInputError, match="does not exist"):
        up.upload(tmp_path / "missing.mp4")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(mc.MemoriesInputError, match="empty"):
        up.upload(empty)
    with pytest.raises(mc.MemoriesInputError, match="is a URL"):
        up.upload("https://x.test/a.mp4")
    wav = tmp_path / "a.wav"
    wav.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt ")
    with pytest.raises(mc.MemoriesInputError, match="audio"):
        up.upload(wav)
    assert emu.app.upload_store.assets == []


def test_a_forged_signature_is_refused(emu: Emulator, tmp_path: Path) -> None:
    url = uploader(emu).upload(clip(tmp_path))
    forged = url.rsplit("=", 1)[0] + "=" + "0" * 64
    assert httpx.get(forged).status_code == 403


def test_reference_callable_builds_the_chat_url(emu: Emulator, tmp_path: Path) -> None:
    up = uploader(emu, reference=lambda asset: f"https://cdn.example.com/{asset.asset_id}.mp4")
    url = up.upload(clip(tmp_path))
    assert url.startswith("https://cdn.example.com/re_")
    bad = uploader(emu, reference=lambda asset: asset.asset_id)
    with pytest.raises(mc.MemoriesInputError, match="reference callable"):
        bad.upload(clip(tmp_path, "b.mp4"))


async def test_aupload_streams_and_shares_the_cache(emu: Emulator, tmp_path: Path) -> None:
    path = clip(tmp_path)
    up = uploader(emu)
    first, second = await asyncio.gather(up.aupload(path), up.aupload(clip(tmp_path, "b.mp4")))
    assert first != second
    assert up.upload(path) == first
    assert {a.sha256 for a in emu.app.upload_store.assets} == {
        hashlib.sha256(path.read_bytes()).hexdigest(),
        hashlib.sha256((tmp_path / "b.mp4").read_bytes()).hexdigest(),
    }


def test_an_uploaded_video_is_accepted_in_a_chat_request(emu: Emulator, tmp_path: Path) -> None:
    part = video_part(clip(tmp_path), family="gemini", uploader=uploader(emu))
    assert part.url is not None and part.mime_type == "video/mp4"
    with mc.MemoriesClient(api_key="k", base_url=emu.base_url) as client:
        answer = client.chat(model="gemini-2.5-flash", messages=[mc.Message.user("What?", part)])
    assert "1 video(s)" in answer.text
    [sent] = emu.requests[-1].body["messages"][0]["content"][1:]
    assert sent == {"type": "input_file", "file_uri": part.url, "mime_type": "video/mp4"}


def test_video_part_without_an_uploader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = clip(tmp_path, size=1000)
    with pytest.raises(mc.MemoriesInputError, match="needs an uploader"):
        video_part(path, family="gemini")
    inline = video_part(path, family="nova")  # Nova takes small base64 video
    assert inline.is_inline and inline.mime_type == "video/mp4"
    monkeypatch.setattr("memories_client.uploads.parts.INLINE_VIDEO_LIMIT", 100)
    with pytest.raises(mc.MemoriesInputError, match="more than"):
        video_part(path, family="nova")
    assert video_part("https://x.test/v?id=1", family="gemini").mime_type == "video/mp4"
    uri = "data:video/mp4;base64,AAAAGGZ0eXBtcDQy"
    with pytest.raises(mc.MemoriesInputError, match="needs an uploader"):
        video_part(uri, family="gemini")
    with pytest.raises(mc.MemoriesInputError, match=r"pathlib\.Path"):
        video_part("clip.mp4", family="gemini")


def test_the_direct_upload_and_download_endpoints(emu: Emulator, tmp_path: Path) -> None:
    path = clip(tmp_path)
    files = {"file": ("clip.mp4", path.read_bytes(), "video/mp4")}
    headers = {"Authorization": "k"}
    made = httpx.post(f"{emu.base_url}/serve/api/v2/upload", files=files, headers=headers).json()
    asset_id = made["data"]["asset_id"]
    meta = httpx.get(f"{emu.base_url}/{asset_id}/metadata", headers=headers).json()
    assert meta["data"]["resource"][0]["upload_status"] == "SUCCESS"
    got = httpx.get(f"{emu.base_url}/{asset_id}/download", headers=headers)
    assert got.content == path.read_bytes()
    missing = httpx.get(f"{emu.base_url}/re_000000000000000000/metadata", headers=headers)
    assert missing.status_code == 404 and missing.json()["failed"] is True


def test_upload_local_videos_sends_inline_video_by_url(emu: Emulator, tmp_path: Path) -> None:
    """The hook for chat models: inline video in a request is uploaded, images stay inline."""
    path = clip(tmp_path, size=5000)
    png = bytes.fromhex("89504e470d0a1a0a") + bytes(32)
    request = mc.ChatRequest(
        model="gemini:gemini-2.5-flash",
        messages=[
            mc.Message.system("Be brief."),
            mc.Message.user("What?", mc.media_from_path(path), mc.media_from_bytes(png)),
        ],
    )
    with pytest.raises(mc.MemoriesInputError, match="base64"):  # Gemini refuses inline video
        mc.MemoriesClient(api_key="k", base_url=emu.base_url).prepare(request)
    up = uploader(emu)
    sent = upload_local_videos(request, up)
    video, image = sent.messages[1].media
    assert video.url is not None and video.mime_type == "video/mp4" and image.is_inline
    assert httpx.get(video.url).content == path.read_bytes()
    assert upload_local_videos(request, None) is request
    again = asyncio.run(aupload_local_videos(request, up))
    assert again.messages[1].media[0].url == video.url  # cached: uploaded once
    assert len(emu.app.upload_store.assets) == 1
    with mc.MemoriesClient(api_key="k", base_url=emu.base_url) as client:
        assert "1 video(s)" in client.chat(sent).text
