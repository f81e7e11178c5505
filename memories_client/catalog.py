"""The model catalog: every documented model, its family, endpoints, inputs and prices.

This module is data. Prices are copied from the memories.ai docs pages (per 1M tokens; Qwen's
per-1K figures multiplied by 1,000). Context windows are the providers' public figures, because
memories.ai documents none; they only steer prompt packing and are marked ``None`` where unknown.

The catalog is not a whitelist: the service adds models faster than we release, so an unknown id
of a known family resolves to that family's defaults (no price, no context window) without a
warning.

Example:
    >>> from memories_client.catalog import resolve_model, estimate_cost
    >>> resolve_model("gemini-2.5-flash")
    'gemini:gemini-2.5-flash'
    >>> estimate_cost("gemini:gemini-2.5-flash", 1_000_000, 0)
    Decimal('0.30')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from memories_client._catalog_types import (
    Endpoint,
    Family,
    FamilyInfo,
    InputKind,
    MediaTokens,
    PriceTier,
    ThinkingBudget,
)
from memories_client.errors import MemoriesInputError

__all__ = [
    "FAMILIES",
    "GEMINI_VIDEO_TOKENS_PER_SECOND",
    "MODELS",
    "Endpoint",
    "FamilyInfo",
    "InputKind",
    "MediaTokens",
    "ModelInfo",
    "PriceTier",
    "ThinkingBudget",
    "UnknownPriceError",
    "estimate_cost",
    "family_of",
    "model_info",
    "resolve_model",
    "try_estimate_cost",
]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One model as the catalog knows it."""

    id: str
    """The full id with its family prefix, e.g. ``gemini:gemini-2.5-flash``."""
    family: Family
    prices: tuple[PriceTier, ...] = ()
    context_window: int | None = None
    max_output_tokens: int | None = None
    aliases: tuple[str, ...] = field(default=())
    known: bool = True
    """False for an id the catalog does not list (family defaults apply)."""
    thinking: ThinkingBudget | None = None
    """The thinking budgets the model takes; None where its provider documents no range."""

    @property
    def name(self) -> str:
        """The id without its family prefix."""
        return self.id.split(":", 1)[1]

    @property
    def family_info(self) -> FamilyInfo:
        """The family this model belongs to."""
        return FAMILIES[self.family]


_MEDIA: frozenset[InputKind] = frozenset({"text", "image", "video"})

# Media token estimates. The typical part assumed: a 1920x1080 image, a one-minute video, a
# ten-page PDF.
# Gemini, from Google's "Understand and count tokens" page (ai.google.dev/gemini-api/docs/tokens):
# an image is cut into 768x768 tiles of 258 tokens each (1920x1080: 3 x 2 tiles = 1,548); video
# costs 263 tokens per second (60 s = 15,780); a PDF page is tokenized like an image (Google's
# document-understanding docs), one 258-token tile a page (10 pages = 2,580). memories.ai
# documents no rate of its own; its Gemini example (a short video, 16,983 input tokens) fits it.
GEMINI_VIDEO_TOKENS_PER_SECOND = 263
"""Gemini's video input rate (tokens per second of video); the one place the rate is written."""
_GEMINI_MEDIA = MediaTokens(
    image=6 * 258,
    video=60 * GEMINI_VIDEO_TOKENS_PER_SECOND,
    document=10 * 258,
    video_per_second=GEMINI_VIDEO_TOKENS_PER_SECOND,
)
# Nova, from the Amazon Nova user guide, "Image understanding", "Image to tokens conversion"
# table: about 2,400 tokens at 1.8K x 900, the closest documented ratio to 1920x1080. The guide
# samples video at 1 frame per second (up to 16 minutes) but gives no tokens per frame, so
# Gemini's per-second figure stands in for video; Nova takes no documents (never counted).
_NOVA_MEDIA = MediaTokens(
    image=2_400,
    video=60 * GEMINI_VIDEO_TOKENS_PER_SECOND,
    document=10 * 258,
    video_per_second=GEMINI_VIDEO_TOKENS_PER_SECOND,
)

