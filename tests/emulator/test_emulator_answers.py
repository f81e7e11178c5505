"""Deterministic answers: text, counts, n, stop, max_tokens, JSON modes, tools and usage."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Callable
from enum import Enum
from typing import Any

import httpx
import pytest
from emulator_testlib import (
    GEMINI,
    NOVA,
    PNG_B64,
    gemini_body,
    image_file,
    metadata,
    nova_body,
    text_of,
    unfence,
    user,
    video_file,
)
from pydantic import BaseModel, Field

Post = Callable[..., httpx.Response]


def expected_text(model: str, k: int, i: int, v: int, d: int, question: str) -> str:
    return (
        f"Emulated answer from {model}: I received {k} text part(s), {i} image(s), "
        f'{v} video(s), {d} document(s). Question: "{question}".'
    )


# --------------------------------------------------------------------------- plain answers


def test_counts_cover_every_user_message_and_quote_the_last(post: Post) -> None:
    body = gemini_body(
        {"role": "system", "content": "Be brief."},
        user("First look at this", image_file(), video_file()),
        {"role": "assistant", "content": "I see a picture and a clip."},
        user(
            "Now this document",
            "and compare",
            {
                "type": "input_file",
                "file_uri": "https://x.io/a.pdf",
                "mime_type": "application/pdf",
            },
            image_file(PNG_B64, "image/png"),
        ),
    )
    response = post(body)
    assert text_of(response) == expected_text(GEMINI, 3, 2, 1, 1, "Now this document and compare")
    texts = [
        "Be brief.",
        "First look at this",
        "I see a picture and a clip.",
        "Now this document",
        "and compare",
    ]
    input_tokens = sum(math.ceil(len(t) / 4) for t in texts) + 2 * 258 + 1000 + 500
    usage = response.json()["usage"]
    assert usage["input_tokens"] == input_tokens
    assert usage["output_tokens"] == len(text_of(response).split())
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert "reasoning_tokens" not in usage


def test_question_is_truncated_to_200_characters(post: Post) -> None:
    question = "x" * 150 + " " + "y" * 100
    response = post(nova_body({"role": "user", "content": question}))
    assert text_of(response) == expected_text(NOVA, 1, 0, 0, 0, question[:200])


def test_bare_string_counts_as_one_text_part(post: Post) -> None:
    response = post(gemini_body({"role": "user", "content": "abcdefghi"}), "/iu/chat/completions")
    assert text_of(response) == expected_text(GEMINI, 1, 0, 0, 0, "abcdefghi")
    assert response.json()["usage"]["input_tokens"] == 3  # ceil(9 / 4)


def test_n_choices_are_prefixed_with_their_index(post: Post) -> None:
    for make, model in ((gemini_body, GEMINI), (nova_body, NOVA)):
        response = post(make(n=3))
        base = expected_text(model, 1, 0, 0, 0, "Hi")
        assert [text_of(response, i) for i in range(3)] == [f"[{i}] {base}" for i in range(3)]
        assert [c["index"] for c in response.json()["choices"]] == [0, 1, 2]
        usage = response.json()["usage"]
        words = 3 * len(f"[0] {base}".split())
        assert usage.get("output_tokens", usage.get("output_token")) == words


def test_stop_cuts_before_the_earliest_sequence(post: Post) -> None:
    response = post(gemini_body(stop=["video(s)", "I received"]))
    choice = response.json()["choices"][0]
    assert choice["text"] == f"Emulated answer from {GEMINI}: "
    assert choice["finish_reason"] == "stop"
    assert response.json()["usage"]["output_tokens"] == 4
    response = post(nova_body(stop="image"))
    assert text_of(response) == f"Emulated answer from {NOVA}: I received 1 text part(s), 0 "


def test_max_tokens_cuts_words_and_reports_length(post: Post) -> None:
    response = post(gemini_body(max_tokens=6))
    choice = response.json()["choices"][0]
    assert choice["text"] == f"Emulated answer from {GEMINI}: I received"
    assert choice["finish_reason"] == "length"
    assert response.json()["usage"]["output_tokens"] == 6
    nova = post(nova_body(max_tokens=2)).json()
    assert nova["choices"][0]["message"]["content"] == "Emulated answer"
    assert nova["choices"][0]["finish_reason"] == "length"
    assert nova["usage"]["output_token"] == 2


def test_max_tokens_large_enough_keeps_the_answer(post: Post) -> None:
    response = post(gemini_body(max_tokens=1000))
    assert response.json()["choices"][0]["finish_reason"] == "stop"
    assert text_of(response) == expected_text(GEMINI, 1, 0, 0, 0, "Hi")


def test_stop_then_max_tokens(post: Post) -> None:
    choice = post(gemini_body(stop="part(s)", max_tokens=3)).json()["choices"][0]
    assert choice == {
        "text": "Emulated answer from",
        "index": 0,
        "finish_reason": "length",
    }


@pytest.mark.parametrize(
    ("budget", "reasoning"), [(None, None), (-1, None), (0, None), (10, 10), (1024, 64)]
)
def test_thinking_budget_reports_reasoning_tokens(
    post: Post, budget: int | None, reasoning: int | None
) -> None:
    config = {} if budget is None else {"thinking_budget": budget}
    response = post(gemini_body(**metadata(thinking_config=config)))
    usage = response.json()["usage"]
    words = len(text_of(response).split())
    assert usage.get("reasoning_tokens") == reasoning
    assert usage["output_tokens"] == words + (reasoning or 0)
    assert text_of(response) == expected_text(GEMINI, 1, 0, 0, 0, "Hi")


def test_qwen_and_gpt_follow_their_documented_examples(post: Post) -> None:
    qwen = post(gemini_body(model="qwen:qwen3-vl-plus")).json()
    uuid.UUID(qwen["id"])  # a bare UUID, as in the Qwen example
    assert qwen["model"] == "qwen3-vl-plus"  # echoed without the prefix
    assert qwen["object"] == "completion"
    assert qwen["meta"] == {"provider": "qwen", "provider_model": "qwen3-vl-plus"}
    assert set(qwen["usage"]) == {"input_tokens", "output_tokens", "total_tokens"}
    gpt = post(nova_body(model="gpt:gpt-4o"), "/iu/chat/completions").json()
    assert gpt["id"].startswith("chatcmpl-")
    assert gpt["object"] == "chat.completion"
    assert {"prompt_tokens", "completion_tokens", "total_tokens"} <= set(gpt["usage"])


# --------------------------------------------------------------------------- Gemini JSON


def conforms(value: Any, schema: dict[str, Any]) -> None:
    """Assert that ``value`` satisfies a Gemini schema (written here, independent of the emulator)."""
    if "enum" in schema:
        assert value in schema["enum"]
    kind = schema["type"]
    if kind == "STRING":
        assert isinstance(value, str)
        if "maxLength" in schema:
            assert len(value) <= schema["maxLength"]
        if "minLength" in schema:
            assert len(value) >= schema["minLength"]
    elif kind == "INTEGER":
        assert isinstance(value, int) and not isinstance(value, bool)
    elif kind == "NUMBER":
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind == "BOOLEAN":
        assert isinstance(value, bool)
    elif kind == "ARRAY":
        assert isinstance(value, list)
        assert schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", 10**9)
        for item in value:
            conforms(item, schema["items"])
    else:
        assert isinstance(value, dict)
        assert set(schema.get("required", [])) <= set(value) <= set(schema["properties"])
        for key, item in value.items():
            conforms(item, schema["properties"][key])
    if "minimum" in schema:
        assert value >= schema["minimum"]
    if "maximum" in schema:
        assert value <= schema["maximum"]


REPORT_SCHEMA: dict[str, Any] = {
    "type": "OBJECT",
    "properties": {
        "title": {"type": "STRING", "description": "Short title"},
        "mood": {"type": "STRING", "enum": ["calm", "tense"]},
        "count": {"type": "INTEGER"},
        "rating": {"type": "NUMBER", "minimum": 2, "maximum": 5},
        "safe": {"type": "BOOLEAN"},
        "note": {"type": "STRING", "nullable": True, "maxLength": 4},
        "when": {"type": "STRING", "format": "date-time"},
        "scenes": {
            "type": "ARRAY",
            "maxItems": 1,
            "items": {
                "type": "OBJECT",
                "properties": {
                    "start": {"type": "NUMBER"},
                    "labels": {"type": "ARRAY", "items": {"type": "STRING"}},
                },
                "required": ["start"],
            },
        },
    },
    "required": ["title", "mood", "count"],
    "propertyOrdering": ["scenes", "title"],
}


def test_response_schema_answer_satisfies_the_schema(post: Post) -> None:
    response = post(gemini_body(**metadata(responseSchema=REPORT_SCHEMA)))
    value = unfence(text_of(response))
    conforms(value, REPORT_SCHEMA)
    assert value == {
        # Numbers come from their property's name (so fields differ), clamped into bounds.
        "scenes": [{"start": 76.4, "labels": ["example labels", "example labels"]}],
        "title": "example title",
        "mood": "calm",
        "count": 60,
        "rating": 5.0,
        "safe": True,
        "note": "exam",
        "when": "2025-01-01T00:00:00Z",
    }
    assert list(value)[:2] == ["scenes", "title"]  # propertyOrdering first
    dt.datetime.fromisoformat(value["when"].replace("Z", "+00:00"))


@pytest.mark.parametrize("kind", ["STRING", "INTEGER", "NUMBER", "BOOLEAN"])
def test_scalar_and_array_schemas(post: Post, kind: str) -> None:
    schema = {"type": "ARRAY", "items": {"type": kind}}
    value = unfence(text_of(post(gemini_body(**metadata(responseSchema=schema)))))
    conforms(value, schema)
    assert len(value) == 2


def test_json_mime_type_alone_wraps_the_answer(post: Post) -> None:
    response = post(gemini_body(n=2, **metadata(response_mime_type="application/json")))
    base = expected_text(GEMINI, 1, 0, 0, 0, "Hi")
    assert unfence(text_of(response, 0)) == {"answer": f"[0] {base}"}
    assert unfence(text_of(response, 1)) == {"answer": f"[1] {base}"}


def test_schema_answers_are_identical_across_choices(post: Post) -> None:
    response = post(gemini_body(n=2, **metadata(responseSchema=REPORT_SCHEMA)))
    assert text_of(response, 0) == text_of(response, 1)
    conforms(unfence(text_of(response, 1)), REPORT_SCHEMA)


def test_extra_body_metadata_wins_over_top_level_metadata(post: Post) -> None:
    top = {"responseSchema": {"type": "OBJECT", "properties": {"top": {"type": "STRING"}}}}
    inner = {"responseSchema": {"type": "OBJECT", "properties": {"inner": {"type": "STRING"}}}}
    both = post(gemini_body(metadata=top, extra_body={"metadata": inner}))
    assert unfence(text_of(both)) == {"inner": "example inner"}
    only_top = post(gemini_body(metadata=top))
    assert unfence(text_of(only_top)) == {"top": "example top"}
    merged = post(
        gemini_body(
            metadata={"response_mime_type": "application/json"},
            extra_body={"metadata": {"thinking_config": {"thinking_budget": 5}}},
        )
    )
    assert "answer" in unfence(text_of(merged))
    assert merged.json()["usage"]["reasoning_tokens"] == 5


# --------------------------------------------------------------------------- Nova JSON and tools


class Color(str, Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    city: str
    zip_code: str | None = None


class Person(BaseModel):
    name: str
    age: int = Field(ge=18, le=99)
    height: float
    active: bool
    color: Color
    tags: set[str]
    born: dt.date
    address: Address
    previous: list[Address]
    nickname: str | None


def test_prompted_json_schema_is_answered_with_matching_json(post: Post) -> None:
    schema = json.dumps(Person.model_json_schema(), indent=2)
    prompt = f"Answer only with JSON matching this schema:\n```json\n{schema}\n```"
    response = post(nova_body({"role": "system", "content": prompt}, user("Who is it?")))
    person = Person.model_validate(unfence(text_of(response)))
    assert person.age == 34  # from the field's name, inside ge=18 / le=99
    assert person.height == 86.5
    assert person.color is Color.RED
    assert len(person.tags) == 2
    assert person.nickname == "example nickname"
    assert person.address.city == "example city"


def test_prompt_without_a_schema_block_gets_the_plain_answer(post: Post) -> None:
    body = nova_body(user('Here is data ```json\n{"a": 1}\n``` and ```json\nnot json\n```'))
    assert text_of(post(body)).startswith("Emulated answer from")


class WeatherArgs(BaseModel):
    city: str
    days: int
    unit: Color | None = None


def tool(name: str, model: type[BaseModel] = WeatherArgs) -> dict[str, Any]:
    return {
        "toolSpec": {
            "name": name,
            "description": f"The {name} tool",
            "inputSchema": {"json": model.model_json_schema()},
        }
    }


def tool_body(question: str, *names: str, **config: Any) -> dict[str, Any]:
    tools = [tool(name) for name in names]
    return nova_body(user(question), **metadata(toolConfig={"tools": tools, **config}))


def only_call(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    [choice] = response.json()["choices"]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["role"] == "assistant"
    assert choice["message"]["content"] == ""
    [call] = choice["message"]["tool_calls"]
    assert set(call) == {"id", "type", "function"}
    assert call["type"] == "function"
    assert re.fullmatch(r"call_[0-9a-f]{12}", call["id"])
    return dict(call)


def test_tool_call_arguments_satisfy_the_input_schema(post: Post) -> None:
    response = post(tool_body("What's the weather?", "get_weather"))
    call = only_call(response)
    assert call["function"]["name"] == "get_weather"
    args = WeatherArgs.model_validate_json(call["function"]["arguments"])
    assert args == WeatherArgs(city="example city", days=80, unit=Color.RED)
    words = len(call["function"]["arguments"].split())
    assert response.json()["usage"]["output_token"] == words


def test_tool_is_picked_by_name_in_the_question_else_the_first(post: Post) -> None:
    named = only_call(post(tool_body("please use Get_Forecast now", "get_weather", "get_forecast")))
    assert named["function"]["name"] == "get_forecast"
    first = only_call(post(tool_body("anything", "get_weather", "get_forecast")))
    assert first["function"]["name"] == "get_weather"
    forced = only_call(
        post(
            tool_body(
                "use get_weather", "get_weather", "get_forecast",
                toolChoice={"tool": {"name": "get_forecast"}},
            )
        )
    )  # fmt: skip
    assert forced["function"]["name"] == "get_forecast"
    anyone = only_call(post(tool_body("hello", "get_weather", toolChoice={"any": {}})))
    assert anyone["function"]["name"] == "get_weather"


def test_auto_tool_choice_answers_text_unless_a_tool_is_named(post: Post) -> None:
    text = post(tool_body("hello there", "get_weather", toolChoice={"auto": {}}))
    assert text.json()["choices"][0]["finish_reason"] == "stop"
    assert "tool_calls" not in text.json()["choices"][0]["message"]
    assert text_of(text) == expected_text(NOVA, 1, 0, 0, 0, "hello there")
    call = only_call(post(tool_body("call get_weather", "get_weather", toolChoice={"auto": {}})))
    assert call["function"]["name"] == "get_weather"


def test_tool_call_ids_are_deterministic_per_body(post: Post) -> None:
    body = tool_body("weather", "get_weather")
    assert only_call(post(body))["id"] == only_call(post(body))["id"]
    other = only_call(post(tool_body("weather?", "get_weather")))
    assert other["id"] != only_call(post(body))["id"]
    several = post({**body, "n": 2}).json()["choices"]
    ids = [c["message"]["tool_calls"][0]["id"] for c in several]
    assert len(set(ids)) == 2


def _after_a_result(post: Post, *names: str, **config: Any) -> dict[str, Any]:
    """The choice answering a conversation whose last message is a result of ``names[0]``."""
    body = tool_body(f"use {names[0]} for Paris", *names, **config)
    call = only_call(post(body))
    assert call["function"]["name"] == names[0]
    body["messages"] += [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": "21 C"},
    ]
    return dict(post(body).json()["choices"][0])


def test_any_is_enforced_after_a_tool_result(post: Post) -> None:
    # Bedrock forces a tool call on every turn under toolChoice any: the next tool not yet
    # called (what lets an agent reach its structured-output tool).
    choice = _after_a_result(post, "get_weather", "Report", toolChoice={"any": {}})
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["tool_calls"][0]["function"]["name"] == "Report"
    # Every tool called already: still a call, to the first one.
    again = _after_a_result(post, "get_weather", toolChoice={"any": {}})
    assert again["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_a_named_tool_is_enforced_after_a_tool_result(post: Post) -> None:
    choice = _after_a_result(
        post, "get_weather", "get_forecast", toolChoice={"tool": {"name": "get_weather"}}
    )
    assert choice["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


@pytest.mark.parametrize("config", [{}, {"toolChoice": {"auto": {}}}], ids=["absent", "auto"])
def test_auto_or_no_choice_answers_a_tool_result_in_text(
    post: Post, config: dict[str, Any]
) -> None:
    choice = _after_a_result(post, "get_weather", "get_forecast", **config)
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["content"].endswith("the tool returned: 21 C")


def test_tool_result_is_reported_back(post: Post) -> None:
    call = only_call(post(tool_body("weather in Paris", "get_weather")))
    body = tool_body("weather in Paris", "get_weather")
    body["messages"] += [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": "21 C and sunny " + "z" * 300},
    ]
    response = post(body)
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "stop"
    expected = (
        f"Emulated answer from {NOVA}: the tool returned: " + ("21 C and sunny " + "z" * 300)[:200]
    )
    assert choice["message"]["content"] == expected
