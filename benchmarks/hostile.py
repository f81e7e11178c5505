"""Figures for hostile servers: fork safety, slow-loris deadlines, memory under huge bodies.

Run with ``.venv/bin/python benchmarks/hostile.py`` (not part of ``make test``); it rewrites
the block between ``<!-- hostile:begin -->`` and ``<!-- hostile:end -->`` in
``tests/RELIABILITY.md``. Everything runs on loopback, bounded in count and time.

* **Fork**: 20 trials; in each, a warm client's process forks and parent and child call at
  once with different questions; the emulator echoes the question, so an answer delivered to
  the wrong process is seen.
* **Slow-loris**: ``timeout=1``, a server trickling one byte of headers every 0.3 s: seconds
  until the typed timeout, sync and async.
* **Memory**: a 200 MB answer, a 200 MB error page and a 200 MB SSE line without end, each in a
  fresh process (peak RSS growth, ``ru_maxrss``), against the default caps (32 MiB answer,
  64 KiB error page, 8 MiB line).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

from _report import write_marked_block

from memories_client import AsyncMemoriesClient, MemoriesClient, MemoriesError, Message
from memories_client.emulator import Emulator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the loopback servers the tests use
from loopback import LoopbackServer  # noqa: E402

DOC = ROOT / "tests" / "RELIABILITY.md"
MB = 1024 * 1024


# --------------------------------------------------------------------------- fork


def fork_trials(trials: int = 20) -> tuple[int, int]:
    """(cross-delivered answers, failed calls) over ``trials`` parent+child pairs."""
    crossed = failed = 0
    with Emulator(latency=0.05) as emu:
        for trial in range(trials):
            client = MemoriesClient(api_key="k", base_url=emu.base_url)
            client.chat(model="gemini-2.5-flash", messages=[Message.user("warm")])
            read, write = os.pipe()
            pid = os.fork()
            who = "child" if pid == 0 else "parent"
            try:
                text = client.chat(
                    model="gemini-2.5-flash", messages=[Message.user(f"{who}-{trial}")]
                ).text
                verdict = "ok" if f'"{who}-{trial}"' in text else "crossed"
            except MemoriesError:
                verdict = "failed"
            if pid == 0:
                os.write(write, verdict.encode())
                os._exit(0)
            os.close(write)
            child = os.read(read, 16).decode()
            os.close(read)
            os.waitpid(pid, 0)
            for outcome in (verdict, child):
                crossed += outcome == "crossed"
                failed += outcome == "failed"
    return crossed, failed


# --------------------------------------------------------------------------- servers


class HostileServer(LoopbackServer):
    """Serves one kind of hostile answer to every request until stopped."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__()

    def respond(self, conn: socket.socket, body: bytes) -> bool:
        if self.kind == "slow":
            head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-pad: " + b"a" * 1000
            for byte in head:
                if self.stopped.is_set():
                    break
                conn.sendall(bytes([byte]))
                time.sleep(0.3)
            return False
        size = 200 * MB
        if self.kind == "answer":
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b'content-length: %d\r\n\r\n{"id": "r", "choices": [{"text": "' % size
            )
        elif self.kind == "error":
            conn.sendall(
                b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\n"
                b"content-length: %d\r\n\r\n" % size
            )
        else:  # an SSE line that never ends
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                b"content-length: %d\r\n\r\ndata: " % size
            )
        block = b"x" * MB
        for _ in range(200):
            conn.sendall(block)
        return False


def slow_loris() -> tuple[float, float]:
    """Seconds to a typed timeout against trickled headers, sync and async (timeout=1)."""
    server = HostileServer("slow")
    try:
        started = time.monotonic()
        with contextlib.suppress(MemoriesError):
            MemoriesClient(api_key="k", base_url=server.base_url, timeout=1, max_retries=0).chat(
                model="gemini-2.5-flash", messages=[Message.user("hi")]
            )
        sync = time.monotonic() - started

        async def run() -> None:
            client = AsyncMemoriesClient(
                api_key="k", base_url=server.base_url, timeout=1, max_retries=0
            )
            with contextlib.suppress(MemoriesError):
                await client.chat(model="gemini-2.5-flash", messages=[Message.user("hi")])

        started = time.monotonic()
        asyncio.run(run())
        return sync, time.monotonic() - started
    finally:
        server.close()


def memory_case(kind: str, url: str) -> str:
    """Run in a fresh process: the peak RSS growth (MB) and the error a hostile body gives."""
    client = MemoriesClient(api_key="k", base_url=url, max_retries=0)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = "none"
    try:
        request = {"model": "gemini-2.5-flash", "messages": [Message.user("hi")]}
        if kind == "line":
            list(client.stream(**request))
        else:
            client.chat(**request)
    except MemoriesError as exc:
        error = type(exc).__name__
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return f"{grown:.1f} {error}"


def memory() -> dict[str, tuple[float, str]]:
    results = {}
    for kind in ("answer", "error", "line"):
        server = HostileServer(kind)
        try:
            out = subprocess.run(
                [sys.executable, __file__, "--memory-case", kind, server.base_url],
                capture_output=True,
                text=True,
                timeout=300,
                check=True,
            ).stdout.split()
            results[kind] = (float(out[0]), out[1])
        finally:
            server.close()
    return results


def main() -> None:
    crossed, failed = fork_trials()
    sync_s, async_s = slow_loris()
    mem = memory()
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} CPU(s), Python "
        f"{sys.version.split()[0]}, by `benchmarks/hostile.py`.",
        "",
        "| check | result |",
        "|---|---|",
        f"| fork: 20 trials, parent and child calling at once after a warm call | "
        f"{crossed} cross-delivered answers, {failed} failed calls |",
        f"| slow-loris headers (1 byte / 0.3 s), `timeout=1` | typed timeout after "
        f"{sync_s:.2f} s (sync), {async_s:.2f} s (async) |",
    ]
    names = {"answer": "200 MB answer", "error": "200 MB error page", "line": "200 MB SSE line"}
    for kind, (grown, error) in mem.items():
        lines.append(f"| {names[kind]} | peak RSS +{grown:.1f} MB, `{error}` |")
    block = "\n".join(lines)
    print(block)
    write_marked_block(DOC, "hostile", block, heading="## Hostile-server figures")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--memory-case":
        print(memory_case(sys.argv[2], sys.argv[3]))
    else:
        main()
