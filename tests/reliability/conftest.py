"""Fixtures of the reliability suite (helpers live in ``reliability_support``)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import memories_client._options
from memories_client import AsyncMemoriesClient, RetryPolicy
from memories_client._client_base import LIMITS
from memories_emulator import Emulator

TRANSPORTS = ("httpx", "aiohttp")


@pytest.fixture(params=TRANSPORTS)
def async_transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test on each async transport: every pool the async client creates uses it.

    Modules whose tests make real async calls use it (``pytestmark``); with ``"aiohttp"``,
    every pool an ``AsyncMemoriesClient`` creates (the core's, LangChain's and LlamaIndex's
    models') is the one ``async_transport="aiohttp"`` builds.
    """
    if request.param == "aiohttp":
        from memories_client._aiohttp import aiohttp_client

        monkeypatch.setattr(
            AsyncMemoriesClient, "_new_http_client", lambda self: aiohttp_client(LIMITS)
        )
    return str(request.param)


_SYNC_MODES = {"sync", "stream"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the aiohttp variant only where a test makes async calls (sync ones use httpx)."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        sync_only = params.get("mode") in _SYNC_MODES or (
            isinstance(params.get("call"), str) and not params["call"].startswith("async")
        )
        if params.get("async_transport") == "aiohttp" and sync_only:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exponential backoff from 5 ms instead of 500 ms (attempt counts stay the same)."""
    fast = functools.partial(RetryPolicy, initial_delay=0.005, max_delay=0.02)
    monkeypatch.setattr(memories_client._options, "RetryPolicy", fast)


@pytest.fixture
def emu(memories_emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator with a clean record, fault counters and no global fault."""
    memories_emulator.reset()
    memories_emulator.fault = None
    memories_emulator.latency = 0.0
    yield memories_emulator
    memories_emulator.fault = None
    memories_emulator.latency = 0.0


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the fuzz figures (examples per target, outcomes of known bugs) after a run."""
    lines = []
    for module in list(sys.modules.values()):
        counts = getattr(module, "FUZZ_COUNTS", None)
        if isinstance(counts, dict) and module.__name__.startswith("test_fuzz"):
            lines += [f"  {target}: {n} examples" for target, n in sorted(counts.items())]
            known = getattr(module, "KNOWN_COUNTS", {})
            lines += [f"  known bug {bug}: {n} examples" for bug, n in sorted(known.items())]
    if lines:
        terminalreporter.write_sep("-", "reliability fuzz figures")
        for line in lines:
            terminalreporter.write_line(line)
