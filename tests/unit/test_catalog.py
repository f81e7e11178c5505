"""Model names, families and prices: how a name resolves, what an estimate costs, what a refused
estimate says, and that the safe variant prices what it can."""

from __future__ import annotations

from decimal import Decimal

import pytest

from memories_client import MODELS, MemoriesInputError, estimate_cost, model_info
from memories_client.catalog import UnknownPriceError, family_of, resolve_model, try_estimate_cost


@pytest.mark.parametrize(
    ("given", "family", "expected"),
    [
        ("gemini-2.5-flash", None, "gemini:gemini-2.5-flash"),
        ("gemini:gemini-2.5-flash", None, "gemini:gemini-2.5-flash"),
        ("gemini-2.5-flash", "gemini", "gemini:gemini-2.5-flash"),
        ("us.amazon.nova-lite-v1:0", None, "nova:us.amazon.nova-lite-v1:0"),
        ("amazon.nova-pro-v1:0", "nova", "nova:amazon.nova-pro-v1:0"),
        ("brand-new-model", "gemini", "gemini:brand-new-model"),
        ("  gemini:x  ", "gemini", "gemini:x"),
    ],
)
def test_resolve_model(given: str, family: str | None, expected: str) -> None:
    assert resolve_model(given, family) == expected


@pytest.mark.parametrize(
    ("given", "family", "fragment"),
    [
        ("nova:us.amazon.nova-lite-v1:0", "gemini", "belongs to the 'nova' family"),
        ("gemini-2.5-flash", "nova", "is a 'gemini' model"),
        ("unknown-model", None, "prefix it"),
        ("", None, "non-empty"),
        ("gemini:", None, "no model name"),
        ("x", "mistral", "unknown model family"),
    ],
)
def test_resolve_model_errors(given: str, family: str | None, fragment: str) -> None:
    with pytest.raises(MemoriesInputError, match=fragment):
        resolve_model(given, family)


def test_every_documented_family_has_models_with_prices() -> None:
    families = {m.family for m in MODELS.values()}
    assert families == {"gemini", "nova", "qwen", "gpt"}
    priced = [m for m in MODELS.values() if m.prices]
    assert len(priced) == len(MODELS) - 1  # chatgpt-4o-latest: the docs' table is cut off
    assert family_of("qwen3-vl-plus") == "qwen"


def test_unknown_model_gets_family_defaults_without_warning(
    recwarn: pytest.WarningsRecorder,
) -> None:
    info = model_info("gemini:gemini-9-ultra")
    assert not info.known
    assert info.prices == ()
    assert info.family_info.video_base64_allowed is False
    # Only this call's warnings: a ResourceWarning from another test's socket collected
    # now (a parallel run) is not the catalog's.
    assert [w for w in recwarn if not issubclass(w.category, ResourceWarning)] == []
    assert try_estimate_cost("gemini:gemini-9-ultra", 1, 1) is None
    with pytest.raises(UnknownPriceError):
        estimate_cost("gpt:chatgpt-4o-latest", 1, 1)


def test_gemini_pro_tier_switches_above_200k_input_tokens() -> None:
    at = estimate_cost("gemini-2.5-pro", 200_000, 1_000)
    above = estimate_cost("gemini-2.5-pro", 200_001, 1_000)
    assert at == Decimal("1.25") * 200_000 / 1_000_000 + Decimal("10") * 1_000 / 1_000_000
    assert above == Decimal("2.5") * 200_001 / 1_000_000 + Decimal("15") * 1_000 / 1_000_000


@pytest.mark.parametrize(
    ("tokens", "inp"),
    [(32_000, "0.21"), (32_001, "0.31"), (128_000, "0.31"), (128_001, "0.63"), (900_000, "0.63")],
)
def test_qwen_tiers(tokens: int, inp: str) -> None:
    assert estimate_cost("qwen:qwen3-vl-plus", tokens, 0) == Decimal(inp) * tokens / 1_000_000


def test_negative_tokens_refused() -> None:
    with pytest.raises(MemoriesInputError):
        estimate_cost("gemini-2.5-flash", -1, 0)


@pytest.mark.parametrize(("inp", "out"), [(-1, 0), (0, -1)])
def test_negative_token_counts_are_refused_with_a_message(inp: int, out: int) -> None:
    with pytest.raises(MemoriesInputError) as info:
        estimate_cost("gemini-2.5-flash", inp, out)
    assert str(info.value) == "token counts must not be negative"


def test_a_model_without_a_price_names_itself() -> None:
    with pytest.raises(UnknownPriceError) as info:
        estimate_cost("gemini:gemini-9-ultra", 1, 1)
    assert str(info.value) == (
        "no price is catalogued for 'gemini:gemini-9-ultra'; costs for it cannot be estimated"
    )


def test_try_estimate_cost_prices_a_catalogued_model() -> None:
    # Gemini 2.5 Flash: $0.30 per million input tokens, $2.50 per million output tokens.
    assert try_estimate_cost("gemini-2.5-flash", 1_000_000, 1_000_000) == Decimal("2.80")
    assert try_estimate_cost("gemini-2.5-flash", -1, 0) is None


@pytest.mark.parametrize(
    ("model", "options"),
    [
        ("gemini-2.5-flash", {"thinking_budget": 0, "temperature": 0.5}),
        ("nova:us.amazon.nova-lite-v1:0", {}),
        ("qwen:qwen3-vl-plus", {"thinking_budget": 64}),
    ],
)
def test_a_call_resolves_its_model_once(
    monkeypatch: pytest.MonkeyPatch, model: str, options: dict[str, object]
) -> None:
    # Resolved once in the client's prepare and handed down to the dialect's validate and
    # build_body (and the thinking-budget range look-up), with no cache hiding repeats.
    import memories_client._client_base as client_base
    import memories_client.catalog as catalog
    import memories_client.dialects.base as dialect_base
    from memories_client import ChatRequest, MemoriesClient, Message

    calls: list[str] = []
    real = catalog.resolve_model

    def counting(model: str, family: str | None = None) -> str:
        calls.append(model)
        return real(model, family)

    for module in (client_base, catalog, dialect_base):
        monkeypatch.setattr(module, "resolve_model", counting)
    client = MemoriesClient(api_key="k", base_url="http://127.0.0.1:9")
    request = ChatRequest(model=model, messages=[Message.user("hi")], **options)  # type: ignore[arg-type]
    client.prepare(request)
    client.prepare(request, stream=True)
    assert calls == [model, model]


def test_a_catalog_family_without_a_wire_format_is_a_typed_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The client finds a call's dialect by the resolved id's family; a family the catalog has
    # and no dialect serves is refused as dialect_for refuses it, not a KeyError.
    import memories_client.dialects as dialects
    from memories_client import ChatRequest, MemoriesClient, Message

    monkeypatch.delitem(dialects.DIALECTS, "gpt")
    client = MemoriesClient(api_key="k", base_url="http://127.0.0.1:9")
    request = ChatRequest(model="gpt:gpt-4o", messages=[Message.user("hi")])
    with pytest.raises(MemoriesInputError, match="which has no wire format"):
        client.prepare(request)
