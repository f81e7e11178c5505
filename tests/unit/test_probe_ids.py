"""docs/API_FACTS.md section 13, the probes and the assumption catalogue name the same ids."""

from __future__ import annotations

import re
from pathlib import Path

from memories_client.probes import ASSUMPTIONS, PROBES

FACTS = Path(__file__).resolve().parents[2] / "docs" / "API_FACTS.md"
_ROW = re.compile(r"^\| `([A-Z0-9-]+)` \| (.*) \| ([A-Z]+) \| (.*) \| (.*) \|$")


def _doc_rows() -> dict[str, tuple[str, str, list[str], str]]:
    text = FACTS.read_text(encoding="utf-8")
    section = text.split("### 13. Assumptions, by id", 1)[1].split("\n### ", 1)[0]
    rows = {}
    for line in section.splitlines():
        found = _ROW.match(line)
        if found:
            aid, statement, source, probes, adapt = found.groups()
            assert aid not in rows, f"{aid} is listed twice"
            probe_ids = re.findall(r"`([^`]+)`", probes)
            rows[aid] = (
                statement.replace("\\|", "|"),
                source,
                probe_ids,
                adapt.replace("\\|", "|"),
            )
    return rows


def test_every_documented_assumption_has_a_probe_and_is_catalogued() -> None:
    rows = _doc_rows()
    assert list(rows) == list(ASSUMPTIONS), "the doc table and assumptions.py list other ids"
    for aid, (_, _, probe_ids, _) in rows.items():
        checking = [p.id for p in PROBES.values() if aid in p.checks]
        assert checking, f"{aid} has no probe"
        assert probe_ids == checking, f"{aid}: the doc names {probe_ids}, the probes {checking}"


def test_every_probe_checks_only_documented_assumptions() -> None:
    rows = _doc_rows()
    for probe in PROBES.values():
        assert probe.checks, f"{probe.id} checks nothing"
        unknown = [aid for aid in probe.checks if aid not in rows]
        assert unknown == [], f"probe {probe.id} checks {unknown}, which the doc does not list"


def test_the_doc_states_what_the_code_reports() -> None:
    # The statement, source and "if contradicted" advice in the doc are what the report prints.
    for aid, (statement, source, _, adapt) in _doc_rows().items():
        assumption = ASSUMPTIONS[aid]
        assert (statement, source, adapt) == (
            assumption.statement,
            assumption.source,
            assumption.adapt,
        ), aid
