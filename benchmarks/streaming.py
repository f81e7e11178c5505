"""Streaming: time from the server's first byte to the first chunk yielded to the caller.

A MockTransport answers with the emulator's SSE shape. The clock starts when the transport hands
the response (status line and headers, the server's first bytes) to httpx, and stops when the
caller receives the first chunk with text. Raw httpx iterates lines and decodes the first
``data:`` event; everything above that is the client's own cost.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import _canned as canned
import _contenders as con
import httpx
from _floors import HEADERS
from _report import Section, Target, fmt, table
from _timing import interleaved_values, median_us

from memories_client import MemoriesClient

TARGET_US = 1000.0


class SSEServer:
    """A MockTransport that streams canned events and notes when it answered."""

    def __init__(self) -> None:
        self.events = canned.sse_events()
        self.started = 0
        self.client = httpx.Client(transport=httpx.MockTransport(self.handle))

    def _body(self) -> Iterator[bytes]:
        yield from self.events

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = httpx.Response(200, headers=canned.SSE_HEADERS, content=self._body())
        self.started = time.perf_counter_ns()
        return response


def _first_text(server: SSEServer, chunks: Iterator[Any], text: Callable[[Any], str]) -> int:
    for chunk in chunks:
        if text(chunk):
            elapsed = time.perf_counter_ns() - server.started
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
            return elapsed
    raise RuntimeError("the stream yielded no text")


def raw_contender() -> Callable[[], int]:
    server, body = SSEServer(), canned.gemini_body("text", stream=True)
    headers = {**HEADERS, "Accept": "text/event-stream"}

    def lines() -> Iterator[str]:
        with server.client.stream(
            "POST", canned.GEMINI_URL, content=body, headers=headers
        ) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    yield json.loads(line[6:])["choices"][0]["text"]

    return lambda: _first_text(server, lines(), str)


def core_contender() -> Callable[[], int]:
    server = SSEServer()
    client = MemoriesClient(
        api_key=canned.API_KEY, base_url=canned.BASE_URL, http_client=server.client
    )
    request = canned.core_request("text")
    return lambda: _first_text(server, client.stream(request), lambda c: c.text)


def langchain_contender() -> Callable[[], int]:
    server = SSEServer()
    model = con.chat_memories_gemini(http_client=server.client)
    messages = con.langchain_messages("text")
    return lambda: _first_text(server, model.stream(messages), lambda c: c.content)


def llama_contender() -> Callable[[], int]:
    server = SSEServer()
    llm = con.memories_multimodal(http_client=server.client)
    messages = con.llama_messages("text")
    return lambda: _first_text(server, llm.stream_chat(messages), lambda c: c.delta)


CONTENDERS = {
    "raw httpx iter_lines + json.loads": raw_contender,
    "core MemoriesClient.stream": core_contender,
    "ChatMemoriesGemini.stream": langchain_contender,
    "MemoriesMultiModal.stream_chat": llama_contender,
}
RAW = "raw httpx iter_lines + json.loads"


def run(*, quick: bool = False) -> Section:
    rounds, block = (5, 20) if quick else (20, 50)
    section = Section("4. Streaming: server's first byte to first chunk")
    built, missing = {}, {}
    for name, factory in CONTENDERS.items():
        try:
            contender = factory()
            contender()
            built[name] = contender
        except Exception as exc:  # reported in RESULTS.md
            missing[name] = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
    samples = interleaved_values(built, rounds=rounds, block=block)
    us = {name: median_us(s) for name, s in samples.items()}
    raw = us.get(RAW)
    section.lines += [
        f"Median of {rounds * block:,} streams per contender, interleaved; "
        f"{len(canned.sse_events())} SSE events per answer.",
        "",
    ]
    rows = [
        [
            name,
            fmt(us.get(name), digits=1),
            fmt(us[name] - raw if name in us and raw is not None else None, digits=1),
        ]
        for name in CONTENDERS
    ]
    section.lines += table(["client", "first chunk after first byte (us)", "minus raw (us)"], rows)
    for name, why in missing.items():
        section.lines.append(f"\n- {name} not measured: {why}")
    for name in ("ChatMemoriesGemini.stream", "MemoriesMultiModal.stream_chat"):
        delta = us[name] - raw if name in us and raw is not None else None
        section.targets.append(
            Target(
                f"Streaming first chunk: {name} vs raw httpx",
                f"within {TARGET_US:,.0f} us",
                f"+{fmt(delta, ' us', 0)}" if delta is not None else "n/a",
                None if delta is None else delta <= TARGET_US,
            )
        )
    return section


if __name__ == "__main__":
    result = run(quick=True)
    print("\n".join(result.lines))
    for t in result.targets:
        print(t)
