"""The documented ranges of the request parameters, checked before any network call.

Ranges come from the request tables of every docs page: temperature 0.0-2.0, top_p 0.0-1.0,
frequency and presence penalties -2.0-2.0, ``n`` an integer, ``max_tokens`` an integer with no
documented maximum, ``stop`` a string or an array of strings. Two limits are ours, because the
docs give none: ``n`` is capped at 8, the most candidates Gemini returns; the thinking budget
follows Gemini's own convention (-1 = dynamic, 0 = off, a positive token budget), narrowed per
model by the catalog's :class:`~memories_client.catalog.ThinkingBudget` where Google documents
a range (:func:`check_thinking_budget`).

Example:
    >>> from memories_client._params import check_sampling
    >>> check_sampling(temperature=0.2, top_p=0.9)
    >>> check_sampling(temperature=3)
    Traceback (most recent call last):
    ...
    memories_client.errors.MemoriesInputError: temperature must be a number between 0.0 and 2.0, ...
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from memories_client.catalog import model_info
from memories_client.errors import MemoriesInputError

__all__ = ["RANGES", "SAMPLING_FIELDS", "check_sampling", "check_thinking_budget", "normalize_stop"]

SAMPLING_FIELDS = (
    "temperature",
    "max_tokens",
    "top_p",
    "frequency_penalty",
    "presence_penalty",
    "n",
)
"""The sampling options every family takes as top-level body fields (``stop`` aside: it is
normalised to a list first). The one list the dialects and both framework layers use."""

RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 2.0),
    "top_p": (0.0, 1.0),
    "frequency_penalty": (-2.0, 2.0),
    "presence_penalty": (-2.0, 2.0),
}
"""Inclusive (low, high) bounds of the float parameters, as documented."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


MAX_N = 8
"""The docs give ``n`` no maximum; Gemini itself returns at most 8 candidates per request."""


def _check_int(name: str, value: Any, low: int, high: int | None = None) -> None:
    if value is None:
        return
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise MemoriesInputError(f"{name} must be an integer {bounds}, got {value!r}")


def check_sampling(
    *,
    temperature: Any = None,
    top_p: Any = None,
    frequency_penalty: Any = None,
    presence_penalty: Any = None,
    max_tokens: Any = None,
    n: Any = None,
    thinking_budget: Any = None,
) -> None:
    """Raise :class:`MemoriesInputError` if a parameter is outside its documented range.

    ``None`` means "not set" and always passes.

    Example:
        >>> check_sampling(temperature=0.2, max_tokens=None)
        >>> check_sampling(top_p=1.5)
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: top_p must be a number between 0.0 and 1.0, \
got 1.5
    """
    for name, value in (
        ("temperature", temperature),
        ("top_p", top_p),
        ("frequency_penalty", frequency_penalty),
        ("presence_penalty", presence_penalty),
    ):
        if value is None:
            continue
        low, high = RANGES[name]
        if not _is_number(value) or math.isnan(value) or not low <= value <= high:
            raise MemoriesInputError(
                f"{name} must be a number between {low} and {high}, got {value!r}"
            )
    _check_int("max_tokens", max_tokens, 1)
    _check_int("n", n, 1, MAX_N)
    _check_int("thinking_budget", thinking_budget, -1)


def check_thinking_budget(model: str, budget: Any, family: str | None = None) -> None:
    """Raise :class:`MemoriesInputError` unless ``model`` takes this thinking budget.

    The ranges are the catalog's (each Gemini model's own, from Google's docs); a model with no
    documented range gets the general rule (-1, 0 or a positive budget). ``None`` always passes.
    Both framework layers reach this one check through the dialect's validation, so the same
    mistake gives the same message everywhere, before any request.

    Example:
        >>> check_thinking_budget("gemini-2.5-flash", 0)
        >>> check_thinking_budget("gemini-2.5-pro", 0)
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: thinking_budget=0 is not accepted by \
gemini-2.5-pro: it takes 128 to 32768 thinking tokens, or -1 (dynamic); 0 (off) is not allowed
    """
    if budget is None:
        return
    if not isinstance(budget, int) or isinstance(budget, bool):
        _check_int("thinking_budget", budget, -1)  # the type error, worded as for the others
    info = model_info(model, family)
    if info.thinking is None:
        _check_int("thinking_budget", budget, -1)
    elif not info.thinking.allows(budget):
        raise MemoriesInputError(
            f"thinking_budget={budget} is not accepted by {info.name}: it takes "
            f"{info.thinking.describe()}"
        )


def normalize_stop(stop: Any) -> list[str] | None:
    """Return stop sequences as a list (or None), refusing anything but strings.

    Example:
        >>> normalize_stop("END"), normalize_stop(["a", "b"]), normalize_stop([])
        (['END'], ['a', 'b'], None)
    """
    if stop is None:
        return None
    if isinstance(stop, str):
        if not stop:
            raise MemoriesInputError("stop must not be an empty string")
        return [stop]
    if isinstance(stop, Sequence) and not isinstance(stop, (bytes, bytearray)):
        items = list(stop)
        if not all(isinstance(s, str) and s for s in items):
            raise MemoriesInputError(
                f"stop must be a string or a list of non-empty strings, got {stop!r}"
            )
        return items or None
    raise MemoriesInputError(f"stop must be a string or a list of strings, got {stop!r}")
