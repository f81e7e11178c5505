"""get_memories_callback: requests, tokens and dollars per model, counted once per call."""

from __future__ import annotations

import asyncio
import contextvars
import json
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from langchain_core.caches import InMemoryCache
from langchain_core.callbacks import BaseCallbackHandler, get_usage_metadata_callback
from langchain_core.language_models import FakeListChatModel

import memories_client as mc
from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova, get_memories_callback
from memories_emulator import Emulator


def _usage_server(usages: list[tuple[int, int]]) -> httpx.Client:
    """A mock transport answering Gemini-shaped bodies with the given token counts, in order."""
    queue = list(usages)

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        inp, out = queue.pop(0)
        return httpx.Response(
            200,
            json={
                "id": f"resp_{len(queue)}",
                "object": "completion",
                "model": body["model"],
                "status": "completed",
                "choices": [{"text": "ok", "index": 0}],
                "usage": {"input_tokens": inp, "output_tokens": out, "total_tokens": inp + out},
            },
        )

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_tiered_cost_is_priced_per_request() -> None:
    # gemini-2.5-pro: $1.25 / $10 per 1M up to 200K prompt tokens, $2.5 / $15 above.
    client = _usage_server([(150_000, 1_000), (250_000, 2_000)])
    llm = ChatMemoriesGemini(
        model="gemini-2.5-pro", api_key="test", base_url="http://127.0.0.1:9", http_client=client
    )
    with get_memories_callback() as cb:
        llm.invoke("below the threshold")
        llm.invoke("above the threshold")
    low = Decimal("150000") * Decimal("1.25") / 10**6 + Decimal("1000") * 10 / 10**6
    high = Decimal("250000") * Decimal("2.5") / 10**6 + Decimal("2000") * 15 / 10**6
    assert cb.total_cost_exact == low + high == Decimal("0.8525")
    assert cb.total_cost == 0.8525
    # Pricing the summed tokens at once would put everything in the upper tier.
    assert cb.total_cost_exact != mc.estimate_cost("gemini-2.5-pro", 400_000, 3_000)
    usage = cb.by_model["gemini-2.5-pro"]
    assert (usage.requests, usage.input_tokens, usage.output_tokens) == (2, 400_000, 3_000)
    assert usage.cost == Decimal("0.8525")
    assert cb.successful_requests == 2
    assert (cb.prompt_tokens, cb.completion_tokens, cb.total_tokens) == (400_000, 3_000, 403_000)


def test_threshold_boundary_is_inclusive() -> None:
    client = _usage_server([(200_000, 0), (200_001, 0)])
    llm = ChatMemoriesGemini(
        model="gemini-2.5-pro", api_key="test", base_url="http://127.0.0.1:9", http_client=client
    )
    with get_memories_callback() as cb:
        llm.invoke("a")
        first = cb.total_cost_exact
        llm.invoke("b")
    assert first == Decimal("0.25")
    assert cb.total_cost_exact - first == Decimal("200001") * Decimal("2.5") / 10**6


def test_streamed_calls_count_once(emulator: Emulator) -> None:
    llm = ChatMemoriesNova(api_key="test", base_url=emulator.base_url)
    with get_memories_callback() as cb:
        chunks = list(llm.stream("Write me 2 haikus."))
    last = chunks[-1].usage_metadata
    assert last is not None
    assert cb.successful_requests == 1
    assert cb.prompt_tokens == last["input_tokens"]
    assert cb.completion_tokens == last["output_tokens"]
    price = mc.estimate_cost(
        "us.amazon.nova-lite-v1:0", last["input_tokens"], last["output_tokens"]
    )
    assert cb.total_cost_exact == price


