"""The suite's property tests are deterministic unless `make fuzz` asks otherwise."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import settings


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "ci") not in ("ci", "mutate"),
    reason="make fuzz is random on purpose",
)
def test_make_test_runs_the_same_examples_every_time_and_keeps_none() -> None:
    assert settings.default.derandomize is True
    assert settings.default.database is None


def test_no_test_sets_its_own_randomness_or_database() -> None:
    # A test's own settings(derandomize=False) or database=... would override the profile.
    tests = Path(__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(tests))
        for path in tests.rglob("test_*.py")
        if path != Path(__file__).resolve()
        and re.search(r"derandomize\s*=|database\s*=", path.read_text())
    ]
    assert offenders == []
