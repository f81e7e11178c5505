"""The core video routine with scripted models: windows, overflow, failures, concurrency."""

from __future__ import annotations

import asyncio
import json
import struct
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

import memories_client as mc
from memories_client.video_scenes import (
    AnswerTruncatedError,
    SceneAnswer,
    SceneCall,
    SceneOptions,
    VideoFailure,
    VideoLoadWarning,
    VideoResult,
    VideoSource,
    adescribe_videos,
    describe_videos,
    probe_duration,
    video_sources,
)


def scene(start: float, end: float, text: str = "A dog runs.") -> dict[str, Any]:
    return {
        "start_s": start,
        "end_s": end,
        "description": text,
        "objects": ["dog"],
        "on_screen_text": [],
        "speech": None,
    }


def window_of(call: SceneCall) -> tuple[float, float] | None:
    props = call.schema["properties"]["scenes"]["items"]["properties"]["start_s"]
    if "minimum" not in props:
        return None
    return props["minimum"], props["maximum"]


class Scripted:
    """A model that answers every window with one scene per 30 s of it."""

    family = "gemini"
    model = "gemini:gemini-2.5-flash"

    def __init__(self, *, fits_up_to: float = 1e9, duration: float | None = 600.0) -> None:
        self.fits_up_to = fits_up_to
        self.duration = duration
        self.calls: list[SceneCall] = []
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.fail_urls: set[str] = set()
        self.delay = 0.0

    def answer(self, call: SceneCall) -> SceneAnswer:
        with self.lock:
            self.calls.append(call)
        if call.video.url in self.fail_urls:
            raise mc.ModelError("the backend could not fetch the video", status=200)
        usage = mc.Usage(1000, 100, 1100)
        if call.tool_name == "record_video_duration":
            return SceneAnswer(data={"duration_s": self.duration}, usage=usage)
        window = window_of(call)
        low, high = window if window is not None else (0.0, self.duration or 600.0)
        if high - low > self.fits_up_to:
            cut = '```json\n{"duration_s": %s, "summary": "A long' % (
                json.dumps(self.duration) if self.duration else "null"
            )
            return SceneAnswer(text=cut, finish_reason="length", usage=usage)
        scenes = [scene(t, min(t + 30, high)) for t in range(int(low), int(high), 30)]
        data = {"duration_s": self.duration, "summary": f"From {low} to {high}.", "scenes": scenes}
        return SceneAnswer(data=data, finish_reason="stop", usage=usage)

    def ask(self, call: SceneCall) -> SceneAnswer:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.delay)
            return self.answer(call)
        finally:
            with self.lock:
                self.active -= 1

    async def aask(self, call: SceneCall) -> SceneAnswer:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            await asyncio.sleep(self.delay)
            return self.answer(call)
        finally:
            with self.lock:
                self.active -= 1


def load(sources: Any, model: Scripted, **options: Any) -> list[VideoResult]:
    return list(describe_videos(video_sources(sources), model, SceneOptions(**options)))


def test_a_short_video_is_one_call_with_summary_and_scenes() -> None:
    model = Scripted()
    [result] = load(VideoSource(url="https://x.test/a.mp4", duration_s=90, title="Dog"), model)
    assert len(model.calls) == 1
    assert "the whole video" in model.calls[0].prompt
    assert model.calls[0].max_tokens == 8192
    kinds = [r.metadata["kind"] for r in result.records]
    assert kinds == ["summary", "scene", "scene", "scene"]
    first = result.records[1]
    assert (first.metadata["start_s"], first.metadata["end_s"]) == (0.0, 30.0)
    assert first.text.startswith("Dog, 00:00-00:30: A dog runs.")
    assert first.metadata["title"] == "Dog" and first.metadata["duration_s"] == 90
    assert first.metadata["input_tokens"] == 1000 and first.metadata["cost_usd"] > 0
    assert first.metadata["model"] == "gemini:gemini-2.5-flash"
    assert result.records[0].id.endswith("-summary")
    assert first.id.endswith("-scene-0000")


def test_a_long_video_of_known_length_is_asked_in_windows_up_front() -> None:
    model = Scripted()
    [result] = load(VideoSource(url="https://x.test/long.mp4", duration_s=1500), model)
    windows = sorted(window_of(c) for c in model.calls)
    assert windows == [(0.0, 375.0), (375.0, 750.0), (750.0, 1125.0), (1125.0, 1500.0)]
    assert "00:06:15" not in model.calls[0].prompt  # minutes:seconds below an hour
    assert any("06:15 to 12:30" in c.prompt for c in model.calls)
    starts = [r.metadata["start_s"] for r in result.records if r.metadata["kind"] == "scene"]
    assert starts == sorted(starts) and starts[0] == 0 and starts[-1] >= 1125
    assert result.records[0].metadata["windows"] == 4
    assert result.calls == 4 and result.usage.input_tokens == 4000


