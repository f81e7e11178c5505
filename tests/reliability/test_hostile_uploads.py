"""The memories.ai asset uploader against hostile servers and files (raw sockets on loopback).

What the emulator cannot produce: compressed bombs and huge pages as answers of the upload
service and of the storage, signed URLs that point at private or metadata addresses, asset ids
with line breaks, malformed envelopes, and files that change while they are sent. Every case
ends in a ``MemoriesError`` subclass; nothing is cached for a failed upload; the API key is in
no frame local, ``repr`` or log line on the way.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from loopback import ScriptedServer, http_response
from reliability_support import frame_locals, held_during

from memories_client import MalformedResponseError, MemoriesError, ServerError
from memories_client.uploads import MemoriesAssetUploader, SourceChangedError, UploadError
from memories_client.uploads._source import CHUNK
from memories_client.uploads._urls import check_signed_url

MB = 1024 * 1024
KEY = "sk-mavi-UPLOAD-q7Zx2Vb9Lk4Rt8Wm3Np6Hs1Jd5Fg0Ce"
_TAIL = KEY[len("sk-mavi-") :]
_WINDOWS = {_TAIL[i : i + 8] for i in range(len(_TAIL) - 7)}
MP4_HEAD = bytes(4) + b"ftypmp42"
MODES = ("sync", "async")
Reply = Callable[[str, bytes], bytes | None]


def envelope(data: Any, code: Any = 200, **extra: Any) -> bytes:
    body = {"code": code, "msg": "success", "data": data, "success": True, **extra}
    return http_response(200, {"content-type": "application/json"}, json.dumps(body).encode())


class UploadServer(ScriptedServer):
    """The three upload steps on one loopback server, each answer replaceable by a test.

    ``signed``, ``storage`` and ``status`` take ``(path, body)`` and return the response bytes
    (None: hang up). By default the service behaves: the signed URL is on this server.
    """

    def __init__(self, **replies: Reply) -> None:
        self.replies = replies
        self.paths: list[str] = []
        self.stored: list[bytes] = []  # storage bodies received whole
        super().__init__(self._route)

    def _route(self, head: bytes, body: bytes) -> bytes | None:
        method, path = head.split(b" ", 2)[:2]
        where = path.decode("latin-1")
        self.paths.append(f"{method.decode()} {where}")
        if where.endswith("/upload/signed-url"):
            step, default = "signed", self.signed_default
        elif where.startswith("/storage/"):
            step, default = "storage", self.storage_default
        else:
            step, default = "status", self.status_default
        return self.replies.get(step, default)(where, body)

    def signed_default(self, path: str, body: bytes) -> bytes:
        url = f"{self.base_url}/storage/re_1?sig=abc"
        return envelope({"asset_id": "re_1", "signed_url": url, "expires_in": 93600})

    def storage_default(self, path: str, body: bytes) -> bytes:
        self.stored.append(body)
        return http_response(200, {}, b"")

    @staticmethod
    def status_default(path: str, body: bytes) -> bytes:
        return envelope({"resource": [{"upload_status": "SUCCESS"}]})

    def storage_requests(self) -> int:
        return sum(p.startswith("POST /storage/") for p in self.paths)


@pytest.fixture
def servers() -> Iterator[Callable[..., UploadServer]]:
    made: list[UploadServer] = []

    def start(**replies: Reply) -> UploadServer:
        server = UploadServer(**replies)
        made.append(server)
        return server

    yield start
    for server in made:
        server.close()


def clip(tmp_path: Path, size: int = 20_000, name: str = "clip.mp4") -> Path:
    path = tmp_path / name
    path.write_bytes(MP4_HEAD + os.urandom(size - len(MP4_HEAD)))
    return path


class _LoopbackOnly(httpx.HTTPTransport):
    """Refuses any host but 127.0.0.1: a check that regressed must fail here, not connect."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "127.0.0.1":
            raise AssertionError(f"the uploader tried to reach {request.url.host!r}")
        return super().handle_request(request)


