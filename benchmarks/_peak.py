"""Which allocations are alive at the peak of a call, and where they were made.

A profile hook watches ``tracemalloc``'s current size at every Python and C call boundary and
snapshots the heap each time it reaches a new high; the last snapshot is the peak. Blocks of at
least 1 MiB are grouped by the line that allocated them, shown with the nearest caller inside
our packages.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

from _profile import OUR_PACKAGES

MIB = 1 << 20


def _short(filename: str) -> str:
    for marker in (*OUR_PACKAGES, "site-packages/", "lib/python"):
        if marker in filename:
            return filename[filename.index(marker) :].removeprefix("site-packages/")
    return filename


def peak_blocks(call: Callable[[], Any], payload: int) -> list[str]:
    """Markdown rows: MiB alive at the peak per allocating line, as multiples of ``payload``."""
    tracemalloc.start(40)
    base = tracemalloc.get_traced_memory()[0]
    best: dict[str, Any] = {"size": base, "snapshot": None}

    def hook(frame: Any, event: str, arg: Any) -> None:
        current = tracemalloc.get_traced_memory()[0]
        if current > best["size"] + MIB:
            best["size"], best["snapshot"] = current, tracemalloc.take_snapshot()

    sys.setprofile(hook)
    try:
        call()
    finally:
        sys.setprofile(None)
        tracemalloc.stop()
    snapshot = best["snapshot"]
    if snapshot is None:
        return ["(no allocation above 1 MiB)"]
    rows = [
        f"Peak seen at a call boundary: {(best['size'] - base) / MIB:.1f} MiB "
        f"({(best['size'] - base) / payload:.2f}x payload). Blocks >= 1 MiB alive then:",
        "",
        "| MiB | x payload | allocated at | via (nearest frame in our packages) |",
        "|---|---|---|---|",
    ]
    for stat in snapshot.statistics("traceback"):
        if stat.size < MIB:
            continue
        frames = list(reversed(stat.traceback))  # most recent call first
        where = f"`{_short(frames[0].filename)}:{frames[0].lineno}`"
        ours = next((f for f in frames if any(p in f.filename for p in OUR_PACKAGES)), None)
        via = f"`{_short(ours.filename)}:{ours.lineno}`" if ours else "(caller's own data)"
        rows.append(f"| {stat.size / MIB:.1f} | {stat.size / payload:.2f}x | {where} | {via} |")
    return rows
