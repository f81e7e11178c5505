"""Inputs the service would refuse are refused here first, naming the field (reliability bugs 2-6, 9, 10)."""

from __future__ import annotations

import pytest

from memories_client import (
    ChatRequest,
    MemoriesInputError,
    Message,
    TextPart,
    ToolCall,
    ToolSpec,
    media_from_url,
)
from memories_client.dialects import GeminiDialect, NovaDialect

NOVA = "nova:us.amazon.nova-lite-v1:0"
TOOL = ToolSpec(
    "weather", "Weather", {"type": "object", "properties": {"city": {"type": "string"}}}
)


@pytest.mark.parametrize("text", ["", " ", "\n\t"])
def test_blank_user_message_is_refused(text: str) -> None:
    request = ChatRequest(
        model="gemini-2.5-flash", messages=[Message.user("ok"), Message.user(text)]
    )
    with pytest.raises(MemoriesInputError, match=r"messages\[1\].*non-blank"):
        GeminiDialect().validate(request)


def test_blank_text_next_to_media_is_fine() -> None:
    request = ChatRequest(
        model="gemini-2.5-flash",
        messages=[Message.user(" ", media_from_url("https://x.test/a.mp4"))],
    )
    GeminiDialect().validate(request)


def test_lone_surrogates_are_refused_naming_the_field() -> None:
    bad = ChatRequest(model="gemini-2.5-flash", messages=[Message.user("ok \ud800")])
    with pytest.raises(MemoriesInputError, match=r"messages\[0\]\.parts\[0\].*not valid Unicode"):
        GeminiDialect().validate(bad)
    with pytest.raises(MemoriesInputError, match=r"stop\[0\]"):
        GeminiDialect().validate(bad.replace(messages=[Message.user("ok")], stop=["\udc80"]))


def test_unserialisable_tool_arguments_are_refused() -> None:
    call = ToolCall("c1", "weather", {"when": {1, 2}})
    request = ChatRequest(
        model=NOVA,
        tools=[TOOL],
        messages=[Message.user("q"), Message.assistant("", [call]), Message.tool("c1", "sunny")],
    )
    with pytest.raises(MemoriesInputError, match=r"messages\[1\]\.tool_calls\[0\] arguments"):
        NovaDialect().validate(request)


@pytest.mark.parametrize(("n", "ok"), [(1, True), (8, True), (9, False)])
def test_n_is_capped_at_eight(n: int, ok: bool) -> None:
    request = ChatRequest(model="gemini-2.5-flash", messages=[Message.user("q")], n=n)
    if ok:
        GeminiDialect().validate(request)
    else:
        with pytest.raises(MemoriesInputError, match="between 1 and 8"):
            GeminiDialect().validate(request)


def test_nova_tool_history_without_tools_is_replayed_as_text() -> None:
    call = ToolCall("c1", "weather", {"city": "Oslo"})
    request = ChatRequest(
        model=NOVA,
        messages=[
            Message.user("Weather in Oslo?"),
            Message.assistant("", [call]),
            Message.tool("c1", "sunny", name="weather"),
            Message.user("Summarise."),
        ],
    )
    dialect = NovaDialect()
    dialect.validate(request)
    body = dialect.build_body(request)
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["user", "assistant", "user", "user"]
    assert "tool_calls" not in body["messages"][1] and "extra_body" not in body
    assert "Called tool weather (c1)" in body["messages"][1]["content"]
    assert "sunny" in body["messages"][2]["content"][0]["text"]
    # With tools bound the OpenAI-style replay is kept.
    bound = dialect.build_body(request.replace(tools=[TOOL]))
    assert [m["role"] for m in bound["messages"]] == ["user", "assistant", "tool", "user"]


@pytest.mark.parametrize("call_id", ["call_9", ""])
def test_orphan_tool_results_are_refused_when_tools_are_bound(call_id: str) -> None:
    request = ChatRequest(
        model=NOVA,
        tools=[TOOL],
        messages=[
            Message.user("Weather?"),
            Message("tool", (TextPart("sunny"),), tool_call_id=call_id),
            Message.user("And tomorrow?"),
        ],
    )
    with pytest.raises(MemoriesInputError, match=r"messages\[1\].*no earlier assistant"):
        NovaDialect().validate(request)


@pytest.mark.parametrize("url", ["https://", "https:///a.png", "gs://", "http://?x=1"])
def test_media_url_without_host(url: str) -> None:
    with pytest.raises(MemoriesInputError, match="no host"):
        media_from_url(url, mime_type="image/png")


@pytest.mark.parametrize("mime", ["image/a!b", "image/x#y", "video/a&b", "image/a^b"])
def test_exotic_mime_tokens_are_refused(mime: str) -> None:
    with pytest.raises(MemoriesInputError, match="MIME type like"):
        media_from_url("https://x.test/picture", mime_type=mime)


def test_nova_plain_history_without_tools_is_sent_as_is() -> None:
    # Text replay is only for tool traffic: an ordinary history keeps its exact wording.
    request = ChatRequest(
        model=NOVA,
        messages=[Message.user("Hi"), Message.assistant("  Hello!\n"), Message.user("Again?")],
    )
    body = NovaDialect().build_body(request)
    assert body["messages"][1] == {"role": "assistant", "content": "  Hello!\n"}


def test_nova_text_replay_reuses_one_twin_dialect() -> None:
    call = ToolCall("c1", "weather", {"city": "Oslo"})
    request = ChatRequest(
        model=NOVA,
        messages=[
            Message.user("Weather?"),
            Message.assistant("", [call]),
            Message.tool("c1", "sunny"),
        ],
    )
    dialect = NovaDialect()
    first = dialect.build_body(request)
    twin = dialect._text_twin
    assert twin is not None and dialect.build_body(request) == first
    assert dialect._text_twin is twin