FAMILIES: dict[str, FamilyInfo] = {
    # Gemini's input_file takes any file the model reads; PDFs are not shown in the docs but are
    # ordinary Gemini inputs, so "document" is allowed (an inference, stated in the README).
    "gemini": FamilyInfo(
        "gemini",
        ("vu", "iu"),
        _MEDIA | frozenset[InputKind]({"document"}),
        video_base64_allowed=False,
        media_tokens=_GEMINI_MEDIA,
    ),
    "nova": FamilyInfo(
        "nova", ("vu", "iu"), _MEDIA, video_base64_allowed=True, media_tokens=_NOVA_MEDIA
    ),
    # Qwen and GPT are not surveyed yet: Gemini's estimates stand in until they are.
    "qwen": FamilyInfo(
        "qwen", ("vu", "iu"), _MEDIA, video_base64_allowed=True, media_tokens=_GEMINI_MEDIA
    ),
    "gpt": FamilyInfo(
        "gpt",
        ("iu",),
        frozenset[InputKind]({"text", "image"}),
        video_base64_allowed=False,
        media_tokens=_GEMINI_MEDIA,
    ),
}


def _flat(inp: str, out: str) -> tuple[PriceTier, ...]:
    return (PriceTier(None, Decimal(inp), Decimal(out)),)


def _gemini_pro(lo_in: str, hi_in: str, lo_out: str, hi_out: str) -> tuple[PriceTier, ...]:
    return (
        PriceTier(200_000, Decimal(lo_in), Decimal(lo_out)),
        PriceTier(None, Decimal(hi_in), Decimal(hi_out)),
    )


def _qwen(ins: tuple[str, str, str], outs: tuple[str, str, str]) -> tuple[PriceTier, ...]:
    # Documented tiers stop at 256K input tokens; larger prompts are priced at the top tier.
    limits = (32_000, 128_000, None)
    return tuple(
        PriceTier(lim, Decimal(i), Decimal(o)) for lim, i, o in zip(limits, ins, outs, strict=True)
    )


_GEMINI_CTX = 1_048_576

# Thinking budgets. Source: Google's Gemini API docs, page "Gemini thinking"
# (https://ai.google.dev/gemini-api/docs/thinking), section "Thinking budgets": the thinkingBudget
# table gives 2.5 Pro "128 to 32768", "N/A: Cannot disable thinking"; 2.5 Flash "0 to 24576";
# 2.5 Flash Lite "512 to 24576" with 0 disabling thinking; -1 turns on dynamic thinking on all
# three; and "thinkingBudget is only supported in Gemini 2.5 Flash, 2.5 Pro, and 2.5 Flash-Lite",
# so the 2.0 models take none. For Gemini 3 the same docs accept thinkingBudget only for backwards
# compatibility and say thinking cannot be turned off on Gemini 3 Pro; they give no range, so
# only 0 is refused there and Gemini 3 Flash is left unchecked. memories.ai documents no range
# and passes thinking_config through to Gemini.
_PRO_25 = ThinkingBudget(128, 32_768, off=False)
_FLASH_25 = ThinkingBudget(1, 24_576)
_LITE_25 = ThinkingBudget(512, 24_576)
_PRO_3 = ThinkingBudget(1, None, off=False)
_NO_THINKING = ThinkingBudget(supported=False)
_QWEN3_PLUS = _qwen(("0.21", "0.31", "0.63"), ("1.68", "2.52", "5.03"))
_QWEN3_FLASH = _qwen(("0.052", "0.079", "0.126"), ("0.42", "0.63", "1.01"))

