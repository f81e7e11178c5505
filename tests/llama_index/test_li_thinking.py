"""Thinking: the budget on the wire, thinking text surfaced as ThinkingBlock / thinking_delta."""

from __future__ import annotations

import json

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, TextBlock, ThinkingBlock

from llama_index_memories import MemoriesMultiModal
from memories_client import MemoriesInputError
from memories_emulator import Emulator

HI = [ChatMessage(role="user", content="Why is the sky blue?")]


def test_instance_budget_and_per_call_override(emu: Emulator) -> None:
    llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url, thinking_budget=128)
    llm.chat(HI)
    assert emu.requests[-1].body["extra_body"]["metadata"]["thinking_config"] == {
        "thinking_budget": 128
    }
    llm.chat(HI, thinking_budget=0)
    assert emu.requests[-1].body["extra_body"]["metadata"]["thinking_config"] == {
        "thinking_budget": 0
    }
    list(llm.stream_complete("x", thinking_budget=-1))
    assert emu.requests[-1].body["extra_body"]["metadata"]["thinking_config"] == {
        "thinking_budget": -1
    }


def test_thinking_budget_is_a_gemini_and_qwen_option() -> None:
    with pytest.raises(
        NotImplementedError, match=r"thinking_budget is a Gemini and Qwen option; .* for Nova"
    ):
        MemoriesMultiModal(model="nova:us.amazon.nova-lite-v1:0", api_key="k", thinking_budget=1)


def test_streamed_reasoning_tokens_on_last_chunk(gemini: MemoriesMultiModal) -> None:
    chunks = list(gemini.stream_chat(HI, thinking_budget=16))
    assert chunks[-1].raw["usage"]["reasoning_tokens"] == 16


def _mock(handler: object) -> MemoriesMultiModal:
    return MemoriesMultiModal(
        api_key="k",
        base_url="http://127.0.0.1:1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),  # type: ignore[arg-type]
        thinking_budget=256,
    )


def test_reasoning_becomes_a_thinking_block_before_the_text() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "id": "chatcmpl_1",
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": "Rayleigh scattering.",
                            "reasoning_content": "Short wavelengths scatter more.",
                        },
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": 7,
                    "completion_tokens": 9,
                    "total_tokens": 16,
                    "completion_tokens_details": {"reasoning_tokens": 6},
                },
            },
        )

    response = _mock(handler).chat(HI)
    thinking, text = response.message.blocks
    assert isinstance(thinking, ThinkingBlock)
    assert thinking.content == "Short wavelengths scatter more."
    assert thinking.num_tokens == 6
    assert isinstance(text, TextBlock)
    assert response.message.content == "Rayleigh scattering."
    assert response.raw["usage"]["reasoning_tokens"] == 6


def test_streamed_reasoning_sets_thinking_delta() -> None:
    events = [
        {"choices": [{"index": 0, "delta": {"reasoning_content": "Short "}}]},
        {"choices": [{"index": 0, "delta": {"reasoning_content": "waves."}}]},
        {"choices": [{"index": 0, "delta": {"content": "Rayleigh"}}]},
        {
            "choices": [
                {"index": 0, "delta": {"content": " scattering."}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 7, "completion_tokens": 9, "reasoning_tokens": 4},
        },
    ]
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})

    chunks = list(_mock(handler).stream_chat(HI))
    assert [c.additional_kwargs.get("thinking_delta") for c in chunks] == [
        "Short ",
        "waves.",
        None,
        None,
        None,
    ]
    last = chunks[-1]
    thinking = last.message.blocks[0]
    assert isinstance(thinking, ThinkingBlock)
    assert thinking.content == "Short waves."
    assert thinking.num_tokens == 4
    assert last.message.content == "Rayleigh scattering."
    assert last.raw["usage"] == {
        "prompt_tokens": 7,
        "completion_tokens": 9,
        "total_tokens": 16,
        "reasoning_tokens": 4,
    }


def test_bad_budget_is_refused_at_construction() -> None:
    with pytest.raises(MemoriesInputError, match="thinking_budget"):
        MemoriesMultiModal(api_key="k", thinking_budget=-5)
