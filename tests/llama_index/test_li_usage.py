"""TokenCountingHandler records the service's own numbers, not a tokenizer's guess."""

from __future__ import annotations

import inspect
import math
from pathlib import Path

import pytest
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock, VideoBlock
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler

from llama_index_memories import MemoriesMultiModal
from memories_emulator import Emulator

QUESTION = "What happens in this clip?"


def _no_tokenizer(text: str) -> list[int]:
    raise AssertionError("TokenCountingHandler fell back to estimating tokens")


@pytest.fixture
def counter() -> TokenCountingHandler:
    return TokenCountingHandler(tokenizer=_no_tokenizer)


@pytest.fixture
def counted(llm: MemoriesMultiModal, counter: TokenCountingHandler) -> MemoriesMultiModal:
    llm.callback_manager = CallbackManager([counter])
    return llm


def _messages(png_path: Path) -> list[ChatMessage]:
    return [
        ChatMessage(
            role="user",
            blocks=[
                VideoBlock(url="https://storage.googleapis.com/b/clip.mp4"),
                ImageBlock(path=png_path),
                TextBlock(text=QUESTION),
            ],
        )
    ]


# The emulator's documented rule: ceil(chars / 4) per text, 258 per image, 1000 per video.
EXPECTED_PROMPT = math.ceil(len(QUESTION) / 4) + 258 + 1000


def _answer_words(text: str) -> int:
    return len(text.split())


def _check(counter: TokenCountingHandler, answer: str, emu: Emulator) -> None:
    assert len(counter.llm_token_counts) == 1
    event = counter.llm_token_counts[0]
    assert event.prompt_token_count == EXPECTED_PROMPT
    assert event.completion_token_count == _answer_words(answer)
    assert counter.total_llm_token_count == EXPECTED_PROMPT + _answer_words(answer)
    assert len(emu.requests) == 1


def test_chat(
    counted: MemoriesMultiModal, counter: TokenCountingHandler, emu: Emulator, png_path: Path
) -> None:
    response = counted.chat(_messages(png_path))
    _check(counter, response.message.content or "", emu)


def test_complete(
    counted: MemoriesMultiModal, counter: TokenCountingHandler, emu: Emulator
) -> None:
    response = counted.complete(QUESTION)
    event = counter.llm_token_counts[0]
    assert event.prompt_token_count == math.ceil(len(QUESTION) / 4)
    assert event.completion_token_count == _answer_words(response.text)
    assert len(counter.llm_token_counts) == 1


def test_stream_chat(
    counted: MemoriesMultiModal, counter: TokenCountingHandler, emu: Emulator, png_path: Path
) -> None:
    chunks = list(counted.stream_chat(_messages(png_path)))
    _check(counter, chunks[-1].message.content or "", emu)


async def test_astream_chat(
    counted: MemoriesMultiModal, counter: TokenCountingHandler, emu: Emulator, png_path: Path
) -> None:
    chunks = [c async for c in await counted.astream_chat(_messages(png_path))]
    _check(counter, chunks[-1].message.content or "", emu)


async def test_achat_and_stream_complete(
    counted: MemoriesMultiModal, counter: TokenCountingHandler, png_path: Path
) -> None:
    response = await counted.achat(_messages(png_path))
    last = list(counted.stream_complete(QUESTION))[-1]
    first, second = counter.llm_token_counts
    assert first.prompt_token_count == EXPECTED_PROMPT
    assert first.completion_token_count == _answer_words(response.message.content or "")
    assert second.completion_token_count == _answer_words(last.text)


async def _call(llm: MemoriesMultiModal, entry_point: str) -> None:
    given = QUESTION if "complete" in entry_point else [ChatMessage(role="user", content=QUESTION)]
    result = getattr(llm, entry_point)(given)
    if inspect.isawaitable(result):
        result = await result
    if entry_point.startswith("astream"):
        [chunk async for chunk in result]
    elif entry_point.startswith("stream"):
        list(result)


@pytest.mark.parametrize(
    "entry_point",
    [
        "chat",
        "achat",
        "stream_chat",
        "astream_chat",
        "complete",
        "acomplete",
        "stream_complete",
        "astream_complete",
    ],
)
async def test_every_entry_point_is_counted_once_with_the_service_numbers(
    counted: MemoriesMultiModal, counter: TokenCountingHandler, entry_point: str
) -> None:
    # complete* send their own request rather than going through chat*, whose chat event
    # inside the completion event would count the call a second time.
    await _call(counted, entry_point)
    (event,) = counter.llm_token_counts
    assert event.prompt_token_count == math.ceil(len(QUESTION) / 4)
    assert event.completion_token_count > 0


