"""Timing helpers: interleaved rounds, warm-up, per-call nanoseconds, medians."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Mapping


def interleaved(
    contenders: Mapping[str, Callable[[], object]],
    *,
    rounds: int,
    block: int,
    warmup: int = 50,
    seed: int = 0,
) -> dict[str, list[int]]:
    """Per-call nanoseconds of each contender, measured side by side.

    Every round runs a block of calls of each contender, in a shuffled order, so that drifts in
    machine load or CPU frequency hit all contenders alike.
    """
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[int]] = {name: [] for name in contenders}
    order = list(contenders)
    rng = random.Random(seed)
    clock = time.perf_counter_ns
    for _ in range(rounds):
        rng.shuffle(order)
        for name in order:
            fn, out = contenders[name], samples[name]
            for _ in range(block):
                start = clock()
                fn()
                out.append(clock() - start)
    return samples


def median_us(samples: list[int]) -> float:
    """The median of nanosecond samples, in microseconds."""
    return statistics.median(samples) / 1000


def alternate(
    contenders: Mapping[str, Callable[[], float]], *, repeats: int
) -> dict[str, list[float]]:
    """Run each contender ``repeats`` times, alternating, and collect what each returns."""
    results: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            results[name].append(fn())
    return results


def interleaved_values(
    contenders: Mapping[str, Callable[[], int]], *, rounds: int, block: int, warmup: int = 20
) -> dict[str, list[int]]:
    """Like :func:`interleaved`, for contenders that measure themselves and return nanoseconds."""
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[int]] = {name: [] for name in contenders}
    order = list(contenders)
    rng = random.Random(1)
    for _ in range(rounds):
        rng.shuffle(order)
        for name in order:
            fn, out = contenders[name], samples[name]
            out.extend(fn() for _ in range(block))
    return samples
