"""memories_client against the emulator over a real socket: answers, routing and every fault.

Each fault is checked sync, async, streaming and not: the error type, that the server's status
and message are in it, and how many attempts the emulator saw.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from memories_client import (
    APIConnectionError,
    APITimeoutError,
    AsyncMemoriesClient,
    AuthenticationError,
    BadRequestError,
    ChatRequest,
    InsufficientCreditsError,
    MalformedResponseError,
    MemoriesClient,
    MemoriesError,
    Message,
    ModelError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    StreamInterruptedError,
    ToolSpec,
    media_from_bytes,
    media_from_url,
)
from memories_emulator import Emulator

VIDEO = "https://storage.googleapis.com/memories-test-data/test_1min.mp4"
IMAGE = "https://storage.googleapis.com/memories-test-data/gun5.png"
GEMINI = "gemini:gemini-2.5-flash"
NOVA = "nova:us.amazon.nova-lite-v1:0"
FAST = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05)


@pytest.fixture
def emu(memories_emulator: Emulator) -> Emulator:
    memories_emulator.reset()
    return memories_emulator


def client(emu: Emulator, fault: str | None = None, **kw: Any) -> MemoriesClient:
    headers = {"X-Emulator-Fault": fault} if fault else {}
    kw.setdefault("retry_policy", FAST)
    return MemoriesClient(api_key="test-key", base_url=emu.base_url, default_headers=headers, **kw)


def aclient(emu: Emulator, fault: str | None = None, **kw: Any) -> AsyncMemoriesClient:
    headers = {"X-Emulator-Fault": fault} if fault else {}
    kw.setdefault("retry_policy", FAST)
    return AsyncMemoriesClient(
        api_key="test-key", base_url=emu.base_url, default_headers=headers, **kw
    )


def video_request(model: str = GEMINI, **kw: Any) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=[
            Message.system("Be brief."),
            Message.user("What happens?", media_from_url(VIDEO)),
        ],
        **kw,
    )


def test_gemini_video_answer_names_what_was_sent(emu: Emulator) -> None:
    with client(emu) as c:
        answer = c.chat(video_request(thinking_budget=0))
    assert "1 video" in answer.text and 'Question: "What happens?"' in answer.text
    assert answer.usage is not None and answer.usage.input_tokens >= 1000
    assert answer.id and answer.id.startswith("resp_")
    assert answer.request_id and answer.request_id.startswith("emu-")
    [seen] = emu.requests
    assert seen.path.endswith("/vu/chat/completions")
    assert seen.body["extra_body"]["metadata"]["thinking_config"] == {"thinking_budget": 0}
    assert seen.headers["authorization"] == "<redacted>"


def test_nova_image_goes_to_iu_and_video_to_vu(emu: Emulator) -> None:
    with client(emu) as c:
        image = c.chat(
            ChatRequest(model=NOVA, messages=[Message.user("What is it?", media_from_url(IMAGE))])
        )
        video = c.chat(video_request(NOVA))
    assert "1 image" in image.text and "1 video" in video.text
    assert [r.path.rsplit("/", 3)[-3] for r in emu.requests] == ["iu", "vu"]
    assert image.usage is not None and image.usage.output_tokens > 0  # Nova's `output_token`


def test_inline_image_bytes_reach_the_emulator(emu: Emulator) -> None:
    png = bytes.fromhex("89504e470d0a1a0a") + bytes(32)
    with client(emu) as c:
        for model in (GEMINI, NOVA):
            answer = c.chat(
                ChatRequest(model=model, messages=[Message.user("x", media_from_bytes(png))])
            )
            assert "1 image" in answer.text


def test_n_stop_max_tokens_and_json(emu: Emulator) -> None:
    with client(emu) as c:
        two = c.chat(video_request(n=2))
        assert [ch.index for ch in two.choices] == [0, 1]
        short = c.chat(video_request(max_tokens=3))
        assert short.finish_reason == "length" and len(short.text.split()) == 3
        stopped = c.chat(video_request(stop=["received"]))
        assert "received" not in stopped.text
        schema = {
            "type": "object",
            "properties": {"title": {"type": "string"}, "n": {"type": "integer"}},
            "required": ["title", "n"],
        }
        from memories_client.integration import parse_structured

        structured = c.chat(video_request(response_schema=schema))
        assert structured.text.startswith("```json")  # fenced, like the real service
        assert set(parse_structured(structured.text, schema)) == {"title", "n"}


def test_nova_tool_call_round_trip(emu: Emulator) -> None:
    tool = ToolSpec(
        "get_weather",
        "Weather for a city",
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    )
    with client(emu) as c:
        first = c.chat(
            ChatRequest(
                model=NOVA, messages=[Message.user("use get_weather for Oslo")], tools=[tool]
            )
        )
        [call] = first.tool_calls
        assert call.name == "get_weather" and isinstance(call.arguments["city"], str)
        second = c.chat(
            ChatRequest(
                model=NOVA,
                tools=[tool],
                messages=[
                    Message.user("use get_weather for Oslo"),
                    Message.assistant("", [call]),
                    Message.tool(call.id, "sunny, 21 C", name="get_weather"),
                ],
            )
        )
    assert "sunny, 21 C" in second.text


@pytest.mark.parametrize("model", [GEMINI, NOVA])
def test_streaming_concatenates_to_the_full_answer(emu: Emulator, model: str) -> None:
    with client(emu) as c:
        full = c.chat(video_request(model))
        chunks = list(c.stream(video_request(model)))
    assert "".join(ch.text for ch in chunks) == full.text
    assert [ch.done for ch in chunks].count(True) == 1 and chunks[-1].done
    assert [ch.usage is not None for ch in chunks].count(True) == 1
    assert chunks[-1].usage == full.usage


async def test_async_chat_and_stream(emu: Emulator) -> None:
    async with aclient(emu) as c:
        answer = await c.chat(video_request())
        text = "".join([ch.text async for ch in c.stream(video_request())])
        many = await asyncio.gather(*(c.chat(video_request(NOVA)) for _ in range(10)))
    assert text == answer.text
    assert all("1 video" in m.text for m in many)


# --- the fault matrix ----------------------------------------------------------------------------

FAULTS: list[tuple[str, type[MemoriesError], int, str | None]] = [
    # (fault spec, error type, attempts the emulator must see with max_retries=2, text in message)
    ("429:retry_after=0.01", RateLimitError, 3, "HTTP 429"),
    ("500", ServerError, 3, "HTTP 500"),
    ("502", ServerError, 3, "HTTP 502"),
    ("503", ServerError, 3, "HTTP 503"),
    ("401", AuthenticationError, 1, "HTTP 401"),
    ("402", InsufficientCreditsError, 1, "HTTP 402"),
    ("400", BadRequestError, 1, "HTTP 400"),
    ("errored", ModelError, 1, "robots.txt"),
    ("empty_choices", ModelError, 1, "no choices"),
    ("malformed", MalformedResponseError, 1, "not valid JSON"),
    ("drop", APIConnectionError, 3, None),
]


def attempts(emu: Emulator) -> int:
    return len(emu.requests)


@pytest.mark.parametrize(("fault", "error", "tries", "text"), FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_sync(
    emu: Emulator, fault: str, error: type[MemoriesError], tries: int, text: str | None
) -> None:
    with client(emu, fault) as c, pytest.raises(error) as info:
        c.chat(video_request())
    assert attempts(emu) == tries
    if text:
        assert text in str(info.value)


@pytest.mark.parametrize(("fault", "error", "tries", "text"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_fault_async(
    emu: Emulator, fault: str, error: type[MemoriesError], tries: int, text: str | None
) -> None:
    async with aclient(emu, fault) as c:
        with pytest.raises(error) as info:
            await c.chat(video_request())
    assert attempts(emu) == tries
    if text:
        assert text in str(info.value)


STREAM_FAULTS = [f for f in FAULTS if f[0] not in ("malformed", "empty_choices")] + [
    ("stream_cut", StreamInterruptedError, 1, "incomplete"),
    ("stream_error", ServerError, 1, "mid-stream"),
]


@pytest.mark.parametrize(
    ("fault", "error", "tries", "text"), STREAM_FAULTS, ids=[f[0] for f in STREAM_FAULTS]
)
def test_fault_stream_sync(
    emu: Emulator, fault: str, error: type[MemoriesError], tries: int, text: str | None
) -> None:
    with client(emu, fault) as c, pytest.raises(error) as info:
        list(c.stream(video_request()))
    assert attempts(emu) == tries
    if text:
        assert text in str(info.value)


@pytest.mark.parametrize(
    ("fault", "error", "tries", "text"), STREAM_FAULTS, ids=[f[0] for f in STREAM_FAULTS]
)
async def test_fault_stream_async(
    emu: Emulator, fault: str, error: type[MemoriesError], tries: int, text: str | None
) -> None:
    async with aclient(emu, fault) as c:
        with pytest.raises(error) as info:
            _ = [ch async for ch in c.stream(video_request())]
    assert attempts(emu) == tries
    if text:
        assert text in str(info.value)


@pytest.mark.parametrize("fault", ["429:retry_after=0.01;times=2", "503;times=2", "drop;times=1"])
def test_retries_recover(emu: Emulator, fault: str) -> None:
    with client(emu, fault) as c:
        assert "1 video" in c.chat(video_request()).text
        assert "".join(ch.text for ch in c.stream(video_request()))


def test_retry_after_is_honoured(emu: Emulator) -> None:
    import time

    with client(emu, "429:retry_after=0.3;times=1") as c:
        started = time.perf_counter()
        c.chat(video_request())
    assert time.perf_counter() - started >= 0.3
    assert attempts(emu) == 2


def test_max_retries_zero_is_one_attempt(emu: Emulator) -> None:
    with (
        client(emu, "503", retry_policy=RetryPolicy(max_retries=0)) as c,
        pytest.raises(ServerError),
    ):
        c.chat(video_request())
    assert attempts(emu) == 1


def test_read_timeout(emu: Emulator) -> None:
    with client(
        emu, "slow:2", timeout=0.3, retry_policy=RetryPolicy(max_retries=1, initial_delay=0.01)
    ) as c:
        with pytest.raises(APITimeoutError):
            c.chat(video_request())
    assert attempts(emu) == 2


def test_wrong_key_is_authentication_error() -> None:
    with (
        Emulator(api_key="right") as emu,
        MemoriesClient(api_key="wrong", base_url=emu.base_url) as c,
    ):
        with pytest.raises(AuthenticationError) as info:
            c.chat(video_request())
    assert info.value.status == 401 and info.value.request_id


def test_connections_are_reused(emu: Emulator) -> None:
    before = emu.connections_opened
    with client(emu) as c:
        for _ in range(20):
            c.chat(video_request())
    assert emu.connections_opened - before == 1


@pytest.mark.parametrize("model", [GEMINI, NOVA])
def test_large_inline_image_over_a_real_socket_with_a_retry(emu: Emulator, model: str) -> None:
    png = bytes.fromhex("89504e470d0a1a0a") + bytes(3 * 1024 * 1024)
    request = ChatRequest(model=model, messages=[Message.user("Big one", media_from_bytes(png))])
    with client(emu, "503;times=1") as c:
        assert "1 image" in c.chat(request).text

    async def run() -> str:
        async with aclient(emu) as ac:
            return (await ac.chat(request)).text

    assert "1 image" in asyncio.run(run())
    assert attempts(emu) == 3
