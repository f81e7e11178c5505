"""The core's download-free tokenizer in LlamaIndex's own counters.

LlamaIndex's default tokenizer is tiktoken, which fetches its encoding over the network on
first use; ``memories_client.tokens.split_tokens`` is a drop-in with nothing to fetch. ``tiktoken`` is
made unimportable here so that any fallback to the default fails the test.
"""

from __future__ import annotations

import sys

import llama_index.core
import pytest
from llama_index.core import Settings
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.node_parser import TokenTextSplitter

from llama_index_memories import MemoriesMultiModal
from memories_client.tokens import estimate_text_tokens, split_tokens
from memories_emulator import Emulator


@pytest.fixture(autouse=True)
def _no_tiktoken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tiktoken", None)


def test_chat_memory_trims_by_the_estimate(gemini: MemoriesMultiModal, emu: Emulator) -> None:
    memory = ChatMemoryBuffer.from_defaults(token_limit=300, tokenizer_fn=split_tokens)
    engine = SimpleChatEngine.from_defaults(llm=gemini, memory=memory)
    for turn in range(6):
        engine.chat(f"Turn {turn}: describe what the camera sees at the gate this minute.")
    sent = emu.requests[-1].body["messages"]
    assert len(emu.requests) == 6
    # Six user turns and five answers were said; the memory handed on only what fits.
    assert 1 < len(sent) < 11
    history = " ".join(str(m.content) for m in memory.get())
    assert len(split_tokens(history)) <= 300


def test_global_tokenizer_drives_splitting(monkeypatch: pytest.MonkeyPatch) -> None:
    # Settings.tokenizer sets a module global; put both back afterwards.
    monkeypatch.setattr(llama_index.core, "global_tokenizer", None)
    monkeypatch.setattr(Settings, "_tokenizer", None)
    Settings.tokenizer = split_tokens
    splitter = TokenTextSplitter(chunk_size=50, chunk_overlap=0)
    text = " ".join(f"Sentence {i} about the parking lot." for i in range(40))
    chunks = splitter.split_text(text)
    assert len(chunks) > 1
    assert all(estimate_text_tokens(chunk) <= 50 for chunk in chunks)
