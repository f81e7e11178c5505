"""Every warning the package raises names the user's line, not a line inside the package.

Python's default filter shows a warning once per source line: a warning attributed to a line
inside the package would be shown once per process, whatever the call site, and would point the
user at our code. The same warning is raised at different depths (three frames below
``MemoriesClient.chat``, a dozen below ``ChatMemoriesGemini.invoke``), so each entry point is
checked on its own.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core.llms import ChatMessage

import memories_client as mc
from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova, MemoriesVideoLoader
from llama_index_memories import MemoriesMultiModal
from memories_client.video_scenes import VideoLoadWarning
from memories_emulator import Emulator

SHADOWING = {"temperature": 0.5}  # a metadata key named like a top-level field


def caught_from(call: Callable[[], Any], category: type[Warning]) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    found = [w for w in caught if issubclass(w.category, category)]
    assert found, f"no {category.__name__} was raised"
    return found


def assert_here(found: list[warnings.WarningMessage]) -> None:
    assert {Path(w.filename).name for w in found} == {Path(__file__).name}


def test_extra_body_warning_from_the_core_client(memories_emulator: Emulator) -> None:
    with mc.MemoriesClient(api_key="k", base_url=memories_emulator.base_url) as client:
        found = caught_from(
            lambda: client.chat(
                model="gemini-2.5-flash", messages=[mc.Message.user("hi")], metadata=SHADOWING
            ),
            mc.ExtraBodyWarning,
        )
    assert_here(found)


def test_extra_body_warning_from_the_async_core_client(memories_emulator: Emulator) -> None:
    async def main() -> None:
        async with mc.AsyncMemoriesClient(api_key="k", base_url=memories_emulator.base_url) as c:
            await c.chat(
                model="nova:us.amazon.nova-lite-v1:0",
                messages=[mc.Message.user("hi")],
                metadata=SHADOWING,
            )

    assert_here(caught_from(lambda: asyncio.run(main()), mc.ExtraBodyWarning))


@pytest.mark.parametrize("cls", [ChatMemoriesGemini, ChatMemoriesNova])
def test_extra_body_warning_from_langchain_invoke(
    memories_emulator: Emulator, cls: type[ChatMemoriesGemini]
) -> None:
    with cls(api_key="k", base_url=memories_emulator.base_url) as llm:
        found = caught_from(lambda: llm.invoke("hi", extra_body=SHADOWING), mc.ExtraBodyWarning)
    assert_here(found)


def test_extra_body_warning_from_llama_index_chat(memories_emulator: Emulator) -> None:
    llm = MemoriesMultiModal(api_key="k", base_url=memories_emulator.base_url, extra_body=SHADOWING)
    found = caught_from(
        lambda: llm.chat([ChatMessage(role="user", content="hi")]), mc.ExtraBodyWarning
    )
    llm.close()
    assert_here(found)


OK = {"id": "r", "status": "completed", "choices": [{"text": "ok", "index": 0}]}


def answering_ok() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, json=OK)))


@pytest.mark.parametrize(
    "call",
    [
        lambda url: mc.MemoriesClient(api_key="k", base_url=url),
        # The framework models build their client on first use, and warn then.
        lambda url: ChatMemoriesGemini(
            api_key="k", base_url=url, http_client=answering_ok()
        ).invoke("hi"),
        lambda url: MemoriesMultiModal(api_key="k", base_url=url, http_client=answering_ok()).chat(
            [ChatMessage(role="user", content="hi")]
        ),
    ],
    ids=["core", "langchain", "llama_index"],
)
def test_insecure_base_url_warning(call: Callable[[str], Any]) -> None:
    assert_here(caught_from(lambda: call("http://api.example.com"), mc.InsecureBaseURLWarning))


def test_skipped_video_warning_from_the_loader(memories_emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="k", base_url=memories_emulator.base_url)
    loader = MemoriesVideoLoader(Path("/nonexistent/clip.mp4"), llm=llm, on_error="skip")
    assert_here(caught_from(loader.load, VideoLoadWarning))


UNSENDABLE = {  # a recursive $ref: no native schema for it, so json_mode is used
    "title": "Node",
    "type": "object",
    "properties": {"child": {"$ref": "#"}},
}


@pytest.mark.parametrize(
    "call",
    [
        lambda: ChatMemoriesGemini(api_key="k").with_structured_output(UNSENDABLE),
        lambda: ChatMemoriesGemini(api_key="k").with_structured_output(
            UNSENDABLE, method="function_calling"
        ),
        lambda: ChatMemoriesNova(api_key="k").with_structured_output(
            {"title": "T", "type": "object", "properties": {}}, method="json_schema"
        ),
    ],
    ids=["gemini-unsendable", "gemini-unknown-method", "nova-unknown-method"],
)
def test_structured_output_warnings(call: Callable[[], Any]) -> None:
    assert_here(caught_from(call, UserWarning))
