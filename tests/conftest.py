"""Shared test setup: the bundled emulator's fixtures, and no real key in the environment."""

from __future__ import annotations

import os

import pytest

# The emulator's pytest plugin gives `memories_emulator` (session) and `memories_emulator_fn`.
pytest_plugins = ["memories_client.emulator.pytest_plugin"]


@pytest.fixture(autouse=True)
def _no_real_key(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Offline tests never see a real key or base URL (live tests opt out with the marker)."""
    if request.node.get_closest_marker("live") is None:
        monkeypatch.delenv("MEMORIES_API_KEY", raising=False)
        monkeypatch.delenv("MEMORIES_BASE_URL", raising=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("MEMORIES_API_KEY"):
        return
    skip = pytest.mark.skip(reason="live test: set MEMORIES_API_KEY to run against the real API")
    for item in items:
        if item.get_closest_marker("live") is not None:
            item.add_marker(skip)
