"""The S3 uploader against a real S3-compatible server: moto's server mode on 127.0.0.1.

The server is started and stopped by this module's fixture; boto3 talks HTTP to it like to any
S3-compatible store (no mocks in the client), and the presigned URLs are fetched over the socket.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import memories_client as mc
from memories_client.uploads import S3Uploader, SourceChangedError
from memories_client.video_scenes import SceneOptions, describe_videos, video_sources

boto3 = pytest.importorskip("boto3")
botocore_config = pytest.importorskip("botocore.config")
moto_server = pytest.importorskip("moto.moto_server.threaded_moto_server")

MP4_HEAD = bytes(4) + b"ftypmp42"
CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "region_name": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint: str, request: pytest.FixtureRequest) -> Any:
    config = botocore_config.Config(signature_version="s3v4")
    client = boto3.client("s3", endpoint_url=s3_endpoint, config=config, **CREDENTIALS)
    bucket = f"videos-{abs(hash(request.node.name)) % 10**8}"
    client.create_bucket(Bucket=bucket)
    client.bucket_name = bucket
    return client


def calls(client: Any) -> list[str]:
    """The S3 operations ``client`` makes from now on."""
    seen: list[str] = []
    client.meta.events.register("before-call.s3.*", lambda model, **_: seen.append(model.name))
    return seen


def video(tmp_path: Path, name: str = "clip.mp4", size: int = 200_000) -> Path:
    path = tmp_path / name
    path.write_bytes(MP4_HEAD + os.urandom(size))
    return path


def test_upload_then_a_presigned_url_serves_the_file(s3: Any, tmp_path: Path) -> None:
    path = video(tmp_path)
    seen: list[tuple[int, int]] = []
    uploader = S3Uploader(s3.bucket_name, client=s3, prefix="lib/", expires_in=900)
    url = uploader.upload(path, progress=lambda sent, total: seen.append((sent, total)))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    head = s3.head_object(Bucket=s3.bucket_name, Key=f"lib/{digest}.mp4")
    assert head["ContentType"] == "video/mp4"
    assert "X-Amz-Expires=900" in url
    fetched = httpx.get(url)
    assert fetched.status_code == 200 and fetched.content == path.read_bytes()
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)


def test_a_large_file_goes_up_in_parts(s3: Any, tmp_path: Path) -> None:
    path = video(tmp_path, size=11 * 1024 * 1024)
    client_calls = calls(s3)
    uploader = S3Uploader(s3.bucket_name, client=s3, part_size=5 * 1024 * 1024)
    url = uploader.upload(path)
    assert "CreateMultipartUpload" in client_calls
    assert client_calls.count("UploadPart") == 3
    assert (
        hashlib.sha256(httpx.get(url).content).hexdigest()
        == hashlib.sha256(path.read_bytes()).hexdigest()
    )


def test_the_same_content_is_sent_once(s3: Any, tmp_path: Path) -> None:
    path = video(tmp_path)
    client_calls = calls(s3)
    first = S3Uploader(s3.bucket_name, client=s3)
    url = first.upload(path)
    assert first.upload(path) == url  # cached: no request at all
    assert client_calls.count("PutObject") == 1 and client_calls.count("HeadObject") == 1
    # Another process (a fresh cache) finds the object by its content hash and sends nothing.
    second = S3Uploader(s3.bucket_name, client=s3)
    assert httpx.get(second.upload(path.read_bytes())).content == path.read_bytes()
    assert client_calls.count("PutObject") == 1


async def test_aupload(s3: Any, tmp_path: Path) -> None:
    uploader = S3Uploader(s3.bucket_name, client=s3)
    paths = [video(tmp_path, f"{i}.mp4") for i in range(3)]
    urls = await asyncio.gather(*(uploader.aupload(p) for p in paths))
    assert len(set(urls)) == 3
    async with httpx.AsyncClient() as client:
        fetched = [(await client.get(u)).content for u in urls]
    assert fetched == [p.read_bytes() for p in paths]


def test_a_missing_bucket_is_a_typed_error(s3_endpoint: str, tmp_path: Path) -> None:
    client = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)
    uploader = S3Uploader("no-such-bucket", client=client, skip_existing=False)
    with pytest.raises(mc.NotFoundError, match="NoSuchBucket"):
        uploader.upload(video(tmp_path))


def test_the_default_client_uses_endpoint_url(
    s3: Any, s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    uploader = S3Uploader(s3.bucket_name, endpoint_url=s3_endpoint, region_name="us-east-1")
    url = uploader.upload(video(tmp_path))
    assert url.startswith(s3_endpoint) and "X-Amz-Signature=" in url
    assert httpx.get(url).status_code == 200


def test_settings_are_checked_before_any_request() -> None:
    with pytest.raises(mc.MemoriesInputError, match="seven"):
        S3Uploader("b", expires_in=8 * 24 * 3600)
    with pytest.raises(mc.MemoriesInputError, match="5 MiB"):
        S3Uploader("b", part_size=1024)
    with pytest.raises(mc.MemoriesInputError, match="bucket"):
        S3Uploader("")


def test_the_loader_routine_uploads_a_local_video_through_s3(s3: Any, tmp_path: Path) -> None:
    from memories_client.video_scenes import SceneAnswer, SceneCall

    class Watcher:
        family, model = "gemini", "gemini:gemini-2.5-flash"
        urls: list[str] = []

        def ask(self, call: SceneCall) -> SceneAnswer:
            assert call.video.url is not None
            self.urls.append(call.video.url)
            return SceneAnswer(data={"duration_s": 5, "summary": "s", "scenes": []})

        async def aask(self, call: SceneCall) -> SceneAnswer:
            return self.ask(call)

    path = video(tmp_path)
    options = SceneOptions(uploader=S3Uploader(s3.bucket_name, client=s3))
    [result] = describe_videos(video_sources([path]), Watcher(), options)
    assert result.source == str(path)
    assert httpx.get(Watcher.urls[0]).content == path.read_bytes()


def test_an_object_of_the_same_size_but_other_content_is_uploaded_over(
    s3: Any, tmp_path: Path
) -> None:
    """A poisoned key (other bytes of the same size, no checksum) is not taken as uploaded."""
    path = video(tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    key = f"memories-uploads/{digest}.mp4"
    s3.put_object(Bucket=s3.bucket_name, Key=key, Body=os.urandom(path.stat().st_size))
    client_calls = calls(s3)
    url = S3Uploader(s3.bucket_name, client=s3).upload(path)
    assert client_calls.count("HeadObject") == 1 and client_calls.count("PutObject") == 1
    assert httpx.get(url).content == path.read_bytes()
    head = s3.head_object(Bucket=s3.bucket_name, Key=key)
    assert head["Metadata"] == {"sha256": digest}
    # Now the checksum matches: a fresh uploader finds it and sends nothing.
    again = S3Uploader(s3.bucket_name, client=s3).upload(path)
    assert httpx.get(again).content == path.read_bytes()
    assert client_calls.count("PutObject") == 1


def test_user_metadata_is_kept_beside_the_checksum(s3: Any, tmp_path: Path) -> None:
    path = video(tmp_path)
    extra = {"Metadata": {"team": "video"}}
    S3Uploader(s3.bucket_name, client=s3, extra_args=extra).upload(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    head = s3.head_object(Bucket=s3.bucket_name, Key=f"memories-uploads/{digest}.mp4")
    assert head["Metadata"] == {"team": "video", "sha256": digest}


def _rewrite_end(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-10:] = os.urandom(10)
    path.write_bytes(bytes(data))


def _cut(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size - 1000)


@pytest.mark.parametrize(
    ("change", "message"), [(_rewrite_end, "content changed"), (_cut, "ended")]
)
def test_a_file_changed_during_an_s3_upload_is_a_typed_error_and_no_object(
    s3: Any, tmp_path: Path, change: Any, message: str
) -> None:
    path = video(tmp_path, size=11 * 1024 * 1024)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    client_calls = calls(s3)

    def progress(sent: int, total: int) -> None:
        if "changed" not in client_calls:  # after the first bytes of the first part went up
            client_calls.append("changed")
            change(path)

    uploader = S3Uploader(s3.bucket_name, client=s3, part_size=5 * 1024 * 1024, max_concurrency=1)
    with pytest.raises(SourceChangedError, match=message):
        uploader.upload(path, progress=progress)
    assert "UploadPart" in client_calls and "CompleteMultipartUpload" not in client_calls
    listed = s3.list_objects_v2(Bucket=s3.bucket_name).get("Contents", [])
    assert [o["Key"] for o in listed] == []  # no object, under the old hash or any other
    assert len(uploader.cache) == 0  # type: ignore[arg-type]
    assert digest != hashlib.sha256(path.read_bytes()).hexdigest()


def test_bytes_changed_during_an_s3_upload_are_a_typed_error(s3: Any) -> None:
    data = bytearray(MP4_HEAD + os.urandom(11 * 1024 * 1024))
    flipped: list[int] = []

    def progress(sent: int, total: int) -> None:
        if not flipped:
            flipped.append(sent)
            data[-1] ^= 0xFF

    uploader = S3Uploader(s3.bucket_name, client=s3, part_size=5 * 1024 * 1024, max_concurrency=1)
    with pytest.raises(SourceChangedError, match="content changed"):
        uploader.upload(data, progress=progress)
    assert s3.list_objects_v2(Bucket=s3.bucket_name).get("Contents", []) == []
