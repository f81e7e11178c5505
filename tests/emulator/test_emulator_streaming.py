"""Streaming (SSE) shapes for both families, and the streaming faults."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from emulator_testlib import (
    gemini_body,
    metadata,
    nova_body,
    sse_events,
    text_of,
    unfence,
    user,
)

from memories_emulator import Emulator

Post = Callable[..., httpx.Response]

WEATHER = {
    "toolSpec": {
        "name": "get_weather",
        "description": "Weather for a city",
        "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}}},
    }
}


def stream(post: Post, body: dict[str, Any], path: str = "/vu/chat/completions") -> list[Any]:
    response = post({**body, "stream": True}, path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["x-request-id"].startswith("emu-")
    return sse_events(response)


def test_gemini_stream_shape(post: Post) -> None:
    body = gemini_body(user("Describe the clip in detail"))
    events = stream(post, body)
    assert events[-1] == "[DONE]"
    *chunks, final = events[:-1]
    ids = {event["id"] for event in events[:-1]}
    assert len(ids) == 1 and ids.pop().startswith("resp_")
    for chunk in chunks:
        assert set(chunk) == {"id", "object", "model", "created_at", "choices"}
        assert chunk["object"] == "completion.chunk"
        assert chunk["model"] == body["model"]
        [choice] = chunk["choices"]
        assert set(choice) == {"index", "text"}
        assert 1 <= len(choice["text"].split()) <= 3
    assert set(final) == {"id", "object", "model", "created_at", "choices", "usage"}
    assert final["choices"] == [{"index": 0, "text": "", "finish_reason": "stop"}]
    full = post(body).json()
    assert "".join(c["choices"][0]["text"] for c in chunks) == full["choices"][0]["text"]
    assert final["usage"] == full["usage"]


def test_nova_stream_shape(post: Post) -> None:
    body = nova_body(user("Describe the picture"))
    events = stream(post, body, "/iu/chat/completions")
    assert events[-1] == "[DONE]"
    *chunks, final = events[:-1]
    for n, chunk in enumerate(chunks):
        assert set(chunk) == {"id", "object", "created", "model", "choices"}
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["id"].startswith("chatcmpl_")
        [choice] = chunk["choices"]
        assert set(choice) == {"index", "delta"}
        expected = {"role", "content"} if n == 0 else {"content"}
        assert set(choice["delta"]) == expected
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert final["choices"] == [{"index": 0, "delta": {}, "finish_reason": "stop"}]
    full = post(body, "/iu/chat/completions").json()
    streamed = "".join(c["choices"][0]["delta"]["content"] for c in chunks)
    assert streamed == full["choices"][0]["message"]["content"]
    assert final["usage"] == full["usage"]
    assert set(final["usage"]) == {"prompt_tokens", "output_token", "total_tokens"}


def test_n_choices_are_interleaved_by_index(post: Post) -> None:
    events = stream(post, gemini_body(n=2))
    *chunks, final = events[:-1]
    indexes = [c["choices"][0]["index"] for c in chunks]
    assert indexes == [0, 1] * (len(chunks) // 2)
    texts = ["".join(c["choices"][0]["text"] for c in chunks if c["choices"][0]["index"] == i)
             for i in (0, 1)]  # fmt: skip
    full = post(gemini_body(n=2))
    assert texts == [text_of(full, 0), text_of(full, 1)]
    assert [c["index"] for c in final["choices"]] == [0, 1]
    nova = stream(post, nova_body(n=3))
    nova_indexes = [c["choices"][0]["index"] for c in nova[:-2]]
    assert nova_indexes[:6] == [0, 1, 2, 0, 1, 2]


def test_max_tokens_in_a_stream_finishes_with_length(post: Post) -> None:
    events = stream(post, nova_body(max_tokens=4))
    assert events[-2]["choices"][0]["finish_reason"] == "length"
    text = "".join(e["choices"][0]["delta"]["content"] for e in events[:-2])
    assert text == "Emulated answer from nova:us.amazon.nova-lite-v1:0:"


def test_json_answer_streams_as_text_pieces(post: Post) -> None:
    schema = {"type": "OBJECT", "properties": {"summary": {"type": "STRING"}}}
    events = stream(post, gemini_body(**metadata(responseSchema=schema)))
    text = "".join(e["choices"][0]["text"] for e in events[:-2])
    assert unfence(text) == {"summary": "example summary"}


def test_tool_call_streams_as_one_delta(post: Post) -> None:
    body = nova_body(user("weather?"), **metadata(toolConfig={"tools": [WEATHER]}))
    events = stream(post, body)
    assert events[-1] == "[DONE]"
    [chunk, final] = events[:-1]
    [choice] = chunk["choices"]
    [call] = choice["delta"]["tool_calls"]
    assert set(call) == {"index", "id", "type", "function"}
    assert call["index"] == 0
    assert call["type"] == "function"
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "example city"}
    assert final["choices"] == [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]
    assert final["usage"]["output_token"] == len(call["function"]["arguments"].split())


def read_until_failure(
    http: httpx.Client, body: dict[str, Any], fault: str
) -> tuple[list[str], Exception | None]:
    lines: list[str] = []
    try:
        with http.stream(
            "POST", "/vu/chat/completions", json=body, headers={"X-Emulator-Fault": fault}
        ) as response:
            assert response.status_code == 200
            lines.extend(line for line in response.iter_lines() if line)
    except httpx.HTTPError as exc:
        return lines, exc
    return lines, None


@pytest.mark.parametrize("make", [gemini_body, nova_body], ids=["gemini", "nova"])
def test_stream_cut_sends_half_then_breaks_the_connection(
    http: httpx.Client, post: Post, emulator: Emulator, make: Callable[..., dict[str, Any]]
) -> None:
    body = make(user("Tell me everything about this long topic"), stream=True)
    complete = [e for e in sse_events(post(body)) if e != "[DONE]"][:-1]
    lines, error = read_until_failure(http, body, "stream_cut")
    assert isinstance(error, httpx.RemoteProtocolError)
    assert "[DONE]" not in "".join(lines)
    events = [json.loads(line.removeprefix("data: ")) for line in lines]
    assert len(events) == len(complete) // 2
    assert all("usage" not in event for event in events)
    assert emulator.requests[-1].fault == "stream_cut"
    assert emulator.requests[-1].status == 200


def test_stream_error_sends_an_error_event_after_one_chunk(
    http: httpx.Client, emulator: Emulator
) -> None:
    lines, error = read_until_failure(http, gemini_body(stream=True), "stream_error")
    assert error is None  # the response itself ends cleanly
    events = [json.loads(line.removeprefix("data: ")) for line in lines]
    assert len(events) == 2
    assert events[0]["object"] == "completion.chunk"
    assert events[1] == {"error": {"code": 500, "message": "internal error mid-stream"}}
    assert emulator.requests[-1].fault == "stream_error"


def test_stream_faults_leave_plain_requests_alone(post: Post, emulator: Emulator) -> None:
    for fault in ("stream_cut", "stream_error"):
        response = post(gemini_body(), headers={"X-Emulator-Fault": fault})
        assert response.status_code == 200
        assert response.json()["status"] == "completed"
    assert [r.fault for r in emulator.requests] == [None, None]
