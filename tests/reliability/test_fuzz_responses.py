"""Bad responses, fuzzed: whatever the service sends back, only typed errors come out.

Random and truncated bodies and SSE streams are served through an ``httpx.MockTransport`` to
``memories_client`` (sync and async, chat and stream), ``ChatMemoriesGemini`` / ``ChatMemoriesNova``
and ``MemoriesMultiModal``. Each call either succeeds or raises a
``memories_client.MemoriesError`` subclass; anything else (``KeyError``, ``TypeError``,
``json.JSONDecodeError``, ``httpx`` errors...) fails. Two stronger properties are checked too:
a body or stream cut before the service marked the answer complete never comes back as a
success (no truncated answer passed off as complete).
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from typing import Any

import httpx
import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage
from reliability_support import GEMINI, KEY, NOVA

from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from llama_index_memories import MemoriesMultiModal
from memories_client import (
    AsyncMemoriesClient,
    ChatRequest,
    MemoriesClient,
    MemoriesError,
    Message,
    RetryPolicy,
)

EXAMPLES = int(os.environ.get("RELIABILITY_RESPONSE_EXAMPLES", "1000"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RESPONSE_COUNTS: dict[str, int] = {}
FUZZ_COUNTS = RESPONSE_COUNTS  # read by the terminal summary in conftest.py


# --------------------------------------------------------------------------- strategies

garbage = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, strategy, strategy, garbage)


words = st.text(max_size=12)
finish = _maybe(st.sampled_from(["stop", "length", "tool_calls", "end_turn", "", None]))
tool_call = st.fixed_dictionaries(
    {},
    optional={
        "id": _maybe(words),
        "type": st.just("function"),
        "index": _maybe(st.integers(0, 2)),
        "function": _maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "name": _maybe(st.sampled_from(["lookup", ""])),
                    "arguments": _maybe(st.sampled_from(['{"q": 1}', "{", "[]", "", '"x"'])),
                },
            )
        ),
    },
)
message = st.fixed_dictionaries(
    {},
    optional={
        "role": st.just("assistant"),
        "content": _maybe(st.one_of(words, st.lists(st.fixed_dictionaries({"text": words})))),
        "tool_calls": _maybe(st.lists(tool_call, max_size=2)),
        "reasoning_content": _maybe(words),
    },
)
choice = st.fixed_dictionaries(
    {},
    optional={
        "index": _maybe(st.integers(0, 3)),
        "text": _maybe(words),
        "message": _maybe(message),
        "delta": _maybe(message),
        "finish_reason": finish,
    },
)
usage = st.fixed_dictionaries(
    {},
    optional={
        key: _maybe(st.integers(0, 10**6))
        for key in (
            "input_tokens",
            "output_tokens",
            "prompt_tokens",
            "output_token",
            "total_tokens",
        )
    },
)
completion = st.fixed_dictionaries(
    {},
    optional={
        "id": _maybe(words),
        "object": _maybe(
            st.sampled_from(["completion", "chat.completion", "chat.completion.chunk"])
        ),
        "status": _maybe(st.sampled_from(["completed", "errored", "failed", "in_progress"])),
        "model": _maybe(st.sampled_from([GEMINI, NOVA])),
        "created_at": _maybe(st.integers(0, 2**40)),
        "choices": _maybe(st.lists(choice, max_size=3)),
        "usage": _maybe(usage),
        "error": _maybe(
            st.fixed_dictionaries({}, optional={"code": garbage, "message": _maybe(words)})
        ),
        "token": _maybe(words),
        "code": _maybe(st.sampled_from([200, "0000", "0001", 400, 500])),
        "msg": _maybe(words),
        "data": garbage,
    },
)
VALID = {
    "id": "resp_1",
    "object": "completion",
    "status": "completed",
    "model": GEMINI,
    "choices": [{"index": 0, "text": "A full answer.", "finish_reason": "stop"}],
    "usage": {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7},
}
VALID_EVENTS = [
    {"id": "resp_1", "choices": [{"index": 0, "text": "A full "}]},
    {"id": "resp_1", "choices": [{"index": 0, "text": "answer."}]},
    {"id": "resp_1", "choices": [{"index": 0, "text": "", "finish_reason": "stop"}], "usage": {}},
]


@dataclass
class Reply:
    """One fuzzed HTTP answer."""

    status: int
    content_type: str
    body: bytes
    complete: bool  # False: a proper answer was cut short, success would be a lie

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.content_type!r}, {self.body[:300]!r}, {self.complete})"


def _sse(events: list[Any], *, done: bool = True) -> bytes:
    lines = []
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event)
        lines.append(f"data: {data}\n\n")
    if done:
        lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


@st.composite
def replies(draw: st.DrawFn) -> Reply:
    kind = draw(
        st.sampled_from(
            ["json", "json", "sse", "sse", "cut_json", "cut_sse", "bytes", "status", "ndjson"]
        )
    )
    if kind == "json":
        body = json.dumps(draw(st.one_of(completion, completion, garbage))).encode()
        return Reply(200, draw(st.sampled_from(["application/json", "text/plain", ""])), body, True)
    if kind == "sse":
        events = draw(
            st.lists(
                st.one_of(completion, garbage, st.sampled_from(["[DONE]", "{not json", ""])),
                max_size=5,
            )
        )
        body = _sse(events, done=draw(st.booleans()))
        if draw(st.booleans()):
            body = b"event: error\n" + body
        return Reply(200, "text/event-stream", body, True)
    if kind == "ndjson":
        lines = draw(st.lists(st.one_of(completion, garbage), max_size=4))
        body = "\n".join(json.dumps(x) for x in lines).encode()
        return Reply(200, "application/x-ndjson", body, True)
    if kind == "cut_json":
        full = json.dumps(VALID).encode()
        return Reply(200, "application/json", full[: draw(st.integers(0, len(full) - 1))], False)
    if kind == "cut_sse":
        full = _sse(VALID_EVENTS)
        # Cut anywhere before the event that finishes the answer.
        limit = full.index(b'"finish_reason"')
        cut = draw(st.integers(0, limit))
        return Reply(200, "text/event-stream", full[:cut], False)
    if kind == "bytes":
        return Reply(200, "application/json", draw(st.binary(max_size=60)), True)
    status = draw(st.integers(201, 599))
    body = draw(st.one_of(st.binary(max_size=40), completion.map(lambda c: json.dumps(c).encode())))
    return Reply(status, "application/json", body, True)


def _transport(reply: Reply) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"x-request-id": "fuzz-1"}
        if reply.content_type:
            headers["content-type"] = reply.content_type
        return httpx.Response(reply.status, content=reply.body, headers=headers)

    return httpx.MockTransport(handler)


def _check(reply: Reply, call: Any, counts: dict[str, int]) -> None:
    try:
        call()
    except MemoriesError:
        counts["error"] = counts.get("error", 0) + 1
        return
    assert reply.complete, f"a cut-short answer came back as a success: {reply!r}"
    counts["ok"] = counts.get("ok", 0) + 1


REQUEST = ChatRequest(model=GEMINI, messages=[Message.user("What happens?")])
NO_RETRY = RetryPolicy(max_retries=0)


def test_core_only_raises_typed_errors() -> None:
    counts: dict[str, int] = {}

    @FUZZ
    @given(reply=replies(), stream=st.booleans(), use_async=st.booleans())
    def fuzz(reply: Reply, stream: bool, use_async: bool) -> None:
        if use_async:

            async def go() -> None:
                client = AsyncMemoriesClient(
                    api_key=KEY,
                    base_url="http://127.0.0.1:9",
                    retry_policy=NO_RETRY,
                    http_client=httpx.AsyncClient(transport=_transport(reply)),
                )
                if stream:
                    _ = [chunk async for chunk in client.stream(REQUEST)]
                else:
                    await client.chat(REQUEST)

            _check(reply, lambda: asyncio.run(go()), counts)
            return
        client = MemoriesClient(
            api_key=KEY,
            base_url="http://127.0.0.1:9",
            retry_policy=NO_RETRY,
            http_client=httpx.Client(transport=_transport(reply)),
        )
        call = (lambda: list(client.stream(REQUEST))) if stream else (lambda: client.chat(REQUEST))
        _check(reply, call, counts)

    fuzz()
    RESPONSE_COUNTS["responses-core"] = sum(counts.values())
    assert counts.get("ok") and counts.get("error"), counts


@pytest.mark.parametrize("cls", [ChatMemoriesGemini, ChatMemoriesNova], ids=["gemini", "nova"])
def test_langchain_only_raises_typed_errors(cls: type[Any]) -> None:
    counts: dict[str, int] = {}

    @FUZZ
    @given(reply=replies(), stream=st.booleans())
    def fuzz(reply: Reply, stream: bool) -> None:
        model = cls(
            api_key=KEY,
            max_retries=0,
            http_client=httpx.Client(transport=_transport(reply)),
        )
        messages = [HumanMessage("What happens?")]
        if stream:
            _check(reply, lambda: list(model.stream(messages)), counts)
        else:
            _check(reply, lambda: model.invoke(messages), counts)

    fuzz()
    RESPONSE_COUNTS[f"responses-langchain-{cls.__name__}"] = sum(counts.values())
    assert counts.get("ok") and counts.get("error"), counts


def test_llama_index_only_raises_typed_errors() -> None:
    counts: dict[str, int] = {}

    @FUZZ
    @given(reply=replies(), stream=st.booleans(), model=st.sampled_from([GEMINI, NOVA]))
    def fuzz(reply: Reply, stream: bool, model: str) -> None:
        llm = MemoriesMultiModal(
            model=model,
            api_key=KEY,
            max_retries=0,
            http_client=httpx.Client(transport=_transport(reply)),
        )
        messages = [ChatMessage(role="user", content="What happens?")]
        if stream:
            _check(reply, lambda: list(llm.stream_chat(messages)), counts)
        else:
            _check(reply, lambda: llm.chat(messages), counts)

    fuzz()
    RESPONSE_COUNTS["responses-llama-index"] = sum(counts.values())
    assert counts.get("ok") and counts.get("error"), counts
