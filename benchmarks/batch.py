"""Batches: N calls fired at once, N = 100, 1,000 and 4,000, against a fast loopback server.

Each contender gets a fresh client (or model) per run, warms it with 100 calls, then sends the
same 4,000 calls N at a time: batches of N fired at once (``asyncio.gather``; ``abatch`` with
no ``max_concurrency``), one after the other, timed until the last answer of the last batch;
the per-call time is the total over 4,000. Every call asks its own question (``#call=i``) and
the server puts the tag back into the answer, so a run counts only calls that got their *own*
answer. The server (:mod:`_fast_server`) runs in another process; its CPU share of one core is
reported for every run, so it is visibly not what sets the pace.

Why the same number of calls at every N: Python's collector (default settings here, no
``gc.freeze()``) runs a full collection each time the objects that survived two young
collections reach a quarter of the heap. A call in flight lives long enough to survive them at
any N from 100 up, so full collections come at a rate set by the calls *sent* (about one per
500 ``ainvoke`` calls with LangChain and its imports loaded), not by how many are in flight:
4,000 calls sent 100 at a time meet as many as 4,000 sent at once. One batch of 100 (a tenth
of a second) usually meets none, so timing it alone measured the N = 100 row without the
collector's share, and the larger rows with it.

``--only NAME[,NAME]`` measures only the contenders whose names contain one of the words (case
insensitive), in the sizes table alone, and prints the table without writing RESULTS.md.

Also: 400 calls against a server that takes 0.5 s per answer (the real workload is latency
bound; the ideal at 100 connections is 2 s), and 10,000 calls at once from default settings:
no ``PoolTimeout``, every answer its own, and file descriptors and RSS back to their baseline
after ``aclose()``.

The machine is shared: absolute times move between runs, ratios measured in one run do not
(much). The verdicts use ratios of rows measured side by side.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import _canned as canned
import _contenders as con
import httpx
import psutil
from _fast_server import FastServer
from _report import Section, Target, fmt, table

SIZES = (100, 1000, 4000)
CALLS = SIZES[-1]
"""Calls each run sends, N at a time (CALLS // N batches back to back), at every size."""
WARMUP = 100
RUN_LIMIT = 60.0
"""Seconds a run may take before it counts as not finished (nothing is retried)."""
QUICK_RUN_LIMIT = 20.0
SLOW_DELAY, SLOW_CALLS, SLOW_IDEAL = 0.5, 400, 2.0
HUGE = 10_000
PER_CALL_GROWTH = 1.5

Batch = Callable[[int], Awaitable[list[Any]]]
"""Fires n tagged calls at once; returns each call's answer text or exception, in call order."""
Contender = Callable[[FastServer], Awaitable[tuple[Batch, Callable[[], Awaitable[None]]]]]
"""Builds a fresh client for a server: the batch function and how to close the client."""


def tag(i: int) -> str:
    return f"#call={i}"


def question(i: int) -> str:
    return f"{canned.QUESTION} {tag(i)}"


_BODY = canned.gemini_body("text")
_QUESTION_BYTES = canned.QUESTION.encode()


def tagged_body(i: int) -> bytes:
    return _BODY.replace(_QUESTION_BYTES, question(i).encode(), 1)


# -- raw httpx and openai-python -------------------------------------------------------------


def _raw(client: httpx.AsyncClient, url: str, gate: asyncio.Semaphore | None) -> Batch:
    headers = {"Authorization": canned.API_KEY, "Content-Type": "application/json"}

    async def one(i: int) -> str:
        if gate is None:
            response = await client.post(url, content=tagged_body(i), headers=headers)
        else:
            async with gate:
                response = await client.post(url, content=tagged_body(i), headers=headers)
        response.raise_for_status()
        return str(json.loads(response.content)["choices"][0]["text"])

    async def batch(n: int) -> list[str]:
        return list(await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True))

    return batch


def raw_httpx(*, semaphore: int | None = None) -> Contender:
    async def build(server: FastServer) -> tuple[Batch, Callable[[], Awaitable[None]]]:
        client = httpx.AsyncClient(timeout=5.0)  # httpx's default limits: 100 connections
        gate = asyncio.Semaphore(semaphore) if semaphore else None
        return _raw(client, f"{server.base_url}/vu/chat/completions", gate), client.aclose

    return build


