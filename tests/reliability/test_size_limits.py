"""Bounded memory against bodies that never end or are far too large (``memories_client._limits``).

Bodies here are generators served through ``httpx.MockTransport``, counting what the client
pulled: a capped read must stop pulling, not just stop keeping.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from langchain_core.messages import HumanMessage

from langchain_memories import ChatMemoriesGemini
from memories_client import (
    AsyncMemoriesClient,
    MalformedResponseError,
    MemoriesClient,
    Message,
    RetryPolicy,
    ServerError,
    StreamInterruptedError,
)
from memories_client._limits import (
    DEFAULT_MAX_RESPONSE_BYTES,
    ERROR_BODY_LIMIT,
    MAX_STREAM_LINE,
    PARTIAL_TEXT_LIMIT,
)

pytestmark = pytest.mark.usefixtures("async_transport")  # async calls on httpx and aiohttp

MB = 1024 * 1024
BASE = "http://127.0.0.1:1"
REQUEST = {"model": "gemini-2.5-flash", "messages": [Message.user("hi")]}


class Endless:
    """A body of ``chunk`` repeated forever (or ``total`` bytes), counting what was pulled."""

    def __init__(self, chunk: bytes, prefix: bytes = b"", total: int | None = None) -> None:
        self.chunk, self.prefix, self.total, self.pulled = chunk, prefix, total, 0

    def _pieces(self) -> Iterator[bytes]:
        yield self.prefix
        sent = len(self.prefix)
        for _ in itertools.count():
            if self.total is not None and sent >= self.total:
                return
            sent += len(self.chunk)
            yield self.chunk

    def __iter__(self) -> Iterator[bytes]:
        for piece in self._pieces():
            self.pulled += len(piece)
            yield piece

    async def aiter(self) -> AsyncIterator[bytes]:
        for piece in self:
            yield piece


def _transport(
    status: int, body: Endless, ctype: str, calls: list[int], *, asynchronous: bool = False
) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        content = body.aiter() if asynchronous else body
        return httpx.Response(status, content=content, headers={"content-type": ctype})

    return httpx.MockTransport(handle)


def _core(
    status: int, body: Endless, ctype: str = "application/json", **kw: object
) -> MemoriesClient:
    calls: list[int] = []
    return MemoriesClient(
        api_key="k",
        base_url=BASE,
        http_client=httpx.Client(transport=_transport(status, body, ctype, calls)),
        **kw,  # type: ignore[arg-type]
    )


def test_an_endless_answer_stops_at_max_response_bytes() -> None:
    body = Endless(b"x" * MB, prefix=b'{"id": "r", "choices": [{"text": "')
    with pytest.raises(MalformedResponseError, match="max_response_bytes"):
        _core(200, body, max_response_bytes=4 * MB).chat(**REQUEST)
    assert body.pulled <= 4 * MB + MB + 100


async def test_the_async_client_stops_too() -> None:
    body = Endless(b"x" * MB, prefix=b'{"id": "r"')
    client = AsyncMemoriesClient(
        api_key="k",
        base_url=BASE,
        max_response_bytes=2 * MB,
        http_client=httpx.AsyncClient(
            transport=_transport(200, body, "application/json", [], asynchronous=True)
        ),
    )
    with pytest.raises(MalformedResponseError, match="max_response_bytes"):
        await client.chat(**REQUEST)
    assert body.pulled <= 3 * MB + 100


def test_the_default_cap_protects_the_framework_layers() -> None:
    body = Endless(b"x" * MB, prefix=b'{"id": "r"')
    calls: list[int] = []
    llm = ChatMemoriesGemini(
        api_key="k",
        base_url=BASE,
        max_retries=0,
        http_client=httpx.Client(transport=_transport(200, body, "application/json", calls)),
    )
    with pytest.raises(MalformedResponseError):
        llm.invoke([HumanMessage("hi")])
    assert body.pulled <= DEFAULT_MAX_RESPONSE_BYTES + MB + 100


def test_a_huge_error_page_is_read_up_to_a_small_cap_on_every_attempt() -> None:
    body = Endless(b"<html>oops</html>" * 4096, total=50 * MB)
    calls: list[int] = []
    client = MemoriesClient(
        api_key="k",
        base_url=BASE,
        retry_policy=RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.001),
        http_client=httpx.Client(transport=_transport(500, body, "text/html", calls)),
    )
    with pytest.raises(ServerError) as info:
        client.chat(**REQUEST)
    assert len(calls) == 3  # still retried
    assert body.pulled <= 3 * (ERROR_BODY_LIMIT + 4096 * 17 + 100)
    assert info.value.server_message is not None and len(info.value.server_message) <= 2000
    assert info.value.body is None  # a truncated page is not kept whole


def test_a_streamed_line_without_end_is_abandoned() -> None:
    body = Endless(b"x" * MB, prefix=b"data: ")
    client = _core(200, body, "text/event-stream")
    with pytest.raises(MalformedResponseError, match="line is longer"):
        list(client.stream(**REQUEST))
    assert body.pulled <= MAX_STREAM_LINE + 2 * MB


def test_an_event_of_endless_data_lines_is_abandoned() -> None:
    body = Endless(b"data: " + b"y" * 1000 + b"\n")
    with pytest.raises(MalformedResponseError, match="event is longer"):
        list(_core(200, body, "text/event-stream").stream(**REQUEST))
    assert body.pulled <= MAX_STREAM_LINE * 1.1


def test_an_interrupted_stream_keeps_only_a_tail_of_its_text() -> None:
    event = b'data: {"choices": [{"index": 0, "delta": {"content": "' + b"z" * 10_000 + b'"}}]}\n\n'
    body = Endless(event, total=5 * MB)  # then the body ends: no finish_reason, no [DONE]
    with pytest.raises(StreamInterruptedError) as info:
        for _ in _core(200, body, "text/event-stream").stream(**REQUEST):
            pass  # a consumer that keeps nothing
    assert len(info.value.partial_text) <= PARTIAL_TEXT_LIMIT
    assert info.value.partial_text.endswith("z" * 100)
    events_sent = body.pulled // len(event)
    assert f"{events_sent * 10_000} characters had arrived" in str(info.value)  # the full count
