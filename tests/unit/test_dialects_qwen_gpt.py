"""The Qwen and GPT dialects: wire shapes, routing, and what each refuses before sending.

Each refusal is compared whole: the message is what a user reads to fix the call, so a lost
field name, a wrong hint or a changed rule fails here; the family registry decides which
families a refusal names. Everything goes through the public ``check_options``, ``validate``
and ``build_body``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from memories_client import (
    ChatRequest,
    MemoriesInputError,
    Message,
    ToolCall,
    ToolSpec,
    UnsupportedFeatureError,
    media_from_bytes,
    media_from_url,
)
from memories_client.dialects import (
    GPTDialect,
    NovaDialect,
    QwenDialect,
    base,
    check_media_kind,
    dialect_for,
)
from memories_client.dialects.base import Dialect
from memories_client.integration import ClientOptions

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f1e0b80000000049454e44ae426082"
)
IMAGE = media_from_url("https://x.test/a.png")
VIDEO = media_from_url("https://x.test/a.mp4")
QWEN = "qwen:qwen3-vl-plus"
GPT = "gpt:gpt-4o"


def qwen_request(*parts: Any, **fields: Any) -> ChatRequest:
    return ChatRequest(model=QWEN, messages=[Message.user(*(parts or ("hi",)))], **fields)


def gpt_request(*parts: Any, **fields: Any) -> ChatRequest:
    return ChatRequest(model=GPT, messages=[Message.user(*(parts or ("hi",)))], **fields)


def valid_body(dialect: Any, request: ChatRequest) -> dict[str, Any]:
    dialect.validate(request)
    body: dict[str, Any] = dialect.build_body(request)
    return body


# --------------------------------------------------------------------------- Qwen


@pytest.mark.parametrize(
    ("style", "text", "image", "video"),
    [
        ("dashscope", {"text": "Look"}, {"image": IMAGE.url}, {"video": VIDEO.url}),
        (
            "typed",
            {"type": "text", "text": "Look"},
            {"type": "image", "image": IMAGE.url},
            {"type": "video", "video": VIDEO.url},
        ),
        (
            "openai",
            {"type": "text", "text": "Look"},
            {"type": "image_url", "image_url": {"url": IMAGE.url}},
            {"type": "video_url", "video_url": {"url": VIDEO.url}},
        ),
    ],
)
def test_qwen_part_styles(style: Any, text: Any, image: Any, video: Any) -> None:
    body = valid_body(QwenDialect(part_style=style), qwen_request("Look", IMAGE, VIDEO))
    assert body["messages"] == [{"role": "user", "content": [text, image, video]}]


def test_qwen_text_only_user_content_is_a_string_unless_configured() -> None:
    request = ChatRequest(
        model=QWEN,
        messages=[Message.system("Be brief."), Message.user("a", "b"), Message.assistant("c")],
    )
    assert valid_body(QwenDialect(), request)["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "a\nb"},
        {"role": "assistant", "content": "c"},
    ]
    parts = valid_body(QwenDialect(text_as_string=False), request)["messages"][1]["content"]
    assert parts == [{"text": "a"}, {"text": "b"}]


def test_qwen_inline_media_is_a_data_uri_and_video_bytes_are_allowed() -> None:
    clip = media_from_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32, "video/mp4")
    content = valid_body(QwenDialect(), qwen_request(media_from_bytes(PNG), clip))["messages"][0][
        "content"
    ]
    assert content[0]["image"].startswith("data:image/png;base64,iVBOR")
    assert content[1]["video"].startswith("data:video/mp4;base64,")
    raw = valid_body(QwenDialect(inline_format="raw"), qwen_request(media_from_bytes(PNG)))
    assert raw["messages"][0]["content"][0]["image"].startswith("iVBOR")


def test_qwen_goes_to_vu_and_its_image_endpoint_takes_no_assistant_turns() -> None:
    dialect = QwenDialect()
    assert dialect.endpoint(qwen_request(IMAGE)) == "vu"
    history = [Message.user("hi"), Message.assistant("hello"), Message.user("and?", IMAGE)]
    with pytest.raises(MemoriesInputError, match=r"messages\[1\]: Qwen's image endpoint"):
        dialect.validate(ChatRequest(model=QWEN, messages=history, endpoint="iu"))
    dialect.validate(ChatRequest(model=QWEN, messages=history))


def test_qwen_metadata_follows_the_documented_keys_and_order() -> None:
    class Scene(BaseModel):
        summary: str

    request = qwen_request(enable_thinking=True, thinking_budget=123, response_schema=Scene)
    metadata = valid_body(QwenDialect(), request)["extra_body"]["metadata"]
    assert list(metadata) == ["enable_thinking", "thinking_budget", "response_format"]
    assert metadata["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "Scene",
            "schema": {
                "title": "Scene",
                "type": "object",
                "properties": {"summary": {"title": "Summary", "type": "string"}},
                "required": ["summary"],
            },
        },
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"thinking_budget": 64}, {"enable_thinking": True, "thinking_budget": 64}),
        ({"enable_thinking": False}, {"enable_thinking": False}),
        ({"enable_thinking": True}, {"enable_thinking": True}),
        ({}, None),
    ],
)
def test_qwen_thinking_switch(fields: dict[str, Any], expected: Any) -> None:
    body = valid_body(QwenDialect(), qwen_request(**fields))
    assert body.get("extra_body", {}).get("metadata") == expected


def test_qwen_schema_name_falls_back_when_the_title_is_not_a_valid_name() -> None:
    schema = {"title": "A scene!", "type": "object", "properties": {}}
    assert QwenDialect.response_format(schema)["json_schema"]["name"] == "response"


@pytest.mark.parametrize(
    ("fields", "error", "fragment"),
    [
        ({"thinking_budget": 0}, MemoriesInputError, "at least 1"),
        ({"thinking_budget": -1}, MemoriesInputError, "at least 1"),
        (
            {"thinking_budget": 10, "enable_thinking": False},
            MemoriesInputError,
            "drop one of them",
        ),
        ({"enable_thinking": "yes"}, MemoriesInputError, "enable_thinking must be True or False"),
        (
            {"response_mime_type": "application/json"},
            UnsupportedFeatureError,
            "response_mime_type is a Gemini and GPT option; .* for Qwen models .*response_schema=",
        ),
        (
            {"response_schema": {"type": "OBJECT", "properties": {}}},
            MemoriesInputError,
            "lowercase types",
        ),
        ({"response_schema": {"type": "array"}}, MemoriesInputError, "must describe an object"),
        (
            {"tools": [ToolSpec("f", "f", {"type": "object"})]},
            UnsupportedFeatureError,
            "tool calling is not supported for Qwen models .* use a Nova model",
        ),
    ],
)
def test_qwen_refusals(fields: dict[str, Any], error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        QwenDialect().validate(qwen_request(**fields))


def test_qwen_dialect_settings_are_checked() -> None:
    with pytest.raises(MemoriesInputError, match="part_style must be one of"):
        QwenDialect(part_style="native")  # type: ignore[arg-type]
    with pytest.raises(MemoriesInputError, match="text_as_string"):
        QwenDialect(text_as_string="no")  # type: ignore[arg-type]
    custom = QwenDialect(part_style="openai")
    assert ClientOptions(dialects={"qwen": custom}).dialects["qwen"] is custom


# --------------------------------------------------------------------------- GPT


def test_gpt_parts_are_openai_objects_and_inline_images_data_uris() -> None:
    body = valid_body(GPTDialect(), gpt_request("What is it?", IMAGE, media_from_bytes(PNG)))
    assert body["model"] == GPT
    text, by_url, inline = body["messages"][0]["content"]
    assert text == {"type": "text", "text": "What is it?"}
    assert by_url == {"type": "image_url", "image_url": {"url": IMAGE.url}}
    assert inline["image_url"]["url"].startswith("data:image/png;base64,iVBOR")
    assert "extra_body" not in body and "response_format" not in body


def test_gpt_json_mode_is_a_top_level_response_format() -> None:
    request = ChatRequest(
        model=GPT,
        messages=[Message.system("Answer in JSON."), Message.user("hi")],
        response_mime_type="application/json",
        max_tokens=10,
    )
    body = valid_body(GPTDialect(), request)
    assert body["response_format"] == {"type": "json_object"}
    assert list(body) == ["model", "messages", "max_tokens", "response_format"]
    assert "response_format" not in valid_body(
        GPTDialect(), gpt_request(response_mime_type="text/plain")
    )


def test_gpt_response_schema_is_json_mode_with_the_schema_in_the_system_message() -> None:
    class Count(BaseModel):
        people: int

    request = ChatRequest(
        model=GPT,
        messages=[Message.system("Be brief."), Message.user("How many?", IMAGE)],
        response_schema=Count,
    )
    body = valid_body(GPTDialect(), request)  # no "JSON" in the messages: the dialect adds it
    assert body["response_format"] == {"type": "json_object"}
    system = body["messages"][0]
    assert system["role"] == "system" and system["content"].startswith("Be brief.\n\nAnswer ")
    assert '"people"' in system["content"] and "JSON Schema" in system["content"]
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    bare = valid_body(GPTDialect(), gpt_request(response_schema=Count))
    assert [m["role"] for m in bare["messages"]] == ["system", "user"]


def test_gpt_always_goes_to_iu() -> None:
    assert GPTDialect().endpoint(gpt_request(IMAGE)) == "iu"
    with pytest.raises(MemoriesInputError, match="not served on the /vu endpoint"):
        GPTDialect().validate(gpt_request(endpoint="vu"))


@pytest.mark.parametrize(
    ("request_", "error", "fragment"),
    [
        (
            gpt_request("Describe", VIDEO),
            UnsupportedFeatureError,
            r"gpt models do not accept video input; they take image, text\. "
            "Gemini, Nova and Qwen models take video",
        ),
        (
            gpt_request(media_from_url("https://x.test/report.pdf")),
            UnsupportedFeatureError,
            "Gemini models take document",
        ),
        (
            gpt_request(tools=[ToolSpec("f", "f", {"type": "object"})]),
            UnsupportedFeatureError,
            "tool calling is not supported for GPT models .* use a Nova model",
        ),
        (
            ChatRequest(
                model=GPT,
                messages=[
                    Message.user("hi"),
                    Message.assistant("", [ToolCall("c1", "f", {})]),
                    Message.tool("c1", "x"),
                ],
            ),
            MemoriesInputError,
            "tool calls and tool results cannot be sent to GPT models",
        ),
        (
            gpt_request(response_mime_type="application/json"),
            MemoriesInputError,
            "needs the word 'JSON'",
        ),
        (gpt_request(thinking_budget=10), UnsupportedFeatureError, "Gemini and Qwen option"),
        (gpt_request(enable_thinking=True), UnsupportedFeatureError, "is a Qwen option"),
        (
            gpt_request(response_schema={"type": "object"}, response_mime_type="text/plain"),
            MemoriesInputError,
            "response_mime_type is 'text/plain'",
        ),
        (
            gpt_request(response_mime_type="text/x.enum"),
            MemoriesInputError,
            "'application/json' .* or 'text/plain'",
        ),
        (gpt_request(media_from_url("gs://bucket/a.png")), MemoriesInputError, "not gs://"),
        (
            gpt_request(media_from_url("https://x.test/a.bmp")),
            MemoriesInputError,
            "not image/bmp",
        ),
    ],
)
def test_gpt_refusals(request_: ChatRequest, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        GPTDialect().validate(request_)


# --------------------------------------------------------------------------- shared


def test_every_family_has_a_dialect_and_refuses_the_others_options() -> None:
    assert type(dialect_for("qwen3-vl-plus")) is QwenDialect
    assert type(dialect_for("gpt:gpt-5-mini")) is GPTDialect
    with pytest.raises(UnsupportedFeatureError, match=r"enable_thinking is a Qwen option.*Gemini"):
        dialect_for("gemini-2.5-flash").check_options(enable_thinking=False)
    with pytest.raises(UnsupportedFeatureError, match="thinking_budget=0 turns Gemini"):
        dialect_for("gemini-2.5-flash").check_options(enable_thinking=False)
    with pytest.raises(UnsupportedFeatureError, match=r"for Nova models .*tools or prompted JSON"):
        dialect_for("nova:us.amazon.nova-lite-v1:0").check_options(response_schema={})


def test_check_media_kind_names_the_families_that_take_a_kind() -> None:
    check_media_kind("qwen", "video", "x")
    with pytest.raises(UnsupportedFeatureError, match="x: nova models do not accept document"):
        check_media_kind("nova", "document", "x")
    with pytest.raises(MemoriesInputError, match=r"they take image, text\. Gemini, Nova and Qwen"):
        check_media_kind("gpt", "video", "x")


def test_gpt_asks_for_stream_usage_only_when_configured() -> None:
    request = gpt_request()
    assert "stream_options" not in GPTDialect().build_body(request, stream=True)
    asked = GPTDialect(stream_usage=True)
    assert asked.build_body(request, stream=True)["stream_options"] == {"include_usage": True}
    assert "stream_options" not in asked.build_body(request)
    with pytest.raises(MemoriesInputError, match="stream_usage must be True or False"):
        GPTDialect(stream_usage="yes")  # type: ignore[arg-type]


PNG_PART = media_from_bytes(bytes.fromhex("89504e470d0a1a0a") + bytes(8))


def message_of(call: Any, error: type[Exception] = MemoriesInputError) -> str:
    with pytest.raises(error) as info:
        call()
    return str(info.value)


# -- the family registry: the families named in refusals ----------------------------------------


def test_a_refused_option_names_every_family_that_has_it() -> None:
    assert message_of(lambda: NovaDialect().check_options(thinking_budget=5)) == (
        "thinking_budget is a Gemini and Qwen option; the memories.ai docs document no such "
        "option for Nova models"
    )


def test_a_new_family_joins_the_refusals_and_a_customised_dialect_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(base, "_BY_FAMILY", dict(base._BY_FAMILY))

    class Thinker(Dialect):  # a family of its own
        family: ClassVar[str] = "thinker"
        label: ClassVar[str] = "Thinker"
        options: ClassVar[frozenset[str]] = frozenset({"thinking_budget"})

    class LoudQwen(QwenDialect):  # the same family, customised: not a second owner
        label: ClassVar[str] = "Loud Qwen"

    assert base._BY_FAMILY["thinker"] is Thinker
    assert base._BY_FAMILY["qwen"] is QwenDialect
    assert message_of(lambda: NovaDialect().check_options(thinking_budget=5)) == (
        "thinking_budget is a Gemini, Qwen and Thinker option; the memories.ai docs document no "
        "such option for Nova models"
    )
    assert LoudQwen.family == "qwen"


def test_a_refused_option_without_a_hint_ends_with_the_family() -> None:
    assert message_of(lambda: GPTDialect().check_options(enable_thinking=True)) == (
        "enable_thinking is a Qwen option; the memories.ai docs document no such option for "
        "GPT models"
    )


def test_a_kind_no_family_takes_is_refused_without_a_list_of_takers() -> None:
    message = message_of(lambda: check_media_kind("gemini", "audio", "messages[0].parts[1]"))
    assert message == (
        "messages[0].parts[1]: gemini models do not accept audio input; they take document, "
        "image, text, video"
    )


# -- Qwen -----------------------------------------------------------------------------------------


def test_qwen_settings_are_checked_when_the_dialect_is_made() -> None:
    assert message_of(lambda: QwenDialect(part_style="xml")) == (  # type: ignore[arg-type]
        "part_style must be one of dashscope, typed, openai, got 'xml'"
    )
    assert message_of(lambda: QwenDialect(text_as_string=1)) == (  # type: ignore[arg-type]
        "text_as_string must be True or False"
    )


def test_qwen_thinking_budget_of_one_token_is_accepted_and_zero_is_not() -> None:
    QwenDialect().check_options(thinking_budget=1)
    assert message_of(lambda: QwenDialect().check_options(thinking_budget=0)) == (
        "Qwen's thinking_budget is a number of tokens, at least 1 (got 0); "
        "enable_thinking=False turns thinking off"
    )


def test_qwen_budget_with_thinking_off() -> None:
    check = lambda: QwenDialect().check_options(thinking_budget=64, enable_thinking=False)  # noqa: E731
    assert message_of(check) == (
        "thinking_budget was given with enable_thinking=False; Qwen uses a budget only while "
        "thinking, so drop one of them"
    )


def test_qwen_schema_must_describe_an_object() -> None:
    assert message_of(lambda: QwenDialect.response_format({"type": "array"})) == (
        "response_schema for Qwen must describe an object (type 'object' at the root); "
        "wrap a list or a single value in an object"
    )


def test_qwen_image_endpoint_takes_system_and_user_only() -> None:
    def on_iu(*messages: Message) -> ChatRequest:
        return ChatRequest(model=QWEN, endpoint="iu", messages=list(messages))

    QwenDialect().validate(on_iu(Message.system("Be brief"), Message.user("hi")))
    turn = on_iu(Message.user("hi"), Message.assistant("hello"), Message.user("and?"))
    assert message_of(lambda: QwenDialect().validate(turn)) == (
        "messages[1]: Qwen's image endpoint (/iu) takes system and user messages only (the "
        "docs), not assistant; leave endpoint unset to send the conversation to /vu"
    )


# -- GPT ------------------------------------------------------------------------------------------


def test_gpt_settings_are_checked_when_the_dialect_is_made() -> None:
    assert message_of(lambda: GPTDialect(stream_usage=1)) == (  # type: ignore[arg-type]
        "stream_usage must be True or False"
    )


def test_gpt_inline_format_is_honoured() -> None:
    request = ChatRequest(model=GPT, messages=[Message.user("What is this?", PNG_PART)])
    part = GPTDialect(inline_format="raw").build_body(request)["messages"][0]["content"][1]
    assert part == {"type": "image_url", "image_url": {"url": PNG_PART.b64_text()}}


def test_gpt_schema_with_plain_text_is_refused() -> None:
    check = lambda: GPTDialect().check_options(  # noqa: E731
        response_schema={"type": "object"}, response_mime_type="text/plain"
    )
    assert message_of(check) == (
        "response_schema asks GPT for JSON, but response_mime_type is 'text/plain'"
    )


def test_gpt_json_mode_needs_the_word_json() -> None:
    request = ChatRequest(
        model=GPT,
        messages=[Message.user("Count the people")],
        response_mime_type="application/json",
    )
    assert message_of(lambda: GPTDialect().validate(request)) == (
        "GPT's JSON mode needs the word 'JSON' in the messages (OpenAI refuses the request "
        "otherwise); say in a system or user message that the answer is JSON"
    )


def test_gpt_refusals_name_the_message_and_the_part() -> None:
    gs = ChatRequest(
        model=GPT,
        messages=[
            Message.user("hi"),
            Message.user("What is this?", media_from_url("gs://bucket/a.png")),
        ],
    )
    assert message_of(lambda: GPTDialect().validate(gs)) == (
        "messages[1] media[0]: GPT (OpenAI) fetches images over http(s) only, not gs://; pass a "
        "signed https URL or the bytes"
    )
    replay = ChatRequest(
        model=GPT,
        messages=[
            Message.user("hi"),
            Message.assistant("", tool_calls=[ToolCall(id="c1", name="add", arguments={})]),
        ],
    )
    assert message_of(lambda: GPTDialect().validate(replay)) == (
        "messages[1]: tool calls and tool results cannot be sent to GPT models"
    )


def test_gpt_stream_body_asks_to_stream() -> None:
    request = ChatRequest(model=GPT, messages=[Message.user("hi")])
    assert GPTDialect().build_body(request, stream=True)["stream"] is True
    assert "stream" not in GPTDialect().build_body(request)


def test_the_unsupported_refusals_are_unsupported_feature_errors() -> None:
    message_of(lambda: GPTDialect().check_options(thinking_budget=5), UnsupportedFeatureError)