def test_batch_threads_and_models(emulator: Emulator) -> None:
    gemini = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    nova = ChatMemoriesNova(api_key="test", base_url=emulator.base_url)
    other = FakeListChatModel(responses=["not ours"])
    with get_memories_callback() as cb:
        gemini.batch(["a", "b", "c"])
        nova.invoke("d")
        nova.invoke("e", model="us.amazon.nova-pro-v1:0")
        other.invoke("f")
    assert cb.successful_requests == 5
    assert set(cb.by_model) == {
        "gemini-2.5-flash",
        "us.amazon.nova-lite-v1:0",
        "us.amazon.nova-pro-v1:0",
    }
    assert cb.by_model["gemini-2.5-flash"].requests == 3
    assert sum(u.total_tokens for u in cb.by_model.values()) == cb.total_tokens
    assert cb.unpriced_models == []


async def test_async_and_concurrent(emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)

    async def streamed() -> None:
        async for _ in llm.astream("stream me"):
            pass

    with get_memories_callback() as cb:
        await asyncio.gather(llm.ainvoke("a"), llm.ainvoke("b"), streamed(), llm.abatch(["c"]))
    assert cb.successful_requests == 4


async def test_context_isolation(emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)

    async def counted() -> int:
        with get_memories_callback() as cb:
            await llm.ainvoke("x")
            await asyncio.sleep(0.01)
            await llm.ainvoke("y")
        return cb.successful_requests

    assert await asyncio.gather(counted(), counted()) == [2, 2]
    llm.invoke("outside any block")  # must not fail or be counted anywhere


def test_unpriced_model_counts_tokens(emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url, model="gemini-9-ultra")
    with get_memories_callback() as cb:
        llm.invoke("hi")
    assert cb.unpriced_models == ["gemini-9-ultra"]
    assert cb.total_tokens > 0
    assert cb.total_cost == 0.0