async def _raw_aiohttp(server: FastServer) -> tuple[Batch, Callable[[], Awaitable[None]]]:
    from httpx_aiohttp import HttpxAiohttpClient

    client = HttpxAiohttpClient(timeout=5.0)
    return _raw(client, f"{server.base_url}/vu/chat/completions", None), client.aclose


def openai_python(*, aiohttp: bool = False) -> Contender:
    async def build(server: FastServer) -> tuple[Batch, Callable[[], Awaitable[None]]]:
        import openai

        http = openai.DefaultAioHttpClient() if aiohttp else None
        client = openai.AsyncOpenAI(
            api_key=canned.API_KEY,
            base_url=server.openai_base_url,
            max_retries=0,
            http_client=http,
        )

        async def one(i: int) -> str:
            answer = await client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": question(i)}]
            )
            return answer.choices[0].message.content or ""

        async def batch(n: int) -> list[str]:
            return list(await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True))

        return batch, client.close

    return build


# -- ours ------------------------------------------------------------------------------------


def core(transport: str) -> Contender:
    async def build(server: FastServer) -> tuple[Batch, Callable[[], Awaitable[None]]]:
        from memories_client import AsyncMemoriesClient, ChatRequest, Message

        client = AsyncMemoriesClient(
            api_key=canned.API_KEY, base_url=server.base_url, async_transport=transport
        )

        async def one(i: int) -> str:
            request = ChatRequest(model=canned.GEMINI_MODEL, messages=[Message.user(question(i))])
            return (await client.chat(request)).text

        async def batch(n: int) -> list[str]:
            return list(await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True))

        return batch, client.aclose

    return build


def langchain(transport: str, *, how: str) -> Contender:
    async def build(server: FastServer) -> tuple[Batch, Callable[[], Awaitable[None]]]:
        from langchain_core.messages import HumanMessage

        model = con.chat_memories_gemini(base_url=server.base_url, async_transport=transport)

        async def batch(n: int) -> list[Any]:
            inputs = [[HumanMessage(content=question(i))] for i in range(n)]
            if how == "abatch":
                answers = await model.abatch(inputs, return_exceptions=True)
            else:
                calls = (model.ainvoke(m) for m in inputs)
                answers = await asyncio.gather(*calls, return_exceptions=True)
            return [a if isinstance(a, BaseException) else str(a.content) for a in answers]

        return batch, model.aclose

    return build


def llamaindex(transport: str) -> Contender:
    async def build(server: FastServer) -> tuple[Batch, Callable[[], Awaitable[None]]]:
        from llama_index.core.llms import ChatMessage

        llm = con.memories_multimodal(base_url=server.base_url, async_transport=transport)

        async def batch(n: int) -> list[Any]:
            inputs = [[ChatMessage(role="user", content=question(i))] for i in range(n)]
            answers = await asyncio.gather(*(llm.achat(m) for m in inputs), return_exceptions=True)
            return [a if isinstance(a, BaseException) else str(a.message.content) for a in answers]

        return batch, llm.aclose

    return build


RAW_HTTPX = "raw httpx.AsyncClient (default limits, 5 s timeout)"
RAW_SEMAPHORE = "raw httpx, asyncio.Semaphore(100) around each post"
RAW_AIOHTTP = "raw httpx on the httpx-aiohttp transport"
OPENAI = "openai.AsyncOpenAI"
OPENAI_AIOHTTP = "openai.AsyncOpenAI, DefaultAioHttpClient"
OURS = ("AsyncMemoriesClient.chat", "ChatMemoriesGemini.ainvoke", "ChatMemoriesGemini.abatch")
OURS += ("MemoriesMultiModal.achat",)


def _ours(name: str, transport: str) -> Contender:
    if name == "AsyncMemoriesClient.chat":
        return core(transport)
    if name == "MemoriesMultiModal.achat":
        return llamaindex(transport)
    return langchain(transport, how=name.rsplit(".", 1)[1])


