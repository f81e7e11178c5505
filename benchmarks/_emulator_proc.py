"""The emulator in its own process, so that server and client do not share one GIL.

The child runs :class:`memories_client.emulator.Emulator` and answers a few commands over a pipe
(``reset``, ``connections``, ``stop``), which keeps ``connections_opened`` readable from here.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.connection import Connection
from types import TracebackType

import psutil


def _serve(conn: Connection) -> None:
    from memories_client.emulator import Emulator

    with Emulator() as emu:
        conn.send(emu.base_url)
        while True:
            command = conn.recv()
            if command == "reset":
                emu.reset()
                conn.send(None)
            elif command == "connections":
                conn.send(emu.connections_opened)
            else:
                break


class EmulatorProcess:
    """``with EmulatorProcess() as emu:`` gives ``emu.base_url`` and ``emu.connections_opened``."""

    def __init__(self) -> None:
        self._conn, child = mp.get_context("spawn").Pipe()
        self._process = mp.get_context("spawn").Process(target=_serve, args=(child,), daemon=True)
        self.base_url = ""

    def __enter__(self) -> EmulatorProcess:
        self._process.start()
        if not self._conn.poll(30):
            raise RuntimeError("the emulator process did not start")
        self.base_url = self._conn.recv()
        return self

    def cpu_seconds(self) -> float:
        """CPU time the emulator process has used so far (user + system)."""
        times = psutil.Process(self._process.pid).cpu_times()
        return float(times.user + times.system)

    def reset(self) -> None:
        self._conn.send("reset")
        self._conn.recv()

    @property
    def connections_opened(self) -> int:
        self._conn.send("connections")
        count: int = self._conn.recv()
        return count

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._conn.send("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()
