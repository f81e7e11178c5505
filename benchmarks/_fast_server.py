"""A fast HTTP/1.1 server on loopback, in its own process, that answers the documented bodies.

The emulator is a full ASGI app (about 1,500 requests/s on this machine): enough to compare
clients at 64 calls in flight, far too slow to show what a client does with thousands. This one
is an ``asyncio.Protocol`` that parses only the request line, ``Content-Length`` and the body,
and writes a prepared answer: the documented Gemini ``completion`` for the memories.ai paths,
an OpenAI ``chat.completion`` of the same size for ``/v1/chat/completions``. It is not the
bottleneck: ``server_cpu_seconds`` reports its CPU time, which the batch benchmark shows for
every run (its busy share of one core).

Each answer carries the request's own tag: ``#call=N`` in the request body (the question text)
comes back at the end of the answer text, so a benchmark can check that every call got its own
answer. ``delay`` answers each request that many seconds after it arrived (a slow service),
without blocking the others.
"""

from __future__ import annotations

import asyncio
import json
import re
from multiprocessing.connection import Connection

import _canned as canned
from _emulator_proc import ServerProcess

_LENGTH = re.compile(rb"(?i)\r\ncontent-length: *(\d+)")
_TAG = b"#call="
_OPENAI_PATH = b"/v1/chat/completions"


def _template(body: bytes) -> tuple[bytes, bytes]:
    """The JSON answer split where a tag goes: just after the answer text."""
    marker = json.dumps(canned.ANSWER)[1:-1].encode()
    head, found, tail = body.partition(marker)
    assert found, "the canned answer must hold the answer text"
    return head + marker, tail


def _response(head: bytes, tail: bytes, tag: bytes) -> bytes:
    body = head + tag + tail
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: fast-1\r\n"
        b"content-length: %d\r\n\r\n%s" % (len(body), body)
    )


class _Stats:
    connections = 0
    requests = 0


def _serve(conn: Connection, delay: float) -> None:
    gemini = _template(canned.GEMINI_BYTES)
    openai = _template(canned.OPENAI_BYTES)
    plain = {False: _response(*gemini, b""), True: _response(*openai, b"")}
    stats = _Stats()

    class Http(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport: asyncio.Transport = transport  # type: ignore[assignment]
            self.buffer = b""
            stats.connections += 1

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while True:
                end_of_head = self.buffer.find(b"\r\n\r\n")
                if end_of_head < 0:
                    return
                found = _LENGTH.search(self.buffer, 0, end_of_head + 2)
                end = end_of_head + 4 + (int(found.group(1)) if found else 0)
                if len(self.buffer) < end:
                    return
                request, self.buffer = self.buffer[:end], self.buffer[end:]
                stats.requests += 1
                self._answer(request, end_of_head)

        def _answer(self, request: bytes, end_of_head: int) -> None:
            is_openai = request.find(_OPENAI_PATH, 0, 200) >= 0
            at = request.find(_TAG, end_of_head)
            if at < 0:
                answer = plain[is_openai]
            else:
                stop = at + len(_TAG)
                while stop < len(request) and request[stop : stop + 1].isdigit():
                    stop += 1
                answer = _response(*(openai if is_openai else gemini), b" " + request[at:stop])
            if delay:
                asyncio.get_running_loop().call_later(delay, self._write, answer)
            else:
                self.transport.write(answer)

        def _write(self, answer: bytes) -> None:
            if not self.transport.is_closing():
                self.transport.write(answer)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Http, "127.0.0.1", 0, backlog=4096)
        conn.send(server.sockets[0].getsockname()[1])
        done = loop.create_future()

        def command() -> None:
            what = conn.recv()
            if what == "reset":
                stats.connections = stats.requests = 0
                conn.send(None)
            elif what == "stats":
                conn.send((stats.connections, stats.requests))
            elif not done.done():
                done.set_result(None)

        loop.add_reader(conn.fileno(), command)
        await done
        server.close()

    asyncio.run(main())


class FastServer(ServerProcess):
    """``with FastServer(delay=0.5) as server:`` gives ``server.base_url`` and its counters."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(_serve, delay)
        self.base_url = ""
        self.openai_base_url = ""

    def __enter__(self) -> FastServer:
        self.start()
        origin = f"http://127.0.0.1:{self.greeting}"
        self.base_url, self.openai_base_url = f"{origin}/serve/api/v2", f"{origin}/v1"
        return self

    def reset(self) -> None:
        """Zero the connection and request counters."""
        self.ask("reset")

    def stats(self) -> tuple[int, int]:
        """Connections accepted and requests answered since the last reset."""
        connections, requests = self.ask("stats")
        return int(connections), int(requests)

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
