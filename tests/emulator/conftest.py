"""Fixtures for the emulator's own tests: one running emulator and a raw httpx client.

These tests talk HTTP over a real socket with plain httpx, never through the project client,
so they check the emulator against the docs on its own.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

# The test modules import emulator_testlib; make that work under every pytest import mode.
sys.path.insert(0, str(Path(__file__).parent))

from emulator_testlib import KEY

from memories_emulator import Emulator


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture(autouse=True)
def _clean_emulator(emulator: Emulator) -> None:
    emulator.reset()
    emulator.fault = None
    emulator.latency = 0.0


@pytest.fixture(scope="session")
def http(emulator: Emulator) -> Iterator[httpx.Client]:
    # Session-wide: building an httpx.Client costs ~50 ms (its SSL context).
    with httpx.Client(
        base_url=emulator.base_url, headers={"Authorization": KEY}, timeout=10
    ) as client:
        yield client


@pytest.fixture
def post(http: httpx.Client) -> Callable[..., httpx.Response]:
    """POST a JSON body to a chat path (default /vu/chat/completions)."""

    def send(body: Any, path: str = "/vu/chat/completions", **kwargs: Any) -> httpx.Response:
        return http.post(path, json=body, **kwargs)

    return send
