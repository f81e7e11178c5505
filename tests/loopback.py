"""Small raw-socket HTTP servers on 127.0.0.1, for what the emulator cannot produce.

The emulator answers like the service; hostile or oddly timed servers (a byte every 0.3 s, a
stream that pauses mid-answer, a 200 MB body) are written as a :class:`LoopbackServer` whose
``respond`` sends exactly the bytes a test needs. Importable from every test folder (the
folder of ``tests/conftest.py`` is on ``sys.path``) and from ``benchmarks/``.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Callable
from typing import Any

__all__ = [
    "LoopbackServer",
    "ScriptedServer",
    "chunk",
    "gemini_completion",
    "http_response",
    "read_message",
    "read_request",
]


def read_request(conn: socket.socket) -> bytes | None:
    """The body of the next request on ``conn`` (None when the client hung up)."""
    message = read_message(conn)
    return None if message is None else message[1]


def read_message(conn: socket.socket) -> tuple[bytes, bytes] | None:
    """The head (request line and headers) and body of the next request on ``conn``."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return None
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    found = re.search(rb"(?im)^content-length: *(\d+)", head)
    length = int(found.group(1)) if found else 0
    while len(body) < length:
        piece = conn.recv(65536)
        if not piece:
            return None
        body += piece
    return head, body


def chunk(data: bytes) -> bytes:
    """``data`` as one chunk of a ``transfer-encoding: chunked`` body."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def http_response(status: int, headers: dict[str, str], body: bytes) -> bytes:
    """The bytes of a whole HTTP/1.1 response with a ``content-length``."""
    lines = [f"HTTP/1.1 {status} X", f"content-length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def gemini_completion(text: str) -> dict[str, Any]:
    """A finished Gemini-shaped answer, as the documented example body has it."""
    return {
        "id": "resp_1",
        "object": "completion",
        "status": "completed",
        "model": "gemini:gemini-2.5-flash",
        "choices": [{"index": 0, "text": text, "finish_reason": "stop"}],
        "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
    }


class LoopbackServer:
    """Accepts connections in a daemon thread; ``respond`` answers each request.

    ``respond(conn, body)`` sends the answer and returns True to keep the connection for the
    client's next request, False to close it. ``stopped`` is set by :meth:`close`, so a
    trickling answer can end early.
    """

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def respond(self, conn: socket.socket, body: bytes) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        self.stopped.set()
        self._sock.close()

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            while (body := read_request(conn)) is not None:
                if not self.respond(conn, body):
                    return


class ScriptedServer(LoopbackServer):
    """Answers each request with the bytes ``answer(head, body)`` returns (None: hang up).

    The connection is kept for the client's next request; every request head is kept in
    ``heads``, so a test can see the path and headers the client sent.
    """

    def __init__(self, answer: Callable[[bytes, bytes], bytes | None]) -> None:
        self.answer = answer
        self.heads: list[bytes] = []
        super().__init__()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            while (message := read_message(conn)) is not None:
                self.heads.append(message[0])
                reply = self.answer(*message)
                if reply is None:
                    return
                conn.sendall(reply)
