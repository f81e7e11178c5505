"""JSON Schema helpers: build a schema, convert it to Gemini's ``responseSchema``, validate.

Gemini's structured output takes a ``responseSchema`` written in an OpenAPI 3.0 subset: uppercase
types, no ``$ref``, no ``anyOf`` with ``null`` (``nullable: true`` instead), string-only enums
and an allow-list of keys (anything else is refused with ``Unknown name "..."``). Real schemas
from Pydantic models and TypedDicts break every one of those rules, which is the most reported
structured-output failure with Gemini. :func:`to_gemini_schema` rewrites a schema into the
dialect and refuses, before any network call and naming the field, what the dialect cannot
express (recursive models, free-form dicts, unions of several types, ``Any``).

This module is framework-free: it imports neither LangChain nor LlamaIndex.

Example:
    >>> from pydantic import BaseModel, Field
    >>> class Joke(BaseModel):
    ...     setup: str = Field(description="The setup")
    ...     punchline: str | None = None
    >>> gemini = to_gemini_schema(Joke)
    >>> gemini["properties"]["punchline"]
    {'type': 'STRING', 'nullable': True}
    >>> gemini["required"]
    ['setup']
    >>> validate_instance({"setup": 1}, json_schema_of(Joke))
    ['setup: expected string, got integer']
"""

from __future__ import annotations

import copy
import json
import math
import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import unquote

import pydantic
import typing_extensions

from memories_client.errors import MemoriesInputError

__all__ = [
    "GEMINI_FORMATS",
    "GEMINI_TYPES",
    "apply_typeddict_defaults",
    "coerce_enum_strings",
    "json_schema_of",
    "to_gemini_schema",
    "validate_instance",
]

GEMINI_TYPES: Final = frozenset({"OBJECT", "ARRAY", "STRING", "INTEGER", "NUMBER", "BOOLEAN"})
"""The ``type`` values :func:`to_gemini_schema` emits."""

GEMINI_FORMATS: Final = frozenset({"date-time", "enum", "int32", "int64", "float", "double"})
"""The ``format`` values Gemini accepts; every other format is dropped."""

_FORMATS_BY_TYPE: Final[dict[str, frozenset[str]]] = {
    "STRING": frozenset({"date-time", "enum"}),
    "INTEGER": frozenset({"int32", "int64"}),
    "NUMBER": frozenset({"float", "double"}),
}

_JSON_TYPES: Final = frozenset(
    {"object", "array", "string", "integer", "number", "boolean", "null"}
)

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

_ACCEPTED = (
    "a Pydantic v2 model class, a TypedDict class, or a JSON Schema dict (an OpenAI-style "
    "function dict {'name', 'description', 'parameters'} or {'type': 'function', 'function': "
    "{...}} is accepted too)"
)


# ---------------------------------------------------------------------------------------------
# json_schema_of
# ---------------------------------------------------------------------------------------------


def json_schema_of(schema: type[Any] | Mapping[str, Any]) -> dict[str, Any]:
    """Return a JSON Schema dict for a Pydantic model, a TypedDict or a schema dict.

    * A Pydantic v2 model class gives ``model_json_schema()``.
    * A TypedDict class gives ``pydantic.TypeAdapter(td).json_schema()``, with LangChain's
      ``Annotated[type, default, "description"]`` convention applied: the string becomes the
      field's ``description`` and a field with a default other than ``...`` is not required. A
      lone string (``Annotated[str, "description"]``) is taken as the description.
    * A dict is returned as a deep copy. An OpenAI function dict (``{"name", "description",
      "parameters"}``, optionally wrapped as ``{"type": "function", "function": {...}}``) or an
      Anthropic tool dict (``input_schema`` instead of ``parameters``) gives its parameters
      schema with ``title`` set to the name and the function's ``description``.

    Args:
        schema: the model class, TypedDict class or schema dict.

    Returns:
        A new JSON Schema dict the caller may modify.

    Raises:
        MemoriesInputError: for anything else, or when Pydantic cannot build a schema.

    Example:
        >>> json_schema_of({"name": "get_weather", "description": "Weather for a city",
        ...                 "parameters": {"type": "object",
        ...                                "properties": {"city": {"type": "string"}}}})
        {'type': 'object', 'properties': {'city': {'type': 'string'}}, 'title': 'get_weather', \
'description': 'Weather for a city'}
    """
    if isinstance(schema, type) and _is_model_class(schema):
        try:
            return schema.model_json_schema()
        except pydantic.PydanticUserError as exc:  # e.g. a field type with no JSON Schema
            raise MemoriesInputError(
                f"cannot build a JSON Schema for {schema.__name__}: {exc}"
            ) from exc
    if isinstance(schema, type) and typing_extensions.is_typeddict(schema):
        return _typeddict_schema(schema)
    if isinstance(schema, Mapping):
        return _unwrap_function_dict(copy.deepcopy(dict(schema)))
    raise MemoriesInputError(f"schema must be {_ACCEPTED}; got {_describe(schema)}")


