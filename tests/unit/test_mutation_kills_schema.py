"""The Gemini schema converter's cases the mutation run (`make mutate`) found untested.

Whole converted schemas for each rule of :func:`to_gemini_schema` (``allOf`` merging, unions
with null in each spelling, enum merging, bounds, formats, ordering), and the full message of
each refusal, naming the field and the fix. A wrong conversion makes the service refuse every
structured call, or accept one whose answer no longer fits the user's model.
"""

from __future__ import annotations

from typing import Any

import pytest

from memories_client import MemoriesInputError
from memories_client.schema import to_gemini_schema

STR = {"type": "string"}
INT = {"type": "integer"}


def refusal(schema: Any, **kw: Any) -> str:
    with pytest.raises(MemoriesInputError) as info:
        to_gemini_schema(schema, **kw)
    return str(info.value)


# -- plain nodes --------------------------------------------------------------------------------


PLAIN_NODES_CASES: list[tuple[Any, Any]] = [
    (
        {"type": "STRING", "minLength": 1, "maxLength": 9, "pattern": "^a", "format": "enum"},
        {"type": "STRING", "format": "enum", "minLength": 1, "maxLength": 9, "pattern": "^a"},
    ),
    (
        {
            "type": "string",
            "minLength": True,
            "maxLength": 2.5,
            "pattern": 5,
            "format": "email",
        },
        {"type": "STRING"},
    ),
    ({"type": "string", "format": "date-time"}, {"type": "STRING", "format": "date-time"}),
    ({"type": "string", "format": "int32"}, {"type": "STRING"}),
    ({"type": "integer", "format": "int64"}, {"type": "INTEGER", "format": "int64"}),
    ({"type": "integer", "format": "int32"}, {"type": "INTEGER", "format": "int32"}),
    ({"type": "integer", "format": "float"}, {"type": "INTEGER"}),
    ({"type": "number", "format": "double"}, {"type": "NUMBER", "format": "double"}),
    ({"type": "number", "format": "float"}, {"type": "NUMBER", "format": "float"}),
    ({"type": "boolean", "format": "enum"}, {"type": "BOOLEAN"}),
    ({"type": "Boolean", "description": "flag"}, {"type": "BOOLEAN", "description": "flag"}),
    ({"type": "boolean", "description": 5}, {"type": "BOOLEAN"}),
    ({"type": "string", "nullable": True}, {"type": "STRING", "nullable": True}),
    ({"type": "string", "nullable": "yes"}, {"type": "STRING"}),
    ({"type": ["null", "NUMBER"]}, {"type": "NUMBER", "nullable": True}),
    ({"type": ["Null", "string"]}, {"type": "STRING", "nullable": True}),
    ({"type": ["integer"]}, {"type": "INTEGER"}),
    ({"items": STR}, {"type": "ARRAY", "items": {"type": "STRING"}}),
    (
        {"type": "array", "items": INT, "minItems": 1, "maxItems": 3},
        {"type": "ARRAY", "items": {"type": "INTEGER"}, "minItems": 1, "maxItems": 3},
    ),
    (
        {"type": "array", "items": INT, "minItems": False, "maxItems": "3"},
        {"type": "ARRAY", "items": {"type": "INTEGER"}},
    ),
]


def test_plain_nodes(subtests: pytest.Subtests) -> None:
    for schema, expected in PLAIN_NODES_CASES:
        with subtests.test(schema=schema):
            assert to_gemini_schema(schema) == expected


def test_the_keys_come_in_a_fixed_order() -> None:
    schema = {
        "pattern": "x",
        "maxLength": 2,
        "minLength": 1,
        "nullable": True,
        "description": "d",
        "format": "date-time",
        "type": "string",
    }
    assert list(to_gemini_schema(schema)) == [
        "type",
        "format",
        "description",
        "nullable",
        "minLength",
        "maxLength",
        "pattern",
    ]


