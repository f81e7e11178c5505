"""Gemini's ``responseSchema`` dialect as data: the tables the converter in ``gemini`` applies.

Data only: which types and formats the dialect has, which JSON Schema types are read, the key
order of an emitted node and the node budget. Every function of the conversion stays in
:mod:`~memories_client.schema.gemini`, where mutation testing (and ``tests/RELIABILITY.md``)
addresses it by name. The private tables keep the underscore names the converter has always
used, so its code reads as before; only ``gemini`` imports them.

Example:
    >>> sorted(_FORMATS_BY_TYPE["INTEGER"]), _KEY_ORDER[:3]
    (['int32', 'int64'], ('type', 'format', 'description'))
"""

from __future__ import annotations

from typing import Final

__all__ = ["GEMINI_FORMATS", "GEMINI_TYPES"]

GEMINI_TYPES: Final = frozenset({"OBJECT", "ARRAY", "STRING", "INTEGER", "NUMBER", "BOOLEAN"})
"""The ``type`` values :func:`~memories_client.schema.gemini.to_gemini_schema` emits."""

GEMINI_FORMATS: Final = frozenset({"date-time", "enum", "int32", "int64", "float", "double"})
"""The ``format`` values Gemini accepts; every other format is dropped."""

_FORMATS_BY_TYPE: Final[dict[str, frozenset[str]]] = {
    "STRING": frozenset({"date-time", "enum"}),
    "INTEGER": frozenset({"int32", "int64"}),
    "NUMBER": frozenset({"float", "double"}),
}
"""The formats Gemini accepts for each type; a format on any other type is dropped."""

_JSON_TYPES: Final = frozenset(
    {"object", "array", "string", "integer", "number", "boolean", "null"}
)
"""The JSON Schema ``type`` names the converter reads (any case); others are refused."""

# Key order of every emitted node, so output is stable and easy to read in a request log.
_KEY_ORDER: Final = (
    "type",
    "format",
    "description",
    "nullable",
    "enum",
    "properties",
    "propertyOrdering",
    "required",
    "items",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
)

_MAX_NODES: Final = 20_000
"""Upper bound on emitted nodes; inlining ``$ref`` can blow a schema up exponentially."""
