"""Import time (fresh subprocesses) and model construction time.

Each import statement runs in a fresh interpreter that times only the import (not interpreter
start-up); statements alternate across runs and the median is reported. Construction follows
langchain-tests' ``test_init_time``: a loop of 10 constructions.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import _contenders as con
from _report import Section, Target, fmt, ratio, table

IMPORTS = {
    "import langchain_core": "import langchain_core",
    "BaseChatModel (LangChain floor)": "from langchain_core.language_models import BaseChatModel",
    "import langchain_memories": "import langchain_memories",
    "ChatMemoriesGemini": "from langchain_memories import ChatMemoriesGemini",
    "ChatOpenAI (anchor)": "from langchain_openai import ChatOpenAI",
    "CustomLLM (LlamaIndex floor)": "from llama_index.core.llms import CustomLLM",
    "MemoriesMultiModal": "from llama_index_memories import MemoriesMultiModal",
    "import memories_client": "import memories_client",
}
PROBE = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
IMPORT_TARGET, INIT_TARGET_US = 1.2, 1000.0


def time_import(statement: str) -> float | None:
    """Seconds one fresh interpreter spends on ``statement``, or None if it fails."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(stmt=statement)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return float(done.stdout.strip()) if done.returncode == 0 else None


def import_times(runs: int) -> dict[str, float | None]:
    """Median milliseconds per statement over alternating fresh-process runs."""
    seen: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(runs):
        for name, statement in IMPORTS.items():
            seconds = time_import(statement)
            if seconds is not None:
                seen[name].append(seconds * 1000)
    return {name: statistics.median(v) if v else None for name, v in seen.items()}


def init_times(repeats: int) -> dict[str, float | None]:
    """Median microseconds of one construction (from loops of 10) for each model class.

    The classes take turns, one loop of 10 each per round (as the per-call benchmark
    interleaves its contenders), so that a slow spell of a shared machine hits them alike
    instead of landing on whichever class happened to be timed then.
    """
    builders = {
        "ChatMemoriesGemini": con.chat_memories_gemini,
        "MemoriesMultiModal": con.memories_multimodal,
        "ChatOpenAI (anchor)": con.chat_openai,
    }
    out: dict[str, float | None] = dict.fromkeys(builders)  # None: shown as n/a
    loops: dict[str, list[float]] = {}
    for name, build in builders.items():
        try:
            build()
        except Exception:  # the class cannot be built here (a missing optional package)
            continue
        loops[name] = []
    for _ in range(repeats):
        for name, samples in loops.items():
            build = builders[name]
            start = time.perf_counter_ns()
            for _ in range(10):
                build()
            samples.append((time.perf_counter_ns() - start) / 10 / 1000)
    for name, samples in loops.items():
        out[name] = statistics.median(samples)
    return out


def _self_times(statement: str) -> dict[str, int]:
    """Microseconds of import self time per module, from ``python -X importtime``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    times: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "self" not in line:
            self_us, _cumulative, name = line[len("import time:") :].split("|")
            times[name.strip()] = int(self_us)
    return times


def import_profile() -> list[str]:
    """Markdown: what ``from langchain_memories import ChatMemoriesGemini`` imports beyond
    ``BaseChatModel``, by top-level package (import self time, one run)."""
    floor = _self_times(IMPORTS["BaseChatModel (LangChain floor)"])
    ours = _self_times(IMPORTS["ChatMemoriesGemini"])
    extra: dict[str, int] = {}
    for module, us in ours.items():
        if module not in floor:
            package = module.split(".")[0]
            extra[package] = extra.get(package, 0) + us
    rows = [
        [f"`{p}`", fmt(us / 1000, " ms", 1)]
        for p, us in sorted(extra.items(), key=lambda kv: -kv[1])[:12]
    ]
    return [
        "#### `-X importtime`: modules the class import adds beyond BaseChatModel",
        "",
        *table(["top-level package", "import self time"], rows),
        "",
    ]


def run(*, quick: bool = False) -> Section:
    section = Section("5. Import and construction time")
    runs = 3 if quick else 7
    imports = import_times(runs)
    section.lines += [
        f"Imports: median of {runs} fresh interpreters per statement, statements alternating; "
        "the figure is the import alone, without interpreter start-up.",
        "",
    ]
    base = imports["import langchain_core"]
    floor = imports["BaseChatModel (LangChain floor)"]
    rows = [
        [
            name,
            f"`{IMPORTS[name]}`",
            fmt(ms, " ms", 0),
            fmt(ratio(ms, base), "x", 2),
            fmt(ratio(ms, floor), "x", 2),
        ]
        for name, ms in imports.items()
    ]
    section.lines += table(
        ["what", "statement", "median", "vs import langchain_core", "vs BaseChatModel"], rows
    )
    inits = init_times(30 if quick else 200)
    section.lines += [
        "",
        "Construction (`model=`, `api_key=`, `base_url=`), median of loops of 10 "
        "(langchain-tests' `test_init_time` case):",
        "",
    ]
    section.lines += table(
        ["class", "us per construction", "us per loop of 10"],
        [[n, fmt(us, digits=1), fmt(us * 10 if us else None, digits=0)] for n, us in inits.items()],
    )
    value = ratio(imports["import langchain_memories"], base)
    section.targets.append(
        Target(
            "`import langchain_memories` vs `import langchain_core` alone",
            f"<= {IMPORT_TARGET}x",
            f"{fmt(value, 'x', 2)} (class import vs BaseChatModel import: "
            f"{fmt(ratio(imports['ChatMemoriesGemini'], floor), 'x', 2)})",
            None if value is None else value <= IMPORT_TARGET,
        )
    )
    if value is not None and value > IMPORT_TARGET:
        section.analysis += import_profile()
    for name in ("ChatMemoriesGemini", "MemoriesMultiModal"):
        us = inits.get(name)
        section.targets.append(
            Target(
                f"Construction of {name} (loop of 10, as test_init_time)",
                "< 1 ms per loop of 10",
                f"{fmt(us * 10 if us else None, ' us', 0)} per 10 ({fmt(us, ' us', 1)} each)",
                None if us is None else us * 10 < INIT_TARGET_US,
            )
        )
    return section


if __name__ == "__main__":
    result = run(quick=True)
    print("\n".join(result.lines))
    for t in result.targets:
        print(t)
