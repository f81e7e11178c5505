"""Running a plan: each probe in turn, within the budget, every exchange recorded.

Nothing is sent when the plan's estimate is over the budget. While running, what was spent is
counted from the usage the service reports (the probe's estimate where it reports none), and a
probe that would take the run over the budget is skipped, as are all after it. A probe answered
with 429 is run again after the ``Retry-After`` wait (at most 60 s, twice): a rate limit says
nothing about the assumptions, and the 429 itself is evidence for ``RETRY-AFTER``.

Example:
    >>> from decimal import Decimal
    >>> from memories_emulator import Emulator
    >>> from memories_client.probes.plan import make_plan
    >>> plan = make_plan(probes=["gemini.text"])
    >>> with Emulator() as emu:
    ...     run = run_plan(plan, api_key="k", base_url=emu.base_url, max_cost=Decimal("0.01"))
    >>> run.verdicts()["PATH-VU"].verdict
    'held'
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import httpx
from pydantic import SecretStr

from memories_client.catalog import try_estimate_cost
from memories_client.errors import MemoriesInputError
from memories_client.probes.assumptions import ASSUMPTIONS
from memories_client.probes.base import Finding, ProbeContext, Verdict
from memories_client.probes.plan import Plan, PlannedProbe
from memories_client.probes.wire import Exchange, RecordingTransport

__all__ = ["AssumptionResult", "ProbeResult", "RunResult", "run_plan"]

_RATE_LIMIT_RETRIES = 2
_MAX_WAIT = 60.0
_DEFAULT_WAIT = 20.0


@dataclass
class ProbeResult:
    """What one probe did and found."""

    planned: PlannedProbe
    status: Literal["ran", "skipped", "failed"]
    findings: list[Finding] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    spent: Decimal = Decimal(0)
    note: str = ""


@dataclass(frozen=True)
class AssumptionResult:
    """The verdict on one assumption, and the findings it rests on (probe id, finding)."""

    id: str
    verdict: Verdict
    findings: tuple[tuple[str, Finding], ...]


@dataclass
class RunResult:
    """A finished (or budget-stopped) run."""

    plan: Plan
    base_url: str
    max_cost: Decimal
    results: list[ProbeResult]

    @property
    def spent(self) -> Decimal:
        """Estimated dollars spent: from reported usage, else the probe's estimate."""
        return sum((r.spent for r in self.results), Decimal(0))

    @property
    def stopped_by_budget(self) -> bool:
        """True when a probe was skipped because the budget was reached."""
        return any(r.status == "skipped" for r in self.results)

    def verdicts(self) -> dict[str, AssumptionResult]:
        """Every assumption's verdict, with the findings it rests on.

        Contradicted if any probe contradicted it, held if any probe saw it hold, else not tested.
        """
        found: dict[str, list[tuple[str, Finding]]] = {aid: [] for aid in ASSUMPTIONS}
        for result in self.results:
            for finding in result.findings:
                found.setdefault(finding.assumption, []).append((result.planned.probe.id, finding))
        out = {}
        for aid, findings in found.items():
            verdicts = {f.verdict for _, f in findings}
            verdict: Verdict = (
                "contradicted"
                if "contradicted" in verdicts
                else "held"
                if "held" in verdicts
                else "not tested"
            )
            out[aid] = AssumptionResult(aid, verdict, tuple(findings))
        return out


def _wait(exchanges: list[Exchange]) -> float | None:
    """Seconds to wait before running a rate-limited probe again, or None if it was not."""
    limited = [ex for ex in exchanges if ex.status == 429]
    if not limited:
        return None
    value = limited[-1].headers.get("retry-after", "")
    try:
        seconds = float(value)
    except ValueError:  # absent, or an HTTP date: wait the default
        seconds = _DEFAULT_WAIT
    if math.isnan(seconds):  # "nan" parses, and compares false with everything
        seconds = _DEFAULT_WAIT
    return min(max(seconds, 0.0), _MAX_WAIT)


def _spent(planned: PlannedProbe, ctx: ProbeContext) -> Decimal:
    costs = [try_estimate_cost(planned.model, u.input_tokens, u.output_tokens) for u in ctx.usages]
    known = [c for c in costs if c is not None]
    if known and len(known) == len(costs):
        return sum(known, Decimal(0))
    if any(ex.status == 200 for ex in ctx.exchanges):
        return planned.cost  # answered without usage: count what it could have cost
    return Decimal(0)


def run_plan(
    plan: Plan,
    *,
    api_key: str | SecretStr,
    base_url: str,
    max_cost: Decimal,
    timeout: float = 120.0,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] = lambda line: None,
) -> RunResult:
    """Send every probe of ``plan`` to ``base_url`` within ``max_cost`` dollars.

    Raises:
        MemoriesInputError: the plan's estimate is over ``max_cost`` (nothing is sent).
    """
    if plan.cost > max_cost:
        raise MemoriesInputError(
            f"the estimated cost ${plan.cost:.4f} is over the budget ${max_cost:.4f}; "
            "nothing was sent"
        )
    key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
    history: list[Exchange] = []
    current: list[list[Exchange]] = [[]]

    def record(exchange: Exchange) -> None:
        history.append(exchange)
        current[0].append(exchange)

    transport = RecordingTransport(on_exchange=record)
    results: list[ProbeResult] = []
    with httpx.Client(transport=transport, timeout=timeout) as http:
        spent = Decimal(0)
        for planned in plan.probes:
            probe = planned.probe
            if spent + planned.cost > max_cost:
                results.append(ProbeResult(planned, "skipped", note="the budget was reached"))
                progress(f"{probe.id}: skipped, the budget was reached")
                continue
            result = ProbeResult(planned, "ran")
            for attempt in range(_RATE_LIMIT_RETRIES + 1):
                ctx = ProbeContext(
                    model=planned.model,
                    request=planned.request,
                    api_key=key,
                    base_url=base_url,
                    http_client=http,
                    timeout=timeout,
                    history=history,
                )
                current[0] = ctx.exchanges
                try:
                    result.findings = probe.run(ctx)
                    result.status, result.note = "ran", ""
                except Exception as exc:  # a probe's bug or a hostile answer: report, go on
                    result.status, result.note = "failed", f"{type(exc).__name__}: {exc}"[:300]
                    result.findings = [
                        Finding(aid, "not tested", "the probe failed") for aid in probe.checks
                    ]
                result.exchanges += ctx.exchanges
                result.spent += _spent(planned, ctx)
                wait = _wait(ctx.exchanges) if probe.calls else None
                if wait is None or attempt == _RATE_LIMIT_RETRIES:
                    break
                progress(f"{probe.id}: rate limited (429), again in {wait:g} s")
                sleep(wait)
            spent += result.spent
            results.append(result)
            verdicts = ", ".join(f"{f.assumption} {f.verdict}" for f in result.findings)
            progress(f"{probe.id}: {result.status}; {verdicts}")
    return RunResult(plan, base_url, max_cost, results)
