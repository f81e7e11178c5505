"""Many async calls at once: a slot per connection, waits bounded by total_timeout, aiohttp.

The pools the async client creates admit 100 calls per event loop; more wait for a slot before
they are sent, so ``timeout`` (per attempt) never runs out in a queue and no call meets
httpx's ``PoolTimeout``. The speed of it is measured in ``benchmarks/batch.py``, not here.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading
import time

import pytest
from loopback import LoopbackServer, gemini_completion

from memories_client import (
    APIConnectionError,
    APITimeoutError,
    AsyncMemoriesClient,
    ChatRequest,
    Message,
)
from memories_client._client_base import LIMITS
from memories_emulator import Emulator

pytestmark = pytest.mark.usefixtures("async_transport")  # async calls on httpx and aiohttp


def _request(i: int) -> ChatRequest:
    return ChatRequest(model="gemini-2.5-flash", messages=[Message.user(f"call {i}")])


class SlowAnswers(LoopbackServer):
    """Answers each request after ``delay`` seconds, echoing its question; counts overlap."""

    def __init__(self, delay: float, *, hold: threading.Event | None = None) -> None:
        super().__init__()
        self.delay, self.hold = delay, hold
        self.in_flight = self.most_in_flight = 0
        self._lock = threading.Lock()

    def respond(self, conn: socket.socket, body: bytes) -> bool:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.hold is not None:
                self.hold.wait(10)
            time.sleep(self.delay)
            asked = json.loads(body)["messages"][0]["content"]
            text = asked if isinstance(asked, str) else asked[0]["text"]
            answer = json.dumps(gemini_completion(text)).encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\n\r\n%s" % (len(answer), answer)
            )
        finally:
            with self._lock:
                self.in_flight -= 1
        return True


def test_a_queued_call_does_not_spend_its_timeout_waiting_for_a_connection() -> None:
    # 800 calls, 0.5 s each, 100 connections: the last ones wait about 3.5 s for a slot, past
    # their `timeout` of 3 s (six times one answer: ample even on a machine loaded eight times
    # over, where 2 s for a 0.4 s answer once was not). Waiting in httpx's pool instead, they
    # failed with PoolTimeout.
    async def main(url: str) -> list[str]:
        async with AsyncMemoriesClient(
            api_key="k", base_url=url, timeout=3.0, max_retries=0
        ) as client:
            answers = await asyncio.gather(*(client.chat(_request(i)) for i in range(800)))
        return [a.text for a in answers]

    with SlowAnswers(0.5) as server:
        texts = asyncio.run(main(server.base_url))
    assert texts == [f"call {i}" for i in range(800)]  # every call its own answer, in order
    assert server.most_in_flight <= LIMITS.max_connections


def test_the_wait_for_a_slot_counts_against_total_timeout() -> None:
    hold = threading.Event()

    async def main(url: str) -> APITimeoutError:
        async with AsyncMemoriesClient(api_key="k", base_url=url, max_retries=0) as client:
            busy = [asyncio.ensure_future(client.chat(_request(i))) for i in range(100)]
            await asyncio.sleep(0.3)  # every slot is taken by a held call
            client.total_timeout = 0.5  # for the calls from now on
            started = time.monotonic()
            with pytest.raises(APITimeoutError) as info:
                await client.chat(_request(100))
            # Not the whole wait for a slot (the held calls never end): about total_timeout,
            # with room for a loaded machine.
            assert 0.4 < time.monotonic() - started < 4
            hold.set()
            await asyncio.gather(*busy)
        return info.value

    with SlowAnswers(0.0, hold=hold) as server:
        error = asyncio.run(main(server.base_url))
        hold.set()
    assert "waited 0.5 s for one of the 100 connections" in str(error)
    assert "total_timeout=0.5 s" in str(error)


def test_a_stream_gives_its_slot_back_when_it_is_closed(emu: Emulator) -> None:
    # More streams than slots, each abandoned after its first chunk: a slot that was not given
    # back would leave the 101st waiting until its total_timeout.
    async def main() -> int:
        opened = 0
        async with AsyncMemoriesClient(
            api_key="k", base_url=emu.base_url, total_timeout=5
        ) as client:
            for i in range(LIMITS.max_connections + 20):  # type: ignore[operator]
                stream = client.stream(_request(i))
                async for _ in stream:
                    opened += 1
                    break
                await stream.aclose()  # type: ignore[attr-defined]
        return opened

    assert asyncio.run(main()) == LIMITS.max_connections + 20  # type: ignore[operator]


def test_a_refused_connection_is_a_connection_error(async_transport: str) -> None:
    # httpx-aiohttp 0.2.0 maps every aiohttp connection error to httpx.ConnectTimeout: a
    # refused connection read as a timeout. It is a connection error on both transports.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there

    async def main() -> None:
        async with AsyncMemoriesClient(
            api_key="k", base_url=f"http://127.0.0.1:{port}", max_retries=0
        ) as client:
            await client.chat(_request(0))

    with pytest.raises(APIConnectionError) as info:
        asyncio.run(main())
    assert not isinstance(info.value, APITimeoutError)
    assert "Connect" in str(info.value)


class GzipAnswer(LoopbackServer):
    """Answers with a gzip-encoded body, as a server honouring Accept-Encoding would."""

    BODY = json.dumps(gemini_completion("zipped")).encode()

    def respond(self, conn: socket.socket, body: bytes) -> bool:
        zipped = gzip.compress(self.BODY)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n"
            b"content-length: %d\r\n\r\n%s" % (len(zipped), zipped)
        )
        return True


def test_the_transport_hands_over_raw_bytes_for_the_client_to_decode() -> None:
    # The byte caps apply to what the client decodes itself: a transport that decoded on its
    # own (aiohttp's default) would hand over bytes no cap had counted.
    async def main(url: str) -> tuple[bytes, str | None, str]:
        async with AsyncMemoriesClient(api_key="k", base_url=url) as client:
            http = client.http_client
            async with http.stream("POST", f"{url}/vu/chat/completions", content=b"{}") as r:
                raw = b"".join([chunk async for chunk in r.aiter_raw()])
            answer = await client.chat(_request(0))
        return raw, r.headers.get("content-encoding"), answer.text

    with GzipAnswer() as server:
        raw, encoding, text = asyncio.run(main(server.base_url))
    assert encoding == "gzip"
    assert gzip.decompress(raw) == GzipAnswer.BODY  # the wire bytes, still compressed
    assert text == "zipped"  # and the client decodes them
