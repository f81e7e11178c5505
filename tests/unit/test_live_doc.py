"""docs/LIVE.md states the probe runner's figures; these tests keep them true."""

from __future__ import annotations

import re
from pathlib import Path

from memories_client.catalog import FAMILIES
from memories_client.probes import DEFAULT_MAX_COST, PROBES, cheapest_model, make_plan, runner, wire
from memories_client.probes.cli import EXIT_OVER_BUDGET, _parser
from memories_client.probes.report import MIN_SCRUBBED_KEY
from memories_client.probes.suite import _tiny_png

LIVE = (Path(__file__).resolve().parents[2] / "docs" / "LIVE.md").read_text(encoding="utf-8")
FLAT = " ".join(LIVE.split())  # the prose with its line breaks undone


def test_the_plan_summary_and_probe_count() -> None:
    plan = make_plan()
    assert plan.describe().splitlines()[-1] in FLAT
    assert f"{len(PROBES)} named probes" in FLAT


def test_the_default_budget_and_models() -> None:
    assert f"**${DEFAULT_MAX_COST} by default**" in FLAT
    assert f"default {DEFAULT_MAX_COST})" in FLAT
    for family in FAMILIES:
        assert f"`{cheapest_model(family).split(':', 1)[1]}`" in FLAT
    assert f"`{cheapest_model('gemini', thinking=True).split(':', 1)[1]}` for thinking" in FLAT


def test_the_answer_caps() -> None:
    from memories_client.probes import suite

    assert f"capped at {suite._MAX_TOKENS} tokens, GPT's at {suite._GPT_MAX_TOKENS}" in FLAT
    assert (
        "gpt-4.1-nano" in FLAT
        and "gpt:gpt-4.1-nano"
        in make_plan(models={"gpt": "gpt-4.1-nano"}, families=["gpt"]).models.values()
    )


def test_the_stated_limits() -> None:
    assert "at most 60 s; 20 s without the header" in FLAT
    assert (runner._MAX_WAIT, runner._DEFAULT_WAIT, runner._RATE_LIMIT_RETRIES) == (60, 20, 2)
    assert "at most twice" in FLAT
    assert f"first {wire.SHORT_BODY} characters" in FLAT
    assert f"at most {wire.CAPTURE_LIMIT // 1024} KiB" in FLAT
    assert f"shorter than {MIN_SCRUBBED_KEY} characters" in FLAT
    assert f"stores {len(_tiny_png())} bytes" in FLAT
    assert f"counts as {FAMILIES['gemini'].media_tokens.video:,} tokens" in FLAT


def test_the_options_and_exit_statuses() -> None:
    parser_options = {o for a in _parser()._actions for o in a.option_strings} - {"-h", "--help"}
    table = set(re.findall(r"^\| `(--[a-z-]+)", LIVE, flags=re.MULTILINE))
    assert table == parser_options
    assert f"{EXIT_OVER_BUDGET} stopped by the budget" in FLAT