def _is_model_class(obj: type[Any]) -> typing_extensions.TypeIs[type[pydantic.BaseModel]]:
    try:
        return issubclass(obj, pydantic.BaseModel)
    except TypeError:  # parametrised generics such as list[int] on Python 3.10
        return False


def _describe(obj: Any) -> str:
    if isinstance(obj, type):
        return f"the class {obj.__qualname__}"
    if isinstance(obj, pydantic.BaseModel):
        return f"an instance of {type(obj).__qualname__} (pass the class, not an instance)"
    return f"a value of type {type(obj).__name__} ({obj!r:.80})"


def _unwrap_function_dict(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("type") == "function" and isinstance(data.get("function"), Mapping):
        data = dict(data["function"])
    params = data.get("parameters", data.get("input_schema"))
    if (
        isinstance(data.get("name"), str)
        and isinstance(params, Mapping)
        and "properties" not in data
    ):
        result = dict(params)
        result["title"] = data["name"]
        if isinstance(data.get("description"), str):
            result["description"] = data["description"]
        return result
    return data


_MISSING: Final[Any] = object()
_PLAIN_DEFAULTS = (type(None), bool, int, float, str, list, dict, tuple)


def _unwrap_required(hint: Any) -> Any:
    wrappers = {typing_extensions.Required, typing_extensions.NotRequired}
    wrappers.update(
        w for w in (getattr(typing, "Required", None), getattr(typing, "NotRequired", None)) if w
    )
    while typing_extensions.get_origin(hint) in wrappers:
        hint = typing_extensions.get_args(hint)[0]
    return hint


def _annotated_parts(hint: Any) -> tuple[Any, Any, str | None]:
    """Split ``Annotated[T, default, "description"]`` into (T, default or _MISSING, description)."""
    hint = _unwrap_required(hint)
    if typing_extensions.get_origin(hint) is not typing_extensions.Annotated:
        return hint, _MISSING, None
    inner, *meta = typing_extensions.get_args(hint)
    inner = _unwrap_required(inner)
    if len(meta) >= 2 and isinstance(meta[1], str):
        default = meta[0] if isinstance(meta[0], _PLAIN_DEFAULTS) else _MISSING
        return inner, default, meta[1]
    if len(meta) == 1 and isinstance(meta[0], str):
        return inner, _MISSING, meta[0]
    return inner, _MISSING, None


def _typeddicts_in(hint: Any) -> list[type[Any]]:
    """TypedDict classes reachable from a type hint (through lists, unions, Annotated, ...)."""
    found: list[type[Any]] = []
    stack = [hint]
    while stack:
        current = _annotated_parts(stack.pop())[0]
        if isinstance(current, type) and typing_extensions.is_typeddict(current):
            found.append(current)
        else:
            stack.extend(a for a in typing_extensions.get_args(current) if a is not Ellipsis)
    return found


def _typeddict_hints(td: type[Any]) -> dict[str, Any]:
    try:
        return typing_extensions.get_type_hints(td, include_extras=True)
    except Exception:  # noqa: S110 - a string annotation naming something not in the module
        pass
    # A class defined where its module does not import the typing names it uses (a doctest, a
    # function body): retry with them available. Anything still unresolvable is skipped.
    fallback = {**vars(typing), **vars(typing_extensions)}
    try:
        return typing_extensions.get_type_hints(td, localns=fallback, include_extras=True)
    except Exception:
        return {}


def _typeddict_schema(td: type[Any]) -> dict[str, Any]:
    try:
        schema: dict[str, Any] = pydantic.TypeAdapter(td).json_schema()
    except pydantic.PydanticUserError as exc:
        raise MemoriesInputError(f"cannot build a JSON Schema for {td.__name__}: {exc}") from exc
    defs = schema.get("$defs", {})
    seen: set[type[Any]] = set()

    def visit(cls: type[Any], node: dict[str, Any]) -> None:
        if cls in seen:
            return
        seen.add(cls)
        props = node.get("properties")
        if not isinstance(props, dict):
            return
        required = node.get("required")
        for name, hint in _typeddict_hints(cls).items():
            prop = props.get(name)
            if not isinstance(prop, dict):
                continue
            _, default, description = _annotated_parts(hint)
            if description and "description" not in prop:
                prop["description"] = description
            if default is not _MISSING and isinstance(required, list) and name in required:
                required.remove(name)
            for inner in _typeddicts_in(hint):
                target = defs.get(inner.__name__)
                if isinstance(target, dict):
                    visit(inner, target)
        if isinstance(required, list) and not required:
            del node["required"]

    visit(td, schema)
    return schema


def apply_typeddict_defaults(instance: Any, td: type[Any]) -> Any:
    """Fill in the defaults a TypedDict declares with LangChain's ``Annotated`` convention.

    A field written ``Annotated[str | None, None, "The punchline"]`` is optional in the schema
    :func:`json_schema_of` builds, so the model may leave it out; Pydantic would then reject the
    dict because a TypedDict is ``total``. This adds the missing keys (nested TypedDicts too),
    without modifying ``instance``.

    Args:
        instance: a parsed JSON value.
        td: the TypedDict class it should match.

    Returns:
        A copy of ``instance`` with defaults added (``instance`` itself when nothing applies).

    Example:
        >>> from typing import Annotated
        >>> from typing_extensions import TypedDict
        >>> class Joke(TypedDict):
        ...     setup: Annotated[str, ..., "The setup"]
        ...     punchline: Annotated[str | None, None, "The punchline"]
        >>> apply_typeddict_defaults({"setup": "Why?"}, Joke)
        {'setup': 'Why?', 'punchline': None}
    """
    return _fill_defaults(instance, td, 0)


def _fill_defaults(value: Any, hint: Any, depth: int) -> Any:
    if depth > 64:
        return value
    hint = _annotated_parts(hint)[0]
    if isinstance(hint, type) and typing_extensions.is_typeddict(hint):
        if not isinstance(value, dict):
            return value
        result = dict(value)
        for name, field_hint in _typeddict_hints(hint).items():
            _, default, _ = _annotated_parts(field_hint)
            if name not in result:
                if default is not _MISSING:
                    result[name] = copy.deepcopy(default)
            else:
                result[name] = _fill_defaults(result[name], field_hint, depth + 1)
        return result
    args = [
        a for a in typing_extensions.get_args(hint) if a is not Ellipsis and a is not type(None)
    ]
    origin = typing_extensions.get_origin(hint)
    if isinstance(value, list) and origin in (list, tuple, set, frozenset, Sequence) and args:
        return [_fill_defaults(v, args[0], depth + 1) for v in value]
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _fill_defaults(value, args[0], depth + 1)
    return value


# ---------------------------------------------------------------------------------------------
# $ref resolution (shared by the converter, the validator and the enum coercion)
# ---------------------------------------------------------------------------------------------


def _resolve_pointer(root: Any, ref: str) -> Any:
    """Resolve a local ``#/...`` reference; return ``_MISSING`` when it does not resolve."""
    if not ref.startswith("#"):
        return _MISSING
    node = root
    pointer = unquote(ref[1:])
    if not pointer:
        return node
    if not pointer.startswith("/"):
        return _MISSING
    for raw in pointer[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _ref_name(ref: str) -> str:
    if ref in ("#", "#/"):
        return "the top-level schema"
    return unquote(ref.rsplit("/", 1)[-1]).replace("~1", "/").replace("~0", "~")


# ---------------------------------------------------------------------------------------------
# to_gemini_schema
# ---------------------------------------------------------------------------------------------


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


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _type_label(node: Any) -> str:
    if not isinstance(node, Mapping):
        return "any"
    if "$ref" in node and isinstance(node["$ref"], str):
        return _ref_name(node["$ref"])
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


def _is_number(value: Any) -> typing_extensions.TypeIs[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _enum_string(value: Any) -> str:
    """How a non-string enum value is written in a Gemini string enum (JSON text)."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


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
                    f"refers back to '{_ref_name(ref)}' recursively; Gemini's responseSchema "
                    "cannot express recursive schemas; flatten the model or cap its depth "
                    "(e.g. a fixed number of nested levels, each its own model)",
                )
            target = _resolve_pointer(self.root, ref)
            if target is _MISSING:
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
                if value is not None and _enum_string(value) not in strings:
                    strings.append(_enum_string(value))
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
            name: self.convert(sub, _join(path, str(name)), refs) for name, sub in props.items()
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
            if excl is True and _is_number(value):  # draft-4 boolean form
                excl, value = value, None
            if _is_number(value):
                bounds.append(value)
            if _is_number(excl):
                if integer:
                    edge = math.floor(excl) + 1 if step > 0 else math.ceil(excl) - 1
                    bounds.append(edge)
                else:
                    bounds.append(excl)
            if bounds:
                out[inclusive] = pick(bounds)


def _ordered(node: dict[str, Any]) -> dict[str, Any]:
    return {k: node[k] for k in _KEY_ORDER if k in node}


# ---------------------------------------------------------------------------------------------
# validate_instance
# ---------------------------------------------------------------------------------------------


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
        return _is_number(value)
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


def _json_equal(a: Any, b: Any) -> bool:
    """JSON equality: ``1 == 1.0`` but ``1 != True`` and ``0 != False``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


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
                target = _resolve_pointer(self.root, ref)
                if target is _MISSING:
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
        if isinstance(enum, list) and not any(_json_equal(value, e) for e in enum):
            self.error(path, f"expected one of {node['enum']!r}, got {value!r:.80}")
        if "const" in node and not _json_equal(value, node["const"]):
            self.error(path, f"expected {node['const']!r}, got {value!r:.80}")

        self.check_combinators(value, node, path, active)

        if isinstance(value, Mapping):
            self.check_object(value, node, path, active)
        elif isinstance(value, (list, tuple)):
            self.check_array(value, node, path, active)
        elif isinstance(value, str):
            self.check_string(value, node, path)
        elif _is_number(value):
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
                    self.error(_join(path, str(name)), "required field is missing")
        extra = node.get("additionalProperties", True)
        for name, item in value.items():
            child = _join(path, str(name))
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
        if _is_number(low) and len(value) < low:
            self.error(path, f"expected at least {low} items, got {len(value)}")
        if _is_number(high) and len(value) > high:
            self.error(path, f"expected at most {high} items, got {len(value)}")

    def check_string(self, value: str, node: Mapping[str, Any], path: str) -> None:
        low, high = node.get("minLength"), node.get("maxLength")
        if _is_number(low) and len(value) < low:
            self.error(path, f"expected at least {low} characters, got {len(value)}")
        if _is_number(high) and len(value) > high:
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
        if _is_number(low) and value < low:
            self.error(path, f"expected a value >= {low}, got {value}")
        if _is_number(xlow) and value <= xlow:
            self.error(path, f"expected a value > {xlow}, got {value}")
        if _is_number(high) and value > high:
            self.error(path, f"expected a value <= {high}, got {value}")
        if _is_number(xhigh) and value >= xhigh:
            self.error(path, f"expected a value < {xhigh}, got {value}")


# ---------------------------------------------------------------------------------------------
# coerce_enum_strings
# ---------------------------------------------------------------------------------------------


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
            target = _resolve_pointer(self.root, ref)
            value = self.coerce(value, target, active | {(ref, id(value))})
        if isinstance(value, str):
            allowed = [node["const"]] if "const" in node else node.get("enum")
            if isinstance(allowed, list) and not any(_json_equal(value, v) for v in allowed):
                for candidate in allowed:
                    if not isinstance(candidate, str) and _enum_string(candidate) == value:
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
