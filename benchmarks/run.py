"""Run every benchmark and write benchmarks/RESULTS.md (``make bench``).

Usage: ``.venv/bin/python benchmarks/run.py [--quick] [--only overhead,memory,...]``.
``benchmarks/batch.py [--quick]`` alone rewrites only its own block of RESULTS.md.
Benchmarks are not tests: they print figures and ratios and say which targets are met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

import _advice
import batch
import inline
import memory
import overhead
import psutil
import startup
import streaming
import throughput
import uploads
from _report import Section, table, verdict

MODULES = {
    "overhead": overhead,
    "throughput": throughput,
    "batch": batch,
    "memory": memory,
    "streaming": streaming,
    "startup": startup,
    "inline": inline,
    "uploads": uploads,
}
ADVICE = {
    "overhead": _advice.OVERHEAD,
    "memory": _advice.MEMORY,
    "startup": _advice.IMPORT,
}
NOTES = {"throughput": _advice.THROUGHPUT_NOTE}
RESULTS = Path(__file__).with_name("RESULTS.md")
PACKAGES = ("httpx", "httpcore", "langchain-core", "langchain-openai", "llama-index-core")


def machine() -> list[str]:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (missing)")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"- Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"- Machine: {platform.machine()}, {psutil.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}; {', '.join(versions)}",
        f"- Load average at start: {load}",
    ]


def render(sections: dict[str, Section], command: str, header: list[str], took: float) -> str:
    targets = [t for s in sections.values() for t in s.targets]
    met = sum(t.met is True for t in targets)
    out = [
        "# Benchmark results",
        "",
        f"Made by `{command}` ({took:.0f} s). Medians; ratios measured side by side in one run.",
        "",
        *header,
        "",
        f"## Targets: {met} of {len(targets)} met",
        "",
        *table(
            ["target", "goal", "measured", "state"],
            [[t.name, t.goal, t.measured, verdict(t.met)] for t in targets],
        ),
    ]
    for key, section in sections.items():
        out += ["", f"## {section.title}", "", *section.lines]
        if key in NOTES:
            out += ["", NOTES[key].rstrip()]
        if any(t.met is False for t in section.targets):
            if key in ADVICE:
                out += [
                    "",
                    "### Why targets are missed and what would fix them",
                    "",
                    ADVICE[key].rstrip(),
                ]
            if section.analysis:
                out += ["", "### Profiles", "", *section.analysis]
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (smoke run)")
    parser.add_argument("--only", default=",".join(MODULES), help="comma-separated benchmarks")
    args = parser.parse_args()
    header = machine()
    started = time.perf_counter()
    sections: dict[str, Section] = {}
    for key in args.only.split(","):
        t0 = time.perf_counter()
        print(f"== {key} ...", flush=True)
        section = MODULES[key].run(quick=args.quick)
        if key == "memory" and any(t.met is False for t in section.targets):
            section.analysis += memory.explain(list(memory.CASES))
        sections[key] = section
        print("\n".join(section.lines), flush=True)
        for target in section.targets:
            print(f"   [{verdict(target.met)}] {target.name}: {target.measured} ({target.goal})")
        print(f"   ({time.perf_counter() - t0:.0f} s)", flush=True)
    command = " ".join(["python benchmarks/run.py", *sys.argv[1:]]).strip()
    if command == "python benchmarks/run.py":
        command = "make bench"
    text = render(sections, command, header, time.perf_counter() - started)
    RESULTS.write_text(text)
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
