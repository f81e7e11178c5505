"""Three behaviours that hand-made bugs once slipped past, pinned where users meet them.

Each body here is one the emulator never sends (it shares our reading of the docs), served by
an ``httpx.MockTransport`` so the whole client and framework path runs:

* usage repeated on every streamed event is reported once, on the last chunk, so summing
  chunk usage (as LangChain's chunk ``+`` does, and as a user of ``stream()`` may) is not
  an overcharge;
* ``status: "errored"`` fails the call even when the body also carries a partial choice and no
  ``error`` object, streamed or not;
* structured output wrapped in Markdown fences parses at the framework level for scalars and
  arrays too, where the brace-matching fallback cannot rescue it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessageChunk
from llama_index.core.llms import ChatMessage
from loopback import gemini_completion

from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from llama_index_memories import MemoriesMultiModal
from memories_client import AsyncMemoriesClient, MemoriesClient, Message, ModelError

BASE = "http://127.0.0.1:1"  # never dialled: every request goes to the mock transport
USAGE = [(5, 1), (5, 2), (5, 3)]  # cumulative usage, repeated on each event


def _sse(events: list[dict[str, Any]]) -> bytes:
    lines = [f"data: {json.dumps(event)}\n\n" for event in events]
    return ("".join(lines) + "data: [DONE]\n\n").encode()


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


USAGE_ON_EVERY_DELTA = _sse(
    [
        {"choices": [{"index": 0, "delta": {"content": "Hel"}}], "usage": _usage(*USAGE[0])},
        {"choices": [{"index": 0, "delta": {"content": "lo"}}], "usage": _usage(*USAGE[1])},
        {
            "choices": [{"index": 0, "delta": {"content": "!"}, "finish_reason": "stop"}],
            "usage": _usage(*USAGE[2]),
        },
    ]
)
FINAL_TOTAL = sum(USAGE[-1])


def _handler(body: bytes | dict[str, Any], *, sse: bool = False) -> Callable[..., httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        if isinstance(body, dict):
            return httpx.Response(200, json=body)
        headers = {"content-type": "text/event-stream" if sse else "application/json"}
        return httpx.Response(200, content=body, headers=headers)

    return handle


def _sync(body: bytes | dict[str, Any], *, sse: bool = False) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(_handler(body, sse=sse)))


def _async(body: bytes | dict[str, Any], *, sse: bool = False) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(_handler(body, sse=sse)))


# --------------------------------------------------------------------------- usage, streamed


def test_core_stream_reports_repeated_usage_once() -> None:
    client = MemoriesClient(
        api_key="k", base_url=BASE, http_client=_sync(USAGE_ON_EVERY_DELTA, sse=True)
    )
    chunks = list(client.stream(model="gemini-2.5-flash", messages=[Message.user("hi")]))
    assert "".join(c.text for c in chunks) == "Hello!"
    with_usage = [c for c in chunks if c.usage is not None]
    assert with_usage == [chunks[-1]]
    assert sum(c.usage.total_tokens for c in with_usage if c.usage) == FINAL_TOTAL


async def test_async_core_stream_reports_repeated_usage_once() -> None:
    client = AsyncMemoriesClient(
        api_key="k", base_url=BASE, http_client=_async(USAGE_ON_EVERY_DELTA, sse=True)
    )
    chunks = [
        c async for c in client.stream(model="gemini-2.5-flash", messages=[Message.user("hi")])
    ]
    with_usage = [c for c in chunks if c.usage is not None]
    assert with_usage == [chunks[-1]]
    assert with_usage[0].usage is not None
    assert with_usage[0].usage.total_tokens == FINAL_TOTAL


@pytest.mark.parametrize("cls", [ChatMemoriesGemini, ChatMemoriesNova])
def test_langchain_stream_sums_to_the_final_usage(cls: type[Any]) -> None:
    llm = cls(api_key="k", base_url=BASE, http_client=_sync(USAGE_ON_EVERY_DELTA, sse=True))
    chunks = list(llm.stream("hi"))
    total: AIMessageChunk = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.text == "Hello!"
    assert total.usage_metadata is not None
    assert total.usage_metadata["total_tokens"] == FINAL_TOTAL
    assert sum(1 for c in chunks if c.usage_metadata) == 1


def test_llamaindex_stream_reports_the_final_usage() -> None:
    llm = MemoriesMultiModal(
        api_key="k", base_url=BASE, http_client=_sync(USAGE_ON_EVERY_DELTA, sse=True)
    )
    responses = list(llm.stream_chat([ChatMessage(role="user", content="hi")]))
    assert responses[-1].message.content == "Hello!"
    assert responses[-1].raw is not None
    usage = responses[-1].additional_kwargs
    assert usage["total_tokens"] == FINAL_TOTAL


# --------------------------------------------------------------------------- status: errored

ERRORED_WITH_PARTIAL_CHOICE = {
    "id": "resp_1",
    "object": "completion",
    "status": "errored",
    "model": "gemini:gemini-2.5-flash",
    "choices": [{"index": 0, "text": "The video shows a", "finish_reason": "stop"}],
    "usage": {"input_tokens": 10, "output_tokens": 4, "total_tokens": 14},
}
ERRORED_STREAM = _sse(
    [
        {"choices": [{"index": 0, "delta": {"content": "The video"}}]},
        {"status": "errored", "choices": [{"index": 0, "delta": {"content": " shows"}}]},
    ]
)


def test_core_refuses_an_errored_body_with_a_partial_choice() -> None:
    client = MemoriesClient(
        api_key="k", base_url=BASE, http_client=_sync(ERRORED_WITH_PARTIAL_CHOICE)
    )
    with pytest.raises(ModelError) as info:
        client.chat(model="gemini-2.5-flash", messages=[Message.user("hi")])
    assert info.value.status == 200
    assert info.value.request_id == "resp_1"


def test_langchain_refuses_an_errored_body_with_a_partial_choice() -> None:
    llm = ChatMemoriesGemini(
        api_key="k", base_url=BASE, http_client=_sync(ERRORED_WITH_PARTIAL_CHOICE)
    )
    with pytest.raises(ModelError):
        llm.invoke("hi")


def test_llamaindex_refuses_an_errored_body_with_a_partial_choice() -> None:
    llm = MemoriesMultiModal(
        api_key="k", base_url=BASE, http_client=_sync(ERRORED_WITH_PARTIAL_CHOICE)
    )
    with pytest.raises(ModelError):
        llm.chat([ChatMessage(role="user", content="hi")])


def test_an_errored_event_fails_the_stream_in_both_frameworks() -> None:
    lc = ChatMemoriesGemini(api_key="k", base_url=BASE, http_client=_sync(ERRORED_STREAM, sse=True))
    with pytest.raises(ModelError):
        list(lc.stream("hi"))
    li = MemoriesMultiModal(api_key="k", base_url=BASE, http_client=_sync(ERRORED_STREAM, sse=True))
    with pytest.raises(ModelError):
        list(li.stream_chat([ChatMessage(role="user", content="hi")]))


# --------------------------------------------------------------------------- fences


@pytest.mark.parametrize(
    ("schema", "text", "expected"),
    [
        ({"title": "Count", "type": "integer"}, "```json\n42\n```", 42),
        (
            {"title": "Verdict", "type": "string", "enum": ["yes", "no"]},
            '```JSON\n"yes"\n```',
            "yes",
        ),
        ({"title": "Flag", "type": "boolean"}, "```\nfalse\n```", False),
    ],
)
@pytest.mark.parametrize("method", ["json_schema", "json_mode"])
def test_fenced_scalars_parse_through_with_structured_output(
    schema: dict[str, Any], text: str, expected: object, method: str
) -> None:
    llm = ChatMemoriesGemini(api_key="k", base_url=BASE, http_client=_sync(gemini_completion(text)))
    structured = (
        llm.with_structured_output(schema)
        if method == "json_schema"
        else llm.with_structured_output(method="json_mode")
    )
    assert structured.invoke("q") == expected