_ENTRIES: tuple[ModelInfo, ...] = (
    # Gemini: docs pages GV/GI (identical price tables).
    ModelInfo(
        "gemini:gemini-3-pro-preview",
        "gemini",
        _gemini_pro("2", "4", "12", "18"),
        _GEMINI_CTX,
        65_536,
        thinking=_PRO_3,
    ),
    ModelInfo(
        "gemini:gemini-2.5-pro",
        "gemini",
        _gemini_pro("1.25", "2.5", "10", "15"),
        _GEMINI_CTX,
        65_536,
        thinking=_PRO_25,
    ),
    ModelInfo("gemini:gemini-3-flash-preview", "gemini", _flat("0.5", "3"), _GEMINI_CTX, 65_536),
    ModelInfo(
        "gemini:gemini-2.5-flash",
        "gemini",
        _flat("0.30", "2.5"),
        _GEMINI_CTX,
        65_536,
        thinking=_FLASH_25,
    ),
    ModelInfo(
        "gemini:gemini-2.5-flash-preview-09-2025",
        "gemini",
        _flat("0.30", "2.5"),
        _GEMINI_CTX,
        65_536,
        thinking=_FLASH_25,
    ),
    ModelInfo(
        "gemini:gemini-2.0-flash",
        "gemini",
        _flat("0.1", "0.4"),
        _GEMINI_CTX,
        8_192,
        thinking=_NO_THINKING,
    ),
    ModelInfo(
        "gemini:gemini-2.5-flash-lite",
        "gemini",
        _flat("0.1", "0.4"),
        _GEMINI_CTX,
        65_536,
        thinking=_LITE_25,
    ),
    ModelInfo(
        "gemini:gemini-2.5-flash-lite-preview-09-2025",
        "gemini",
        _flat("0.1", "0.4"),
        _GEMINI_CTX,
        65_536,
        thinking=_LITE_25,
    ),
    ModelInfo(
        "gemini:gemini-2.0-flash-lite",
        "gemini",
        _flat("0.075", "0.3"),
        _GEMINI_CTX,
        8_192,
        thinking=_NO_THINKING,
    ),
    # Nova: docs pages NV/NI. The pages use both "us.amazon.*" and "amazon.*" ids; both resolve.
    ModelInfo(
        "nova:us.amazon.nova-premier-v1:0",
        "nova",
        _flat("2.50", "12.50"),
        1_000_000,
        10_000,
        aliases=("nova:amazon.nova-premier-v1:0",),
    ),
    ModelInfo(
        "nova:us.amazon.nova-pro-v1:0",
        "nova",
        _flat("0.80", "3.20"),
        300_000,
        10_000,
        aliases=("nova:amazon.nova-pro-v1:0",),
    ),
    ModelInfo(
        "nova:us.amazon.nova-2-lite-v1:0",
        "nova",
        _flat("0.33", "2.75"),
        1_000_000,
        65_536,
        aliases=("nova:amazon.nova-2-lite-v1:0",),
    ),
    ModelInfo(
        "nova:us.amazon.nova-lite-v1:0",
        "nova",
        _flat("0.06", "0.24"),
        300_000,
        10_000,
        aliases=("nova:amazon.nova-lite-v1:0",),
    ),
    # Qwen: docs pages QV/QI, priced per 1K tokens there; converted to per 1M here.
    *(
        ModelInfo(f"qwen:{m}", "qwen", _QWEN3_PLUS, 262_144, 32_768)
        for m in ("qwen3-vl-plus", "qwen3-vl-plus-2025-12-19", "qwen3-vl-plus-2025-09-23")
    ),
    *(
        ModelInfo(f"qwen:{m}", "qwen", _QWEN3_FLASH, 262_144, 32_768)
        for m in ("qwen3-vl-flash", "qwen3-vl-flash-2025-10-15")
    ),
    *(
        ModelInfo(f"qwen:{m}", "qwen", _flat("0.84", "3.35"), 131_072, 8_192)
        for m in (
            "qwen-vl-max",
            "qwen-vl-max-latest",
            "qwen-vl-max-2025-08-13",
            "qwen-vl-max-2025-04-08",
        )
    ),
    *(
        ModelInfo(f"qwen:{m}", "qwen", _flat("0.22", "0.66"), 131_072, 8_192)
        for m in (
            "qwen-vl-plus",
            "qwen-vl-plus-latest",
            "qwen-vl-plus-2025-08-15",
            "qwen-vl-plus-2025-05-07",
            "qwen-vl-plus-2025-01-25",
        )
    ),
    # GPT: docs page GPT (image endpoint only). The stored table is cut after chatgpt-4o-latest's
    # input price, so that model and anything after it carry no price.
    *(
        ModelInfo(f"gpt:{m}", "gpt", _flat(i, o), ctx)
        for names, i, o, ctx in (
            (("gpt-5.2", "gpt-5.2-2025-12-11", "gpt-5.2-chat-latest"), "1.75", "14", 400_000),
            (("gpt-5.1", "gpt-5.1-2025-11-13", "gpt-5.1-chat-latest"), "1.25", "10", 400_000),
            (("gpt-5", "gpt-5-2025-08-07", "gpt-5-chat-latest"), "1.25", "10", 400_000),
            (("gpt-5-mini", "gpt-5-mini-2025-08-07"), "0.25", "2", 400_000),
            (("gpt-5-nano", "gpt-5-nano-2025-08-07"), "0.05", "0.4", 400_000),
            (("o1", "o1-2024-12-17"), "15", "60", 200_000),
            (("o3", "o3-2025-04-16"), "2", "8", 200_000),
            (("o4-mini", "o4-mini-2025-04-16"), "1.1", "4.4", 200_000),
            (("gpt-4.1", "gpt-4.1-2025-04-14"), "2", "8", 1_047_576),
            (("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"), "0.4", "1.6", 1_047_576),
            (("gpt-4.1-nano", "gpt-4.1-nano-2025-04-14"), "0.1", "0.4", 1_047_576),
            (("gpt-4o", "gpt-4o-2024-08-06"), "2.5", "10", 128_000),
            (("gpt-4o-2024-05-13",), "5", "15", 128_000),
        )
        for m in names
    ),
    ModelInfo("gpt:chatgpt-4o-latest", "gpt", (), 128_000),
)

