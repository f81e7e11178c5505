"""``timeout`` is a wall-clock deadline, not a per-read one (``memories_client._deadline``).

Slow-loris servers on loopback trickle one byte (or one SSE comment) every 0.3 s, for up to
20 s: the headers, the body, or keep-alive comments of a stream that never sends an event.
httpx's per-read timeout never fires on them. With ``timeout=1`` every surface must give up
with a typed timeout: the bound below (8 s) is a "no hang" check, far above the ~1 s expected,
so that a loaded machine cannot make it flaky; the figures themselves are measured by
``benchmarks/hostile.py``.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.llms import ChatMessage
from loopback import LoopbackServer, chunk

from langchain_memories import ChatMemoriesGemini
from llama_index_memories import MemoriesMultiModal
from memories_client import (
    APITimeoutError,
    AsyncMemoriesClient,
    MemoriesClient,
    Message,
    RetryPolicy,
)

pytestmark = pytest.mark.usefixtures("async_transport")  # async calls on httpx and aiohttp

TRICKLE = 0.3
NO_HANG = 8.0


class SlowServer(LoopbackServer):
    """Answers every request slowly, in one of four ways, until the client hangs up."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        super().__init__()

    def _trickle(self, conn: socket.socket, pieces: Callable[[int], bytes]) -> None:
        deadline = time.monotonic() + 20
        n = 0
        while not self.stopped.is_set() and time.monotonic() < deadline:
            conn.sendall(pieces(n))
            n += 1
            time.sleep(TRICKLE)

    def respond(self, conn: socket.socket, body: bytes) -> bool:
        if self.mode == "headers":
            head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-pad: " + b"a" * 10_000
            self._trickle(conn, lambda n: head[n : n + 1])
            return False
        if self.mode == "body":
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"content-length: 100000\r\n\r\n"
            )
            self._trickle(conn, lambda n: b" ")
            return False
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        if self.mode == "events":  # real events, each in time, and never an end
            event = b'data: {"choices": [{"index": 0, "delta": {"content": "more "}}]}\n\n'
        else:  # keep-alive comments on an event stream, never an event
            event = b": keep-alive\n\n"
        self._trickle(conn, lambda n: chunk(event))
        return False


def _core_chat(url: str) -> Any:
    client = MemoriesClient(api_key="k", base_url=url, timeout=1, max_retries=0)
    return client.chat(model="gemini-2.5-flash", messages=[Message.user("hi")])


def _core_stream(url: str) -> Any:
    client = MemoriesClient(api_key="k", base_url=url, timeout=1, max_retries=0)
    return list(client.stream(model="gemini-2.5-flash", messages=[Message.user("hi")]))


def _async_chat(url: str) -> Any:
    async def run() -> Any:
        client = AsyncMemoriesClient(api_key="k", base_url=url, timeout=1, max_retries=0)
        return await client.chat(model="gemini-2.5-flash", messages=[Message.user("hi")])

    return asyncio.run(run())


def _async_stream(url: str) -> Any:
    async def run() -> Any:
        client = AsyncMemoriesClient(api_key="k", base_url=url, timeout=1, max_retries=0)
        request = {"model": "gemini-2.5-flash", "messages": [Message.user("hi")]}
        return [c async for c in client.stream(**request)]

    return asyncio.run(run())


def _langchain_invoke(url: str) -> Any:
    return ChatMemoriesGemini(api_key="k", base_url=url, timeout=1, max_retries=0).invoke("hi")


def _langchain_stream(url: str) -> Any:
    llm = ChatMemoriesGemini(api_key="k", base_url=url, timeout=1, max_retries=0)
    return list(llm.stream("hi"))


def _llamaindex_chat(url: str) -> Any:
    llm = MemoriesMultiModal(api_key="k", base_url=url, timeout=1, max_retries=0)
    return llm.chat([ChatMessage(role="user", content="hi")])


def _llamaindex_stream(url: str) -> Any:
    llm = MemoriesMultiModal(api_key="k", base_url=url, timeout=1, max_retries=0)
    return list(llm.stream_chat([ChatMessage(role="user", content="hi")]))


