"""Shared test setup: Hypothesis profiles, and no real key in the environment."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
from hypothesis import Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase

# Hypothesis: `make test` and CI run the same examples on every run of the same commit
# (derandomized, no example database, so a fresh clone never replays another run's finds).
# `make fuzz` selects the "fuzz" profile: random, many more examples, and a database under
# .hypothesis/ so a failure replays until fixed; turn each find into an explicit @example.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile(
    "fuzz",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    print_blob=True,
)
# `make mutate` runs the CI examples without shrinking or deadlines: one failing example kills a
# mutant, and mutated code runs slower.
settings.register_profile(
    "mutate",
    parent=settings.get_profile("ci"),
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The emulator's fixtures (`memories_emulator`, `memories_emulator_fn`, ...) come from its pytest
# plugin, registered as an entry point: no `pytest_plugins` line, so it is not registered twice.


@pytest.fixture(autouse=True)
def _no_real_key(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Offline tests never see a real key or base URL (live tests opt out with the marker)."""
    if request.node.get_closest_marker("live") is None:
        monkeypatch.delenv("MEMORIES_API_KEY", raising=False)
        monkeypatch.delenv("MEMORIES_BASE_URL", raising=False)


def _mutation_order(item: pytest.Item) -> int:
    # Unit examples, then other examples, then slow examples, then property tests (the slowest).
    if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
        return 3
    if item.get_closest_marker("slow") is not None:
        return 2
    return 0 if item.nodeid.startswith("tests/unit/") else 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("HYPOTHESIS_PROFILE") == "mutate":
        # `make mutate` stops at the first failure (-x): cheap tests first kill a mutant sooner.
        items.sort(key=_mutation_order)
    if os.environ.get("MEMORIES_API_KEY"):
        return
    skip = pytest.mark.skip(reason="live test: set MEMORIES_API_KEY to run against the real API")
    for item in items:
        if item.get_closest_marker("live") is not None:
            item.add_marker(skip)


@pytest.fixture
def httpx_pools_built(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every ``httpx.Client`` created while the test runs (to prove when pools are made)."""
    built: list[object] = []
    real = httpx.Client.__init__

    def counting(self: httpx.Client, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        real(self, *args, **kwargs)

    monkeypatch.setattr(httpx.Client, "__init__", counting)
    return built