MODELS: dict[str, ModelInfo] = {m.id: m for m in _ENTRIES}
"""Every catalogued model by its full, prefixed id."""

_BY_ANY_ID: dict[str, ModelInfo] = {
    **{alias: m for m in _ENTRIES for alias in m.aliases},
    **MODELS,
}
_FAMILY_BY_BARE: dict[str, str] = {
    full.split(":", 1)[1]: m.family for full, m in _BY_ANY_ID.items()
}


class UnknownPriceError(MemoriesInputError):
    """The catalog has no price for this model (an uncatalogued id, or a cut-off price row)."""


def family_of(model: str) -> str | None:
    """Return the family of a model id (prefixed or a catalogued bare id), or None.

    Example:
        >>> family_of("nova:us.amazon.nova-pro-v1:0"), family_of("gemini-2.5-pro"), family_of("x")
        ('nova', 'gemini', None)
    """
    prefix, sep, _ = model.partition(":")
    if sep and prefix in FAMILIES:
        return prefix
    return _FAMILY_BY_BARE.get(model)


def resolve_model(model: str, family: str | None = None) -> str:
    """Return the full ``family:name`` id, adding the prefix where it is missing.

    Args:
        model: ``gemini-2.5-flash`` or ``gemini:gemini-2.5-flash``.
        family: the family the caller serves (a Gemini chat model passes ``"gemini"``). A model
            with another family's prefix is then an error; a bare unknown id gets this prefix.

    Raises:
        MemoriesInputError: empty id, a wrong family's prefix, or a bare id whose family cannot
            be told (pass it with a prefix).

    Example:
        >>> resolve_model("us.amazon.nova-lite-v1:0", family="nova")
        'nova:us.amazon.nova-lite-v1:0'
        >>> resolve_model("my-new-gemini", family="gemini")
        'gemini:my-new-gemini'
    """
    if not isinstance(model, str) or not model.strip():
        raise MemoriesInputError(
            "model must be a non-empty string such as 'gemini:gemini-2.5-flash'"
        )
    if not (family is None or isinstance(family, str)):
        raise MemoriesInputError(f"family must be a string, got {type(family).__name__}")
    model = model.strip()
    if family is not None and family not in FAMILIES:
        raise MemoriesInputError(f"unknown model family {family!r}; known: {sorted(FAMILIES)}")
    prefix, sep, rest = model.partition(":")
    if sep and prefix in FAMILIES:
        if not rest:
            raise MemoriesInputError(f"model {model!r} has a family prefix but no model name")
        if family is not None and prefix != family:
            raise MemoriesInputError(
                f"model {model!r} belongs to the {prefix!r} family, but this model class serves "
                f"{family!r} models; use the {prefix} class or a '{family}:' model id"
            )
        return model
    # Nova ids contain a colon of their own ("...-v1:0"), so a colon alone is not a prefix.
    known = _FAMILY_BY_BARE.get(model)
    if known is not None:
        if family is not None and known != family:
            raise MemoriesInputError(
                f"model {model!r} is a {known!r} model, but this model class serves {family!r} "
                "models"
            )
        return f"{known}:{model}"
    if family is None:
        raise MemoriesInputError(
            f"cannot tell which provider serves model {model!r}; prefix it with one of "
            f"{', '.join(f'{f}:' for f in FAMILIES)} (e.g. 'gemini:{model}')"
        )
    return f"{family}:{model}"


