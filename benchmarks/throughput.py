"""Async throughput over real loopback sockets against the emulator (no artificial latency).

1,000 calls at concurrency 64: raw ``httpx.AsyncClient`` posting our exact bytes, vs
``ChatMemoriesGemini.abatch`` / ``.ainvoke`` and ``MemoriesMultiModal.achat`` with their own
default (pooled) clients. The emulator runs in another process; it counts the TCP connections
it accepts, which shows whether connections are reused.
"""

from __future__ import annotations

import asyncio
import functools
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import _canned as canned
import _contenders as con
import httpx
from _emulator_proc import EmulatorProcess
from _floors import HEADERS
from _report import Section, Target, fmt, ratio, table

CALLS, CONCURRENCY = 1000, 64
RATIO_TARGET = 0.8
MAX_CONNECTIONS = 2 * CONCURRENCY
"""Reuse means far fewer connections than calls; httpcore may replace a few, so allow 2x."""


async def _gather(
    one: Callable[[], Awaitable[Any]], calls: int, concurrency: int = CONCURRENCY
) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def guarded() -> None:
        async with gate:
            await one()

    await asyncio.gather(*(guarded() for _ in range(calls)))


async def raw_httpx(base_url: str, calls: int, concurrency: int = CONCURRENCY) -> None:
    body = canned.gemini_body("text")
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(limits=limits) as client:

        async def one() -> None:
            response = await client.post(
                f"{base_url}/vu/chat/completions", content=body, headers=HEADERS
            )
            response.raise_for_status()
            json.loads(response.content)

        await _gather(one, calls, concurrency)


async def langchain_abatch(base_url: str, calls: int) -> None:
    model = con.chat_memories_gemini(base_url=base_url)
    await model.abatch(
        [con.langchain_messages("text")] * calls, config={"max_concurrency": CONCURRENCY}
    )


async def langchain_ainvoke(base_url: str, calls: int) -> None:
    model = con.chat_memories_gemini(base_url=base_url)
    messages = con.langchain_messages("text")
    await _gather(lambda: model.ainvoke(messages), calls)


async def llama_achat(base_url: str, calls: int) -> None:
    llm = con.memories_multimodal(base_url=base_url)
    messages = con.llama_messages("text")
    await _gather(lambda: llm.achat(messages), calls)


RUNNERS = {
    "raw httpx.AsyncClient": raw_httpx,
    "ChatMemoriesGemini.abatch": langchain_abatch,
    "ChatMemoriesGemini.ainvoke": langchain_ainvoke,
    "MemoriesMultiModal.achat": llama_achat,
}
RAW = "raw httpx.AsyncClient"


@dataclass
class Run:
    """One run's figures."""

    rate: float
    client_cpu_us: float
    server_cpu_us: float
    connections: int


def _one_run(emu: EmulatorProcess, runner: Any, calls: int) -> Run:
    emu.reset()
    server_cpu = emu.cpu_seconds()
    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(runner(emu.base_url, calls))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    server_cpu = emu.cpu_seconds() - server_cpu
    return Run(calls / wall, cpu / calls * 1e6, server_cpu / calls * 1e6, emu.connections_opened)


def _median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.rate for r in runs),
        statistics.median(r.client_cpu_us for r in runs),
        statistics.median(r.server_cpu_us for r in runs),
        max(r.connections for r in runs),
    )


def measure(repeats: int) -> tuple[dict[str, Run], dict[str, str], Run]:
    """Median figures per runner, why some could not run, and raw httpx at concurrency 8."""
    runs: dict[str, list[Run]] = {name: [] for name in RUNNERS}
    missing: dict[str, str] = {}
    with EmulatorProcess() as emu:
        for name, runner in RUNNERS.items():  # warm-up, and find what is unavailable
            try:
                _one_run(emu, runner, CONCURRENCY)
            except Exception as exc:  # reported in RESULTS.md
                missing[name] = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
        for _ in range(repeats):
            for name, runner in RUNNERS.items():
                if name not in missing:
                    runs[name].append(_one_run(emu, runner, CALLS))
        low = _one_run(emu, functools.partial(raw_httpx, concurrency=8), CALLS)
    return {n: _median(r) for n, r in runs.items() if r}, missing, low


def _row(name: str, run: Run | None, raw: Run | None) -> list[str]:
    if run is None:
        return [name, *["n/a"] * 6]
    return [
        name,
        fmt(run.rate),
        fmt(ratio(run.rate, raw.rate if raw else None), "x", 2),
        fmt(run.client_cpu_us),
        fmt(ratio(run.client_cpu_us, raw.client_cpu_us if raw else None), "x", 2),
        fmt(run.server_cpu_us),
        str(run.connections),
    ]


def run(*, quick: bool = False) -> Section:
    repeats = 1 if quick else 3
    section = Section("2. Async throughput (loopback sockets, emulator in another process)")
    results, missing, low = measure(repeats)
    raw = results.get(RAW)
    section.lines += [
        f"{CALLS:,} calls at concurrency {CONCURRENCY}, text-only request, each run with a fresh "
        f"client (cold pool); median of {repeats} alternating runs. Client CPU is this "
        "process's CPU time per call; server CPU is the emulator process's.",
        "",
    ]
    rows = [_row(name, results.get(name), raw) for name in RUNNERS]
    rows.append(_row("(context) raw httpx.AsyncClient at concurrency 8", low, raw))
    section.lines += table(
        [
            "client",
            "calls/s",
            "vs raw",
            "client CPU us/call",
            "vs raw",
            "server CPU us/call",
            "connections opened",
        ],
        rows,
    )
    for name, why in missing.items():
        section.lines.append(f"\n- {name} not measured: {why}")
    for name in list(RUNNERS)[1:]:
        figures = results.get(name)
        value = ratio(figures.rate, raw.rate) if figures and raw else None
        conns = figures.connections if figures else None
        met = (
            None
            if value is None or conns is None
            else (value >= RATIO_TARGET and conns <= MAX_CONNECTIONS)
        )
        section.targets.append(
            Target(
                f"Async throughput: {name} vs raw httpx, with connection reuse",
                f">= {RATIO_TARGET}x, <= {MAX_CONNECTIONS} connections for {CALLS:,} calls",
                f"{fmt(value, 'x', 2)}, {conns if conns is not None else 'n/a'} connections",
                met,
            )
        )
    return section


if __name__ == "__main__":
    result = run(quick=True)
    print("\n".join(result.lines))
    for t in result.targets:
        print(t)
