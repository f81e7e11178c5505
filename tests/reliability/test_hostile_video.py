"""The video loader and reader against servers and files that lie, on loopback only.

Every hostile answer is served as the documented Gemini body (``choices[0].text`` holding the
structured answer) by a raw-socket server; the files are small MP4 headers built here. The
loader path may load documents or fail, but it fails only with ``MemoriesError`` subclasses,
never spends past its limits, and never yields a scene outside the video.
"""

from __future__ import annotations

import asyncio
import json
import math
import socket
import struct
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from loopback import LoopbackServer, gemini_completion

import memories_client as mc
from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova, MemoriesVideoLoader
from llama_index_memories import MemoriesMultiModal, MemoriesVideoReader
from memories_client.video_scenes import (
    DEFAULT_MAX_WINDOWS,
    BudgetExceededError,
    SceneOptions,
    TooManyWindowsError,
    VideoSource,
    estimate_videos,
)
from memories_emulator import Emulator

DAY = 24 * 3600


def mp4_claiming(seconds: int, *, size: int = 1024) -> bytes:
    """A ``size``-byte MP4 whose ``mvhd`` (version 1, 64-bit) claims ``seconds``."""
    body = struct.pack(">B3x8x8xIQ", 1, 1, seconds)
    mvhd = struct.pack(">I4s", 8 + len(body), b"mvhd") + body
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    head = struct.pack(">I4s4s4x", 16, b"ftyp", b"isom") + moov
    return (head + struct.pack(">I4s", size - len(head), b"mdat")).ljust(size, b"\0")


def scene(start: Any, end: Any) -> str:
    return (
        f'{{"start_s": {start}, "end_s": {end}, "description": "d", "objects": [], '
        '"on_screen_text": [], "speech": null}'
    )


def answer(duration: Any, *scenes: str) -> str:
    return f'{{"duration_s": {duration}, "summary": "s", "scenes": [{", ".join(scenes)}]}}'


def nova_completion(arguments: str, finish: str) -> dict[str, Any]:
    """Nova's answer to a forced tool call, as the emulator shapes it: the answer is the
    arguments string (here the hostile text itself)."""
    call = {"id": "call_1", "type": "function", "function": {"name": "x", "arguments": arguments}}
    message = {"role": "assistant", "content": "", "tool_calls": [call]}
    return {
        "id": "chatcmpl_1",
        "object": "chat.completion",
        "model": "nova:us.amazon.nova-lite-v1:0",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


class Answers(LoopbackServer):
    """Answers every chat request with the same body; counts the requests."""

    def __init__(
        self, text: str, finish: str = "stop", usage: Any = None, *, nova: bool = False
    ) -> None:
        body = nova_completion(text, finish) if nova else gemini_completion(text)
        if not nova:
            body["choices"][0]["finish_reason"] = finish
        if usage is not None:
            body["usage"] = usage
        self.payload = json.dumps(body).encode()
        self.requests = 0
        self.lock = threading.Lock()
        super().__init__()

    def respond(self, conn: socket.socket, body: bytes) -> bool:
        with self.lock:
            self.requests += 1
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
            % (len(self.payload), self.payload)
        )
        return True


HOSTILE: dict[str, tuple[Any, ...]] = {
    # The answer says 60 s; its scenes say otherwise.
    "scenes past a 60 s answer": (answer(60, scene(0, 1e308), scene(10, 2e9), scene(2e9, 3e9)),),
    "claims 3,000,000 s, cut off": ('```json\n{"duration_s": 3000000, "summary": "A', "length"),
    "claims 1e999 s, cut off": ('{"duration_s": 1e999, "summary": "A', "length"),
    "NaN and Infinity": (answer("NaN", scene("NaN", "Infinity"), scene("-Infinity", 5)),),
    "negative and swapped": (answer(60, scene(-50, -10), scene(40, 20), scene(-5, 5)),),
    "a 5,000-digit time": (answer(60, scene(0, "1" * 5000)),),
    "a 400-digit time": (answer(60, scene(0, "9" * 400)),),
    "nested 100,000 deep": ("[" * 100_000 + "]" * 100_000,),
    "scenes is a string": ('{"duration_s": 60, "summary": "s", "scenes": "many"}',),
    "scenes of numbers": ('{"duration_s": 60, "summary": "s", "scenes": [1, 2]}',),
    "not JSON": ("I cannot watch videos.",),
    "every answer cut off": ('{"summary": "A', "length"),
    "usage of 1e30 tokens": (answer(60, scene(0, 5)), "stop", {"input_tokens": 10**30}),
    "usage of strings": (answer(60, scene(0, 5)), "stop", {"input_tokens": "many"}),
    "negative usage": (answer(60, scene(0, 5)), "stop", {"input_tokens": -5}),
}


