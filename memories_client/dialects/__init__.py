"""One wire format per provider family, chosen by the model id's prefix.

Example:
    >>> from memories_client.dialects import dialect_for
    >>> type(dialect_for("gemini-2.5-flash")).__name__
    'GeminiDialect'
"""

from __future__ import annotations

from memories_client.catalog import family_of, resolve_model
from memories_client.dialects.base import (
    FAMILY_OPTIONS,
    Dialect,
    InlineFormat,
    check_media_kind,
)
from memories_client.dialects.gemini import GeminiDialect
from memories_client.dialects.gpt import GPTDialect
from memories_client.dialects.nova import NovaDialect, ToolMessageStyle
from memories_client.dialects.qwen import QwenDialect, QwenPartStyle
from memories_client.errors import MemoriesInputError

__all__ = [
    "DIALECTS",
    "FAMILY_OPTIONS",
    "TOOL_OPTIONS",
    "Dialect",
    "GPTDialect",
    "GeminiDialect",
    "InlineFormat",
    "NovaDialect",
    "QwenDialect",
    "QwenPartStyle",
    "ToolMessageStyle",
    "call_options",
    "check_media_kind",
    "dialect_for",
]

DIALECTS: dict[str, type[Dialect]] = {
    "gemini": GeminiDialect,
    "nova": NovaDialect,
    "qwen": QwenDialect,
    "gpt": GPTDialect,
}
"""Dialect classes by family: every family of the catalog."""

_DEFAULTS: dict[str, Dialect] = {}

TOOL_OPTIONS = frozenset({"tools", "tool_choice"})
"""The per-call options of tool calling, taken by the families whose dialect has tools."""


def call_options(family: str) -> frozenset[str]:
    """The family-only options a model of ``family`` takes: its dialect's, plus tools if any.

    What the framework layers accept beyond the sampling fields, read from the dialects so
    that no layer keeps its own list.

    Example:
        >>> sorted(call_options("nova")), sorted(call_options("qwen"))
        (['tool_choice', 'tools'], ['enable_thinking', 'response_schema', 'thinking_budget'])
    """
    dialect = DIALECTS[family]
    return dialect.options | (TOOL_OPTIONS if dialect.supports_tools else frozenset())


def dialect_for(model: str) -> Dialect:
    """The (shared, default-configured) dialect that serves a model id.

    Raises:
        MemoriesInputError: the id names no known family.

    Example:
        >>> dialect_for("qwen3-vl-plus").family
        'qwen'
    """
    family = family_of(resolve_model(model))
    if family is None or family not in DIALECTS:
        raise MemoriesInputError(
            f"model {model!r} belongs to the {family!r} family, which has no wire format; "
            f"supported families: {', '.join(DIALECTS)}"
        )
    dialect = _DEFAULTS.get(family)
    if dialect is None:
        dialect = _DEFAULTS[family] = DIALECTS[family]()
    return dialect
