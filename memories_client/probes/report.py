"""The report of a run, in Markdown (to read) and JSON (to send us and to turn into fixtures).

Every assumption of :data:`~memories_client.probes.assumptions.ASSUMPTIONS` is listed with its
verdict and the evidence: each finding's note, and for the probe behind it the HTTP status,
the answer's field names and a shortened body. A contradicted assumption names the setting
that adapts the client to it. The key never appears: the recorded exchanges hold no
``Authorization`` header, and the key's text is replaced by ``<redacted>`` wherever a server
echoed it. So are the signatures of signed URLs (the upload probe's storage URL), which would
let anyone read the file until they expire.

Example:
    >>> scrub("echo sk-secret-1234", "sk-secret-1234")
    'echo <redacted>'
    >>> scrub("https://s.test/a?X-Goog-Expires=9&X-Goog-Signature=ab12", "k")
    'https://s.test/a?X-Goog-Expires=9&X-Goog-Signature=<redacted>'
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from memories_client._version import __version__
from memories_client.probes.assumptions import ASSUMPTIONS
from memories_client.probes.runner import ProbeResult, RunResult
from memories_client.probes.wire import SHORT_BODY

__all__ = ["MIN_SCRUBBED_KEY", "report_data", "report_markdown", "scrub", "write_report"]

MIN_SCRUBBED_KEY = 4
"""Keys shorter than this are not searched for in the report (they would match ordinary text);
no real key is that short."""
# A URL's signature parameter (Google's and Amazon's presigned URLs, and the generic name).
_SIGNATURE = re.compile(r"(?i)(\b(?:x-goog-|x-amz-)?signature=)[^&\"'\s\\<]+")
_MARK = {"held": "held", "contradicted": "**CONTRADICTED**", "not tested": "not tested"}


def scrub(text: str, key: str) -> str:
    """``text`` with ``key`` and every URL signature replaced by ``<redacted>``."""
    text = _SIGNATURE.sub(r"\1<redacted>", text)
    if len(key) < MIN_SCRUBBED_KEY:
        return text
    return text.replace(key, "<redacted>")


def _public_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _evidence(result: ProbeResult | None) -> dict[str, Any]:
    if result is None or not result.exchanges:
        return {}
    return result.exchanges[-1].as_dict()


def report_data(run: RunResult) -> dict[str, Any]:
    """The report as JSON-ready data (not yet scrubbed: :func:`write_report` scrubs)."""
    by_probe = {r.planned.probe.id: r for r in run.results}
    assumptions = []
    for aid, verdict in run.verdicts().items():
        assumption = ASSUMPTIONS.get(aid)
        entry: dict[str, Any] = {
            "id": aid,
            "statement": assumption.statement if assumption else "(not in the catalogue)",
            "source": assumption.source if assumption else "",
            "verdict": verdict.verdict,
            "evidence": [
                {
                    "probe": probe_id,
                    "verdict": finding.verdict,
                    "note": finding.note,
                    **_evidence(by_probe.get(probe_id)),
                }
                for probe_id, finding in verdict.findings
            ],
        }
        if verdict.verdict == "contradicted" and assumption is not None:
            entry["adapt"] = assumption.adapt
        assumptions.append(entry)
    counts = {v: sum(a["verdict"] == v for a in assumptions) for v in _MARK}
    return {
        "tool": "python -m memories_client.probes",
        "version": __version__,
        "base_url": _public_url(run.base_url),
        "models": dict(run.plan.models),
        "calls_planned": run.plan.calls,
        "estimated_cost_usd": str(run.plan.cost),
        "spent_estimate_usd": str(run.spent),
        "max_cost_usd": str(run.max_cost),
        "stopped_by_budget": run.stopped_by_budget,
        "counts": counts,
        "assumptions": assumptions,
        "probes": [
            {
                "id": r.planned.probe.id,
                "title": r.planned.probe.title,
                "model": r.planned.model,
                "status": r.status,
                "note": r.note,
                "findings": [
                    {"assumption": f.assumption, "verdict": f.verdict, "note": f.note}
                    for f in r.findings
                ],
                # Whole (up to 64 KiB each): what fixtures for the offline suite are made from.
                "exchanges": [ex.as_dict(whole=True) for ex in r.exchanges],
            }
            for r in run.results
        ],
    }


def _usd(amount: str) -> str:
    return f"{Decimal(amount):.6f}"


def _fence(body: str) -> str:
    # Longer than any run of backticks in the body (Gemini fences its JSON answers).
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_markdown(data: dict[str, Any]) -> str:
    """The report as Markdown, from :func:`report_data`."""
    counts = data["counts"]
    lines = [
        "# memories.ai assumptions: live report",
        "",
        f"Run by `{data['tool']}` {data['version']} against {data['base_url']}.",
        f"Models: {', '.join(data['models'].values())}.",
        f"Calls planned: {data['calls_planned']}; estimated cost "
        f"${_usd(data['estimated_cost_usd'])}, spent about ${_usd(data['spent_estimate_usd'])} "
        f"(budget ${_usd(data['max_cost_usd'])})"
        + ("; **stopped by the budget**." if data["stopped_by_budget"] else "."),
        "",
        f"**{counts['held']} held, {counts['contradicted']} contradicted, "
        f"{counts['not tested']} not tested** of {len(data['assumptions'])} assumptions.",
        "",
    ]
    contradicted = [a for a in data["assumptions"] if a["verdict"] == "contradicted"]
    if contradicted:
        lines += ["## Contradicted: what to change", ""]
        lines += [
            f"- **{a['id']}**: {a['statement']} Change: {a.get('adapt', '')}." for a in contradicted
        ]
        lines.append("")
    lines += [
        "## Every assumption",
        "",
        "| id | verdict | evidence |",
        "|---|---|---|",
    ]
    for a in data["assumptions"]:
        notes = "; ".join(f"`{e['probe']}` {e['verdict']}: {e['note']}" for e in a["evidence"])
        lines.append(
            f"| {a['id']} | {_MARK[a['verdict']]} | {_cell(notes or 'no probe ran for it')} |"
        )
    lines += ["", "## Probes", ""]
    for probe in data["probes"]:
        lines.append(f"### {probe['id']}: {probe['title']}")
        lines.append("")
        lines.append(
            f"Model `{probe['model'] or '-'}`, {probe['status']}. {probe['note']}".rstrip()
        )
        for ex in probe["exchanges"]:
            lines.append("")
            lines.append(
                f"- `{ex['request']}` (auth {ex['auth']}) → HTTP {ex['status']}, "
                f"headers {ex['headers']}" + (f", error {ex['error']}" if ex["error"] else "")
            )
            if ex["fields"]:
                lines.append(f"  fields: {', '.join(ex['fields'])}")
            if ex["body"]:
                body = ex["body"]
                if len(body) > SHORT_BODY:
                    body = body[:SHORT_BODY] + " [...]"
                fence = _fence(body)
                lines += ["", f"  {fence}", *("  " + b for b in body.splitlines()), f"  {fence}"]
        lines.append("")
    return "\n".join(lines) + "\n"


def write_report(run: RunResult, out_dir: Path, key: str) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.json`` into ``out_dir``, scrubbed of ``key``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = report_data(run)
    text = scrub(json.dumps(data, indent=2, ensure_ascii=False), key)
    # The Markdown is built from the scrubbed data, so it cannot hold the key either.
    markdown = scrub(report_markdown(json.loads(text)), key)
    json_path, md_path = out_dir / "report.json", out_dir / "report.md"
    json_path.write_text(text + "\n", encoding="utf-8")
    md_path.write_text(markdown, encoding="utf-8")
    return md_path, json_path
