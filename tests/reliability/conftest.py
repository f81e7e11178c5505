"""Fixtures of the reliability suite (helpers live in ``reliability_support``)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import memories_client.options
from memories_client import RetryPolicy
from memories_client.emulator import Emulator


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exponential backoff from 5 ms instead of 500 ms (attempt counts stay the same)."""
    fast = functools.partial(RetryPolicy, initial_delay=0.005, max_delay=0.02)
    monkeypatch.setattr(memories_client.options, "RetryPolicy", fast)


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