def test_a_window_that_overflows_is_split_in_half() -> None:
    model = Scripted(fits_up_to=200)
    [result] = load(VideoSource(url="https://x.test/a.mp4", duration_s=300), model, window_s=300)
    assert sorted(window_of(c) for c in model.calls) == [(0.0, 150.0), (0.0, 300.0), (150.0, 300.0)]
    assert result.records[0].metadata["windows"] == 2


def test_unknown_length_overflow_reads_the_length_from_the_cut_answer() -> None:
    model = Scripted(fits_up_to=400, duration=1000.0)
    [result] = load("https://x.test/unknown.mp4", model)
    first, *rest = model.calls
    assert window_of(first) is None and "the whole video" in first.prompt
    assert all(window_of(c) is not None for c in rest)
    assert result.records[0].metadata["duration_s"] == 1000.0
    assert not any(c.tool_name == "record_video_duration" for c in model.calls)


def test_unknown_length_overflow_asks_for_the_length_when_the_answer_does_not_say() -> None:
    class NoLength(Scripted):
        def answer(self, call: SceneCall) -> SceneAnswer:
            out = super().answer(call)
            if out.finish_reason == "length":
                return SceneAnswer(text="```json\n{", finish_reason="length", usage=out.usage)
            return out

    model = NoLength(fits_up_to=400, duration=900.0)
    [result] = load("https://x.test/unknown.mp4", model)
    assert sum(c.tool_name == "record_video_duration" for c in model.calls) == 1
    assert result.records[0].metadata["end_s"] == 900.0


def test_too_dense_even_at_the_smallest_window_is_a_typed_error() -> None:
    model = Scripted(fits_up_to=10)
    with pytest.raises(AnswerTruncatedError, match="min_window_s"):
        load(VideoSource(url="https://x.test/a.mp4", duration_s=120), model, min_window_s=60)


def test_scenes_are_clamped_to_their_window_and_unswapped() -> None:
    class Sloppy(Scripted):
        def answer(self, call: SceneCall) -> SceneAnswer:
            data = {"duration_s": 60, "summary": "s", "scenes": [scene(50, 10), scene(-5, 90)]}
            return SceneAnswer(data=data, usage=mc.Usage(1, 1, 2))

    [result] = load(VideoSource(url="https://x.test/a.mp4", duration_s=60), Sloppy())
    times = [(r.metadata["start_s"], r.metadata["end_s"]) for r in result.records[1:]]
    assert times == [(0.0, 60.0), (10.0, 50.0)]


def test_a_complete_answer_that_is_not_the_schema_is_a_json_output_error() -> None:
    class Wrong(Scripted):
        def answer(self, call: SceneCall) -> SceneAnswer:
            return SceneAnswer(text='{"summary": 3}', finish_reason="stop")

    with pytest.raises(mc.JSONOutputError):
        load("https://x.test/a.mp4", Wrong())


SOURCES = [f"https://x.test/clip{i}.mp4" for i in range(10)]


def test_one_failing_video_among_ten_collect() -> None:
    model = Scripted()
    model.fail_urls = {SOURCES[3]}
    failures: list[VideoFailure] = []
    options = SceneOptions(on_error="collect")
    results = list(describe_videos(video_sources(SOURCES), model, options, failures))
    assert [r.source for r in results] == [s for s in SOURCES if s != SOURCES[3]]
    [failure] = failures
    assert failure.source == SOURCES[3] and failure.index == 3
    assert isinstance(failure.error, mc.ModelError)


def test_one_failing_video_among_ten_skip_warns_with_its_name() -> None:
    model = Scripted()
    model.fail_urls = {SOURCES[7]}
    with pytest.warns(VideoLoadWarning, match="clip7.mp4: ModelError"):
        results = load(SOURCES, model, on_error="skip")
    assert len(results) == 9


def test_raise_stops_at_the_failure_with_its_typed_error() -> None:
    model = Scripted()
    model.fail_urls = {SOURCES[0]}
    with pytest.raises(mc.ModelError):
        load(SOURCES, model, max_concurrency=2)
    assert len(model.calls) < len(SOURCES)


async def test_async_one_failing_video_among_ten() -> None:
    model = Scripted()
    model.fail_urls = {SOURCES[5]}
    failures: list[VideoFailure] = []
    options = SceneOptions(on_error="collect")
    sources = video_sources(SOURCES)
    results = [r async for r in adescribe_videos(sources, model, options, failures)]
    assert len(results) == 9 and [f.index for f in failures] == [5]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_concurrency_is_bounded(mode: str) -> None:
    model = Scripted()
    model.delay = 0.05
    sources = video_sources(
        [VideoSource(url=u, duration_s=1500) for u in SOURCES]  # 4 windows each
    )
    options = SceneOptions(max_concurrency=3)
    if mode == "sync":
        results = list(describe_videos(sources, model, options))
    else:

        async def run() -> list[VideoResult]:
            return [r async for r in adescribe_videos(sources, model, options)]

        results = asyncio.run(run())
    assert len(results) == 10 and len(model.calls) == 40
    assert 2 <= model.peak <= 3


