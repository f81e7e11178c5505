"""Streaming: the SSE decoder, the assembler's chunks and final chunk, and how a stream ends.

The SSE decoder's field rules, every chunk field the assembler fills in, the final chunk, the
errors a stream can end in (type, message and fields) and ``completion_to_chunks``, through
the public ``SSEDecoder``, ``StreamAssembler`` and ``completion_to_chunks``. A mistake here cuts
or duplicates the text a user is shown, or loses the usage they are billed for.
"""

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
    BadRequestError,
    InsufficientCreditsError,
    MalformedResponseError,
    MemoriesAPIError,
    ModelError,
    RateLimitError,
    ServerError,
    StreamChunk,
    StreamInterruptedError,
)
from memories_client._limits import MAX_STREAM_LINE
from memories_client._streaming import SSEDecoder, SSEEvent, StreamAssembler, completion_to_chunks
from memories_client.types import Choice, Completion, ToolCall, Usage


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


def events(lines: list[str]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    out = [event for line in lines for event in decoder.feed_line(line)]
    return out + decoder.flush()


def chunks_of(*payloads: dict[str, Any], request_id: str | None = None) -> list[StreamChunk]:
    assembler = StreamAssembler(request_id=request_id)
    return [chunk for p in payloads for chunk in assembler.add_payload(p)]


def assemble(*payloads: dict[str, Any]) -> tuple[list[StreamChunk], StreamChunk]:
    assembler = StreamAssembler()
    chunks = [chunk for p in payloads for chunk in assembler.add_payload(p)]
    return chunks, assembler.finish()


# -- the SSE decoder --------------------------------------------------------------------------


def test_sse_fields() -> None:
    assert events(
        [
            "\ufeffdata: one",  # a byte order mark before the first field is ignored
            "",
            "event: error",
            "id: 7",
            "retry: 100",
            "data:two",  # no space after the colon
            "data:  three",  # only the first space is dropped
            "",
            "event:",  # an empty name is the default name
            "data",  # a field name alone is an empty value
            "",
            "data: after\r",
            "\r",
            "data: left",
        ]
    ) == [
        SSEEvent("one"),
        SSEEvent("two\n three", "error"),
        SSEEvent(""),
        SSEEvent("after"),
        SSEEvent("left"),
    ]


def test_the_event_name_ends_with_its_event() -> None:
    assert events(["event: error", "data: a", "", "data: b", ""]) == [
        SSEEvent("a", "error"),
        SSEEvent("b"),
    ]
    # A name with no data dispatches nothing and does not carry over either.
    assert events(["event: error", "", "data: b", ""]) == [SSEEvent("b")]


def test_a_byte_order_mark_is_dropped_only_at_the_start() -> None:
    assert events(["data: a", "", "\ufeffdata: b", ""]) == [SSEEvent("a")]
    assert events(["\r\ufeffdata: a", ""]) == []


def test_bare_json_lines_are_events_of_their_own() -> None:
    assert events(['{"token": "a"}', "[1]", 'data: {"b": 1}', '{"c": 2}', ""]) == [
        SSEEvent('{"token": "a"}'),
        SSEEvent("[1]"),
        SSEEvent('{"b": 1}'),  # inside an event, a JSON-looking line is an unknown field
    ]


def test_comments_are_ignored() -> None:
    assert events([": keep-alive", "data: x", ":", ""]) == [SSEEvent("x")]


def test_only_carriage_returns_are_stripped_from_a_line_end() -> None:
    assert events(["data: a \t", "", "data: MAX\r\r", ""]) == [SSEEvent("a \t"), SSEEvent("MAX")]


def test_unknown_fields_are_ignored_whatever_they_start_with() -> None:
    assert events(["X-trace: 1", "", "id: 3", ""]) == []


def test_an_event_may_be_as_long_as_the_limit_but_not_longer() -> None:
    half = MAX_STREAM_LINE // 2
    assert events(["data: " + "a" * MAX_STREAM_LINE, ""]) == [SSEEvent("a" * MAX_STREAM_LINE)]
    with pytest.raises(MalformedResponseError) as info:
        events(["data: " + "a" * half, "data: " + "a" * (half + 1)])
    assert info.value.message == (
        f"a streamed event is longer than {MAX_STREAM_LINE:,} characters; the stream was abandoned"
    )
    # the count starts again with each event
    assert len(events(["data: " + "a" * half, "", "data: " + "a" * (half + 1), ""])) == 2
    assert len(events(["data: a", "", "data: " + "a" * MAX_STREAM_LINE, ""])) == 2


# -- events into chunks -----------------------------------------------------------------------


def test_done_and_blank_events() -> None:
    assembler = StreamAssembler()
    assert list(assembler.add_event(SSEEvent("  "))) == []
    assert not assembler.ended and not assembler.complete
    assert list(assembler.add_event(SSEEvent(" [DONE]\n"))) == []
    assert assembler.ended and assembler.complete


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "a streamed event is not JSON: '{not json'"),
        ("[1, 2]", "a streamed event is not a JSON object: '[1, 2]'"),
        ('"text"', "a streamed event is not a JSON object: '\"text\"'"),
    ],
)
def test_events_that_are_not_json_objects(data: str, message: str) -> None:
    assembler = StreamAssembler(request_id="rid")
    with pytest.raises(MalformedResponseError) as info:
        list(assembler.add_event(SSEEvent(data)))
    assert (info.value.message, info.value.request_id) == (message, "rid")


