"""Response parsing: how an answer, its usage and an error body are read.

Every usage spelling, both tool-call shapes, reasoning, the ``{code, msg, data}`` envelope, and
the type, message and fields of each refusal, checked through the public parsing functions.
A wrong reading here silently miscounts tokens (money) or drops part of an answer (data).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from memories_client import MalformedResponseError, MemoriesAPIError, ModelError
from memories_client._parsing import error_fields, is_errored, parse_completion, parse_usage
from memories_client.types import Choice, Completion, ToolCall, Usage

# -- usage ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"input_tokens": 3, "output_tokens": 1, "total_tokens": 4}, Usage(3, 1, 4)),
        ({"prompt_tokens": 739, "output_token": 207, "total_tokens": 946}, Usage(739, 207, 946)),
        (
            {
                "prompt_tokens": 5,
                "completion_tokens": 7,
                "completion_tokens_details": {"reasoning_tokens": 2},
            },
            Usage(5, 7, 12, 2),
        ),
        (
            {"prompt_token_count": 8, "candidates_token_count": 2, "thoughts_token_count": 30},
            Usage(8, 2, 10, 30),
        ),
        ({"inputTokens": 4, "outputTokens": 6, "totalTokens": 11}, Usage(4, 6, 11)),
        ({"input_tokens": 9}, Usage(9, 0, 9)),
        ({"output_tokens": 9}, Usage(0, 9, 9)),
        ({"outputTokens": 9}, Usage(0, 9, 9)),
        ({"candidates_token_count": 9}, Usage(0, 9, 9)),
        # An explicit total is kept, even when it is not the sum (and even when it is 0).
        ({"input_tokens": 2, "output_tokens": 3, "total_tokens": 0}, Usage(2, 3, 0)),
        ({"input_tokens": 2, "output_tokens": 3, "total_tokens": 50}, Usage(2, 3, 50)),
        # The first spelling with a usable count wins, 0 included.
        (
            {"input_tokens": 0, "prompt_tokens": 5, "output_tokens": 0, "completion_tokens": 6},
            Usage(0, 0, 0),
        ),
        (
            {"input_tokens": 1, "prompt_tokens": 5, "output_tokens": 2, "completion_tokens": 6},
            Usage(1, 2, 3),
        ),
        # Booleans, negatives, text and floats are not counts; the next spelling is read.
        (
            {
                "input_tokens": True,
                "prompt_tokens": -1,
                "prompt_token_count": "7",
                "inputTokens": 4,
                "output_tokens": 1.5,
                "completion_tokens": 2,
            },
            Usage(4, 2, 6),
        ),
        # A top-level reasoning count wins over the OpenAI details.
        (
            {
                "input_tokens": 1,
                "output_tokens": 1,
                "reasoning_tokens": 3,
                "completion_tokens_details": {"reasoning_tokens": 9},
            },
            Usage(1, 1, 2, 3),
        ),
        (
            {"input_tokens": 1, "output_tokens": 1, "completion_tokens_details": [9]},
            Usage(1, 1, 2),
        ),
        (
            {
                "input_tokens": 1,
                "output_tokens": 1,
                "completion_tokens_details": {"reasoning_tokens": -2},
            },
            Usage(1, 1, 2),
        ),
        (
            {
                "input_tokens": 1,
                "output_tokens": 1,
                "reasoning_tokens": 0,
                "completion_tokens_details": {"reasoning_tokens": 9},
            },
            Usage(1, 1, 2, 0),
        ),
    ],
)
def test_every_usage_spelling(raw: dict[str, Any], expected: Usage) -> None:
    assert parse_usage(raw) == expected


@pytest.mark.parametrize(
    "raw", [None, [], "12", 7, {}, {"total_tokens": 5}, {"input_tokens": "3", "output_tokens": -1}]
)
def test_no_usage_is_none(raw: Any) -> None:
    assert parse_usage(raw) is None


# -- whole answers ----------------------------------------------------------------------------

USAGE = {"input_tokens": 3, "output_tokens": 1, "total_tokens": 4}


def test_a_gemini_answer_with_every_field() -> None:
    body = {
        "id": "resp_1",
        "object": "completion",
        "status": "completed",
        "model": "gemini:gemini-2.5-flash",
        "created_at": 1_700_000_000,
        "created": 5,
        "choices": [{"text": "Hi", "index": 0, "finish_reason": "stop"}],
        "usage": USAGE,
        "meta": {"provider": "google", "provider_model": "gemini-2.5-flash"},
    }
    assert parse_completion(body, request_id="hdr-1") == Completion(
        id="resp_1",
        model="gemini:gemini-2.5-flash",
        choices=(Choice(0, "Hi", "stop"),),
        usage=Usage(3, 1, 4),
        created=1_700_000_000,
        status="completed",
        provider="google",
        provider_model="gemini-2.5-flash",
        raw=body,
        request_id="hdr-1",
    )


def test_fields_of_the_wrong_type_are_left_out() -> None:
    body = {
        "id": 12,
        "status": 1,
        "model": ["m"],
        "created": True,
        "choices": [{"text": "Hi", "finish_reason": 3}],
        "meta": {"provider": 1, "provider_model": 5},
    }
    assert parse_completion(body) == Completion(
        id=None, model=None, choices=(Choice(0, "Hi", None),), raw=body
    )
    body = {"created": 7, "choices": [{"text": "Hi"}], "meta": ["google"]}
    completion = parse_completion(body)
    assert (completion.created, completion.provider, completion.provider_model) == (7, None, None)


def test_a_nova_answer_with_tool_calls_and_reasoning() -> None:
    body = {
        "id": "chatcmpl_1",
        "object": "chat.completion",
        "created": 1_700_000_001,
        "model": "us.amazon.nova-lite-v1:0",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "",
                    "reasoning_content": "think",
                    "tool_calls": [
                        {
                            "id": "call_a",
                            "type": "function",
                            "function": {"name": "add", "arguments": '{"a": 1}'},
                        }
                    ],
                },
                "stop_reason": "tool_use",
            }
        ],
        "usage": {"prompt_tokens": 10, "output_token": 4, "total_tokens": 14},
    }
    assert parse_completion(body) == Completion(
        id="chatcmpl_1",
        model="us.amazon.nova-lite-v1:0",
        choices=(
            Choice(
                0,
                "",
                "tool_use",
                tool_calls=(ToolCall("call_a", "add", {"a": 1}),),
                reasoning="think",
            ),
        ),
        usage=Usage(10, 4, 14),
        created=1_700_000_001,
        raw=body,
    )


def test_finish_reason_wins_over_stop_reason() -> None:
    body = {"choices": [{"text": "x", "finish_reason": "length", "stop_reason": "end_turn"}]}
    assert parse_completion(body).finish_reason == "length"


def test_bedrock_tool_use_blocks_in_the_content() -> None:
    message = {
        "role": "assistant",
        "content": [
            {"text": "Let me "},
            {"type": "text", "text": "add."},
            {"toolUse": {"toolUseId": "tu1", "name": "add", "input": {"a": 1}}},
            {"toolUse": {"name": "sub", "input": '{"b": 2}'}},
            {"toolUse": {"toolUseId": "", "name": "mul"}},
            {"toolUse": {"toolUseId": 5, "name": 7}},
            {"toolUse": "add"},
            "junk",
            {"text": 3},
        ],
        "tool_calls": [{"id": "c0", "function": {"name": "first", "arguments": "{}"}}],
    }
    completion = parse_completion({"choices": [{"message": message}]})
    assert completion.text == "Let me add."
    assert completion.tool_calls == (
        ToolCall("c0", "first", {}),
        ToolCall("tu1", "add", {"a": 1}),
        ToolCall("tooluse_3", "sub", {"b": 2}),
        ToolCall("tooluse_4", "mul", {}),
    )


def test_bedrock_tool_use_with_arguments_that_are_not_json() -> None:
    message = {"content": [{"toolUse": {"name": "add", "input": "{not json"}}]}
    with pytest.raises(MalformedResponseError) as info:
        parse_completion({"choices": [{"message": message}]})
    assert "tool call 'add' came back with arguments that are not JSON" in str(info.value)


@pytest.mark.parametrize(
    ("message", "reasoning"),
    [
        ({"content": "a", "reasoning_content": "r1", "reasoning": "r2"}, "r1"),
        ({"content": "a", "reasoning": "r2"}, "r2"),
        ({"content": "a", "reasoning_content": ""}, None),
        ({"content": "a", "reasoning": 5}, None),
        ({"content": "a"}, None),
    ],
)
def test_reasoning_from_either_key(message: dict[str, Any], reasoning: str | None) -> None:
    (choice,) = parse_completion({"choices": [{"message": message}]}).choices
    assert choice == Choice(0, "a", None, reasoning=reasoning)


def test_text_wins_over_message_and_index_falls_back_to_position() -> None:
    body = {
        "choices": [
            {"text": "t0", "message": {"content": "m0", "reasoning": "r"}},
            {"index": 5, "message": {"content": None}, "finish_reason": "stop"},
            {"index": -1, "text": "t2"},
            {"index": True, "text": "t3"},
        ]
    }
    assert parse_completion(body).choices == (
        Choice(0, "t0"),
        Choice(5, "", "stop"),
        Choice(2, "t2"),
        Choice(3, "t3"),
    )


def test_the_data_envelope_of_other_endpoints_is_unwrapped() -> None:
    inner = {"id": "resp_2", "choices": [{"text": "inside"}]}
    completion = parse_completion({"code": "0000", "msg": "ok", "data": inner})
    assert (completion.text, completion.id, completion.raw) == ("inside", "resp_2", inner)
    # choices at the top level win over an envelope
    body = {"choices": [{"text": "outside"}], "data": inner}
    assert parse_completion(body).text == "outside"


def test_an_envelope_without_choices_is_not_unwrapped() -> None:
    with pytest.raises(MalformedResponseError) as info:
        parse_completion({"data": {"text": "x"}})
    assert info.value.body == {"data": {"text": "x"}}


# -- refusals ---------------------------------------------------------------------------------


def check_error(
    exc: MemoriesAPIError,
    cls: type[MemoriesAPIError],
    message: str,
    *,
    code: Any = None,
    server_message: str | None = None,
    request_id: str | None = None,
    body: Any = None,
    status: int | None = 200,
) -> None:
    assert type(exc) is cls
    assert exc.message == message
    assert (exc.status, exc.code, exc.server_message) == (status, code, server_message)
    assert (exc.request_id, exc.body) == (request_id, body)


@pytest.mark.parametrize("status", ["errored", "ERROR", "Failed"])
def test_an_errored_status_fails_even_beside_a_partial_choice(status: str) -> None:
    body = {
        "id": "resp_9",
        "status": status,
        "error": {"code": "E1", "message": "could not fetch the video"},
        "choices": [{"text": "par", "finish_reason": "stop"}],
    }
    with pytest.raises(ModelError) as info:
        parse_completion(body)
    check_error(
        info.value,
        ModelError,
        f"the model failed: could not fetch the video. {ModelError.default_hint}",
        code="E1",
        server_message="could not fetch the video",
        request_id="resp_9",
        body=body,
    )


def test_an_errored_body_without_a_message_says_so_and_prefers_the_header_id() -> None:
    body = {"id": "resp_9", "status": "failed"}
    with pytest.raises(ModelError) as info:
        parse_completion(body, request_id="hdr")
    check_error(
        info.value,
        ModelError,
        f"the model failed: no message given. {ModelError.default_hint}",
        request_id="hdr",
        body=body,
    )


def test_a_failure_code_without_choices_is_a_model_error() -> None:
    body = {"id": "resp_3", "code": 1001, "msg": "quota exceeded"}
    with pytest.raises(ModelError) as info:
        parse_completion(body)
    check_error(
        info.value,
        ModelError,
        "the service answered without choices: quota exceeded",
        code=1001,
        server_message="quota exceeded",
        request_id="resp_3",
        body=body,
    )


@pytest.mark.parametrize("code", [None, 200, "200", "0000", "0"])
def test_a_success_code_without_choices_is_malformed(code: Any) -> None:
    body = {"code": code, "msg": "success", "choices": {"text": "not a list"}}
    with pytest.raises(MalformedResponseError) as info:
        parse_completion(body, request_id="hdr")
    check_error(
        info.value,
        MalformedResponseError,
        "the response has no 'choices' list",
        request_id="hdr",
        body=body,
    )


def test_empty_choices_are_a_model_error() -> None:
    body = {"id": "resp_4", "choices": []}
    with pytest.raises(ModelError) as info:
        parse_completion(body)
    check_error(
        info.value,
        ModelError,
        "the service returned no choices (the media may be inaccessible, too long or blocked)",
        request_id="resp_4",
        body=body,
    )


def test_an_empty_answer_without_a_finish_reason_is_a_model_error() -> None:
    body = {"id": "resp_5", "choices": [{"text": ""}, {"message": {"content": []}}]}
    with pytest.raises(ModelError) as info:
        parse_completion(body)
    check_error(
        info.value,
        ModelError,
        "the service returned an empty answer with no finish reason (the media may be "
        "inaccessible, too long or blocked)",
        request_id="resp_5",
        body=body,
    )


@pytest.mark.parametrize(
    "choice",
    [
        {"text": "", "finish_reason": "stop"},
        {"message": {"content": "", "tool_calls": [{"function": {"name": "f"}}]}},
    ],
)
def test_an_empty_text_with_a_finish_reason_or_a_tool_call_is_an_answer(
    choice: dict[str, Any],
) -> None:
    assert parse_completion({"choices": [choice]}).text == ""


def test_one_empty_choice_beside_a_full_one_is_an_answer() -> None:
    assert parse_completion({"choices": [{"text": ""}, {"text": "b"}]}).choices[1].text == "b"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1], "expected a JSON object, got list"),
        ("text", "expected a JSON object, got str"),
        ({"choices": [{"text": "a"}, 3]}, "choices[1] is not an object"),
        ({"choices": [{}]}, "choices[0] has neither 'text' nor 'message' (unknown response shape)"),
        ({"choices": [{"text": 5}]}, "choices[0] text is not a string"),
        ({"choices": [{"text": None, "message": "hi"}]}, "choices[0] text is not a string"),
        ({"choices": [{"message": {"content": 5}}]}, "message content has an unexpected type int"),
        (
            {"choices": [{"message": {"content": {"text": "a"}}}]},
            "message content has an unexpected type dict",
        ),
    ],
)
def test_unknown_shapes_are_malformed(body: Any, message: str) -> None:
    with pytest.raises(MalformedResponseError) as info:
        parse_completion(body, request_id="hdr")
    assert info.value.message == message
    if not isinstance(body, dict):
        assert info.value.request_id == "hdr"


# -- error bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error": {"code": 429, "message": "slow down"}}, (429, "slow down")),
        ({"error": {"code": 5, "msg": "m"}}, (5, "m")),
        ({"code": 7, "error": {"message": "x"}}, (7, "x")),
        ({"code": 7, "error": {"code": 8, "message": "x"}}, (8, "x")),
        ({"error": {"code": 3, "message": 12}}, (3, json.dumps({"code": 3, "message": 12}))),
        ({"error": {"detail": "x" * 600}}, (None, json.dumps({"detail": "x" * 600})[:500])),
        ({"error": "boom", "code": 9}, (9, "boom")),
        ({"msg": "a", "message": "b", "detail": "c", "code": 1}, (1, "a")),
        ({"message": "b", "detail": "c"}, (None, "b")),
        ({"detail": "c"}, (None, "c")),
        ({"msg": None, "message": "b"}, (None, "b")),
        (
            {"detail": [{"loc": ["body"], "msg": "bad"}]},
            (None, '[{"loc": ["body"], "msg": "bad"}]'),
        ),
        ({"detail": ["y" * 600]}, (None, json.dumps(["y" * 600])[:500])),
        ({"detail": {"field": "x"}, "code": 422}, (422, '{"field": "x"}')),
        ({"code": 3}, (3, None)),
        ({"error": 0, "code": 3}, (3, None)),
    ],
)
def test_error_fields_of_every_shape(body: Any, expected: tuple[Any, str | None]) -> None:
    assert error_fields(body) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  <html>Bad gateway</html>\n", "<html>Bad gateway</html>"),
        ("", None),
        ("   ", None),
        ("z" * 700, "z" * 500),
    ],
)
def test_error_fields_of_a_body_that_is_not_json(text: str, expected: str | None) -> None:
    assert error_fields(None, text) == (None, expected)
    assert error_fields(["list"], text) == (None, expected)


def test_error_fields_without_a_body_or_text() -> None:
    assert error_fields(None) == (None, None)


@pytest.mark.parametrize(
    ("body", "errored"),
    [
        ({"status": "errored"}, True),
        ({"status": "Error"}, True),
        ({"status": "FAILED", "choices": [{"text": "a"}]}, True),
        ({"status": "completed", "choices": [{"text": "a"}]}, False),
        ({"status": 500}, False),
        ({"error": {"message": "x"}}, True),
        ({"error": "x", "choices": []}, True),
        ({"error": {"message": "x"}, "choices": [{"text": "a"}]}, False),
        ({"error": {}}, False),
        ({"error": None}, False),
        ({}, False),
    ],
)
def test_is_errored(body: dict[str, Any], errored: bool) -> None:
    assert is_errored(body) is errored
