"""Per-model thinking budgets: one core check, the same refusal in LangChain and LlamaIndex.

The ranges are Google's (catalog comment cites the page). A refused budget never reaches the
emulator; an accepted edge value does, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.llms import ChatMessage

import memories_client as mc
from langchain_memories import ChatMemoriesGemini
from llama_index_memories import MemoriesMultiModal
from memories_client._params import check_thinking_budget
from memories_emulator import Emulator

# (model, budgets it takes, budgets it refuses): the table in Google's "Gemini thinking" docs.
TABLE = [
    ("gemini-2.5-pro", [-1, 128, 32_768], [0, 1, 127, 32_769]),
    ("gemini-2.5-flash", [-1, 0, 1, 24_576], [24_577, -2]),
    ("gemini-2.5-flash-preview-09-2025", [-1, 0, 24_576], [24_577]),
    ("gemini-2.5-flash-lite", [-1, 0, 512, 24_576], [1, 511, 24_577]),
    ("gemini-2.5-flash-lite-preview-09-2025", [0, 512], [511]),
    ("gemini-2.0-flash", [], [-1, 0, 1024]),
    ("gemini-2.0-flash-lite", [], [0]),
    ("gemini-3-pro-preview", [-1, 1, 65_536], [0]),
    ("gemini-3-flash-preview", [-1, 0, 1, 65_536], [-2]),
    ("gemini:not-yet-catalogued", [-1, 0, 10**6], [-2]),
]
CASES = [(m, b, True) for m, ok, _ in TABLE for b in ok] + [
    (m, b, False) for m, _, bad in TABLE for b in bad
]


@pytest.mark.parametrize(("model", "budget", "accepted"), CASES)
def test_core_check_follows_the_documented_table(model: str, budget: int, accepted: bool) -> None:
    if accepted:
        check_thinking_budget(model, budget, "gemini")
    else:
        with pytest.raises(mc.MemoriesInputError, match="thinking_budget"):
            check_thinking_budget(model, budget, "gemini")


def test_the_message_gives_the_allowed_range() -> None:
    with pytest.raises(mc.MemoriesInputError) as info:
        check_thinking_budget("gemini-2.5-pro", 0)
    assert str(info.value) == (
        "thinking_budget=0 is not accepted by gemini-2.5-pro: it takes 128 to 32768 thinking "
        "tokens, or -1 (dynamic); 0 (off) is not allowed"
    )
    with pytest.raises(mc.MemoriesInputError, match="512 to 24576 thinking tokens, or 0"):
        check_thinking_budget("gemini:gemini-2.5-flash-lite", 100)
    with pytest.raises(
        mc.MemoriesInputError, match=r"does not think\); leave thinking_budget unset"
    ):
        check_thinking_budget("gemini-2.0-flash", 0)


def _message_of(action: Callable[[], Any]) -> str:
    with pytest.raises(ValueError) as info:
        action()
    return str(info.value)


def test_both_frameworks_refuse_at_construction_with_the_core_message() -> None:
    core = _message_of(lambda: check_thinking_budget("gemini-2.5-pro", 0))
    lc = _message_of(
        lambda: ChatMemoriesGemini(model="gemini-2.5-pro", thinking_budget=0, api_key="k")
    )
    li = _message_of(
        lambda: MemoriesMultiModal(model="gemini-2.5-pro", thinking_budget=0, api_key="k")
    )
    assert lc == li == core  # the core's own MemoriesInputError, not a pydantic wrapper
    with pytest.raises(mc.MemoriesInputError):
        ChatMemoriesGemini(model="gemini-2.5-pro", thinking_budget=0, api_key="k")


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda emu: ChatMemoriesGemini(model="gemini-2.5-pro", **emu).invoke(
                "hi", thinking_budget=0
            ),
            id="langchain-per-call",
        ),
        pytest.param(
            lambda emu: ChatMemoriesGemini(thinking_budget=0, **emu).invoke(
                "hi", model="gemini-2.5-pro"
            ),
            id="langchain-per-call-model",
        ),
        pytest.param(
            lambda emu: list(
                ChatMemoriesGemini(model="gemini-2.5-flash-lite", **emu).stream(
                    "hi", thinking_budget=100
                )
            ),
            id="langchain-stream",
        ),
        pytest.param(
            lambda emu: MemoriesMultiModal(model="gemini-2.5-pro", **emu).chat(
                [ChatMessage(role="user", content="hi")], thinking_budget=0
            ),
            id="llamaindex-per-call",
        ),
        pytest.param(
            lambda emu: MemoriesMultiModal(model="gemini-2.0-flash", **emu).complete(
                "hi", thinking_budget=-1
            ),
            id="llamaindex-complete",
        ),
    ],
)
def test_per_call_budgets_are_refused_before_any_request(
    memories_emulator_fn: Emulator, call: Callable[[dict[str, Any]], Any]
) -> None:
    settings = {"api_key": "k", "base_url": memories_emulator_fn.base_url}
    with pytest.raises(mc.MemoriesInputError, match="is not accepted by gemini-2"):
        call(settings)
    assert memories_emulator_fn.requests == []


def test_edge_budgets_are_sent_unchanged(memories_emulator_fn: Emulator) -> None:
    settings = {"api_key": "k", "base_url": memories_emulator_fn.base_url}
    ChatMemoriesGemini(model="gemini-2.5-pro", thinking_budget=128, **settings).invoke("hi")
    MemoriesMultiModal(model="gemini-2.5-flash-lite", **settings).chat(
        [ChatMessage(role="user", content="hi")], thinking_budget=24_576
    )
    sent = [
        r.body["extra_body"]["metadata"]["thinking_config"]["thinking_budget"]
        for r in memories_emulator_fn.requests
    ]
    assert sent == [128, 24_576]
