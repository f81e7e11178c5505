"""pytest fixtures that run the emulator.

Enable them in your root ``conftest.py`` (or a test module)::

    pytest_plugins = ["memories_client.emulator.pytest_plugin"]

Example:
    >>> def test_answer(memories_emulator):  # doctest: +SKIP
    ...     memories_emulator.reset()
    ...     client = MyClient(base_url=memories_emulator.base_url, api_key="test")
    ...     assert client.ask("Hi").startswith("Emulated answer")
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from memories_client.emulator.server import Emulator

__all__ = ["memories_emulator", "memories_emulator_fn"]


@pytest.fixture(scope="session")
def memories_emulator() -> Iterator[Emulator]:
    """One emulator for the whole session; call ``reset()`` where a test needs a clean record.

    Example:
        >>> def test_records(memories_emulator):  # doctest: +SKIP
        ...     memories_emulator.reset()
        ...     assert memories_emulator.requests == []
    """
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def memories_emulator_fn() -> Iterator[Emulator]:
    """A fresh emulator per test (own port, empty record, settings you may change).

    Example:
        >>> def test_retry(memories_emulator_fn):  # doctest: +SKIP
        ...     memories_emulator_fn.fault = "503;times=2"
    """
    with Emulator() as emulator:
        yield emulator
