"""The Gemini and Nova dialects: their wire bodies, endpoints and refusals, and ``dialect_for``.

Whole bodies are compared, so a dropped option, a renamed key or a part sent in the wrong form
fails here; each refusal is checked for the field it names and what it tells the user to do.
Everything goes through the public ``build_body``, ``validate``, ``endpoint`` and
``check_options`` of :class:`GeminiDialect` and :class:`NovaDialect`.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from memories_client import (
    ChatRequest,
    ExtraBodyWarning,
    MemoriesInputError,
    Message,
    TextPart,
    ToolCall,
    ToolSpec,
    media_from_bytes,
    media_from_url,
)
from memories_client.dialects import DIALECTS, GeminiDialect, NovaDialect, dialect_for
from memories_client.types import MediaPart

GEMINI = "gemini-2.5-flash"
NOVA = "nova:us.amazon.nova-lite-v1:0"
PNG = bytes.fromhex("89504e470d0a1a0a") + bytes(8)
PNG_PART = media_from_bytes(PNG)
PNG_B64 = PNG_PART.b64_text()
IMAGE = media_from_url("https://x.test/a.png")
VIDEO = media_from_url("https://x.test/v.mp4")
SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
TOOL = ToolSpec(
    "add", "Add two numbers", {"type": "object", "properties": {"a": {"type": "number"}}}
)


def request(model: str, *messages: Message, **fields: Any) -> ChatRequest:
    return ChatRequest(model=model, messages=list(messages) or [Message.user("hi")], **fields)


def refusal(dialect: GeminiDialect | NovaDialect, req: ChatRequest) -> str:
    with pytest.raises(MemoriesInputError) as info:
        dialect.validate(req)
    return str(info.value)


# -- bodies -----------------------------------------------------------------------------------


def test_a_gemini_body_with_every_option() -> None:
    req = request(
        GEMINI,
        Message.system("Be brief"),
        Message.user("Look", IMAGE, PNG_PART),
        Message.assistant("Earlier"),
        Message.user("again"),
        temperature=0.2,
        max_tokens=10,
        top_p=0.9,
        frequency_penalty=0.1,
        presence_penalty=0.3,
        n=2,
        stop="END",
        thinking_budget=0,
        response_schema=SCHEMA,
        metadata={"custom": 1},
        extra_body={"seed": 3},
    )
    GeminiDialect().validate(req)
    body = GeminiDialect().build_body(req, stream=True)
    assert body == {
        "model": "gemini:gemini-2.5-flash",
        "messages": [
            {"role": "system", "content": "Be brief"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Look"},
                    {
                        "type": "input_file",
                        "file_uri": "https://x.test/a.png",
                        "mime_type": "image/png",
                    },
                    {"type": "input_file", "file_uri": PNG_B64, "mime_type": "image/png"},
                ],
            },
            {"role": "assistant", "content": "Earlier"},
            {"role": "user", "content": [{"type": "text", "text": "again"}]},
        ],
        "temperature": 0.2,
        "max_tokens": 10,
        "top_p": 0.9,
        "frequency_penalty": 0.1,
        "presence_penalty": 0.3,
        "n": 2,
        "stop": ["END"],
        "stream": True,
        "extra_body": {
            "metadata": {
                "thinking_config": {"thinking_budget": 0},
                "response_mime_type": "application/json",
                "responseSchema": {
                    "type": "OBJECT",
                    "properties": {"n": {"type": "INTEGER"}},
                    "required": ["n"],
                },
                "custom": 1,
            }
        },
        "seed": 3,
    }
    # the docs' key order
    assert list(body["extra_body"]["metadata"]) == [
        "thinking_config",
        "response_mime_type",
        "responseSchema",
        "custom",
    ]


def test_a_plain_gemini_body_has_no_optional_keys() -> None:
    assert GeminiDialect().build_body(request(GEMINI)) == {
        "model": "gemini:gemini-2.5-flash",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
    }


@pytest.mark.parametrize(
    ("fields", "metadata"),
    [
        ({"response_mime_type": "text/x.enum"}, {"response_mime_type": "text/x.enum"}),
        (
            {"response_mime_type": "text/x.enum", "response_schema": {"enum": ["a"]}},
            {
                "response_mime_type": "text/x.enum",
                "responseSchema": {"type": "STRING", "format": "enum", "enum": ["a"]},
            },
        ),
        ({"thinking_budget": 512}, {"thinking_config": {"thinking_budget": 512}}),
    ],
)
def test_gemini_metadata(fields: dict[str, Any], metadata: dict[str, Any]) -> None:
    body = GeminiDialect().build_body(request(GEMINI, **fields))
    assert body["extra_body"] == {"metadata": metadata}


def test_inline_media_formats() -> None:
    req = request(GEMINI, Message.user("x", PNG_PART))
    part = GeminiDialect(inline_format="data_uri").build_body(req)["messages"][0]["content"][1]
    assert part["file_uri"] == f"data:image/png;base64,{PNG_B64}"
    assert GeminiDialect().inline_format == "raw"
    req = request(NOVA, Message.user("x", PNG_PART))
    assert NovaDialect().build_body(req)["messages"][0]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": f"data:image/png;base64,{PNG_B64}"},
    }
    raw = NovaDialect(inline_format="raw").build_body(req)["messages"][0]["content"][1]
    assert raw == {"type": "image_url", "image_url": {"url": PNG_B64}}


def test_a_nova_body_with_tools_and_their_history() -> None:
    call = ToolCall("c1", "add", {"a": 1})
    req = request(
        NOVA,
        Message.system("sys"),
        Message.user("Add", IMAGE, VIDEO),
        Message.assistant("Calling", [call]),
        Message.tool("c1", "2", name="add"),
        tools=[TOOL, ToolSpec("sub", "", {"type": "object", "properties": {}})],
        tool_choice="auto",
        temperature=0.5,
    )
    NovaDialect().validate(req)
    assert NovaDialect().build_body(req) == {
        "model": NOVA,
        "messages": [
            {"role": "system", "content": "sys"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Add"},
                    {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
                    {"type": "video_url", "video_url": {"url": "https://x.test/v.mp4"}},
                ],
            },
            {
                "role": "assistant",
                "content": "Calling",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "add", "arguments": '{"a": 1}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "2"},
        ],
        "temperature": 0.5,
        "extra_body": {
            "metadata": {
                "toolConfig": {
                    "tools": [
                        {
                            "toolSpec": {
                                "name": "add",
                                "description": "Add two numbers",
                                "inputSchema": {"json": TOOL.parameters},
                            }
                        },
                        {
                            "toolSpec": {
                                "name": "sub",
                                "description": "sub",
                                "inputSchema": {"json": {"type": "object", "properties": {}}},
                            }
                        },
                    ],
                    "toolChoice": {"auto": {}},
                }
            }
        },
    }


@pytest.mark.parametrize(
    ("choice", "wire"),
    [("any", {"any": {}}), ("add", {"tool": {"name": "add"}}), (None, None)],
)
def test_nova_tool_choice(choice: str | None, wire: dict[str, Any] | None) -> None:
    req = request(NOVA, tools=[TOOL], tool_choice=choice)
    NovaDialect().validate(req)
    config = NovaDialect().build_body(req)["extra_body"]["metadata"]["toolConfig"]
    assert config.get("toolChoice") == wire


def test_nova_history_as_text() -> None:
    req = request(
        NOVA,
        Message.user("Weather?", IMAGE),
        Message.assistant("Let me look.", [ToolCall("c1", "weather", {"city": "Oslo"})]),
        Message.tool("c1", "sunny", name="weather"),
        Message.tool("c2", "rain"),
        Message.assistant("", [ToolCall("c3", "f", {})]),
        Message.system("  keep  "),
    )
    body = NovaDialect(tool_message_style="text").build_body(req)
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Weather?"},
                {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
            ],
        },
        {
            "role": "assistant",
            "content": 'Let me look.\nCalled tool weather (c1) with {"city": "Oslo"}',
        },
        {
            "role": "user",
            "content": [{"type": "text", "text": "Result of tool call weather (c1): sunny"}],
        },
        {"role": "user", "content": [{"type": "text", "text": "Result of tool call (c2): rain"}]},
        {"role": "assistant", "content": "Called tool f (c3) with {}"},
        {"role": "system", "content": "keep"},
    ]
    # The same request with tools bound keeps the text style the dialect was built with.
    bound = NovaDialect(tool_message_style="text").build_body(req.replace(tools=[TOOL]))
    assert bound["messages"] == body["messages"]
    assert "toolConfig" in bound["extra_body"]["metadata"]


def test_a_nova_text_twin_keeps_the_inline_format() -> None:
    req = request(
        NOVA,
        Message.user("x", PNG_PART),
        Message.assistant("", [ToolCall("c1", "f", {})]),
        Message.tool("c1", "done"),
    )
    body = NovaDialect(inline_format="raw").build_body(req, stream=True)
    assert body["messages"][0]["content"][1] == {"type": "image_url", "image_url": {"url": PNG_B64}}
    assert body["stream"] is True


def test_nova_tool_results_without_an_id() -> None:
    req = request(
        NOVA,
        Message.user("q"),
        Message("tool", (TextPart("r"),)),
        tools=[TOOL],
    )
    body = NovaDialect().build_body(req)
    assert body["messages"][1] == {"role": "tool", "tool_call_id": "", "content": "r"}


# -- routing ----------------------------------------------------------------------------------


def test_endpoints() -> None:
    gemini, nova = GeminiDialect(), NovaDialect()
    assert gemini.endpoint(request(GEMINI)) == "vu"
    assert gemini.endpoint(request(GEMINI, endpoint="iu")) == "iu"
    assert nova.endpoint(request(NOVA)) == "iu"
    assert nova.endpoint(request(NOVA, Message.user("a", IMAGE))) == "iu"
    assert (
        nova.endpoint(request(NOVA, Message.system("s"), Message.user("a", IMAGE, VIDEO))) == "vu"
    )
    assert nova.endpoint(request(NOVA, Message.user("a", VIDEO), endpoint="iu")) == "iu"
    assert nova.endpoint(request(NOVA, Message.user("a"), endpoint="vu")) == "vu"


def test_an_unknown_model_without_a_prefix_is_the_dialects_family() -> None:
    # The catalog is not a whitelist: a new model id is sent with the dialect's own prefix.
    req = request("gemini-9-ultra", thinking_budget=5)
    GeminiDialect().validate(req)
    GeminiDialect().check_options(model="gemini-9-ultra", thinking_budget=5)
    assert GeminiDialect().build_body(req)["model"] == "gemini:gemini-9-ultra"
    assert NovaDialect().build_body(request("amazon.nova-9"))["model"] == "nova:amazon.nova-9"


def test_dialect_for_shares_one_dialect_per_family() -> None:
    assert dialect_for("gemini-2.5-flash") is dialect_for("gemini:gemini-2.5-pro")
    assert isinstance(dialect_for("gemini-2.5-flash"), GeminiDialect)
    assert isinstance(dialect_for(NOVA), NovaDialect)


def test_dialect_for_a_family_without_a_dialect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(DIALECTS, "nova")
    monkeypatch.setitem(DIALECTS, "other", GeminiDialect)  # so that the list has a separator
    with pytest.raises(MemoriesInputError) as info:
        dialect_for(NOVA)
    assert str(info.value) == (
        f"model {NOVA!r} belongs to the 'nova' family, which has no wire format; "
        f"supported families: {', '.join(DIALECTS)}"
    )


def test_dialect_for_an_unknown_model_says_how_to_prefix_it() -> None:
    with pytest.raises(MemoriesInputError):
        dialect_for("not-a-model")


# -- refusals ---------------------------------------------------------------------------------


def test_requests_without_messages_or_a_user_message() -> None:
    assert refusal(GeminiDialect(), ChatRequest(model=GEMINI, messages=[])) == (
        "messages must contain at least one message"
    )
    assert refusal(GeminiDialect(), request(GEMINI, Message.system("s"))) == (
        "messages must contain at least one user message"
    )


def test_a_model_of_another_family_is_refused() -> None:
    with pytest.raises(MemoriesInputError):
        GeminiDialect().validate(request(NOVA))
    with pytest.raises(MemoriesInputError):
        NovaDialect().validate(request(GEMINI))


def test_messages_that_are_not_messages() -> None:
    req = ChatRequest(model=GEMINI, messages=[Message.user("a"), {"role": "user"}])  # type: ignore[list-item]
    assert refusal(GeminiDialect(), req) == (
        "messages[1] must be a memories_client Message, got dict"
    )


def test_parts_that_are_not_parts() -> None:
    bad_text = Message("user", (TextPart(5),))  # type: ignore[arg-type]
    assert refusal(GeminiDialect(), request(GEMINI, bad_text)) == (
        "messages[0].parts[0]: text must be a str"
    )
    odd = Message("user", (TextPart("a"), "b"))  # type: ignore[arg-type]
    assert refusal(GeminiDialect(), request(GEMINI, odd)) == (
        "messages[0].parts[1]: expected TextPart or MediaPart, got str"
    )


def test_media_outside_user_messages() -> None:
    msg = Message("assistant", (TextPart("see"), IMAGE))
    assert refusal(NovaDialect(), request(NOVA, Message.user("q"), msg)) == (
        "messages[1].parts[1]: media can only be sent in user messages (this is a assistant "
        "message)"
    )


def test_documents_for_nova() -> None:
    pdf = media_from_url("https://x.test/a.pdf")
    assert refusal(NovaDialect(), request(NOVA, Message.user("q", pdf))).startswith(
        "messages[0].parts[1]: nova models do not accept document input; they take image, text, "
        "video"
    )
    GeminiDialect().validate(request(GEMINI, Message.user("q", pdf)))


def test_inline_video() -> None:
    video = MediaPart("video", "video/mp4", data="AAAA")
    assert refusal(GeminiDialect(), request(GEMINI, Message.user("q", video))) == (
        "messages[0].parts[1]: gemini does not accept video as base64 or bytes (the API docs: "
        "'video does not support base64'); upload the video somewhere the service can fetch it "
        "and pass its public https:// or gs:// URL"
    )
    NovaDialect().validate(request(NOVA, Message.user("q", video)))


def test_video_on_the_image_endpoint() -> None:
    assert refusal(GeminiDialect(), request(GEMINI, Message.user("q", VIDEO), endpoint="iu")) == (
        "messages[0].parts[1]: video cannot be sent to the image-understanding endpoint (/iu); "
        "leave endpoint unset so the request goes to /vu"
    )
    NovaDialect().validate(request(NOVA, Message.user("q", VIDEO)))


def test_blank_user_messages() -> None:
    assert refusal(GeminiDialect(), request(GEMINI, Message.user("a"), Message.user("  "))) == (
        "messages[1]: a user message needs non-blank text or media; this one is empty"
    )
    # blank system and assistant messages are not the service's concern
    GeminiDialect().validate(request(GEMINI, Message.system(""), Message.user("a")))


def test_text_that_is_not_valid_unicode() -> None:
    assert refusal(GeminiDialect(), request(GEMINI, Message.user("ok \ud800 x"))) == (
        "messages[0].parts[0]: the text holds a character that is not valid Unicode ('\\ud800' "
        "at position 3); clean the text first"
    )
    GeminiDialect().validate(request(GEMINI, Message.user("ünïcode ✓")))
    assert refusal(GeminiDialect(), request(GEMINI, stop=["ok", "\udc80"])).startswith("stop[1]: ")


def test_values_that_cannot_be_sent_as_json() -> None:
    tool = ToolSpec("f", "", {"type": "object", "default": {1, 2}})
    message = refusal(NovaDialect(), request(NOVA, tools=[tool]))
    assert message.startswith("tool 'f' parameters cannot be sent as JSON: ")
    call = ToolCall("c1", "f", {"x": "\ud800"})
    history = request(
        NOVA, Message.user("q"), Message.assistant("", [call]), Message.tool("c1", "r")
    )
    assert refusal(NovaDialect(), history.replace(tools=[TOOL])).startswith(
        "messages[1].tool_calls[0] arguments cannot be sent as JSON: "
    )


def test_gemini_refuses_tools_and_tool_history() -> None:
    assert refusal(GeminiDialect(), request(GEMINI, tools=[TOOL])) == (
        "tool calling is not supported for Gemini models on memories.ai (the API documents "
        "tools for Nova only); use a Nova model for tools"
    )
    history = [Message.user("q"), Message.assistant("", [ToolCall("c1", "f", {})])]
    assert refusal(GeminiDialect(), request(GEMINI, *history)) == (
        "messages[1]: tool calls and tool results cannot be sent to Gemini models"
    )
    assert refusal(
        GeminiDialect(), request(GEMINI, Message.user("q"), Message.tool("c1", "r"))
    ) == ("messages[1]: tool calls and tool results cannot be sent to Gemini models")


def test_gemini_refuses_a_schema_it_cannot_express_before_sending() -> None:
    with pytest.raises(MemoriesInputError, match="free-form dict"):
        GeminiDialect().validate(request(GEMINI, response_schema={"type": "object"}))


@pytest.mark.parametrize("name", ["thinking_budget", "response_schema", "response_mime_type"])
def test_nova_refuses_gemini_options(name: str) -> None:
    value: Any = {"thinking_budget": 0, "response_schema": SCHEMA}.get(name, "application/json")
    with pytest.raises(MemoriesInputError) as info:
        NovaDialect().check_options(**{name: value})
    expected = str(info.value)
    # The families that have the option are named, and Nova is said not to.
    assert expected.startswith(f"{name} is a Gemini")
    assert "the memories.ai docs document no such option for Nova models" in expected
    assert refusal(NovaDialect(), request(NOVA, **{name: value})) == expected


def test_check_options_uses_the_models_own_thinking_range() -> None:
    GeminiDialect().check_options(model="gemini-2.5-flash", thinking_budget=0)
    with pytest.raises(MemoriesInputError, match=r"not accepted by gemini-2\.5-pro"):
        GeminiDialect().check_options(model="gemini-2.5-pro", thinking_budget=0)
    with pytest.raises(MemoriesInputError, match=r"not accepted by gemini-2\.5-pro"):
        GeminiDialect().validate(request("gemini-2.5-pro", thinking_budget=0))
    # without a model only the general range is checked
    GeminiDialect().check_options(thinking_budget=0)
    with pytest.raises(MemoriesInputError, match="temperature"):
        GeminiDialect().check_options(temperature=9)
    with pytest.raises(MemoriesInputError, match="max_tokens"):
        GeminiDialect().validate(request(GEMINI, max_tokens=0))
    with pytest.raises(MemoriesInputError, match="top_p"):
        NovaDialect().validate(request(NOVA, top_p=2))
    with pytest.raises(MemoriesInputError, match="frequency_penalty"):
        NovaDialect().validate(request(NOVA, frequency_penalty=-9))
    with pytest.raises(MemoriesInputError, match="presence_penalty"):
        NovaDialect().validate(request(NOVA, presence_penalty=-9))


def test_nova_tool_refusals() -> None:
    twice = [TOOL, ToolSpec("add", "again", TOOL.parameters)]
    assert refusal(NovaDialect(), request(NOVA, tools=twice)) == (
        "tool names must be unique, got ['add', 'add']"
    )
    for tool in (ToolSpec("", "", TOOL.parameters), ToolSpec("f", "", [1])):  # type: ignore[arg-type]
        assert refusal(NovaDialect(), request(NOVA, tools=[tool])) == (
            "each tool needs a non-empty name and a JSON Schema dict of parameters"
        )
    assert refusal(NovaDialect(), request(NOVA, tool_choice="auto")) == (
        "tool_choice was given but no tools were bound"
    )
    sub = ToolSpec("sub", "", TOOL.parameters)
    assert refusal(NovaDialect(), request(NOVA, tools=[TOOL, sub], tool_choice="mul")) == (
        "tool_choice 'mul' is neither 'auto', 'any' nor a bound tool's name (add, sub)"
    )
    for choice in ("auto", "any", "add"):
        NovaDialect().validate(request(NOVA, tools=[TOOL], tool_choice=choice))


def test_nova_tool_result_answering_no_call() -> None:
    req = request(
        NOVA,
        Message.user("q"),
        Message.tool("c9", "r"),
        tools=[TOOL],
    )
    assert refusal(NovaDialect(), req) == (
        "messages[1]: this tool result answers tool call 'c9', which no earlier assistant "
        "message made (a trimmed history often does this); trim the history so it starts on a "
        "user message and keeps each tool call with its result, or use "
        "NovaDialect(tool_message_style='text')"
    )
    # answered calls pass, and so do orphans in the text style
    ok = req.replace(
        messages=[
            Message.user("q"),
            Message.assistant("", [ToolCall("c9", "add", {})]),
            Message.tool("c9", "r"),
        ]
    )
    NovaDialect().validate(ok)
    NovaDialect(tool_message_style="text").validate(req)


def test_nova_tool_history_without_bound_tools_is_validated_as_text() -> None:
    # Without tools the history is replayed as text, so an orphan result is no error.
    NovaDialect().validate(request(NOVA, Message.user("q"), Message.tool("c9", "r")))


def test_unknown_tool_message_styles_are_refused() -> None:
    with pytest.raises(MemoriesInputError) as info:
        NovaDialect(tool_message_style="xml")  # type: ignore[arg-type]
    assert str(info.value) == "tool_message_style must be 'openai' or 'text'"


# -- extra_body ---------------------------------------------------------------------------------


def test_metadata_that_replaces_a_named_option_warns() -> None:
    req = request(GEMINI, thinking_budget=0, metadata={"thinking_config": {"thinking_budget": 5}})
    with pytest.warns(ExtraBodyWarning) as caught:
        body = GeminiDialect().build_body(req)
    assert body["extra_body"]["metadata"] == {"thinking_config": {"thinking_budget": 5}}
    assert [str(w.message) for w in caught if issubclass(w.category, ExtraBodyWarning)] == [
        "extra_body key(s) thinking_config replace what the named options produced for "
        "extra_body.metadata; set the named option instead (e.g. thinking_budget=, "
        "response_schema=, tools=)"
    ]


def test_every_replaced_key_is_named() -> None:
    req = request(
        GEMINI,
        thinking_budget=0,
        response_mime_type="application/json",
        metadata={"thinking_config": {}, "response_mime_type": "text/plain"},
    )
    with pytest.warns(ExtraBodyWarning) as caught:
        GeminiDialect().build_body(req)
    assert str(caught[0].message).startswith(
        "extra_body key(s) response_mime_type, thinking_config replace what"
    )


def test_metadata_named_like_a_top_level_field_warns() -> None:
    req = request(GEMINI, metadata={"temperature": 1, "stop": "x", "seed": 2})
    with pytest.warns(ExtraBodyWarning) as caught:
        body = GeminiDialect().build_body(req)
    assert body["extra_body"]["metadata"] == {"temperature": 1, "stop": "x", "seed": 2}
    assert "temperature" not in body
    assert [str(w.message) for w in caught if issubclass(w.category, ExtraBodyWarning)] == [
        "extra_body key(s) stop, temperature go into extra_body.metadata, not the top-level "
        "field of the same name; pass them as named options instead"
    ]


def test_metadata_of_its_own_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        body = NovaDialect().build_body(request(NOVA, metadata={"trace": "t"}))
    assert body["extra_body"] == {"metadata": {"trace": "t"}}


# extra_body= means top-level body keys, as the OpenAI SDK's: the same on ChatRequest and on
# both layers' models (tests/integration/test_every_setting.py probes the layers).


def test_extra_body_keys_are_top_level_keys() -> None:
    req = request(GEMINI, thinking_budget=0, extra_body={"seed": 3, "metadata": {"m": 1}})
    body = GeminiDialect().build_body(req)
    assert (body["seed"], body["metadata"]) == (3, {"m": 1})
    assert body["extra_body"] == {"metadata": {"thinking_config": {"thinking_budget": 0}}}


def test_the_bodys_own_extra_body_joins_the_generated_metadata() -> None:
    nested = {"extra_body": {"metadata": {"seed": 3}, "other": 1}}
    body = GeminiDialect().build_body(request(GEMINI, thinking_budget=0, extra_body=nested))
    assert body["extra_body"] == {
        "metadata": {"thinking_config": {"thinking_budget": 0}, "seed": 3},
        "other": 1,
    }
    # With nothing generated, it is sent as given.
    assert NovaDialect().build_body(request(NOVA, extra_body=nested))["extra_body"] == {
        "metadata": {"seed": 3},
        "other": 1,
    }


def test_the_bodys_own_extra_body_warns_when_it_replaces_a_generated_key() -> None:
    nested = {"extra_body": {"metadata": {"thinking_config": {"thinking_budget": 5}}}}
    req = request(GEMINI, thinking_budget=0, extra_body=nested)
    with pytest.warns(ExtraBodyWarning, match="thinking_config replace"):
        body = GeminiDialect().build_body(req)
    assert body["extra_body"]["metadata"] == {"thinking_config": {"thinking_budget": 5}}


def test_an_extra_body_key_replacing_a_top_level_field_warns() -> None:
    req = request(GEMINI, temperature=0.5, extra_body={"temperature": 1, "seed": 2})
    with pytest.warns(ExtraBodyWarning) as caught:
        body = GeminiDialect().build_body(req)
    assert (body["temperature"], body["seed"]) == (1, 2)
    assert [str(w.message) for w in caught if issubclass(w.category, ExtraBodyWarning)] == [
        "extra_body key(s) temperature replace the body's own top-level field(s) of that "
        "name, unchecked; pass them as named options instead"
    ]


@pytest.mark.parametrize(
    ("key", "instead"),
    [
        ("thinking_config", "thinking_budget="),
        ("responseSchema", "response_schema="),
        ("response_mime_type", "response_mime_type="),
        ("toolConfig", "tools="),
        ("enable_thinking", "enable_thinking="),
        ("thinking_budget", "thinking_budget="),
    ],
)
def test_an_extra_body_key_that_belongs_in_the_metadata_is_refused(key: str, instead: str) -> None:
    message = refusal(GeminiDialect(), request(GEMINI, extra_body={key: {}}))
    assert message == (
        f"extra_body key {key!r} would be sent as a top-level body field: extra_body= means "
        "top-level body keys (as in the OpenAI SDK and ChatOpenAI), and "
        f"{key} belongs inside the body's extra_body.metadata. Use {instead} instead, or "
        f"extra_body={{'extra_body': {{'metadata': {{{key!r}: ...}}}}}} to send it there as it is"
    )


def test_the_metadata_keys_refused_are_the_ones_the_dialects_write() -> None:
    from memories_client.dialects.base import _METADATA_KEYS

    written: set[str] = set()
    for family, model in (
        ("gemini", GEMINI),
        ("nova", NOVA),
        ("qwen", "qwen:qwen3-vl-plus"),
        ("gpt", "gpt:gpt-4o"),
    ):
        dialect = DIALECTS[family]()
        fields: dict[str, Any] = {
            name: value
            for name, value in (
                ("thinking_budget", 128),
                ("enable_thinking", True),
                ("response_schema", SCHEMA),
                ("response_mime_type", "application/json"),
            )
            if name in dialect.options
        }
        if dialect.supports_tools:
            fields["tools"] = [TOOL]
        body = dialect.build_body(request(model, Message.user("JSON please"), **fields))
        written |= set(body.get("extra_body", {}).get("metadata", {}))
    # Qwen's response_format is also GPT's top-level field, so it stays a top-level key.
    assert written - {"response_format"} == set(_METADATA_KEYS)


@pytest.mark.parametrize(
    ("extra_body", "fragment"),
    [
        (["seed"], "extra_body must be a dict of top-level body keys, got list"),
        ({1: "x"}, "extra_body must be a dict of top-level body keys, got dict"),
        ({"extra_body": []}, "extra_body['extra_body'] must be a dict"),
        ({"extra_body": {"metadata": 1}}, "and its 'metadata' a dict"),
        ({"seed": {1, 2}}, "extra_body cannot be sent as JSON"),
    ],
)
def test_an_extra_body_that_is_no_json_object_is_refused(extra_body: Any, fragment: str) -> None:
    assert fragment in refusal(GeminiDialect(), request(GEMINI, extra_body=extra_body))
