"""What a video load may cost: the window cap, the dollar budget, the bill before the load.

The model here is scripted (it counts calls and answers with fixed usage); the lengths come
from small MP4 headers built in the test, from ``VideoSource(duration_s=...)`` or from the
model's own answers, any of which can lie.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import struct
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import memories_client as mc
from memories_client.catalog import FAMILIES
from memories_client.video_scenes import (
    DEFAULT_MAX_WINDOWS,
    AnswerTruncatedError,
    BudgetExceededError,
    CostLimitError,
    SceneAnswer,
    SceneCall,
    SceneOptions,
    TooManyWindowsError,
    VideoFailure,
    VideoResult,
    VideoSource,
    adescribe_videos,
    describe_videos,
    estimate_call,
    estimate_videos,
    plan_windows,
    probe_duration,
    video_sources,
    window_count,
)

DAY = 24 * 3600
FLASH = "gemini:gemini-2.5-flash"


def mp4_claiming(seconds: float, *, size: int = 1024) -> bytes:
    """A ``size``-byte MP4 whose ``mvhd`` header claims ``seconds`` (64-bit times: version 1)."""
    body = struct.pack(">B3x8x8xIQ", 1, 1, int(seconds))
    mvhd = struct.pack(">I4s", 8 + len(body), b"mvhd") + body
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    ftyp = struct.pack(">I4s4s4x", 16, b"ftyp", b"isom")
    head = ftyp + moov
    mdat = struct.pack(">I4s", size - len(head), b"mdat")
    return (head + mdat).ljust(size, b"\0")


def scene(start: float, end: float) -> dict[str, Any]:
    return {
        "start_s": start,
        "end_s": end,
        "description": "A dog runs.",
        "objects": [],
        "on_screen_text": [],
        "speech": None,
    }


class Counting:
    """A Gemini model that counts its calls; each answer is one scene and the given usage."""

    family = "gemini"
    model = FLASH

    def __init__(self, usage: mc.Usage | None = None, answer: dict[str, Any] | None = None):
        self.usage = usage or mc.Usage(1000, 100, 1100)
        self.answer = answer
        self.calls: list[SceneCall] = []
        self.lock = threading.Lock()

    def ask(self, call: SceneCall) -> SceneAnswer:
        with self.lock:
            self.calls.append(call)
        data = self.answer or {"duration_s": None, "summary": "s", "scenes": [scene(0, 1)]}
        return SceneAnswer(data=data, finish_reason="stop", usage=self.usage)

    async def aask(self, call: SceneCall) -> SceneAnswer:
        return self.ask(call)


class Uploads:
    """An uploader that counts uploads (a refused video must not even be uploaded)."""

    def __init__(self) -> None:
        self.sent = 0

    def upload(self, source: Any, mime_type: str | None = None, *, progress: Any = None) -> str:
        self.sent += 1
        return f"https://cdn.test/{self.sent}.mp4"

    async def aupload(
        self, source: Any, mime_type: str | None = None, *, progress: Any = None
    ) -> str:
        return self.upload(source, mime_type)


def load(sources: Any, model: Any, **options: Any) -> list[VideoResult]:
    return list(describe_videos(video_sources(sources), model, SceneOptions(**options)))


# The window cap ----------------------------------------------------------------------------


def test_the_default_window_cap_is_what_a_day_needs_at_the_default_window() -> None:
    options = SceneOptions()
    assert DEFAULT_MAX_WINDOWS == 178 == options.max_windows
    assert options.capacity(options.budget(FLASH)) == 487.0
    assert len(plan_windows(DAY, budget=8192, options=options) or []) == 178
    with pytest.raises(TooManyWindowsError):
        plan_windows(DAY + 487, budget=8192, options=options)


def test_a_1kb_file_claiming_35_days_is_refused_before_any_upload_or_call(tmp_path: Path) -> None:
    clip = tmp_path / "tiny.mp4"
    clip.write_bytes(mp4_claiming(35 * DAY))
    assert clip.stat().st_size == 1024 and probe_duration(clip) == 35 * DAY
    model, uploads = Counting(), Uploads()
    with pytest.raises(TooManyWindowsError) as info:
        load(clip, model, uploader=uploads)
    assert model.calls == [] and uploads.sent == 0
    error = info.value
    assert (error.calls, error.max_windows, error.duration_s) == (6210, 178, 35 * DAY)
    assert error.source == str(clip)
    assert "max_windows" in str(error) and "VideoSource(duration_s=" in str(error)
    assert isinstance(error, CostLimitError) and isinstance(error, mc.MemoriesError)


async def test_async_refuses_the_same_file_the_same_way(tmp_path: Path) -> None:
    clip = tmp_path / "tiny.mp4"
    clip.write_bytes(mp4_claiming(35 * DAY))
    model = Counting()
    sources = video_sources(clip)
    with pytest.raises(TooManyWindowsError):
        async for _ in adescribe_videos(sources, model, SceneOptions(uploader=Uploads())):
            pass
    assert model.calls == []


def test_a_header_claiming_2_to_the_40_seconds_never_builds_its_plan() -> None:
    options = SceneOptions()
    assert window_count(2.0**40, budget=8192, options=options) == 2_257_724_082
    with pytest.raises(TooManyWindowsError) as info:
        plan_windows(2.0**40, budget=8192, options=options)
    assert info.value.calls == 2_257_724_082
    model = Counting()
    with pytest.raises(TooManyWindowsError):
        load(VideoSource(data=mp4_claiming(2**40)), model, uploader=Uploads())
    assert model.calls == []


class CutOff(Counting):
    """Every whole-video answer is cut at max_tokens and claims ``claimed`` seconds."""

    def __init__(self, claimed: str) -> None:
        super().__init__()
        self.claimed = claimed

    def ask(self, call: SceneCall) -> SceneAnswer:
        with self.lock:
            self.calls.append(call)
        if call.tool_name == "record_video_duration":
            return SceneAnswer(data={"duration_s": json.loads(self.claimed)}, usage=self.usage)
        cut = '```json\n{"duration_s": ' + self.claimed + ', "summary": "A long'
        return SceneAnswer(text=cut, finish_reason="length", usage=self.usage)


def test_an_answer_claiming_3_million_seconds_is_refused_after_the_one_call() -> None:
    model = CutOff("3000000")
    with pytest.raises(TooManyWindowsError) as info:
        load("https://x.test/unknown.mp4", model)
    assert len(model.calls) == 1  # the whole-video attempt; not 6,161 windows
    assert info.value.calls == 6161 and info.value.duration_s == 3_000_000


@pytest.mark.parametrize("claimed", ["1e999", "9" * 400, "-5", "0"])
def test_an_absurd_claimed_length_is_no_length(claimed: str) -> None:
    model = CutOff(claimed)
    with pytest.raises(AnswerTruncatedError, match="its length is unknown"):
        load("https://x.test/unknown.mp4", model)
    assert (
        len(model.calls) <= 2
    )  # the attempt, then (when the cut answer says nothing) the question


def test_split_windows_count_against_the_cap() -> None:
    class AlwaysCut(Counting):
        def ask(self, call: SceneCall) -> SceneAnswer:
            with self.lock:
                self.calls.append(call)
            return SceneAnswer(text='{"summary": "a', finish_reason="length", usage=self.usage)

    model = AlwaysCut()
    source = VideoSource(url="https://x.test/a.mp4", duration_s=4000)
    with pytest.raises(TooManyWindowsError, match="split in half"):
        load(source, model, max_windows=12, min_window_s=10)
    assert len(model.calls) <= 12


# The dollar budget --------------------------------------------------------------------------


def test_max_cost_refuses_the_35_day_file_before_any_call(tmp_path: Path) -> None:
    clip = tmp_path / "tiny.mp4"
    clip.write_bytes(mp4_claiming(35 * DAY))
    model = Counting()
    with pytest.raises(BudgetExceededError) as info:
        load(clip, model, uploader=Uploads(), max_windows=10_000, max_cost=0.10)
    assert model.calls == []
    error = info.value
    assert error.spent_usd == 0 and error.max_cost == Decimal("0.1") and error.calls == 0
    # 6,210 calls, each billed 35 days of video (the figure in tests/RELIABILITY.md)
    assert round(error.next_usd, 2) == Decimal("1481794.77")  # what estimate() says
    assert "$0.0000 estimated so far" in str(error) and "estimate()" in str(error)


TEN = [VideoSource(url=f"https://x.test/clip{i}.mp4", duration_s=600) for i in range(10)]


def per_video_estimate() -> Decimal:
    bill = estimate_videos(TEN[:1], FLASH, SceneOptions())
    assert bill.cost_usd is not None and bill.calls == 2
    return bill.cost_usd


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_max_cost_stops_a_load_before_the_call_that_would_pass_it(mode: str) -> None:
    each = per_video_estimate()  # two windows of 300 s, about $0.136
    limit = each * Decimal("2.5")
    model = Counting()
    failures: list[VideoFailure] = []
    options = SceneOptions(max_cost=limit, on_error="collect", max_concurrency=4)
    sources = video_sources(TEN)
    if mode == "sync":
        results = list(describe_videos(sources, model, options, failures))
    else:

        async def run() -> list[VideoResult]:
            return [r async for r in adescribe_videos(sources, model, options, failures)]

        results = asyncio.run(run())
    assert len(results) == 2 and len(model.calls) == 4
    assert len(failures) == 8
    assert all(isinstance(f.error, BudgetExceededError) for f in failures)
    error = failures[0].error
    assert isinstance(error, BudgetExceededError)
    assert error.spent_usd <= limit < error.spent_usd + error.next_usd
    assert error.spent_usd == 2 * each and error.calls == 4


def test_an_absurd_length_in_long_windows_is_refused_with_its_figure() -> None:
    # 100 windows of 1e306 s: each call's estimate is wider than Decimal's 28 digits.
    source = VideoSource(url="https://x.test/a.mp4", duration_s=1e308)
    model = Counting()
    with pytest.raises(BudgetExceededError, match=r"would add \$789,000,"):
        load(source, model, window_s=1e306, max_cost=1)
    assert model.calls == []
    bill = estimate_videos([source], FLASH, SceneOptions(window_s=1e306, max_cost=1))
    assert "100 model call(s)" in str(bill) and bill.within_budget is False


def test_a_server_that_under_reports_usage_cannot_stretch_the_budget() -> None:
    each = per_video_estimate()
    model = Counting(usage=mc.Usage(0, 0, 0))
    with pytest.raises(BudgetExceededError):
        load(TEN, model, max_cost=each * 3)
    assert len(model.calls) == 6


def test_a_call_that_reports_more_usage_than_estimated_counts_what_it_reported() -> None:
    model = Counting(usage=mc.Usage(10_000_000, 0, 10_000_000))  # $3 a call
    with pytest.raises(BudgetExceededError) as info:
        load(TEN, model, max_cost=5, max_concurrency=1)
    assert len(model.calls) == 2  # the first video's two windows; then $6 is spent
    assert info.value.spent_usd == 6


def test_max_cost_needs_a_price_and_a_sane_number() -> None:
    with pytest.raises(mc.MemoriesInputError, match="needs a price"):
        SceneOptions(max_cost=1).check_model("gemini:brand-new")

    class Unpriced(Counting):
        model = "gemini:brand-new"

    model = Unpriced()
    with pytest.raises(mc.MemoriesInputError, match="needs a price"):
        load(TEN[:1], model, max_cost=1)
    assert model.calls == []
    for bad in (0, -1, math.nan, math.inf, "1", True, Decimal("NaN")):
        with pytest.raises(mc.MemoriesInputError, match="max_cost"):
            SceneOptions(max_cost=bad)  # type: ignore[arg-type]
    for wrong in (0, 1.5, None, True, 10_001):
        with pytest.raises(mc.MemoriesInputError, match="max_windows"):
            SceneOptions(max_windows=wrong)  # type: ignore[arg-type]
    assert SceneOptions(max_cost=0.1).cost_limit == Decimal("0.1")


# The bill before the load -------------------------------------------------------------------


def test_estimate_reads_headers_and_durations_and_calls_nothing(tmp_path: Path) -> None:
    clip = tmp_path / "tiny.mp4"
    clip.write_bytes(mp4_claiming(35 * DAY))
    sources = video_sources(
        [clip, VideoSource(url="https://x.test/a.mp4", duration_s=1500), "https://x.test/b"]
    )
    bill = estimate_videos(sources, FLASH, SceneOptions(max_cost=1))
    tiny, keynote, unknown = bill.videos
    assert tiny.calls == 6210 and tiny.refused and "max_windows" in tiny.refused
    assert tiny.duration_s == 35 * DAY
    # The figures in tests/RELIABILITY.md.
    assert round(tiny.input_tokens, -10) == 4_940_000_000_000
    assert tiny.output_tokens == 6210 * 8192 == 50_872_320
    assert tiny.cost_usd is not None and round(tiny.cost_usd, 2) == Decimal("1481794.77")
    assert keynote.calls == 4 and keynote.duration_s == 1500 and keynote.refused is None
    per_call = estimate_call(FLASH, 1500, max_tokens=8192, prompt_tokens=0)
    assert keynote.input_tokens >= 4 * per_call.input_tokens == 4 * 1500 * 263
    assert keynote.output_tokens == 4 * 8192
    assert unknown.duration_s is None and unknown.calls == 1
    assert unknown.input_tokens > 1_048_576  # the context window, the most one call can hold
    assert bill.refused == (str(clip),) and bill.unknown_length == ("https://x.test/b",)
    assert bill.calls == 5 and bill.cost_usd == keynote.cost_usd + unknown.cost_usd  # type: ignore[operator]
    assert bill.within_budget is True
    text = str(bill)
    assert "5 model call(s)" in text and "1 refused" in text and "max_cost=$1" in text


def test_an_unknown_length_under_a_budget_says_how_to_give_it() -> None:
    model = Counting()
    with pytest.raises(BudgetExceededError, match=r"length is unknown.*duration_s=") as info:
        load("https://x.test/a.mp4", model, max_cost=0.10)
    assert model.calls == [] and info.value.next_usd > Decimal("0.33")


def test_the_estimate_matches_what_the_load_reserves() -> None:
    each = per_video_estimate()
    model = Counting()
    with pytest.raises(BudgetExceededError) as info:
        load(TEN[:3], model, max_cost=each * 3 - Decimal("0.000001"))
    assert info.value.spent_usd == 2 * each  # the load counted exactly what estimate() said


def test_the_video_rate_is_the_catalog_s_one_figure() -> None:
    gemini = FAMILIES["gemini"].media_tokens
    assert gemini.video_per_second == 263 == mc.catalog.GEMINI_VIDEO_TOKENS_PER_SECOND
    assert gemini.video == 60 * gemini.video_per_second
    assert gemini.video_tokens(1e300) > 10**302  # exact, never inf or OverflowError
    call = estimate_call(FLASH, 60.0, max_tokens=8192, prompt_tokens=300)
    assert call.input_tokens == 60 * 263 + 300
    assert call.cost_usd == (Decimal("0.30") * call.input_tokens + Decimal("2.5") * 8192) / 10**6


# Scenes stay inside the video ---------------------------------------------------------------


def test_scenes_past_the_answered_length_are_clipped_or_dropped() -> None:
    wild = [
        scene(0, 1e308),
        scene(10, 2e9),
        scene(2e9, 3e9),
        scene(math.nan, 5),
        scene(-10, -5),
        scene(-5, math.inf),
        scene(5, 20),
    ]
    model = Counting(answer={"duration_s": 60, "summary": "s", "scenes": wild})
    [result] = load("https://x.test/a.mp4", model)
    times = [(r.metadata["start_s"], r.metadata["end_s"]) for r in result.records]
    assert times == [(0.0, 60.0), (0.0, 60.0), (5.0, 20.0), (10.0, 60.0)]
    assert all(r.metadata["duration_s"] == 60 for r in result.records)


def test_scenes_outside_their_window_are_dropped() -> None:
    model = Counting(answer={"duration_s": 900, "summary": "s", "scenes": [scene(800, 850)]})
    [result] = load(VideoSource(url="https://x.test/a.mp4", duration_s=900), model)
    # Two windows (0-450, 450-900) both describe 800-850: only the second window keeps it.
    scenes = [r.metadata for r in result.records if r.metadata["kind"] == "scene"]
    assert [(m["start_s"], m["end_s"]) for m in scenes] == [(800.0, 850.0)]


# Hostile files ------------------------------------------------------------------------------


def boxes(*parts: bytes) -> bytes:
    return b"".join(parts)


def box(kind: bytes, payload: bytes = b"", *, size: int | None = None) -> bytes:
    return struct.pack(">I4s", 8 + len(payload) if size is None else size, kind) + payload


HOSTILE_FILES = {
    "empty": b"",
    "short": b"\x00\x00",
    "size below header": box(b"moov", size=3),
    "64-bit size, no room": struct.pack(">I4s", 1, b"moov"),
    "64-bit size of 2**64-1": struct.pack(">I4sQ", 1, b"free", 2**64 - 1) + box(b"moov"),
    "zero timescale": box(b"moov", box(b"mvhd", struct.pack(">B3x4x4xII", 0, 0, 1000))),
    "truncated mvhd": box(b"moov", box(b"mvhd", b"\x00\x00")),
    "mvhd larger than moov": box(b"moov", box(b"mvhd", size=10**6)),
    "a million tiny boxes": box(b"free") * 1_000_000 + mp4_claiming(60),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_a_hostile_header_gives_a_length_or_none(name: str, tmp_path: Path) -> None:
    data = HOSTILE_FILES[name]
    path = tmp_path / "x.mp4"
    path.write_bytes(data)
    for source in (data, path):
        length = probe_duration(source)
        assert length is None or (math.isfinite(length) and length > 0)
        if name == "a million tiny boxes":  # gives up after 4,096 boxes: a read each
            assert length is None


def test_probing_something_that_is_not_a_regular_file_gives_none(tmp_path: Path) -> None:
    assert probe_duration(tmp_path) is None
    assert probe_duration("bad\0name.mp4") is None
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.mp4"
        os.mkfifo(fifo)
        found: list[float | None] = []
        # Opening a FIFO blocks until a writer comes: run in a thread, so a regression fails
        # here instead of hanging the suite.
        probe = threading.Thread(target=lambda: found.append(probe_duration(fifo)), daemon=True)
        probe.start()
        probe.join(10)
        assert found == [None]
