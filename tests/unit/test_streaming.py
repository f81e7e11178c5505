from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memories_client import (
    AuthenticationError,
    MalformedResponseError,
    ModelError,
    ServerError,
    StreamChunk,
    StreamInterruptedError,
)
from memories_client.streaming import SSEDecoder, StreamAssembler


def run(lines: Iterable[str]) -> tuple[list[StreamChunk], StreamChunk]:
    decoder, assembler = SSEDecoder(), StreamAssembler(request_id="rid")
    chunks: list[StreamChunk] = []
    for line in lines:
        for event in decoder.feed_line(line):
            chunks.extend(assembler.add_event(event))
        if assembler.ended:
            break
    for event in decoder.flush():
        chunks.extend(assembler.add_event(event))
    return chunks, assembler.finish()


def sse(*payloads: Any, done: bool = True) -> list[str]:
    lines: list[str] = []
    for p in payloads:
        lines += [f"data: {json.dumps(p)}", ""]
    if done:
        lines += ["data: [DONE]", ""]
    return lines


def test_openai_delta_shape_with_usage_on_final_chunk_only() -> None:
    chunks, final = run(
        sse(
            {
                "id": "c1",
                "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}],
            },
            {"choices": [{"index": 0, "delta": {"content": "lo"}}]},
            {
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 4, "output_token": 2, "total_tokens": 6},
            },
        )
    )
    assert "".join(c.text for c in chunks) == "Hello"
    assert all(c.usage is None for c in chunks)
    assert final.done and final.usage is not None and final.usage.output_tokens == 2
    assert final.finish_reason == "stop" and final.id == "c1"


def test_completion_text_shape_and_gemini_usage() -> None:
    chunks, final = run(
        sse(
            {"object": "completion.chunk", "choices": [{"index": 0, "text": "A "}]},
            {"choices": [{"index": 0, "text": "B"}]},
            {
                "choices": [{"index": 0, "text": "", "finish_reason": "stop"}],
                "usage": {"input_tokens": 9, "output_tokens": 2, "total_tokens": 11},
            },
        )
    )
    assert [c.text for c in chunks] == ["A ", "B"]
    assert final.usage is not None and final.usage.total_tokens == 11


def test_token_house_style_ndjson_and_comments() -> None:
    chunks, final = run(
        [": keep-alive", 'data: {"token": "x"}', "", '{"token": "y"}', "data: [DONE]", ""]
    )
    assert [c.text for c in chunks] == ["x", "y"]
    assert final.usage is None and final.finish_reason == "stop"


def test_usage_repeated_as_running_totals_is_not_summed() -> None:
    _, final = run(
        sse(
            {
                "choices": [{"delta": {"content": "a"}}],
                "usage": {"input_tokens": 10, "output_tokens": 1},
            },
            {
                "choices": [{"delta": {"content": "b"}}],
                "usage": {"input_tokens": 10, "output_tokens": 2},
            },
        )
    )
    assert final.usage is not None
    assert (final.usage.input_tokens, final.usage.output_tokens) == (10, 2)


def test_multiline_data_and_crlf() -> None:
    payload = json.dumps({"choices": [{"delta": {"content": "z"}}]})
    lines = ["data: " + payload[:10] + "\r", "data: " + payload[10:] + "\r", "\r", "data: [DONE]"]
    # A JSON split over two data lines is joined with a newline, which JSON tolerates.
    chunks, _ = run(lines)
    assert [c.text for c in chunks] == ["z"]


def test_tool_call_fragments_are_assembled() -> None:
    chunks, final = run(
        sse(
            {
                "choices": [
                    {
                        "delta": {
                            "tool_calls": [
                                {
                                    "index": 0,
                                    "id": "call_1",
                                    "function": {"name": "f", "arguments": '{"a"'},
                                }
                            ]
                        }
                    }
                ]
            },
            {
                "choices": [
                    {"delta": {"tool_calls": [{"index": 0, "function": {"arguments": ": 3}"}}]}}
                ]
            },
            {"choices": [{"delta": {}, "finish_reason": "tool_calls"}]},
        )
    )
    assert chunks == []
    assert final.tool_calls[0].name == "f" and final.tool_calls[0].arguments == {"a": 3}
    assert final.finish_reason == "tool_calls"


def test_whole_message_in_one_event() -> None:
    chunks, final = run(
        sse({"choices": [{"message": {"content": "all"}, "finish_reason": "stop"}]}, done=False)
    )
    assert [c.text for c in chunks] == ["all"] and final.finish_reason == "stop"


def test_cut_stream_raises_with_partial_text() -> None:
    with pytest.raises(StreamInterruptedError) as info:
        run(sse({"choices": [{"delta": {"content": "half an ans"}}]}, done=False))
    assert info.value.partial_text == "half an ans"


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"error": {"code": 500, "message": "boom"}}, ServerError),
        ({"error": {"code": 401, "message": "bad key"}}, AuthenticationError),
        ({"status": "errored", "error": {"code": "x", "message": "no media"}}, ModelError),
        ({"error": "plain"}, ModelError),
    ],
)
def test_error_payloads(payload: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        run(sse({"choices": [{"delta": {"content": "a"}}]}, payload))
    assert "rid" in str(info.value)


def test_named_error_event() -> None:
    with pytest.raises(ModelError, match="nope"):
        run(["event: error", 'data: {"message": "nope", "error": {"message": "nope"}}', ""])


def test_non_json_event_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        run(["data: {not json", ""])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=20))
def test_arbitrary_lines_only_raise_typed_errors(lines: list[str]) -> None:
    from memories_client import MemoriesError

    with contextlib.suppress(MemoriesError):
        run(lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=10))
def test_deltas_concatenate_to_the_answer(pieces: list[str]) -> None:
    payloads = [{"choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
    chunks, _ = run(sse(*payloads))
    assert "".join(c.text for c in chunks) == "".join(pieces)