def test_a_long_bad_event_is_quoted_up_to_200_characters() -> None:
    with pytest.raises(MalformedResponseError) as info:
        list(StreamAssembler().add_event(SSEEvent("x" * 300)))
    assert info.value.message == f"a streamed event is not JSON: {'x' * 200!r}"
    array = json.dumps(list(range(100)))
    with pytest.raises(MalformedResponseError) as info:
        list(StreamAssembler().add_event(SSEEvent(array)))
    assert info.value.message == f"a streamed event is not a JSON object: {array[:200]!r}"


def test_a_named_error_event_with_an_object_keeps_it_as_the_body() -> None:
    payload = {"code": 503, "message": "busy"}
    with pytest.raises(ServerError) as info:
        list(StreamAssembler().add_event(SSEEvent(json.dumps(payload), "error")))
    assert (info.value.message, info.value.body) == ("the stream failed mid-answer: busy", payload)


def test_a_named_error_event_whose_data_is_not_an_object() -> None:
    with pytest.raises(ModelError) as info:
        list(StreamAssembler(request_id="rid").add_event(SSEEvent('"overloaded"', "error")))
    assert info.value.message == "the stream failed mid-answer: overloaded"
    assert info.value.body == {"error": "overloaded"}


def test_every_chunk_field() -> None:
    first = {"id": "c1", "model": "m1", "choices": [{"delta": {"content": "He"}}]}
    second = {
        "choices": [
            {"index": 0, "delta": {"text": "llo", "reasoning": "hm"}},
            "not a choice",
            {"delta": {"content": "b1", "reasoning_content": "r1"}},
            {"index": True, "text": "b2"},
            {"index": 4, "message": {"content": "m4"}},
            {"index": 5, "message": {"content": ["not text"]}},
            {"index": 6, "delta": {"content": 7}},
        ]
    }
    assert chunks_of(first, second) == [
        StreamChunk(text="He", id="c1", model="m1", raw=first),
        StreamChunk(text="llo", reasoning="hm", id="c1", model="m1", raw=second),
        StreamChunk(text="b1", index=2, reasoning="r1", id="c1", model="m1", raw=second),
        StreamChunk(text="b2", index=3, id="c1", model="m1", raw=second),
        StreamChunk(text="m4", index=4, id="c1", model="m1", raw=second),
    ]


def test_ids_and_models_of_the_wrong_type_are_ignored() -> None:
    payload = {"id": 5, "model": None, "choices": [{"text": "a"}]}
    assert chunks_of({"id": "c1", "model": "m1"}, payload) == [
        StreamChunk(text="a", id="c1", model="m1", raw=payload)
    ]


def test_the_house_token_style() -> None:
    payload = {"id": "t1", "model": "m1", "token": "x"}
    assert chunks_of(payload, {"token": ""}, {"token": 5}) == [
        StreamChunk(text="x", id="t1", model="m1", raw=payload)
    ]


def test_a_choice_with_only_a_finish_reason_is_no_chunk() -> None:
    assert chunks_of({"choices": [{"index": 0, "finish_reason": "stop"}]}) == []


def test_a_finish_reason_that_is_not_text_does_not_end_the_stream() -> None:
    with pytest.raises(StreamInterruptedError):
        assemble({"choices": [{"delta": {"content": "a"}, "finish_reason": 1}]})


def test_a_reasoning_only_delta_is_a_chunk_and_delta_wins_over_text() -> None:
    payload = {"choices": [{"delta": {"reasoning_content": "think"}, "text": "ignored"}]}
    assert chunks_of(payload) == [StreamChunk(reasoning="think", raw=payload)]


