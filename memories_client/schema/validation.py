"""Strict validation of a parsed answer against a JSON Schema dict: :func:`validate_instance`.

Why a small hand-written validator rather than ``jsonschema`` or Pydantic:

* Pydantic already validates the answer when the target is a model or a TypedDict
  (``parse_structured`` calls ``model_validate`` / ``TypeAdapter``); this module only serves
  targets given as schema dicts, and Pydantic has no validator for an arbitrary JSON Schema.
* ``jsonschema`` would be a new runtime dependency for every user (it brings ``attrs``,
  ``referencing``, ``jsonschema-specifications`` and the compiled ``rpds-py``), and importing it
  took about 0.2 s here, which ``import memories_client`` would pay or hide behind a lazy import.
* The subset needed is small and fixed: the keywords Pydantic, TypedDicts and hand-written
  tool schemas use (types, enums, properties, items, combinators, local ``$ref``, bounds).
  It also needs two things ``jsonschema`` does not do: Gemini's dialect (uppercase type names
  and OpenAPI's ``nullable``), so a ``responseSchema`` validates too, and messages that name the
  field by path (``people[1].age: ...``), which ``JSONOutputError`` shows the user.
* Correctness is checked against ``jsonschema`` itself in the tests (a development dependency
  only): on generated schemas and values of the supported subset both give the same verdict.

Example:
    >>> validate_instance({"age": "x"}, {"properties": {"age": {"type": "integer"}}})
    ['age: expected integer, got string']
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from memories_client.schema._shared import (
    MISSING,
    is_number,
    join_path,
    json_equal,
    resolve_pointer,
)

__all__ = ["validate_instance"]


def validate_instance(instance: Any, schema: Mapping[str, Any]) -> list[str]:
    """Validate a parsed JSON value against a JSON Schema; return the problems found.

    A small validator for the subset structured output uses, so the package needs no
    ``jsonschema`` dependency: ``type`` (a name or a list; ``integer`` accepts ``3`` and ``3.0``
    but never ``True``; ``number`` never accepts booleans), ``nullable`` and ``null`` in
    ``anyOf`` / ``oneOf`` / ``type`` lists, ``enum`` and ``const`` (``1`` does not equal
    ``True``), ``properties``, ``required``, ``additionalProperties``, ``items`` and
    ``prefixItems``, ``allOf`` / ``anyOf`` / ``oneOf`` / ``not``, ``$ref`` to any local pointer
    (``#/$defs/...``, ``#/definitions/...``; recursive schemas are fine), and the bounds
    ``minimum`` / ``maximum`` / ``exclusive*`` / ``minLength`` / ``maxLength`` / ``pattern`` /
    ``minItems`` / ``maxItems``. Other keywords (``format``, ``uniqueItems`` ...) are ignored.
    Type names are case-insensitive, so a Gemini ``responseSchema`` validates too.

    Args:
        instance: the value (as returned by ``json.loads``).
        schema: the JSON Schema.

    Returns:
        Human-readable messages, each starting with the path of the bad value
        (``people[1].age``, or ``top level``); an empty list when the value is valid.

    Example:
        >>> schema = {"type": "object", "required": ["name"],
        ...           "properties": {"name": {"type": "string"},
        ...                          "tags": {"type": "array", "items": {"enum": ["a", "b"]}}}}
        >>> validate_instance({"tags": ["a", "c"]}, schema)
        ['name: required field is missing', "tags[1]: expected one of ['a', 'b'], got 'c'"]
        >>> validate_instance({"name": "x"}, schema)
        []
    """
    errors: list[str] = []
    _Validator(schema, errors).check(instance, schema, "", frozenset())
    return errors


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _has_type(value: Any, type_name: str) -> bool:
    if type_name == "integer":
        if isinstance(value, float):
            return math.isfinite(value) and value.is_integer()
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return is_number(value)
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "null":
        return value is None
    if type_name == "array":
        return isinstance(value, (list, tuple))
    if type_name == "object":
        return isinstance(value, Mapping)
    return False


def _index(path: str, i: int) -> str:
    return f"{path}[{i}]"


class _Validator:
    def __init__(self, root: Mapping[str, Any], errors: list[str]) -> None:
        self.root = root
        self.errors = errors

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path or 'top level'}: {message}")

    def sub_errors(self, value: Any, node: Any, path: str, active: frozenset[Any]) -> list[str]:
        errors: list[str] = []
        _Validator(self.root, errors).check(value, node, path, active)
        return errors

    def check(self, value: Any, node: Any, path: str, active: frozenset[Any]) -> None:
        if node is True or node is None:
            return
        if node is False:
            self.error(path, "no value is allowed here")
            return
        if not isinstance(node, Mapping):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            key = (ref, id(value))
            if key not in active:  # a $ref cycle that does not descend into the value
                target = resolve_pointer(self.root, ref)
                if target is MISSING:
                    self.error(path, f"schema $ref {ref!r} does not resolve")
                else:
                    self.check(value, target, path, active | {key})
        if value is None and node.get("nullable") is True:
            return

        raw_type = node.get("type")
        if raw_type is not None:
            names = raw_type if isinstance(raw_type, list) else [raw_type]
            lowered = [str(n).lower() for n in names]
            if not any(_has_type(value, n) for n in lowered):
                expected = " or ".join(lowered + (["null"] if node.get("nullable") else []))
                self.error(path, f"expected {expected}, got {_json_type(value)}")
                return

        enum = node.get("enum")
        if isinstance(enum, list) and not any(json_equal(value, e) for e in enum):
            self.error(path, f"expected one of {node['enum']!r}, got {value!r:.80}")
        if "const" in node and not json_equal(value, node["const"]):
            self.error(path, f"expected {node['const']!r}, got {value!r:.80}")

        self.check_combinators(value, node, path, active)

        if isinstance(value, Mapping):
            self.check_object(value, node, path, active)
        elif isinstance(value, (list, tuple)):
            self.check_array(value, node, path, active)
        elif isinstance(value, str):
            self.check_string(value, node, path)
        elif is_number(value):
            self.check_number(value, node, path)

    def check_combinators(
        self, value: Any, node: Mapping[str, Any], path: str, active: frozenset[Any]
    ) -> None:
        for sub in node.get("allOf", []) if isinstance(node.get("allOf"), list) else []:
            self.check(value, sub, path, active)
        any_of = node.get("anyOf")
        if isinstance(any_of, list) and any_of:
            results = [self.sub_errors(value, b, path, active) for b in any_of]
            if all(results):
                if value is None:
                    self.error(path, "null is not allowed here")
                else:
                    detail = "; ".join(r[0] for r in results)
                    self.error(path, f"matches none of the allowed alternatives ({detail})")
        one_of = node.get("oneOf")
        if isinstance(one_of, list) and one_of:
            results = [self.sub_errors(value, b, path, active) for b in one_of]
            passing = sum(1 for r in results if not r)
            if passing == 0:
                detail = "; ".join(r[0] for r in results)
                self.error(path, f"matches none of the allowed alternatives ({detail})")
            elif passing > 1:
                self.error(path, f"matches {passing} alternatives of a oneOf; exactly one must")
        if "not" in node and not self.sub_errors(value, node["not"], path, active):
            self.error(path, "matches a schema it must not match")

    def check_object(
        self, value: Mapping[str, Any], node: Mapping[str, Any], path: str, active: frozenset[Any]
    ) -> None:
        props = node.get("properties")
        props = props if isinstance(props, Mapping) else {}
        required = node.get("required")
        if isinstance(required, list):
            for name in required:
                if name not in value:
                    self.error(join_path(path, str(name)), "required field is missing")
        extra = node.get("additionalProperties", True)
        for name, item in value.items():
            child = join_path(path, str(name))
            if name in props:
                self.check(item, props[name], child, active)
            elif extra is False:
                self.error(child, "unexpected field (additionalProperties is false)")
            elif isinstance(extra, Mapping):
                self.check(item, extra, child, active)

    def check_array(
        self, value: Sequence[Any], node: Mapping[str, Any], path: str, active: frozenset[Any]
    ) -> None:
        prefix = node.get("prefixItems")
        items = node.get("items")
        start = 0
        if isinstance(prefix, list):
            for i, (item, sub) in enumerate(zip(value, prefix, strict=False)):
                self.check(item, sub, _index(path, i), active)
            start = len(prefix)
        elif isinstance(items, list):  # draft-4 tuple form
            for i, (item, sub) in enumerate(zip(value, items, strict=False)):
                self.check(item, sub, _index(path, i), active)
            start, items = len(items), node.get("additionalItems")
        if isinstance(items, (Mapping, bool)):
            for i in range(start, len(value)):
                self.check(value[i], items, _index(path, i), active)
        low, high = node.get("minItems"), node.get("maxItems")
        if is_number(low) and len(value) < low:
            self.error(path, f"expected at least {low} items, got {len(value)}")
        if is_number(high) and len(value) > high:
            self.error(path, f"expected at most {high} items, got {len(value)}")

    def check_string(self, value: str, node: Mapping[str, Any], path: str) -> None:
        low, high = node.get("minLength"), node.get("maxLength")
        if is_number(low) and len(value) < low:
            self.error(path, f"expected at least {low} characters, got {len(value)}")
        if is_number(high) and len(value) > high:
            self.error(path, f"expected at most {high} characters, got {len(value)}")
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            try:
                matched = re.search(pattern, value) is not None
            except re.error:
                matched = True  # a pattern Python cannot compile is not the value's fault
            if not matched:
                self.error(path, f"{value!r:.80} does not match the pattern {pattern!r}")

    def check_number(self, value: float, node: Mapping[str, Any], path: str) -> None:
        low, high = node.get("minimum"), node.get("maximum")
        xlow, xhigh = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
        if xlow is True:
            low, xlow = None, low
        if xhigh is True:
            high, xhigh = None, high
        if is_number(low) and value < low:
            self.error(path, f"expected a value >= {low}, got {value}")
        if is_number(xlow) and value <= xlow:
            self.error(path, f"expected a value > {xlow}, got {value}")
        if is_number(high) and value > high:
            self.error(path, f"expected a value <= {high}, got {value}")
        if is_number(xhigh) and value >= xhigh:
            self.error(path, f"expected a value < {xhigh}, got {value}")
