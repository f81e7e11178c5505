"""All eight entry points, over a real socket to the emulator, for all four families."""

from __future__ import annotations

import asyncio

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    TextBlock,
)
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent

from llama_index_memories import MemoriesMultiModal
from memories_emulator import Emulator

HI = [ChatMessage(role="user", content="Hi there")]


@pytest.fixture
def llm(any_family: MemoriesMultiModal) -> MemoriesMultiModal:
    # The entry points run on every family (Gemini, Nova, Qwen and GPT).
    return any_family


def _expected(llm: MemoriesMultiModal, question: str) -> str:
    return (
        f"Emulated answer from {llm.model}: I received 1 text part(s), 0 image(s), 0 video(s), "
        f'0 document(s). Question: "{question}".'
    )


def _check_usage(response: ChatResponse | CompletionResponse) -> None:
    usage = response.raw["usage"]
    assert isinstance(response.raw, dict)
    assert {"prompt_tokens", "completion_tokens", "total_tokens"} <= set(usage)
    assert all(isinstance(usage[k], int) for k in ("prompt_tokens", "completion_tokens"))
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
        assert response.additional_kwargs[key] == usage[key]
    assert isinstance(response.additional_kwargs["cost_usd"], float)


def test_chat(llm: MemoriesMultiModal, emu: Emulator) -> None:
    response = llm.chat(HI)
    assert response.message.role == "assistant"
    assert response.message.content == _expected(llm, "Hi there")
    _check_usage(response)
    assert response.raw["usage"]["prompt_tokens"] == 2  # ceil(8 chars / 4)
    assert len(emu.requests) == 1


async def test_achat(llm: MemoriesMultiModal) -> None:
    response = await llm.achat(HI)
    assert response.message.content == _expected(llm, "Hi there")
    _check_usage(response)


def test_stream_chat(llm: MemoriesMultiModal, emu: Emulator) -> None:
    chunks = list(llm.stream_chat(HI))
    assert len(chunks) > 2
    assert "".join(c.delta or "" for c in chunks) == _expected(llm, "Hi there")
    assert chunks[-1].message.content == _expected(llm, "Hi there")
    _check_usage(chunks[-1])
    # Usage only on the last chunk, in the normalised spelling.
    assert all("usage" not in (c.raw or {}) for c in chunks[:-1])
    assert emu.requests[-1].body["stream"] is True


async def test_astream_chat(llm: MemoriesMultiModal) -> None:
    stream = await llm.astream_chat(HI)
    chunks = [c async for c in stream]
    assert "".join(c.delta or "" for c in chunks) == _expected(llm, "Hi there")
    _check_usage(chunks[-1])


def test_complete(llm: MemoriesMultiModal) -> None:
    response = llm.complete("Hi there")
    assert response.text == _expected(llm, "Hi there")
    _check_usage(response)


async def test_acomplete(llm: MemoriesMultiModal) -> None:
    response = await llm.acomplete("Hi there")
    assert response.text == _expected(llm, "Hi there")
    _check_usage(response)


def test_stream_complete(llm: MemoriesMultiModal) -> None:
    chunks = list(llm.stream_complete("Hi there"))
    assert "".join(c.delta or "" for c in chunks) == _expected(llm, "Hi there")
    assert chunks[-1].text == _expected(llm, "Hi there")
    _check_usage(chunks[-1])


async def test_astream_complete(llm: MemoriesMultiModal) -> None:
    chunks = [c async for c in await llm.astream_complete("Hi there")]
    assert chunks[-1].text == _expected(llm, "Hi there")
    _check_usage(chunks[-1])


def test_predict_and_stream_helpers(gemini: MemoriesMultiModal) -> None:
    from llama_index.core.prompts import PromptTemplate

    assert gemini.predict(PromptTemplate("Say {x}"), x="hi").startswith("Emulated answer")
    assert "".join(gemini.stream(PromptTemplate("Say {x}"), x="hi")).startswith("Emulated")


