"""Mutation testing of the modules where a silent bug costs users money or data (``make mutate``).

Runs mutmut (configured in ``pyproject.toml``, ``[tool.mutmut]``) over the functions in
``SCOPE``, prints the kill rate per module and every surviving mutant, and rewrites the block
between ``<!-- mutate:begin -->`` and ``<!-- mutate:end -->`` in ``tests/RELIABILITY.md``.

A survivor must be killed by a test or explained as equivalent in the table between
``<!-- mutate-equivalent:begin -->`` and ``<!-- mutate-equivalent:end -->`` (function, the line
it changes, why nothing observable changes). The run fails (exit 1) when fewer than 90 % of the
mutants are killed or a survivor is not in that table.

    .venv/bin/python benchmarks/mutation.py                     # the full run (make mutate)
    .venv/bin/python benchmarks/mutation.py --group parsing     # iterate on one module
    .venv/bin/python benchmarks/mutation.py --only 'memories_client._parsing.x_parse_usage*'

``--group`` and ``--only`` run a subset, keep ``mutants/`` (mutmut reuses what it generated)
and leave the figures in RELIABILITY.md alone. Mutant names are mutmut's: ``module.x_function__mutmut_N`` or
``module.xǁClassǁmethod__mutmut_N``.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from _report import write_marked_block

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "tests" / "RELIABILITY.md"
MUTMUT = Path(sys.executable).parent / "mutmut"
TARGET = 0.90

# What is mutated, by module. Whole modules where every function decides what the user pays or
# gets back; in the transport and the catalog only the retry decisions and the price arithmetic
# (the rest is settings validation, checked at construction, and catalog lookups). The price
# tables are built by helpers (_flat, _qwen...) that run once at import, before mutmut turns a
# mutant on, so mutating them would only count mutants that can never run.
SCOPE: dict[str, tuple[str, ...]] = {
    "dialects": ("memories_client.dialects.*",),
    "parsing": ("memories_client._parsing.*",),
    "streaming": ("memories_client._streaming.*",),
    "retries": (
        "memories_client._http.xǁRetryPolicyǁ*",
        "memories_client._http.x_is_retryable__*",
        "memories_client._http.x_parse_retry_after__*",
        "memories_client._http.x_error_from_response__*",
        "memories_client._http.x_transport_error__*",
        "memories_client._client_base.xǁ_BaseClientǁ_retry_delay__*",
        "memories_client._client_base.xǁ_BaseClientǁ_call_deadline__*",
        "memories_client._client_base.xǁ_BaseClientǁ_attempt_deadline__*",
        "memories_client._client.xǁMemoriesClientǁ_send__*",
        "memories_client._async_client.xǁAsyncMemoriesClientǁ_send__*",
    ),
    "catalog prices": (
        "memories_client.catalog.x_estimate_cost__*",
        "memories_client.catalog.x_try_estimate_cost__*",
        "memories_client.catalog.x__tier__*",
    ),
    "schema converter": ("memories_client.schema.gemini.*",),
    "media": ("memories_client._media.*",),
}

# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code).
KILLED = {1, 3, 24, -24, 152, 255, 36, 37}  # failed tests, timeouts, caught by the type check
SURVIVED = {0}
NO_TESTS = {5, 33}


@dataclass(frozen=True)
class Mutant:
    name: str
    group: str
    exit_code: int | None

    @property
    def function(self) -> str:
        """``module.function`` or ``module.Class.method``, without mutmut's mangling."""
        module, _, mangled = self.name.rpartition(".")
        base = re.sub(r"__mutmut_\d+$", "", mangled)
        base = base[2:] if base.startswith("x_") else base[1:]
        return f"{module}.{base.strip('ǁ').replace('ǁ', '.')}"


def mutants_in_scope(patterns: dict[str, tuple[str, ...]]) -> list[Mutant]:
    found: list[Mutant] = []
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        for name, code in codes.items():
            for group, globs in patterns.items():
                if any(fnmatch.fnmatchcase(name, g) for g in globs):
                    found.append(Mutant(name, group, code))
                    break
    return found


