"""An answer cut by the service's default max_tokens (1,000) is said, in the core and both layers.

The emulator applies no default limit, so these servers are httpx mock transports that answer
every request with a Gemini body whose ``finish_reason`` is the length stop.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import httpx
import pytest

import memories_client as mc
from langchain_memories import ChatMemoriesGemini
from llama_index_memories import MemoriesMultiModal

REQ = mc.ChatRequest(model="gemini-2.5-flash", messages=[mc.Message.user("Describe it all")])


def _body(finish_reason: str) -> dict[str, Any]:
    return {
        "id": "resp_1",
        "status": "completed",
        "model": "gemini:gemini-2.5-flash",
        "choices": [{"index": 0, "text": "A long answer that", "finish_reason": finish_reason}],
        "usage": {"input_tokens": 3, "output_tokens": 1000, "total_tokens": 1003},
    }


def _transport(finish_reason: str, *, stream: bool = False) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if not stream:
            return httpx.Response(200, json=_body(finish_reason))
        events = [
            {"choices": [{"index": 0, "delta": {"content": "A long answer that"}}]},
            {"choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}]},
        ]
        text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        return httpx.Response(200, text=text, headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handler)


def _client(finish_reason: str, *, stream: bool = False) -> mc.MemoriesClient:
    http = httpx.Client(transport=_transport(finish_reason, stream=stream))
    return mc.MemoriesClient(api_key="k", base_url="https://api.example.com/v2", http_client=http)


def _cut_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if w.category is mc.TruncatedAnswerWarning]


@pytest.mark.parametrize("reason", ["length", "MAX_TOKENS", "max_tokens"])
def test_a_cut_answer_without_max_tokens_warns_naming_the_default(reason: str) -> None:
    with pytest.warns(mc.TruncatedAnswerWarning, match=r"default max_tokens \(1,000 tokens") as w:
        answer = _client(reason).chat(REQ)
    assert answer.finish_reason == reason
    assert w[0].filename == __file__  # the user's line, not the package's


def test_a_cut_stream_warns_once_at_its_end() -> None:
    with pytest.warns(mc.TruncatedAnswerWarning) as caught:
        chunks = list(_client("length", stream=True).stream(REQ))
    assert chunks[-1].finish_reason == "length"
    assert len(_cut_warnings(list(caught))) == 1


def test_no_warning_for_a_finished_answer_or_an_explicit_max_tokens() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _client("stop").chat(REQ)
        _client("length").chat(
            mc.ChatRequest(model=REQ.model, messages=REQ.messages, max_tokens=50)
        )
        list(_client("stop", stream=True).stream(REQ))
    assert _cut_warnings(caught) == []


async def test_the_async_client_warns_too() -> None:
    http = httpx.AsyncClient(transport=_transport("length"))
    async with mc.AsyncMemoriesClient(
        api_key="k", base_url="https://api.example.com/v2", http_client=http
    ) as client:
        with pytest.warns(mc.TruncatedAnswerWarning):
            await client.chat(REQ)


def test_langchain_and_llamaindex_share_it() -> None:
    http = httpx.Client(transport=_transport("length"))
    settings = {"api_key": "k", "base_url": "https://api.example.com/v2", "http_client": http}
    with pytest.warns(mc.TruncatedAnswerWarning) as caught:
        ChatMemoriesGemini(**settings).invoke("Describe it all")
    assert caught[0].filename == __file__
    with pytest.warns(mc.TruncatedAnswerWarning) as caught:
        MemoriesMultiModal(**settings).complete("Describe it all")
    assert caught[0].filename == __file__
