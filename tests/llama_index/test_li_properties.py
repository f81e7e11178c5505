"""Property tests for the pure converters (no network)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from llama_index.core.base.llms.types import ChatMessage, MessageRole, TextBlock, ThinkingBlock

from llama_index_memories._convert import to_core_messages
from llama_index_memories._responses import StreamState
from memories_client import StreamChunk, Usage

ROLES = {
    MessageRole.SYSTEM: "system",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.MODEL: "assistant",
}

messages = st.lists(
    st.tuples(
        st.sampled_from(list(ROLES)),
        st.lists(st.text(max_size=30), min_size=1, max_size=4),
        st.booleans(),
    ),
    min_size=1,
    max_size=6,
)


@given(messages, st.sampled_from(["gemini", "nova"]))
def test_text_history_keeps_roles_texts_and_order(
    items: list[tuple[MessageRole, list[str], bool]], family: str
) -> None:
    history = [
        ChatMessage(
            role=role,
            blocks=[
                *([ThinkingBlock(content="thoughts")] if thinking else []),
                *(TextBlock(text=t) for t in texts),
            ],
        )
        for role, texts, thinking in items
    ]
    converted = to_core_messages(history, family)
    assert [m.role for m in converted] == [ROLES[role] for role, _, _ in items]
    assert [[p.text for p in m.parts] for m in converted] == [texts for _, texts, _ in items]


@given(
    st.lists(st.text(min_size=1, max_size=20), max_size=12),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
)
def test_stream_state_accumulates_and_reports_usage_once(
    pieces: list[str], prompt: int, completion: int
) -> None:
    state = StreamState("gemini:gemini-2.5-flash")
    responses = [state.add(StreamChunk(text=p)) for p in pieces]
    last = state.add(StreamChunk(done=True, usage=Usage(prompt, completion, prompt + completion)))
    assert last is not None
    assert all(r is not None and "usage" not in (r.raw or {}) for r in responses)
    assert "".join(r.delta or "" for r in responses if r) == "".join(pieces)
    assert last.message.content == "".join(pieces)
    assert last.raw["usage"] == {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
