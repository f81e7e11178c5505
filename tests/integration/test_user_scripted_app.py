"""A user's own app, tested the way a user would: the plugin's fixtures and scripted replies only.

Nothing here reaches into the emulator's internals or this repository's test helpers: the
fixtures come from the installed pytest plugin (``memories_emulator_env`` also sets
``MEMORIES_BASE_URL`` / ``MEMORIES_API_KEY``, which the app reads), and the model's side of
each conversation is scripted with ``Reply``. The assertions are on the app's own logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.embeddings import MockEmbedding

from langchain_memories import ChatMemoriesNova
from llama_index_memories import MemoriesMultiModal
from memories_emulator import Emulator, Reply

# ----------------------------------------------------------------- the user's application


@dataclass
class ClipDesk:
    """The user's business logic: clips reserved for an edit, with a running total length."""

    reserved: list[tuple[str, float, float]] = field(default_factory=list)

    def reserve(self, video: str, start_s: float, end_s: float) -> str:
        if end_s <= start_s:
            return f"refused: {video} {start_s}-{end_s} is empty"
        self.reserved.append((video, start_s, end_s))
        return f"reserved {video} {start_s:g}-{end_s:g} ({end_s - start_s:g} s)"

    @property
    def total_seconds(self) -> float:
        return sum(end - start for _, start, end in self.reserved)


def build_editor_agent(desk: ClipDesk):  # type: ignore[no-untyped-def]
    """An agent that reserves clips for an edit (the app under test)."""

    @tool
    def reserve_clip(video: str, start_s: float, end_s: float) -> str:
        """Reserve the part of a video between two times (seconds) for the edit."""
        return desk.reserve(video, start_s, end_s)

    llm = ChatMemoriesNova(model="us.amazon.nova-lite-v1:0")  # key and URL from the environment
    return create_agent(llm, tools=[reserve_clip], system_prompt="You assemble video edits.")


def answer_from_notes(question: str, notes: list[str]) -> tuple[str, int]:
    """The user's RAG helper: an answer and how many notes it was grounded on."""
    index = VectorStoreIndex.from_documents(
        [Document(text=note) for note in notes], embed_model=MockEmbedding(embed_dim=8)
    )
    llm = MemoriesMultiModal(model="gemini:gemini-2.5-flash")  # from the environment too
    response = index.as_query_engine(llm=llm, similarity_top_k=2).query(question)
    return str(response).strip(), len(response.source_nodes)


# ----------------------------------------------------------------- the user's tests


def test_the_agent_reserves_both_clips_and_reports_the_total(
    memories_emulator_env: Emulator,
) -> None:
    memories_emulator_env.queue(
        Reply(
            tool_calls=[
                {"name": "reserve_clip", "args": {"video": "tears", "start_s": 720, "end_s": 750}}
            ]
        ),
        Reply(
            tool_calls=[
                {"name": "reserve_clip", "args": {"video": "bunny", "start_s": 42, "end_s": 30}}
            ]
        ),
        Reply(text="Reserved 30 s of Tears of Steel; the Big Buck Bunny range was empty."),
    )
    desk = ClipDesk()
    agent = build_editor_agent(desk)
    state = agent.invoke({"messages": [HumanMessage("Reserve the robot fight and the dog.")]})

    assert desk.reserved == [("tears", 720, 750)]  # the second range was refused by our logic
    assert desk.total_seconds == 30
    tool_results = [m.content for m in state["messages"] if m.type == "tool"]
    assert tool_results == ["reserved tears 720-750 (30 s)", "refused: bunny 42.0-30.0 is empty"]
    assert state["messages"][-1].text == (
        "Reserved 30 s of Tears of Steel; the Big Buck Bunny range was empty."
    )
    assert memories_emulator_env.script.pending == 0  # three turns, three scripted replies


def test_the_query_engine_answers_from_the_scripted_model(memories_emulator_env: Emulator) -> None:
    memories_emulator_env.when(prompt="when does the dog enter").reply(
        Reply(text="The dog enters at 0:42.", usage={"input_tokens": 120, "output_tokens": 6})
    )
    notes = ["0:00 a meadow at dawn", "0:42 a dog runs in", "1:10 the dog sleeps"]
    answer, grounded_on = answer_from_notes("When does the dog enter?", notes)
    assert answer == "The dog enters at 0:42."
    assert grounded_on == 2


@pytest.mark.parametrize("status", [429, 503])
def test_the_helper_surfaces_a_service_failure(
    memories_emulator_env: Emulator, status: int
) -> None:
    from memories_client import MemoriesAPIError

    # Enough failures for every retry the client makes.
    memories_emulator_env.when(model="gemini").always(Reply(status=status, retry_after=0))
    with pytest.raises(MemoriesAPIError) as failure:
        answer_from_notes("When does the dog enter?", ["0:42 a dog runs in"])
    assert failure.value.status == status
