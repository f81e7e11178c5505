"""Gemini's ``responseSchema`` dialect: :func:`to_gemini_schema` rewrites a JSON Schema into it.

Gemini's structured output takes a ``responseSchema`` written in an OpenAPI 3.0 subset: uppercase
types, no ``$ref``, no ``anyOf`` with ``null`` (``nullable: true`` instead), string-only enums
and an allow-list of keys (anything else is refused with ``Unknown name "..."``). Real schemas
from Pydantic models and TypedDicts break every one of those rules, which is the most reported
structured-output failure with Gemini. :func:`to_gemini_schema` rewrites a schema into the
dialect and refuses, before any network call and naming the field, what the dialect cannot
express (recursive models, free-form dicts, unions of several types, ``Any``).

Example:
    >>> to_gemini_schema({"type": "object", "properties": {"n": {"type": ["integer", "null"]}}})
    {'type': 'OBJECT', 'properties': {'n': {'type': 'INTEGER', 'nullable': True}}}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from memories_client.errors import MemoriesInputError
from memories_client.schema._gemini_rules import (
    _FORMATS_BY_TYPE,
    _JSON_TYPES,
    _KEY_ORDER,
    _MAX_NODES,
    GEMINI_FORMATS,
    GEMINI_TYPES,
)
from memories_client.schema._shared import (
    MISSING,
    enum_string,
    is_number,
    join_path,
    ref_name,
    resolve_pointer,
)
from memories_client.schema.extract import json_schema_of

__all__ = ["GEMINI_FORMATS", "GEMINI_TYPES", "to_gemini_schema"]


def to_gemini_schema(
    schema: type[Any] | Mapping[str, Any], *, property_ordering: bool = False
) -> dict[str, Any]:
    """Convert a JSON Schema (or a model class) into Gemini's ``responseSchema`` dialect.

    Accepts anything :func:`json_schema_of` accepts. The rules:

    * ``type`` is uppercased (``object`` -> ``OBJECT`` ...). A node without ``type`` is an
      ``OBJECT`` when it has ``properties``, an ``ARRAY`` when it has ``items``.
    * ``$ref`` into ``$defs`` / ``definitions`` (any local JSON pointer) is inlined; keys next to
      the ``$ref`` (a field's ``description``) override the definition's.
    * ``anyOf`` / ``oneOf`` of ``[X, {"type": "null"}]`` and ``type: [X, "null"]`` become ``X``
      with ``nullable: true``. ``allOf`` with one entry becomes that entry; several object
      entries are merged (properties and ``required``).
    * ``enum`` and ``const`` become ``{"type": "STRING", "format": "enum", "enum": [...]}``,
      whatever the declared type, because Gemini only has string enums. Non-string values are
      written as JSON text (``1`` -> ``"1"``, ``True`` -> ``"true"``), so the model answers with
      strings; :func:`coerce_enum_strings` (used by ``parse_structured``) maps them back. A
      ``None`` in an enum becomes ``nullable: true``. A union of string enums is merged.
    * ``properties`` are converted recursively; ``required`` keeps only names present in
      ``properties``; ``items`` is converted; ``description`` is kept. ``propertyOrdering`` (the
      declaration order, which Gemini uses to order its answer) is added only with
      ``property_ordering=True``: the memories.ai docs never show the key, so it is not sent by
      default. A ``propertyOrdering`` already in the input is kept.
    * ``format`` is kept only when Gemini accepts it for the type (``date-time`` / ``enum`` for
      ``STRING``, ``int32`` / ``int64`` for ``INTEGER``, ``float`` / ``double`` for ``NUMBER``).
    * ``minimum`` / ``maximum``, ``minItems`` / ``maxItems``, ``minLength`` / ``maxLength`` and
      ``pattern`` are kept. ``exclusiveMinimum`` / ``exclusiveMaximum`` become ``minimum`` /
      ``maximum`` (``n + 1`` / ``n - 1`` for integers; the bound itself for numbers, slightly
      looser).
    * Every other key is dropped (``title``, ``default``, ``additionalProperties``, ``$schema``,
      ``$id``, ``examples``, ``discriminator``, ``readOnly``, ``uniqueItems`` ...): Gemini
      refuses unknown keys with ``Unknown name "..."``.

    Refused with :class:`MemoriesInputError` naming the field (``person.addresses[].zip``):
    recursive references; objects without ``properties`` (free-form dicts such as
    ``dict[str, int]``, or empty models); unions of several non-null types; tuples
    (``prefixItems``); arrays without ``items``; a node with no type at all (``Any``); a
    ``null``-only type.

    Args:
        schema: a JSON Schema dict, a Pydantic model class, a TypedDict class or an OpenAI
            function dict.
        property_ordering: also emit ``propertyOrdering`` for every object.

    Returns:
        A new ``responseSchema`` dict.

    Raises:
        MemoriesInputError: when the schema cannot be expressed in Gemini's dialect.

    Example:
        >>> to_gemini_schema({"type": "object", "title": "T",
        ...                   "properties": {"n": {"type": ["integer", "null"], "default": 1},
        ...                                  "c": {"enum": [1, 2]}},
        ...                   "required": ["c", "missing"]})
        {'type': 'OBJECT', 'properties': {'n': {'type': 'INTEGER', 'nullable': True}, \
'c': {'type': 'STRING', 'format': 'enum', 'enum': ['1', '2']}}, 'required': ['c']}
    """
    root = json_schema_of(schema)
    return _GeminiConverter(root, property_ordering=property_ordering).convert(root, "", ("#",))


def _where(path: str) -> str:
    return f"field '{path}'" if path else "the top-level schema"


def _type_label(node: Any) -> str:
    if not isinstance(node, Mapping):
        return "any"
    if "$ref" in node and isinstance(node["$ref"], str):
        return ref_name(node["$ref"])
    if "enum" in node or "const" in node:
        return "enum"
    t = node.get("type")
    if isinstance(t, list):
        return " | ".join(str(x) for x in t)
    if isinstance(t, str):
        return t.lower()
    if "properties" in node:
        return "object"
    return "any"


class _GeminiConverter:
    def __init__(self, root: Mapping[str, Any], *, property_ordering: bool = False) -> None:
        self.root = root
        self.nodes = 0
        self.property_ordering = property_ordering

    # -- helpers ------------------------------------------------------------------------------

    def fail(self, path: str, message: str) -> MemoriesInputError:
        return MemoriesInputError(f"{_where(path)} {message}")

    def deref(
        self, node: Mapping[str, Any], path: str, refs: tuple[str, ...]
    ) -> tuple[Mapping[str, Any], tuple[str, ...]]:
        """Follow ``$ref`` until the node has none; siblings override the target's keys."""
        while "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str):
                raise self.fail(path, f"has a non-string $ref {ref!r}")
            if ref in refs:
                raise self.fail(
                    path,
                    f"refers back to '{ref_name(ref)}' recursively; Gemini's responseSchema "
                    "cannot express recursive schemas; flatten the model or cap its depth "
                    "(e.g. a fixed number of nested levels, each its own model)",
                )
            target = resolve_pointer(self.root, ref)
            if target is MISSING:
                raise self.fail(
                    path, f"has $ref {ref!r}, which does not resolve to a local definition"
                )
            if target is True:
                target = {}
            if not isinstance(target, Mapping):
                raise self.fail(path, f"has $ref {ref!r}, which does not point to a schema")
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**target, **siblings}
            refs = (*refs, ref)
        return node, refs

    def is_null(self, node: Any, path: str, refs: tuple[str, ...]) -> bool:
        if not isinstance(node, Mapping):
            return False
        node, _ = self.deref(node, path, refs)
        t = node.get("type")
        if t == "null" or t == ["null"] or (isinstance(t, str) and t.upper() == "NULL"):
            return True
        if "const" in node and node["const"] is None:
            return True
        return bool(node.get("enum") == [None])

    # -- conversion ---------------------------------------------------------------------------

    def convert(self, node: Any, path: str, refs: tuple[str, ...]) -> dict[str, Any]:
        self.nodes += 1
        if self.nodes > _MAX_NODES:
            raise MemoriesInputError(
                f"the schema has more than {_MAX_NODES} nodes once $ref definitions are inlined; "
                "Gemini's responseSchema needs a smaller schema"
            )
        if node is True or (isinstance(node, Mapping) and not node):
            raise self.any_error(path)
        if not isinstance(node, Mapping):
            raise self.fail(path, f"is not a schema object: {node!r:.80}")
        node, refs = self.deref(node, path, refs)

        if "allOf" in node:
            return self.convert_all_of(node, path, refs)
        for key in ("anyOf", "oneOf"):
            if key in node:
                return self.convert_union(node, key, path, refs)
        return self.convert_plain(node, path, refs)

    def any_error(self, path: str) -> MemoriesInputError:
        return self.fail(
            path,
            "has no type (Any); Gemini's responseSchema needs a concrete type for every field; "
            "annotate it (str, int, a model, ...)",
        )

    def convert_all_of(
        self, node: Mapping[str, Any], path: str, refs: tuple[str, ...]
    ) -> dict[str, Any]:
        entries = node["allOf"]
        if not isinstance(entries, list) or not entries:
            raise self.fail(path, "has an allOf that is not a non-empty list")
        siblings = {k: v for k, v in node.items() if k != "allOf"}
        if len(entries) == 1:
            entry = entries[0]
            if entry is True:
                entry = {}
            if not isinstance(entry, Mapping):
                raise self.fail(path, f"has an allOf entry that is not a schema: {entry!r:.80}")
            return self.convert({**entry, **siblings}, path, refs)
        parts = list(entries)
        if "properties" in siblings:
            parts.append({k: v for k, v in siblings.items() if k in ("properties", "required")})
        converted: list[dict[str, Any]] = []
        for part in parts:
            resolved, part_refs = (
                self.deref(part, path, refs) if isinstance(part, Mapping) else ({}, refs)
            )
            t = resolved.get("type")
            if not (t in ("object", "OBJECT") or (t is None and "properties" in resolved)):
                raise self.fail(
                    path,
                    "combines several schemas with allOf and not all of them are objects "
                    f"({', '.join(_type_label(p) for p in parts)}); Gemini's responseSchema has "
                    "no allOf; use a single type",
                )
            converted.append(self.convert(resolved, path, part_refs))
        merged: dict[str, Any] = {"type": "OBJECT", "properties": {}, "required": []}
        for part in converted:
            merged["properties"].update(part.get("properties", {}))
            for name in part.get("required", []):
                if name not in merged["required"]:
                    merged["required"].append(name)
        if self.property_ordering:
            merged["propertyOrdering"] = list(merged["properties"])
        description = siblings.get("description")
        if isinstance(description, str):
            merged["description"] = description
        if node.get("nullable") is True:
            merged["nullable"] = True
        if not merged["required"]:
            del merged["required"]
        return _ordered(merged)

    def convert_union(
        self, node: Mapping[str, Any], key: str, path: str, refs: tuple[str, ...]
    ) -> dict[str, Any]:
        branches = node[key]
        if not isinstance(branches, list) or not branches:
            raise self.fail(path, f"has a {key} that is not a non-empty list")
        siblings = {k: v for k, v in node.items() if k not in (key, "discriminator")}
        nullable = node.get("nullable") is True
        non_null: list[Any] = []
        for branch in branches:
            if self.is_null(branch, path, refs):
                nullable = True
            else:
                non_null.append(True if branch is True else branch)
        if not non_null:
            raise self.fail(path, "only allows null; Gemini's responseSchema has no null type")
        if len(non_null) == 1:
            only = non_null[0] if isinstance(non_null[0], Mapping) else {}
            out = self.convert({**only, **siblings}, path, refs)
        else:
            out = self.merge_union(non_null, siblings, path, refs)
        if nullable:
            out["nullable"] = True
        return _ordered(out)

    def merge_union(
        self,
        branches: list[Any],
        siblings: Mapping[str, Any],
        path: str,
        refs: tuple[str, ...],
    ) -> dict[str, Any]:
        converted = [self.convert(b, path, refs) for b in branches]
        description = siblings.get("description")

        def strip(d: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in d.items() if k not in ("description", "nullable")}

        shapes = [strip(c) for c in converted]
        out: dict[str, Any] | None = None
        if all(s == shapes[0] for s in shapes):
            out = dict(shapes[0])
        elif all(set(s) == {"type", "format", "enum"} for s in shapes):
            values: list[str] = []
            for s in shapes:
                values.extend(v for v in s["enum"] if v not in values)
            out = {"type": "STRING", "format": "enum", "enum": values}
        if out is None:
            labels = [_type_label(b) for b in branches]
            kinds = ", ".join(labels)
            scalar = all(c["type"] not in ("OBJECT", "ARRAY") for c in converted)
            hint = (
                "Gemini's newer API versions accept anyOf for scalar unions, but the memories.ai "
                "documentation does not show anyOf in responseSchema, so it is not sent; "
                "use a single type (e.g. float or str, and convert the value yourself)"
                if scalar
                else "Gemini's responseSchema (as documented by memories.ai) has no anyOf; "
                "use one model whose fields are optional, or a single type"
            )
            raise self.fail(path, f"is a union of several types ({kinds}); {hint}")
        if isinstance(description, str):
            out["description"] = description
        elif len({c.get("description") for c in converted}) == 1 and converted[0].get(
            "description"
        ):
            out["description"] = converted[0]["description"]
        if any(c.get("nullable") for c in converted):
            out["nullable"] = True
        return out

    def convert_plain(
        self, node: Mapping[str, Any], path: str, refs: tuple[str, ...]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        nullable = node.get("nullable") is True
        raw_type = node.get("type")
        type_name: str | None
        if isinstance(raw_type, list):
            names = [t for t in raw_type if not (isinstance(t, str) and t.lower() == "null")]
            nullable = nullable or len(names) < len(raw_type)
            if not names:
                raise self.fail(path, "only allows null; Gemini's responseSchema has no null type")
            if len(names) > 1:
                scalar = all(
                    isinstance(t, str) and t.lower() not in ("object", "array") for t in names
                )
                hint = (
                    "Gemini's newer API versions accept anyOf for scalar unions, but the "
                    "memories.ai documentation does not show it, so it is not sent; use a single "
                    "type"
                    if scalar
                    else "use a single type"
                )
                raise self.fail(
                    path,
                    f"is a union of several types ({', '.join(map(str, names))}); {hint}",
                )
            raw_type = names[0]
        if raw_type is None:
            type_name = None
        elif isinstance(raw_type, str) and raw_type.lower() in _JSON_TYPES:
            type_name = raw_type.lower()
        else:
            raise self.fail(path, f"has an unknown type {raw_type!r}")

        description = node.get("description")
        if isinstance(description, str):
            out["description"] = description

        if "const" in node or "enum" in node:
            values = [node["const"]] if "const" in node else node["enum"]
            if not isinstance(values, list):
                raise self.fail(path, f"has an enum that is not a list: {values!r:.80}")
            if any(v is None for v in values):
                nullable = True
            strings: list[str] = []
            for value in values:
                if value is not None and enum_string(value) not in strings:
                    strings.append(enum_string(value))
            if not strings:
                raise self.fail(path, "has an empty enum; give at least one allowed value")
            out.update(type="STRING", format="enum", enum=strings)
            if nullable:
                out["nullable"] = True
            return _ordered(out)

        if type_name is None:
            if (
                "properties" in node
                or "additionalProperties" in node
                or "patternProperties" in node
            ):
                type_name = "object"
            elif "items" in node or "prefixItems" in node:
                type_name = "array"
            else:
                raise self.any_error(path)
        if type_name == "null":
            raise self.fail(path, "only allows null; Gemini's responseSchema has no null type")

        gemini_type = type_name.upper()
        out["type"] = gemini_type
        if nullable:
            out["nullable"] = True
        fmt = node.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS_BY_TYPE.get(gemini_type, frozenset()):
            out["format"] = fmt

        if gemini_type == "OBJECT":
            self.convert_object(node, out, path, refs)
        elif gemini_type == "ARRAY":
            self.convert_array(node, out, path, refs)
        elif gemini_type == "STRING":
            for key in ("minLength", "maxLength"):
                if isinstance(node.get(key), int) and not isinstance(node[key], bool):
                    out[key] = node[key]
            if isinstance(node.get("pattern"), str):
                out["pattern"] = node["pattern"]
        elif gemini_type in ("INTEGER", "NUMBER"):
            self.convert_bounds(node, out, gemini_type == "INTEGER")
        return _ordered(out)

    def convert_object(
        self, node: Mapping[str, Any], out: dict[str, Any], path: str, refs: tuple[str, ...]
    ) -> None:
        props = node.get("properties")
        if props is not None and not isinstance(props, Mapping):
            raise self.fail(path, "has 'properties' that is not an object")
        if not props:
            extra = node.get("additionalProperties")
            declared_empty = extra is False or (props is not None and extra in (None, {}))
            if declared_empty and "patternProperties" not in node:
                raise self.fail(
                    path,
                    "is an object with no properties; Gemini's responseSchema needs at least one "
                    "property per object; add a field or remove this one",
                )
            raise self.fail(
                path,
                "is a free-form dict (an object with no fixed properties, e.g. dict[str, int]); "
                "free-form dicts are not supported by responseSchema; use a list of key/value "
                "objects (e.g. list[Entry] with fields key and value)",
            )
        out["properties"] = {
            name: self.convert(sub, join_path(path, str(name)), refs) for name, sub in props.items()
        }
        declared = node.get("propertyOrdering")
        if self.property_ordering or isinstance(declared, list):
            ordering = [n for n in declared if n in props] if isinstance(declared, list) else []
            out["propertyOrdering"] = ordering + [n for n in props if n not in ordering]
        required = node.get("required")
        if isinstance(required, list):
            names: list[str] = []
            for name in required:
                if name in props and name not in names:
                    names.append(name)
            if names:
                out["required"] = names

    def convert_array(
        self, node: Mapping[str, Any], out: dict[str, Any], path: str, refs: tuple[str, ...]
    ) -> None:
        items = node.get("items")
        if "prefixItems" in node or isinstance(items, list):
            raise self.fail(
                path,
                "is a tuple (fixed positions with their own types); Gemini's responseSchema "
                "cannot express tuples; use a list of one type or an object with named fields",
            )
        if items is None:
            raise self.fail(
                path,
                "is an array without 'items'; Gemini's responseSchema needs the item type "
                "(e.g. list[str] rather than list)",
            )
        out["items"] = self.convert(items, f"{path}[]", refs)
        for key in ("minItems", "maxItems"):
            if isinstance(node.get(key), int) and not isinstance(node[key], bool):
                out[key] = node[key]

    @staticmethod
    def convert_bounds(node: Mapping[str, Any], out: dict[str, Any], integer: bool) -> None:
        for inclusive, exclusive, pick, step in (
            ("minimum", "exclusiveMinimum", max, 1),
            ("maximum", "exclusiveMaximum", min, -1),
        ):
            bounds: list[float] = []
            value = node.get(inclusive)
            excl = node.get(exclusive)
            if excl is True and is_number(value):  # draft-4 boolean form
                excl, value = value, None
            if is_number(value):
                bounds.append(value)
            if is_number(excl):
                if integer:
                    edge = math.floor(excl) + 1 if step > 0 else math.ceil(excl) - 1
                    bounds.append(edge)
                else:
                    bounds.append(excl)
            if bounds:
                out[inclusive] = pick(bounds)


def _ordered(node: dict[str, Any]) -> dict[str, Any]:
    return {k: node[k] for k in _KEY_ORDER if k in node}
