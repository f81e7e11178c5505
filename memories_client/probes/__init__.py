"""Probes: one command that checks every API assumption of this package against the service.

``python -m memories_client.probes`` (``make live``) prints its plan and estimated cost, and
with ``MEMORIES_API_KEY`` set sends named probes across the four families and writes a report
listing every assumption (:data:`ASSUMPTIONS`, the ids of ``docs/API_FACTS.md``) as held,
contradicted or not tested, with evidence. See ``docs/LIVE.md``.

Example:
    >>> from memories_client.probes import ASSUMPTIONS, PROBES, make_plan
    >>> "PATH-ILM" in ASSUMPTIONS and "gpt.image.ilm" in PROBES
    True
    >>> make_plan().cost < DEFAULT_MAX_COST
    True
"""

from __future__ import annotations

from memories_client.probes.assumptions import ASSUMPTIONS, Assumption
from memories_client.probes.base import Finding, Probe, ProbeContext, Verdict
from memories_client.probes.cli import main
from memories_client.probes.plan import DEFAULT_MAX_COST, Plan, cheapest_model, make_plan
from memories_client.probes.report import write_report
from memories_client.probes.runner import RunResult, run_plan
from memories_client.probes.suite import PROBES
from memories_client.probes.wire import Exchange, RecordingTransport

__all__ = [
    "ASSUMPTIONS",
    "DEFAULT_MAX_COST",
    "PROBES",
    "Assumption",
    "Exchange",
    "Finding",
    "Plan",
    "Probe",
    "ProbeContext",
    "RecordingTransport",
    "RunResult",
    "Verdict",
    "cheapest_model",
    "main",
    "make_plan",
    "run_plan",
    "write_report",
]
