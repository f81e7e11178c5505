"""Qwen and GPT in the emulator: their content parts, options, answers, usage and streams.

Checked over a real socket with plain httpx against the Qwen and GPT docs pages (and the
documented example bodies in ``tests/fixtures/docs/``), never through the project client.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from emulator_testlib import (
    IMAGE_URL,
    PNG_B64,
    VIDEO_URL,
    assert_error,
    image_file,
    metadata,
    sse_events,
    text_of,
)

Post = Callable[..., httpx.Response]
QWEN = "qwen:qwen3-vl-plus"
GPT = "gpt:gpt-4o"
DOCS = Path(__file__).resolve().parents[1] / "fixtures" / "docs"
IU = "/iu/chat/completions"


def load(name: str) -> dict[str, Any]:
    body = json.loads((DOCS / name).read_text())
    body.pop("_source", None)
    return body


def qwen(*content: Any, **extra: Any) -> dict[str, Any]:
    parts = list(content) or [{"text": "Hi"}]
    return {"model": QWEN, "messages": [{"role": "user", "content": parts}], **extra}


def gpt(*content: Any, **extra: Any) -> dict[str, Any]:
    parts = list(content) or [{"type": "text", "text": "Hi"}]
    return {"model": GPT, "messages": [{"role": "user", "content": parts}], **extra}


def gpt_image(url: str = IMAGE_URL, **more: Any) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url, **more}}


def json_schema_format(schema: dict[str, Any], name: str = "scene") -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}


SCENE = {
    "type": "object",
    "properties": {
        "summary": {"type": "string"},
        "people": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}},
        "mood": {"anyOf": [{"type": "string", "enum": ["calm", "tense"]}, {"type": "null"}]},
    },
    "required": ["summary", "people", "tags", "mood"],
}


# --------------------------------------------------------------------------- Qwen content


@pytest.mark.parametrize(
    ("image", "video"),
    [
        pytest.param({"image": IMAGE_URL}, {"video": VIDEO_URL}, id="dashscope"),
        pytest.param(
            {"type": "image", "image": IMAGE_URL},
            {"type": "video", "video": VIDEO_URL},
            id="typed",
        ),
        pytest.param(
            {"type": "image_url", "image_url": {"url": IMAGE_URL}},
            {"type": "video_url", "video_url": {"url": VIDEO_URL}},
            id="openai",
        ),
    ],
)
def test_qwen_accepts_each_candidate_part_shape(
    post: Post, image: dict[str, Any], video: dict[str, Any]
) -> None:
    response = post(qwen({"text": "What is here?"}, image, video))
    assert "1 image(s), 1 video(s)" in text_of(response)


def test_qwen_accepts_string_content_data_uris_and_frame_lists(post: Post) -> None:
    assert text_of(post({"model": QWEN, "messages": [{"role": "user", "content": "Hi"}]}))
    inline = {"image": f"data:image/png;base64,{PNG_B64}"}
    frames = {"video": [IMAGE_URL, IMAGE_URL, IMAGE_URL, IMAGE_URL]}
    assert "1 image(s), 1 video(s)" in text_of(post(qwen({"text": "Both"}, inline, frames)))


@pytest.mark.parametrize(
    ("part", "fragment"),
    [
        ({"text": "a", "image": IMAGE_URL}, 'exactly one of "text", "image" or "video"'),
        ({"caption": "a"}, 'exactly one of "text", "image" or "video"'),
        (image_file(), "input_file is Gemini's part"),
        ({"image": "file:///tmp/a.png"}, "unsupported URL scheme"),
        ({"image": f"data:video/mp4;base64,{PNG_B64}"}, "does not fit image"),
        ({"text": 3}, "text must be a string"),
    ],
)
def test_qwen_refuses_bad_parts(post: Post, part: dict[str, Any], fragment: str) -> None:
    assert_error(post(qwen({"text": "Hi"}, part)), 400, fragment)


def test_qwen_image_endpoint_takes_system_and_user_only_and_no_video(post: Post) -> None:
    history = [
        {"role": "user", "content": [{"text": "Hi"}]},
        {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": [{"image": IMAGE_URL}]},
    ]
    assert_error(post({"model": QWEN, "messages": history}, IU), 400, "one of system, user")
    assert text_of(post({"model": QWEN, "messages": history}))  # /vu takes assistant turns
    assert_error(post(qwen({"video": VIDEO_URL}), IU), 400, "not supported on the image")


# --------------------------------------------------------------------------- Qwen options


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"enable_thinking": "yes"}, "enable_thinking must be a boolean"),
        ({"thinking_budget": 0}, "thinking_budget must be a positive integer"),
        ({"thinking_budget": True}, "thinking_budget must be a positive integer"),
        ({"response_format": {"type": "json_object"}}, '"type": "json_schema"'),
        ({"response_format": {"type": "json_schema"}}, "json_schema must be an object"),
        ({"response_format": json_schema_format(SCENE, "a name")}, "name must be 1-64"),
        (
            {"response_format": json_schema_format({"type": "OBJECT", "properties": {}})},
            "'OBJECT' is not a JSON Schema type",
        ),
        (
            {
                "response_format": json_schema_format(
                    {"type": "object", "properties": {"a": {"type": "STRING"}}}
                )
            },
            "properties.a.type 'STRING'",
        ),
        ({"response_format": json_schema_format({"type": "array"})}, "must describe an object"),
    ],
)
def test_qwen_option_errors(post: Post, options: dict[str, Any], fragment: str) -> None:
    assert_error(post(qwen(**metadata(**options))), 400, fragment)


def test_qwen_json_schema_answer_is_bare_json_that_satisfies_the_schema(post: Post) -> None:
    response = post(qwen(**metadata(response_format=json_schema_format(SCENE))))
    value = json.loads(text_of(response))  # no ```json fence, unlike Gemini
    jsonschema.validate(value, SCENE)


@pytest.mark.parametrize(
    ("options", "reasoning"),
    [
        ({"enable_thinking": True, "thinking_budget": 10}, 10),
        ({"enable_thinking": True}, 64),
        ({"enable_thinking": True, "thinking_budget": 4096}, 64),
        ({"thinking_budget": 10}, None),  # a budget alone does not turn thinking on
        ({"enable_thinking": False}, None),
    ],
)
def test_qwen_thinking_reports_reasoning_tokens(
    post: Post, options: dict[str, Any], reasoning: int | None
) -> None:
    response = post(qwen(**metadata(**options)))
    usage = response.json()["usage"]
    assert usage.get("reasoning_tokens") == reasoning
    assert usage["output_tokens"] == len(text_of(response).split()) + (reasoning or 0)


def test_qwen_ignores_gemini_options(post: Post) -> None:
    options = metadata(thinking_config={"thinking_budget": 10}, response_mime_type="x/y")
    response = post(qwen(**options))
    assert "reasoning_tokens" not in response.json()["usage"]
    assert text_of(response).startswith("Emulated answer")


def test_qwen_stream_is_completion_shaped_with_usage_last(post: Post) -> None:
    events = sse_events(post(qwen(stream=True)))
    assert events[-1] == "[DONE]"
    *content, final = events[:-1]
    assert all(e["object"] == "completion.chunk" and e["model"] == "qwen3-vl-plus" for e in content)
    assert "".join(e["choices"][0]["text"] for e in content).startswith("Emulated answer from")
    assert final["choices"][0]["finish_reason"] == "stop"
    assert set(final["usage"]) == {"input_tokens", "output_tokens", "total_tokens"}


# --------------------------------------------------------------------------- Qwen docs


def test_qwen_curl_sample_template_is_refused_and_its_options_accepted(post: Post) -> None:
    curl = load("qwen_vlm_request_curl.json")
    # As printed, the sample is a template: a system message only, a placeholder schema name.
    assert_error(post(curl), 400, "Model input cannot be empty")
    curl["messages"].append({"role": "user", "content": [{"text": "Describe the video"}]})
    assert_error(post(curl), 400, "name must be 1-64")
    curl["extra_body"]["metadata"]["response_format"]["json_schema"]["name"] = "summary"
    curl["stop"] = "<never>"
    response = post(curl)
    assert response.status_code == 200, response.text
    assert isinstance(json.loads(text_of(response)), dict)
    assert response.json()["usage"]["reasoning_tokens"] == 64  # min(123, 64)


def test_qwen_answer_has_the_documented_fields(post: Post) -> None:
    documented = load("qwen_vlm_response.json")
    body = post(qwen()).json()
    assert set(documented) <= set(body)
    uuid.UUID(body["id"])  # a bare UUID, as in the example
    assert body["model"] == documented["model"] == "qwen3-vl-plus"  # no prefix
    assert (body["object"], body["status"]) == (documented["object"], documented["status"])
    assert set(documented["choices"][0]) <= set(body["choices"][0])


# --------------------------------------------------------------------------- GPT content


def test_gpt_answer_matches_the_documented_body_key_for_key(post: Post) -> None:
    documented = load("gpt_ilm_response.json")
    body = post(gpt({"type": "text", "text": "What is this?"}, gpt_image()), IU).json()
    assert set(body) == set(documented)
    assert set(body["choices"][0]) == set(documented["choices"][0])
    assert set(body["choices"][0]["message"]) == set(documented["choices"][0]["message"])
    assert set(body["usage"]) == set(documented["usage"])
    for details in ("prompt_tokens_details", "completion_tokens_details"):
        assert set(body["usage"][details]) == set(documented["usage"][details])
    assert body["model"] == "gpt-4o"  # OpenAI's own name, without the prefix
    assert body["id"].startswith("chatcmpl-")
    assert body["usage"]["prompt_tokens"] == 4 + 258  # "What is this?" (13 chars), one image
    assert body["usage"]["total_tokens"] == (
        body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]
    )


@pytest.mark.parametrize(
    ("part", "fragment"),
    [
        ({"type": "video_url", "video_url": {"url": VIDEO_URL}}, "unsupported content part"),
        ({"type": "image_url", "image_url": IMAGE_URL}, "must be an object"),
        (gpt_image("gs://bucket/a.png"), "http(s) only"),
        (gpt_image(PNG_B64), "must be an http(s) URL or a data:image"),
        (gpt_image(f"data:image/bmp;base64,{PNG_B64}"), "not 'image/bmp'"),
        (gpt_image(detail="max"), "detail must be one of"),
        (image_file(), "unsupported content part type 'input_file'"),
    ],
)
def test_gpt_refuses_what_openai_refuses(post: Post, part: dict[str, Any], fragment: str) -> None:
    assert_error(post(gpt({"type": "text", "text": "Hi"}, part), IU), 400, fragment)


def test_gpt_accepts_data_uris_detail_and_string_content(post: Post) -> None:
    inline = gpt_image(f"data:image/png;base64,{PNG_B64}", detail="low")
    assert "1 image(s)" in text_of(post(gpt({"type": "text", "text": "Hi"}, inline), IU))
    plain = {"model": GPT, "messages": [{"role": "user", "content": "Hi"}]}
    assert text_of(post(plain, "/ilm/chat/completions"))


def test_gpt_takes_no_tool_traffic_and_no_video_endpoint(post: Post) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    body = gpt()
    body["messages"] += [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "x"},
    ]
    assert_error(post(body, IU), 400, "tool_calls are only supported by nova")
    assert_error(post(gpt()), 400, "call the image understanding endpoint /iu")


# --------------------------------------------------------------------------- GPT JSON mode


def test_gpt_json_mode_needs_the_word_json(post: Post) -> None:
    fmt = {"response_format": {"type": "json_object"}}
    assert_error(post(gpt(**fmt), IU), 400, "must contain the word 'json'")
    answer = json.loads(text_of(post(gpt({"type": "text", "text": "Reply in JSON"}, **fmt), IU)))
    assert answer["answer"].startswith("Emulated answer from gpt:gpt-4o")


def test_gpt_json_mode_fills_a_prompted_schema_with_bare_json(post: Post) -> None:
    prompt = f"Answer in JSON matching:\n```json\n{json.dumps(SCENE)}\n```"
    system = {"role": "system", "content": prompt}
    body = gpt(response_format={"type": "json_object"})
    body["messages"].insert(0, system)
    jsonschema.validate(json.loads(text_of(post(body, IU))), SCENE)


@pytest.mark.parametrize(
    "fmt", [{"type": "json_schema", "json_schema": {"name": "x", "schema": SCENE}}, "json"]
)
def test_gpt_refuses_undocumented_response_formats(post: Post, fmt: Any) -> None:
    assert_error(post(gpt(response_format=fmt), IU), 400, "response_format must be")


# --------------------------------------------------------------------------- GPT usage


def test_gpt_reports_the_previous_turn_as_cached_in_steps_of_128(post: Post) -> None:
    earlier = "word " * 1100  # 5500 characters: 1375 tokens before the last user message
    body = gpt()
    body["messages"] = [
        {"role": "system", "content": earlier},
        {"role": "user", "content": [{"type": "text", "text": "Describe"}, gpt_image()]},
        {"role": "assistant", "content": "A picture."},
        {"role": "user", "content": "And now?"},
    ]
    usage = post(body, IU).json()["usage"]
    before = math.ceil(len(earlier) / 4) + 2 + 258 + math.ceil(len("A picture.") / 4)
    assert usage["prompt_tokens_details"]["cached_tokens"] == before // 128 * 128 == 1536
    assert usage["prompt_tokens"] == before + 2
    short = post(gpt(), IU).json()["usage"]
    assert short["prompt_tokens_details"]["cached_tokens"] == 0


def test_gpt_stream_ends_with_a_usage_chunk_without_choices(post: Post) -> None:
    events = sse_events(post(gpt(stream=True), IU))
    assert events[-1] == "[DONE]"
    *content, finish, usage = events[:-1]
    assert all(e["object"] == "chat.completion.chunk" for e in (*content, finish, usage))
    text = "".join(e["choices"][0]["delta"].get("content", "") for e in content)
    assert text.startswith("Emulated answer from gpt:gpt-4o")
    assert finish["choices"][0]["finish_reason"] == "stop" and "usage" not in finish
    assert usage["choices"] == []
    assert usage["usage"]["completion_tokens"] == len(text.split())
    assert usage["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
