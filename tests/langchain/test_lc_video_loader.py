"""MemoriesVideoLoader through real LangChain machinery, against the emulator over a socket."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import warnings
from pathlib import Path

import httpx
import pytest
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import InMemoryVectorStore

import memories_client as mc
from langchain_memories import (
    ChatMemoriesGemini,
    ChatMemoriesNova,
    MemoriesVideoLoader,
    get_memories_callback,
)
from memories_client.uploads import MemoriesAssetUploader
from memories_client.video_scenes import VideoLoadWarning, VideoSource
from memories_emulator import Emulator

LIBRARY = [
    VideoSource(url="https://x.test/bunny.mp4", duration_s=600, title="Big Buck Bunny rabbit"),
    VideoSource(url="https://x.test/tears.mp4", duration_s=1500, title="Robots in Amsterdam"),
    VideoSource(url="https://x.test/cars.mp4", title="Cheap used cars", metadata={"genre": "cars"}),
]


class BagOfWords(Embeddings):
    """Deterministic, offline: each word adds 1 to a hashed slot."""

    def _embed(self, text: str) -> list[float]:
        vector = [1e-3] + [0.0] * 255
        for word in re.findall(r"[a-z]+", text.lower()):
            vector[1 + int(hashlib.md5(word.encode()).hexdigest(), 16) % 255] += 1.0
        norm = math.sqrt(sum(x * x for x in vector))
        return [x / norm for x in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)


@pytest.fixture
def emu(memories_emulator: Emulator) -> Emulator:
    memories_emulator.reset()
    return memories_emulator


@pytest.fixture
def gemini(emu: Emulator) -> ChatMemoriesGemini:
    return ChatMemoriesGemini(api_key="k", base_url=emu.base_url, thinking_budget=0)


def test_a_vector_store_retrieves_a_scene_with_its_time_range(gemini: ChatMemoriesGemini) -> None:
    docs = MemoriesVideoLoader(LIBRARY, llm=gemini).load()
    store = InMemoryVectorStore.from_documents(docs, BagOfWords())
    assert len(store.store) == len(docs) == len({d.id for d in docs})

    def in_range(doc: Document) -> bool:
        meta = doc.metadata
        return meta["kind"] == "scene" and meta["start_s"] <= 800 and meta["end_s"] >= 700

    retriever = store.as_retriever(search_kwargs={"k": 2, "filter": in_range})
    [hit, *_] = retriever.invoke("robots fighting in Amsterdam")
    assert hit.metadata["source"] == "https://x.test/tears.mp4"
    assert hit.metadata["title"] == "Robots in Amsterdam"
    assert hit.metadata["end_s"] >= 700 and hit.metadata["start_s"] <= 800
    start, end = hit.metadata["start_s"], hit.metadata["end_s"]
    clock = f"{int(start) // 60:02d}:{int(start) % 60:02d}-{int(end) // 60:02d}:{int(end) % 60:02d}"
    assert hit.page_content.startswith(f"Robots in Amsterdam, {clock}: ")
    # The emulator's scenes tile each window asked for, so the video's scenes tile 0-1500 s.
    tears = sorted(
        (d.metadata["start_s"], d.metadata["end_s"])
        for d in docs
        if d.metadata["kind"] == "scene" and d.metadata["source"] == "https://x.test/tears.mp4"
    )
    assert tears[0][0] == 0 and tears[-1][1] == 1500
    assert all(a[1] == b[0] for a, b in itertools.pairwise(tears))
    # The long video was asked in windows; the short ones at once.
    summaries = {d.metadata["source"]: d for d in docs if d.metadata["kind"] == "summary"}
    assert summaries["https://x.test/tears.mp4"].metadata["windows"] == 4
    assert summaries["https://x.test/bunny.mp4"].metadata["windows"] == 2
    assert summaries["https://x.test/cars.mp4"].metadata["genre"] == "cars"
    # Loading again upserts the same ids instead of duplicating documents.
    store.add_documents(MemoriesVideoLoader(LIBRARY[:1], llm=gemini).load())
    assert len(store.store) == len(docs)


def test_each_call_uses_native_structured_output_and_an_answer_budget(
    gemini: ChatMemoriesGemini, emu: Emulator
) -> None:
    MemoriesVideoLoader(LIBRARY[:1], llm=gemini).load()
    bodies = [r.body for r in emu.requests]
    assert len(bodies) == 2
    for body in bodies:
        metadata = body["extra_body"]["metadata"]
        scenes = metadata["responseSchema"]["properties"]["scenes"]["items"]["properties"]
        assert scenes["start_s"]["type"] == "NUMBER" and "minimum" in scenes["start_s"]
        assert body["max_tokens"] == 8192
        assert body["messages"][0]["content"][1]["file_uri"] == "https://x.test/bunny.mp4"
    assert gemini.max_tokens is None  # the caller's model is left alone


def test_cost_is_reported_through_the_usual_callback(gemini: ChatMemoriesGemini) -> None:
    with get_memories_callback() as cb:
        docs = MemoriesVideoLoader(LIBRARY, llm=gemini, max_concurrency=3).load()
    summaries = [d for d in docs if d.metadata["kind"] == "summary"]
    assert cb.successful_requests == sum(d.metadata["windows"] for d in summaries) == 7
    assert cb.total_tokens == sum(d.metadata["total_tokens"] for d in summaries)
    assert cb.total_cost == pytest.approx(sum(d.metadata["cost_usd"] for d in summaries))


class FailOneVideo(httpx.BaseTransport):
    """Passes requests to the emulator, except that the service "cannot fetch" one video."""

    def __init__(self, broken: str) -> None:
        self.inner = httpx.HTTPTransport()
        self.broken = broken

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if self.broken.encode() in request.content:
            body = {
                "status": "errored",
                "error": {
                    "code": "media_fetch_failed",
                    "message": "Failed to fetch media from the URL",
                },
                "choices": [],
            }
            return httpx.Response(200, json=body)
        return self.inner.handle_request(request)


TEN = [f"https://x.test/clip{i}.mp4" for i in range(10)]


def test_one_failing_video_among_ten_collect(emu: Emulator) -> None:
    client = httpx.Client(transport=FailOneVideo(TEN[4]))
    llm = ChatMemoriesGemini(api_key="k", base_url=emu.base_url, http_client=client)
    loader = MemoriesVideoLoader(TEN, llm=llm, on_error="collect")
    docs = loader.load()
    sources = {d.metadata["source"] for d in docs}
    assert sources == set(TEN) - {TEN[4]}
    [failure] = loader.failures
    assert failure.source == TEN[4] and failure.index == 4
    assert isinstance(failure.error, mc.ModelError)
    assert "Failed to fetch media" in str(failure.error)


async def test_one_failing_video_among_ten_skip_async(emu: Emulator) -> None:
    client = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport())
    llm = ChatMemoriesNova(api_key="k", base_url=emu.base_url, http_async_client=client)
    sources = [*TEN[:9], Path("/nonexistent/clip.mp4")]
    loader = MemoriesVideoLoader(sources, llm=llm, on_error="skip")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = [d async for d in loader.alazy_load()]
    assert {d.metadata["source"] for d in docs} == set(TEN[:9])
    [warning] = [w for w in caught if issubclass(w.category, VideoLoadWarning)]
    assert "/nonexistent/clip.mp4" in str(warning.message)
    assert "MemoriesInputError" in str(warning.message)
    await client.aclose()


def test_nova_answers_through_a_forced_tool_call(emu: Emulator) -> None:
    llm = ChatMemoriesNova(api_key="k", base_url=emu.base_url)
    docs = MemoriesVideoLoader("https://x.test/a.mp4", llm=llm).load()
    assert [d.metadata["kind"] for d in docs] == ["summary", "scene", "scene"]
    body = emu.requests[-1].body
    tools = body["extra_body"]["metadata"]["toolConfig"]["tools"]
    assert tools[0]["toolSpec"]["name"] == "record_video_scenes"
    assert docs[0].metadata["model"] == "nova:us.amazon.nova-lite-v1:0"


def test_a_local_file_is_uploaded_through_the_emulator(
    memories_emulator_fn: Emulator, tmp_path: Path
) -> None:
    emu = memories_emulator_fn
    clip = tmp_path / "holiday.mp4"
    clip.write_bytes(bytes(4) + b"ftypmp42" + bytes(50_000))
    llm = ChatMemoriesGemini(api_key="k", base_url=emu.base_url)
    uploader = MemoriesAssetUploader(api_key="k", base_url=emu.base_url, poll_interval=0.01)
    docs = MemoriesVideoLoader([clip, clip], llm=llm, uploader=uploader).load()
    assert {d.metadata["source"] for d in docs} == {str(clip)}
    assert len(emu.app.upload_store.assets) == 1  # the same content is uploaded once
    sent = emu.requests[-1].body["messages"][0]["content"][1]["file_uri"]
    assert "/_storage/re_" in sent and httpx.get(sent).content == clip.read_bytes()


def test_a_local_file_without_an_uploader_fails_before_any_request(
    gemini: ChatMemoriesGemini, emu: Emulator, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(bytes(4) + b"ftypmp42" + bytes(100))
    loader = MemoriesVideoLoader(["https://x.test/a.mp4", clip], llm=gemini)
    with pytest.raises(mc.MemoriesInputError, match="uploader="):
        loader.load()
    assert emu.requests == []


def test_bad_arguments_fail_at_construction(gemini: ChatMemoriesGemini) -> None:
    with pytest.raises(mc.MemoriesInputError, match="on_error"):
        MemoriesVideoLoader([], llm=gemini, on_error="ignore")  # type: ignore[arg-type]
    with pytest.raises(mc.MemoriesInputError, match="langchain_memories chat model"):
        MemoriesVideoLoader([], llm=object())  # type: ignore[arg-type]
    with pytest.raises(mc.MemoriesInputError, match=r"sources\[1\]"):
        MemoriesVideoLoader(["https://x.test/a.mp4", 42], llm=gemini)


def test_show_progress_draws_a_bar(
    gemini: ChatMemoriesGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    MemoriesVideoLoader(LIBRARY[:1], llm=gemini, show_progress=True).load()
    assert "1/1" in capsys.readouterr().err


def test_documents_serialise(gemini: ChatMemoriesGemini) -> None:
    docs = MemoriesVideoLoader(LIBRARY[:1], llm=gemini).load()
    json.dumps([d.metadata for d in docs])  # flat, JSON-ready metadata
    assert all(isinstance(v, (str, int, float)) for d in docs for v in d.metadata.values())
