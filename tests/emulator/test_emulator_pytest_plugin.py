"""The pytest plugin's fixtures, enabled the way users enable them."""

from __future__ import annotations

import httpx
from emulator_testlib import KEY, gemini_body

from memories_client.emulator import Emulator

pytest_plugins = ["memories_client.emulator.pytest_plugin"]

_seen: list[Emulator] = []


def _ask(emulator: Emulator) -> httpx.Response:
    return httpx.post(
        f"{emulator.base_url}/vu/chat/completions",
        json=gemini_body(),
        headers={"Authorization": KEY},
    )


def test_session_fixture_is_running(memories_emulator: Emulator) -> None:
    memories_emulator.reset()
    assert _ask(memories_emulator).status_code == 200
    assert len(memories_emulator.requests) == 1
    _seen.append(memories_emulator)


def test_session_fixture_is_shared(memories_emulator: Emulator) -> None:
    assert memories_emulator is _seen[0]


def test_function_fixture_is_fresh(memories_emulator_fn: Emulator) -> None:
    assert memories_emulator_fn is not _seen[0]
    assert memories_emulator_fn.requests == []
    memories_emulator_fn.fault = "503;times=1"
    assert _ask(memories_emulator_fn).status_code == 503
    assert _ask(memories_emulator_fn).status_code == 200