CALLS = {
    "core-chat": _core_chat,
    "core-stream": _core_stream,
    "async-chat": _async_chat,
    "async-stream": _async_stream,
    "langchain-invoke": _langchain_invoke,
    "langchain-stream": _langchain_stream,
    "llamaindex-chat": _llamaindex_chat,
    "llamaindex-stream": _llamaindex_stream,
}
# A stream of comments only applies to streaming calls; the others see a slow plain answer.
CASES = [
    (mode, name)
    for mode in ("headers", "body", "comments")
    for name in CALLS
    if mode != "comments" or "stream" in name
]


@pytest.mark.parametrize(("mode", "call"), CASES, ids=[f"{m}-{c}" for m, c in CASES])
def test_a_slow_loris_server_gets_a_typed_timeout(mode: str, call: str) -> None:
    server = SlowServer(mode)
    try:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            CALLS[call](server.base_url)
        assert time.monotonic() - started < NO_HANG
    finally:
        server.close()


PROXIED = {  # a proxy that trickles its answer: forwarding plain HTTP, or a CONNECT tunnel
    "forward": ("HTTP_PROXY", "http://memories.invalid"),
    "tunnel": ("HTTPS_PROXY", "https://memories.invalid"),
}


@pytest.mark.parametrize("route", sorted(PROXIED))
@pytest.mark.parametrize("call", ["core-chat", "core-stream", "async-chat", "async-stream"])
@pytest.mark.filterwarnings("ignore::memories_client.InsecureBaseURLWarning")  # plain http
def test_a_slow_loris_proxy_gets_a_typed_timeout(
    route: str, call: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The transports mounted for the environment's proxies keep the deadline too.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    variable, base_url = PROXIED[route]
    server = SlowServer("headers")
    monkeypatch.setenv(variable, server.base_url)
    try:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            CALLS[call](base_url)
        assert time.monotonic() - started < NO_HANG
    finally:
        server.close()


# --------------------------------------------------------------------------- total_timeout

TOTAL = {
    "core": lambda url: list(
        MemoriesClient(api_key="k", base_url=url, timeout=5, total_timeout=1).stream(
            model="gemini-2.5-flash", messages=[Message.user("hi")]
        )
    ),
    "async": lambda url: asyncio.run(_async_total(url)),
    "langchain": lambda url: list(
        ChatMemoriesGemini(api_key="k", base_url=url, timeout=5, total_timeout=1).stream("hi")
    ),
    "llamaindex": lambda url: list(
        MemoriesMultiModal(api_key="k", base_url=url, timeout=5, total_timeout=1).stream_chat(
            [ChatMessage(role="user", content="hi")]
        )
    ),
}


async def _async_total(url: str) -> Any:
    client = AsyncMemoriesClient(api_key="k", base_url=url, timeout=5, total_timeout=1)
    request = {"model": "gemini-2.5-flash", "messages": [Message.user("hi")]}
    return [c async for c in client.stream(**request)]


@pytest.mark.parametrize("surface", sorted(TOTAL))
def test_total_timeout_ends_a_stream_that_never_ends(surface: str) -> None:
    # Every event arrives well within `timeout`; only the call's total deadline can end it.
    server = SlowServer("events")
    try:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="total_timeout"):
            TOTAL[surface](server.base_url)
        assert time.monotonic() - started < NO_HANG
    finally:
        server.close()


def test_total_timeout_bounds_the_retries_and_says_why_it_stopped() -> None:
    from memories_client import ServerError
    from memories_emulator import Emulator

    with Emulator(fault="503") as emu:
        # Real backoff (this suite's fixture shrinks the default one to milliseconds). 2.5 s
        # leaves room for a retry or two even when a loaded machine slows the first attempt.
        policy = RetryPolicy(max_retries=50, initial_delay=0.5)
        client = MemoriesClient(
            api_key="k", base_url=emu.base_url, retry_policy=policy, total_timeout=2.5
        )
        started = time.monotonic()
        with pytest.raises(ServerError, match=r"would pass total_timeout=2\.5 s"):
            client.chat(model="gemini-2.5-flash", messages=[Message.user("hi")])
        assert time.monotonic() - started < NO_HANG
        assert 1 < len(emu.requests) < 50


@pytest.mark.parametrize("value", [0, -1, "1", True, float("nan")])
def test_total_timeout_must_be_a_positive_number(value: object) -> None:
    with pytest.raises(ValueError, match="total_timeout"):
        MemoriesClient(api_key="k", total_timeout=value)  # type: ignore[arg-type]