def model_info(model: str, family: str | None = None) -> ModelInfo:
    """Return what the catalog knows about a model; family defaults for an unknown id.

    Example:
        >>> model_info("gemini-2.5-flash").context_window
        1048576
        >>> model_info("gemini:brand-new").known
        False
    """
    info = _BY_ANY_ID.get(model)  # a catalogued full id, as the clients hand down: no resolving
    if info is not None and (family is None or info.family == family):
        return info
    full = resolve_model(model, family)
    info = _BY_ANY_ID.get(full)
    if info is not None:
        return info
    return ModelInfo(full, full.split(":", 1)[0], known=False)  # type: ignore[arg-type]


def _tier(info: ModelInfo, input_tokens: int) -> PriceTier:
    for tier in info.prices:
        if tier.up_to_input_tokens is None or input_tokens <= tier.up_to_input_tokens:
            return tier
    return info.prices[-1]


def estimate_cost(model: str, input_tokens: int, output_tokens: int) -> Decimal:
    """Dollar cost of one request, from the catalog's price tiers.

    The tier is chosen by the request's input tokens (e.g. Gemini 2.5 Pro costs $1.25/M input up
    to 200K prompt tokens and $2.5/M for the whole request above that) and applies to input and
    output alike. Returns an exact :class:`~decimal.Decimal`.

    Raises:
        UnknownPriceError: the model has no catalogued price. Use :func:`try_estimate_cost` to
            get ``None`` instead.

    Example:
        >>> estimate_cost("gemini-2.5-pro", 200_001, 1_000_000)
        Decimal('15.5000025')
    """
    if input_tokens < 0 or output_tokens < 0:
        raise MemoriesInputError("token counts must not be negative")
    info = model_info(model)
    if not info.prices:
        raise UnknownPriceError(
            f"no price is catalogued for {info.id!r}; costs for it cannot be estimated"
        )
    tier = _tier(info, input_tokens)
    million = Decimal(1_000_000)
    return (
        tier.input_per_million * input_tokens + tier.output_per_million * output_tokens
    ) / million


def try_estimate_cost(model: str, input_tokens: int, output_tokens: int) -> Decimal | None:
    """Like :func:`estimate_cost` but returns None when no price is known.

    Example:
        >>> try_estimate_cost("gemini:not-yet-catalogued", 10, 10) is None
        True
    """
    try:
        return estimate_cost(model, input_tokens, output_tokens)
    except MemoriesInputError:
        return None
