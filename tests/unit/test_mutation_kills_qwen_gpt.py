"""Refusals and bodies of the Qwen and GPT dialects, and the family registry, that the mutation
run (`make mutate`) found untested.

Each refusal is compared whole: the message is what a user reads to fix the call, so a lost
field name, a wrong hint or a changed rule fails here. Everything goes through the public
``check_options``, ``validate`` and ``build_body``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from memories_client import (
    ChatRequest,
    MemoriesInputError,
    Message,
    ToolCall,
    UnsupportedFeatureError,
    media_from_bytes,
    media_from_url,
)
from memories_client.dialects import GPTDialect, NovaDialect, QwenDialect, base
from memories_client.dialects.base import Dialect, check_media_kind

QWEN = "qwen:qwen3-vl-plus"
GPT = "gpt:gpt-4o"
PNG = media_from_bytes(bytes.fromhex("89504e470d0a1a0a") + bytes(8))


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
    request = ChatRequest(model=GPT, messages=[Message.user("What is this?", PNG)])
    part = GPTDialect(inline_format="raw").build_body(request)["messages"][0]["content"][1]
    assert part == {"type": "image_url", "image_url": {"url": PNG.b64_text()}}


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