BOUNDS_CASES: list[tuple[Any, Any]] = [
    ({"type": "integer", "minimum": 1, "maximum": 9}, {"minimum": 1, "maximum": 9}),
    (
        {"type": "integer", "exclusiveMinimum": 1, "exclusiveMaximum": 9},
        {"minimum": 2, "maximum": 8},
    ),
    (
        {"type": "integer", "exclusiveMinimum": 1.5, "exclusiveMaximum": 8.5},
        {"minimum": 2, "maximum": 8},
    ),
    (
        {"type": "number", "exclusiveMinimum": 1.5, "exclusiveMaximum": 8.5},
        {"minimum": 1.5, "maximum": 8.5},
    ),
    # the tighter of both bounds wins
    ({"type": "integer", "minimum": 5, "exclusiveMinimum": 1}, {"minimum": 5}),
    ({"type": "integer", "minimum": 0, "exclusiveMinimum": 3}, {"minimum": 4}),
    ({"type": "integer", "maximum": 5, "exclusiveMaximum": 9}, {"maximum": 5}),
    ({"type": "integer", "maximum": 9, "exclusiveMaximum": 3}, {"maximum": 2}),
    # draft 4: a boolean exclusiveMinimum makes minimum exclusive
    ({"type": "integer", "minimum": 1, "exclusiveMinimum": True}, {"minimum": 2}),
    ({"type": "number", "maximum": 2.5, "exclusiveMaximum": True}, {"maximum": 2.5}),
    ({"type": "integer", "minimum": 1, "exclusiveMinimum": False}, {"minimum": 1}),
    ({"type": "number", "minimum": True, "maximum": "9"}, {}),
]


def test_bounds(subtests: pytest.Subtests) -> None:
    for schema, expected in BOUNDS_CASES:
        with subtests.test(schema=schema):
            out = to_gemini_schema(schema)
            assert {k: v for k, v in out.items() if k != "type"} == expected


ENUMS_BECOME_STRINGS_CASES: list[tuple[Any, Any]] = [
    ({"enum": ["a", "b", "a"]}, ["a", "b"]),
    ({"enum": [1, True, 1.5, {"k": 1}]}, ["1", "true", "1.5", '{"k": 1}']),
    ({"const": 3}, ["3"]),
    ({"type": "integer", "enum": [1, 2]}, ["1", "2"]),
]


def test_enums_become_strings(subtests: pytest.Subtests) -> None:
    for schema, expected in ENUMS_BECOME_STRINGS_CASES:
        with subtests.test(schema=schema):
            assert to_gemini_schema(schema) == {
                "type": "STRING",
                "format": "enum",
                "enum": expected,
            }


def test_null_in_an_enum_or_a_const_makes_it_nullable() -> None:
    assert to_gemini_schema({"enum": ["a", None], "description": "d"}) == {
        "type": "STRING",
        "format": "enum",
        "description": "d",
        "nullable": True,
        "enum": ["a"],
    }
    assert to_gemini_schema({"type": ["string", "null"], "enum": ["a"]}) == {
        "type": "STRING",
        "format": "enum",
        "nullable": True,
        "enum": ["a"],
    }
    assert to_gemini_schema({"const": "a", "enum": ["b"]})["enum"] == ["a"]


# -- objects ----------------------------------------------------------------------------------


def test_objects() -> None:
    schema = {
        "type": "object",
        "properties": {"b": STR, "a": {"type": "array", "items": INT}},
        "required": ["a", "a", "missing", "b"],
    }
    assert to_gemini_schema(schema) == {
        "type": "OBJECT",
        "properties": {
            "b": {"type": "STRING"},
            "a": {"type": "ARRAY", "items": {"type": "INTEGER"}},
        },
        "required": ["a", "b"],
    }
    assert to_gemini_schema(schema, property_ordering=True)["propertyOrdering"] == ["b", "a"]
    assert "required" not in to_gemini_schema({**schema, "required": ["missing"]})
    assert "required" not in to_gemini_schema({**schema, "required": "a"})


A_DECLARED_PROPERTY_ORDERING_IS_KEPT_CASES: list[tuple[Any, Any]] = [
    (["a", "gone", "b"], ["a", "b"]),
    (["a"], ["a", "b"]),
    ("a", None),
]


