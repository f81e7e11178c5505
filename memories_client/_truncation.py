"""Answers cut by the service's default ``max_tokens``: said, never silent.

Every family's page documents ``max_tokens`` with a default of 1,000 (Qwen's: 1,024) when it
is not sent. A
video described at length hits that well before the model is done; the answer then simply
ends. When a request did not set ``max_tokens`` and the service reports that it stopped on the
length (``finish_reason`` ``"length"``, or Gemini's and Bedrock's spellings), the clients warn
with :class:`TruncatedAnswerWarning`, naming the default and the argument to raise it. Both
framework layers get this from the core client; an explicit ``max_tokens`` that cuts an answer
is the caller's choice and is not warned about (``finish_reason`` still says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from memories_client._warnings import warn

__all__ = [
    "SERVICE_DEFAULT_MAX_TOKENS",
    "TruncatedAnswerWarning",
    "is_length_stop",
    "warn_if_cut_by_default",
]

SERVICE_DEFAULT_MAX_TOKENS: Mapping[str, int] = MappingProxyType(
    {"gemini": 1000, "nova": 1000, "qwen": 1024, "gpt": 1000}
)
"""The service's ``max_tokens`` per family when a request sends none (each family's page)."""

# OpenAI and DashScope say "length"; Gemini "MAX_TOKENS"; Bedrock (Nova) "max_tokens";
# OpenAI's Responses API "max_output_tokens".
_LENGTH_REASONS = frozenset({"length", "max_tokens", "max_output_tokens"})


class TruncatedAnswerWarning(UserWarning):
    """An answer stopped at the service's default ``max_tokens`` (1,000 tokens).

    Example:
        >>> issubclass(TruncatedAnswerWarning, UserWarning)
        True
    """


def is_length_stop(finish_reason: str | None) -> bool:
    """Whether a ``finish_reason`` says the answer stopped on its token limit.

    Example:
        >>> is_length_stop("length"), is_length_stop("MAX_TOKENS"), is_length_stop("stop")
        (True, True, False)
    """
    return finish_reason is not None and finish_reason.lower() in _LENGTH_REASONS


def warn_if_cut_by_default(
    family: str | None, max_tokens: int | None, finish_reasons: Iterable[str | None]
) -> None:
    """Warn when a request without ``max_tokens`` got an answer cut on its length.

    Args:
        family: The model family (``gemini``, ``nova``, ``qwen``, ``gpt``), for its default;
            None for a model outside the catalog.
        max_tokens: What the request set (``None``: the service's default applied).
        finish_reasons: The finish reason of each choice of the answer.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn_if_cut_by_default("gemini", None, ["length"])
        ...     warn_if_cut_by_default("gemini", 4000, ["length"])
        >>> [str(w.message)[:61] for w in caught]
        ["the answer was cut at the service's default max_tokens (1,000"]
    """
    if max_tokens is None and any(is_length_stop(reason) for reason in finish_reasons):
        default = SERVICE_DEFAULT_MAX_TOKENS.get(family or "")
        said = f"{default:,} tokens for {family}" if default else "as documented per family"
        warn(
            f"the answer was cut at the service's default max_tokens ({said}; finish_reason "
            "says so): pass a larger max_tokens= for a longer answer",
            TruncatedAnswerWarning,
        )
