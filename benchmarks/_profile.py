"""Summarise a cProfile of repeated calls: where the time goes, per call."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable

OUR_PACKAGES = ("memories_client", "langchain_memories", "llama_index_memories")


def _where(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    for marker in (*OUR_PACKAGES, "site-packages/", "lib/python"):
        if marker in filename:
            filename = filename[filename.index(marker) :].removeprefix("site-packages/")
            break
    return f"`{filename}:{line}({name})`" if line else f"`{name}`"


def profile_calls(fn: Callable[[], object], calls: int, *, top: int = 12) -> list[str]:
    """Markdown lines: the top functions by own time and our functions by cumulative time.

    Times are microseconds per call of ``fn`` (cProfile inflates them, so compare rows with
    each other, not with the medians).
    """
    for _ in range(20):
        fn()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = [
        (func, tt * 1e6 / calls, ct * 1e6 / calls, nc / calls)
        for func, (_cc, nc, tt, ct, _callers) in stats.items()
    ]
    total = sum(r[1] for r in rows)
    lines = [f"cProfile, {calls} calls, {total:,.0f} us/call under the profiler.", ""]
    lines += ["Top own time:", ""]
    lines += ["| function | own us/call | cum us/call | calls/call |", "|---|---|---|---|"]
    for func, tt, ct, nc in sorted(rows, key=lambda r: -r[1])[:top]:
        lines.append(f"| {_where(func)} | {tt:,.1f} | {ct:,.1f} | {nc:g} |")
    ours = [r for r in rows if any(p in r[0][0] for p in OUR_PACKAGES)]
    lines += ["", "Our functions by cumulative time:", ""]
    lines += ["| function | own us/call | cum us/call | calls/call |", "|---|---|---|---|"]
    for func, tt, ct, nc in sorted(ours, key=lambda r: -r[2])[:top]:
        lines.append(f"| {_where(func)} | {tt:,.1f} | {ct:,.1f} | {nc:g} |")
    return lines