def test_a_declared_property_ordering_is_kept(subtests: pytest.Subtests) -> None:
    for declared, ordering in A_DECLARED_PROPERTY_ORDERING_IS_KEPT_CASES:
        with subtests.test(declared=declared):
            schema = {"properties": {"b": STR, "a": STR}, "propertyOrdering": declared}
            assert to_gemini_schema(schema).get("propertyOrdering") == ordering
            if ordering is None:
                assert to_gemini_schema(schema, property_ordering=True)["propertyOrdering"] == [
                    "b",
                    "a",
                ]


def test_objects_are_recognised_without_a_type() -> None:
    for schema in (
        {"additionalProperties": {"type": "string"}, "properties": {"a": STR}},
        {"patternProperties": {}, "properties": {"a": STR}},
    ):
        assert to_gemini_schema(schema)["type"] == "OBJECT"


# -- references -------------------------------------------------------------------------------


def test_references_are_inlined_and_siblings_win() -> None:
    schema = {
        "$defs": {
            "Name": {"type": "string", "description": "the name"},
            "Alias": {"$ref": "#/$defs/Name"},
            "Anything": True,
        },
        "type": "object",
        "properties": {
            "a": {"$ref": "#/$defs/Alias", "description": "overridden"},
            "b": {"$ref": "#/$defs/Name"},
        },
    }
    assert to_gemini_schema(schema)["properties"] == {
        "a": {"type": "STRING", "description": "overridden"},
        "b": {"type": "STRING", "description": "the name"},
    }
    schema["properties"]["c"] = {"$ref": "#/$defs/Anything"}
    assert refusal(schema) == (
        "field 'c' has no type (Any); Gemini's responseSchema needs a concrete type for every "
        "field; annotate it (str, int, a model, ...)"
    )


def test_the_same_definition_may_be_used_twice_without_being_recursive() -> None:
    schema = {
        "$defs": {"P": {"properties": {"x": INT}}},
        "properties": {"a": {"$ref": "#/$defs/P"}, "b": {"items": {"$ref": "#/$defs/P"}}},
    }
    out = to_gemini_schema(schema)
    assert out["properties"]["a"] == out["properties"]["b"]["items"]


REFERENCE_REFUSALS_CASES: list[tuple[Any, Any]] = [
    ({"$ref": 5}, "the top-level schema has a non-string $ref 5"),
    (
        {"properties": {"a": {"$ref": "#/$defs/X"}}, "$defs": {"X": 5}},
        "field 'a' has $ref '#/$defs/X', which does not point to a schema",
    ),
    (
        {"properties": {"a": {"$ref": "#/$defs/Y"}}},
        "field 'a' has $ref '#/$defs/Y', which does not resolve to a local definition",
    ),
    (
        {"properties": {"a": {"$ref": "#"}}},
        "field 'a' refers back to 'the top-level schema' recursively; Gemini's responseSchema "
        "cannot express recursive schemas; flatten the model or cap its depth (e.g. a fixed "
        "number of nested levels, each its own model)",
    ),
]


def test_reference_refusals(subtests: pytest.Subtests) -> None:
    for schema, message in REFERENCE_REFUSALS_CASES:
        with subtests.test(schema=schema):
            assert refusal(schema) == message


@pytest.mark.slow
def test_a_schema_that_inlines_to_too_many_nodes_is_refused() -> None:
    # An object of n properties is n + 1 nodes: 20,000 pass, 20,001 do not.
    def wide(n: int) -> dict[str, Any]:
        return {"properties": {f"p{i}": STR for i in range(n)}}

    assert len(to_gemini_schema(wide(19_999))["properties"]) == 19_999
    assert refusal(wide(20_000)) == (
        "the schema has more than 20000 nodes once $ref definitions are inlined; Gemini's "
        "responseSchema needs a smaller schema"
    )


# -- allOf ------------------------------------------------------------------------------------


def test_all_of_with_one_entry_is_that_entry_with_the_siblings() -> None:
    assert to_gemini_schema({"allOf": [STR], "description": "d"}) == {
        "type": "STRING",
        "description": "d",
    }
    assert to_gemini_schema({"allOf": [True], "type": "integer"}) == {"type": "INTEGER"}
    assert (
        to_gemini_schema({"allOf": [{"type": "string", "description": "x"}], "description": "y"})[
            "description"
        ]
        == "y"
    )


