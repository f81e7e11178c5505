"""The cost section of docs/VIDEO_RAG.md, kept true: its example runs and its figures hold."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

import memories_client as mc
from memories_client.catalog import FAMILIES
from memories_client.integration import API_KEY_ENV, BASE_URL_ENV
from memories_client.video_scenes import (
    DEFAULT_MAX_WINDOWS,
    SceneOptions,
    VideoSource,
    estimate_videos,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "VIDEO_RAG.md"
FLASH = "gemini:gemini-2.5-flash"


def section(title: str) -> str:
    text = DOC.read_text()
    start = text.index(f"## {title}")
    return text[start : text.index("\n## ", start + 1)]


def test_the_cost_example_prints_the_bill_without_a_call(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(API_KEY_ENV, "sk-test")
    monkeypatch.setenv(BASE_URL_ENV, "http://127.0.0.1:9")  # nothing listens: no call may go
    [code] = re.findall(r"```python\n(.*?)```", section("What a load costs"), re.S)
    exec(compile(code, str(DOC), "exec"), {})
    printed = capsys.readouterr().out
    assert printed.startswith("3 video(s) with gemini:gemini-2.5-flash: 12 model call(s), ")
    assert "within max_cost=$2" in printed


def dollars(duration_s: float | None) -> tuple[int, Decimal]:
    source = VideoSource(url="https://x.test/a.mp4", duration_s=duration_s)
    [video] = estimate_videos([source], FLASH, SceneOptions()).videos
    assert video.cost_usd is not None
    return video.calls, video.cost_usd


def test_the_figures_the_doc_states() -> None:
    text = section("What a load costs")
    assert "about $0.34 a call on 2.5 Flash" in text
    assert dollars(None)[0] == 1 and round(dollars(None)[1], 2) == Decimal("0.34")
    assert "two calls, about $0.14" in text
    assert dollars(600)[0] == 2 and round(dollars(600)[1], 2) == Decimal("0.14")
    assert "one call, about $0.025" in text
    assert dollars(60)[0] == 1 and round(dollars(60)[1], 3) == Decimal("0.025")
    assert "**178**" in text and DEFAULT_MAX_WINDOWS == 178
    assert "at most 10,000" in text
    with pytest.raises(mc.MemoriesInputError, match="at most 10,000"):
        SceneOptions(max_windows=10_001)
    assert "would plan\n6,210 windows" in text
    assert dollars(35 * 24 * 3600)[0] == 6210
    for guide in ("LANGCHAIN.md", "LLAMAINDEX.md"):
        assert f"(default {DEFAULT_MAX_WINDOWS} calls a video)" in (DOC.parent / guide).read_text()
    assert "263 tokens a second" in text
    assert FAMILIES["gemini"].media_tokens.video_per_second == 263
