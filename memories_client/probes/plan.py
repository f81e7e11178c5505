"""What a run will send and what it may cost, worked out before anything is sent.

Each probe runs on the cheapest catalogued model of its family (the cheapest one that thinks,
for thinking probes), unless ``models`` names another. The cost of a probe is estimated from the
catalog's prices: its input tokens by :func:`~memories_client.tokens.estimate_tokens` (the catalog's
media figures included), its output tokens at their most (``max_tokens`` plus any thinking
budget). The run's estimate is the sum: an upper bound on what the probes ask for.

Example:
    >>> from memories_client.probes.plan import make_plan
    >>> plan = make_plan(families=["nova"])
    >>> plan.models["nova"], plan.calls > 3, plan.cost < 0.01
    ('nova:us.amazon.nova-lite-v1:0', True, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from memories_client.catalog import FAMILIES, MODELS, ModelInfo, estimate_cost, model_info
from memories_client.errors import MemoriesInputError
from memories_client.probes.base import Probe
from memories_client.probes.suite import PROBES
from memories_client.tokens import estimate_tokens
from memories_client.types import ChatRequest

__all__ = ["DEFAULT_MAX_COST", "Plan", "PlannedProbe", "cheapest_model", "make_plan"]

DEFAULT_MAX_COST = Decimal("0.05")
"""The default budget of a run, in US dollars (the whole default plan is estimated at about a
cent; see docs/LIVE.md)."""


def _price(info: ModelInfo) -> Decimal:
    tier = info.prices[0]
    return tier.input_per_million + tier.output_per_million


def _thinks(info: ModelInfo) -> bool:
    return info.thinking is None or info.thinking.supported


def cheapest_model(family: str, *, thinking: bool = False) -> str:
    """The catalogued model of ``family`` with the lowest price (input + output per 1M tokens).

    Example:
        >>> cheapest_model("gemini"), cheapest_model("gemini", thinking=True)
        ('gemini:gemini-2.0-flash-lite', 'gemini:gemini-2.5-flash-lite')
    """
    priced = [
        m
        for m in MODELS.values()
        if m.family == family and m.prices and (_thinks(m) or not thinking)
    ]
    if not priced:
        raise MemoriesInputError(f"the catalog has no priced {family!r} model")
    return min(priced, key=lambda m: (_price(m), m.id)).id


@dataclass(frozen=True)
class PlannedProbe:
    """One probe as it will run: its model, request and estimated cost."""

    probe: Probe
    model: str
    request: ChatRequest | None
    input_tokens: int
    output_tokens: int
    cost: Decimal


@dataclass(frozen=True)
class Plan:
    """Every probe of a run, the models chosen, and the estimate."""

    probes: tuple[PlannedProbe, ...]
    models: Mapping[str, str]

    @property
    def calls(self) -> int:
        """HTTP requests the run sends (retries after a 429 not counted)."""
        return sum(p.probe.calls for p in self.probes)

    @property
    def cost(self) -> Decimal:
        """The estimated cost of the whole run, in US dollars (an upper bound on output)."""
        return sum((p.cost for p in self.probes), Decimal(0))

    def describe(self) -> str:
        """The plan as printed before anything is sent."""
        lines = ["Models (the cheapest of each family unless --model says otherwise):"]
        lines += [f"  {family:<7} {model}" for family, model in self.models.items()]
        lines.append("")
        lines.append(f"{'probe':<26} {'model':<36} {'calls':>5} {'est. USD':>10}  checks")
        for p in self.probes:
            model = p.model if p.request is not None else "-"
            lines.append(
                f"{p.probe.id:<26} {model:<36} {p.probe.calls:>5} {_usd(p.cost):>10}  "
                + " ".join(p.probe.checks)
            )
        lines.append("")
        lines.append(
            f"{len(self.probes)} probes, {self.calls} calls, estimated cost {_usd(self.cost)} USD"
        )
        return "\n".join(lines)


def _usd(amount: Decimal) -> str:
    return f"${amount:.6f}"


def _model_for(probe: Probe, models: Mapping[str, str]) -> str:
    chosen = models.get(probe.family)
    if chosen is not None:
        info = model_info(chosen, probe.family)
        if not probe.thinking or _thinks(info):
            return info.id
    return cheapest_model(probe.family, thinking=probe.thinking)


def _planned(probe: Probe, models: Mapping[str, str]) -> PlannedProbe:
    if probe.request is None:
        return PlannedProbe(probe, "", None, 0, 0, Decimal(0))
    model = _model_for(probe, models)
    request = probe.request(model)
    tokens_in = estimate_tokens(request.messages, model, request.tools)
    tokens_out = (request.max_tokens or 0) + max(request.thinking_budget or 0, 0)
    try:
        cost = estimate_cost(model, tokens_in, tokens_out)
    except MemoriesInputError as exc:
        raise MemoriesInputError(
            f"{exc}; the budget cannot be checked, so choose a priced model with "
            f"--model {probe.family}=ID"
        ) from None
    return PlannedProbe(probe, model, request, tokens_in, tokens_out, cost)


def make_plan(
    models: Mapping[str, str] | None = None,
    families: Iterable[str] | None = None,
    probes: Iterable[str] | None = None,
) -> Plan:
    """The probes to run, on which models, at what estimated cost.

    Args:
        models: a model id per family, over the cheapest ones (``{"gpt": "gpt-4.1-nano"}``).
        families: run only the probes of these families (and the ones that send nothing).
        probes: run only these probe ids.

    Raises:
        MemoriesInputError: an unknown family or probe id, or a model without a catalogued
            price (its cost could not be bounded).
    """
    models = dict(models or {})
    unknown = sorted(set(models) - set(FAMILIES))
    wanted = set(families) if families is not None else set(FAMILIES)
    unknown += sorted(wanted - set(FAMILIES))
    if unknown:
        raise MemoriesInputError(f"unknown families {unknown}; known: {sorted(FAMILIES)}")
    ids = list(probes) if probes is not None else list(PROBES)
    missing = [i for i in ids if i not in PROBES]
    if missing:
        raise MemoriesInputError(f"unknown probes {missing}; see --list")
    chosen = [PROBES[i] for i in PROBES if i in ids and PROBES[i].family in wanted | {""}]
    chosen_models = {
        f: model_info(models[f], f).id if f in models else cheapest_model(f)
        for f in FAMILIES
        if f in wanted
    }
    return Plan(tuple(_planned(p, models) for p in chosen), chosen_models)
