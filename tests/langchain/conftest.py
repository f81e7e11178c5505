"""Fixtures for the LangChain tests: the emulator, local copies of downloaded files, no internet.

* The emulator runs once per session (``memories_emulator`` hands it to each test reset);
  ``memories_emulator_fn`` gives a test its own.
* The langchain-tests suites download a PNG and a PDF with ``httpx.get`` inside the tests. Those
  exact URLs are answered from ``tests/data/langchain/`` (see ``make_fixtures.py`` there); any
  other URL fetched that way fails loudly.
* Every test may only open TCP connections to loopback (pytest-socket ``allow_hosts``).
* langchain-tests' VCR test replays the cassettes in ``cassettes/`` (``vcr_config`` below).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.caches import InMemoryCache
from langchain_core.globals import set_llm_cache

from memories_emulator import Emulator

DATA = Path(__file__).resolve().parent.parent / "data" / "langchain"
PNG_URL = (
    "https://raw.githubusercontent.com/langchain-ai/docs/4d11d08b6b0e210bd456943f7a22febbd168b543"
    "/src/images/agentic-rag-output.png"
)
PDF_URL = "https://www.w3.org/WAI/ER/tests/xhtml/testfiles/resources/pdf/dummy.pdf"
LOCAL_FILES = {
    PNG_URL: DATA / "agentic-rag-output.png",
    PDF_URL: DATA / "dummy.pdf",
}
LOOPBACK = ["127.0.0.1", "::1", "localhost"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.allow_hosts(LOOPBACK))


def _local_response(url: Any) -> httpx.Response | None:
    path = LOCAL_FILES.get(str(url))
    if path is None:
        return None
    return httpx.Response(200, content=path.read_bytes(), request=httpx.Request("GET", str(url)))


@pytest.fixture
def local_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answer the standard suites' fixture URLs from local files; refuse any other download."""
    real_client_get = httpx.Client.get

    def fake_get(url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
        response = _local_response(url)
        if response is None:
            raise RuntimeError(f"tests have no internet; no local copy of {url}")
        return response

    def fake_client_get(self: httpx.Client, url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
        response = _local_response(url)
        if response is not None:
            return response
        return real_client_get(self, url, *args, **kwargs)

    monkeypatch.setattr(httpx, "get", fake_get)
    monkeypatch.setattr(httpx.Client, "get", fake_client_get)


@pytest.fixture
def emulator(memories_emulator: Emulator) -> Emulator:
    """The session emulator with an empty request record."""
    memories_emulator.reset()
    return memories_emulator


@pytest.fixture
def llm_cache() -> Iterator[InMemoryCache]:
    """LangChain's global LLM cache set to a fresh ``InMemoryCache``, and unset afterwards."""
    cache = InMemoryCache()
    set_llm_cache(cache)
    try:
        yield cache
    finally:
        set_llm_cache(None)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """pytest-recording's settings for langchain-tests' VCR test: the emulator's own.

    Keys and signatures are redacted, requests match whatever the emulator's port; "none" means
    a missing cassette fails instead of being recorded silently (record one with
    ``MEMORIES_RECORD=once``).
    """
    import os

    from memories_emulator.recording import vcr_config as memories_vcr_config

    return memories_vcr_config(record_mode=os.environ.get("MEMORIES_RECORD", "none"))