def test_all_of_objects_are_merged() -> None:
    schema = {
        "$defs": {"Base": {"type": "OBJECT", "properties": {"id": INT}, "required": ["id"]}},
        "allOf": [
            {"$ref": "#/$defs/Base"},
            {"properties": {"name": STR, "id": STR}, "required": ["name", "id"]},
        ],
        "properties": {"extra": {"type": "boolean"}},
        "required": ["extra"],
        "description": "merged",
        "nullable": True,
        "title": "dropped",
    }
    out = to_gemini_schema(schema, property_ordering=True)
    assert out == {
        "type": "OBJECT",
        "description": "merged",
        "nullable": True,
        "properties": {
            "id": {"type": "STRING"},
            "name": {"type": "STRING"},
            "extra": {"type": "BOOLEAN"},
        },
        "propertyOrdering": ["id", "name", "extra"],
        "required": ["id", "name", "extra"],
    }
    assert list(out) == [
        "type",
        "description",
        "nullable",
        "properties",
        "propertyOrdering",
        "required",
    ]


def test_all_of_objects_without_required_or_ordering() -> None:
    schema = {"allOf": [{"properties": {"a": STR}}, {"type": "object", "properties": {"b": INT}}]}
    assert to_gemini_schema(schema) == {
        "type": "OBJECT",
        "properties": {"a": {"type": "STRING"}, "b": {"type": "INTEGER"}},
    }
    # siblings without properties are not merged in as a part
    schema["required"] = ["a"]
    schema["description"] = 5
    assert to_gemini_schema(schema) == {
        "type": "OBJECT",
        "properties": {"a": {"type": "STRING"}, "b": {"type": "INTEGER"}},
    }


ALL_OF_REFUSALS_CASES: list[tuple[Any, Any]] = [
    ({"allOf": []}, "the top-level schema has an allOf that is not a non-empty list"),
    ({"allOf": STR}, "the top-level schema has an allOf that is not a non-empty list"),
    ({"allOf": [5]}, "the top-level schema has an allOf entry that is not a schema: 5"),
    (
        {
            "$defs": {"Cat": {"properties": {"a": STR}}},
            "allOf": [
                {"$ref": "#/$defs/Cat"},
                {"enum": [1]},
                {"type": ["integer", "null"]},
                {"type": "STRING"},
                {"properties": {"b": STR}},
                {"items": STR},
            ],
        },
        "the top-level schema combines several schemas with allOf and not all of them are "
        "objects (Cat, enum, integer | null, string, object, any); Gemini's responseSchema "
        "has no allOf; use a single type",
    ),
    (
        {"allOf": [{"properties": {"a": STR}}, 5, {"const": 1}]},
        "the top-level schema combines several schemas with allOf and not all of them are "
        "objects (object, any, enum); Gemini's responseSchema has no allOf; use a single type",
    ),
]


def test_all_of_refusals(subtests: pytest.Subtests) -> None:
    for schema, message in ALL_OF_REFUSALS_CASES:
        with subtests.test(schema=schema):
            assert refusal(schema) == message


# -- unions -----------------------------------------------------------------------------------


NULLS = [
    {"type": "null"},
    {"type": "NULL"},
    {"type": ["null"]},
    {"const": None},
    {"enum": [None]},
    {"$ref": "#/$defs/Nothing"},
]


def test_every_spelling_of_null_makes_a_union_nullable(subtests: pytest.Subtests) -> None:
    for key in ("anyOf", "oneOf"):
        for null in NULLS:
            with subtests.test(key=key, null=null):
                schema = {
                    "$defs": {"Nothing": {"type": "null"}},
                    key: [STR, null],
                    "description": "d",
                }
                expected = {"type": "STRING", "description": "d", "nullable": True}
                assert to_gemini_schema(schema) == expected


def test_a_nullable_union_of_several_branches_stays_nullable() -> None:
    schema = {"anyOf": [{"enum": ["a"]}, {"enum": ["b"]}], "nullable": True}
    assert to_gemini_schema(schema) == {
        "type": "STRING",
        "format": "enum",
        "nullable": True,
        "enum": ["a", "b"],
    }
    schema["nullable"] = False
    assert "nullable" not in to_gemini_schema(schema)