def lc_load(base_url: str, sources: Any, **options: Any) -> list[tuple[dict[str, Any], str]]:
    llm = ChatMemoriesGemini(api_key="k", base_url=base_url, max_retries=0)
    docs = MemoriesVideoLoader(sources, llm=llm, **options).load()
    return [(d.metadata, d.page_content) for d in docs]


def li_load(base_url: str, sources: Any, **options: Any) -> list[tuple[dict[str, Any], str]]:
    llm = MemoriesMultiModal(api_key="k", base_url=base_url, max_retries=0)
    docs = MemoriesVideoReader(llm=llm, **options).load_data(sources)
    return [(d.metadata, d.text) for d in docs]


def li_aload(base_url: str, sources: Any, **options: Any) -> list[tuple[dict[str, Any], str]]:
    llm = MemoriesMultiModal(api_key="k", base_url=base_url, max_retries=0)
    docs = asyncio.run(MemoriesVideoReader(llm=llm, **options).aload_data(sources))
    return [(d.metadata, d.text) for d in docs]


def lc_aload(base_url: str, sources: Any, **options: Any) -> list[tuple[dict[str, Any], str]]:
    llm = ChatMemoriesGemini(api_key="k", base_url=base_url, max_retries=0)
    loader = MemoriesVideoLoader(sources, llm=llm, **options)

    async def run() -> list[Any]:
        return [d async for d in loader.alazy_load()]

    return [(d.metadata, d.page_content) for d in asyncio.run(run())]


def lc_nova_load(base_url: str, sources: Any, **options: Any) -> list[tuple[dict[str, Any], str]]:
    llm = ChatMemoriesNova(api_key="k", base_url=base_url, max_retries=0)
    docs = MemoriesVideoLoader(sources, llm=llm, **options).load()
    return [(d.metadata, d.page_content) for d in docs]


def li_nova_load(base_url: str, sources: Any, **options: Any) -> list[tuple[dict[str, Any], str]]:
    llm = MemoriesMultiModal(model=NOVA, api_key="k", base_url=base_url, max_retries=0)
    docs = MemoriesVideoReader(llm=llm, **options).load_data(sources)
    return [(d.metadata, d.text) for d in docs]