def test_langchain_usage_callback_works(emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    with get_usage_metadata_callback() as cb:
        first = llm.invoke("hi")
        chunks = list(llm.stream("hi again"))
    usage: dict[str, Any] = cb.usage_metadata["gemini-2.5-flash"]
    assert first.usage_metadata is not None
    streamed = chunks[-1].usage_metadata
    assert streamed is not None
    assert usage["total_tokens"] == (
        first.usage_metadata["total_tokens"] + streamed["total_tokens"]
    )


def test_handler_repr_is_readable() -> None:
    with get_memories_callback() as cb:
        pass
    assert "Total Cost (USD)" in repr(cb)


# -- the LLM cache and tracing names -----------------------------------------------------------


async def test_cache_hits_are_neither_requests_nor_charged(
    memories_emulator_fn: Emulator, llm_cache: InMemoryCache
) -> None:
    llm = ChatMemoriesGemini(
        model="gemini:gemini-2.5-pro", api_key="test", base_url=memories_emulator_fn.base_url
    )
    with get_memories_callback() as cb:
        first = llm.invoke("What is in the video?")
        llm.invoke("What is in the video?")  # the same prompt: served from the cache
        await llm.ainvoke("What is in the video?")
        _, new = llm.batch(["What is in the video?", "Something new"])
    assert len(memories_emulator_fn.requests) == 2  # the first call and "Something new"
    assert first.usage_metadata is not None and new.usage_metadata is not None
    usage = cb.by_model["gemini-2.5-pro"]
    assert (cb.successful_requests, usage.requests) == (2, 2)
    assert (cb.cache_hits, usage.cache_hits) == (3, 3)
    assert cb.cached_tokens == usage.cached_tokens == 3 * first.usage_metadata["total_tokens"]
    # Only the two requests that were sent are counted and charged, each at its own size.
    sent = [first.usage_metadata, new.usage_metadata]
    assert cb.total_tokens == sum(u["total_tokens"] for u in sent)
    assert cb.total_cost_exact == sum(
        mc.estimate_cost("gemini-2.5-pro", u["input_tokens"], u["output_tokens"]) for u in sent
    )
    assert "Cache Hits: 3" in repr(cb)


@pytest.mark.parametrize(
    ("model", "per_call", "expected"),
    [
        ("gemini:gemini-2.5-pro", None, "gemini-2.5-pro"),
        ("gemini-2.5-pro", None, "gemini-2.5-pro"),
        ("gemini-2.5-flash", "gemini:gemini-2.5-pro", "gemini-2.5-pro"),
        ("gemini-2.5-flash", "gemini-9-ultra", "gemini-9-ultra"),
    ],
)
def test_ls_model_name_has_no_family_prefix(
    model: str, per_call: str | None, expected: str
) -> None:
    llm = ChatMemoriesGemini(model=model, api_key="test")
    kwargs = {"model": per_call} if per_call else {}
    assert llm._get_ls_params(**kwargs)["ls_model_name"] == expected
    bound = ChatMemoriesNova(model="nova:us.amazon.nova-pro-v1:0", api_key="test")
    assert bound._get_ls_params()["ls_model_name"] == "us.amazon.nova-pro-v1:0"


def test_traced_runs_carry_the_bare_name(emulator: Emulator) -> None:
    seen: list[dict[str, Any]] = []

    class Recorder(BaseCallbackHandler):
        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            seen.append(kwargs.get("metadata") or {})

    llm = ChatMemoriesGemini(
        model="gemini:gemini-2.5-pro", api_key="test", base_url=emulator.base_url
    )
    answer = llm.invoke("hi", config={"callbacks": [Recorder()]})
    assert seen[0]["ls_model_name"] == answer.response_metadata["model_name"] == "gemini-2.5-pro"


# -- nested blocks, threads and tasks ----------------------------------------------------------


def test_blocks_nest_and_the_outer_totals_include_the_inner_calls(
    emulator: Emulator, llm_cache: InMemoryCache
) -> None:
    flash = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    pro = flash.model_copy(update={"model": "gemini-2.5-pro"})
    with get_memories_callback() as outer:
        flash.invoke("before the inner block")
        with get_memories_callback() as inner:
            pro.invoke("inside")
            with get_memories_callback() as innermost:
                flash.invoke("deepest")
                flash.invoke("deepest")  # a cache hit, counted as one in every block
        with get_memories_callback() as sibling:
            pro.invoke("a second inner block")
        flash.invoke("after the inner blocks")
    counts = [(cb.successful_requests, cb.cache_hits) for cb in (outer, inner, innermost, sibling)]
    assert counts == [(5, 1), (2, 1), (1, 1), (1, 0)]
    assert outer.by_model["gemini-2.5-pro"].requests == 2
    assert outer.by_model["gemini-2.5-flash"].requests == 3
    assert inner.total_tokens + sibling.total_tokens < outer.total_tokens
    assert outer.total_cost_exact == sum(
        (u.cost or Decimal(0) for u in outer.by_model.values()), Decimal(0)
    )
    assert outer.total_cost_exact > inner.total_cost_exact + sibling.total_cost_exact > 0
    assert outer.cached_tokens == inner.cached_tokens == innermost.cached_tokens > 0


async def test_asyncio_tasks_count_in_the_blocks_they_were_created_in(
    emulator: Emulator,
) -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    with get_memories_callback() as outer:
        with get_memories_callback() as inner:
            task = asyncio.create_task(llm.ainvoke("created inside, finished after"))
            await asyncio.gather(llm.ainvoke("a"), llm.abatch(["b", "c"]))
        await task
        await llm.ainvoke("in the outer block")
    assert (outer.successful_requests, inner.successful_requests) == (5, 4)


def test_plain_threads_do_not_see_the_block_unless_given_its_context(
    emulator: Emulator,
) -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)

    def run(target: Callable[[], object]) -> None:
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()

    with get_memories_callback() as outer, get_memories_callback() as inner:
        run(lambda: llm.invoke("a plain thread: an empty context"))
        context = contextvars.copy_context()
        run(lambda: context.run(llm.invoke, "the block's context, copied"))
        run(lambda: llm.invoke("the handler passed", config={"callbacks": [inner]}))
        llm.batch(["LangChain copies the context into its workers"] * 2)
    assert len(emulator.requests) == 5
    assert (outer.successful_requests, inner.successful_requests) == (4, 4)