def test_all_of_checks_each_part_by_its_declared_type() -> None:
    schema = {
        "allOf": [{"type": "object", "additionalProperties": True}, {"properties": {"a": STR}}]
    }
    assert refusal(schema).startswith("the top-level schema is a free-form dict")
    # a part's own references are followed, and checked for recursion
    schema = {
        "$defs": {"N": STR},
        "allOf": [{"properties": {"x": {"$ref": "#/$defs/N"}}}, {"properties": {"y": STR}}],
    }
    assert to_gemini_schema(schema)["properties"] == {
        "x": {"type": "STRING"},
        "y": {"type": "STRING"},
    }


def test_union_details() -> None:
    assert to_gemini_schema({"anyOf": [STR], "nullable": True}) == {
        "type": "STRING",
        "nullable": True,
    }
    # anyOf is read before oneOf; a discriminator is dropped
    assert to_gemini_schema({"anyOf": [STR], "oneOf": [INT], "discriminator": "x"}) == {
        "type": "STRING"
    }
    assert to_gemini_schema({"anyOf": [True, {"type": "null"}], "type": "integer"}) == {
        "type": "INTEGER",
        "nullable": True,
    }
    assert refusal({"anyOf": [False, STR]}) == "the top-level schema is not a schema object: False"
    # a branch that is true is not null
    assert refusal({"anyOf": [True, STR]}) == (
        "the top-level schema has no type (Any); Gemini's responseSchema needs a concrete type "
        "for every field; annotate it (str, int, a model, ...)"
    )


def test_identical_branches_collapse() -> None:
    schema = {
        "anyOf": [
            {"type": "string", "description": "one"},
            {"type": "string", "description": "one", "nullable": True},
        ]
    }
    assert to_gemini_schema(schema) == {"type": "STRING", "description": "one", "nullable": True}
    schema["description"] = "outer"
    assert to_gemini_schema(schema)["description"] == "outer"
    different = {
        "anyOf": [{"type": "string", "description": "a"}, {"type": "string", "description": "b"}]
    }
    assert to_gemini_schema(different) == {"type": "STRING"}
    undescribed = {"anyOf": [STR, STR]}
    assert to_gemini_schema(undescribed) == {"type": "STRING"}


def test_string_enum_branches_merge() -> None:
    schema = {"oneOf": [{"enum": ["a", "b"]}, {"const": "b"}, {"enum": ["c"], "description": "x"}]}
    assert to_gemini_schema(schema) == {"type": "STRING", "format": "enum", "enum": ["a", "b", "c"]}


UNION_REFUSALS_CASES: list[tuple[Any, Any]] = [
    ({"anyOf": []}, "the top-level schema has a anyOf that is not a non-empty list"),
    ({"oneOf": STR}, "the top-level schema has a oneOf that is not a non-empty list"),
    (
        {"anyOf": [{"type": "null"}, {"const": None}]},
        "the top-level schema only allows null; Gemini's responseSchema has no null type",
    ),
    (
        {"anyOf": [{"type": ["integer", "null"]}, {"type": "STRING"}, {"enum": [1]}]},
        "the top-level schema is a union of several types (integer | null, string, enum); "
        "Gemini's newer API versions accept anyOf for scalar unions, but the memories.ai "
        "documentation does not show anyOf in responseSchema, so it is not sent; use a single "
        "type (e.g. float or str, and convert the value yourself)",
    ),
    (
        {
            "$defs": {"Cat": {"properties": {"a": STR}}},
            "properties": {
                "pet": {
                    "anyOf": [
                        {"$ref": "#/$defs/Cat"},
                        {"properties": {"b": STR}},
                        {"items": STR},
                    ]
                }
            },
        },
        "field 'pet' is a union of several types (Cat, object, any); Gemini's responseSchema "
        "(as documented by memories.ai) has no anyOf; use one model whose fields are "
        "optional, or a single type",
    ),
]


def test_union_refusals(subtests: pytest.Subtests) -> None:
    for schema, message in UNION_REFUSALS_CASES:
        with subtests.test(schema=schema):
            assert refusal(schema) == message


