"""Compressed bombs: every cap counts decoded bytes (``memories_client._decoding``).

A raw-socket server on loopback sends a small compressed body that decodes to tens of MB: as an
answer, as a stream and as an error page, to the sync and the async client. Each call must end
in a typed error, and the memory the call allocates (``tracemalloc``'s peak, which counts every
bytes object the decoders make) must stay near the cap, not near the decoded size. Only the
codings the client advertises are decoded; a server that sends zstd or br anyway is refused.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from loopback import ScriptedServer, gemini_completion, http_response
from reliability_support import held_during

from memories_client import (
    AsyncMemoriesClient,
    MalformedResponseError,
    MemoriesClient,
    Message,
    RateLimitError,
    ServerError,
)
from memories_client._decoding import ACCEPT_ENCODING
from memories_client._limits import ERROR_BODY_LIMIT, MAX_STREAM_LINE

MB = 1024 * 1024
DECODED = 40 * MB
REQUEST = {"model": "gemini-2.5-flash", "messages": [Message.user("hi")]}


def _zstd(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return bytes(zstandard.ZstdCompressor().compress(data))


def _deflate(data: bytes) -> bytes:
    return zlib.compress(data, 9)


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


CODINGS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda data: gzip.compress(data, 9),
    "deflate": _deflate,
    "zstd": _zstd,
}


def bomb(coding: str, prefix: bytes, size: int = DECODED) -> bytes:
    """``prefix`` then ``size`` bytes of ``a``, compressed (a few tens of KB)."""
    return CODINGS[coding](prefix + b"a" * size)


@pytest.fixture
def serve() -> Iterator[Callable[..., ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(status: int, ctype: str, coding: str, body: bytes) -> ScriptedServer:
        reply = http_response(status, {"content-type": ctype, "content-encoding": coding}, body)
        server = ScriptedServer(lambda head, _: reply)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def call(url: str, kind: str, mode: str, **settings: Any) -> None:
    """One chat (``answer``/``error``) or stream (``stream``) call, sync or async."""
    settings = {"api_key": "k", "base_url": url, "max_retries": 0, **settings}
    if mode == "sync":
        client = MemoriesClient(**settings)
        if kind == "stream":
            list(client.stream(**REQUEST))
        else:
            client.chat(**REQUEST)
        client.close()
        return

    async def run() -> None:
        async with AsyncMemoriesClient(**settings) as client:
            if kind == "stream":
                [chunk async for chunk in client.stream(**REQUEST)]
            else:
                await client.chat(**REQUEST)

    asyncio.run(run())


MODES = ("sync", "async")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_an_answer_bomb_stops_at_max_response_bytes(
    serve: Callable[..., ScriptedServer], coding: str, mode: str
) -> None:
    body = bomb(coding, b'{"id": "r", "choices": [{"text": "')
    server = serve(200, "application/json", coding, body)
    held, raised = held_during(
        lambda: call(server.base_url, "answer", mode, max_response_bytes=4 * MB)
    )
    assert isinstance(raised, MalformedResponseError), raised
    assert "max_response_bytes" in str(raised) and raised.status == 200
    assert held < 4 + 3, f"{held:.1f} MB held for a 4 MB cap ({len(body):,} bytes on the wire)"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_a_stream_bomb_stops_at_the_line_cap(
    serve: Callable[..., ScriptedServer], coding: str, mode: str
) -> None:
    server = serve(200, "text/event-stream", coding, bomb(coding, b"data: ", 60 * MB))
    held, raised = held_during(lambda: call(server.base_url, "stream", mode))
    assert isinstance(raised, MalformedResponseError), raised
    assert "line is longer" in str(raised)
    # The line reader holds the line as text, and once more while appending a slice to it.
    line_mb = MAX_STREAM_LINE / MB
    assert held < 3 * line_mb + 4, f"{held:.1f} MB held for a {line_mb:.0f} MB line cap"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_an_error_page_bomb_is_read_to_the_error_cap(
    serve: Callable[..., ScriptedServer], coding: str, mode: str
) -> None:
    server = serve(500, "text/html", coding, bomb(coding, b"<html><p>overloaded</p>"))
    held, raised = held_during(lambda: call(server.base_url, "error", mode))
    assert isinstance(raised, ServerError), raised
    assert raised.server_message is not None and "overloaded" in raised.server_message
    assert held < ERROR_BODY_LIMIT / MB + 3, f"{held:.1f} MB held for a 64 KiB error cap"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", ["answer", "stream"])
@pytest.mark.parametrize("coding", ["zstd", "br", "compress", "x-unknown"])
def test_a_coding_that_was_not_asked_for_is_refused_undecoded(
    serve: Callable[..., ScriptedServer], coding: str, kind: str, mode: str
) -> None:
    body = bomb("zstd", b'{"id": "r", "choices": [{"text": "') if coding == "zstd" else b"\x00" * 64
    ctype = "text/event-stream" if kind == "stream" else "application/json"
    server = serve(200, ctype, coding, body)
    held, raised = held_during(lambda: call(server.base_url, kind, mode))
    assert isinstance(raised, MalformedResponseError), raised
    assert f"content-encoding '{coding}'" in str(raised)
    assert held < 3, f"{held:.1f} MB held: the body must not be decoded"


@pytest.mark.parametrize("mode", MODES)
def test_an_error_page_in_an_unasked_coding_keeps_its_status(
    serve: Callable[..., ScriptedServer], mode: str
) -> None:
    """A 429 stays a RateLimitError (retryable) even when its page cannot be decoded."""
    server = serve(429, "text/html", "zstd", bomb("zstd", b"<html>"))
    held, raised = held_during(lambda: call(server.base_url, "error", mode))
    assert isinstance(raised, RateLimitError), raised
    assert held < 3


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("coding", "packer"),
    [
        ("gzip", lambda d: gzip.compress(d)),
        ("x-gzip", lambda d: gzip.compress(d)),
        ("deflate", _deflate),
        ("deflate", _raw_deflate),  # raw deflate without the zlib wrapper, as some servers send
        ("gzip, gzip", lambda d: gzip.compress(gzip.compress(d))),
        ("identity", lambda d: d),
    ],
)
def test_compressed_answers_and_streams_decode(
    serve: Callable[..., ScriptedServer], coding: str, packer: Callable[[bytes], bytes], mode: str
) -> None:
    answer = json.dumps(gemini_completion("x" * 200_000)).encode()
    server = serve(200, "application/json", coding, packer(answer))
    call(server.base_url, "answer", mode)
    event = {"choices": [{"index": 0, "delta": {"content": "y" * 100_000}}]}
    done = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    sse = f"data: {json.dumps(event)}\n\ndata: {json.dumps(done)}\n\ndata: [DONE]\n\n"
    stream = serve(200, "text/event-stream", coding, packer(sse.encode()))
    call(stream.base_url, "stream", mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", ["answer", "stream"])
def test_a_corrupt_compressed_body_is_a_typed_error(
    serve: Callable[..., ScriptedServer], kind: str, mode: str
) -> None:
    corrupt = b'{"id": "r"} with a gzip header claimed, but not gzip'
    ctype = "text/event-stream" if kind == "stream" else "application/json"
    server = serve(200, ctype, "gzip", corrupt)
    with pytest.raises(MalformedResponseError, match="not valid gzip"):
        call(server.base_url, kind, mode)


@pytest.mark.parametrize("mode", MODES)
def test_only_bounded_codings_are_advertised_even_on_a_callers_client(
    serve: Callable[..., ScriptedServer], mode: str
) -> None:
    """httpx's own default would add zstd (br with brotli installed): a caller's client too."""
    answer = json.dumps(gemini_completion("ok")).encode()
    server = serve(200, "application/json", "identity", answer)
    own = httpx.Client() if mode == "sync" else httpx.AsyncClient()
    assert "zstd" in own.headers["accept-encoding"]  # what the caller's client would ask for
    call(server.base_url, "answer", mode, http_client=own)
    call(server.base_url, "answer", mode)
    sent = [head.decode("latin-1").lower() for head in server.heads]
    assert sent and all(f"accept-encoding: {ACCEPT_ENCODING}\r\n" in head for head in sent)
