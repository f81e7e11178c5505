"""MemoriesVideoReader through real LlamaIndex machinery, against the emulator over a socket."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import httpx
import pytest
from llama_index.core import Settings, VectorStoreIndex
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.embeddings import BaseEmbedding
from llama_index.core.schema import MetadataMode
from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

import memories_client as mc
from llama_index_memories import MemoriesMultiModal, MemoriesVideoReader
from memories_client.uploads import MemoriesAssetUploader
from memories_client.video_scenes import VideoSource
from memories_emulator import Emulator

GEMINI = "gemini:gemini-2.5-flash"

LIBRARY = [
    VideoSource(url="https://x.test/bunny.mp4", duration_s=600, title="Big Buck Bunny rabbit"),
    VideoSource(url="https://x.test/tears.mp4", duration_s=1500, title="Robots in Amsterdam"),
]


class BagOfWords(BaseEmbedding):
    """Deterministic, offline: each word adds 1 to a hashed slot."""

    def _vector(self, text: str) -> list[float]:
        vector = [1e-3] + [0.0] * 255
        for word in re.findall(r"[a-z]+", text.lower()):
            vector[1 + int(hashlib.md5(word.encode()).hexdigest(), 16) % 255] += 1.0
        norm = math.sqrt(sum(x * x for x in vector))
        return [x / norm for x in vector]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)


def test_an_index_retrieves_a_scene_and_a_query_engine_answers_from_it(
    gemini: MemoriesMultiModal, emu: Emulator
) -> None:
    docs = MemoriesVideoReader(llm=gemini).load_data(LIBRARY)
    index = VectorStoreIndex.from_documents(docs, embed_model=BagOfWords())
    filters = MetadataFilters(
        filters=[
            MetadataFilter(key="kind", value="scene"),
            MetadataFilter(key="start_s", operator=FilterOperator.LTE, value=800),
            MetadataFilter(key="end_s", operator=FilterOperator.GTE, value=700),
        ]
    )
    [hit] = index.as_retriever(similarity_top_k=1, filters=filters).retrieve("robots in Amsterdam")
    meta = hit.node.metadata
    assert meta["source"] == "https://x.test/tears.mp4" and meta["title"] == "Robots in Amsterdam"
    assert meta["start_s"] <= 800 and meta["end_s"] >= 700
    # Bookkeeping stays out of the embedding and the prompt; where and when stay in the prompt.
    embedded = hit.node.get_content(metadata_mode=MetadataMode.EMBED)
    prompt = hit.node.get_content(metadata_mode=MetadataMode.LLM)
    assert "cost_usd" not in embedded and "input_tokens" not in prompt
    assert "start_s" in prompt and "source" in prompt

    emu.reset()
    engine = index.as_query_engine(llm=gemini, similarity_top_k=1, filters=filters)
    answer = engine.query("What happens in the Amsterdam video at minute 12?")
    sent = emu.requests[-1].body["messages"][-1]["content"][0]["text"]
    start = answer.source_nodes[0].node.metadata["start_s"]
    assert 700 - 60 < start <= 800  # a scene around minute 12, as filtered
    clock = f"{int(start) // 60:02d}:{int(start) % 60:02d}-"
    assert f"Robots in Amsterdam, {clock}" in sent and f"start_s: {start:g}" in sent
    assert str(answer).startswith("Emulated answer from gemini:gemini-2.5-flash")


def test_token_counting_follows_the_reader_calls(emu: Emulator) -> None:
    counter = TokenCountingHandler()
    llm = MemoriesMultiModal(
        model=GEMINI,
        api_key="k",
        base_url=emu.base_url,
        callback_manager=CallbackManager([counter]),
    )
    docs = MemoriesVideoReader(llm=llm).load_data(LIBRARY[:1])
    summary = docs[0]
    assert len(counter.llm_token_counts) == summary.metadata["windows"] == 2
    assert counter.total_llm_token_count == summary.metadata["total_tokens"]


def test_nova_reads_through_a_forced_tool_call(nova: MemoriesMultiModal, emu: Emulator) -> None:
    docs = MemoriesVideoReader(llm=nova).load_data("https://x.test/a.mp4")
    assert [d.metadata["kind"] for d in docs] == ["summary", "scene", "scene"]
    tools = emu.requests[-1].body["extra_body"]["metadata"]["toolConfig"]
    assert tools["tools"][0]["toolSpec"]["name"] == "record_video_scenes"
    assert tools["toolChoice"] == {"tool": {"name": "record_video_scenes"}}


class FailOneVideo(httpx.AsyncBaseTransport):
    """Passes requests to the emulator, except that the service "cannot fetch" one video."""

    def __init__(self, broken: str) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.broken = broken

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        if self.broken.encode() in request.content:
            body = {"status": "errored", "error": {"message": "Failed to fetch media"}}
            return httpx.Response(200, json=body)
        return await self.inner.handle_async_request(request)


TEN = [f"https://x.test/clip{i}.mp4" for i in range(10)]


async def test_one_failing_video_among_ten(emu: Emulator) -> None:
    client = httpx.AsyncClient(transport=FailOneVideo(TEN[6]))
    llm = MemoriesMultiModal(
        model=GEMINI, api_key="k", base_url=emu.base_url, http_async_client=client
    )
    reader = MemoriesVideoReader(llm=llm, on_error="collect", max_concurrency=5)
    docs = await reader.aload_data(TEN)
    assert {d.metadata["source"] for d in docs} == set(TEN) - {TEN[6]}
    [failure] = reader.failures
    assert failure.index == 6 and isinstance(failure.error, mc.ModelError)
    await client.aclose()


def test_a_local_file_is_uploaded(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(bytes(4) + b"ftypmp42" + bytes(10_000))
    with Emulator() as emu:
        llm = MemoriesMultiModal(model=GEMINI, api_key="k", base_url=emu.base_url)
        uploader = MemoriesAssetUploader(api_key="k", base_url=emu.base_url, poll_interval=0.01)
        docs = MemoriesVideoReader(llm=llm, uploader=uploader).load_data(clip)
        [asset] = emu.app.upload_store.assets
        sent = emu.requests[-1].body["messages"][0]["content"][0]["file_uri"]
    assert docs[0].metadata["source"] == str(clip)
    assert asset.asset_id in sent


def test_bad_input_fails_before_any_request(gemini: MemoriesMultiModal, emu: Emulator) -> None:
    with pytest.raises(mc.MemoriesInputError, match="MemoriesMultiModal"):
        MemoriesVideoReader(llm="gemini")  # type: ignore[arg-type]
    with pytest.raises(mc.MemoriesInputError, match="max_concurrency"):
        MemoriesVideoReader(llm=gemini, max_concurrency=0)
    reader = MemoriesVideoReader(llm=gemini)
    with pytest.raises(mc.MemoriesInputError, match=r"sources\[0\]"):
        reader.load_data([None])
    with pytest.raises(mc.MemoriesInputError, match="uploader="):
        reader.load_data(b"\x00\x00\x00\x18ftypmp42")
    assert emu.requests == []


def test_settings_llm_is_not_touched(gemini: MemoriesMultiModal) -> None:
    before = Settings._llm
    MemoriesVideoReader(llm=gemini).load_data("https://x.test/a.mp4")
    assert Settings._llm is before
