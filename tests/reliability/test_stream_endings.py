"""How a stream ends decides success, and the same answer is judged the same streamed or not.

* After the service marked the answer finished (``finish_reason``, with or without usage), a
  server that idles or hangs up without ``[DONE]`` has given the whole answer: success.
* Before that, the same endings are an interrupted or timed-out stream, never a short answer.
* A UTF-8 byte order mark before the first event does not swallow that event.
* A stream with no content and no finish reason (only ``[DONE]``) is a ``ModelError``, as the
  same empty answer is when not streamed.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from reliability_support import HalfAnswerServer

from langchain_memories import ChatMemoriesGemini
from memories_client import (
    APITimeoutError,
    MemoriesClient,
    Message,
    ModelError,
    StreamInterruptedError,
)


def _event(payload: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


TEXT = _event({"id": "r1", "choices": [{"index": 0, "delta": {"content": "A full answer."}}]})
FINISH_AND_USAGE = _event(
    {
        "id": "r1",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7},
    }
)
FINISH_ONLY = _event({"id": "r1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})


def _stream(server: HalfAnswerServer, timeout: float = 1.0) -> list[Any]:
    client = MemoriesClient(api_key="k", base_url=server.base_url, timeout=timeout, max_retries=0)
    with client:
        return list(client.stream(model="gemini-2.5-flash", messages=[Message.user("hi")]))


@pytest.mark.parametrize("after", ["stall", "close"])
@pytest.mark.parametrize("finish", [FINISH_AND_USAGE, FINISH_ONLY], ids=["with-usage", "no-usage"])
def test_a_finished_answer_without_done_is_a_success(after: str, finish: bytes) -> None:
    with HalfAnswerServer(after=after, raw_events=[TEXT, finish]) as server:
        started = time.monotonic()
        chunks = _stream(server)
    assert "".join(c.text for c in chunks) == "A full answer."
    assert chunks[-1].done and chunks[-1].finish_reason == "stop"
    if finish is FINISH_AND_USAGE:
        assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 7
    assert time.monotonic() - started < 10  # at most one read timeout (1 s) of idling


@pytest.mark.parametrize(
    ("after", "error"), [("stall", APITimeoutError), ("close", StreamInterruptedError)]
)
def test_an_unfinished_answer_is_never_passed_off_as_complete(
    after: str, error: type[Exception]
) -> None:
    with HalfAnswerServer(after=after, raw_events=[TEXT]) as server, pytest.raises(error):
        _stream(server)


def test_a_langchain_stream_that_idles_after_finishing_succeeds() -> None:
    with HalfAnswerServer(after="stall", raw_events=[TEXT, FINISH_AND_USAGE]) as server:
        llm = ChatMemoriesGemini(api_key="k", base_url=server.base_url, timeout=1, max_retries=0)
        chunks = list(llm.stream("hi"))
    assert "".join(str(c.content) for c in chunks) == "A full answer."
    assert sum(1 for c in chunks if c.usage_metadata) == 1


def test_a_byte_order_mark_does_not_swallow_the_first_event() -> None:
    with HalfAnswerServer(
        after="close", raw_events=[b"\xef\xbb\xbf" + TEXT, FINISH_ONLY]
    ) as server:
        chunks = _stream(server)
    assert "".join(c.text for c in chunks) == "A full answer."


def _mock(body: bytes, ctype: str) -> MemoriesClient:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": ctype})

    return MemoriesClient(
        api_key="k",
        base_url="http://127.0.0.1:1",
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    )


def test_an_empty_answer_is_a_model_error_streamed_or_not() -> None:
    request = {"model": "gemini-2.5-flash", "messages": [Message.user("hi")]}
    with pytest.raises(ModelError):
        list(_mock(b"data: [DONE]\n\n", "text/event-stream").stream(**request))
    empty = {"id": "r1", "status": "completed", "choices": [{"index": 0, "text": ""}]}
    with pytest.raises(ModelError):
        _mock(json.dumps(empty).encode(), "application/json").chat(**request)