def test_a_local_file_without_an_uploader_fails_before_any_call(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(bytes(4) + b"ftypmp42" + bytes(100))
    model = Scripted()
    with pytest.raises(mc.MemoriesInputError, match="uploader="):
        load(["https://x.test/a.mp4", clip], model)
    assert model.calls == []


def test_a_missing_file_among_others_is_collected(tmp_path: Path) -> None:
    model = Scripted()
    failures: list[VideoFailure] = []
    sources = video_sources(["https://x.test/a.mp4", tmp_path / "gone.mp4"])
    options = SceneOptions(on_error="collect")
    results = list(describe_videos(sources, model, options, failures))
    assert len(results) == 1
    assert isinstance(failures[0].error, mc.MemoriesInputError)
    assert "does not exist" in str(failures[0].error)


def mp4(duration_s: float, *, moov_last: bool = False, version: int = 0) -> bytes:
    if version == 1:
        body = struct.pack(">B3x8x8xIQ", 1, 1000, int(duration_s * 1000))
    else:
        body = struct.pack(">B3x4x4xII", 0, 1000, int(duration_s * 1000))
    mvhd = struct.pack(">I4s", 8 + len(body), b"mvhd") + body
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    ftyp = struct.pack(">I4s4s4x", 16, b"ftyp", b"isom")
    mdat = struct.pack(">I4s", 8 + 4096, b"mdat") + bytes(4096)
    return ftyp + (mdat + moov if moov_last else moov + mdat)


@pytest.mark.parametrize(("moov_last", "version"), [(False, 0), (True, 0), (True, 1)])
def test_probe_duration_reads_the_mp4_header(tmp_path: Path, moov_last: bool, version: int) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(mp4(754.5, moov_last=moov_last, version=version))
    assert probe_duration(path) == 754.5
    assert probe_duration(path.read_bytes()) == 754.5


def test_probe_duration_of_something_else_is_none(tmp_path: Path) -> None:
    assert probe_duration(b"\x1a\x45\xdf\xa3 webm") is None
    assert probe_duration(tmp_path / "missing.mp4") is None


def test_source_normalisation() -> None:
    url, path, data, uri = video_sources(
        [
            "https://x.test/a.mp4",
            "clips/b.mov",
            b"\x00\x00\x00\x18ftyp",
            "data:video/mp4;base64,AAAA",
        ]
    )
    assert url.url and path.path == "clips/b.mov" and data.data and uri.base64 == "AAAA"
    assert data.label.startswith("bytes:") and len(url.video_id) == 16
    with pytest.raises(mc.MemoriesInputError, match="sources\\[0\\] is a int"):
        video_sources([3])
    with pytest.raises(mc.MemoriesInputError, match="exactly one"):
        VideoSource(url="https://x.test/a.mp4", path="a.mp4")
    with pytest.raises(mc.MemoriesInputError, match="set by the loader"):
        VideoSource(url="https://x.test/a.mp4", metadata={"kind": "x"})
    with pytest.raises(mc.MemoriesInputError, match="ftp"):
        video_sources("ftp://x.test/a.mp4")


def test_options_are_checked() -> None:
    with pytest.raises(mc.MemoriesInputError, match="on_error"):
        SceneOptions(on_error="ignore")  # type: ignore[arg-type]
    with pytest.raises(mc.MemoriesInputError, match="max_concurrency"):
        SceneOptions(max_concurrency=0)
    with pytest.raises(mc.MemoriesInputError, match="summary"):
        SceneOptions(schema={"type": "object", "properties": {"scenes": {"type": "array"}}})
    with pytest.raises(mc.MemoriesInputError, match="uploader"):
        SceneOptions(uploader=object())  # type: ignore[arg-type]


def test_a_custom_schema_and_prompt() -> None:
    from pydantic import BaseModel

    class Shot(BaseModel):
        start_s: float
        end_s: float
        mood: str

    class Shots(BaseModel):
        summary: str
        scenes: list[Shot]

    class Moody(Scripted):
        def answer(self, call: SceneCall) -> SceneAnswer:
            assert call.prompt.startswith("List the shots of the whole video")
            return SceneAnswer(
                data={"summary": "s", "scenes": [{"start_s": 1, "end_s": 2, "mood": "calm"}]}
            )

    [result] = load(
        "https://x.test/a.mp4", Moody(), schema=Shots, prompt="List the shots of {window}."
    )
    assert result.records[1].text == "00:01-00:02:\nMood: calm"


def test_the_answer_budget_honours_the_catalog_and_the_option() -> None:
    assert SceneOptions().budget("gemini:gemini-2.0-flash") == 8192
    assert SceneOptions(max_answer_tokens=2048).budget("gemini:gemini-2.5-flash") == 2048
    assert SceneOptions().budget("gemini:some-future-model") == 8192


def test_progress_without_tqdm_warns_and_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = load("https://x.test/a.mp4", Scripted(), show_progress=True)
    assert len(results) == 1
    assert any("tqdm" in str(w.message) for w in caught)