def test_system_prompt_and_history_go_on_the_wire(
    gemini: MemoriesMultiModal, emu: Emulator
) -> None:
    gemini.chat(
        [
            ChatMessage(role="system", content="Be brief."),
            ChatMessage(role="user", content="First"),
            ChatMessage(role="assistant", content="Answer"),
            ChatMessage(role="user", blocks=[TextBlock(text="Second"), TextBlock(text="part")]),
        ]
    )
    messages = emu.requests[-1].body["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[0]["content"] == "Be brief."
    assert messages[3]["content"] == [
        {"type": "text", "text": "Second"},
        {"type": "text", "text": "part"},
    ]


def test_per_call_options_override_instance(emu: Emulator) -> None:
    llm = MemoriesMultiModal(
        api_key="k", base_url=emu.base_url, temperature=0.2, max_tokens=50, top_p=0.9, stop="END"
    )
    llm.chat(HI, temperature=0.7, frequency_penalty=0.5, presence_penalty=-0.5)
    body = emu.requests[-1].body
    assert body["temperature"] == 0.7
    assert body["max_tokens"] == 50
    assert body["top_p"] == 0.9
    assert body["stop"] == ["END"]
    assert body["frequency_penalty"] == 0.5
    assert body["presence_penalty"] == -0.5


def test_unknown_keyword_is_refused_before_any_request(
    gemini: MemoriesMultiModal, emu: Emulator
) -> None:
    with pytest.raises(
        ValueError, match="unexpected argument 'temprature'; did you mean 'temperature'"
    ):
        gemini.chat(HI, temprature=0.1)
    assert emu.requests == []


class _Collector(BaseEventHandler):
    events: list[BaseEvent] = []

    @classmethod
    def class_name(cls) -> str:
        return "collector"

    def handle(self, event: BaseEvent, **kwargs: object) -> None:
        self.events.append(event)


@pytest.fixture
def events() -> list[BaseEvent]:
    collector = _Collector(events=[])
    root = get_dispatcher()
    root.add_event_handler(collector)
    yield collector.events
    root.event_handlers.remove(collector)


def _names(events: list[BaseEvent]) -> list[str]:
    return [e.class_name() for e in events if e.class_name().startswith("LLM")]


async def test_completion_calls_emit_only_completion_events(
    gemini: MemoriesMultiModal, events: list[BaseEvent]
) -> None:
    gemini.complete("Hi")
    list(gemini.stream_complete("Hi"))
    await gemini.acomplete("Hi")
    [c async for c in await gemini.astream_complete("Hi")]
    names = _names(events)
    assert "LLMCompletionStartEvent" in names
    assert "LLMCompletionEndEvent" in names
    assert not any(n.startswith("LLMChat") for n in names)


def test_chat_events_carry_usage_and_no_secret(
    gemini: MemoriesMultiModal, events: list[BaseEvent]
) -> None:
    gemini.chat(HI)
    end = next(e for e in events if e.class_name() == "LLMChatEndEvent")
    assert end.response.raw["usage"]["prompt_tokens"] == 2
    start = next(e for e in events if e.class_name() == "LLMChatStartEvent")
    assert "sk-test-secret" not in str(start.model_dump())


async def test_each_entry_point_runs_in_its_own_span(
    gemini: MemoriesMultiModal, events: list[BaseEvent]
) -> None:
    # The entry points are defined on the class itself, so LlamaIndex's DispatcherSpanMixin
    # wraps each in a span, as it does for its own integrations: span handlers see the call.
    gemini.chat(HI)
    await gemini.acomplete("Hi")
    spans = [e.span_id for e in events if e.class_name().endswith("StartEvent")]
    assert [s.split("-", 1)[0] for s in spans if s] == [
        "MemoriesMultiModal.chat",
        "MemoriesMultiModal.acomplete",
    ]


def test_sync_calls_work_inside_a_running_event_loop(gemini: MemoriesMultiModal) -> None:
    async def inside_loop() -> tuple[str, str, str]:
        # Jupyter and FastAPI run user code inside a loop; sync calls must not asyncio.run.
        chat = gemini.chat(HI).message.content or ""
        streamed = "".join(c.delta or "" for c in gemini.stream_chat(HI))
        completed = gemini.complete("Hi there").text
        return chat, streamed, completed

    chat, streamed, completed = asyncio.run(inside_loop())
    assert chat == streamed == completed == _expected(gemini, "Hi there")


async def test_sync_call_from_async_test(nova: MemoriesMultiModal) -> None:
    assert asyncio.get_running_loop().is_running()
    assert nova.chat(HI).message.content == _expected(nova, "Hi there")


def test_async_calls_from_several_event_loops(gemini: MemoriesMultiModal) -> None:
    # Each asyncio.run has its own loop; the client of a closed loop must not be reused.
    for _ in range(3):
        response = asyncio.run(gemini.achat(HI))
        assert response.message.content == _expected(gemini, "Hi there")


async def test_concurrent_async_calls(gemini: MemoriesMultiModal, emu: Emulator) -> None:
    responses = await asyncio.gather(*(gemini.acomplete(f"Question {i}") for i in range(8)))
    assert sorted(r.text[-4:-2] for r in responses) == sorted(f" {i}" for i in range(8))
    assert len(emu.requests) == 8


def test_caller_supplied_http_clients_are_used(emu: Emulator) -> None:
    import httpx

    seen: list[str] = []

    def hook(request: httpx.Request) -> None:
        seen.append(request.url.path)

    with httpx.Client(event_hooks={"request": [hook]}) as client:
        llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url, http_client=client)
        llm.chat(HI)
        llm.close()  # leaves the caller's client open
        llm.chat(HI)
    assert seen == ["/vu/chat/completions"] * 2

    async def run() -> None:
        async def ahook(request: httpx.Request) -> None:
            seen.append("async " + request.url.path)

        async with httpx.AsyncClient(event_hooks={"request": [ahook]}) as aclient:
            llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url, http_async_client=aclient)
            await llm.achat(HI)

    asyncio.run(run())
    assert seen[-1] == "async /vu/chat/completions"


def test_default_headers_are_sent(emu: Emulator) -> None:
    llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url, default_headers={"X-Trace": "t1"})
    llm.chat(HI)
    assert emu.requests[-1].headers["x-trace"] == "t1"
    assert emu.requests[-1].headers["authorization"] == "<redacted>"


def test_changed_settings_rebuild_the_client(emu: Emulator) -> None:
    from memories_client import APIConnectionError

    # Nothing listens on port 9: the first call fails; fixing base_url must take effect.
    llm = MemoriesMultiModal(api_key="k", base_url="http://127.0.0.1:9", max_retries=0)
    with pytest.raises(APIConnectionError):
        llm.chat(HI)
    llm.base_url = emu.base_url
    assert llm.chat(HI).message.content


def test_importing_the_package_does_not_import_llama_index() -> None:
    import subprocess
    import sys

    code = (
        "import sys, llama_index_memories as m\n"
        "print(any(k.startswith(('llama_index.', 'memories_client')) for k in sys.modules))\n"
        "m.MemoriesMultiModal\n"
        "print('llama_index.core' in sys.modules, m.DEFAULT_MODEL)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["False", "True", "gemini:gemini-2.5-flash"]


def test_unknown_package_attribute_raises() -> None:
    import llama_index_memories

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        llama_index_memories.Nope  # noqa: B018
    assert {"MemoriesMultiModal", "DEFAULT_MODEL"} <= set(dir(llama_index_memories))