NOVA = "nova:us.amazon.nova-lite-v1:0"
LAYERS: dict[str, Callable[..., list[tuple[dict[str, Any], str]]]] = {
    "langchain": lc_load,
    "langchain-async": lc_aload,
    "llama_index": li_load,
    "llama_index-async": li_aload,
    "langchain-nova": lc_nova_load,
    "llama_index-nova": li_nova_load,
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_answer_loads_inside_the_video_or_fails_typed(case: str, layer: str) -> None:
    failure: mc.MemoriesError | None = None
    docs: list[tuple[dict[str, Any], str]] = []
    with Answers(*HOSTILE[case], nova=layer.endswith("nova")) as server:
        try:
            docs = LAYERS[layer](server.base_url, "https://x.test/a.mp4")
        except mc.MemoriesError as error:  # anything else fails the test
            failure = error
    assert server.requests <= DEFAULT_MAX_WINDOWS
    if "3,000,000" in case:  # refused after the one call that gave the length
        assert server.requests == 1
        # Nova's cut-off tool arguments are not JSON: the client refuses the answer itself
        # (MalformedResponseError) before the loader could read a length from it.
        assert isinstance(
            failure, (mc.MalformedResponseError if "nova" in layer else TooManyWindowsError)
        )
    for metadata, _ in docs:
        for key in ("start_s", "end_s", "duration_s"):
            if key in metadata:
                assert math.isfinite(metadata[key]) and metadata[key] >= 0
        if "duration_s" in metadata:
            assert metadata["end_s"] <= metadata["duration_s"]
    if case == "scenes past a 60 s answer":
        assert [m["end_s"] for m, _ in docs] == [60.0, 60.0, 60.0]


# The 35-day file, through both layers -------------------------------------------------------


class NoUploads:
    """An uploader that must not be reached: the video is refused before its upload."""

    def upload(self, source: Any, mime_type: str | None = None, *, progress: Any = None) -> str:
        raise AssertionError("uploaded a video that should have been refused")

    async def aupload(
        self, source: Any, mime_type: str | None = None, *, progress: Any = None
    ) -> str:
        raise AssertionError("uploaded a video that should have been refused")


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    clip = tmp_path / "tiny.mp4"
    clip.write_bytes(mp4_claiming(35 * DAY))
    return clip


def loader_and_reader(
    emu: Emulator, sources: list[Any], **options: Any
) -> tuple[Callable[[], Any], Callable[[], Any], Any, Any]:
    llm = ChatMemoriesGemini(api_key="k", base_url=emu.base_url)
    loader = MemoriesVideoLoader(sources, llm=llm, uploader=NoUploads(), **options)
    mm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
    reader = MemoriesVideoReader(llm=mm, uploader=NoUploads(), **options)
    return loader.load, lambda: reader.load_data(sources), loader, reader


def test_a_35_day_header_with_defaults_makes_no_call_in_either_layer(
    emu: Emulator, tiny: Path
) -> None:
    load, read, _, _ = loader_and_reader(emu, [tiny])
    for run in (load, read):
        with pytest.raises(TooManyWindowsError) as info:
            run()
        assert info.value.calls == 6210 and info.value.max_windows == 178
    assert emu.requests == []


def test_a_35_day_header_with_max_cost_is_refused_with_nothing_spent(
    emu: Emulator, tiny: Path
) -> None:
    load, read, loader, reader = loader_and_reader(emu, [tiny], max_windows=10_000, max_cost=0.10)
    for run in (load, read):
        with pytest.raises(BudgetExceededError) as info:
            run()
        assert info.value.spent_usd == 0 and info.value.max_cost == Decimal("0.1")
        assert info.value.next_usd > Decimal("1e6")
    assert emu.requests == []
    assert loader.options.max_cost == reader.options.max_cost == 0.10
    assert loader.options.max_windows == reader.options.max_windows == 10_000


def test_estimate_shows_the_35_day_bill_without_a_request(emu: Emulator, tiny: Path) -> None:
    sources = [tiny, VideoSource(url="https://x.test/talk.mp4", duration_s=1500)]
    _, _, loader, reader = loader_and_reader(emu, sources, max_cost=0.10)
    for bill in (loader.estimate(), reader.estimate(sources)):
        assert bill.refused == (str(tiny),) and bill.videos[0].calls == 6210
        assert bill.calls == 4 and bill.within_budget is False
        assert bill.cost_usd is not None and Decimal("0.1") < bill.cost_usd < 1
    assert loader.estimate() == reader.estimate(sources)
    assert emu.requests == []


def test_max_cost_stops_both_layers_at_the_same_call(emu: Emulator) -> None:
    library = [VideoSource(url=f"https://x.test/v{i}.mp4", duration_s=600) for i in range(5)]
    per_video = estimate_videos(library[:1], "gemini:gemini-2.5-flash", SceneOptions())
    assert per_video.cost_usd is not None
    limit = per_video.cost_usd * Decimal("2.5")
    llm = ChatMemoriesGemini(api_key="k", base_url=emu.base_url)
    loader = MemoriesVideoLoader(library, llm=llm, on_error="collect", max_cost=limit)
    mm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
    reader = MemoriesVideoReader(llm=mm, on_error="collect", max_cost=limit)
    summaries = [d for d in loader.load() if d.metadata["kind"] == "summary"]
    made = len(emu.requests)
    emu.reset()
    read = [d for d in reader.load_data(library) if d.metadata["kind"] == "summary"]
    assert made == len(emu.requests) == 4  # two videos of two windows each, then refused
    assert len(summaries) == len(read) == 2
    for failures in (loader.failures, reader.failures):
        assert [f.index for f in failures] == [2, 3, 4]
        assert all(isinstance(f.error, BudgetExceededError) for f in failures)


def test_bad_limits_are_refused_at_construction_in_both_layers(emu: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="k", base_url=emu.base_url)
    mm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
    build: list[Callable[..., Any]] = [
        lambda **kw: MemoriesVideoLoader([], llm=llm, **kw),
        lambda **kw: MemoriesVideoReader(llm=mm, **kw),
    ]
    for make in build:
        for bad in ({"max_cost": -1}, {"max_cost": math.nan}, {"max_windows": 0}):
            with pytest.raises(mc.MemoriesInputError):
                make(**bad)
    unpriced = ChatMemoriesGemini(api_key="k", model="gemini:brand-new", base_url=emu.base_url)
    with pytest.raises(mc.MemoriesInputError, match="needs a price"):
        MemoriesVideoLoader([], llm=unpriced, max_cost=1)
    unpriced_mm = MemoriesMultiModal(api_key="k", model="gemini:brand-new", base_url=emu.base_url)
    with pytest.raises(mc.MemoriesInputError, match="needs a price"):
        MemoriesVideoReader(llm=unpriced_mm, max_cost=1)