SKIPPED = {
    (RAW_HTTPX, 4000): (
        "not run: at N=1,000 it already fails (PoolTimeout); at 4,000 httpcore's queue scans "
        "starve the event loop, so the run cannot even be cancelled at its time limit"
    )
}
CONTENDERS: dict[str, Contender] = {
    RAW_HTTPX: raw_httpx(),
    RAW_SEMAPHORE: raw_httpx(semaphore=100),
    RAW_AIOHTTP: _raw_aiohttp,
    OPENAI: openai_python(),
    OPENAI_AIOHTTP: openai_python(aiohttp=True),
    **{f"{name} (httpx)": _ours(name, "httpx") for name in OURS},
    **{f"{name} (aiohttp)": _ours(name, "aiohttp") for name in OURS},
}


# -- one run ---------------------------------------------------------------------------------


@dataclass
class Run:
    """One timed batch: wall seconds (None: not finished), own answers, errors, server load."""

    seconds: float | None
    own: int
    errors: dict[str, int]
    client_cpu: float
    server_share: float

    def per_call_ms(self, n: int) -> float | None:
        return None if self.seconds is None else self.seconds / n * 1000


def _errors(results: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        if isinstance(result, BaseException):
            name = type(result).__name__
            counts[name] = counts.get(name, 0) + 1
    return counts


async def _timed(batch: Batch, n: int) -> tuple[float | None, list[Any]]:
    started = time.perf_counter()
    try:
        answers = await asyncio.wait_for(batch(n), RUN_LIMIT)
    except asyncio.TimeoutError:
        return None, []
    return time.perf_counter() - started, answers


def _own(answers: list[Any]) -> int:
    # The tag ends the answer, so "#call=1" does not pass for "#call=12".
    return sum(isinstance(a, str) and a.endswith(tag(i)) for i, a in enumerate(answers))


def run_one(contender: Contender, server: FastServer, n: int, *, calls: int | None = None) -> Run:
    """A fresh client, warmed up, then ``calls`` calls (default n) sent in batches of n.

    ``seconds`` is the mean time of one batch. The run stops at the first batch that does not
    finish or where a call did not get its own answer: that batch is the result (a failure is
    never averaged away).
    """
    batches = max(1, (calls or n) // n)

    async def main() -> Run:
        batch, close = await contender(server)
        try:
            await batch(min(n, WARMUP))
            cpu, server_cpu = time.process_time(), server.cpu_seconds()
            total, done = 0.0, 0
            while done < batches:
                seconds, answers = await _timed(batch, n)
                own, done = _own(answers), done + 1
                if seconds is None or own < n:
                    break
                total += seconds
            cpu = time.process_time() - cpu
            server_cpu = server.cpu_seconds() - server_cpu
        finally:
            await close()
        if seconds is not None and own == n:
            seconds = total / done
        share = server_cpu / (total or seconds or 1.0)
        return Run(seconds, own, _errors(answers), cpu / (done * n) * 1e6, share)

    return asyncio.run(main())


# -- the three measurements ------------------------------------------------------------------


def measure_sizes(
    repeats: int, contenders: dict[str, Contender] | None = None
) -> tuple[dict[tuple[str, int], Run], dict[str, str]]:
    """Every contender at every size, alternating, ``repeats`` times; the median run kept."""
    contenders = CONTENDERS if contenders is None else contenders
    runs: dict[tuple[str, int], list[Run]] = {}
    missing: dict[str, str] = {}
    with FastServer() as server:
        for name, contender in contenders.items():
            try:
                run_one(contender, server, 10)
            except Exception as exc:  # reported in RESULTS.md
                missing[name] = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
        for _ in range(repeats):
            for n in SIZES:
                for name, contender in contenders.items():
                    if name in missing or (name, n) in SKIPPED:
                        continue
                    run = run_one(contender, server, n, calls=CALLS)
                    runs.setdefault((name, n), []).append(run)
                    print(f"   {name} N={n}: {fmt(run.seconds, ' s', 2)}", flush=True)
    return {key: _median(found) for key, found in runs.items()}, missing


def _median(runs: list[Run]) -> Run:
    """The median time; the answers and errors of the worst run (a failure is never hidden)."""
    done = [r for r in runs if r.seconds is not None]
    if len(done) < len(runs) / 2:
        return next(r for r in runs if r.seconds is None)
    middle = sorted(done, key=lambda r: r.seconds or 0.0)[len(done) // 2]
    worst = min(runs, key=lambda r: r.own)
    return Run(
        middle.seconds,
        worst.own,
        worst.errors,
        statistics.median(r.client_cpu for r in done),
        max(r.server_share for r in runs),
    )


SLOW = {
    "AsyncMemoriesClient.chat (httpx)": core("httpx"),
    "ChatMemoriesGemini.ainvoke (httpx)": langchain("httpx", how="ainvoke"),
    "AsyncMemoriesClient.chat (aiohttp)": core("aiohttp"),
    RAW_HTTPX: raw_httpx(),
    RAW_AIOHTTP: _raw_aiohttp,
}


def measure_slow(repeats: int) -> dict[str, Run]:
    runs: dict[str, list[Run]] = {}
    with FastServer(delay=SLOW_DELAY) as server:
        for _ in range(repeats):
            for name, contender in SLOW.items():
                runs.setdefault(name, []).append(run_one(contender, server, SLOW_CALLS))
    return {name: _median(found) for name, found in runs.items()}


@dataclass
class Huge:
    """The 10,000-call run and the process's resources around it."""

    run: Run
    fds: tuple[int, int, int]  # before, at the end of the batch (pool open), after aclose
    rss_mb: tuple[float, float, float]


def measure_huge(transport: str = "httpx") -> Huge:
    process = psutil.Process()
    with FastServer() as server:
        run_one(core(transport), server, WARMUP)  # imports and one-time caches, not counted
        gc.collect()
        fds_before, rss_before = process.num_fds(), process.memory_info().rss
        peak: list[tuple[int, int]] = []

        async def main() -> Run:
            batch, close = await core(transport)(server)
            started = time.perf_counter()
            answers = await batch(HUGE)
            seconds = time.perf_counter() - started
            peak.append((process.num_fds(), process.memory_info().rss))
            await close()
            return Run(seconds, _own(answers), _errors(answers), 0.0, 0.0)

        run = asyncio.run(main())
        gc.collect()
        fds_after, rss_after = process.num_fds(), process.memory_info().rss
    mb = 2**20
    return Huge(
        run,
        (fds_before, peak[0][0], fds_after),
        (rss_before / mb, peak[0][1] / mb, rss_after / mb),
    )


# -- the report ------------------------------------------------------------------------------


def _cell(run: Run | None, n: int, skipped: str | None = None) -> str:
    if skipped is not None:
        return skipped.split(":")[0]
    if run is None:
        return "n/a"
    if run.seconds is None:
        return f"not finished in {RUN_LIMIT:.0f} s"
    if run.own < n and not run.errors:
        run.errors = {"wrong or missing answers": n - run.own}
    text = f"{run.seconds:.2f} s ({run.per_call_ms(n):.2f} ms/call)"
    if run.own < n:
        errors = ", ".join(f"{count:,} {name}" for name, count in sorted(run.errors.items()))
        text += f"; **{run.own:,} of {n:,} answered**" + (f" ({errors})" if errors else "")
    return text


def _growth(results: dict[tuple[str, int], Run], name: str, n: int) -> float | None:
    small, big = results.get((name, SIZES[0])), results.get((name, n))
    if small is None or big is None or big.own < n or small.seconds is None:
        return None
    small_ms, big_ms = small.per_call_ms(SIZES[0]), big.per_call_ms(n)
    return None if small_ms is None or big_ms is None else big_ms / small_ms


def _seconds(results: dict[tuple[str, int], Run], name: str, n: int) -> float | None:
    run = results.get((name, n))
    return None if run is None or run.own < n else run.seconds


def size_targets(results: dict[tuple[str, int], Run]) -> list[Target]:
    targets = []
    for name in OURS:
        growth = [_growth(results, f"{name} (httpx)", n) for n in SIZES[1:]]
        measured = ", ".join(
            f"N={n:,}: {fmt(g, 'x', 2)}" for n, g in zip(SIZES[1:], growth, strict=True)
        )
        targets.append(
            Target(
                f"Batch: {name} per-call time at N=1,000 and 4,000 vs N=100 (default transport)",
                f"<= {PER_CALL_GROWTH}x",
                measured,
                None if None in growth else all(g <= PER_CALL_GROWTH for g in growth if g),
            )
        )
    ours = _seconds(results, "AsyncMemoriesClient.chat (httpx)", 1000)
    openai_run = results.get((OPENAI, 1000))
    theirs = _seconds(results, OPENAI, 1000)
    if theirs is None and openai_run is not None:
        # Not finished within the limit, or not every call answered: slower than any time
        # in which every call was answered.
        theirs = float("inf")
    targets.append(
        Target(
            "Batch: AsyncMemoriesClient (default transport) vs openai.AsyncOpenAI at N=1,000",
            "faster",
            f"{fmt(ours, ' s', 2)} vs {_cell(openai_run, 1000)}",
            None if ours is None or theirs is None else ours < theirs,
        )
    )
    ours = _seconds(results, "AsyncMemoriesClient.chat (aiohttp)", 1000)
    raw = _seconds(results, RAW_AIOHTTP, 1000)
    ratio = None if ours is None or raw is None else ours / raw
    targets.append(
        Target(
            "Batch: AsyncMemoriesClient (aiohttp) vs raw httpx on the aiohttp transport, N=1,000",
            "<= 1.5x",
            f"{fmt(ours, ' s', 2)} vs {fmt(raw, ' s', 2)}: {fmt(ratio, 'x', 2)}",
            None if ratio is None else ratio <= 1.5,
        )
    )
    return targets


def sizes_section(
    repeats: int, contenders: dict[str, Contender] | None = None
) -> tuple[Section, dict[tuple[str, int], Run]]:
    """The table of N calls at once, and the per-call growth targets of our rows measured."""
    contenders = CONTENDERS if contenders is None else contenders
    results, missing = measure_sizes(repeats, contenders)
    section = Section("Batches: N calls at once (fast loopback server in another process)")
    section.lines += [
        f"Each run: a fresh client, {WARMUP} warm-up calls, then the same {CALLS:,} calls sent "
        "N at a time (batches of N fired at once, one after the other), timed to the last "
        "answer; per-call time is the total over all calls, and a batch's time is the mean. "
        "Every call asks its own question and must get its own answer back; a run stops at its "
        "first batch that fails, which is then the result. Python's default garbage-collector "
        "settings (no `gc.freeze()`): sending the same number of calls at every N gives every "
        "row the same share of full collections, which come with the calls sent, not with the "
        "calls in flight (benchmarks/batch.py explains). "
        f"Median of {repeats} alternating run(s). The machine (2 cores) is shared "
        "with other work: compare rows of this run with each other, not with other runs. "
        "Server: an asyncio server in another process answering the documented Gemini body (an "
        "OpenAI body of the same size for openai-python); the largest share of one core it "
        f"used in any run here: {max((r.server_share for r in results.values()), default=0):.0%}.",
        "",
    ]
    rows = []
    for name in contenders:
        if name in missing:
            rows.append([name, *["not measured"] * len(SIZES), "n/a"])
            continue
        found = [results.get((name, n)) for n in SIZES]
        rows.append(
            [
                name,
                *(_cell(r, n, SKIPPED.get((name, n))) for r, n in zip(found, SIZES, strict=True)),
                " / ".join(fmt(r.client_cpu if r else None) for r in found),
            ]
        )
    sizes = " / ".join(f"{n:,}" for n in SIZES)
    section.lines += table(
        ["contender", *(f"N = {n:,}" for n in SIZES), f"client CPU us/call at N = {sizes}"],
        rows,
    )
    for name, why in missing.items():
        section.lines.append(f"\n- {name} not measured: {why}")
    for (name, n), why in SKIPPED.items():
        if name in contenders:
            section.lines.append(f"\n- {name} at N={n:,}: {why}.")
    section.targets += size_targets(results)
    return section, results


def run(*, quick: bool = False) -> Section:
    global RUN_LIMIT
    repeats = 1 if quick else 3
    if quick:  # a few minutes: one run of each, and less patience with what does not finish
        RUN_LIMIT = QUICK_RUN_LIMIT
    section, _ = sizes_section(repeats)
    slow = measure_slow(repeats)
    huge = measure_huge()

    section.lines += [
        "",
        f"**A slow server** ({SLOW_DELAY} s per answer), {SLOW_CALLS} calls at once; the ideal "
        f"with 100 connections is {SLOW_IDEAL:.0f} s ({SLOW_CALLS // 100} rounds of "
        f"{SLOW_DELAY} s):",
        "",
    ]
    section.lines += table(
        ["contender", "seconds", "vs ideal"],
        [
            [
                name,
                _cell(r, SLOW_CALLS),
                fmt(None if r.seconds is None else r.seconds / SLOW_IDEAL, "x", 2),
            ]
            for name, r in slow.items()
        ],
    )
    for name, r in slow.items():
        if not name.endswith("(httpx)"):
            continue
        done = r.seconds is not None and r.own == SLOW_CALLS
        section.targets.append(
            Target(
                f"Batch: {name}, {SLOW_CALLS} calls at once, {SLOW_DELAY} s per answer",
                f"<= 1.3x the ideal {SLOW_IDEAL:.0f} s",
                f"{_cell(r, SLOW_CALLS)}: "
                f"{fmt(r.seconds / SLOW_IDEAL if r.seconds else None, 'x', 2)}",
                done and (r.seconds or 0.0) <= 1.3 * SLOW_IDEAL,
            )
        )

    run10k = huge.run
    fds, rss = huge.fds, huge.rss_mb
    section.lines += [
        "",
        f"**{HUGE:,} calls at once** through `AsyncMemoriesClient.chat` with default settings: "
        f"{_cell(run10k, HUGE)}; errors: {run10k.errors or 'none'}. Open file descriptors "
        f"before / at the end of the batch / after `aclose()`: {fds[0]} / {fds[1]} / {fds[2]}; "
        f"RSS {rss[0]:.0f} / {rss[1]:.0f} / {rss[2]:.0f} MB.",
    ]
    # RSS: the allocator keeps some freed memory; back to baseline means within 10 %.
    back = fds[2] <= fds[0] and rss[2] <= rss[0] * 1.10
    section.targets.append(
        Target(
            f"Batch: {HUGE:,} calls at once, default settings",
            "no PoolTimeout; every call its own answer; fds and RSS back after aclose()",
            f"{run10k.own:,} own answers, errors {run10k.errors or 'none'}; fds {fds[0]} -> "
            f"{fds[2]}, RSS {rss[0]:.0f} -> {rss[2]:.0f} MB",
            run10k.own == HUGE and not run10k.errors and back,
        )
    )
    return section


def main() -> None:
    """Run the batch benchmark alone and write its block of RESULTS.md (``--quick``: 1 run).

    ``--only NAME[,NAME]``: only the sizes table, for the contenders whose names hold a word,
    printed, RESULTS.md left alone.
    """
    import datetime as dt
    import os
    import sys
    from pathlib import Path

    from _report import verdict, write_marked_block

    quick = "--quick" in sys.argv[1:]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    started = time.perf_counter()
    if "--only" in sys.argv[1:]:
        words = sys.argv[sys.argv.index("--only") + 1].lower().split(",")
        chosen = {k: v for k, v in CONTENDERS.items() if any(w in k.lower() for w in words)}
        section, _ = sizes_section(1 if quick else 3, chosen)
        print(f"load average at start {load}, at the end {os.getloadavg()[0]:.2f}")
        print("\n".join(section.lines))
        for t in section.targets:
            print(f"- {t.name}: {t.measured}")
        return
    section = run(quick=quick)
    command = "python benchmarks/batch.py" + (" --quick" if quick else "")
    body = [
        f"## {section.title}",
        "",
        f"Made by `{command}` ({time.perf_counter() - started:.0f} s) on "
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}; load average at start {load}.",
        "",
        *table(
            ["target", "goal", "measured", "state"],
            [[t.name, t.goal, t.measured, verdict(t.met)] for t in section.targets],
        ),
        "",
        *section.lines,
    ]
    results = Path(__file__).with_name("RESULTS.md")
    write_marked_block(results, "batch", "\n".join(body), heading="")
    print("\n".join(body))


if __name__ == "__main__":
    main()
