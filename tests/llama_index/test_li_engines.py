"""The LLM inside LlamaIndex's query and chat engines (no network: mock embeddings only)."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest
from llama_index.core import VectorStoreIndex, get_response_synthesizer
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.embeddings.mock_embed_model import MockMultiModalEmbedding
from llama_index.core.indices.multi_modal import MultiModalVectorStoreIndex
from llama_index.core.query_engine import SimpleMultiModalQueryEngine
from llama_index.core.schema import ImageNode, TextNode

from llama_index_memories import MemoriesMultiModal
from memories_emulator import Emulator


@pytest.fixture
def image_nodes(png_path: Path) -> list[ImageNode | TextNode]:
    png = base64.b64encode(png_path.read_bytes()).decode("ascii")
    return [
        ImageNode(image=png, text="a red pixel"),
        ImageNode(image=png, text="another red pixel"),
        TextNode(text="Pixels are tiny."),
    ]


def test_simple_multimodal_query_engine_over_image_nodes(
    gemini: MemoriesMultiModal,
    emu: Emulator,
    image_nodes: list[ImageNode | TextNode],
    caplog: pytest.LogCaptureFixture,
) -> None:
    index = MultiModalVectorStoreIndex(
        image_nodes,
        embed_model=MockEmbedding(embed_dim=8),
        image_embed_model=MockMultiModalEmbedding(embed_dim=8),
    )
    with caplog.at_level(logging.WARNING):
        engine = index.as_query_engine(llm=gemini, similarity_top_k=2, image_similarity_top_k=2)
    assert isinstance(engine, SimpleMultiModalQueryEngine)
    assert "does not appear to be a multi-modal LLM" not in caplog.text
    response = engine.query("What colour is the pixel?")
    assert "2 image(s)" in str(response)
    assert "What colour is the pixel?" in str(response)
    parts = emu.requests[-1].body["messages"][-1]["content"]
    assert [p["type"] for p in parts] == ["input_file", "input_file", "text"]
    assert parts[0]["mime_type"] == "image/png"


async def test_async_multimodal_query_engine(
    nova: MemoriesMultiModal, image_nodes: list[ImageNode | TextNode]
) -> None:
    index = MultiModalVectorStoreIndex(
        image_nodes,
        embed_model=MockEmbedding(embed_dim=8),
        image_embed_model=MockMultiModalEmbedding(embed_dim=8),
    )
    engine = index.as_query_engine(llm=nova)
    response = await engine.aquery("Describe")
    assert "image(s)" in str(response)


def test_vector_index_with_multimodal_synthesis(
    gemini: MemoriesMultiModal, emu: Emulator, image_nodes: list[ImageNode | TextNode]
) -> None:
    index = VectorStoreIndex(image_nodes, embed_model=MockEmbedding(embed_dim=8))
    engine = index.as_query_engine(
        llm=gemini,
        similarity_top_k=3,
        response_synthesizer=get_response_synthesizer(llm=gemini, multimodal=True),
    )
    response = engine.query("What is shown?")
    assert "Emulated answer" in str(response)
    assert "image(s)" in str(response)


def test_streaming_chat_engine_keeps_history(gemini: MemoriesMultiModal) -> None:
    engine = SimpleChatEngine.from_defaults(llm=gemini)
    streamed = engine.stream_chat("Hello there")
    text = "".join(streamed.response_gen)
    assert text.startswith("Emulated answer")
    second = engine.chat("And again")
    assert 'Question: "And again"' in str(second)
    assert engine.chat_history[0] == ChatMessage(role="user", content="Hello there")


def test_retriever_query_engine_with_multimodal_synthesis(
    nova: MemoriesMultiModal, emu: Emulator, image_nodes: list[ImageNode | TextNode]
) -> None:
    # The successor of the deprecated SimpleMultiModalQueryEngine (llama-index-core 0.14.23).
    from llama_index.core.query_engine import RetrieverQueryEngine

    index = VectorStoreIndex(image_nodes, embed_model=MockEmbedding(embed_dim=8))
    engine = RetrieverQueryEngine.from_args(
        retriever=index.as_retriever(similarity_top_k=3), llm=nova, multimodal=True
    )
    response = engine.query("What is shown?")
    assert "2 image(s)" in str(response)
    assert emu.requests[-1].path == "/iu/chat/completions"
