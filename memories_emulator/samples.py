"""Values that satisfy a schema: what the emulator answers for structured output and tool calls.

Gemini's ``responseSchema`` (uppercase types) and plain JSON Schema (a Nova tool's
``inputSchema.json``, or a schema pasted into the prompt) each get a deterministic sample.
Numbers are not all alike: each is derived from its property's name (:func:`field_number`), so
``age`` and ``count`` differ, and stay the same from one run to the next.

Example:
    >>> sample_json_schema({"type": "object", "properties": {"n": {"type": "integer"}}})
    {'n': 97}
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["field_number", "find_prompted_schema", "sample_gemini_schema", "sample_json_schema"]

_NESTING_LIMIT = 12
"""Recursive schemas ($ref cycles) stop generating below this depth."""
_ARRAY_ITEMS = 2
"""Arrays get this many items unless minItems/maxItems say otherwise."""

_FORMAT_SAMPLES = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "12:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def _sample_string(name: str, schema: Mapping[str, Any], variant: int = 0) -> str:
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMAT_SAMPLES:
        return _FORMAT_SAMPLES[fmt]
    text = f"example {name}" if name else "example"
    if variant:
        text = f"{text} {variant + 1}"
    min_length = schema.get("minLength")
    max_length = schema.get("maxLength")
    if isinstance(min_length, int) and len(text) < min_length:
        text = text + "x" * (min_length - len(text))
    if isinstance(max_length, int) and max_length >= 0:
        text = text[:max_length]
    return text


def field_number(name: str, *, integer: bool) -> float | int:
    """The number a property called ``name`` gets: 2-97 for integers, 1.0-99.9 for numbers.

    Derived from a hash of the name, so it varies by field and is the same on every run.

    Example:
        >>> field_number("age", integer=True), field_number("score", integer=False)
        (34, 31.2)
    """
    digest = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")
    if integer:
        return 2 + digest % 96
    return round(1 + digest % 990 / 10, 1)


def _sample_number(value: float, schema: Mapping[str, Any], *, integer: bool) -> float | int:
    # Clamp into the declared bounds so constrained fields (conint, confloat) still validate.
    step = 1 if integer else 0.5
    low, high = schema.get("minimum"), schema.get("maximum")
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(ex_low, (int, float)) and not isinstance(ex_low, bool) and value <= ex_low:
        value = ex_low + step
    if isinstance(low, (int, float)) and not isinstance(low, bool) and value < low:
        value = low
    if isinstance(ex_high, (int, float)) and not isinstance(ex_high, bool) and value >= ex_high:
        value = ex_high - step
    if isinstance(high, (int, float)) and not isinstance(high, bool) and value > high:
        value = high
    return math.ceil(value) if integer else float(value)


def _array_length(schema: Mapping[str, Any]) -> int:
    count = _ARRAY_ITEMS
    low, high = schema.get("minItems"), schema.get("maxItems")
    if isinstance(low, int) and count < low:
        count = low
    if isinstance(high, int) and count > high:
        count = max(high, 0)
    return count


def sample_gemini_schema(schema: Mapping[str, Any], name: str = "", variant: int = 0) -> Any:
    """A value that satisfies a Gemini ``responseSchema`` (uppercase types).

    STRING gives ``"example <property name>"`` (or the first enum value, or a sample for a known
    ``format``), INTEGER and NUMBER :func:`field_number` of the property name, BOOLEAN true,
    ARRAY two items, OBJECT every property in ``propertyOrdering`` order; nullable fields get a
    value, never null.

    Args:
        schema: A validated Gemini schema.
        name: The property name the value is for.
        variant: Item index inside an array of objects (strings get ``" <index + 1>"``).

    Example:
        >>> sample_gemini_schema({"type": "OBJECT", "properties": {
        ...     "title": {"type": "STRING"}, "tags": {"type": "ARRAY", "items": {"type": "STRING"}},
        ...     "score": {"type": "INTEGER"}}})
        {'title': 'example title', 'tags': ['example tags', 'example tags'], 'score': 58}
    """
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    kind = schema.get("type")
    if kind == "STRING":
        return _sample_string(name, schema, variant)
    if kind == "INTEGER":
        return _sample_number(field_number(name, integer=True), schema, integer=True)
    if kind == "NUMBER":
        return _sample_number(field_number(name, integer=False), schema, integer=False)
    if kind == "BOOLEAN":
        return True
    if kind == "ARRAY":
        items = schema.get("items")
        items = items if isinstance(items, Mapping) else {"type": "STRING"}
        return [sample_gemini_schema(items, name) for _ in range(_array_length(schema))]
    if kind == "OBJECT":
        properties = schema.get("properties")
        if not isinstance(properties, Mapping):
            return {}
        ordering = [key for key in schema.get("propertyOrdering") or () if key in properties]
        ordering += [key for key in properties if key not in ordering]
        return {key: sample_gemini_schema(properties[key], key, variant) for key in ordering}
    return None


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null"


def _resolve_ref(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        return {}
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            return {}
        node = node[part]
    return node if isinstance(node, Mapping) else {}


def sample_json_schema(
    schema: Any,
    name: str = "",
    *,
    root: Mapping[str, Any] | None = None,
    variant: int = 0,
    _depth: int = 0,
) -> Any:
    """A value that satisfies a (lowercase) JSON Schema, e.g. a tool's ``inputSchema.json``.

    Handles ``type`` (also as a list), ``enum``, ``const``, ``$ref`` into ``$defs`` /
    ``definitions``, ``anyOf`` / ``oneOf`` (first non-null option), ``allOf`` (merged),
    ``properties`` (all of them), ``items`` / ``prefixItems``, ``minItems`` / ``maxItems`` /
    ``uniqueItems``, numeric bounds, string lengths and common ``format`` values.

    Args:
        schema: The schema (``True`` / ``{}`` mean "anything": a string is produced).
        name: The property name the value is for (strings become ``"example <name>"``).
        root: The document ``$ref`` pointers resolve against; defaults to ``schema``.
        variant: Item index inside an array (keeps ``uniqueItems`` values distinct).

    Example:
        >>> sample_json_schema({"type": "object", "properties": {
        ...     "city": {"type": "string"}, "days": {"type": "integer"},
        ...     "unit": {"anyOf": [{"enum": ["C", "F"]}, {"type": "null"}]}}})
        {'city': 'example city', 'days': 80, 'unit': 'C'}
    """
    if not isinstance(schema, Mapping):
        return _sample_string(name, {}, variant)
    root = schema if root is None else root
    if _depth > _NESTING_LIMIT:
        return None

    def again(sub: Any, sub_name: str = name, sub_variant: int = variant) -> Any:
        return sample_json_schema(sub, sub_name, root=root, variant=sub_variant, _depth=_depth + 1)

    if isinstance(schema.get("$ref"), str):
        merged = {**_resolve_ref(schema["$ref"], root), **schema}
        merged.pop("$ref")
        return again(merged)
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            non_null = [option for option in options if not _is_null_schema(option)]
            return again(non_null[0]) if non_null else None
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and all_of:
        merged = {key: value for key, value in schema.items() if key != "allOf"}
        for part in all_of:
            if not isinstance(part, Mapping):
                continue
            if isinstance(part.get("$ref"), str):
                part = _resolve_ref(part["$ref"], root)
            joined = {**merged.get("properties", {}), **part.get("properties", {})}
            merged = {**merged, **part, "properties": joined}
        return again(merged)

    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "null":
        return None
    if kind == "boolean":
        return True
    if kind == "integer":
        return _sample_number(field_number(name, integer=True) + variant, schema, integer=True)
    if kind == "number":
        return _sample_number(field_number(name, integer=False) + variant, schema, integer=False)
    if kind == "array":
        prefix = schema.get("prefixItems")
        if isinstance(prefix, list):
            return [again(item, name, i) for i, item in enumerate(prefix)]
        items = schema.get("items", {})
        # Distinct variants only where uniqueness is demanded, so plain lists stay predictable.
        unique = schema.get("uniqueItems") is True
        return [again(items, name, i if unique else 0) for i in range(_array_length(schema))]
    if kind == "object":
        properties = schema.get("properties")
        if not isinstance(properties, Mapping):
            return {}
        return {key: again(sub, key, variant) for key, sub in properties.items()}
    return _sample_string(name, schema, variant)


_FENCED_JSON = re.compile(r"```json[^\S\n]*\n?(.*?)```", re.DOTALL | re.IGNORECASE)


def find_prompted_schema(texts: Iterable[str]) -> Mapping[str, Any] | None:
    r"""The last ```` ```json ```` block in ``texts`` that holds a JSON Schema, if any.

    A JSON Schema here is an object with a ``properties`` or ``type`` key. This is what makes a
    "prompted JSON mode" (schema pasted into the prompt) work offline.

    Example:
        >>> find_prompted_schema(['Answer as ```json\n{"type": "object"}\n```'])
        {'type': 'object'}
    """
    found: Mapping[str, Any] | None = None
    for text in texts:
        for match in _FENCED_JSON.finditer(text):
            try:
                value = json.loads(match.group(1))
            except ValueError:
                continue
            if isinstance(value, dict) and ("properties" in value or "type" in value):
                found = value
    return found
