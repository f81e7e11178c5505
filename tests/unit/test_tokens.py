"""The core token estimates: the text rule, the per-kind media figures, messages and tools."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memories_client import Message, ToolCall, ToolSpec, media_from_bytes, media_from_url
from memories_client.catalog import FAMILIES
from memories_client.tokens import (
    MESSAGE_OVERHEAD,
    estimate_text_tokens,
    estimate_tokens,
    split_tokens,
)

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(16)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("abcd", 1),
        ("abcde", 2),
        ("日本語", 3),
        ("ab日cd", 3),  # two ASCII runs of 2 (one token each) and one other character
        ("a" * 4000, 1000),
    ],
)
def test_text_rule(text: str, tokens: int) -> None:
    assert estimate_text_tokens(text) == tokens


@given(st.text(max_size=200))
def test_split_tokens_is_the_estimate_and_loses_nothing(text: str) -> None:
    pieces = split_tokens(text)
    assert "".join(pieces) == text
    assert len(pieces) == estimate_text_tokens(text)
    assert all(len(p) <= 4 for p in pieces)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_ascii_text_is_four_characters_a_token(text: str) -> None:
    assert estimate_text_tokens(text) == math.ceil(len(text) / 4)


def test_media_parts_use_the_family_estimates() -> None:
    video = media_from_url("https://x.test/clip.mp4")
    image = media_from_bytes(PNG)
    pdf = media_from_url("https://x.test/report.pdf")
    messages = [Message.user("", video, image, pdf)]
    gemini = FAMILIES["gemini"].media_tokens
    nova = FAMILIES["nova"].media_tokens
    assert estimate_tokens(messages, "gemini-2.5-flash") == (
        MESSAGE_OVERHEAD + gemini.video + gemini.image + gemini.document
    )
    assert estimate_tokens(messages, "nova:us.amazon.nova-lite-v1:0") == (
        MESSAGE_OVERHEAD + nova.video + nova.image + nova.document
    )
    # The documented rules applied to the stated typical part (catalog comment).
    assert (gemini.image, gemini.video, gemini.document) == (6 * 258, 60 * 263, 10 * 258)
    assert nova.image == 2_400


def test_messages_tool_calls_and_tools_count() -> None:
    call = ToolCall("c1", "count_people", {"minute": 3})
    history = [
        Message.system("Be brief."),
        Message.user("How many?"),
        Message.assistant("", [call]),
        Message.tool("c1", "7 people"),
    ]
    expected = 4 * MESSAGE_OVERHEAD + sum(
        estimate_text_tokens(t)
        for t in ("Be brief.", "How many?", "count_people", '{"minute": 3}', "7 people")
    )
    assert estimate_tokens(history, "nova:us.amazon.nova-lite-v1:0") == expected
    tool = ToolSpec("count_people", "Count.", {"type": "object"})
    with_tool = estimate_tokens(history, "nova:us.amazon.nova-lite-v1:0", [tool])
    assert with_tool == expected + estimate_text_tokens('count_people Count. {"type": "object"}')


def test_a_custom_text_counter_is_used_for_every_text() -> None:
    messages = [Message.user("one two three")]
    words = estimate_tokens(messages, "gemini-2.5-flash", count_text=lambda t: len(t.split()))
    assert words == MESSAGE_OVERHEAD + 3


def test_an_unknown_model_of_a_family_uses_its_estimates() -> None:
    video = [Message.user(media_from_url("https://x.test/clip.mp4"))]
    assert estimate_tokens(video, "brand-new", family="gemini") == (
        MESSAGE_OVERHEAD + FAMILIES["gemini"].media_tokens.video
    )


def test_the_langchain_doc_states_the_catalog_figures() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "LANGCHAIN.md").read_text()
    section = doc.split("## Counting tokens", 1)[1].split("\n## ", 1)[0]
    gemini, nova = FAMILIES["gemini"].media_tokens, FAMILIES["nova"].media_tokens
    for figure in (gemini.image, nova.image, gemini.video, gemini.document):
        assert f"{figure:,}" in section
    assert nova.video == gemini.video
    assert f"| Each message | {MESSAGE_OVERHEAD} more" in section
