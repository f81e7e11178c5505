"""Emulator faults surface as the core's typed errors, through every kind of call."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager, CBEventType, LlamaDebugHandler

from llama_index_memories import MemoriesMultiModal
from memories_client import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    MalformedResponseError,
    MemoriesInputError,
    ModelError,
    RateLimitError,
    ServerError,
    StreamInterruptedError,
)
from memories_emulator import Emulator

HI = [ChatMessage(role="user", content="Hi")]


def _faulty(emu: Emulator, fault: str, **kwargs: object) -> MemoriesMultiModal:
    return MemoriesMultiModal(
        api_key="k",
        base_url=emu.base_url,
        max_retries=0,
        default_headers={"X-Emulator-Fault": fault},
        **kwargs,
    )


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("429", RateLimitError),
        ("500", ServerError),
        ("503", ServerError),
        ("401", AuthenticationError),
        ("402", InsufficientCreditsError),
        ("400", BadRequestError),
        ("errored", ModelError),
        ("empty_choices", ModelError),
        ("malformed", MalformedResponseError),
        ("drop", APIConnectionError),
    ],
)
def test_chat_faults(emu: Emulator, fault: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        _faulty(emu, fault).chat(HI)


@pytest.mark.parametrize(
    ("fault", "error"),
    [("502", ServerError), ("errored", ModelError), ("401", AuthenticationError)],
)
async def test_async_faults(emu: Emulator, fault: str, error: type[Exception]) -> None:
    llm = _faulty(emu, fault)
    with pytest.raises(error):
        await llm.achat(HI)
    with pytest.raises(error):
        await llm.acomplete("Hi")


def test_slow_answer_times_out(emu: Emulator) -> None:
    with pytest.raises(APITimeoutError):
        _faulty(emu, "slow:2", timeout=0.3).chat(HI)


def test_stream_cut_short_is_never_a_short_answer(emu: Emulator) -> None:
    with pytest.raises(StreamInterruptedError):
        list(_faulty(emu, "stream_cut").stream_chat(HI))


async def test_async_stream_error_event(emu: Emulator) -> None:
    stream = await _faulty(emu, "stream_error").astream_chat(HI)
    with pytest.raises(ServerError, match="mid-answer"):  # the event carries code 500
        async for _ in stream:
            pass


def test_retries_recover_from_transient_faults(emu: Emulator) -> None:
    llm = MemoriesMultiModal(
        api_key="k",
        base_url=emu.base_url,
        max_retries=2,
        default_headers={"X-Emulator-Fault": "429:retry_after=0.01;times=2"},
    )
    assert llm.chat(HI).message.content
    assert [r.status for r in emu.requests] == [429, 429, 200]


def test_error_reaches_callback_handlers(emu: Emulator) -> None:
    debug = LlamaDebugHandler()
    llm = _faulty(emu, "500")
    llm.callback_manager = CallbackManager([debug])
    with pytest.raises(ServerError):
        llm.chat(HI)
    _, end = debug.get_event_pairs(CBEventType.LLM)[0]
    assert isinstance(end.payload["exception"], ServerError)


def test_missing_key_raises_at_first_call_without_a_request(emu: Emulator) -> None:
    # A remote base URL: a loopback one (this emulator) needs no key.
    llm = MemoriesMultiModal(base_url="https://api.example.com/v2")  # constructing needs no key
    with pytest.raises(MemoriesInputError, match="MEMORIES_API_KEY"):
        llm.chat(HI)
    assert emu.requests == []
    assert MemoriesMultiModal(base_url=emu.base_url).chat(HI).message.content


def test_error_messages_never_contain_the_key(emu: Emulator) -> None:
    secret = "sk-mavi-very-secret-value"
    llm = MemoriesMultiModal(
        api_key=secret,
        base_url=emu.base_url,
        max_retries=0,
        default_headers={"X-Emulator-Fault": "401"},
    )
    with pytest.raises(AuthenticationError) as info:
        llm.chat(HI)
    assert secret not in str(info.value)
    assert secret not in repr(info.value.body)


@pytest.mark.parametrize("stop", [True, 5, 1.5, {"a": 1}, [1], ["ok", None], ""])
@pytest.mark.parametrize("entry", ["chat", "stream_chat", "complete"])
def test_a_wrong_stop_is_an_input_error_naming_stop(entry: str, stop: object) -> None:
    from memories_client import MemoriesInputError

    # Port 9 (discard) on loopback: a request that got out would fail with a connection error.
    llm = MemoriesMultiModal(api_key="test", base_url="http://127.0.0.1:9", max_retries=0)
    arg: object = "hi" if entry == "complete" else [ChatMessage(role="user", content="hi")]

    def call() -> None:
        result = getattr(llm, entry)(arg, stop=stop)
        if entry == "stream_chat":
            list(result)

    with pytest.raises(MemoriesInputError, match="stop"):
        call()