class _ALoopbackOnly(httpx.AsyncHTTPTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "127.0.0.1":
            raise AssertionError(f"the uploader tried to reach {request.url.host!r}")
        return await super().handle_async_request(request)


def uploader(server: UploadServer, **settings: Any) -> MemoriesAssetUploader:
    settings = {
        "max_retries": 0,
        "poll_interval": 0.01,
        "http_client": httpx.Client(transport=_LoopbackOnly()),
        "http_async_client": httpx.AsyncClient(transport=_ALoopbackOnly()),
        **settings,
    }
    return MemoriesAssetUploader(api_key=KEY, base_url=server.base_url, **settings)


def upload(up: MemoriesAssetUploader, source: Any, mode: str, **kw: Any) -> str:
    if mode == "sync":
        return up.upload(source, **kw)
    return asyncio.run(up.aupload(source, **kw))


def gzip_bomb(prefix: bytes, size: int = 40 * MB) -> bytes:
    return gzip.compress(prefix + b"a" * size, 9)


def compressed(status: int, body: bytes, coding: str = "gzip") -> Reply:
    reply = http_response(
        status, {"content-type": "application/json", "content-encoding": coding}, body
    )
    return lambda path, _: reply


# --------------------------------------------------------------------------- bounded reads


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("step", ["signed", "status"])
def test_an_answer_bomb_stops_at_max_response_bytes(
    servers: Callable[..., UploadServer], tmp_path: Path, step: str, mode: str
) -> None:
    server = servers(**{step: compressed(200, gzip_bomb(b'{"code": 200, "data": {"x": "'))})
    up = uploader(server)
    source = clip(tmp_path)
    held, raised = held_during(lambda: upload(up, source, mode))
    assert isinstance(raised, MalformedResponseError), raised
    assert "max_response_bytes (1,048,576 bytes)" in str(raised)
    assert held < 1 + 4, f"{held:.1f} MB held for a 1 MiB cap"
    assert len(up.cache) == 0  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
def test_a_large_plain_answer_is_not_read_whole(
    servers: Callable[..., UploadServer], tmp_path: Path, mode: str
) -> None:
    reply = http_response(200, {"content-type": "application/json"}, b'{"x": "' + b"a" * 30 * MB)
    server = servers(signed=lambda path, _: reply)
    source = clip(tmp_path)
    held, raised = held_during(lambda: upload(uploader(server), source, mode))
    assert isinstance(raised, MalformedResponseError), raised
    assert held < 1 + 4, f"{held:.1f} MB held for a 1 MiB cap"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("step", ["signed", "storage", "status"])
def test_an_error_page_bomb_is_read_to_the_error_cap_on_every_attempt(
    servers: Callable[..., UploadServer], tmp_path: Path, step: str, mode: str
) -> None:
    page = gzip_bomb(b"<html><p>storage overloaded</p>")
    server = servers(**{step: compressed(503, page)})
    up = uploader(server, max_retries=1)
    source = clip(tmp_path)
    held, raised = held_during(lambda: upload(up, source, mode))
    assert isinstance(raised, ServerError), raised
    assert raised.server_message is not None and "overloaded" in raised.server_message
    assert held < 4, f"{held:.1f} MB held for a 64 KiB error cap"
    assert sum(step_of(p) == step for p in server.paths) == 2  # retried, each read capped


def step_of(path: str) -> str:
    if path.endswith("/upload/signed-url"):
        return "signed"
    return "storage" if path.startswith("POST /storage/") else "status"


@pytest.mark.parametrize("mode", MODES)
def test_a_coding_that_was_not_asked_for_is_refused(
    servers: Callable[..., UploadServer], tmp_path: Path, mode: str
) -> None:
    zstandard = pytest.importorskip("zstandard")
    bomb = zstandard.ZstdCompressor().compress(b'{"code": 200, "data": {"x": "' + b"a" * 40 * MB)
    server = servers(signed=compressed(200, bomb, "zstd"))
    source = clip(tmp_path)
    held, raised = held_during(lambda: upload(uploader(server), source, mode))
    assert isinstance(raised, MalformedResponseError), raised
    assert "content-encoding 'zstd'" in str(raised)
    assert held < 3
    heads = [h.decode("latin-1").lower() for h in server.heads]
    assert all("accept-encoding: gzip, deflate\r\n" in h for h in heads)


@pytest.mark.parametrize("mode", MODES)
def test_compressed_answers_of_every_step_decode(
    servers: Callable[..., UploadServer], tmp_path: Path, mode: str
) -> None:
    def signed(path: str, _: bytes) -> bytes:
        url = f"{server.base_url}/storage/re_1?sig=abc"
        body = json.dumps({"code": 200, "data": {"asset_id": "re_1", "signed_url": url}})
        return http_response(200, {"content-encoding": "gzip"}, gzip.compress(body.encode()))

    status = json.dumps({"code": "0000", "data": {"upload_status": "SUCCESS"}}).encode()
    server = servers(signed=signed, status=compressed(200, zlib.compress(status), "deflate"))
    assert upload(uploader(server), clip(tmp_path), mode).startswith(server.base_url)


# --------------------------------------------------------------------------- signed URLs


UNSAFE_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "https://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://instance-data/latest/",
    "http://10.0.0.5/upload",
    "https://10.0.0.5/upload",
    "https://172.16.3.4/upload",
    "https://192.168.1.10/upload",
    "https://[fd00:ec2::254]/upload",
    "https://[::ffff:10.0.0.1]/upload",
    "https://2852039166/upload",  # 169.254.169.254, written as one number
    "https://0xA9FEA9FE/upload",
    "https://100.100.100.200/upload",  # shared address space (a cloud's metadata service)
    "https://localhost/upload",
    "https://storage.internal/upload",
    "http://storage.example.com/upload",  # plain http to another host
    "ftp://storage.example.com/upload",
    "https://user:secret@storage.example.com/upload",
    "https://storage.example.com/a\r\nX-Injected: 1",
    "https://storage.example.com/a b",
    "",
    None,
    42,
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_an_unsafe_signed_url_is_refused_before_the_file_is_sent(
    servers: Callable[..., UploadServer], tmp_path: Path, url: object, mode: str
) -> None:
    """Parsed only: none of these addresses is contacted (only loopback is, by the test)."""
    answer = envelope({"asset_id": "re_1", "signed_url": url, "expires_in": 60})
    server = servers(signed=lambda path, _: answer)
    up = uploader(server)
    with pytest.raises(UploadError) as info:
        upload(up, clip(tmp_path), mode)
    assert "signed" in str(info.value)
    assert server.paths == ["POST /upload/signed-url"]  # nothing else was requested
    assert len(up.cache) == 0  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
def test_another_loopback_origin_needs_trust_signed_urls(
    servers: Callable[..., UploadServer], tmp_path: Path, mode: str
) -> None:
    """A storage server of the user's own on a private address: refused unless trusted."""
    storage = servers()
    signed_url = f"{storage.base_url}/storage/re_1?sig=abc"
    answer = envelope({"asset_id": "re_1", "signed_url": signed_url})
    service = servers(signed=lambda path, _: answer)
    with pytest.raises(UploadError, match="trust_signed_urls=True"):
        upload(uploader(service), clip(tmp_path), mode)
    assert storage.paths == []
    url = upload(uploader(service, trust_signed_urls=True), clip(tmp_path), mode)
    assert url == signed_url and storage.storage_requests() == 1


def test_public_https_and_the_base_urls_own_origin_are_accepted() -> None:
    base = "http://127.0.0.1:8080/serve/api/v2"
    for url in (
        "https://storage.googleapis.com/bucket/re_1?X-Goog-Signature=ab",
        "https://s3.us-east-1.amazonaws.com/b/k?X-Amz-Signature=cd",
        "http://127.0.0.1:8080/_storage/re_1?sig=ef",  # the emulator: the configured origin
    ):
        assert check_signed_url(url, base_url=base, trust=False) == url
    with pytest.raises(UploadError):
        check_signed_url("http://127.0.0.1:9000/x", base_url=base, trust=False)
    with pytest.raises(MemoriesError):
        MemoriesAssetUploader(api_key="k", trust_signed_urls="yes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- server values


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "asset_id",
    ["re_1\r\nX-Injected: 1", "re_1\n", "re 1", "re_1\x00", "", "..", "r" * 300, None, 7],
)
def test_an_asset_id_that_cannot_go_into_a_url_is_a_typed_error(
    servers: Callable[..., UploadServer], tmp_path: Path, asset_id: object, mode: str
) -> None:
    def signed(path: str, _: bytes) -> bytes:
        url = f"{server.base_url}/storage/x?sig=abc"
        return envelope({"asset_id": asset_id, "signed_url": url})

    server = servers(signed=signed)
    with pytest.raises(UploadError, match="asset_id"):
        upload(uploader(server), clip(tmp_path), mode)
    assert server.storage_requests() == 0


@pytest.mark.parametrize("mode", MODES)
def test_an_asset_id_is_quoted_into_the_status_path(
    servers: Callable[..., UploadServer], tmp_path: Path, mode: str
) -> None:
    def signed(path: str, _: bytes) -> bytes:
        url = f"{server.base_url}/storage/x?sig=abc"
        return envelope({"asset_id": "../../admin?x=1#y", "signed_url": url})

    server = servers(signed=signed)
    upload(uploader(server), clip(tmp_path), mode)
    assert server.paths[-1] == "GET /..%2F..%2Fadmin%3Fx%3D1%23y/metadata"


BAD_ANSWERS: list[bytes] = [
    envelope({"asset_id": "re_1", "signed_url": "https://s.example.com/x", "expires_in": -5}),
    envelope({"asset_id": "re_1", "signed_url": "https://s.example.com/x", "expires_in": "soon"}),
    envelope({"asset_id": "re_1", "signed_url": "https://s.example.com/x", "expires_in": 1e300}),
    envelope({"asset_id": "re_1", "signed_url": "https://s.example.com/x", "expires_in": True}),
    http_response(
        200,
        {},
        b'{"code": 200, "data": {"asset_id": "re_1", "signed_url": "x", "expires_in": NaN}}',
    ),
    envelope(["not", "an", "object"]),
    envelope({"asset_id": ["re_1"], "signed_url": "https://s.example.com/x"}),
    envelope({}, code={"nested": "code"}),
    envelope({}, code=[1]),
    http_response(200, {}, b'{"code": 500, "msg": {"a": 1}, "success": false}'),
    http_response(200, {}, b"[1, 2]"),
    http_response(200, {}, b"not json at all"),
    http_response(200, {}, b"\xff\xfe\x00garbage"),
    http_response(200, {}, b"[" * 100_000),
    http_response(200, {"content-encoding": "gzip"}, b"not gzip"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("answer", BAD_ANSWERS, ids=range(len(BAD_ANSWERS)))
def test_a_malformed_answer_is_a_typed_error(
    servers: Callable[..., UploadServer], tmp_path: Path, answer: bytes, mode: str
) -> None:
    server = servers(signed=lambda path, _: answer)
    up = uploader(server)
    with pytest.raises(MemoriesError):
        upload(up, clip(tmp_path), mode)
    assert server.storage_requests() == 0 and len(up.cache) == 0  # type: ignore[arg-type]


# --------------------------------------------------------------------------- changing files


def _grow(path: Path) -> None:
    with path.open("ab") as fh:
        fh.write(b"more")


def _shrink(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.truncate(CHUNK + 10)


def _rewrite(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-100:] = os.urandom(100)  # same size, other bytes
    path.write_bytes(bytes(data))


CHANGES = {
    "grows": (_grow, "it grew"),
    "shrinks": (_shrink, "it ended"),
    "rewritten": (_rewrite, "content changed"),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_file_changed_during_the_upload_is_a_typed_error_and_not_cached(
    servers: Callable[..., UploadServer], tmp_path: Path, change: str, mode: str
) -> None:
    server = servers()
    path = clip(tmp_path, 3 * CHUNK + 1000)
    act, message = CHANGES[change]
    reported: list[int] = []

    def progress(sent: int, total: int) -> None:
        reported.append(sent)
        if len(reported) == 1:  # after the first chunk went out: the rest is the new file
            act(path)

    up = uploader(server, max_retries=2)
    with pytest.raises(SourceChangedError, match=message) as info:
        upload(up, path, mode, progress=progress)
    assert str(path) in str(info.value)
    assert len(up.cache) == 0  # type: ignore[arg-type]
    assert reported.count(CHUNK) == 1  # one attempt: not retried
    assert server.stored == []  # the storage never got the body whole
    # Once the file is stable it uploads, under the hash of its new content.
    url = upload(up, path, mode)
    assert server.stored[-1].count(path.read_bytes()) == 1 and len(up.cache) == 1  # type: ignore[arg-type]
    assert url.startswith(server.base_url)


@pytest.mark.parametrize("mode", MODES)
def test_bytes_changed_during_the_upload_are_a_typed_error(
    servers: Callable[..., UploadServer], mode: str
) -> None:
    server = servers()
    data = bytearray(MP4_HEAD + os.urandom(3 * CHUNK))

    def progress(sent: int, total: int) -> None:
        data[-1] ^= 0xFF

    up = uploader(server)
    with pytest.raises(SourceChangedError, match="content changed"):
        upload(up, data, mode, progress=progress)
    assert server.stored == [] and len(up.cache) == 0  # type: ignore[arg-type]


def test_a_file_changed_between_checking_and_hashing_is_a_typed_error(tmp_path: Path) -> None:
    from memories_client.uploads import upload_source

    path = clip(tmp_path, 3 * CHUNK + 1000)
    source = upload_source(path)
    _grow(path)
    with pytest.raises(SourceChangedError, match="it grew"):
        source.sha256()


# --------------------------------------------------------------------------- secrets


def leaked(text: str) -> bool:
    return any(window in text for window in _WINDOWS)


SCENARIOS: dict[str, dict[str, Reply]] = {
    "401": {"signed": lambda p, _: http_response(401, {}, b'{"code": 401, "msg": "bad key"}')},
    "503 on status": {"status": lambda p, _: http_response(503, {}, b"busy")},
    "bomb": {"signed": compressed(200, gzip_bomb(b"{", 4 * MB))},
    "hang-up": {"signed": lambda p, _: None},
    "unsafe url": {
        "signed": lambda p, _: envelope({"asset_id": "re_1", "signed_url": "http://10.0.0.5/"})
    },
    "bad asset id": {
        "signed": lambda p, _: envelope(
            {"asset_id": "a\r\nb", "signed_url": "https://s.example.com/"}
        )
    },
    "failed": {"status": lambda p, _: envelope({"resource": [{"upload_status": "FAILED"}]})},
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_key_is_in_no_frame_local_repr_or_log_line(
    servers: Callable[..., UploadServer],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    scenario: str,
    mode: str,
) -> None:
    for name in ("", "httpx", "httpcore", "memories_client"):
        caplog.set_level(logging.DEBUG, logger=name)
    server = servers(**SCENARIOS[scenario])
    up = uploader(server, max_retries=1)
    assert not leaked(repr(up)) and not leaked(str(vars(up).get("_headers")))
    with pytest.raises(MemoriesError) as info:
        upload(up, clip(tmp_path), mode)
    assert not leaked(str(info.value)) and not leaked(repr(info.value))
    shown = list(frame_locals(info.value, skip=__file__))
    assert shown, "the traceback has frames of the package"
    found = [(fn, name) for fn, name, text in shown if leaked(text)]
    assert not found, f"the API key is in frame locals {found}"
    assert not any(leaked(record.getMessage()) for record in caplog.records)
    assert any(record.name.startswith(("httpx", "httpcore")) for record in caplog.records)


def test_a_changed_file_traceback_holds_no_key(
    servers: Callable[..., UploadServer], tmp_path: Path
) -> None:
    server = servers()
    path = clip(tmp_path, 3 * CHUNK + 1000)
    up = uploader(server)
    with pytest.raises(SourceChangedError) as info:
        up.upload(path, progress=lambda sent, total: _grow(path) if sent == CHUNK else None)
    found = [
        (fn, name) for fn, name, text in frame_locals(info.value, skip=__file__) if leaked(text)
    ]
    assert not found, f"the API key is in frame locals {found}"
