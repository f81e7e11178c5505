"""The LlamaIndex model's clients: a replaced client is not closed under a running call, and a
copy of the model has clients of its own."""

from __future__ import annotations

import gc
import json
import socket
import time

import httpx
from llama_index.core.llms import ChatMessage
from loopback import LoopbackServer, chunk, gemini_completion

from llama_index_memories import MemoriesMultiModal
from memories_emulator import Emulator

HI = [ChatMessage(role="user", content="Describe a long video in detail.")]


class SlowStreamServer(LoopbackServer):
    """Streams one event, pauses, then finishes; answers a plain request with JSON at once."""

    def respond(self, conn: socket.socket, body: bytes) -> bool:
        if b'"stream": true' not in body and b'"stream":true' not in body:
            answer = json.dumps(gemini_completion("a plain answer")).encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\n\r\n%s" % (len(answer), answer)
            )
            return True
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        first = {"id": "r", "choices": [{"index": 0, "delta": {"content": "first "}}]}
        conn.sendall(chunk(f"data: {json.dumps(first)}\n\n".encode()))
        time.sleep(0.5)  # the test changes a field and makes another call meanwhile
        last = {
            "id": "r",
            "choices": [{"index": 0, "delta": {"content": "second"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        }
        conn.sendall(chunk(f"data: {json.dumps(last)}\n\n".encode()) + chunk(b"data: [DONE]\n\n"))
        conn.sendall(b"0\r\n\r\n")
        return True


def test_changing_a_field_mid_stream_does_not_cut_the_stream() -> None:
    with SlowStreamServer() as server:
        llm = MemoriesMultiModal(api_key="k", base_url=server.base_url)
        stream = llm.stream_chat(HI)
        assert next(stream).delta == "first "
        llm.timeout = 30.0  # the next call builds a new client for the new settings...
        assert llm.chat(HI).message.content == "a plain answer"
        rest = list(stream)  # ...and the running stream still reads from the old one
    assert rest[-1].message.content == "first second"


def test_a_replaced_client_is_closed_once_nothing_uses_it(
    httpx_pools_built: list[object],
) -> None:
    with Emulator() as emu:
        llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
        llm.chat(HI)
        (old,) = httpx_pools_built
        assert isinstance(old, httpx.Client)
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