# -- other refusals -----------------------------------------------------------------------------


REFUSALS_CASES: list[tuple[Any, Any]] = [
    (
        {},
        "the top-level schema has no type (Any); Gemini's responseSchema needs a concrete "
        "type for every field; annotate it (str, int, a model, ...)",
    ),
    (
        {"description": "only"},
        "the top-level schema has no type (Any); Gemini's responseSchema needs a concrete "
        "type for every field; annotate it (str, int, a model, ...)",
    ),
    ({"properties": {"a": [1]}}, "field 'a' is not a schema object: [1]"),
    (
        {"properties": {"a": "x" * 200}},
        f"field 'a' is not a schema object: {('x' * 200)!r:.80}",
    ),
    (
        {"type": "null"},
        "the top-level schema only allows null; Gemini's responseSchema has no null type",
    ),
    (
        {"type": ["null", "NULL"]},
        "the top-level schema only allows null; Gemini's responseSchema has no null type",
    ),
    (
        {"type": ["string", "integer", "null"]},
        "the top-level schema is a union of several types (string, integer); Gemini's newer "
        "API versions accept anyOf for scalar unions, but the memories.ai documentation does "
        "not show it, so it is not sent; use a single type",
    ),
    (
        {"type": ["string", "Object"]},
        "the top-level schema is a union of several types (string, Object); use a single type",
    ),
    (
        {"type": ["array", "integer"]},
        "the top-level schema is a union of several types (array, integer); use a single type",
    ),
    ({"type": "decimal"}, "the top-level schema has an unknown type 'decimal'"),
    ({"type": 5}, "the top-level schema has an unknown type 5"),
    ({"enum": "a"}, "the top-level schema has an enum that is not a list: 'a'"),
    ({"enum": []}, "the top-level schema has an empty enum; give at least one allowed value"),
    (
        {"enum": [None]},
        "the top-level schema has an empty enum; give at least one allowed value",
    ),
    ({"properties": []}, "the top-level schema has 'properties' that is not an object"),
    (
        {"type": "object", "properties": {}},
        "the top-level schema is an object with no properties; Gemini's responseSchema needs "
        "at least one property per object; add a field or remove this one",
    ),
    (
        {"type": "object", "properties": {}, "additionalProperties": {}},
        "the top-level schema is an object with no properties; Gemini's responseSchema needs "
        "at least one property per object; add a field or remove this one",
    ),
    (
        {"type": "object", "additionalProperties": False},
        "the top-level schema is an object with no properties; Gemini's responseSchema needs "
        "at least one property per object; add a field or remove this one",
    ),
    (
        {"type": "object", "properties": {}, "additionalProperties": {"type": "string"}},
        "the top-level schema is a free-form dict (an object with no fixed properties, e.g. "
        "dict[str, int]); free-form dicts are not supported by responseSchema; use a list of "
        "key/value objects (e.g. list[Entry] with fields key and value)",
    ),
    (
        {"type": "object", "properties": {}, "patternProperties": {"^a": STR}},
        "the top-level schema is a free-form dict (an object with no fixed properties, e.g. "
        "dict[str, int]); free-form dicts are not supported by responseSchema; use a list of "
        "key/value objects (e.g. list[Entry] with fields key and value)",
    ),
    (
        {"additionalProperties": {"type": "string"}},
        "the top-level schema is a free-form dict (an object with no fixed properties, e.g. "
        "dict[str, int]); free-form dicts are not supported by responseSchema; use a list of "
        "key/value objects (e.g. list[Entry] with fields key and value)",
    ),
    (
        {"patternProperties": {"^a": STR}},
        "the top-level schema is a free-form dict (an object with no fixed properties, e.g. "
        "dict[str, int]); free-form dicts are not supported by responseSchema; use a list of "
        "key/value objects (e.g. list[Entry] with fields key and value)",
    ),
    (
        {"properties": {"pair": {"prefixItems": [STR, INT]}}},
        "field 'pair' is a tuple (fixed positions with their own types); Gemini's "
        "responseSchema cannot express tuples; use a list of one type or an object with named "
        "fields",
    ),
    (
        {"type": "array", "items": [STR]},
        "the top-level schema is a tuple (fixed positions with their own types); Gemini's "
        "responseSchema cannot express tuples; use a list of one type or an object with named "
        "fields",
    ),
    (
        {"properties": {"tags": {"type": "array"}}},
        "field 'tags' is an array without 'items'; Gemini's responseSchema needs the item type "
        "(e.g. list[str] rather than list)",
    ),
    (
        {"items": {"items": {"type": "object"}}},
        "field '[][]' is a free-form dict (an object with no fixed properties, e.g. "
        "dict[str, int]); free-form dicts are not supported by responseSchema; use a list of "
        "key/value objects (e.g. list[Entry] with fields key and value)",
    ),
]


