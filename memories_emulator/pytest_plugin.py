"""pytest fixtures that run the emulator, registered as a pytest plugin on installation.

Installing ``memories-integrations`` registers this module with pytest (a ``pytest11`` entry
point), so the fixtures are there in every test without a ``pytest_plugins`` line:

* ``memories_emulator``: one emulator for the whole session, handed to each test clean
  (:meth:`~memories_emulator.Emulator.reset` before and after it: no recorded requests,
  no scripted replies, no uploads, its first fault and latency settings);
* ``memories_emulator_fn``: a fresh emulator for one test (own port);
* ``memories_emulator_env`` / ``memories_emulator_fn_env``: the same, with
  ``MEMORIES_BASE_URL`` and ``MEMORIES_API_KEY`` set for the test, so code that reads them
  (every client of this package does) talks to the emulator without being told.

The emulator needs the ``emulator`` extra; without it the fixtures fail with
:class:`~memories_emulator.EmulatorExtraMissingError`, and nothing else changes
(importing this module imports neither Starlette nor uvicorn). The plugin's name is its module
name, so an existing ``pytest_plugins = ["memories_emulator.pytest_plugin"]`` line still
works (it names the same plugin); disable it with
``-p no:memories_emulator.pytest_plugin``.

Example:
    >>> def test_answer(memories_emulator):  # doctest: +SKIP
    ...     memories_emulator.queue(Reply(text="The dog enters at 0:42."))
    ...     client = MyClient(base_url=memories_emulator.base_url, api_key="test")
    ...     assert client.ask("When does the dog enter?") == "The dog enters at 0:42."
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from memories_emulator.server import Emulator

__all__ = [
    "EMULATOR_API_KEY",
    "memories_emulator",
    "memories_emulator_env",
    "memories_emulator_fn",
    "memories_emulator_fn_env",
    "memories_emulator_session",
]

EMULATOR_API_KEY = "emulator-key"
"""The key the ``*_env`` fixtures put in ``MEMORIES_API_KEY`` (the emulator takes any key)."""


def _start() -> Emulator:
    from memories_emulator import Emulator  # the ASGI stack only when a test asks

    return Emulator().start()


@pytest.fixture(scope="session")
def memories_emulator_session() -> Iterator[Emulator]:
    """The session's emulator as it is (not reset); most tests want ``memories_emulator``.

    Example:
        >>> def test_port(memories_emulator_session):  # doctest: +SKIP
        ...     assert memories_emulator_session.port > 0
    """
    emulator = _start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def memories_emulator(memories_emulator_session: Emulator) -> Iterator[Emulator]:
    """The session's emulator, clean for this test: reset before it and after it.

    Example:
        >>> def test_records(memories_emulator):  # doctest: +SKIP
        ...     assert memories_emulator.requests == []
    """
    memories_emulator_session.reset()
    yield memories_emulator_session
    memories_emulator_session.reset()


@pytest.fixture
def memories_emulator_fn() -> Iterator[Emulator]:
    """A fresh emulator for this test (own port, empty record, settings you may change).

    Example:
        >>> def test_retry(memories_emulator_fn):  # doctest: +SKIP
        ...     memories_emulator_fn.fault = "503;times=2"
    """
    emulator = _start()
    try:
        yield emulator
    finally:
        emulator.stop()


def _point_environment_at(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    monkeypatch.setenv("MEMORIES_BASE_URL", emulator.base_url)
    monkeypatch.setenv("MEMORIES_API_KEY", EMULATOR_API_KEY)
    return emulator


@pytest.fixture
def memories_emulator_env(memories_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """``memories_emulator``, with ``MEMORIES_BASE_URL`` / ``MEMORIES_API_KEY`` pointing at it.

    Example:
        >>> def test_my_app(memories_emulator_env):  # doctest: +SKIP
        ...     assert my_app.summarise("https://example.com/a.mp4")  # reads the environment
    """
    return _point_environment_at(memories_emulator, monkeypatch)


@pytest.fixture
def memories_emulator_fn_env(
    memories_emulator_fn: Emulator, monkeypatch: pytest.MonkeyPatch
) -> Emulator:
    """``memories_emulator_fn``, with the environment pointing at it.

    Example:
        >>> def test_my_app(memories_emulator_fn_env):  # doctest: +SKIP
        ...     memories_emulator_fn_env.fault = "503;times=1"
    """
    return _point_environment_at(memories_emulator_fn, monkeypatch)
