"""Pathological JSON from a server: always a typed error, and retries still apply.

A body nested 100,000 deep makes the standard decoder raise ``RecursionError``; an integer of
more than 4,300 digits raises a bare ``ValueError``. Served here (``httpx.MockTransport``) as a
200 body, as 429 / 500 error bodies, as a streamed event and inside a tool call's arguments.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.llms import ChatMessage

from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from llama_index_memories import MemoriesMultiModal
from memories_client import (
    MalformedResponseError,
    MemoriesClient,
    MemoriesError,
    Message,
    RateLimitError,
    RetryPolicy,
    ServerError,
)

DEEP = "[" * 100_000 + "]" * 100_000
HUGE_INT = "1" * 5_000
BASE = "http://127.0.0.1:1"
HOSTILE = {"deep": DEEP, "huge_int": f'{{"id": "r", "choices": [], "n": {HUGE_INT}}}'}


def _client(status: int, body: str, *, sse: bool = False) -> tuple[httpx.Client, list[int]]:
    attempts: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        ctype = "text/event-stream" if sse else "application/json"
        return httpx.Response(status, content=body.encode(), headers={"content-type": ctype})

    return httpx.Client(transport=httpx.MockTransport(handle)), attempts


def _core(http: httpx.Client) -> MemoriesClient:
    return MemoriesClient(
        api_key="k",
        base_url=BASE,
        http_client=http,
        retry_policy=RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.001),
    )


def _chat(client: MemoriesClient) -> Any:
    return client.chat(model="gemini-2.5-flash", messages=[Message.user("hi")])


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_200_body_is_a_malformed_response(kind: str) -> None:
    http, attempts = _client(200, HOSTILE[kind])
    with pytest.raises(MalformedResponseError):
        _chat(_core(http))
    assert len(attempts) == 1


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize(("status", "error"), [(500, ServerError), (429, RateLimitError)])
def test_a_hostile_error_body_keeps_its_status_and_is_retried(
    kind: str, status: int, error: type[MemoriesError]
) -> None:
    http, attempts = _client(status, HOSTILE[kind])
    with pytest.raises(error) as info:
        _chat(_core(http))
    assert getattr(info.value, "status", None) == status
    assert len(attempts) == 3  # max_retries=2: the classification survived the bad body


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_streamed_event_is_a_malformed_response(kind: str) -> None:
    event = HOSTILE[kind] if kind == "deep" else f'{{"token": "a", "n": {HUGE_INT}}}'
    http, _ = _client(200, f"data: {event}\n\ndata: [DONE]\n\n", sse=True)
    with pytest.raises(MalformedResponseError):
        list(_core(http).stream(model="gemini-2.5-flash", messages=[Message.user("hi")]))


@pytest.mark.parametrize("arguments", [DEEP, f'{{"n": {HUGE_INT}}}'])
def test_hostile_tool_arguments_are_a_malformed_response(arguments: str) -> None:
    body = {
        "id": "r1",
        "object": "chat.completion",
        "model": "nova:us.amazon.nova-lite-v1:0",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "f", "arguments": arguments},
                        }
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    http, _ = _client(200, json.dumps(body))
    with pytest.raises(MalformedResponseError):
        _core(http).chat(model="nova:us.amazon.nova-lite-v1:0", messages=[Message.user("hi")])


SURFACES: dict[str, Callable[[httpx.Client], Any]] = {
    "langchain-gemini": lambda http: ChatMemoriesGemini(
        api_key="k", base_url=BASE, http_client=http, max_retries=0
    ).invoke([HumanMessage("hi")]),
    "langchain-nova": lambda http: ChatMemoriesNova(
        api_key="k", base_url=BASE, http_client=http, max_retries=0
    ).invoke("hi"),
    "llamaindex": lambda http: MemoriesMultiModal(
        api_key="k", base_url=BASE, http_client=http, max_retries=0
    ).chat([ChatMessage(role="user", content="hi")]),
}


@pytest.mark.parametrize("surface", sorted(SURFACES))
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_frameworks_raise_typed_errors_for_hostile_bodies(surface: str, kind: str) -> None:
    http, _ = _client(200, HOSTILE[kind])
    with pytest.raises(MalformedResponseError):
        SURFACES[surface](http)