def test_only_the_first_choice_counts_towards_the_partial_text() -> None:
    assembler = StreamAssembler()
    payloads = [
        {"choices": [{"index": 1, "delta": {"content": "other"}}]},
        {"token": "to"},
        {"choices": [{"delta": {"content": "ken", "reasoning": "not text"}}]},
    ]
    for payload in payloads:
        list(assembler.add_payload(payload))
    with pytest.raises(StreamInterruptedError) as info:
        assembler.finish()
    assert info.value.partial_text == "token"
    assert str(info.value) == (
        "the stream ended before the service marked the answer complete (no [DONE], no "
        "finish_reason); 5 characters had arrived. The answer is incomplete; retry the request"
    )


# -- the final chunk --------------------------------------------------------------------------


def test_the_final_chunk_carries_usage_ids_and_the_first_choice_finish_reason() -> None:
    _, final = assemble(
        {"id": "c1", "model": "m1", "choices": [{"delta": {"content": "a"}}]},
        {"choices": [{"index": 1, "delta": {}, "finish_reason": "length"}]},
        {"choices": [{"delta": {}, "finish_reason": ""}]},
        {"usage": {"input_tokens": 3, "output_tokens": 1}},
        {"choices": [{"delta": {}, "finish_reason": "end_turn"}], "usage": {"note": "none"}},
    )
    assert final == StreamChunk(
        finish_reason="end_turn", usage=Usage(3, 1, 4), id="c1", model="m1", done=True
    )


def test_a_finish_reason_of_another_choice_still_ends_the_stream() -> None:
    _, final = assemble(
        {"choices": [{"delta": {"content": "a"}}]},
        {"choices": [{"index": 1, "delta": {}, "finish_reason": "stop"}]},
    )
    assert final.finish_reason == "stop" and final.done


def test_a_completed_status_ends_the_stream() -> None:
    assembler = StreamAssembler()
    list(assembler.add_payload({"status": "completed", "token": "a"}))
    assert assembler.complete
    assert assembler.finish().finish_reason == "stop"
    assembler = StreamAssembler()
    list(assembler.add_payload({"status": "in_progress", "token": "a"}))
    assert not assembler.complete


def test_tool_call_fragments() -> None:
    _, final = assemble(
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [
                            {"id": "call_a", "function": {"name": "add", "arguments": '{"a":'}},
                            "not a call",
                            {"index": 5, "function": {"name": "mul", "arguments": {"x": 2}}},
                        ]
                    }
                }
            ]
        },
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [
                            {"index": 0, "function": {"name": "add", "arguments": " 1}"}},
                            {"index": True, "id": 9, "function": {"name": 3, "arguments": 4}},
                        ]
                    }
                }
            ]
        },
        {"choices": [{"index": 1, "message": {"tool_calls": [{"function": {"name": "x"}}]}}]},
        {"choices": [{"message": {"tool_calls": [{"index": 2, "function": {"name": "sub"}}]}}]},
        {"choices": [{"delta": {"tool_calls": {"not": "a list"}}}]},
        {"choices": [{"delta": {"tool_calls": [{"index": 3, "function": "f"}]}}]},
        {"status": "completed"},
    )
    assert final == StreamChunk(
        finish_reason="tool_calls",
        tool_calls=(
            ToolCall("call_a", "add", {"a": 1}),
            ToolCall("call_2", "sub", {}),
            ToolCall("call_5", "mul", {"x": 2}),
        ),
        done=True,
    )


def test_streamed_tool_arguments_that_are_not_json_name_the_tool() -> None:
    call = {"function": {"name": "add", "arguments": "{not json"}}
    with pytest.raises(MalformedResponseError) as info:
        assemble({"choices": [{"delta": {"tool_calls": [call]}}]}, {"status": "completed"})
    assert info.value.message.startswith(
        "tool call 'add' came back with arguments that are not JSON"
    )


def test_an_explicit_finish_reason_wins_over_tool_calls() -> None:
    _, final = assemble(
        {"choices": [{"delta": {"tool_calls": [{"function": {"name": "f"}}]}}]},
        {"choices": [{"delta": {}, "finish_reason": "stop"}]},
    )
    assert final.finish_reason == "stop"
    assert final.tool_calls == (ToolCall("call_0", "f", {}),)


def test_an_empty_stream_that_says_it_is_done_is_a_model_error() -> None:
    assembler = StreamAssembler(request_id="rid")
    list(assembler.add_payload({"id": "c1", "choices": [{"delta": {}}]}))
    list(assembler.add_event(SSEEvent("[DONE]")))
    with pytest.raises(ModelError) as info:
        assembler.finish()
    assert (info.value.message, info.value.status, info.value.request_id) == (
        "the service returned an empty answer with no finish reason (the media may be "
        "inaccessible, too long or blocked)",
        200,
        "rid",
    )
    assembler = StreamAssembler()
    list(assembler.add_payload({"id": "c1", "status": "completed"}))
    with pytest.raises(ModelError) as info:
        assembler.finish()
    assert info.value.request_id == "c1"


