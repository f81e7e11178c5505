"""The client against the documented example bodies, typed in by hand from the docs pages.

These keep the client honest where the emulator could share our misunderstanding: the bodies
here come from the docs, not from our code.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from memories_client import ChatRequest, Message, ModelError, ToolSpec, media_from_url
from memories_client._parsing import parse_completion
from memories_client.dialects import (
    GeminiDialect,
    GPTDialect,
    NovaDialect,
    QwenDialect,
)
from memories_client.integration import SAMPLING_FIELDS

DOCS = Path(__file__).parent.parent / "fixtures" / "docs"


def load(name: str) -> dict[str, Any]:
    body = json.loads((DOCS / name).read_text())
    body.pop("_source", None)
    return body


def test_gemini_code_example_body_matches_the_docs() -> None:
    expected = load("gemini_vlm_request_code_example.json")
    request = ChatRequest(
        model="gemini:gemini-2.5-flash",
        messages=[
            Message.system("You are a multimodal assistant. Keep your answers concise."),
            Message.user(
                "Please summarize the content of this video and image",
                # The docs label this PNG URL "image/jpeg"; an explicit mime_type is sent as given.
                media_from_url(
                    "https://storage.googleapis.com/memories-test-data/gun5.png",
                    mime_type="image/jpeg",
                ),
                media_from_url("https://storage.googleapis.com/memories-test-data/test_1min.mp4"),
            ),
        ],
        temperature=0.7,
        max_tokens=1000,
        top_p=1.0,
        frequency_penalty=0.0,
        presence_penalty=0.0,
        n=1,
        stop=None,
        thinking_budget=1024,
        response_mime_type="application/json",
        response_schema={
            "type": "object",
            "properties": {
                "video_summary": {
                    "type": "string",
                    "description": "Summary of the video content from 1 second to 8 seconds.",
                },
                "image_summary": {
                    "type": "string",
                    "description": "Summary of the image content.",
                },
            },
            "required": ["video_summary", "image_summary"],
        },
    )
    dialect = GeminiDialect()
    dialect.validate(request)
    body = dialect.build_body(request)
    assert body == expected
    # Key order on the wire follows the docs too (model, messages, params, extra_body).
    assert list(body) == list(expected)
    assert dialect.endpoint(request) == "vu"


def curl_request(curl: dict[str, Any], model: str, **fields: Any) -> ChatRequest:
    """A request with a curl sample's common fields (its system message, then a user one)."""
    return ChatRequest(
        model=model,
        messages=[Message.system(curl["messages"][0]["content"]), Message.user("hi")],
        stop=curl["stop"],
        **{name: curl[name] for name in SAMPLING_FIELDS},
        **fields,
    )


def test_gemini_curl_sample_fields() -> None:
    curl = load("gemini_vlm_request_curl.json")
    request = curl_request(
        curl, "gemini-2.5-flash", thinking_budget=123, response_mime_type="application/json"
    )
    body = GeminiDialect().build_body(request)
    for key in ("model", "temperature", "max_tokens", "top_p", "frequency_penalty", "n"):
        assert body[key] == curl[key]
    assert body["messages"][0] == curl["messages"][0]
    # A string stop is documented; we always send the equally documented array form.
    assert body["stop"] == [curl["stop"]]
    meta = body["extra_body"]["metadata"]
    assert meta["thinking_config"] == curl["extra_body"]["metadata"]["thinking_config"]
    assert meta["response_mime_type"] == curl["extra_body"]["metadata"]["response_mime_type"]
    # stream=false is the documented default, so it is left out; stream=True is sent.
    assert "stream" not in body
    assert GeminiDialect().build_body(request, stream=True)["stream"] is True


def test_gemini_user_content_is_always_an_array_and_system_a_string() -> None:
    body = GeminiDialect().build_body(
        ChatRequest(model="gemini-2.5-flash", messages=[Message.system("s"), Message.user("u")])
    )
    assert body["messages"][0]["content"] == "s"
    assert body["messages"][1]["content"] == [{"type": "text", "text": "u"}]


def test_gemini_response_example_parses() -> None:
    body = load("gemini_vlm_response.json")
    completion = parse_completion(body, request_id=None)
    assert completion.id == "resp_5810813e-99b9-427a-8736-23cf34573627"
    assert completion.model == "gemini:gemini-2.5-flash"
    assert completion.created == 1767093284
    assert completion.status == "completed"
    assert completion.text == body["choices"][0]["text"]
    assert completion.finish_reason is None  # the documented example has none
    assert completion.usage is not None
    assert (completion.usage.input_tokens, completion.usage.output_tokens) == (16983, 37)
    assert completion.usage.total_tokens == 17020
    assert (completion.provider, completion.provider_model) == ("gemini", "gemini-2.5-flash")
    assert completion.raw == body


def test_nova_response_example_parses_the_singular_output_token_key() -> None:
    completion = parse_completion(load("nova_ilm_response.json"))
    assert completion.id == "chatcmpl_703da855e7e0415296d5365265a1b323"
    assert completion.created == 1767097779
    assert completion.text == "This is a photo ..."
    assert completion.finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.input_tokens == 739
    assert completion.usage.output_tokens == 207
    assert completion.usage.total_tokens == 946


