"""Event-loop safety: sync calls inside a running loop, many loops, and cancellation.

* Jupyter, FastAPI handlers and async agent frameworks call the *sync* API from inside a
  running event loop; that must work (no ``asyncio.run() cannot be called from a running event
  loop``, no deadlock).
* One model used from several event loops in turn (``asyncio.run`` twice, pytest's per-test
  loops) must keep working.
* Cancelling an async stream, or abandoning a sync one, must close the connection: the
  server sees the hang-up, and no task is left behind.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.llms import ChatMessage
from pydantic import BaseModel
from reliability_support import (
    ALL_SURFACES,
    FRAMEWORK_SURFACES,
    LC_GEMINI,
    LC_NOVA,
    LLAMA,
    LLAMA_NOVA,
    HalfAnswerServer,
    Surface,
    aiter_text,
    build,
    call,
    iter_text,
)

from memories_emulator import Emulator

pytestmark = pytest.mark.usefixtures("async_transport")  # async calls on httpx and aiohttp


class Scene(BaseModel):
    summary: str
    people: int


# --------------------------------------------------------------------------- sync inside a loop


@pytest.mark.parametrize("surface", FRAMEWORK_SURFACES, ids=str)
async def test_sync_calls_work_inside_a_running_event_loop(emu: Emulator, surface: Surface) -> None:
    asyncio.get_running_loop()  # we are inside a loop, like a Jupyter cell
    target = build(surface, emu)
    assert call(surface, target, "sync").startswith("Emulated answer")
    assert call(surface, target, "stream").startswith("Emulated answer")
    # ... and the async API still works on the same object, in this same loop.
    if surface.name.startswith("lc-"):
        assert str((await target.ainvoke("hi")).content).startswith("Emulated answer")
        assert len(target.batch(["a", "b", "c"])) == 3
    else:
        assert (await target.acomplete("hi")).text.startswith("Emulated answer")
        assert target.complete("hi").text.startswith("Emulated answer")


async def test_structured_output_sync_inside_a_running_event_loop(emu: Emulator) -> None:
    gemini = build(LC_GEMINI, emu)
    scene = gemini.with_structured_output(Scene).invoke("Describe the scene")
    assert isinstance(scene, Scene)
    llm = build(LLAMA, emu)
    from llama_index.core.prompts import PromptTemplate

    assert isinstance(llm.structured_predict(Scene, PromptTemplate("Describe {x}"), x="it"), Scene)


def test_one_model_across_many_event_loops(emu: Emulator) -> None:
    """``asyncio.run`` three times, plus a loop in another thread, on the same objects."""
    targets = {surface: build(surface, emu) for surface in (LC_GEMINI, LC_NOVA, LLAMA, LLAMA_NOVA)}

    async def once() -> list[str]:
        out = []
        for surface, target in targets.items():
            out.append(await _ask(surface, target))
        return out

    results = [asyncio.run(once()) for _ in range(3)]
    box: list[list[str]] = []
    thread = threading.Thread(target=lambda: box.append(asyncio.run(once())))
    thread.start()
    thread.join(30)
    results += box
    assert len(results) == 4
    assert all(text.startswith("Emulated answer") for run in results for text in run)


async def _ask(surface: Surface, target: Any) -> str:
    if surface.name.startswith("lc-"):
        return str((await target.ainvoke([HumanMessage("hi")])).content)
    return str((await target.achat([ChatMessage(role="user", content="hi")])).message.content)


async def test_concurrent_async_calls_reuse_pooled_connections(emu: Emulator) -> None:
    for surface in (LC_GEMINI, LLAMA):
        target = build(surface, emu)
        first = await asyncio.gather(*(_ask(surface, target) for _ in range(20)))
        opened = emu.connections_opened
        second = await asyncio.gather(*(_ask(surface, target) for _ in range(20)))
        assert all(t.startswith("Emulated answer") for t in first + second)
        # The second wave runs on the connections the first one opened (same loop, same pool).
        assert emu.connections_opened - opened <= 2, surface


# --------------------------------------------------------------------------- cancellation


def _pending_tasks(before: set[asyncio.Task[Any]]) -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t not in before and not t.done()]


@pytest.mark.parametrize("surface", [*ALL_SURFACES, LLAMA_NOVA], ids=str)
async def test_cancelling_an_async_stream_closes_the_connection(surface: Surface) -> None:
    with HalfAnswerServer(body="sse", after="stall") as server:
        target = surface.build(server.base_url, {}, max_retries=0, timeout=20)
        first = asyncio.Event()
        pieces: list[str] = []

        async def consume() -> None:
            async for text in aiter_text(surface, target):
                pieces.append(text)
                first.set()

        before = set(asyncio.all_tasks())
        task = asyncio.create_task(consume())
        await asyncio.wait_for(first.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pieces and pieces[0] == "part 0 "
        # The server saw the client hang up: the connection was closed, not parked in a pool.
        assert await asyncio.to_thread(server.wait_for_disconnects, 1, 5.0)
        assert server.requests == 1
        await asyncio.sleep(0.05)
        assert _pending_tasks(before) == []


@pytest.mark.parametrize("surface", [*ALL_SURFACES, LLAMA_NOVA], ids=str)
def test_abandoning_a_sync_stream_closes_the_connection(surface: Surface) -> None:
    with HalfAnswerServer(body="sse", after="stall") as server:
        target = surface.build(server.base_url, {}, max_retries=0, timeout=20)
        stream = iter_text(surface, target)
        assert next(stream) == "part 0 "
        stream.close()  # what `break` in a for loop does
        del stream
        gc.collect()
        assert server.wait_for_disconnects(1, 5.0)


@pytest.mark.parametrize("surface", FRAMEWORK_SURFACES, ids=str)
async def test_wait_for_timeout_around_a_call_cancels_it_cleanly(surface: Surface) -> None:
    """``asyncio.wait_for(model.ainvoke(...), 0.3)`` on a stalled answer: cancelled, closed."""
    with HalfAnswerServer(body="json", after="stall") as server:
        target = surface.build(server.base_url, {}, max_retries=0, timeout=20)
        before = set(asyncio.all_tasks())
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(_ask(surface, target), 0.3)
        assert await asyncio.to_thread(server.wait_for_disconnects, 1, 5.0)
        await asyncio.sleep(0.05)
        assert _pending_tasks(before) == []
