"""Servers in their own process, so that server and client do not share one GIL.

:class:`ServerProcess` starts a child that sends one greeting (its base URL or port) and then
answers commands over a pipe until ``stop``; its CPU time is readable from here.
:class:`EmulatorProcess` runs :class:`memories_emulator.Emulator` that way, answering
``reset`` and ``connections``, which keeps ``connections_opened`` readable from here.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

import psutil


class ServerProcess:
    """A server run by ``target(conn, *args)`` in a spawned child; ``greeting`` is its first word."""

    def __init__(self, target: Callable[..., None], *args: Any) -> None:
        context = mp.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=target, args=(child, *args), daemon=True)
        self.greeting: Any = None

    def start(self) -> None:
        self._process.start()
        if not self._conn.poll(30):
            raise RuntimeError("the server process did not start")
        self.greeting = self._conn.recv()

    def ask(self, command: str) -> Any:
        """Send a command and return the child's answer."""
        self._conn.send(command)
        return self._conn.recv()

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (user + system)."""
        times = psutil.Process(self._process.pid).cpu_times()
        return float(times.user + times.system)

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()


def _serve(conn: Connection) -> None:
    from memories_emulator import Emulator

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


class EmulatorProcess(ServerProcess):
    """``with EmulatorProcess() as emu:`` gives ``emu.base_url`` and ``emu.connections_opened``."""

    def __init__(self) -> None:
        super().__init__(_serve)
        self.base_url = ""

    def __enter__(self) -> EmulatorProcess:
        self.start()
        self.base_url = self.greeting
        return self

    def reset(self) -> None:
        self.ask("reset")

    @property
    def connections_opened(self) -> int:
        count: int = self.ask("connections")
        return count

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