def test_qwen_response_example_without_usage_parses() -> None:
    completion = parse_completion(load("qwen_vlm_response.json"))
    assert completion.text == "This video shows ..."
    assert completion.choices[0].index == 0
    assert completion.id == "9212f247-2372-95b3-8c9b-968368a952fc"  # a bare UUID
    assert completion.model == "qwen3-vl-plus"  # echoed without the prefix
    assert (completion.created, completion.status) == (1767095035, "completed")
    # The stored page is cut off before usage: no numbers are documented, none are made up.
    assert completion.usage is None


def test_gpt_response_example_parses_openai_usage() -> None:
    completion = parse_completion(load("gpt_ilm_response.json"))
    assert completion.text == '{"a": 1}'
    assert (completion.id, completion.model) == ("chatcmpl-123", "gpt-4o-2024-08-06")
    assert (completion.created, completion.finish_reason) == (1677652288, "stop")
    usage = completion.usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (447, 112, 559)
    assert (usage.cached_tokens, usage.reasoning_tokens) == (0, 0)
    assert usage.as_openai() == {
        "prompt_tokens": 447,
        "completion_tokens": 112,
        "total_tokens": 559,
        "reasoning_tokens": 0,
        "cached_tokens": 0,
    }


def test_qwen_curl_sample_options_match_the_docs() -> None:
    curl = load("qwen_vlm_request_curl.json")
    documented = curl["extra_body"]["metadata"]
    schema = documented["response_format"]["json_schema"]["schema"]
    request = curl_request(
        curl,
        "qwen3-vl-plus",
        enable_thinking=True,
        thinking_budget=123,
        response_schema={"title": "summary", **schema},
    )
    dialect = QwenDialect()
    dialect.validate(request)
    body = dialect.build_body(request)
    for key in ("model", "temperature", "max_tokens", "top_p", "frequency_penalty", "n"):
        assert body[key] == curl[key]
    assert body["messages"][0] == curl["messages"][0]
    metadata = body["extra_body"]["metadata"]
    assert list(metadata) == list(documented)  # enable_thinking, thinking_budget, response_format
    assert (metadata["enable_thinking"], metadata["thinking_budget"]) == (True, 123)
    fmt = metadata["response_format"]
    assert fmt["type"] == documented["response_format"]["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "summary"  # the docs show the placeholder "<string>"
    assert fmt["json_schema"]["schema"] == {"title": "summary", **schema}  # lowercase, as sent
    assert dialect.endpoint(request) == "vu"


def test_gpt_request_parts_and_json_mode_match_the_docs() -> None:
    expected = load("gpt_ilm_request_parts.json")
    request = ChatRequest(
        model="gpt:gpt-4o",
        messages=[
            Message.user(
                "Describe this image as a JSON object.",
                media_from_url("https://storage.googleapis.com/memories-test-data/gun5.png"),
            )
        ],
        response_mime_type="application/json",
    )
    dialect = GPTDialect()
    dialect.validate(request)
    assert dialect.build_body(request) == expected
    assert dialect.endpoint(request) == "iu"


def test_nova_video_request_matches_observed_shape_and_goes_to_vu() -> None:
    expected = load("nova_video_request_observed.json")
    request = ChatRequest(
        model="nova:us.amazon.nova-lite-v1:0",
        messages=[
            Message.user(
                "Describe the video",
                media_from_url("https://storage.googleapis.com/memories-test-data/test_1min.mp4"),
            )
        ],
    )
    dialect = NovaDialect()
    assert dialect.build_body(request) == expected
    assert dialect.endpoint(request) == "vu"
    image_only = ChatRequest(
        model="nova:us.amazon.nova-lite-v1:0",
        messages=[Message.user("x", media_from_url("https://a.test/p.jpg"))],
    )
    assert dialect.endpoint(image_only) == "iu"


def test_nova_tool_config_matches_the_docs() -> None:
    expected = load("nova_tool_config.json")
    tool = ToolSpec(
        name="get_weather",
        description="Get the weather for a city",
        parameters={
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    )
    body = NovaDialect().build_body(
        ChatRequest(
            model="nova:us.amazon.nova-lite-v1:0", messages=[Message.user("hi")], tools=[tool]
        )
    )
    assert body["extra_body"] == expected["extra_body"]


def test_errored_200_body_is_a_model_error() -> None:
    with pytest.raises(ModelError) as info:
        parse_completion(load("errored_200_response.json"), request_id="req-1")
    err = info.value
    assert err.status == 200
    assert err.code == "media_fetch_failed"
    assert err.server_message == "Failed to fetch the file from the URL"
    assert err.request_id == "req-1"
    assert "publicly fetchable" in str(err)


def test_price_tables_match_the_docs() -> None:
    from memories_client import estimate_cost

    per_million = {
        "gemini:gemini-3-flash-preview": ("0.5", "3"),
        "gemini:gemini-2.5-flash": ("0.30", "2.5"),
        "gemini:gemini-2.0-flash-lite": ("0.075", "0.3"),
        "nova:us.amazon.nova-premier-v1:0": ("2.50", "12.50"),
        "nova:us.amazon.nova-lite-v1:0": ("0.06", "0.24"),
        "nova:amazon.nova-lite-v1:0": ("0.06", "0.24"),
        "qwen:qwen-vl-max": ("0.84", "3.35"),
        "gpt:gpt-4o": ("2.5", "10"),
    }
    for model, (inp, out) in per_million.items():
        assert estimate_cost(model, 1_000_000, 0) == Decimal(inp), model
        assert estimate_cost(model, 0, 1_000_000) == Decimal(out), model
