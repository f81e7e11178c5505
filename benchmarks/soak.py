"""Soak test: 5,000 calls at concurrency 50 through ``ChatMemoriesGemini.abatch``, with faults.

Run with ``make soak`` (``.venv/bin/python benchmarks/soak.py``); not part of ``make test``.

Against the bundled emulator (in this process, on a background thread), 2 % of the calls get
an injected HTTP 503 and 1 % a dropped connection. Per-call fault headers are per *model* in
LangChain, so three models share the load (plain, ``X-Emulator-Fault: 503``, ``drop``); a
``RunnableLambda`` routes each input to one of them, and one ``abatch`` per 1,000 calls runs
them with ``max_concurrency=50``. Each model has ``max_retries=1``: an injected fault fires on
every attempt, so those calls must end in a typed error, the others in an answer.

Checked and printed:

* every call ends in a result or a typed ``memories_client.MemoriesError`` (no hang: each call
  is bounded by ``asyncio.wait_for``; no other exception type);
* open file descriptors and RSS after the first and after the last 1,000 calls (flat);
* connections the emulator accepted (reused: far fewer than calls).

The figures are written into ``tests/RELIABILITY.md`` between the ``soak:begin`` and
``soak:end`` markers. Exit status 1 if a check fails.

Usage: ``python benchmarks/soak.py [--calls 5000] [--concurrency 50] [--no-write]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil
from _report import write_marked_block
from langchain_core.runnables import RunnableLambda

from langchain_memories import ChatMemoriesGemini
from memories_client import MemoriesError
from memories_emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "tests" / "RELIABILITY.md"
PHASE = 1000
CALL_TIMEOUT = 60.0
FD_SLACK = 10  # sockets in the pools may differ by a few between two moments
RSS_SLACK_MB = 25.0


def _models(base_url: str) -> dict[str, ChatMemoriesGemini]:
    def model(fault: str | None) -> ChatMemoriesGemini:
        headers = {"X-Emulator-Fault": fault} if fault else None
        return ChatMemoriesGemini(
            model="gemini-2.5-flash",
            api_key="sk-soak-test",
            base_url=base_url,
            default_headers=headers,
            max_retries=1,
            timeout=30,
        )

    return {"ok": model(None), "503": model("503"), "drop": model("drop")}


def _plan(calls: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    plan = []
    for _ in range(calls):
        x = rng.random()
        plan.append("503" if x < 0.02 else "drop" if x < 0.03 else "ok")
    return plan


def _snapshot() -> tuple[int, float]:
    gc.collect()
    proc = psutil.Process()
    return proc.num_fds(), proc.memory_info().rss / 2**20


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    emu = Emulator().start()
    models = _models(emu.base_url)

    async def route(item: tuple[int, str]) -> str:
        _, kind = item
        message = await asyncio.wait_for(models[kind].ainvoke("Say hi"), CALL_TIMEOUT)
        return str(message.content)

    router = RunnableLambda(route)
    plan = _plan(args.calls, args.seed)
    outcomes: Counter[str] = Counter()
    by_kind: Counter[tuple[str, str]] = Counter()
    bad: list[str] = []
    connections = 0
    requests = 0
    snapshots: list[tuple[int, float]] = []
    started = time.perf_counter()
    for begin in range(0, len(plan), PHASE):
        items = list(enumerate(plan[begin : begin + PHASE], start=begin))
        results = await router.abatch(
            items, config={"max_concurrency": args.concurrency}, return_exceptions=True
        )
        for (_, kind), result in zip(items, results, strict=True):
            if isinstance(result, str):
                label = "answer" if result.startswith("Emulated answer") else "EMPTY/ODD ANSWER"
            elif isinstance(result, asyncio.TimeoutError):
                label = "HANG (no answer within 60 s)"
            elif isinstance(result, MemoriesError):
                label = type(result).__name__
            else:
                label = f"UNTYPED {type(result).__name__}"
                bad.append(repr(result)[:300])
            outcomes[label] += 1
            by_kind[(kind, label)] += 1
        connections += emu.connections_opened
        requests += len(emu.requests)
        emu.reset()  # keep the emulator's own request log from growing
        if begin == 0 or begin + PHASE >= len(plan):
            snapshots.append(_snapshot())
    elapsed = time.perf_counter() - started
    for model in models.values():
        client = model._client  # the sync client is never created in this async run
        assert client is None
    emu.stop()
    return {
        "calls": len(plan),
        "planned": Counter(plan),
        "outcomes": outcomes,
        "by_kind": by_kind,
        "untyped": bad,
        "connections": connections,
        "requests": requests,
        "first": snapshots[0],
        "last": snapshots[-1],
        "elapsed": elapsed,
        "concurrency": args.concurrency,
    }


def _checks(r: dict[str, Any]) -> list[tuple[str, bool]]:
    outcomes: Counter[str] = r["outcomes"]
    by_kind: Counter[tuple[str, str]] = r["by_kind"]
    (fd0, rss0), (fd1, rss1) = r["first"], r["last"]
    typed = {"answer", "ServerError", "MemoriesServerError", "MemoriesConnectionError"}
    return [
        ("every call ended in an answer or a typed error", set(outcomes) <= typed | _typed(r)),
        ("no hang", not any(k.startswith("HANG") for k in outcomes)),
        ("no untyped exception", not r["untyped"]),
        (
            "every fault-free call got an answer",
            by_kind[("ok", "answer")] == r["planned"]["ok"],
        ),
        (
            "every injected 503 ended in a server error",
            sum(n for (k, label), n in by_kind.items() if k == "503" and "Server" in label)
            == r["planned"]["503"],
        ),
        (
            "every dropped connection ended in a connection error",
            sum(n for (k, label), n in by_kind.items() if k == "drop" and "Connection" in label)
            == r["planned"]["drop"],
        ),
        (f"open fds flat (+/-{FD_SLACK})", abs(fd1 - fd0) <= FD_SLACK),
        (f"RSS flat (+/-{RSS_SLACK_MB:.0f} MB)", rss1 - rss0 <= RSS_SLACK_MB),
        (
            "connections reused (< 1 per 10 requests, drops aside)",
            r["connections"] - 2 * r["planned"]["drop"] < r["requests"] / 10,
        ),
    ]


def _typed(r: dict[str, Any]) -> set[str]:
    return {k for k in r["outcomes"] if k.endswith("Error") and not k.startswith("UNTYPED")}


def _report(r: dict[str, Any], checks: list[tuple[str, bool]]) -> str:
    (fd0, rss0), (fd1, rss1) = r["first"], r["last"]
    planned = r["planned"]
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} CPU(s), Python "
        f"{sys.version.split()[0]}: `ChatMemoriesGemini.abatch`, max_concurrency="
        f"{r['concurrency']}, max_retries=1, emulator in-process.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| calls | {r['calls']} ({planned['ok']} plain, {planned['503']} with injected 503, "
        f"{planned['drop']} with dropped connection) |",
        f"| wall time | {r['elapsed']:.1f} s ({r['calls'] / r['elapsed']:.0f} calls/s) |",
        f"| HTTP requests seen by the emulator | {r['requests']} (retries included) |",
        f"| TCP connections accepted | {r['connections']} |",
        f"| open fds after first 1,000 / last 1,000 calls | {fd0} / {fd1} |",
        f"| RSS after first 1,000 / last 1,000 calls | {rss0:.1f} MB / {rss1:.1f} MB |",
        "",
        "| outcome | calls |",
        "|---|---|",
    ]
    lines += [f"| {label} | {n} |" for label, n in r["outcomes"].most_common()]
    lines += ["", "| check | result |", "|---|---|"]
    lines += [f"| {name} | {'pass' if ok else 'FAIL'} |" for name, ok in checks]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--no-write", action="store_true", help="do not update RELIABILITY.md")
    args = parser.parse_args()
    result = asyncio.run(_run(args))
    checks = _checks(result)
    text = _report(result, checks)
    print(text)
    for line in result["untyped"][:10]:
        print("untyped:", line)
    if not args.no_write:
        write_marked_block(REPORT, "soak", text, heading="## Soak figures")
        print(f"\nwritten to {REPORT.relative_to(ROOT)}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
