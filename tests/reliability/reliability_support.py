"""Helpers of the reliability suite: the three user-facing surfaces, one way to call them.

A *surface* is one way users reach the API: ``memories_client`` itself, LangChain's
``ChatMemoriesGemini`` / ``ChatMemoriesNova`` and LlamaIndex's ``MemoriesMultiModal``. Each
surface is driven in four *modes* (sync, async, sync streaming, async streaming) through
:func:`call`, so a fault test is written once and run over every combination.

The framework layers expose only ``max_retries`` (no backoff settings), so an autouse fixture
shrinks the core's default backoff base to a few milliseconds: retried faults then cost
milliseconds, and the *number* of attempts, which is what the tests assert, is unchanged.
``Retry-After`` delays come from the server and are not affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
from loopback import read_request

from memories_client import (
    AsyncMemoriesClient,
    ChatRequest,
    MemoriesClient,
    Message,
    RetryPolicy,
    media_from_url,
)
from memories_emulator import Emulator

KEY = "sk-mavi-RELIABILITY-do-not-leak-7c1f0e9d"
"""A recognisable fake key: the secrets tests search every output for it."""
GEMINI = "gemini:gemini-2.5-flash"
NOVA = "nova:us.amazon.nova-lite-v1:0"
VIDEO = "https://storage.googleapis.com/memories-test-data/test_1min.mp4"
QUESTION = "What happens in this clip?"

MODES = ("sync", "async", "stream", "astream")


def fault_headers(fault: str | None) -> dict[str, str]:
    return {"X-Emulator-Fault": fault} if fault else {}


# --------------------------------------------------------------------------- surfaces


@dataclass(frozen=True)
class Surface:
    """One way to reach the API; ``build`` makes a model/client for a base URL and settings."""

    name: str
    build: Callable[..., Any]
    family: str

    def __str__(self) -> str:
        return self.name


def _core(base_url: str, headers: dict[str, str], **kw: Any) -> dict[str, Any]:
    # The core surface is a dict of client settings: each call opens (and closes) its client.
    if "max_retries" in kw:
        kw["retry_policy"] = RetryPolicy(
            max_retries=kw.pop("max_retries"), initial_delay=0.005, max_delay=0.02
        )
    return {"api_key": KEY, "base_url": base_url, "default_headers": headers, **kw}


def _lc(cls_name: str, model: str) -> Callable[..., Any]:
    def build(base_url: str, headers: dict[str, str], **kw: Any) -> Any:
        import langchain_memories

        cls = getattr(langchain_memories, cls_name)
        kw.setdefault("api_key", KEY)
        return cls(model=model, base_url=base_url, default_headers=headers, **kw)

    return build


def _llama(model: str) -> Callable[..., Any]:
    def build(base_url: str, headers: dict[str, str], **kw: Any) -> Any:
        from llama_index_memories import MemoriesMultiModal

        kw.setdefault("api_key", KEY)
        return MemoriesMultiModal(model=model, base_url=base_url, default_headers=headers, **kw)

    return build


CORE = Surface("core", _core, "gemini")
LC_GEMINI = Surface("lc-gemini", _lc("ChatMemoriesGemini", GEMINI), "gemini")
LC_NOVA = Surface("lc-nova", _lc("ChatMemoriesNova", NOVA), "nova")
LLAMA = Surface("llama-gemini", _llama(GEMINI), "gemini")
LLAMA_NOVA = Surface("llama-nova", _llama(NOVA), "nova")
FRAMEWORK_SURFACES = (LC_GEMINI, LC_NOVA, LLAMA)
ALL_SURFACES = (CORE, *FRAMEWORK_SURFACES)


def _core_request(family: str) -> ChatRequest:
    return ChatRequest(
        model=GEMINI if family == "gemini" else NOVA,
        messages=[Message.system("Be brief."), Message.user(QUESTION, media_from_url(VIDEO))],
    )


def _lc_messages() -> list[Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    return [
        SystemMessage("Be brief."),
        HumanMessage(content=[{"type": "text", "text": QUESTION}, {"type": "video", "url": VIDEO}]),
    ]


def _llama_messages() -> list[Any]:
    from llama_index.core.llms import ChatMessage, TextBlock, VideoBlock

    return [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="user", blocks=[TextBlock(text=QUESTION), VideoBlock(url=VIDEO)]),
    ]


async def _acall(surface: Surface, target: Any, mode: str) -> str:
    if surface is CORE:
        settings = target
        async with AsyncMemoriesClient(**settings) as client:
            request = _core_request(surface.family)
            if mode == "async":
                return (await client.chat(request)).text
            return "".join([chunk.text async for chunk in client.stream(request)])
    if surface.name.startswith("lc-"):
        if mode == "async":
            return str((await target.ainvoke(_lc_messages())).content)
        return "".join([str(chunk.content) async for chunk in target.astream(_lc_messages())])
    if mode == "async":
        return str((await target.achat(_llama_messages())).message.content)
    stream = await target.astream_chat(_llama_messages())
    return "".join([chunk.delta or "" async for chunk in stream])


def call(surface: Surface, target: Any, mode: str) -> str:
    """Ask the standard video question through ``surface`` in ``mode``; return the answer text.

    ``target`` is what ``surface.build`` returned. Async modes run in a fresh event loop.
    """
    if mode in ("async", "astream"):
        return asyncio.run(_acall(surface, target, mode))
    if surface is CORE:
        with MemoriesClient(**target) as client:
            request = _core_request(surface.family)
            if mode == "sync":
                return client.chat(request).text
            return "".join(chunk.text for chunk in client.stream(request))
    if surface.name.startswith("lc-"):
        if mode == "sync":
            return str(target.invoke(_lc_messages()).content)
        return "".join(str(chunk.content) for chunk in target.stream(_lc_messages()))
    if mode == "sync":
        return str(target.chat(_llama_messages()).message.content)
    return "".join(chunk.delta or "" for chunk in target.stream_chat(_llama_messages()))


def iter_text(surface: Surface, target: Any) -> Iterator[str]:
    """Stream the standard question through ``surface`` (sync), yielding text pieces."""
    if surface is CORE:
        with MemoriesClient(**target) as client:
            for chunk in client.stream(_core_request(surface.family)):
                yield chunk.text
    elif surface.name.startswith("lc-"):
        for chunk in target.stream(_lc_messages()):
            yield str(chunk.content)
    else:
        for response in target.stream_chat(_llama_messages()):
            yield response.delta or ""


async def aiter_text(surface: Surface, target: Any) -> AsyncIterator[str]:
    """Stream the standard question through ``surface`` (async), yielding text pieces."""
    if surface is CORE:
        async with AsyncMemoriesClient(**target) as client:
            async for chunk in client.stream(_core_request(surface.family)):
                yield chunk.text
    elif surface.name.startswith("lc-"):
        async for chunk in target.astream(_lc_messages()):
            yield str(chunk.content)
    else:
        async for response in await target.astream_chat(_llama_messages()):
            yield response.delta or ""


def build(surface: Surface, emu: Emulator, fault: str | None = None, **kw: Any) -> Any:
    """A model (or core settings) of ``surface`` pointed at ``emu`` with ``fault`` injected."""
    return surface.build(emu.base_url, fault_headers(fault), **kw)


# --------------------------------------------------------------------------- a half-answer server


class HalfAnswerServer:
    """A raw-socket server that starts an answer, then stalls or hangs up mid-body.

    Args:
        body: ``"sse"`` (a chunked event stream of ``events`` text events) or ``"json"`` (a
            ``content-length`` JSON answer of which only the first part is sent).
        after: ``"stall"`` (keep the connection open and send nothing more until the client
            hangs up) or ``"close"`` (close the connection at once).
        events: how many SSE events to send before stalling or closing.

    It counts requests and records when a client hangs up (``disconnects``), which is how the
    tests see that cancelling or abandoning a stream really closes the connection instead of
    leaving it open. The emulator cannot do this: its faults either answer fully, cut a
    stream, or drop before any byte.
    """

    def __init__(
        self,
        body: str = "sse",
        after: str = "stall",
        events: int = 2,
        raw_events: list[bytes] | None = None,
    ) -> None:
        # raw_events: exact SSE bytes to send instead of the ``events`` text events.
        self.body, self.after, self.events = body, after, events
        self.raw_events = raw_events
        self.connections = 0
        self.requests = 0
        self.disconnects = 0
        self._cond = threading.Condition()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._closing = False
        self._clients: list[socket.socket] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> HalfAnswerServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing = True
        self._sock.close()
        for client in list(self._clients):
            with contextlib.suppress(OSError):
                client.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            with self._cond:
                self.connections += 1
            self._clients.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _send_partial(self, client: socket.socket) -> None:
        if self.body == "json":
            client.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"content-length: 400\r\nx-request-id: half-1\r\n\r\n"
                b'{"id": "resp_half", "status": "completed", "choices": [{"index": 0, "text": "Th'
            )
            return
        client.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\nx-request-id: half-1\r\n\r\n"
        )
        events = self.raw_events
        if events is None:
            events = [
                "data: {}\n\n".format(
                    json.dumps({"id": "resp_half", "choices": [{"index": 0, "text": f"part {n} "}]})
                ).encode()
                for n in range(self.events)
            ]
        for event in events:
            client.sendall(b"%x\r\n%s\r\n" % (len(event), event))

    def _serve(self, client: socket.socket) -> None:
        try:
            while read_request(client) is not None:
                with self._cond:
                    self.requests += 1
                self._send_partial(client)
                if self.after == "close":
                    return
                # Stall: wait until the client hangs up (recv returns b"" or fails).
                client.settimeout(30)
                while client.recv(65536):
                    pass
                return
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                client.close()
            with self._cond:
                self.disconnects += 1
                self._cond.notify_all()

    def wait_for_disconnects(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until ``count`` connections have ended; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self.disconnects >= count, timeout)


# --------------------------------------------------------------------------- capture + verdict

OK_BODY = {
    "id": "resp_mock",
    "object": "completion",
    "status": "completed",
    "model": GEMINI,
    "choices": [{"index": 0, "text": "ok", "finish_reason": "stop"}],
    "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2},
}


class Capture:
    """An ``httpx.MockTransport`` pair that records every request and answers a fixed body."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []

        def handler(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            self.bodies.append(bytes(request.read()))
            return httpx.Response(200, json=OK_BODY, headers={"x-request-id": "mock-1"})

        self.client = httpx.Client(transport=httpx.MockTransport(handler))

    def clear(self) -> None:
        self.requests.clear()
        self.bodies.clear()


def emulator_verdict(request: httpx.Request, body: bytes | None = None) -> str | None:
    """The emulator's own validation of a captured request, in-process: None if accepted.

    Runs exactly the checks the emulator's chat endpoint runs after fault injection:
    authentication header present, JSON content type, JSON body, then ``validate_request`` (model,
    messages, parts, ranges, metadata) for the endpoint kind of the request's path.
    """
    from memories_emulator.app import API_PREFIX, CHAT_PATHS
    from memories_emulator.checks import ApiError
    from memories_emulator.validation import validate_request

    path = request.url.path
    if path.startswith(API_PREFIX):
        path = path[len(API_PREFIX) :]
    kind = CHAT_PATHS.get(path)
    if kind is None:
        return f"404 {path}"
    if not request.headers.get("authorization", "").strip():
        return "401 missing key"
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return "415 content type"
    if body is None:
        body = request.content
    try:
        data = json.loads(body)
    except ValueError:
        return "400 request body is not valid JSON"
    try:
        validate_request(data, kind, body)
    except ApiError as exc:
        return f"{exc.status} {exc.message}"
    return None


def held_during(action: Callable[[], object]) -> tuple[float, BaseException | None]:
    """MB allocated at the peak of ``action`` (what it held, per ``tracemalloc``), and what it
    raised: ``tracemalloc`` counts every bytes object a decoder or a reader makes."""
    import tracemalloc

    tracemalloc.start()
    raised: BaseException | None = None
    try:
        action()
    except Exception as exc:
        raised = exc
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / (1024 * 1024), raised


# --------------------------------------------------------------------------- secrets


def frame_locals(error: BaseException, *, skip: str) -> Iterator[tuple[str, str, str]]:
    """(function, name, shown) for every local of every frame of ``error`` and its causes.

    What an error tracker (Sentry and the like) records of a traceback: each frame's locals, by
    repr, and a mapping's items (``httpx.Headers`` is one). Frames of the file ``skip`` (the
    test's own, which holds the key on purpose) are left out.
    """
    seen: BaseException | None = error
    while seen is not None:
        tb: TracebackType | None = seen.__traceback__
        while tb is not None:
            frame = tb.tb_frame
            if not frame.f_code.co_filename.endswith(skip):
                for name, value in frame.f_locals.items():
                    for shown in _shown(value):
                        yield frame.f_code.co_name, name, shown
            tb = tb.tb_next
        seen = seen.__cause__ or seen.__context__


def _shown(value: object, depth: int = 0) -> Iterator[str]:
    try:
        yield repr(value)
    except Exception:  # a half-built object in a frame: nothing a tracker could show either
        return
    if depth < 3 and isinstance(value, Mapping):
        for key, item in list(value.items()):
            yield repr(key)
            yield from _shown(item, depth + 1)
    elif depth < 3 and isinstance(value, (list, tuple)):
        for item in value:
            yield from _shown(item, depth + 1)
