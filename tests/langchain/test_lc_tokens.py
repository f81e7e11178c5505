"""Token counting with no downloads: get_num_tokens*, and trim_messages(token_counter=llm).

``transformers`` is made unimportable in every test here: LangChain's default counter (GPT-2)
needs it, so a test that fell back to the default would fail.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from langchain_core.language_models import FakeListChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    trim_messages,
)
from langchain_core.tools import tool

import memories_client as mc
from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from memories_client.catalog import FAMILIES
from memories_client.tokens import MESSAGE_OVERHEAD, estimate_text_tokens
from memories_emulator import Emulator

VIDEO = {"type": "video", "url": "https://storage.googleapis.com/bucket/clip.mp4"}
IMAGE = {"type": "image", "url": "https://storage.googleapis.com/bucket/photo.png"}


@pytest.fixture(autouse=True)
def _no_transformers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)


@pytest.mark.filterwarnings("ignore:Using fallback GPT-2 tokenizer")
def test_the_langchain_default_would_need_a_download() -> None:
    # What these tests guard against: the base class's counter fails without transformers.
    with pytest.raises(ImportError):
        FakeListChatModel(responses=["x"]).get_num_tokens("hello")


def test_get_num_tokens_is_the_core_estimate() -> None:
    text = "How many people cross the street in this clip?"
    assert ChatMemoriesGemini(api_key="k").get_num_tokens(text) == estimate_text_tokens(text)
    assert ChatMemoriesNova(api_key="k").get_num_tokens("日本語") == 3


def test_custom_token_ids_win() -> None:
    llm = ChatMemoriesGemini(api_key="k", custom_get_token_ids=lambda t: list(range(len(t))))
    assert llm.get_num_tokens("abcdef") == 6
    assert llm.get_num_tokens_from_messages([HumanMessage("abcdef")]) == 6 + MESSAGE_OVERHEAD


@pytest.mark.parametrize(
    ("cls", "block", "figure"),
    [
        (ChatMemoriesGemini, VIDEO, FAMILIES["gemini"].media_tokens.video),
        (ChatMemoriesGemini, IMAGE, FAMILIES["gemini"].media_tokens.image),
        (ChatMemoriesNova, IMAGE, FAMILIES["nova"].media_tokens.image),
        (
            ChatMemoriesGemini,
            {"type": "file", "url": "https://x.test/a.pdf", "mime_type": "application/pdf"},
            FAMILIES["gemini"].media_tokens.document,
        ),
    ],
)
def test_media_blocks_count_by_kind(cls: type[Any], block: dict[str, Any], figure: int) -> None:
    llm = cls(api_key="k")
    message = HumanMessage(content=[{"type": "text", "text": "What is this?"}, block])
    assert llm.get_num_tokens_from_messages([message]) == MESSAGE_OVERHEAD + 4 + figure


def test_tools_and_tool_traffic_count() -> None:
    @tool
    def count_people(minute: int) -> str:
        """Count the people visible at a minute of the video."""
        return "7"

    llm = ChatMemoriesNova(api_key="k")
    history: list[BaseMessage] = [
        HumanMessage("How many at minute 3?"),
        AIMessage("", tool_calls=[{"name": "count_people", "args": {"minute": 3}, "id": "c1"}]),
        ToolMessage("7 people", tool_call_id="c1"),
    ]
    plain = llm.get_num_tokens_from_messages(history)
    assert plain == 3 * MESSAGE_OVERHEAD + sum(
        estimate_text_tokens(t)
        for t in ("How many at minute 3?", "count_people", '{"minute": 3}', "7 people")
    )
    assert llm.get_num_tokens_from_messages(history, tools=[count_people]) > plain


def test_bad_blocks_are_refused_as_when_sending() -> None:
    audio = HumanMessage(content=[{"type": "audio", "base64": "AAAA", "mime_type": "audio/wav"}])
    with pytest.raises(mc.MemoriesInputError, match="takes no audio"):
        ChatMemoriesGemini(api_key="k").get_num_tokens_from_messages([audio])


def _history() -> list[BaseMessage]:
    """A video agent's transcript: each old turn carries a one-minute clip."""
    messages: list[BaseMessage] = [SystemMessage("You watch security footage.")]
    for minute in range(6):
        messages.append(
            HumanMessage(
                content=[{"type": "text", "text": f"What happens in clip {minute}?"}, VIDEO]
            )
        )
        messages.append(AIMessage(f"In clip {minute} two people walk past the door."))
    messages.append(HumanMessage("Which clip had the most people?"))
    return messages


def test_trim_messages_with_the_model_as_counter(memories_emulator_fn: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="k", base_url=memories_emulator_fn.base_url)
    history = _history()
    budget = 40_000  # room for two clips, not six
    trimmed = trim_messages(
        history,
        max_tokens=budget,
        token_counter=llm,
        strategy="last",
        include_system=True,
        start_on="human",
    )
    assert llm.get_num_tokens_from_messages(history) > budget
    assert llm.get_num_tokens_from_messages(trimmed) <= budget
    videos = sum(1 for m in trimmed if isinstance(m.content, list) and VIDEO in m.content)
    assert videos == 2
    assert isinstance(trimmed[0], SystemMessage) and trimmed[-1] == history[-1]
    # The trimmed history is one the API takes: it goes through unchanged.
    answer = llm.invoke(trimmed)
    assert "2 video(s)" in answer.text
    assert len(memories_emulator_fn.requests[0].body["messages"]) == len(trimmed)


def test_trimming_keeps_nova_tool_calls_with_their_results(memories_emulator_fn: Emulator) -> None:
    @tool
    def count_people(minute: int) -> str:
        """Count the people visible at a minute of the video."""
        return "7"

    llm = ChatMemoriesNova(api_key="k", base_url=memories_emulator_fn.base_url)
    history: list[BaseMessage] = [SystemMessage("Use the tools.")]
    for minute in range(5):
        call = {"name": "count_people", "args": {"minute": minute}, "id": f"c{minute}"}
        history += [
            HumanMessage(content=[{"type": "text", "text": f"Minute {minute}?"}, IMAGE]),
            AIMessage("", tool_calls=[call]),
            ToolMessage(f"{minute} people", tool_call_id=f"c{minute}"),
            AIMessage(f"{minute} people at minute {minute}."),
        ]
    trimmed = trim_messages(
        history,
        max_tokens=6_000,
        token_counter=llm,
        strategy="last",
        include_system=True,
        start_on="human",
    )
    assert 1 < len(trimmed) < len(history)
    # Starting on a human turn keeps every tool result with the call it answers, so Nova
    # (which refuses an orphan tool result before sending) takes the trimmed history.
    llm.bind_tools([count_people]).invoke(trimmed)
    assert memories_emulator_fn.requests
