"""The rules both framework layers run, in the core: tool choice, tool-result media, options.

The layers' side of each rule is pinned in tests/integration/test_same_answer_both_layers.py
(the behaviour table of docs/ARCHITECTURE.md); these are the core functions' own edges.
"""

from __future__ import annotations

import pytest

from memories_client import MemoriesInputError, Message, TextPart, ToolSpec, media_from_url
from memories_client.dialects import DIALECTS, FAMILY_OPTIONS, call_options
from memories_client.integration import offered_tools, with_tool_media

ADD = ToolSpec("add", "Add two integers.", {"type": "object", "properties": {}})
SHOT = media_from_url("https://x.test/shot.png")


@pytest.mark.parametrize("choice", [None, "auto", "none", False])
def test_a_choice_that_leaves_the_model_free_without_tools_sends_nothing(choice: object) -> None:
    assert offered_tools(None, choice) == (None, None)
    assert offered_tools([], choice) == (None, None)


@pytest.mark.parametrize("choice", ["any", "required", True, "add", {"name": "add"}])
def test_a_choice_that_forces_a_tool_without_tools_is_refused(choice: object) -> None:
    with pytest.raises(MemoriesInputError, match="forces a tool call, but no tools were given"):
        offered_tools([], choice)


def test_tool_required_without_tools_is_refused_by_that_name() -> None:
    with pytest.raises(MemoriesInputError, match=r"^tool_required=True forces a tool call"):
        offered_tools(None, None, tool_required=True)


def test_with_tools_the_choice_is_normalised_and_none_offers_none() -> None:
    assert offered_tools([ADD], "required") == ([ADD], "any")
    assert offered_tools([ADD], None, tool_required=True) == ([ADD], "any")
    assert offered_tools([ADD], {"type": "function", "function": {"name": "add"}}) == (
        [ADD],
        "add",
    )
    assert offered_tools([ADD], "none") == (None, None)
    with pytest.raises(MemoriesInputError, match="not one of the tools on offer"):
        offered_tools([ADD], "subtract")


def test_the_media_of_a_run_of_tool_results_follows_the_run_in_one_user_message() -> None:
    first = Message("tool", (TextPart("one"), SHOT), tool_call_id="c1", name="shoot")
    second = Message("tool", (TextPart("two"), SHOT), tool_call_id="c2")
    after = Message.user("What do you see?")
    out = with_tool_media([Message.user("Go."), first, second, after])
    assert [m.role for m in out] == ["user", "tool", "tool", "user", "user"]
    assert out[1] == Message.tool("c1", "one", name="shoot")
    assert out[2] == Message.tool("c2", "two")
    assert out[3].media == (SHOT, SHOT)
    assert out[4] is after


def test_tool_results_without_media_are_left_as_they_are() -> None:
    history = [Message.user("Go."), Message.tool("c1", "done"), Message.assistant("Done.")]
    assert with_tool_media(history) == history


def test_media_at_the_end_of_the_history_is_sent_too() -> None:
    out = with_tool_media([Message("tool", (TextPart("t"), SHOT), tool_call_id="c1")])
    assert [m.role for m in out] == ["tool", "user"]
    assert out[-1].media == (SHOT,)


@pytest.mark.parametrize("family", sorted(DIALECTS))
def test_call_options_are_the_dialects_own(family: str) -> None:
    dialect = DIALECTS[family]
    tools = {"tools", "tool_choice"} if dialect.supports_tools else set()
    assert call_options(family) == dialect.options | tools
    assert dialect.options <= set(FAMILY_OPTIONS)


def test_the_layers_read_their_options_from_the_dialects() -> None:
    from langchain_memories import (
        ChatMemoriesGemini,
        ChatMemoriesGPT,
        ChatMemoriesNova,
        ChatMemoriesQwen,
    )
    from llama_index_memories.base import CALL_OPTIONS

    for cls in (ChatMemoriesGemini, ChatMemoriesGPT, ChatMemoriesNova, ChatMemoriesQwen):
        assert cls._family_options == call_options(cls._family)
    assert {*FAMILY_OPTIONS, "tools", "tool_choice"} <= CALL_OPTIONS
