"""Price arithmetic the mutation run (`make mutate`) found untested: what a refused estimate says,
and that the safe variant prices what it can."""

from __future__ import annotations

from decimal import Decimal

import pytest

from memories_client import MemoriesInputError, UnknownPriceError
from memories_client.catalog import estimate_cost, try_estimate_cost


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
