"""Scripted replies: queued in order, matched by rules, shaped and streamed like generated ones."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from emulator_testlib import (
    GEMINI,
    IMAGE_URL,
    NOVA,
    VIDEO_URL,
    assert_error,
    gemini_body,
    metadata,
    nova_body,
    sse_events,
    text_of,
    unfence,
    user,
    video_file,
)

from memories_emulator import Emulator, Reply, ScriptError

Post = Callable[..., httpx.Response]

QWEN = "qwen:qwen3-vl-plus"
GPT = "gpt:gpt-4o"


def body_for(family: str, text: str = "Hi", **extra: Any) -> dict[str, Any]:
    model = {"gemini": GEMINI, "nova": NOVA, "qwen": QWEN, "gpt": GPT}[family]
    return {"model": model, "messages": [user(text)], **extra}


def streamed(post: Post, body: dict[str, Any], path: str = "/vu/chat/completions") -> Any:
    """(text, usage, finish reasons) of a streamed answer."""
    events = [e for e in sse_events(post({**body, "stream": True}, path)) if e != "[DONE]"]
    text = ""
    for event in events:
        for choice in event["choices"]:
            text += choice.get("text") or (choice.get("delta") or {}).get("content") or ""
    usage = next(e["usage"] for e in reversed(events) if "usage" in e)
    return text, usage


FAMILY_PATHS = {"gemini": "/vu/chat/completions", "nova": "/vu/chat/completions"}
FAMILY_PATHS |= {"qwen": "/vu/chat/completions", "gpt": "/iu/chat/completions"}


@pytest.mark.parametrize("family", ["gemini", "nova", "qwen", "gpt"])
def test_queued_text_is_served_in_order_then_defaults_resume(
    emulator: Emulator, post: Post, family: str
) -> None:
    path = FAMILY_PATHS[family]
    emulator.queue(Reply(text="The dog enters at 0:42."), Reply(text="Second answer."))
    first = post(body_for(family), path)
    assert text_of(first) == "The dog enters at 0:42."
    assert text_of(post(body_for(family), path)) == "Second answer."
    assert text_of(post(body_for(family), path)).startswith("Emulated answer from")
    # The usage follows the formula: 1 input token for "Hi", 5 words out.
    usage = first.json()["usage"]
    assert (usage.get("output_tokens") or usage.get("output_token") or usage.get(
        "completion_tokens")) == 5  # fmt: skip


@pytest.mark.parametrize("family", ["gemini", "nova", "qwen", "gpt"])
def test_a_scripted_answer_streams_exactly_like_its_whole_answer(
    emulator: Emulator, post: Post, family: str
) -> None:
    path = FAMILY_PATHS[family]
    reply = Reply(text="Il était une fois, à 00:42, un chien.", usage={"input_tokens": 7})
    emulator.queue(reply, reply)
    whole = post(body_for(family), path)
    text, usage = streamed(post, body_for(family), path)
    assert text == text_of(whole) == "Il était une fois, à 00:42, un chien."
    assert usage == whole.json()["usage"]
    assert 7 in usage.values()  # the scripted input tokens, under the family's own key


def test_scripted_usage_replaces_the_formula(emulator: Emulator, post: Post) -> None:
    emulator.queue(Reply(text="x", usage={"input_tokens": 1200, "output_tokens": 80}))
    assert post(gemini_body()).json()["usage"] == {
        "input_tokens": 1200,
        "output_tokens": 80,
        "total_tokens": 1280,
    }


def test_scripted_text_is_still_cut_by_stop_and_max_tokens(emulator: Emulator, post: Post) -> None:
    emulator.queue(Reply(text="one two three four"), Reply(text="one two STOP three"))
    cut = post(gemini_body(max_tokens=2)).json()["choices"][0]
    assert (cut["text"], cut["finish_reason"]) == ("one two", "length")
    assert text_of(post(gemini_body(stop=["STOP"]))) == "one two "


def test_json_reply_is_served_the_way_each_family_serves_json(
    emulator: Emulator, post: Post
) -> None:
    value = {"title": "Road trip", "scenes": 3}
    emulator.queue(*[Reply(json=value)] * 4)
    gemini = post(gemini_body(**metadata(response_mime_type="application/json")))
    assert unfence(text_of(gemini)) == value  # Gemini fences JSON, even in JSON mode
    schema = {"name": "trip", "schema": {"type": "object", "properties": {}}}
    qwen = post(
        body_for("qwen", **metadata(response_format={"type": "json_schema", "json_schema": schema}))
    )
    assert json.loads(text_of(qwen)) == value  # bare
    gpt = post(
        body_for("gpt", "Answer in json", response_format={"type": "json_object"}),
        "/iu/chat/completions",
    )
    assert json.loads(text_of(gpt)) == value  # bare
    tool = {"toolSpec": {"name": "record", "inputSchema": {"json": {"type": "object"}}}}
    nova = post(nova_body(**metadata(toolConfig={"tools": [tool], "toolChoice": {"any": {}}})))
    [call] = nova.json()["choices"][0]["message"]["tool_calls"]
    assert call["function"]["name"] == "record"  # forced tool: the object is its arguments
    assert json.loads(call["function"]["arguments"]) == value


def test_tool_call_replies_for_nova_and_gpt(emulator: Emulator, post: Post) -> None:
    calls = [
        {"name": "get_weather", "args": {"city": "東京"}},
        {"name": "get_time", "args": {"zone": "JST"}, "id": "call_mine"},
    ]
    emulator.queue(Reply(tool_calls=calls), Reply(tool_calls=calls))
    tool = {"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object"}}}}
    body = nova_body(**metadata(toolConfig={"tools": [tool]}))
    choice = post(body).json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    made = choice["message"]["tool_calls"]
    assert [c["function"]["name"] for c in made] == ["get_weather", "get_time"]
    assert json.loads(made[0]["function"]["arguments"]) == {"city": "東京"}
    assert made[1]["id"] == "call_mine" and made[0]["id"].startswith("call_")
    events = [e for e in sse_events(post({**body, "stream": True})) if e != "[DONE]"]
    deltas = events[0]["choices"][0]["delta"]["tool_calls"]
    assert [d["index"] for d in deltas] == [0, 1]
    assert [d["function"]["name"] for d in deltas] == ["get_weather", "get_time"]


def test_tool_calls_for_a_text_only_family_are_a_clear_error(
    emulator: Emulator, post: Post
) -> None:
    emulator.queue(Reply(tool_calls=[{"name": "f"}]))
    assert_error(post(gemini_body()), 400, "only the Nova and GPT families return tool calls")


def test_status_and_fault_replies(emulator: Emulator, post: Post) -> None:
    emulator.queue(
        Reply(status=429, retry_after=2),
        Reply(status=400, message="Unsafe content"),
        Reply(fault="errored"),
        Reply(fault="drop"),
    )
    limited = post(gemini_body())
    assert_error(limited, 429, "Too many requests")
    assert limited.headers["retry-after"] == "2"
    assert_error(post(gemini_body()), 400, "Unsafe content")
    assert post(gemini_body()).json()["status"] == "errored"
    with pytest.raises(httpx.RemoteProtocolError):
        post(gemini_body())
    assert [r.status for r in emulator.requests] == [429, 400, 200, None]
    assert [r.fault for r in emulator.requests][2:] == ["errored", "drop"]
    assert text_of(post(gemini_body())).startswith("Emulated answer")


def test_a_stream_fault_applies_to_the_scripted_text(emulator: Emulator, post: Post) -> None:
    emulator.queue(Reply(text="a b c d e f g h i j k l", fault="stream_error"))
    events = sse_events(post(gemini_body(stream=True)))
    assert events[0]["choices"][0]["text"] == "a b c "
    assert events[-1] == {"error": {"code": 500, "message": "internal error mid-stream"}}


def test_rules_match_model_prompt_and_media_url_and_come_before_the_queue(
    emulator: Emulator, post: Post
) -> None:
    emulator.queue(Reply(text="queued"))
    emulator.when(model="nova").reply(Reply(text="for nova"))
    emulator.when(prompt="WEATHER").reply(Reply(text="for weather"))
    emulator.when(prompt=re.compile(r"\d\d:\d\d")).reply(Reply(text="for a time"))
    emulator.when(media_url="test_1min").always(Reply(text="for the clip"))
    assert text_of(post(nova_body())) == "for nova"
    assert text_of(post(gemini_body(messages=[user("the weather?")]))) == "for weather"
    assert text_of(post(gemini_body(messages=[user("at 12:30")]))) == "for a time"
    clip = gemini_body(messages=[user("What is in it?", video_file())])
    assert text_of(post(clip)) == text_of(post(clip)) == "for the clip"  # always
    assert text_of(post(gemini_body())) == "queued"
    assert text_of(post(nova_body())).startswith("Emulated answer")  # the nova rule is spent
    assert emulator.script.pending == 1  # only the rule made with always()


def test_a_rule_needs_a_condition_and_replies_are_checked_when_made() -> None:
    emulator = Emulator()
    with pytest.raises(ScriptError, match="needs model, prompt or media_url"):
        emulator.when()
    with pytest.raises(ScriptError, match="one kind of answer"):
        Reply(text="a", status=500)
    with pytest.raises(ScriptError, match="needs one of"):
        Reply(usage={"input_tokens": 1})
    with pytest.raises(ScriptError, match="usage keys"):
        Reply(text="a", usage={"prompt_tokens": 1})
    with pytest.raises(ScriptError, match="retry_after must be"):
        Reply(status=429, retry_after=-1)
    with pytest.raises(ValueError, match="unknown fault kind"):
        Reply(fault="teapot")
    with pytest.raises(ScriptError, match="expected Reply"):
        emulator.queue("just text")  # type: ignore[arg-type]


SCENE_ITEM = {
    "type": "object",
    "properties": {
        "start_s": {"type": "number"},
        "end_s": {"type": "number"},
        "description": {"type": "string"},
    },
}


def scene_schema(window: tuple[float, float] | None) -> dict[str, Any]:
    item = json.loads(json.dumps(SCENE_ITEM))
    if window is not None:
        for key in ("start_s", "end_s"):
            item["properties"][key] |= {"minimum": window[0], "maximum": window[1]}
    return {
        "type": "object",
        "properties": {
            "duration_s": {"anyOf": [{"type": "number"}, {"type": "null"}]},
            "summary": {"type": "string"},
            "scenes": {"type": "array", "items": item},
        },
    }


def scene_request(url: str, window: tuple[float, float] | None) -> dict[str, Any]:
    schema = {"name": "scenes", "schema": scene_schema(window)}
    parts = [{"text": "List the scenes."}, {"video": url}]
    return {
        "model": QWEN,
        "messages": [{"role": "user", "content": parts}],
        **metadata(response_format={"type": "json_schema", "json_schema": schema}),
    }


def spans(answer: dict[str, Any]) -> list[tuple[float, float]]:
    return [(s["start_s"], s["end_s"]) for s in answer["scenes"]]


def test_generated_scenes_tile_the_window_asked_for(emulator: Emulator, post: Post) -> None:
    emulator.set_video_duration("https://x.test/talk.mp4", 600)
    answer = json.loads(text_of(post(scene_request("https://x.test/talk.mp4", (120, 240)))))
    assert spans(answer) == [(120, 150), (150, 180), (180, 210), (210, 240)]
    assert answer["duration_s"] == 600
    assert len({s["description"] for s in answer["scenes"]}) == 4  # not all alike


def test_generated_scenes_stay_inside_the_videos_length(emulator: Emulator, post: Post) -> None:
    sintel = "https://storage.googleapis.com/gtv-videos-bucket/sample/Sintel.mp4"
    whole = json.loads(text_of(post(scene_request(sintel, None))))
    assert whole["duration_s"] == 888  # a bundled sample's known length
    assert spans(whole)[0][0] == 0 and spans(whole)[-1][1] == 888
    assert all(a[1] == b[0] for a, b in zip(spans(whole), spans(whole)[1:], strict=False))
    past_the_end = json.loads(text_of(post(scene_request(sintel, (840, 960)))))
    assert spans(past_the_end)[-1][1] == 888
    unknown = json.loads(text_of(post(scene_request("https://x.test/new.mp4", None))))
    assert spans(unknown) == [(0, 30), (30, 60)]  # an unknown length counts as a minute


def test_scripted_scenes_are_cut_to_each_window(emulator: Emulator, post: Post) -> None:
    url = "https://x.test/tears.mp4"
    emulator.when(media_url=url).always(
        Reply(
            scenes=[
                {"start_s": 0, "end_s": 90, "description": "A couple argues on a bridge."},
                {"start_s": 90, "end_s": 150, "description": "Robots attack the square."},
                {"start_s": 720, "end_s": 750, "description": "The last robot falls."},
            ],
            json={"summary": "Soldiers fight robots in Amsterdam."},
        )
    )
    first = json.loads(text_of(post(scene_request(url, (0, 120)))))
    assert spans(first) == [(0, 90), (90, 120)]
    assert first["summary"] == "Soldiers fight robots in Amsterdam."
    assert first["scenes"][1]["description"] == "Robots attack the square."
    late = json.loads(text_of(post(scene_request(url, (700, 734)))))
    assert [s["description"] for s in late["scenes"]] == ["The last robot falls."]
    assert spans(late) == [(720, 734)]


def test_tool_call_strings_come_from_the_prompt_where_it_names_them(post: Post) -> None:
    schema = {
        "type": "object",
        "properties": {"customer_name": {"type": "string"}, "city": {"type": "string"}},
    }
    tool = {"toolSpec": {"name": "add_customer", "inputSchema": {"json": schema}}}
    prompt = "Create a customer named '你好啊集团' (Hello Group)"
    body = nova_body(user(prompt), **metadata(toolConfig={"tools": [tool]}))
    [call] = post(body).json()["choices"][0]["message"]["tool_calls"]
    args = json.loads(call["function"]["arguments"])
    assert args == {"customer_name": "你好啊集团", "city": "example city"}


def test_a_json_script_file_and_the_http_route(tmp_path: Path, emulator: Emulator) -> None:
    path = tmp_path / "script.json"
    path.write_text(
        json.dumps(
            {
                "queue": [{"text": "from the file"}],
                "rules": [{"model": "nova", "replies": [{"status": 503}]}],
                "video_durations": {"https://x.test/a.mp4": 42},
            }
        )
    )
    emulator.load_script(path)
    assert emulator.script.pending == 2
    assert emulator.script.video_duration("https://x.test/a.mp4") == 42
    with httpx.Client(base_url=emulator.base_url) as client:
        added = client.post("/_emulator/script", json={"queue": [{"json": {"a": 1}}]})
        assert added.json() == {"pending": 3}
        refused = client.post("/_emulator/script", json={"queue": [{"txt": "typo"}]})
        assert refused.status_code == 400 and "unknown reply keys" in refused.json()["msg"]
    with pytest.raises(ScriptError, match="cannot read"):
        emulator.load_script(tmp_path / "missing.json")


def test_reset_clears_scripts_uploads_and_settings(post: Post) -> None:
    with Emulator(latency=0.0) as emu:
        emu.queue(Reply(text="x"))
        emu.when(model="nova").always(Reply(text="y"))
        emu.set_video_duration("https://x.test/a.mp4", 5)
        emu.fault = "503"
        asset = emu.app.upload_store.create("clip.mp4")
        emu.app.upload_store.fail_uploads = True
        emu.reset()
        assert emu.script.pending == 0
        assert emu.script.video_duration("https://x.test/a.mp4") is None
        assert emu.fault is None
        assert emu.app.upload_store.assets == []
        assert emu.app.upload_store.fail_uploads is False
        response = httpx.get(
            f"{emu.base_url}/{asset.asset_id}/metadata", headers={"Authorization": "k"}
        )
        assert response.status_code == 404
    with Emulator(fault="429;times=1") as emu:
        emu.fault = None
        emu.reset()
        assert emu.fault == "429;times=1"  # back to what it was made with
        # The HTTP route clears the same things, uploads included.
        emu.app.upload_store.create("clip.mp4")
        emu.queue(Reply(text="x"))
        assert httpx.post(f"{emu.base_url}/_emulator/reset").json() == {"reset": True}
        assert emu.app.upload_store.assets == [] and emu.script.pending == 0


def test_video_urls_image_urls_and_the_question_reach_the_rules(
    emulator: Emulator, post: Post
) -> None:
    emulator.when(media_url="gun5.png", prompt="what").reply(Reply(text="an image rule"))
    body = gemini_body(
        messages=[
            user(
                "What is it?",
                {"type": "input_file", "file_uri": IMAGE_URL, "mime_type": "image/png"},
            )
        ]
    )
    assert text_of(post(body)) == "an image rule"
    assert VIDEO_URL not in IMAGE_URL


def test_the_documented_json_script_loads(emulator: Emulator, post: Post) -> None:
    """The JSON script shown in docs/EMULATOR.md is one the emulator accepts and serves."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "EMULATOR.md").read_text()
    [block] = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", doc, re.S) if '"queue"' in b]
    emulator.load_script(block)
    assert emulator.script.pending == 4  # a queued reply, two for a rule, one always
    answer = post(gemini_body())
    assert text_of(answer) == "A dog runs across a meadow."
    assert answer.json()["usage"]["input_tokens"] == 1290
    assert emulator.script.video_duration("https://example.com/talk.mp4") == 600


def test_a_refused_request_leaves_the_script_alone(emulator: Emulator, post: Post) -> None:
    emulator.queue(Reply(text="for a valid request"))
    assert_error(post(gemini_body(n=0)), 400, "n must be an integer")
    assert emulator.script.pending == 1
    assert text_of(post(gemini_body())) == "for a valid request"
