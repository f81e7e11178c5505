"""Every validation rule: what the docs (and observed service behaviour) refuse gets a 400."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from emulator_testlib import (
    GEMINI,
    KEY,
    NOVA,
    PNG_B64,
    VIDEO_URL,
    assert_error,
    gemini_body,
    image_file,
    metadata,
    nova_body,
    user,
    video_file,
)

from memories_emulator import Emulator

Post = Callable[..., httpx.Response]

WEATHER_TOOL = {
    "toolSpec": {
        "name": "get_weather",
        "description": "Weather for a city",
        "inputSchema": {
            "json": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            }
        },
    }
}
TOOL_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}


def tools(**config: Any) -> dict[str, Any]:
    return metadata(toolConfig={"tools": [WEATHER_TOOL], **config})


# --------------------------------------------------------------------------- auth, transport


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer"}],
    ids=["missing", "empty", "bearer-without-key"],
)
def test_missing_key_is_401(emulator: Emulator, headers: dict[str, str]) -> None:
    response = httpx.post(
        f"{emulator.base_url}/vu/chat/completions", json=gemini_body(), headers=headers
    )
    assert_error(response, 401, "missing API key")


@pytest.mark.parametrize("auth", [KEY, f"Bearer {KEY}", f"bearer {KEY}"])
def test_raw_and_bearer_keys_are_accepted(emulator: Emulator, auth: str) -> None:
    response = httpx.post(
        f"{emulator.base_url}/vu/chat/completions",
        json=gemini_body(),
        headers={"Authorization": auth},
    )
    assert response.status_code == 200, response.text


def test_configured_key_is_enforced() -> None:
    with Emulator(api_key="secret") as emu:
        url = f"{emu.base_url}/vu/chat/completions"
        wrong = httpx.post(url, json=gemini_body(), headers={"Authorization": "other"})
        assert_error(wrong, 401, "Invalid API key")
        for auth in ("secret", "Bearer secret"):
            ok = httpx.post(url, json=gemini_body(), headers={"Authorization": auth})
            assert ok.status_code == 200, ok.text


def test_non_json_content_type_is_415(http: httpx.Client) -> None:
    response = http.post(
        "/vu/chat/completions", content=b"model=x", headers={"Content-Type": "text/plain"}
    )
    assert_error(response, 415, "text/plain")


def test_invalid_json_is_400(http: httpx.Client) -> None:
    response = http.post(
        "/vu/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "not valid JSON")


def test_non_object_body_is_400(post: Post) -> None:
    assert_error(post([gemini_body()]), 400, "JSON object")


def test_errors_use_the_envelope_and_carry_a_request_id(post: Post, http: httpx.Client) -> None:
    for response in (
        post({"model": GEMINI}),
        http.get("/vu/chat/completions"),
        http.post("/no/such/path", json={}),
    ):
        assert response.status_code in (400, 404, 405)
        assert_error(response, response.status_code)
        assert re.fullmatch(r"emu-[0-9a-f]{32}", response.headers["x-request-id"])
    assert http.get("/vu/chat/completions").headers["allow"] == "POST"


def test_success_responses_carry_distinct_request_ids(post: Post) -> None:
    ids = {post(gemini_body()).headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"emu-[0-9a-f]{32}", i) for i in ids)


# --------------------------------------------------------------------------- the rule table

Mutator = Callable[[], dict[str, Any]]

REFUSED: list[tuple[str, str, Mutator, str]] = [
    # model
    ("model missing", "/vu/chat/completions", lambda: {"messages": [user("Hi")]}, "model is required"),
    ("model not a string", "/vu/chat/completions", lambda: gemini_body(model=5), "model must be a non-empty string"),
    ("model without prefix", "/vu/chat/completions", lambda: gemini_body(model="gemini-2.5-flash"),
     "model must include a provider prefix, e.g. gemini:gemini-2.5-flash"),
    ("nova id without prefix", "/vu/chat/completions", lambda: nova_body(model="us.amazon.nova-lite-v1:0"),
     "provider prefix"),
    ("unknown provider", "/vu/chat/completions", lambda: gemini_body(model="openai:gpt-4o"), "provider prefix"),
    ("prefix only", "/vu/chat/completions", lambda: gemini_body(model="gemini:"), "names no model"),
    ("gpt on the video endpoint", "/vu/chat/completions", lambda: nova_body(model="gpt:gpt-4o"), "/iu"),
    # messages
    ("messages missing", "/vu/chat/completions", lambda: {"model": GEMINI}, "messages is required"),
    ("messages not an array", "/vu/chat/completions", lambda: gemini_body() | {"messages": "Hi"}, "messages must be an array"),
    ("messages empty", "/vu/chat/completions", lambda: gemini_body() | {"messages": []}, "non-empty array"),
    ("message not an object", "/vu/chat/completions", lambda: gemini_body("Hi"), "messages[0] must be an object"),  # type: ignore[arg-type]
    ("unknown role", "/vu/chat/completions", lambda: gemini_body({"role": "developer", "content": "x"}, user("Hi")),
     "messages[0].role must be one of system, user, assistant; got 'developer'"),
    ("tool role for gemini", "/vu/chat/completions",
     lambda: gemini_body(user("Hi"), {"role": "tool", "tool_call_id": "c", "content": "x"}), "got 'tool'"),
    ("no user message", "/vu/chat/completions", lambda: gemini_body({"role": "system", "content": "Be brief"}),
     "Model input cannot be empty"),
    ("user content missing", "/vu/chat/completions", lambda: gemini_body({"role": "user"}), "messages[0].content is required"),
    ("system content not text", "/vu/chat/completions",
     lambda: gemini_body({"role": "system", "content": 3}, user("Hi")), "messages[0].content must be a string"),
    ("system content with a file", "/vu/chat/completions",
     lambda: gemini_body({"role": "system", "content": [image_file()]}, user("Hi")), "text part"),
    ("assistant content missing", "/vu/chat/completions",
     lambda: gemini_body(user("Hi"), {"role": "assistant"}, user("Again")), "messages[1].content is required"),
    # sampling parameters
    ("temperature too high", "/vu/chat/completions", lambda: gemini_body(temperature=2.5), "temperature"),
    ("temperature negative", "/vu/chat/completions", lambda: gemini_body(temperature=-0.1), "temperature"),
    ("temperature a string", "/vu/chat/completions", lambda: gemini_body(temperature="hot"), "temperature must be a number"),
    ("temperature a boolean", "/vu/chat/completions", lambda: gemini_body(temperature=True), "temperature must be a number"),
    ("top_p too high", "/vu/chat/completions", lambda: gemini_body(top_p=1.5), "top_p"),
    ("frequency_penalty too high", "/vu/chat/completions", lambda: gemini_body(frequency_penalty=2.1), "frequency_penalty"),
    ("presence_penalty too low", "/vu/chat/completions", lambda: gemini_body(presence_penalty=-3), "presence_penalty"),
    ("max_tokens zero", "/vu/chat/completions", lambda: gemini_body(max_tokens=0), "max_tokens must be an integer >= 1"),
    ("max_tokens a float", "/vu/chat/completions", lambda: gemini_body(max_tokens=10.5), "max_tokens"),
    ("max_tokens a string", "/vu/chat/completions", lambda: gemini_body(max_tokens="10"), "max_tokens"),
    ("n zero", "/vu/chat/completions", lambda: gemini_body(n=0), "n must be an integer between 1 and 8"),
    ("n nine", "/vu/chat/completions", lambda: gemini_body(n=9), "n must be an integer between 1 and 8"),
    ("stream a string", "/vu/chat/completions", lambda: gemini_body(stream="yes"), "stream must be a boolean"),
    ("stop a number", "/vu/chat/completions", lambda: gemini_body(stop=5), "stop must be"),
    ("stop array of numbers", "/vu/chat/completions", lambda: gemini_body(stop=[1]), "stop must be"),
    ("extra_body not an object", "/vu/chat/completions", lambda: gemini_body(extra_body="x"), "extra_body must be an object"),
    ("extra_body.metadata not an object", "/vu/chat/completions", lambda: gemini_body(extra_body={"metadata": []}),
     "extra_body.metadata must be an object"),
    ("top-level metadata not an object", "/vu/chat/completions", lambda: gemini_body(metadata="x"), "metadata must be an object"),
    # Gemini user content
    ("gemini bare string on /vu", "/vu/chat/completions", lambda: gemini_body({"role": "user", "content": "Hi"}),
     "Model input cannot be empty"),
    ("gemini bare string on /chat/completions", "/chat/completions",
     lambda: gemini_body({"role": "user", "content": "Hi"}), "Model input cannot be empty"),
    ("gemini empty parts", "/vu/chat/completions", lambda: gemini_body({"role": "user", "content": []}),
     "Model input cannot be empty"),
    ("gemini blank text only", "/vu/chat/completions", lambda: gemini_body(user("  ")), "Model input cannot be empty"),
    ("gemini image_url part", "/vu/chat/completions",
     lambda: gemini_body(user("Hi", {"type": "image_url", "image_url": {"url": "https://x.io/a.png"}})),
     "unsupported content part type 'image_url'"),
    ("gemini part without type", "/vu/chat/completions", lambda: gemini_body(user({"text": "Hi"})), "string 'type'"),
    ("gemini text not a string", "/vu/chat/completions", lambda: gemini_body(user({"type": "text", "text": 1})),
     "content[0].text must be a string"),
    ("gemini mime_type missing", "/vu/chat/completions",
     lambda: gemini_body(user("Hi", {"type": "input_file", "file_uri": "https://x.io/a.png"})), "mime_type"),
    ("gemini mime_type malformed", "/vu/chat/completions", lambda: gemini_body(user("Hi", image_file(mime="jpeg"))),
     "mime_type must be a MIME type"),
    ("gemini file_uri missing", "/vu/chat/completions",
     lambda: gemini_body(user("Hi", {"type": "input_file", "mime_type": "image/png"})), "file_uri must be a non-empty string"),
    ("gemini ftp url", "/vu/chat/completions", lambda: gemini_body(user("Hi", image_file("ftp://x.io/a.png"))),
     "unsupported URL scheme 'ftp'"),
    ("gemini local file url", "/vu/chat/completions", lambda: gemini_body(user("Hi", image_file("file:///tmp/a.png"))),
     "unsupported URL scheme 'file'"),
    ("gemini url without host", "/vu/chat/completions", lambda: gemini_body(user("Hi", image_file("https:///a.png"))),
     "not a valid URL"),
    ("gemini local path", "/vu/chat/completions", lambda: gemini_body(user("Hi", image_file("/tmp/a.png"))),
     "invalid base64"),
    ("gemini invalid base64", "/vu/chat/completions", lambda: gemini_body(user("Hi", image_file("not base64!!"))),
     "invalid base64"),
    ("gemini data URI not base64", "/vu/chat/completions",
     lambda: gemini_body(user("Hi", image_file("data:image/png,abc"))), "must be base64-encoded"),
    ("gemini base64 video", "/vu/chat/completions", lambda: gemini_body(user("Hi", video_file(PNG_B64))),
     "video does not support base64; pass a public URL"),
    ("gemini data-URI video", "/vu/chat/completions",
     lambda: gemini_body(user("Hi", video_file(f"data:video/mp4;base64,{PNG_B64}"))),
     "video does not support base64; pass a public URL"),
    ("gemini video data URI labelled as image", "/vu/chat/completions",
     lambda: gemini_body(user("Hi", image_file(f"data:video/mp4;base64,{PNG_B64}"))),
     "video does not support base64"),
    ("gemini video on /iu", "/iu/chat/completions", lambda: gemini_body(user("Hi", video_file())),
     "video input is not supported on the image understanding endpoint; use /vu"),
    ("gemini video on /ilm", "/ilm/chat/completions", lambda: gemini_body(user("Hi", video_file())),
     "use /vu"),
    # Nova user content
    ("nova video on /iu", "/iu/chat/completions",
     lambda: nova_body(user("Hi", {"type": "video_url", "video_url": {"url": VIDEO_URL}})),
     "video input is not supported on the image understanding endpoint; use /vu"),
    ("nova video on /ilm", "/ilm/chat/completions",
     lambda: nova_body(user("Hi", {"type": "video_url", "video_url": {"url": VIDEO_URL}})), "use /vu"),
    ("nova input_file part", "/vu/chat/completions", lambda: nova_body(user("Hi", image_file())),
     "unsupported content part type 'input_file'"),
    ("nova image_url without url", "/vu/chat/completions",
     lambda: nova_body(user("Hi", {"type": "image_url", "image_url": {"href": "https://x.io"}})), "image_url must be"),
    ("nova image_url bad base64", "/vu/chat/completions",
     lambda: nova_body(user("Hi", {"type": "image_url", "image_url": {"url": "%%%"}})), "invalid base64"),
    ("nova image_url holding a video data URI", "/vu/chat/completions",
     lambda: nova_body(user("Hi", {"type": "image_url", "image_url": {"url": f"data:video/mp4;base64,{PNG_B64}"}})),
     "does not fit image_url"),
    ("nova empty string", "/vu/chat/completions", lambda: nova_body({"role": "user", "content": ""}),
     "Model input cannot be empty"),
    ("nova empty parts", "/vu/chat/completions", lambda: nova_body({"role": "user", "content": []}),
     "Model input cannot be empty"),
    # Nova tool conversations
    ("tool message without id", "/vu/chat/completions",
     lambda: nova_body(user("Hi"), {"role": "assistant", "content": "", "tool_calls": [TOOL_CALL]},
                       {"role": "tool", "content": "21 C"}, **tools()), "tool_call_id must be a non-empty string"),
    ("tool message answering no call", "/vu/chat/completions",
     lambda: nova_body(user("Hi"), {"role": "assistant", "content": "", "tool_calls": [TOOL_CALL]},
                       {"role": "tool", "tool_call_id": "call_2", "content": "21 C"}, **tools()),
     "does not match any earlier assistant tool call"),
    ("tool message with array content", "/vu/chat/completions",
     lambda: nova_body(user("Hi"), {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
                       {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": "x"}]},
                       **tools()), "content must be a string"),
    ("tool call arguments not JSON", "/vu/chat/completions",
     lambda: nova_body(user("Hi"), {"role": "assistant", "tool_calls": [
         {**TOOL_CALL, "function": {"name": "get_weather", "arguments": "{city"}}]}, **tools()),
     "arguments is not valid JSON"),
    ("tool call arguments an object", "/vu/chat/completions",
     lambda: nova_body(user("Hi"), {"role": "assistant", "tool_calls": [
         {**TOOL_CALL, "function": {"name": "get_weather", "arguments": {"city": "x"}}}]}, **tools()),
     "arguments must be a JSON string"),
    ("tool call of another type", "/vu/chat/completions",
     lambda: nova_body(user("Hi"), {"role": "assistant", "tool_calls": [{**TOOL_CALL, "type": "tool"}]}, **tools()),
     "type must be 'function'"),
    ("tool traffic without toolConfig", "/vu/chat/completions",
     lambda: nova_body(user("Hi"), {"role": "assistant", "content": "", "tool_calls": [TOOL_CALL]},
                       {"role": "tool", "tool_call_id": "call_1", "content": "21 C"}),
     "toolConfig must be provided"),
    ("gemini assistant tool_calls", "/vu/chat/completions",
     lambda: gemini_body(user("Hi"), {"role": "assistant", "content": "", "tool_calls": [TOOL_CALL]}, user("x")),
     "only supported by nova models"),
    # Gemini metadata
    ("thinking_config not an object", "/vu/chat/completions", lambda: gemini_body(**metadata(thinking_config=5)),
     "thinking_config must be an object"),
    ("thinking_budget a string", "/vu/chat/completions",
     lambda: gemini_body(**metadata(thinking_config={"thinking_budget": "high"})), "thinking_budget must be an integer"),
    ("thinking_budget below -1", "/vu/chat/completions",
     lambda: gemini_body(**metadata(thinking_config={"thinking_budget": -2})), "thinking_budget"),
    ("response_mime_type unknown", "/vu/chat/completions", lambda: gemini_body(**metadata(response_mime_type="json")),
     "response_mime_type must be one of"),
    ("schema lowercase type", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "object", "properties": {"a": {"type": "string"}}})),
     "Invalid JSON payload received. Invalid value at 'generation_config.response_schema.type'"),
    ("schema nested lowercase type", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "OBJECT", "properties": {"a": {"type": "string"}}})),
     "Invalid value at 'generation_config.response_schema.properties[a].type'"),
    ("schema anyOf", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "OBJECT", "properties": {
         "a": {"type": "STRING", "anyOf": [{"type": "STRING"}]}}})),
     "Invalid JSON payload received. Unknown name \"anyOf\" at 'generation_config.response_schema.properties[a]'"),
    ("schema $ref", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "OBJECT", "properties": {"a": {"$ref": "#/$defs/A"}}})),
     'Unknown name "$ref"'),
    ("schema $defs", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "OBJECT", "properties": {"a": {"type": "STRING"}},
                                                    "$defs": {}})), 'Unknown name "$defs"'),
    ("schema additionalProperties", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "OBJECT", "properties": {"a": {"type": "STRING"}},
                                                    "additionalProperties": False})),
     'Unknown name "additionalProperties"'),
    ("schema without type", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "OBJECT", "properties": {"a": {"description": "x"}}})),
     "properties[a].type: must be specified"),
    ("schema array without items", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "ARRAY"})), "items: missing field"),
    ("schema required unknown property", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "OBJECT", "properties": {"a": {"type": "STRING"}},
                                                    "required": ["b"]})),
     "response_schema.required[0]: property is not defined"),
    ("schema enum on an integer", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "INTEGER", "enum": ["1"]})), "only allowed for STRING type"),
    ("schema object without properties", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "OBJECT"})), "should be non-empty for OBJECT type"),
    ("schema nullable not a boolean", "/vu/chat/completions",
     lambda: gemini_body(**metadata(responseSchema={"type": "STRING", "nullable": "yes"})), "nullable"),
    # Nova toolConfig
    ("toolConfig not an object", "/vu/chat/completions", lambda: nova_body(**metadata(toolConfig=[])),
     "toolConfig must be an object"),
    ("toolConfig without tools", "/vu/chat/completions", lambda: nova_body(**metadata(toolConfig={})),
     "toolConfig.tools must be a non-empty array"),
    ("toolConfig empty tools", "/vu/chat/completions", lambda: nova_body(**metadata(toolConfig={"tools": []})),
     "non-empty array"),
    ("tool without toolSpec", "/vu/chat/completions",
     lambda: nova_body(**metadata(toolConfig={"tools": [{"name": "x"}]})), "'toolSpec' object"),
    ("tool name with a space", "/vu/chat/completions",
     lambda: nova_body(**metadata(toolConfig={"tools": [
         {"toolSpec": {**WEATHER_TOOL["toolSpec"], "name": "get weather"}}]})), "toolSpec.name must be"),
    ("tool declared twice", "/vu/chat/completions",
     lambda: nova_body(**metadata(toolConfig={"tools": [WEATHER_TOOL, WEATHER_TOOL]})), "declared twice"),
    ("tool inputSchema without json", "/vu/chat/completions",
     lambda: nova_body(**metadata(toolConfig={"tools": [
         {"toolSpec": {"name": "t", "inputSchema": {"type": "object"}}}]})), "inputSchema must be"),
    ("tool inputSchema not an object schema", "/vu/chat/completions",
     lambda: nova_body(**metadata(toolConfig={"tools": [
         {"toolSpec": {"name": "t", "inputSchema": {"json": {"type": "string"}}}}]})), "json.type must be 'object'"),
    ("tool description empty", "/vu/chat/completions",
     lambda: nova_body(**metadata(toolConfig={"tools": [
         {"toolSpec": {**WEATHER_TOOL["toolSpec"], "description": ""}}]})), "description must be"),
    ("toolChoice with two modes", "/vu/chat/completions", lambda: nova_body(**tools(toolChoice={"auto": {}, "any": {}})),
     "toolChoice must be"),
    ("toolChoice unknown mode", "/vu/chat/completions", lambda: nova_body(**tools(toolChoice={"required": {}})),
     "toolChoice must be"),
    ("toolChoice unknown tool", "/vu/chat/completions", lambda: nova_body(**tools(toolChoice={"tool": {"name": "x"}})),
     "toolChoice.tool.name must name one of the declared tools"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "make_body", "fragment"),
    [pytest.param(path, make, fragment, id=name) for name, path, make, fragment in REFUSED],
)
def test_refused(post: Post, path: str, make_body: Mutator, fragment: str) -> None:
    assert_error(post(make_body(), path), 400, fragment)


def test_model_input_cannot_be_empty_is_the_exact_message(post: Post) -> None:
    message = assert_error(post(gemini_body({"role": "user", "content": "Hi"})), 400)
    assert message == "Model input cannot be empty"
    message = assert_error(post(gemini_body(user("Hi", video_file(PNG_B64)))), 400)
    assert message == "video does not support base64; pass a public URL"


ACCEPTED: list[tuple[str, str, Mutator]] = [
    ("boundary values", "/vu/chat/completions",
     lambda: gemini_body(temperature=0, top_p=1, frequency_penalty=-2, presence_penalty=2, n=8, max_tokens=1)),
    ("upper temperature, lower top_p", "/vu/chat/completions", lambda: gemini_body(temperature=2, top_p=0)),
    ("nulls for optional fields", "/vu/chat/completions",
     lambda: gemini_body(temperature=None, max_tokens=None, n=None, stop=None, stream=None, extra_body=None)),
    ("stop as a string", "/vu/chat/completions", lambda: gemini_body(stop="END")),
    ("stop as a list", "/vu/chat/completions", lambda: gemini_body(stop=["END", ""])),
    ("unknown top-level keys", "/vu/chat/completions",
     lambda: gemini_body(user_id="u1", response_format={"type": "json_object"}, seed=3)),
    ("gemini bare string on /iu", "/iu/chat/completions", lambda: gemini_body({"role": "user", "content": "Hi"})),
    ("gemini bare string on /ilm", "/ilm/chat/completions", lambda: gemini_body({"role": "user", "content": "Hi"})),
    ("gemini system content as text parts", "/vu/chat/completions",
     lambda: gemini_body({"role": "system", "content": [{"type": "text", "text": "Be brief"}]}, user("Hi"))),
    ("gemini assistant turn", "/vu/chat/completions",
     lambda: gemini_body(user("Hi"), {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]}, user("More"))),
    ("gemini raw base64 image", "/vu/chat/completions", lambda: gemini_body(user("Hi", image_file(PNG_B64, "image/png")))),
    ("gemini data-URI image", "/vu/chat/completions",
     lambda: gemini_body(user("Hi", image_file(f"data:image/png;base64,{PNG_B64}", "image/png")))),
    ("gemini gs:// video", "/vu/chat/completions", lambda: gemini_body(user("Hi", video_file("gs://bucket/v.mp4")))),
    ("gemini file only, no text", "/vu/chat/completions", lambda: gemini_body(user(video_file()))),
    ("gemini thinking budget -1 and 0", "/vu/chat/completions",
     lambda: gemini_body(**metadata(thinking_config={"thinking_budget": -1}))),
    ("gemini ignores nova toolConfig", "/vu/chat/completions", lambda: gemini_body(**metadata(toolConfig="garbage"))),
    ("nova ignores gemini options", "/vu/chat/completions",
     lambda: nova_body(**metadata(responseSchema={"type": "object"}, thinking_config="x", response_mime_type="y"))),
    ("nova bare string", "/vu/chat/completions", lambda: nova_body({"role": "user", "content": "Hi"})),
    ("nova image_url as a string", "/iu/chat/completions",
     lambda: nova_body(user("Hi", {"type": "image_url", "image_url": "https://x.io/a.png"}))),
    ("nova base64 image", "/iu/chat/completions",
     lambda: nova_body(user("Hi", {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}}))),
    ("nova base64 video", "/vu/chat/completions",
     lambda: nova_body(user("Hi", {"type": "video_url", "video_url": {"url": PNG_B64}}))),
    ("nova full tool round trip", "/vu/chat/completions",
     lambda: nova_body(user("Weather?"), {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
                       {"role": "tool", "tool_call_id": "call_1", "content": "21 C"},
                       **tools(toolChoice={"auto": {}}))),
    ("nova toolChoice any", "/vu/chat/completions", lambda: nova_body(**tools(toolChoice={"any": {}}))),
    ("nova toolChoice tool", "/vu/chat/completions",
     lambda: nova_body(**tools(toolChoice={"tool": {"name": "get_weather"}}))),
    ("qwen bare string on /vu", "/vu/chat/completions",
     lambda: gemini_body({"role": "user", "content": "Hi"}, model="qwen:qwen3-vl-plus")),
    ("gpt on /ilm", "/ilm/chat/completions", lambda: nova_body(model="gpt:gpt-4o")),
    ("nova model id without us. prefix", "/vu/chat/completions", lambda: nova_body(model="nova:amazon.nova-lite-v1:0")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "make_body"),
    [pytest.param(path, make, id=name) for name, path, make in ACCEPTED],
)
def test_accepted(post: Post, path: str, make_body: Mutator) -> None:
    response = post(make_body(), path)
    assert response.status_code == 200, response.text


def test_gemini_schema_with_every_supported_field_is_accepted(post: Post) -> None:
    schema = {
        "type": "OBJECT",
        "description": "A report",
        "properties": {
            "title": {"type": "STRING", "title": "Title", "minLength": 1, "maxLength": 80},
            "kind": {"type": "STRING", "enum": ["a", "b"], "format": "enum"},
            "when": {"type": "STRING", "format": "date-time", "nullable": True},
            "score": {"type": "NUMBER", "minimum": 0, "maximum": 1},
            "items": {
                "type": "ARRAY",
                "minItems": 1,
                "maxItems": 3,
                "items": {"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}},
            },
        },
        "required": ["title"],
        "propertyOrdering": ["title", "kind", "when", "score", "items"],
    }
    response = post(gemini_body(**metadata(responseSchema=schema)))
    assert response.status_code == 200, response.text


def test_model_id_is_not_checked_against_a_catalog(post: Post) -> None:
    # The service adds models faster than clients release; any id of a known family passes.
    response = post(gemini_body(model="gemini:gemini-9-ultra"))
    assert response.status_code == 200
    assert NOVA.startswith("nova:")