def diff_of(name: str) -> tuple[str, str]:
    """The lines a mutant removes and adds, each joined and stripped of indentation."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # the locked mutmut's own diff

    out = get_diff_for_mutant(name)
    removed = [ln[1:].strip() for ln in out.splitlines() if ln.startswith("-") and ln[:3] != "---"]
    added = [ln[1:].strip() for ln in out.splitlines() if ln.startswith("+") and ln[:3] != "+++"]
    return " ".join(removed), " ".join(added)


def explained() -> set[tuple[str, str, str]]:
    """(function, removed, added) of every survivor RELIABILITY.md explains as equivalent."""
    text = DOC.read_text()
    block = re.search(
        r"<!-- mutate-equivalent:begin -->(.*)<!-- mutate-equivalent:end -->", text, re.S
    )
    rows: set[tuple[str, str, str]] = set()
    for line in (block.group(1) if block else "").splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) < 4 or not cells[0].startswith("`"):
            continue
        unquote = lambda c: c.strip().strip("`").replace("\\|", "|")  # noqa: E731
        rows.add((unquote(cells[0]), unquote(cells[1]), unquote(cells[2])))
    return rows


def cell(text: str) -> str:
    """A code cell of the Markdown table (``|`` escaped, as :func:`explained` reads it)."""
    escaped = text.replace("|", "\\|")
    return f"`{escaped}`"


def run_mutmut(globs: list[str]) -> float:
    env = {**os.environ, "HYPOTHESIS_PROFILE": "mutate"}
    started = time.monotonic()
    # mutmut prints a progress line per mutant; keep the terminal readable.
    with open(ROOT / "mutants.log", "w") as log:
        code = subprocess.run(
            [str(MUTMUT), "run", "--max-children", str(os.cpu_count() or 2), *globs],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    if code < 0:
        # Stopped by a signal from outside (a shared machine): the results so far are kept.
        print(f"mutmut was stopped by signal {-code}; the mutants it checked are kept")
        return -(time.monotonic() - started)
    if code != 0:
        sys.exit(f"mutmut run failed (exit {code}); see mutants.log")
    return time.monotonic() - started


def unchecked(scope: dict[str, tuple[str, ...]]) -> list[str]:
    """The names of the mutants in ``scope`` that mutmut has not judged yet."""
    return [m.name for m in mutants_in_scope(scope) if m.exit_code is None]


def run_to_the_end(globs: list[str], scope: dict[str, tuple[str, ...]], resume: bool) -> float:
    """Run mutmut until every mutant is judged, resuming after outside interruptions."""
    wall = 0.0
    names = unchecked(scope) if resume else globs
    for _ in range(6):
        if not names:
            break
        seconds = run_mutmut(names)
        wall += abs(seconds)
        if seconds >= 0:
            break
        names = unchecked(scope)
        print(f"resuming: {len(names)} mutants left")
    return wall


def main() -> int:
    os.chdir(ROOT)  # mutmut reads pyproject.toml and mutants/ from the working directory
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="mutant name glob(s) to run instead")
    parser.add_argument(
        "--group", action="append", choices=list(SCOPE), help="run these groups of SCOPE only"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep mutants/ and run only the mutants not judged yet (after an interrupted run)",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="only report on the results in mutants/ (and, for the whole scope, rewrite the figures)",
    )
    args = parser.parse_args()
    if args.group:
        args.only = [g for name in args.group for g in SCOPE[name]]
    scope = {"selected": tuple(args.only)} if args.only else SCOPE
    globs = [g for group in scope.values() for g in group]
    wall = None
    wall_file = ROOT / "mutants" / "mutation-wall-seconds"
    if not args.report:
        if not args.only and not args.resume:
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        earlier = float(wall_file.read_text()) if args.resume and wall_file.exists() else 0.0
        wall = earlier + run_to_the_end(globs, scope, args.resume)
        if not args.only:
            wall_file.write_text(f"{wall:.0f}")
    elif not args.only and wall_file.exists():
        # A report after the full run (and subsets run again since) rewrites its figures.
        wall = float(wall_file.read_text())
    mutants = mutants_in_scope(SCOPE if not args.only else scope)
    if args.only:
        # Report per module for a subset too.
        mutants = [Mutant(m.name, m.name.split(".x")[0], m.exit_code) for m in mutants]
    tally: dict[str, Counter[str]] = {}
    for m in mutants:
        c = tally.setdefault(m.group, Counter())
        c["total"] += 1
        if m.exit_code in KILLED:
            c["killed"] += 1
        elif m.exit_code in SURVIVED:
            c["survived"] += 1
        elif m.exit_code in NO_TESTS:
            c["no tests"] += 1
        else:
            c["other"] += 1
    total = Counter[str]()
    for c in tally.values():
        total.update(c)

    rows = [
        "| module | mutants | killed | survived | no test | kill rate |",
        "|---|---|---|---|---|---|",
    ]
    for group, c in [*tally.items(), ("**all**", total)]:
        rate = c["killed"] / c["total"] if c["total"] else 0.0
        rows.append(
            f"| {group} | {c['total']} | {c['killed']} | {c['survived']} | "
            f"{c['no tests'] + c['other']} | {rate:.1%} |"
        )
    table = "\n".join(rows)
    print(table)

    known = explained()
    unexplained: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for m in mutants:
        if m.exit_code in KILLED:
            continue
        removed, added = diff_of(m.name)
        key = (m.function, removed, added)
        seen.add(key)
        status = "survived" if m.exit_code in SURVIVED else f"exit {m.exit_code}"
        mark = "equivalent" if key in known else "UNEXPLAINED"
        print(f"{mark:11} {status:8} {m.name}\n    - {removed}\n    + {added}")
        if mark == "UNEXPLAINED":
            unexplained.append("| " + " | ".join(map(cell, key)) + " | |")

    rate = total["killed"] / total["total"] if total["total"] else 0.0
    if wall is not None and not args.only:
        cpus = os.cpu_count()
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
        block = (
            f"Run {stamp} on {cpus} CPU(s), Python {sys.version.split()[0]}, by "
            f"`benchmarks/mutation.py` (`make mutate`): {wall / 60:.0f} min wall time"
            + (
                " for the full run; mutants run again since (after new tests) count as they last "
                "came out"
                if args.report
                else ""
            )
            + f".\n\n{table}"
        )
        write_marked_block(DOC, "mutate", block, heading="## Mutation testing figures")
        print(f"\nwall time {wall / 60:.1f} min; figures written to {DOC.relative_to(ROOT)}")
    ok = rate >= TARGET and not unexplained
    if rate < TARGET:
        print(f"kill rate {rate:.1%} is below {TARGET:.0%}")
    if unexplained:
        print(f"{len(unexplained)} survivor(s) neither killed nor explained in {DOC.name}:")
        print("kill each with a test, or add its row, with the reason, to the table there:")
        print("\n".join(unexplained))
    if not args.only and (stale := known - seen):
        print(f"{len(stale)} row(s) of the table in {DOC.name} match no survivor any more:")
        print("\n".join(" | ".join(row) for row in sorted(stale)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
