"""The video loader over the emulator: scenes tile the video, each inside the window asked for.

The loaders are used through their public API only; the emulator's believable scenes are what
make time windows and time filtering testable offline.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from langchain_core.documents import Document

from langchain_memories import (
    ChatMemoriesGemini,
    ChatMemoriesNova,
    MemoriesVideoLoader,
)
from llama_index_memories import MemoriesMultiModal, MemoriesVideoReader
from memories_client.video_scenes import VideoSource
from memories_emulator import Emulator, Reply

TALK = "https://example.test/ten-minute-talk.mp4"
SINTEL = "https://storage.googleapis.com/gtv-videos-bucket/sample/Sintel.mp4"
MODELS: dict[str, Any] = {
    "gemini": ChatMemoriesGemini,  # responseSchema
    "nova": ChatMemoriesNova,  # a forced tool call
}


def spans(docs: list[Document]) -> list[tuple[float, float]]:
    return sorted(
        (d.metadata["start_s"], d.metadata["end_s"]) for d in docs if d.metadata["kind"] == "scene"
    )


def assert_tiles(found: list[tuple[float, float]], start: float, end: float) -> None:
    assert found[0][0] == start and found[-1][1] == end
    assert all(a[1] == b[0] for a, b in itertools.pairwise(found))  # no gap, no overlap
    assert all(s < e for s, e in found)


@pytest.mark.parametrize("family", list(MODELS))
def test_a_ten_minute_video_in_two_minute_windows_is_tiled_window_by_window(
    memories_emulator: Emulator, family: str
) -> None:
    memories_emulator.set_video_duration(TALK, 600)
    llm = MODELS[family](api_key="k", base_url=memories_emulator.base_url)
    source = VideoSource(url=TALK, duration_s=600)
    docs = MemoriesVideoLoader([source], llm=llm, window_s=120).load()

    found = spans(docs)
    assert_tiles(found, 0, 600)
    windows = [(k * 120, (k + 1) * 120) for k in range(5)]
    # Each scene lies inside one window, and every window is tiled on its own.
    for low, high in windows:
        inside = [(s, e) for s, e in found if low <= s < high]
        assert all(e <= high for _, e in inside)
        assert_tiles(inside, low, high)
    [summary] = [d for d in docs if d.metadata["kind"] == "summary"]
    assert summary.metadata["windows"] == 5
    assert summary.metadata["end_s"] == 600
    # Five calls, each answering for its own window.
    assert len(memories_emulator.requests) == 5


def test_a_sample_video_of_known_length_is_tiled_to_its_end(memories_emulator: Emulator) -> None:
    """No length given to the loader: the emulator knows the sample's (888 s) and keeps to it."""
    llm = ChatMemoriesGemini(api_key="k", base_url=memories_emulator.base_url)
    docs = MemoriesVideoLoader([SINTEL], llm=llm).load()
    assert_tiles(spans(docs), 0, 888)
    assert (
        len({d.page_content.split(": ", 1)[1] for d in docs if d.metadata["kind"] == "scene"}) > 1
    )


def test_the_llama_index_reader_gets_the_same_tiling(memories_emulator: Emulator) -> None:
    memories_emulator.set_video_duration(TALK, 600)
    llm = MemoriesMultiModal(
        model="gemini:gemini-2.5-flash", api_key="k", base_url=memories_emulator.base_url
    )
    docs = MemoriesVideoReader(llm=llm, window_s=120).load_data(
        [VideoSource(url=TALK, duration_s=600)]
    )
    found = sorted(
        (d.metadata["start_s"], d.metadata["end_s"]) for d in docs if d.metadata["kind"] == "scene"
    )
    assert_tiles(found, 0, 600)


@pytest.mark.parametrize("family", list(MODELS))
def test_scripted_scenes_reach_the_loader_cut_to_each_window(
    memories_emulator: Emulator, family: str
) -> None:
    memories_emulator.when(media_url=TALK).always(
        Reply(
            scenes=[
                {"start_s": 0, "end_s": 100, "description": "The speaker walks on stage."},
                {"start_s": 100, "end_s": 600, "description": "Slides about video search."},
            ],
            json={"summary": "A talk."},
        )
    )
    llm = MODELS[family](api_key="k", base_url=memories_emulator.base_url)
    docs = MemoriesVideoLoader(
        [VideoSource(url=TALK, duration_s=600)], llm=llm, window_s=120
    ).load()
    found = spans(docs)
    assert found[:3] == [(0, 100), (100, 120), (120, 240)]
    assert_tiles(found, 0, 600)
    first = next(d for d in docs if d.metadata["kind"] == "scene")
    assert first.page_content.startswith("00:00-01:40: The speaker walks on stage.")
