"""``python -m memories_client.probes``: the plan and its cost first, then the probes and a report.

Without ``MEMORIES_API_KEY`` it prints the plan and the estimated cost and exits 0, sending
nothing. With a key it refuses to start when the estimate is over ``--max-cost`` (exit 3,
nothing sent), else runs every probe against ``MEMORIES_BASE_URL`` (default: the production
URL) and writes ``report.md`` and ``report.json`` into ``--out``.

Example:
    >>> main(["--family", "nova"], environ={})  # doctest: +ELLIPSIS
    Models (the cheapest of each family unless --model says otherwise):
    ...
    MEMORIES_API_KEY is not set: nothing was sent.
    ...
    0
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from memories_client._http import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL
from memories_client.errors import MemoriesError
from memories_client.probes.assumptions import ASSUMPTIONS
from memories_client.probes.plan import DEFAULT_MAX_COST, make_plan
from memories_client.probes.report import write_report
from memories_client.probes.runner import run_plan

__all__ = ["EXIT_OVER_BUDGET", "main"]

EXIT_OVER_BUDGET = 3
"""The exit status when the budget stopped the run (before or during it)."""
_EXIT_USAGE = 2


def _money(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount of dollars: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"--max-cost must be 0 or more, got {text!r}")
    return value


def _model(text: str) -> tuple[str, str]:
    family, sep, model = text.partition("=")
    if not sep or not family or not model:
        raise argparse.ArgumentTypeError(f"--model takes FAMILY=ID, got {text!r}")
    return family, model


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m memories_client.probes",
        description=(
            "Check every assumption the package makes about the memories.ai API against the "
            f"service. Reads {API_KEY_ENV} and {BASE_URL_ENV}; without a key it only prints "
            "the plan and its estimated cost."
        ),
    )
    parser.add_argument(
        "--max-cost",
        type=_money,
        default=DEFAULT_MAX_COST,
        help=f"budget in US dollars; the run does not start above it (default {DEFAULT_MAX_COST})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("live-report"),
        help="directory for report.md and report.json (default ./live-report)",
    )
    parser.add_argument(
        "--model",
        type=_model,
        action="append",
        default=[],
        metavar="FAMILY=ID",
        help="use this model for a family instead of its cheapest (repeatable)",
    )
    parser.add_argument(
        "--family", action="append", help="run only this family's probes (repeatable)"
    )
    parser.add_argument("--probe", action="append", help="run only this probe (repeatable)")
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds per call (default 120)"
    )
    parser.add_argument(
        "--list", action="store_true", help="list the assumptions and probes, then exit"
    )
    return parser


def _listing() -> str:
    from memories_client.probes.suite import PROBES

    lines = ["Assumptions:"]
    lines += [f"  {a.id:<22} {a.statement}" for a in ASSUMPTIONS.values()]
    lines += ["", "Probes:"]
    lines += [f"  {p.id:<26} {p.title}  [{' '.join(p.checks)}]" for p in PROBES.values()]
    return "\n".join(lines)


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    out: Callable[[str], None] = print,
) -> int:
    """Run the command line; returns the exit status.

    Exit statuses: 0 done (or nothing sent without a key), 2 bad arguments, 3 over budget.
    """
    env = os.environ if environ is None else environ
    args = _parser().parse_args(argv)
    if args.list:
        out(_listing())
        return 0
    try:
        plan = make_plan(dict(args.model), args.family, args.probe)
    except MemoriesError as error:
        out(f"error: {error}")
        return _EXIT_USAGE
    out(plan.describe())
    out(f"Budget (--max-cost): ${args.max_cost:.4f}")
    over = plan.cost > args.max_cost
    key = env.get(API_KEY_ENV, "").strip()
    if not key:
        out(f"{API_KEY_ENV} is not set: nothing was sent.")
        if over:
            out("(With a key, this plan would stop here: its estimate is over the budget.)")
        out(f"Set {API_KEY_ENV} (and {BASE_URL_ENV} for another server) to run the probes.")
        return 0
    if over:
        out(
            f"The estimated cost ${plan.cost:.4f} is over the budget ${args.max_cost:.4f}: "
            "nothing was sent. Raise --max-cost or run fewer probes (--family, --probe)."
        )
        return EXIT_OVER_BUDGET
    base_url = (env.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    out(f"Sending {plan.calls} calls to {base_url} ...")
    run = run_plan(
        plan,
        api_key=key,
        base_url=base_url,
        max_cost=args.max_cost,
        timeout=args.timeout,
        progress=out,
    )
    md_path, json_path = write_report(run, args.out, key)
    counts = {
        v: sum(r.verdict == v for r in run.verdicts().values())
        for v in ("held", "contradicted", "not tested")
    }
    out(
        f"{counts['held']} held, {counts['contradicted']} contradicted, "
        f"{counts['not tested']} not tested; spent about ${run.spent:.4f}."
    )
    out(f"Report: {md_path} and {json_path}. Please send report.json with your issue.")
    return EXIT_OVER_BUDGET if run.stopped_by_budget else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
