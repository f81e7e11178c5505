"""The LlamaIndex model's clients: a replaced client is not closed under a running call, and a
copy of the model has clients of its own."""

from __future__ import annotations

import gc
import json
import re
import socket
import threading
import time

from llama_index.core.llms import ChatMessage

from llama_index_memories import MemoriesMultiModal
from memories_client.emulator import Emulator

HI = [ChatMessage(role="user", content="Describe a long video in detail.")]


class SlowStreamServer:
    """Streams one event, pauses, then finishes; answers a plain request with JSON at once."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            while True:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
                while len(body) < length:
                    body += conn.recv(65536)
                if b'"stream": true' in body or b'"stream":true' in body:
                    self._stream(conn)
                else:
                    answer = json.dumps(_completion("a plain answer")).encode()
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                        b"content-length: %d\r\n\r\n%s" % (len(answer), answer)
                    )

    @staticmethod
    def _stream(conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )

        def send(payload: str) -> None:
            event = f"data: {payload}\n\n".encode()
            conn.sendall(b"%x\r\n%s\r\n" % (len(event), event))

        send(json.dumps({"id": "r", "choices": [{"index": 0, "delta": {"content": "first "}}]}))
        time.sleep(0.5)  # the test changes a field and makes another call meanwhile
        send(
            json.dumps(
                {
                    "id": "r",
                    "choices": [
                        {"index": 0, "delta": {"content": "second"}, "finish_reason": "stop"}
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
                }
            )
        )
        send("[DONE]")
        conn.sendall(b"0\r\n\r\n")


def _completion(text: str) -> dict[str, object]:
    return {
        "id": "r",
        "object": "completion",
        "status": "completed",
        "model": "gemini:gemini-2.5-flash",
        "choices": [{"index": 0, "text": text, "finish_reason": "stop"}],
        "usage": {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
    }


def test_changing_a_field_mid_stream_does_not_cut_the_stream() -> None:
    server = SlowStreamServer()
    llm = MemoriesMultiModal(api_key="k", base_url=server.base_url)
    stream = llm.stream_chat(HI)
    assert next(stream).delta == "first "
    llm.timeout = 30.0  # the next call builds a new client for the new settings...
    assert llm.chat(HI).message.content == "a plain answer"
    rest = list(stream)  # ...and the running stream still reads from the old one
    assert rest[-1].message.content == "first second"


def test_a_replaced_client_is_closed_once_nothing_uses_it() -> None:
    with Emulator() as emu:
        llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
        llm.chat(HI)
        old = llm._sync_client().http_client
        llm.timeout = 30.0
        llm.chat(HI)
        gc.collect()
        assert old.is_closed


def test_a_copy_has_its_own_clients_so_alternating_calls_reuse_connections() -> None:
    with Emulator() as emu:
        llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
        copy = llm.model_copy(update={"timeout": 30.0})
        for _ in range(5):
            llm.chat(HI)
            copy.chat(HI)
        assert emu.connections_opened == 2  # one pool each, reused, not rebuilt per call
