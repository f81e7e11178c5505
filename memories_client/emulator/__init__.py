"""A local emulator of the memories.ai (MAVI) v2 chat-completions API.

It validates requests the way the docs describe, answers deterministically, streams, and
injects faults on request, so clients and chains can be tested offline. Needs the ``emulator``
extra (``pip install 'memories-integrations[emulator]'``); ``import memories_client`` alone never
imports it. See ``docs/EMULATOR.md``.

Three ways to start it:

* ``python -m memories_client.emulator --port 8765``
* ``with Emulator() as emu: ...`` (``emu.base_url`` is the API base)
* the pytest fixtures ``memories_emulator`` / ``memories_emulator_fn`` from
  ``pytest_plugins = ["memories_client.emulator.pytest_plugin"]``

Example:
    >>> from memories_client.emulator import Emulator
    >>> with Emulator(fault="503;times=1") as emu:
    ...     print(emu.base_url.startswith("http://127.0.0.1:"))
    True
"""

from __future__ import annotations

from memories_client.emulator.app import RecordedRequest, create_app
from memories_client.emulator.server import Emulator

__all__ = ["Emulator", "RecordedRequest", "create_app"]