NESTED_CASES: list[tuple[Any, Any]] = [
    ({"allOf": []}, "field 'a' has an allOf that is not a non-empty list"),
    ({"allOf": [5]}, "field 'a' has an allOf entry that is not a schema: 5"),
    ({"allOf": [{"type": "decimal"}]}, "field 'a' has an unknown type 'decimal'"),
    (
        {"allOf": [{"$ref": "#/$defs/Missing"}, {"properties": {"b": STR}}]},
        "field 'a' has $ref '#/$defs/Missing', which does not resolve to a local definition",
    ),
    (
        {"allOf": [STR, {"properties": {"b": STR}}]},
        "field 'a' combines several schemas with allOf and not all of them are objects (string, "
        "object); Gemini's responseSchema has no allOf; use a single type",
    ),
    (
        {"allOf": [{"properties": {"x": {"type": "decimal"}}}, {"properties": {"b": STR}}]},
        "field 'a.x' has an unknown type 'decimal'",
    ),
    ({"anyOf": []}, "field 'a' has a anyOf that is not a non-empty list"),
    (
        {"anyOf": [{"type": "null"}]},
        "field 'a' only allows null; Gemini's responseSchema has no null type",
    ),
    (
        {"type": ["null"]},
        "field 'a' only allows null; Gemini's responseSchema has no null type",
    ),
    (
        {"anyOf": [{"$ref": "#/$defs/Missing"}, STR]},
        "field 'a' has $ref '#/$defs/Missing', which does not resolve to a local definition",
    ),
    ({"anyOf": [{"type": "decimal"}, STR]}, "field 'a' has an unknown type 'decimal'"),
    (
        {"type": "null"},
        "field 'a' only allows null; Gemini's responseSchema has no null type",
    ),
    ({"enum": "x"}, "field 'a' has an enum that is not a list: 'x'"),
    ({"$ref": 5}, "field 'a' has a non-string $ref 5"),
    ({"enum": []}, "field 'a' has an empty enum; give at least one allowed value"),
    ({"properties": []}, "field 'a' has 'properties' that is not an object"),
    (
        {"type": "object", "properties": {}},
        "field 'a' is an object with no properties; Gemini's responseSchema needs at least one "
        "property per object; add a field or remove this one",
    ),
    (
        {"type": "object"},
        "field 'a' is a free-form dict (an object with no fixed properties, e.g. dict[str, int]); "
        "free-form dicts are not supported by responseSchema; use a list of key/value objects "
        "(e.g. list[Entry] with fields key and value)",
    ),
    (
        {"type": ["string", "integer"]},
        "field 'a' is a union of several types (string, integer); Gemini's newer API versions "
        "accept anyOf for scalar unions, but the memories.ai documentation does not show it, so "
        "it is not sent; use a single type",
    ),
    (
        {"anyOf": [{"items": STR}, STR]},
        "field 'a' is a union of several types (any, string); Gemini's responseSchema (as "
        "documented by memories.ai) has no anyOf; use one model whose fields are optional, or a "
        "single type",
    ),
]


def test_refusals_name_the_nested_field(subtests: pytest.Subtests) -> None:
    for field, message in NESTED_CASES:
        with subtests.test(field=field):
            assert refusal({"properties": {"a": field}}) == message


def test_refusals(subtests: pytest.Subtests) -> None:
    for schema, message in REFUSALS_CASES:
        with subtests.test(schema=schema):
            assert refusal(schema) == message
