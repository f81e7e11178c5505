"""A local emulator of the memories.ai (MAVI) v2 chat-completions API.

It validates requests the way the docs describe, answers deterministically and believably (or
with the answers a test scripts: :class:`Reply`), streams, and injects faults on request, so
clients, chains and agents can be tested offline. Needs the ``emulator`` extra (``pip install
'memories-integrations[emulator]'``); ``import memories_client`` alone never imports it. See
``docs/EMULATOR.md``.

Three ways to start it:

* ``python -m memories_emulator --port 8765``
* ``with Emulator() as emu: ...`` (``emu.base_url`` is the API base)
* the pytest fixtures ``memories_emulator`` / ``memories_emulator_fn`` (and ``*_env``), which
  the installed pytest plugin provides

Example:
    >>> from memories_emulator import Emulator, Reply
    >>> with Emulator(fault="503;times=1") as emu:
    ...     _ = emu.queue(Reply(text="The dog enters at 0:42."))
    ...     print(emu.base_url.startswith("http://127.0.0.1:"))
    True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from memories_emulator.app import RecordedRequest, create_app
    from memories_emulator.script import Reply, Rule, Script, ScriptError
    from memories_emulator.server import Emulator

__all__ = [
    "Emulator",
    "EmulatorExtraMissingError",
    "RecordedRequest",
    "Reply",
    "Rule",
    "Script",
    "ScriptError",
    "create_app",
]

_LAZY = {
    "Emulator": "server",
    "RecordedRequest": "app",
    "create_app": "app",
    "Reply": "script",
    "Rule": "script",
    "Script": "script",
    "ScriptError": "script",
}
# Top-level modules of the `emulator` extra: a missing one means the extra is not installed.
_EXTRA_MODULES = frozenset({"starlette", "uvicorn", "h11", "anyio"})


class EmulatorExtraMissingError(ModuleNotFoundError):
    """The ``emulator`` extra is not installed.

    Example:
        >>> issubclass(EmulatorExtraMissingError, ImportError)
        True
    """


def __getattr__(name: str) -> Any:
    # PEP 562: the ASGI stack is imported on first use, so that a missing extra is reported as
    # such (here and by `python -m memories_emulator`) instead of a bare "No module named".
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in _EXTRA_MODULES:
            raise
        raise EmulatorExtraMissingError(
            f"the memories.ai emulator needs the 'emulator' extra ({missing} is not installed); "
            "install it with: pip install 'memories-integrations[emulator]'",
            name=exc.name,
        ) from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
