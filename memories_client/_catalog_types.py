"""The catalog's record types: prices, thinking budgets, media estimates and families.

The values live in :mod:`memories_client.catalog`, which re-exports these names; import them
from there.

Example:
    >>> from memories_client.catalog import PriceTier
    >>> from decimal import Decimal
    >>> PriceTier(200_000, Decimal("1.25"), Decimal("10")).up_to_input_tokens
    200000
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

__all__ = [
    "Endpoint",
    "Family",
    "FamilyInfo",
    "InputKind",
    "MediaTokens",
    "PriceTier",
    "ThinkingBudget",
]

Family = Literal["gemini", "nova", "qwen", "gpt"]
Endpoint = Literal["vu", "iu"]
"""``vu``: video understanding (VLM); ``iu``: image understanding (ILM)."""
InputKind = Literal["text", "image", "video", "document"]


@dataclass(frozen=True, slots=True)
class PriceTier:
    """A price that applies while the prompt has at most ``up_to_input_tokens`` tokens.

    ``None`` means "no upper bound". Following the providers' own rule, the tier is chosen by the
    prompt (input) size and then applies to both input and output tokens of that request.
    """

    up_to_input_tokens: int | None
    input_per_million: Decimal
    output_per_million: Decimal


@dataclass(frozen=True, slots=True)
class ThinkingBudget:
    """The thinking budgets one model takes, as its provider documents them.

    Explicit budgets run from ``minimum`` to ``maximum`` tokens (``maximum`` None: no documented
    upper bound); ``off``: ``0`` turns thinking off; ``dynamic``: ``-1`` lets the model decide.
    ``supported=False`` is a model that does not think, so it takes no budget at all.

    Example:
        >>> pro = ThinkingBudget(128, 32768, off=False)
        >>> pro.allows(0), pro.allows(-1), pro.allows(128)
        (False, True, True)
        >>> pro.describe()
        '128 to 32768 thinking tokens, or -1 (dynamic); 0 (off) is not allowed'
    """

    minimum: int = 1
    maximum: int | None = None
    off: bool = True
    dynamic: bool = True
    supported: bool = True

    def allows(self, budget: int) -> bool:
        """True when ``budget`` is one this model takes."""
        if not self.supported:
            return False
        if budget == -1:
            return self.dynamic
        if budget == 0:
            return self.off
        return budget >= self.minimum and (self.maximum is None or budget <= self.maximum)

    def describe(self) -> str:
        """The accepted budgets in words, for error messages."""
        if not self.supported:
            return "no thinking budget (the model does not think); leave thinking_budget unset"
        upper = f" to {self.maximum}" if self.maximum is not None else " or more"
        text = f"{self.minimum}{upper} thinking tokens"
        extras = [v for v, ok in (("0 (off)", self.off), ("-1 (dynamic)", self.dynamic)) if ok]
        if extras:
            text += ", or " + " or ".join(extras)
        if not self.off:
            text += "; 0 (off) is not allowed"
        return text


@dataclass(frozen=True, slots=True)
class MediaTokens:
    """Input tokens one media part of each kind is *estimated* to cost, before sending.

    The client does not download media, so it cannot see an image's size or a video's length:
    each figure applies the provider's documented rule to a stated typical part (see the family
    entries). They size prompts (message trimming, packing); the bill uses the service's usage.

    ``video_per_second`` is the rate itself, for callers that know a video's length (the video
    loader's :func:`memories_client.video_scenes.estimate_videos`); ``video`` is that rate applied
    to the typical one-minute video.

    Example:
        >>> from memories_client.catalog import FAMILIES
        >>> FAMILIES["gemini"].media_tokens.video
        15780
        >>> FAMILIES["gemini"].media_tokens.video_tokens(1.5)
        395
    """

    image: int
    video: int
    document: int
    video_per_second: int

    def video_tokens(self, seconds: float) -> int:
        """Input tokens of a video ``seconds`` long at ``video_per_second`` (rounded up).

        Exact for any finite length (computed in integers and decimals, so an absurd length
        such as 1e300 seconds gives a huge number, never ``inf`` or an ``OverflowError``).
        """
        return math.ceil(Decimal(seconds) * self.video_per_second)


@dataclass(frozen=True, slots=True)
class FamilyInfo:
    """What is shared by every model of one provider family."""

    name: Family
    endpoints: tuple[Endpoint, ...]
    input_kinds: frozenset[InputKind]
    video_base64_allowed: bool
    """Gemini refuses base64 video (docs: "video does not support base64")."""
    media_tokens: MediaTokens
    """Per-kind token estimates for media parts (:mod:`memories_client.tokens`)."""