def test_an_empty_answer_with_a_finish_reason_or_a_tool_call_is_an_answer() -> None:
    assert assemble({"choices": [{"delta": {}, "finish_reason": "stop"}]})[1].done
    assert assemble(
        {"choices": [{"delta": {"tool_calls": [{"function": {"name": "f"}}]}}]},
        {"status": "completed"},
    )[1].tool_calls


# -- errors mid-stream ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "cls", "message", "code"),
    [
        ({"error": {"code": 500, "message": "boom"}}, ServerError, "failed mid-answer: boom", 500),
        ({"error": {"code": 503}}, ServerError, 'failed mid-answer: {"code": 503}', 503),
        (
            {"error": {"code": 402, "message": "no credit"}},
            InsufficientCreditsError,
            "reported an error: no credit",
            402,
        ),
        (
            {"error": {"code": 429, "message": "slow"}},
            RateLimitError,
            "reported an error: slow",
            429,
        ),
        (
            {"error": {"code": 400, "message": "bad"}},
            BadRequestError,
            "reported an error: bad",
            400,
        ),
        ({"error": {"code": 399, "message": "odd"}}, ModelError, "failed mid-answer: odd", 399),
        ({"error": {"code": True, "message": "odd"}}, ModelError, "failed mid-answer: odd", True),
        ({"error": {"code": "500", "message": "s"}}, ModelError, "failed mid-answer: s", "500"),
        ({"status": "failed"}, ModelError, "failed mid-answer: the stream reported an error", None),
        (
            {"error": "plain", "choices": [{"text": "a"}]},
            ModelError,
            "failed mid-answer: plain",
            None,
        ),
    ],
)
def test_error_payloads_become_typed_errors_with_every_field(
    payload: dict[str, Any], cls: type[MemoriesAPIError], message: str, code: Any
) -> None:
    assembler = StreamAssembler(request_id="rid")
    with pytest.raises(MemoriesAPIError) as info:
        list(assembler.add_payload(payload))
    err = info.value
    assert type(err) is cls
    assert err.message == f"the stream {message}"
    assert (err.status, err.code, err.request_id, err.body) == (200, code, "rid", payload)
    assert err.server_message == message.split(": ", 1)[1]


def test_an_error_names_the_response_id_when_there_is_no_request_id() -> None:
    assembler = StreamAssembler()
    list(assembler.add_payload({"id": "c9", "token": "a"}))
    with pytest.raises(ServerError) as info:
        list(assembler.add_payload({"error": {"code": 502, "message": "gateway"}}))
    assert info.value.request_id == "c9"


# -- a whole answer as chunks -----------------------------------------------------------------


def test_completion_to_chunks() -> None:
    raw = {"id": "r1"}
    completion = Completion(
        id="r1",
        model="m",
        choices=(
            Choice(0, "Hello", "length", tool_calls=(ToolCall("c", "f", {"a": 1}),)),
            Choice(1, "", None, reasoning="thought"),
            Choice(2, "", "stop"),
        ),
        usage=Usage(1, 2, 3),
        raw=raw,
    )
    assert completion_to_chunks(completion) == [
        StreamChunk(text="Hello", id="r1", model="m", raw=raw),
        StreamChunk(index=1, reasoning="thought", id="r1", model="m", raw=raw),
        StreamChunk(
            finish_reason="length",
            usage=Usage(1, 2, 3),
            id="r1",
            model="m",
            tool_calls=(ToolCall("c", "f", {"a": 1}),),
            done=True,
        ),
    ]


def test_completion_to_chunks_without_a_finish_reason_says_stop() -> None:
    completion = Completion(id=None, model=None, choices=(Choice(0, "x"),))
    assert completion_to_chunks(completion)[-1] == StreamChunk(finish_reason="stop", done=True)


def test_sse_lines_end_to_end() -> None:
    lines = [
        f"data: {json.dumps({'id': 'c1', 'choices': [{'delta': {'content': 'Hi'}}]})}",
        "",
        f"data: {json.dumps({'choices': [{'delta': {}, 'finish_reason': 'stop'}]})}",
        "",
        "data: [DONE]",
        "",
    ]
    assembler = StreamAssembler()
    texts = [c.text for e in events(lines) for c in assembler.add_event(e)]
    assert texts == ["Hi"] and assembler.ended
    assert assembler.finish().finish_reason == "stop"
