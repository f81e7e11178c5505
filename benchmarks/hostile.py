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
* **Compressed bombs**: a body of a few KB that decodes to 1 GB, in each coding a server might
  send (``gzip, gzip`` and ``deflate, deflate``, stacked so that so few bytes can decode to
  1 GB; ``zstd``, which the client no longer asks for), as a chat answer, a stream, an error
  page, and as the asset uploader's answer and error page, sync and async, each in a fresh
  process: peak RSS growth against the cap that read has, and the error it ends in. Target:
  growth within the cap plus 20 MB, and a typed error.
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
import zlib
from collections.abc import Callable
from pathlib import Path

from _report import write_marked_block

from memories_client import AsyncMemoriesClient, MemoriesClient, MemoriesError, Message
from memories_emulator import Emulator

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


# --------------------------------------------------------------------------- compressed bombs

GB = 1024 * MB
BOMB_KINDS = {
    # kind: (status, content type, decoded prefix, cap in MB, what the cap is)
    "answer": (200, "application/json", b'{"id": "r", "choices": [{"text": "', 32, "answer"),
    "stream": (200, "text/event-stream", b"data: ", 8, "SSE line"),
    "error": (500, "text/html", b"<html><p>overloaded</p>", 0.0625, "error page"),
    "upload-answer": (
        200,
        "application/json",
        b'{"code": 200, "data": {"x": "',
        1,
        "upload answer",
    ),
    "upload-error": (503, "text/html", b"<html><p>overloaded</p>", 0.0625, "error page"),
}
BOMB_CODINGS = ("gzip, gzip", "deflate, deflate", "zstd")


def _zlib_pack(wbits: int) -> Callable[[bytes, int], bytes]:
    def pack(prefix: bytes, size: int) -> bytes:
        inner = zlib.compressobj(9, zlib.DEFLATED, wbits)
        block = b"a" * MB
        out = [inner.compress(prefix)]
        out += [inner.compress(block) for _ in range(size // MB)]
        once = b"".join(out) + inner.flush()
        outer = zlib.compressobj(9, zlib.DEFLATED, wbits)
        return outer.compress(once) + outer.flush()

    return pack


def _zstd_pack(prefix: bytes, size: int) -> bytes:
    import zstandard

    packer = zstandard.ZstdCompressor(level=19).compressobj()
    block = b"a" * MB
    out = [packer.compress(prefix)]
    out += [packer.compress(block) for _ in range(size // MB)]
    return b"".join(out) + packer.flush()


PACKERS = {
    "gzip, gzip": _zlib_pack(zlib.MAX_WBITS | 16),
    "deflate, deflate": _zlib_pack(zlib.MAX_WBITS),
    "zstd": _zstd_pack,
}


class BombServer(LoopbackServer):
    """Sends the same compressed body to every request, then closes the connection."""

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        super().__init__()

    def respond(self, conn: socket.socket, body: bytes) -> bool:
        conn.sendall(self.reply)
        return False


def bomb_case(kind: str, mode: str, url: str) -> str:
    """Run in a fresh process: peak RSS growth (MB) and the error of one bomb read."""
    from memories_client.uploads import MemoriesAssetUploader

    request = {"model": "gemini-2.5-flash", "messages": [Message.user("hi")]}
    video = bytes(4) + b"ftypmp42" + bytes(64)

    def sync() -> None:
        if kind.startswith("upload"):
            MemoriesAssetUploader(api_key="k", base_url=url, max_retries=0).upload(video)
        elif kind == "stream":
            list(MemoriesClient(api_key="k", base_url=url, max_retries=0).stream(**request))
        else:
            MemoriesClient(api_key="k", base_url=url, max_retries=0).chat(**request)

    async def run_async() -> None:
        if kind.startswith("upload"):
            await MemoriesAssetUploader(api_key="k", base_url=url, max_retries=0).aupload(video)
            return
        async with AsyncMemoriesClient(api_key="k", base_url=url, max_retries=0) as client:
            if kind == "stream":
                [chunk async for chunk in client.stream(**request)]
            else:
                await client.chat(**request)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = "none"
    try:
        sync() if mode == "sync" else asyncio.run(run_async())
    except MemoriesError as exc:
        error = type(exc).__name__
    except Exception as exc:  # an untyped error is a finding: report it as it is
        error = f"untyped:{type(exc).__name__}"
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return f"{grown:.1f} {error}"


def bombs() -> list[tuple[str, str, int, float, str, dict[str, tuple[float, str]]]]:
    """(coding, kind, wire bytes, cap MB, cap name, {mode: (growth MB, error)}) per case."""
    results = []
    for coding in BOMB_CODINGS:
        for kind, (status, ctype, prefix, cap, cap_name) in BOMB_KINDS.items():
            body = PACKERS[coding](prefix, GB)
            head = (
                f"HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-encoding: {coding}"
                f"\r\ncontent-length: {len(body)}\r\n\r\n"
            )
            server = BombServer(head.encode() + body)
            seen: dict[str, tuple[float, str]] = {}
            try:
                for mode in ("sync", "async"):
                    out = subprocess.run(
                        [sys.executable, __file__, "--bomb-case", kind, mode, server.base_url],
                        capture_output=True,
                        text=True,
                        timeout=300,
                        check=True,
                    ).stdout.split()
                    seen[mode] = (float(out[0]), out[1])
            finally:
                server.close()
            results.append((coding, kind, len(body), cap, cap_name, seen))
    return results


def bomb_lines(
    results: list[tuple[str, str, int, float, str, dict[str, tuple[float, str]]]],
) -> list[str]:
    lines = [
        "",
        "Compressed bombs: a body of a few KB that decodes to 1 GB (1,073,741,824 bytes of `a` after "
        "a JSON, SSE or HTML prefix), each read in a fresh process with the default settings; peak "
        "RSS growth (`ru_maxrss`) against the cap of that read, target: within the cap + 20 MB and a "
        "typed error. `gzip, gzip` and `deflate, deflate` are two stacked layers (one layer cannot "
        "pack 1 GB into a few KB); `zstd` is no longer asked for and is refused undecoded (an error "
        "page in it keeps its status and an empty message).",
        "",
        "| coding | read | bytes on the wire | cap | sync | async | within cap + 20 MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for coding, kind, wire, cap, cap_name, seen in results:
        cap_text = f"{cap * 1024:.0f} KiB" if cap < 1 else f"{cap:.0f} MiB"
        ok = all(
            grown <= cap * 1.048576 + 20 and not error.startswith(("none", "untyped"))
            for grown, error in seen.values()
        )
        cells = [f"+{grown:.1f} MB, `{error}`" for grown, error in (seen["sync"], seen["async"])]
        lines.append(
            f"| `{coding}` | {kind.replace('-', ' ')} | {wire / 1024:.1f} KiB | {cap_text} "
            f"({cap_name}) | {cells[0]} | {cells[1]} | {'yes' if ok else 'NO'} |"
        )
    return lines


def main() -> None:
    crossed, failed = fork_trials()
    sync_s, async_s = slow_loris()
    mem = memory()
    bomb_results = bombs()
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
    lines += bomb_lines(bomb_results)
    block = "\n".join(lines)
    print(block)
    write_marked_block(DOC, "hostile", block, heading="## Hostile-server figures")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--memory-case":
        print(memory_case(sys.argv[2], sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == "--bomb-case":
        print(bomb_case(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif sys.argv[1:] == ["--bombs"]:  # only the bomb table, printed (not written)
        print("\n".join(bomb_lines(bombs())))
    else:
        main()