def test_handler_on_global_settings(emu: Emulator, counter: TokenCountingHandler) -> None:
    from llama_index.core import Settings

    old = Settings.callback_manager
    Settings.callback_manager = CallbackManager([counter])
    try:
        llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
        llm.chat([ChatMessage(role="user", content="abcd")])
    finally:
        Settings.callback_manager = old
    assert counter.prompt_llm_token_count == 1


def test_nova_output_token_spelling_is_normalised(nova: MemoriesMultiModal) -> None:
    response = nova.chat([ChatMessage(role="user", content="abcd")])
    usage = response.raw["usage"]
    # The service's own key (Nova's "output_token", sic) stays available, in "service_usage"
    # (raw["usage"] holds only the normalised keys).
    assert response.raw["service_usage"]["output_token"] == usage["completion_tokens"]
    assert usage["prompt_tokens"] == 1


NORMALISED = {"prompt_tokens", "completion_tokens", "total_tokens"}


def _assert_normalised(usage: object) -> None:
    assert isinstance(usage, dict)
    assert set(usage) == NORMALISED
    assert all(type(v) is int for v in usage.values())
    assert usage["prompt_tokens"] + usage["completion_tokens"] == usage["total_tokens"]


def test_usage_has_exactly_the_normalised_keys_for_chat_and_stream_chat(
    llm: MemoriesMultiModal,
) -> None:
    messages = [ChatMessage(role="user", content="abcd")]
    response = llm.chat(messages)
    last = list(llm.stream_chat(messages))[-1]
    _assert_normalised(response.raw["usage"])
    _assert_normalised(last.raw["usage"])
    assert response.raw["usage"] == last.raw["usage"]
    # The body's own usage object, in the family's spelling, is kept beside it.
    own_key = "output_token" if llm.family == "nova" else "output_tokens"
    assert response.raw["service_usage"][own_key] == response.raw["usage"]["completion_tokens"]


async def test_usage_has_exactly_the_normalised_keys_async(llm: MemoriesMultiModal) -> None:
    messages = [ChatMessage(role="user", content="abcd")]
    response = await llm.achat(messages)
    chunks = [c async for c in await llm.astream_chat(messages)]
    completion = await llm.acomplete("abcd")
    _assert_normalised(response.raw["usage"])
    _assert_normalised(chunks[-1].raw["usage"])
    _assert_normalised(completion.raw["usage"])
    assert all("usage" not in c.raw for c in chunks[:-1])


def test_usage_with_reasoning_tokens_adds_only_that_key(gemini: MemoriesMultiModal) -> None:
    messages = [ChatMessage(role="user", content="abcd")]
    response = gemini.chat(messages, thinking_budget=32)
    last = list(gemini.stream_chat(messages, thinking_budget=32))[-1]
    for usage in (response.raw["usage"], last.raw["usage"]):
        assert set(usage) == NORMALISED | {"reasoning_tokens"}


def test_reasoning_tokens_from_thinking_budget(gemini: MemoriesMultiModal, emu: Emulator) -> None:
    response = gemini.chat([ChatMessage(role="user", content="abcd")], thinking_budget=32)
    assert emu.requests[-1].body["extra_body"]["metadata"]["thinking_config"] == {
        "thinking_budget": 32
    }
    assert response.raw["usage"]["reasoning_tokens"] == 32
    assert response.additional_kwargs["reasoning_tokens"] == 32


def test_cost_is_estimated_from_the_catalog(gemini: MemoriesMultiModal) -> None:
    response = gemini.chat([ChatMessage(role="user", content="abcd")])
    usage = response.raw["usage"]
    expected = (usage["prompt_tokens"] * 0.30 + usage["completion_tokens"] * 2.5) / 1_000_000
    assert response.additional_kwargs["cost_usd"] == pytest.approx(expected)


def test_cost_is_none_for_uncatalogued_models(emu: Emulator) -> None:
    llm = MemoriesMultiModal(
        model="gemini:gemini-9-experimental", api_key="k", base_url=emu.base_url
    )
    response = llm.chat([ChatMessage(role="user", content="abcd")])
    assert response.additional_kwargs["cost_usd"] is None
    assert response.raw["usage"]["prompt_tokens"] == 1
