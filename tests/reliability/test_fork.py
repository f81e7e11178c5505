"""A model used before a fork never shares pooled sockets with the forked child.

A global model that made one call, then used in a forked child (gunicorn ``--preload``, Celery
prefork, ``multiprocessing`` on Linux), used to reuse the parent's keep-alive socket: with
parent and child calling at once, answers went to the wrong process. The emulator counts TCP
connections: the child must open its own, and the parent's pool must keep working.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.llms import ChatMessage

from langchain_memories import ChatMemoriesGemini
from llama_index_memories import MemoriesMultiModal
from memories_client import AsyncMemoriesClient, MemoriesClient, Message
from memories_emulator import Emulator

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX only"),
    pytest.mark.usefixtures("async_transport"),  # each async call on httpx and on aiohttp,
]


def _core(url: str) -> Callable[[], Any]:
    client = MemoriesClient(api_key="k", base_url=url)
    return lambda: client.chat(model="gemini-2.5-flash", messages=[Message.user("hi")])


def _core_async(url: str) -> Callable[[], Any]:
    client = AsyncMemoriesClient(api_key="k", base_url=url)

    async def call() -> Any:
        return await client.chat(model="gemini-2.5-flash", messages=[Message.user("hi")])

    # One event loop for the whole test, as a worker process would keep.
    loop = asyncio.new_event_loop()
    return lambda: loop.run_until_complete(call())


def _langchain(url: str) -> Callable[[], Any]:
    llm = ChatMemoriesGemini(api_key="k", base_url=url)
    return lambda: llm.invoke("hi")


def _llamaindex(url: str) -> Callable[[], Any]:
    llm = MemoriesMultiModal(api_key="k", base_url=url)
    return lambda: llm.chat([ChatMessage(role="user", content="hi")])


SURFACES = {
    "core": _core,
    "core-async": _core_async,
    "langchain": _langchain,
    "llamaindex": _llamaindex,
}


def _in_child(call: Callable[[], Any]) -> int:
    pid = os.fork()
    if pid == 0:  # the child: no pytest machinery, just the call and an exit status
        try:
            call()
            code = 0
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_a_forked_child_opens_its_own_connection(surface: str) -> None:
    with Emulator() as emu:
        call = SURFACES[surface](emu.base_url)
        call()  # warm: the parent's pool now holds one keep-alive connection
        assert emu.connections_opened == 1
        assert _in_child(call) == 0
        assert emu.connections_opened == 2  # the child's own connection, not the parent's
        call()
        assert emu.connections_opened == 2  # the parent still reuses its pool
