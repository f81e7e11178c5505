"""The probe runner's parts: the recording transport, the plan's models and cost, verdicts."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from memories_client import MODELS, MemoriesInputError, estimate_cost
from memories_client.probes import PROBES, make_plan
from memories_client.probes.base import Finding
from memories_client.probes.cli import main
from memories_client.probes.plan import cheapest_model
from memories_client.probes.runner import ProbeResult, RunResult
from memories_client.probes.wire import CAPTURE_LIMIT, Exchange, RecordingTransport, field_names
from memories_client.tokens import estimate_tokens

KEY = "sk-mavi-unit-secret"


def _price(model_id: str) -> Decimal:
    tier = MODELS[model_id].prices[0]
    return tier.input_per_million + tier.output_per_million


@pytest.mark.parametrize("family", ["gemini", "nova", "qwen", "gpt"])
def test_the_default_model_is_the_cheapest_priced_one_of_its_family(family: str) -> None:
    chosen = cheapest_model(family)
    priced = [m for m in MODELS.values() if m.family == family and m.prices]
    assert all(_price(chosen) <= _price(m.id) for m in priced)
    assert make_plan(families=[family]).models[family] == chosen


def test_a_thinking_probe_gets_a_model_that_thinks() -> None:
    plan = make_plan(probes=["gemini.text", "gemini.thinking"])
    text, thinking = plan.probes
    thinks = MODELS[thinking.model].thinking
    assert thinks is None or thinks.supported
    no_thinking = MODELS[text.model].thinking
    assert no_thinking is not None and not no_thinking.supported  # the 2.0 models take none


def test_the_estimate_is_the_catalog_price_of_each_request() -> None:
    plan = make_plan()
    for planned in plan.probes:
        if planned.request is None:
            assert planned.cost == 0
            continue
        request = planned.request
        tokens_in = estimate_tokens(request.messages, planned.model, request.tools)
        tokens_out = (request.max_tokens or 0) + max(request.thinking_budget or 0, 0)
        assert planned.cost == estimate_cost(planned.model, tokens_in, tokens_out)
    assert plan.cost == sum(p.cost for p in plan.probes)
    assert plan.calls == sum(PROBES[p.probe.id].calls for p in plan.probes)


def test_a_model_override_is_used_and_a_model_without_price_is_refused() -> None:
    plan = make_plan(models={"gpt": "gpt-4.1-nano"}, families=["gpt"])
    assert {p.model for p in plan.probes if p.request} == {"gpt:gpt-4.1-nano"}
    with pytest.raises(MemoriesInputError, match="--model gpt=ID"):
        make_plan(models={"gpt": "chatgpt-4o-latest"}, families=["gpt"])
    lines: list[str] = []
    code = main(["--model", "gpt=chatgpt-4o-latest"], environ={}, out=lines.append)
    assert code == 2 and "no price" in lines[-1]


def test_unknown_families_and_probes_are_refused() -> None:
    with pytest.raises(MemoriesInputError, match="unknown families"):
        make_plan(families=["claude"])
    with pytest.raises(MemoriesInputError, match="unknown probes"):
        make_plan(probes=["gemini.nothing"])


def test_the_transport_keeps_a_bounded_copy_and_never_the_key() -> None:
    big = b'{"text": "' + b"x" * (3 * CAPTURE_LIMIT) + b'"}'
    seen: list[Exchange] = []
    inner = httpx.MockTransport(lambda request: httpx.Response(200, content=big))
    with httpx.Client(transport=RecordingTransport(inner, on_exchange=seen.append)) as client:
        response = client.post(
            "http://test/vu/chat/completions", json={"a": 1}, headers={"Authorization": KEY}
        )
    assert response.content == big  # the client reads the whole answer, unchanged
    (exchange,) = seen
    assert len(exchange.body) == CAPTURE_LIMIT and exchange.truncated
    assert exchange.json() is None  # a cut-off body is not parsed
    assert exchange.auth == "raw"
    assert KEY not in repr(exchange) and KEY not in str(exchange.as_dict())


def test_hostile_bodies_do_not_break_the_evidence() -> None:
    deep = Exchange("POST", "/vu", "raw")
    deep.add_body(b"[" * 100_000)
    assert deep.json() is None and deep.field_names() == []
    assert len(field_names({"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}})) == 6
    wide = {f"k{i}": i for i in range(1000)}
    assert len(field_names(wide)) == 80


def test_a_contradiction_outweighs_a_hold() -> None:
    plan = make_plan(probes=["gemini.text", "nova.text"])
    first, second = plan.probes
    run = RunResult(
        plan,
        "http://x",
        Decimal(1),
        [
            ProbeResult(first, "ran", [Finding("MODEL-IDS", "held")]),
            ProbeResult(second, "ran", [Finding("MODEL-IDS", "contradicted", "404")]),
        ],
    )
    verdicts = run.verdicts()
    assert verdicts["MODEL-IDS"].verdict == "contradicted"
    assert [probe for probe, _ in verdicts["MODEL-IDS"].findings] == ["gemini.text", "nova.text"]
    assert verdicts["PATH-ILM"].verdict == "not tested"


def _answer(status: int, body: bytes) -> Exchange:
    exchange = Exchange("POST", "/vu/chat/completions", "raw", status=status)
    exchange.add_body(body)
    return exchange


def test_a_refusal_is_judged_by_status_and_a_rate_limit_tells_nothing() -> None:
    from memories_client.probes.suite import _refused

    errored = _answer(200, b'{"status": "errored", "error": {"code": "x", "message": "y"}}')
    assert _refused("MODEL-PREFIX", errored).verdict == "held"
    assert _refused("ERR-BAD-MODEL", errored, errored_counts=False).verdict == "contradicted"
    assert _refused("ERR-BAD-KEY", _answer(403, b"{}"), statuses=range(401, 402)).verdict == (
        "contradicted"
    )
    for status in (429, 500, 503):
        assert _refused("MODEL-PREFIX", _answer(status, b"{}")).verdict == "not tested"
    assert _refused("MODEL-PREFIX", _answer(200, b'{"choices": []}')).verdict == "contradicted"


@pytest.mark.parametrize(
    ("header", "wait"),
    [
        ("2.5", 2.5),
        ("0", 0.0),
        ("-3", 0.0),
        ("1e9", 60.0),
        ("inf", 60.0),
        ("nan", 20.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 20.0),
        (None, 20.0),
    ],
)
def test_the_wait_after_a_429_is_bounded_whatever_retry_after_says(
    header: str | None, wait: float
) -> None:
    from memories_client.probes.runner import _wait

    limited = Exchange("POST", "/vu", "raw", status=429)
    if header is not None:
        limited.headers["retry-after"] = header
    assert _wait([limited]) == wait
    assert _wait([Exchange("POST", "/vu", "raw", status=200)]) is None
