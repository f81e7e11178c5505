"""Enum values Gemini had to answer as strings, turned back into the schema's own values.

Example:
    >>> coerce_enum_strings("true", {"enum": [True, False]})
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from memories_client.schema._shared import enum_string, json_equal, resolve_pointer

__all__ = ["coerce_enum_strings"]


def coerce_enum_strings(instance: Any, schema: Mapping[str, Any]) -> Any:
    """Turn enum values Gemini returned as strings back into the schema's own values.

    :func:`to_gemini_schema` writes non-string enum values as JSON text (``1`` -> ``"1"``), so
    the model answers ``"1"`` where the original schema wants ``1``. This walks ``instance``
    along ``schema`` (the original JSON Schema) and replaces such strings; everything else is
    left as is, and ``instance`` is not modified.

    Args:
        instance: a parsed JSON value.
        schema: the original JSON Schema (not the Gemini one).

    Returns:
        The value with stringified enum members restored.

    Example:
        >>> coerce_enum_strings({"level": "2", "name": "2"},
        ...                     {"properties": {"level": {"enum": [1, 2]},
        ...                                     "name": {"type": "string"}}})
        {'level': 2, 'name': '2'}
    """
    return _Coercer(schema).coerce(instance, schema, frozenset())


class _Coercer:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root

    def branches(self, node: Mapping[str, Any]) -> list[Any]:
        found: list[Any] = []
        for key in ("allOf", "anyOf", "oneOf"):
            if isinstance(node.get(key), list):
                found.extend(node[key])
        return found

    def coerce(self, value: Any, node: Any, active: frozenset[Any]) -> Any:
        if not isinstance(node, Mapping):
            return value
        ref = node.get("$ref")
        if isinstance(ref, str) and (ref, id(value)) not in active:
            target = resolve_pointer(self.root, ref)
            value = self.coerce(value, target, active | {(ref, id(value))})
        if isinstance(value, str):
            allowed = [node["const"]] if "const" in node else node.get("enum")
            if isinstance(allowed, list) and not any(json_equal(value, v) for v in allowed):
                for candidate in allowed:
                    if not isinstance(candidate, str) and enum_string(candidate) == value:
                        return candidate
            for branch in self.branches(node):
                new = self.coerce(value, branch, active)
                if new is not value:
                    return new
            return value
        if isinstance(value, dict):
            props = node.get("properties")
            extra = node.get("additionalProperties")
            if isinstance(props, Mapping) or isinstance(extra, Mapping):
                props = props if isinstance(props, Mapping) else {}
                value = {k: self.coerce(v, props.get(k, extra), active) for k, v in value.items()}
        elif isinstance(value, list):
            items = node.get("items")
            if isinstance(items, Mapping):
                value = [self.coerce(v, items, active) for v in value]
        for branch in self.branches(node):
            value = self.coerce(value, branch, active)
        return value
