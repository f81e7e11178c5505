"""Fixtures for the LlamaIndex tests: one emulator per session, models bound to it, test media."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from llama_index_memories import MemoriesMultiModal
from memories_emulator import Emulator

DATA = Path(__file__).resolve().parents[1] / "data" / "llama_index"
NOVA = "nova:us.amazon.nova-lite-v1:0"
GEMINI = "gemini:gemini-2.5-flash"
QWEN = "qwen:qwen3-vl-plus"
GPT = "gpt:gpt-4o"


@pytest.fixture(scope="session")
def _session_emulator() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def emu(_session_emulator: Emulator) -> Emulator:
    """The session emulator with an empty request record."""
    _session_emulator.reset()
    return _session_emulator


@pytest.fixture(autouse=True)
def _no_real_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests never see a real key or base URL from the environment.
    monkeypatch.delenv("MEMORIES_API_KEY", raising=False)
    monkeypatch.delenv("MEMORIES_BASE_URL", raising=False)


@pytest.fixture
def gemini(emu: Emulator) -> MemoriesMultiModal:
    return MemoriesMultiModal(model=GEMINI, api_key="sk-test-secret", base_url=emu.base_url)


@pytest.fixture
def nova(emu: Emulator) -> MemoriesMultiModal:
    return MemoriesMultiModal(model=NOVA, api_key="sk-test-secret", base_url=emu.base_url)


@pytest.fixture(params=[GEMINI, NOVA], ids=["gemini", "nova"])
def llm(request: pytest.FixtureRequest, emu: Emulator) -> MemoriesMultiModal:
    return MemoriesMultiModal(model=request.param, api_key="sk-test-secret", base_url=emu.base_url)


@pytest.fixture(params=[GEMINI, NOVA, QWEN, GPT], ids=["gemini", "nova", "qwen", "gpt"])
def any_family(request: pytest.FixtureRequest, emu: Emulator) -> MemoriesMultiModal:
    """A model of each of the four families in turn."""
    return MemoriesMultiModal(model=request.param, api_key="sk-test-secret", base_url=emu.base_url)


@pytest.fixture(scope="session")
def png_path() -> Path:
    return DATA / "pixel.png"


@pytest.fixture(scope="session")
def mp4_path() -> Path:
    return DATA / "clip.mp4"


@pytest.fixture(scope="session")
def pdf_path() -> Path:
    return DATA / "page.pdf"
