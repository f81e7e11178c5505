"""JSON Schema -> Gemini responseSchema conversion, the small validator and their helpers.

Whole converted schemas for each rule of :func:`to_gemini_schema` (``allOf`` merging, unions
with null in each spelling, enum merging, bounds, formats, ordering), and the full message of
each refusal, naming the field and the fix. A wrong conversion makes the service refuse every
structured call, or accept one whose answer no longer fits the user's model.
"""

from __future__ import annotations

import copy
import enum
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field
from typing_extensions import NotRequired, TypedDict

from memories_client._jsonout import parse_structured
from memories_client.errors import MemoriesInputError
from memories_client.schema import (
    GEMINI_FORMATS,
    GEMINI_TYPES,
    apply_typeddict_defaults,
    coerce_enum_strings,
    json_schema_of,
    validate_instance,
)
from memories_client.schema import to_gemini_schema as _to_gemini_schema


def to_gemini_schema(schema: Any) -> dict[str, Any]:
    """The converter with propertyOrdering on, so these tests also check the ordering."""
    return _to_gemini_schema(schema, property_ordering=True)


def test_property_ordering_is_off_by_default() -> None:
    # The docs never show propertyOrdering, so it is not sent unless asked for...
    plain = _to_gemini_schema(Joke)
    assert "propertyOrdering" not in plain
    # ...but one the caller wrote into a Gemini schema is kept.
    given = {
        "type": "OBJECT",
        "properties": {"b": {"type": "STRING"}, "a": {"type": "STRING"}},
        "propertyOrdering": ["a", "b"],
    }
    assert _to_gemini_schema(given)["propertyOrdering"] == ["a", "b"]


# ---------------------------------------------------------------------------------------------
# Models used by the tests (module level so forward references resolve)
# ---------------------------------------------------------------------------------------------


class Joke(BaseModel):
    """Joke to tell user."""

    setup: str = Field(description="question to set up a joke")
    punchline: str | None = Field(default=None, description="answer to resolve the joke")


class JokeDict(TypedDict):
    """Joke to tell user."""

    setup: Annotated[str, ..., "question to set up a joke"]
    punchline: Annotated[str | None, None, "The punchline"]


class Address(BaseModel):
    """A postal address."""

    street: str
    zip: str = Field(description="postal code", pattern=r"^\d{5}$")


class Person(BaseModel):
    name: str = Field(description="full name", min_length=1)
    age: int | None = Field(default=None, ge=0, lt=150)
    home: Address = Field(description="where they live")
    addresses: list[Address] = Field(default_factory=list)


class People(BaseModel):
    people: list[Person]


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Tagged(BaseModel):
    color: Color
    level: Level
    kind: Literal["cat", "dog"]
    size: Literal[1, 2, 3]
    flag: Literal[True]
    maybe: Literal["a", None] = None


class Ordered(BaseModel):
    zulu: str
    alpha: int
    mike: bool


class WithDict(BaseModel):
    counts: dict[str, int]


class WithAny(BaseModel):
    anything: Any


class WithBareList(BaseModel):
    tags: list[Any]


class WithTuple(BaseModel):
    pair: tuple[int, str]


class Empty(BaseModel):
    pass


class Node(BaseModel):
    name: str
    children: list[Node]


class TreeA(BaseModel):
    b: TreeB | None = None


class TreeB(BaseModel):
    a: list[TreeA]


class Wrapper(BaseModel):
    tree: TreeA


class WithUnion(BaseModel):
    value: int | str


class Cat(BaseModel):
    meows: bool


class Dog(BaseModel):
    barks: bool


class Pet(BaseModel):
    animal: Cat | Dog


class Inner(TypedDict):
    x: int
    note: Annotated[str | None, None, "optional note"]


class Outer(TypedDict):
    inner: Inner
    items: list[Inner]
    extra: NotRequired[str]


# ---------------------------------------------------------------------------------------------
# json_schema_of
# ---------------------------------------------------------------------------------------------


def test_json_schema_of_pydantic_model() -> None:
    schema = json_schema_of(Joke)
    assert schema["type"] == "object"
    assert schema["required"] == ["setup"]
    assert schema["properties"]["setup"]["description"] == "question to set up a joke"


def test_json_schema_of_typeddict_applies_annotated_convention() -> None:
    schema = json_schema_of(JokeDict)
    assert schema["required"] == ["setup"]
    assert schema["properties"]["setup"]["description"] == "question to set up a joke"
    assert schema["properties"]["punchline"]["description"] == "The punchline"
    assert schema["properties"]["punchline"]["anyOf"][1] == {"type": "null"}


def test_json_schema_of_nested_typeddicts() -> None:
    schema = json_schema_of(Outer)
    inner = schema["$defs"]["Inner"]
    assert inner["required"] == ["x"]
    assert inner["properties"]["note"]["description"] == "optional note"
    assert schema["required"] == ["inner", "items"]


def test_json_schema_of_dict_is_a_deep_copy() -> None:
    original: dict[str, Any] = {"type": "object", "properties": {"a": {"type": "string"}}}
    result = json_schema_of(original)
    result["properties"]["a"]["type"] = "integer"
    assert original["properties"]["a"]["type"] == "string"


@pytest.mark.parametrize("wrap", [False, True])
def test_json_schema_of_openai_function_dict(wrap: bool) -> None:
    function = {
        "name": "record_person",
        "description": "Record a person.",
        "parameters": {
            "type": "object",
            "properties": {"name": {"type": "string"}},
            "required": ["name"],
        },
    }
    tool = {"type": "function", "function": function} if wrap else function
    schema = json_schema_of(tool)
    assert schema["title"] == "record_person"
    assert schema["description"] == "Record a person."
    assert schema["properties"] == {"name": {"type": "string"}}
    gemini = to_gemini_schema(tool)
    assert gemini == {
        "type": "OBJECT",
        "description": "Record a person.",
        "properties": {"name": {"type": "STRING"}},
        "propertyOrdering": ["name"],
        "required": ["name"],
    }


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (42, "value of type int"),
        ("a string", "value of type str"),
        (Joke(setup="x"), "pass the class, not an instance"),
        (int, "the class int"),
        (list[int], "list"),
    ],
)
def test_json_schema_of_rejects_other_input(bad: Any, fragment: str) -> None:
    with pytest.raises(MemoriesInputError, match="Pydantic v2 model class, a TypedDict") as info:
        json_schema_of(bad)
    assert fragment in str(info.value)


def test_json_schema_of_model_pydantic_cannot_describe() -> None:
    class Bad(BaseModel):
        callback: Callable[[int], int]

    with pytest.raises(MemoriesInputError, match="cannot build a JSON Schema for Bad"):
        json_schema_of(Bad)


def test_pydantic_v1_models_are_refused() -> None:
    # langchain_memories/_structured.py describes and validates v1 models itself because of this.
    from pydantic.v1 import BaseModel as BaseModelV1

    class Old(BaseModelV1):
        n: int

    with pytest.raises(MemoriesInputError, match="must be a Pydantic v2 model class"):
        json_schema_of(Old)
    with pytest.raises(MemoriesInputError, match="must be a Pydantic v2 model class"):
        parse_structured('{"n": 1}', Old)


# ---------------------------------------------------------------------------------------------
# to_gemini_schema: what is converted
# ---------------------------------------------------------------------------------------------


def test_optional_str_from_langchain_standard_tests() -> None:
    assert to_gemini_schema(Joke) == {
        "type": "OBJECT",
        "description": "Joke to tell user.",
        "properties": {
            "setup": {"type": "STRING", "description": "question to set up a joke"},
            "punchline": {
                "type": "STRING",
                "description": "answer to resolve the joke",
                "nullable": True,
            },
        },
        "propertyOrdering": ["setup", "punchline"],
        "required": ["setup"],
    }


def test_optional_str_typeddict_with_annotated_default() -> None:
    gemini = to_gemini_schema(JokeDict)
    assert gemini["properties"]["punchline"] == {
        "type": "STRING",
        "description": "The punchline",
        "nullable": True,
    }
    assert gemini["required"] == ["setup"]
    assert gemini["description"] == "Joke to tell user."


def test_nested_models_are_inlined_with_descriptions() -> None:
    gemini = to_gemini_schema(Person)
    home = gemini["properties"]["home"]
    assert home["type"] == "OBJECT"
    assert home["description"] == "where they live"  # the field's description wins
    assert home["properties"]["zip"] == {
        "type": "STRING",
        "description": "postal code",
        "pattern": r"^\d{5}$",
    }
    assert home["required"] == ["street", "zip"]
    assert gemini["properties"]["name"] == {
        "type": "STRING",
        "description": "full name",
        "minLength": 1,
    }
    # lt=150 on an integer becomes maximum 149; ge=0 stays minimum 0
    assert gemini["properties"]["age"] == {
        "type": "INTEGER",
        "nullable": True,
        "minimum": 0,
        "maximum": 149,
    }
    assert gemini["required"] == ["name", "home"]


def test_list_of_nested_objects() -> None:
    gemini = to_gemini_schema(People)
    people = gemini["properties"]["people"]
    assert people["type"] == "ARRAY"
    person = people["items"]
    assert person["type"] == "OBJECT"
    assert person["propertyOrdering"] == ["name", "age", "home", "addresses"]
    addresses = person["properties"]["addresses"]
    assert addresses["type"] == "ARRAY"
    assert addresses["items"]["description"] == "A postal address."
    assert addresses["items"]["properties"]["street"] == {"type": "STRING"}


def test_enums_become_string_enums() -> None:
    props = to_gemini_schema(Tagged)["properties"]
    assert props["color"] == {"type": "STRING", "format": "enum", "enum": ["red", "green"]}
    assert props["kind"] == {"type": "STRING", "format": "enum", "enum": ["cat", "dog"]}
    # integer enums and literals: Gemini only has string enums, so the values are stringified
    assert props["level"] == {"type": "STRING", "format": "enum", "enum": ["1", "2"]}
    assert props["size"] == {"type": "STRING", "format": "enum", "enum": ["1", "2", "3"]}
    assert props["flag"] == {"type": "STRING", "format": "enum", "enum": ["true"]}
    # None in an enum becomes nullable
    assert props["maybe"] == {
        "type": "STRING",
        "format": "enum",
        "nullable": True,
        "enum": ["a"],
    }


def test_const_becomes_single_value_enum() -> None:
    assert to_gemini_schema({"const": "fixed", "type": "string"}) == {
        "type": "STRING",
        "format": "enum",
        "enum": ["fixed"],
    }
    assert to_gemini_schema({"const": 7})["enum"] == ["7"]


def test_property_ordering_follows_declaration_order() -> None:
    gemini = to_gemini_schema(Ordered)
    assert list(gemini["properties"]) == ["zulu", "alpha", "mike"]
    assert gemini["propertyOrdering"] == ["zulu", "alpha", "mike"]


def test_required_kept_and_filtered_to_existing_properties() -> None:
    gemini = to_gemini_schema(
        {
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
            "required": ["b", "ghost", "b"],
        }
    )
    assert gemini["required"] == ["b"]


def test_refs_and_defs_are_inlined() -> None:
    schema = {
        "type": "object",
        "definitions": {"Point": {"type": "object", "properties": {"x": {"type": "number"}}}},
        "$defs": {
            "Color": {"type": "string", "enum": ["r", "g"], "title": "Color"},
            "Line": {
                "type": "object",
                "properties": {
                    "start": {"$ref": "#/definitions/Point"},
                    "end": {"$ref": "#/definitions/Point", "description": "the end"},
                },
            },
        },
        "properties": {
            "line": {"allOf": [{"$ref": "#/$defs/Line"}], "description": "a line"},
            "color": {"$ref": "#/$defs/Color"},
            "also_x": {"$ref": "#/definitions/Point/properties/x"},
        },
    }
    gemini = to_gemini_schema(schema)
    text = json.dumps(gemini)
    assert "$ref" not in text
    assert "$defs" not in text
    assert "definitions" not in text
    line = gemini["properties"]["line"]
    assert line["description"] == "a line"
    assert line["properties"]["start"] == {
        "type": "OBJECT",
        "properties": {"x": {"type": "NUMBER"}},
        "propertyOrdering": ["x"],
    }
    assert line["properties"]["end"]["description"] == "the end"
    assert gemini["properties"]["color"] == {
        "type": "STRING",
        "format": "enum",
        "enum": ["r", "g"],
    }
    assert gemini["properties"]["also_x"] == {"type": "NUMBER"}


def test_top_level_ref_is_resolved() -> None:
    schema = {
        "$ref": "#/$defs/Item",
        "$defs": {"Item": {"type": "object", "properties": {"id": {"type": "integer"}}}},
    }
    assert to_gemini_schema(schema)["properties"] == {"id": {"type": "INTEGER"}}


def test_type_list_with_null_becomes_nullable() -> None:
    assert to_gemini_schema({"type": ["string", "null"], "maxLength": 3}) == {
        "type": "STRING",
        "nullable": True,
        "maxLength": 3,
    }
    assert to_gemini_schema({"type": ["null", "integer"]}) == {
        "type": "INTEGER",
        "nullable": True,
    }


def test_optional_object_keeps_properties_and_items() -> None:
    schema = {
        "anyOf": [
            {"type": "null"},
            {"type": "array", "items": {"type": "string", "enum": ["a"]}, "maxItems": 2},
        ],
        "description": "tags",
        "default": None,
    }
    assert to_gemini_schema(schema) == {
        "type": "ARRAY",
        "description": "tags",
        "nullable": True,
        "items": {"type": "STRING", "format": "enum", "enum": ["a"]},
        "maxItems": 2,
    }


def test_unknown_keys_are_dropped() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:x",
        "title": "T",
        "type": "object",
        "additionalProperties": False,
        "examples": [{}],
        "properties": {
            "n": {
                "type": "number",
                "default": 1,
                "readOnly": True,
                "exclusiveMinimum": 0.5,
                "multipleOf": 0.5,
            },
            "s": {"type": "string", "format": "email", "writeOnly": True, "title": "S"},
            "d": {"type": "string", "format": "date-time"},
            "i": {"type": "integer", "format": "int64"},
            "u": {"type": "array", "items": {"type": "integer"}, "uniqueItems": True},
        },
    }
    assert to_gemini_schema(schema) == {
        "type": "OBJECT",
        "properties": {
            "n": {"type": "NUMBER", "minimum": 0.5},
            "s": {"type": "STRING"},
            "d": {"type": "STRING", "format": "date-time"},
            "i": {"type": "INTEGER", "format": "int64"},
            "u": {"type": "ARRAY", "items": {"type": "INTEGER"}},
        },
        "propertyOrdering": ["n", "s", "d", "i", "u"],
    }


def test_properties_without_type_is_object_and_scalars_allowed_at_top_level() -> None:
    assert to_gemini_schema({"properties": {"a": {"type": "boolean"}}})["type"] == "OBJECT"
    assert to_gemini_schema({"items": {"type": "string"}}) == {
        "type": "ARRAY",
        "items": {"type": "STRING"},
    }
    assert to_gemini_schema({"type": "string"}) == {"type": "STRING"}
    assert to_gemini_schema({"type": "boolean", "description": "yes?"}) == {
        "type": "BOOLEAN",
        "description": "yes?",
    }


def test_all_of_with_several_objects_is_merged() -> None:
    schema = {
        "$defs": {"Base": {"type": "object", "properties": {"id": {"type": "integer"}}}},
        "allOf": [
            {"$ref": "#/$defs/Base"},
            {"properties": {"name": {"type": "string"}}, "required": ["name"]},
        ],
        "description": "merged",
    }
    assert to_gemini_schema(schema) == {
        "type": "OBJECT",
        "description": "merged",
        "properties": {"id": {"type": "INTEGER"}, "name": {"type": "STRING"}},
        "propertyOrdering": ["id", "name"],
        "required": ["name"],
    }


def test_union_of_string_enums_is_merged() -> None:
    schema = {"anyOf": [{"enum": ["a", "b"]}, {"const": "c"}, {"type": "null"}]}
    assert to_gemini_schema(schema) == {
        "type": "STRING",
        "format": "enum",
        "nullable": True,
        "enum": ["a", "b", "c"],
    }


def test_already_gemini_schema_is_unchanged() -> None:
    gemini = to_gemini_schema(Person)
    assert to_gemini_schema(gemini) == gemini


def test_input_is_not_modified() -> None:
    schema = Person.model_json_schema()
    before = copy.deepcopy(schema)
    to_gemini_schema(schema)
    assert schema == before


# ---------------------------------------------------------------------------------------------
# to_gemini_schema: what is refused
# ---------------------------------------------------------------------------------------------


def test_free_form_dict_is_refused() -> None:
    with pytest.raises(MemoriesInputError) as info:
        to_gemini_schema(WithDict)
    message = str(info.value)
    assert "field 'counts'" in message
    assert "free-form dicts are not supported by responseSchema" in message
    assert "use a list of key/value objects" in message


def test_object_without_properties_is_refused() -> None:
    with pytest.raises(MemoriesInputError, match="free-form dicts"):
        to_gemini_schema({"type": "object"})
    with pytest.raises(MemoriesInputError, match="object with no properties"):
        to_gemini_schema(Empty)


def test_recursive_model_is_refused_with_path() -> None:
    with pytest.raises(MemoriesInputError) as info:
        to_gemini_schema(Node)
    message = str(info.value)
    assert "field 'children[]' refers back to 'Node' recursively" in message
    assert "cannot express recursive schemas" in message
    assert "flatten the model or cap its depth" in message


def test_indirect_recursion_is_refused_with_path() -> None:
    with pytest.raises(MemoriesInputError) as info:
        to_gemini_schema(Wrapper)
    assert "field 'tree.b.a[]' refers back to 'TreeA' recursively" in str(info.value)


def test_self_reference_to_root_is_refused() -> None:
    schema = {"type": "object", "properties": {"again": {"$ref": "#"}}}
    with pytest.raises(MemoriesInputError, match="'again' refers back to 'the top-level schema'"):
        to_gemini_schema(schema)


def test_any_is_refused() -> None:
    with pytest.raises(MemoriesInputError, match=r"field 'anything' has no type \(Any\)"):
        to_gemini_schema(WithAny)
    with pytest.raises(MemoriesInputError, match=r"field 'tags\[\]' has no type"):
        to_gemini_schema(WithBareList)
    with pytest.raises(MemoriesInputError, match="the top-level schema has no type"):
        to_gemini_schema({})


def test_error_path_names_nested_array_fields() -> None:
    schema = {
        "type": "object",
        "properties": {
            "person": {
                "type": "object",
                "properties": {
                    "addresses": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"zip": {"type": "object"}}},
                    }
                },
            }
        },
    }
    with pytest.raises(MemoriesInputError, match=r"field 'person\.addresses\[\]\.zip'"):
        to_gemini_schema(schema)


def test_scalar_union_is_refused_explicitly() -> None:
    with pytest.raises(MemoriesInputError) as info:
        to_gemini_schema(WithUnion)
    message = str(info.value)
    assert "field 'value' is a union of several types (integer, string)" in message
    assert "memories.ai documentation does not show anyOf" in message
    assert "use a single type" in message
    with pytest.raises(MemoriesInputError, match="union of several types"):
        to_gemini_schema({"type": ["string", "integer"]})


def test_object_union_is_refused() -> None:
    with pytest.raises(MemoriesInputError) as info:
        to_gemini_schema(Pet)
    message = str(info.value)
    assert "field 'animal' is a union of several types (Cat, Dog)" in message
    assert "one model whose fields are optional" in message


def test_all_of_mixing_non_objects_is_refused() -> None:
    schema = {"allOf": [{"type": "integer"}, {"type": "string"}]}
    with pytest.raises(MemoriesInputError, match="not all of them are objects"):
        to_gemini_schema(schema)


def test_tuple_and_untyped_array_are_refused() -> None:
    with pytest.raises(MemoriesInputError, match="field 'pair' is a tuple"):
        to_gemini_schema(WithTuple)
    with pytest.raises(MemoriesInputError, match="array without 'items'"):
        to_gemini_schema({"type": "array"})


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        ({"type": "null"}, "only allows null"),
        ({"anyOf": [{"type": "null"}]}, "only allows null"),
        ({"type": "decimal"}, "unknown type 'decimal'"),
        ({"enum": []}, "empty enum"),
        ({"$ref": "#/$defs/Missing"}, "does not resolve"),
        ({"$ref": "https://example.com/s.json"}, "does not resolve"),
        ({"properties": {"a": 5}}, "field 'a' is not a schema object"),
    ],
)
def test_other_refusals(schema: dict[str, Any], fragment: str) -> None:
    with pytest.raises(MemoriesInputError, match=fragment):
        to_gemini_schema(schema)


def test_refusal_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="free-form"):
        to_gemini_schema(WithDict)


# ---------------------------------------------------------------------------------------------
# validate_instance
# ---------------------------------------------------------------------------------------------


def test_validate_types_integer_number_boolean() -> None:
    assert validate_instance(3, {"type": "integer"}) == []
    assert validate_instance(3.0, {"type": "integer"}) == []
    assert validate_instance(3.5, {"type": "integer"}) == [
        "top level: expected integer, got number"
    ]
    assert validate_instance(True, {"type": "integer"}) == [
        "top level: expected integer, got boolean"
    ]
    assert validate_instance(False, {"type": "number"}) != []
    assert validate_instance(2, {"type": "number"}) == []
    assert validate_instance(None, {"type": ["string", "null"]}) == []
    assert validate_instance("x", {"type": "STRING"}) == []  # Gemini dialect


def test_validate_nested_paths_and_required() -> None:
    schema = People.model_json_schema()
    value = {
        "people": [
            {"name": "Ann", "home": {"street": "Main", "zip": "12345"}},
            {"name": "", "age": "old", "home": {"zip": "1"}, "addresses": [{"street": 5}]},
        ]
    }
    assert validate_instance(value, schema) == [
        "people[1].name: expected at least 1 characters, got 0",
        "people[1].age: matches none of the allowed alternatives "
        "(people[1].age: expected integer, got string; "
        "people[1].age: expected null, got string)",
        "people[1].home.street: required field is missing",
        "people[1].home.zip: '1' does not match the pattern '^\\\\d{5}$'",
        "people[1].addresses[0].zip: required field is missing",
        "people[1].addresses[0].street: expected string, got integer",
    ]


def test_validate_enum_const_and_bool_vs_int() -> None:
    assert validate_instance(True, {"enum": [1, 2]}) == [
        "top level: expected one of [1, 2], got True"
    ]
    assert validate_instance(1.0, {"enum": [1, 2]}) == []
    assert validate_instance(0, {"const": False}) == ["top level: expected False, got 0"]
    assert validate_instance("b", {"enum": ["a", None]}) != []


def test_validate_nullable_and_any_of_null() -> None:
    assert validate_instance(None, {"type": "STRING", "nullable": True}) == []
    assert validate_instance(None, {"type": "string"}) == ["top level: expected string, got null"]
    assert validate_instance(None, {"anyOf": [{"type": "string"}, {"type": "null"}]}) == []
    assert validate_instance(None, {"anyOf": [{"type": "string"}]}) == [
        "top level: null is not allowed here"
    ]


def test_validate_refs_including_recursive() -> None:
    schema = Node.model_json_schema()
    good = {"name": "a", "children": [{"name": "b", "children": []}]}
    assert validate_instance(good, schema) == []
    bad = {"name": "a", "children": [{"name": "b", "children": [{"children": []}]}]}
    assert validate_instance(bad, schema) == [
        "children[0].children[0].name: required field is missing"
    ]
    looping = {"$defs": {"A": {"$ref": "#/$defs/A"}}, "$ref": "#/$defs/A"}
    assert validate_instance(1, looping) == []
    assert validate_instance(1, {"$ref": "#/$defs/Nope"}) == [
        "top level: schema $ref '#/$defs/Nope' does not resolve"
    ]


def test_validate_additional_properties_bounds_and_combinators() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer", "minimum": 1, "exclusiveMaximum": 5}},
        "additionalProperties": False,
    }
    assert validate_instance({"a": 5, "b": 1}, schema) == [
        "a: expected a value < 5, got 5",
        "b: unexpected field (additionalProperties is false)",
    ]
    assert validate_instance({"a": 0}, schema) == ["a: expected a value >= 1, got 0"]
    assert validate_instance([1], {"type": "array", "minItems": 2}) == [
        "top level: expected at least 2 items, got 1"
    ]
    assert validate_instance(3, {"oneOf": [{"type": "integer"}, {"type": "number"}]}) == [
        "top level: matches 2 alternatives of a oneOf; exactly one must"
    ]
    assert validate_instance(3, {"allOf": [{"minimum": 4}]}) == [
        "top level: expected a value >= 4, got 3"
    ]
    assert validate_instance(3, {"not": {"type": "integer"}}) == [
        "top level: matches a schema it must not match"
    ]
    assert validate_instance([1, "x"], {"prefixItems": [{"type": "integer"}], "items": False})


def test_validate_converted_gemini_schema() -> None:
    gemini = to_gemini_schema(Person)
    assert validate_instance({"name": "x", "home": {"street": "s", "zip": "12345"}}, gemini) == []
    assert validate_instance({"name": "x", "age": None, "home": {}}, gemini) == [
        "home.street: required field is missing",
        "home.zip: required field is missing",
    ]


# ---------------------------------------------------------------------------------------------
# coerce_enum_strings / apply_typeddict_defaults
# ---------------------------------------------------------------------------------------------


def test_coerce_enum_strings_restores_values() -> None:
    schema = Tagged.model_json_schema()
    raw = {"color": "red", "level": "2", "kind": "cat", "size": "3", "flag": "true"}
    assert coerce_enum_strings(raw, schema) == {
        "color": "red",
        "level": 2,
        "kind": "cat",
        "size": 3,
        "flag": True,
    }
    assert raw["level"] == "2"  # not modified in place
    # strings that are valid as they are stay strings
    assert coerce_enum_strings("1", {"enum": ["1", 1]}) == "1"
    assert coerce_enum_strings(["1"], {"items": {"anyOf": [{"enum": [1]}, {"type": "null"}]}}) == [
        1
    ]


def test_apply_typeddict_defaults_nested() -> None:
    value = {"inner": {"x": 1}, "items": [{"x": 2}, {"x": 3, "note": "n"}]}
    assert apply_typeddict_defaults(value, Outer) == {
        "inner": {"x": 1, "note": None},
        "items": [{"x": 2, "note": None}, {"x": 3, "note": "n"}],
    }
    assert "note" not in value["inner"]


# ---------------------------------------------------------------------------------------------
# Property tests: random JSON Schemas (no cycles) and values that match them
# ---------------------------------------------------------------------------------------------

PROPERTY_NAMES = st.sampled_from(
    ["a", "b", "c", "name", "items", "type", "title", "default", "properties", "x_1"]
)
WORDS = st.text(alphabet="abcdefghij", min_size=1, max_size=6)
FORBIDDEN = {"$ref", "$defs", "definitions", "anyOf", "oneOf", "allOf", "additionalProperties"}
FORBIDDEN |= {"title", "default", "$schema", "examples", "const", "exclusiveMinimum"}
ALLOWED_KEYS = {
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
}


@st.composite
def decorations(draw: st.DrawFn) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        extra["description"] = draw(WORDS)
    if draw(st.booleans()):
        extra["title"] = draw(WORDS)
    if draw(st.booleans()):
        extra["default"] = draw(st.none() | st.integers())
    if draw(st.integers(0, 4)) == 0:
        extra["examples"] = ["e"]
    return extra


@st.composite
def scalar_schemas(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["string", "integer", "number", "boolean", "enum", "const"]))
    if kind == "string":
        schema: dict[str, Any] = {"type": "string"}
        if draw(st.booleans()):
            low = draw(st.integers(0, 3))
            schema.update(minLength=low, maxLength=low + draw(st.integers(0, 5)))
        if draw(st.booleans()):
            schema["format"] = draw(st.sampled_from(["date-time", "email", "uri"]))
        return schema
    if kind == "integer":
        schema = {"type": "integer"}
        if draw(st.booleans()):
            schema["minimum"] = draw(st.integers(-50, 50))
        if draw(st.booleans()):
            schema["exclusiveMinimum"] = draw(st.integers(-50, 50))
        if draw(st.booleans()):
            floor = max(schema.get("minimum", -50), schema.get("exclusiveMinimum", -51) + 1)
            schema["maximum"] = floor + draw(st.integers(0, 20))
        return schema
    if kind == "number":
        schema = {"type": "number"}
        if draw(st.booleans()):
            schema["format"] = draw(st.sampled_from(["float", "double", "decimal"]))
        if draw(st.booleans()):
            schema.update(minimum=-1.5, maximum=draw(st.floats(0, 100)))
        return schema
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "enum":
        values = draw(
            st.one_of(
                st.lists(WORDS, min_size=1, max_size=4, unique=True),
                st.lists(st.integers(-5, 5), min_size=1, max_size=4, unique=True),
                st.lists(
                    st.sampled_from(["x", 7, True, None]), min_size=1, max_size=4, unique=True
                ).filter(lambda v: v != [None]),
            )
        )
        schema = {"enum": values}
        if all(isinstance(v, str) for v in values) and draw(st.booleans()):
            schema["type"] = "string"
        return schema
    return {"const": draw(WORDS | st.integers(-3, 3))}


def any_schemas(depth: int, refs: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    options: list[st.SearchStrategy[dict[str, Any]]] = [scalar_schemas()]
    if depth > 0:
        options.append(object_schemas(depth - 1, refs))
        options.append(array_schemas(depth - 1, refs))
    if refs:
        options.append(ref_schemas(refs))
    base = st.one_of(*options)
    return st.tuples(base, decorations(), st.integers(0, 3)).map(lambda t: optionalize(*t))


def optionalize(schema: dict[str, Any], extra: dict[str, Any], how: int) -> dict[str, Any]:
    if how == 1:
        return {"anyOf": [schema, {"type": "null"}], **extra}
    if how == 2 and isinstance(schema.get("type"), str) and None not in schema.get("enum", []):
        return {"oneOf": [{"type": "null"}, schema], **extra}  # null must match one branch only
    if how == 2:
        return {"anyOf": [{"type": "null"}, schema], **extra}
    if how == 3 and isinstance(schema.get("type"), str) and "$ref" not in schema:
        return {**schema, **extra, "type": [schema["type"], "null"]}
    return {**schema, **extra}


@st.composite
def ref_schemas(draw: st.DrawFn, refs: list[str]) -> dict[str, Any]:
    ref = draw(st.sampled_from(refs))
    if draw(st.booleans()):
        return {"allOf": [{"$ref": ref}]}
    return {"$ref": ref}


@st.composite
def object_schemas(draw: st.DrawFn, depth: int, refs: list[str]) -> dict[str, Any]:
    names = draw(st.lists(PROPERTY_NAMES, min_size=1, max_size=4, unique=True))
    props = {name: draw(any_schemas(depth, refs)) for name in names}
    schema: dict[str, Any] = {"properties": props}
    if draw(st.integers(0, 3)):
        schema["type"] = "object"
    required = [n for n in names if draw(st.booleans())]
    if required:
        schema["required"] = required
    extra = draw(st.sampled_from([None, False, True, {"type": "integer"}]))
    if extra is not None:
        schema["additionalProperties"] = extra
    return schema


@st.composite
def array_schemas(draw: st.DrawFn, depth: int, refs: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": draw(any_schemas(depth, refs))}
    if draw(st.booleans()):
        low = draw(st.integers(0, 2))
        schema.update(minItems=low, maxItems=low + draw(st.integers(0, 2)))
    return schema


@st.composite
def root_schemas(draw: st.DrawFn) -> dict[str, Any]:
    key = draw(st.sampled_from(["$defs", "definitions"]))
    defs: dict[str, Any] = {}
    for i in range(draw(st.integers(0, 3))):
        available = [f"#/{key}/D{j}" for j in range(i)]  # only earlier ones: no cycles
        defs[f"D{i}"] = draw(object_schemas(1, available) | scalar_schemas())
    refs = [f"#/{key}/{name}" for name in defs]
    root = draw(object_schemas(2, refs) | array_schemas(1, refs))
    root.setdefault("type", "object")
    if defs:
        root[key] = defs
    if draw(st.booleans()):
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return root


def resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while True:
        if "$ref" in schema:
            _, key, name = schema["$ref"].split("/")
            schema = {**root[key][name], **{k: v for k, v in schema.items() if k != "$ref"}}
        elif "allOf" in schema:
            schema = {**schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"}}
        else:
            return schema


def draw_value(data: st.DataObject, schema: dict[str, Any], root: dict[str, Any]) -> Any:
    schema = resolve(schema, root)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branch = data.draw(st.sampled_from(schema[key]))
            return None if branch == {"type": "null"} else draw_value(data, branch, root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return data.draw(st.sampled_from(schema["enum"]))
    kind = schema.get("type", "object" if "properties" in schema else None)
    if isinstance(kind, list):
        if data.draw(st.booleans()):
            return None
        kind = kind[0]
    if kind == "string":
        return data.draw(
            st.text(min_size=schema.get("minLength", 0), max_size=schema.get("maxLength", 8))
        )
    if kind == "integer":
        low = max(schema.get("minimum", -100), schema.get("exclusiveMinimum", -101) + 1)
        return data.draw(st.integers(low, max(low, schema.get("maximum", low + 100))))
    if kind == "number":
        return data.draw(
            st.floats(schema.get("minimum", -1e6), schema.get("maximum", 1e6), allow_nan=False)
        )
    if kind == "boolean":
        return data.draw(st.booleans())
    if kind == "array":
        size = data.draw(st.integers(schema.get("minItems", 0), schema.get("maxItems", 3)))
        return [draw_value(data, schema["items"], root) for _ in range(size)]
    assert kind == "object", schema
    value = {}
    for name, sub in schema["properties"].items():
        if name in schema.get("required", []) or data.draw(st.booleans()):
            value[name] = draw_value(data, sub, root)
    return value


def walk_gemini(node: dict[str, Any]) -> None:
    assert set(node) <= ALLOWED_KEYS, set(node) - ALLOWED_KEYS
    assert not set(node) & FORBIDDEN
    assert node["type"] in GEMINI_TYPES
    if "format" in node:
        assert node["format"] in GEMINI_FORMATS
    if "enum" in node:
        assert node["type"] == "STRING"
        assert node["enum"]
        assert all(isinstance(v, str) for v in node["enum"])
    if node["type"] == "OBJECT":
        assert node["properties"]
        assert node["propertyOrdering"] == list(node["properties"])
        assert set(node.get("required", [])) <= set(node["properties"])
        for sub in node["properties"].values():
            walk_gemini(sub)
    else:
        assert "properties" not in node
    if node["type"] == "ARRAY":
        walk_gemini(node["items"])
    else:
        assert "items" not in node


def stringify_enums(value: Any, gemini: dict[str, Any]) -> Any:
    """What a model following the Gemini schema returns for ``value``."""
    if value is None:
        return None
    if "enum" in gemini:
        return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if gemini["type"] == "OBJECT":
        return {k: stringify_enums(v, gemini["properties"][k]) for k, v in value.items()}
    if gemini["type"] == "ARRAY":
        return [stringify_enums(v, gemini["items"]) for v in value]
    return value


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@settings(max_examples=150, deadline=None)
@given(schema=root_schemas(), data=st.data())
def test_random_schemas_convert_cleanly(schema: dict[str, Any], data: st.DataObject) -> None:
    before = copy.deepcopy(schema)
    try:
        gemini = to_gemini_schema(schema)
    except MemoriesInputError as exc:
        # the generator builds only expressible schemas (every object has properties, no
        # cycles, no multi-type unions), so nothing may be refused
        raise AssertionError(f"unexpected refusal: {exc}") from exc
    assert schema == before
    walk_gemini(gemini)
    assert to_gemini_schema(gemini) == gemini  # idempotent

    value = draw_value(data, schema, schema)
    assert validate_instance(value, schema) == []
    wrong = {"unexpected": "value"} if isinstance(value, list) else ["unexpected"]
    assert validate_instance(wrong, schema) != []

    # the model answers with stringified enums; that answer fits the Gemini schema and the
    # coercion gives the original value back
    answer = stringify_enums(value, gemini)
    assert validate_instance(answer, gemini) == []
    assert canonical(coerce_enum_strings(answer, schema)) == canonical(value)


@settings(max_examples=100, deadline=None)
@given(length=st.integers(1, 4), via_array=st.lists(st.booleans(), min_size=4, max_size=4))
def test_random_cycles_are_refused(length: int, via_array: list[bool]) -> None:
    defs: dict[str, Any] = {}
    for i in range(length):
        target: dict[str, Any] = {"$ref": f"#/$defs/D{(i + 1) % length}"}
        if via_array[i]:
            target = {"type": "array", "items": target}
        defs[f"D{i}"] = {"type": "object", "properties": {"next": target}}
    schema = {"$defs": defs, "type": "object", "properties": {"start": {"$ref": "#/$defs/D0"}}}
    with pytest.raises(MemoriesInputError) as info:
        to_gemini_schema(schema)
    segments = ["next" + ("[]" if via_array[i] else "") for i in range(length)]
    path = ".".join(["start", *segments])
    assert f"field '{path}' refers back to 'D0' recursively" in str(info.value)


# -- each rule of the converter, called as a user calls it (ordering off by default) --

STR = {"type": "string"}
INT = {"type": "integer"}


def refusal(schema: Any, **kw: Any) -> str:
    with pytest.raises(MemoriesInputError) as info:
        _to_gemini_schema(schema, **kw)
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
            assert _to_gemini_schema(schema) == expected


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
    assert list(_to_gemini_schema(schema)) == [
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
            out = _to_gemini_schema(schema)
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
            assert _to_gemini_schema(schema) == {
                "type": "STRING",
                "format": "enum",
                "enum": expected,
            }


def test_null_in_an_enum_or_a_const_makes_it_nullable() -> None:
    assert _to_gemini_schema({"enum": ["a", None], "description": "d"}) == {
        "type": "STRING",
        "format": "enum",
        "description": "d",
        "nullable": True,
        "enum": ["a"],
    }
    assert _to_gemini_schema({"type": ["string", "null"], "enum": ["a"]}) == {
        "type": "STRING",
        "format": "enum",
        "nullable": True,
        "enum": ["a"],
    }
    assert _to_gemini_schema({"const": "a", "enum": ["b"]})["enum"] == ["a"]


# -- objects ----------------------------------------------------------------------------------


def test_objects() -> None:
    schema = {
        "type": "object",
        "properties": {"b": STR, "a": {"type": "array", "items": INT}},
        "required": ["a", "a", "missing", "b"],
    }
    assert _to_gemini_schema(schema) == {
        "type": "OBJECT",
        "properties": {
            "b": {"type": "STRING"},
            "a": {"type": "ARRAY", "items": {"type": "INTEGER"}},
        },
        "required": ["a", "b"],
    }
    assert _to_gemini_schema(schema, property_ordering=True)["propertyOrdering"] == ["b", "a"]
    assert "required" not in _to_gemini_schema({**schema, "required": ["missing"]})
    assert "required" not in _to_gemini_schema({**schema, "required": "a"})


A_DECLARED_PROPERTY_ORDERING_IS_KEPT_CASES: list[tuple[Any, Any]] = [
    (["a", "gone", "b"], ["a", "b"]),
    (["a"], ["a", "b"]),
    ("a", None),
]


def test_a_declared_property_ordering_is_kept(subtests: pytest.Subtests) -> None:
    for declared, ordering in A_DECLARED_PROPERTY_ORDERING_IS_KEPT_CASES:
        with subtests.test(declared=declared):
            schema = {"properties": {"b": STR, "a": STR}, "propertyOrdering": declared}
            assert _to_gemini_schema(schema).get("propertyOrdering") == ordering
            if ordering is None:
                assert _to_gemini_schema(schema, property_ordering=True)["propertyOrdering"] == [
                    "b",
                    "a",
                ]


def test_objects_are_recognised_without_a_type() -> None:
    for schema in (
        {"additionalProperties": {"type": "string"}, "properties": {"a": STR}},
        {"patternProperties": {}, "properties": {"a": STR}},
    ):
        assert _to_gemini_schema(schema)["type"] == "OBJECT"


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
    assert _to_gemini_schema(schema)["properties"] == {
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
    out = _to_gemini_schema(schema)
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

    assert len(_to_gemini_schema(wide(19_999))["properties"]) == 19_999
    assert refusal(wide(20_000)) == (
        "the schema has more than 20000 nodes once $ref definitions are inlined; Gemini's "
        "responseSchema needs a smaller schema"
    )


# -- allOf ------------------------------------------------------------------------------------


def test_all_of_with_one_entry_is_that_entry_with_the_siblings() -> None:
    assert _to_gemini_schema({"allOf": [STR], "description": "d"}) == {
        "type": "STRING",
        "description": "d",
    }
    assert _to_gemini_schema({"allOf": [True], "type": "integer"}) == {"type": "INTEGER"}
    assert (
        _to_gemini_schema({"allOf": [{"type": "string", "description": "x"}], "description": "y"})[
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
    out = _to_gemini_schema(schema, property_ordering=True)
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
    assert _to_gemini_schema(schema) == {
        "type": "OBJECT",
        "properties": {"a": {"type": "STRING"}, "b": {"type": "INTEGER"}},
    }
    # siblings without properties are not merged in as a part
    schema["required"] = ["a"]
    schema["description"] = 5
    assert _to_gemini_schema(schema) == {
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
                assert _to_gemini_schema(schema) == expected


def test_a_nullable_union_of_several_branches_stays_nullable() -> None:
    schema = {"anyOf": [{"enum": ["a"]}, {"enum": ["b"]}], "nullable": True}
    assert _to_gemini_schema(schema) == {
        "type": "STRING",
        "format": "enum",
        "nullable": True,
        "enum": ["a", "b"],
    }
    schema["nullable"] = False
    assert "nullable" not in _to_gemini_schema(schema)


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
    assert _to_gemini_schema(schema)["properties"] == {
        "x": {"type": "STRING"},
        "y": {"type": "STRING"},
    }


def test_union_details() -> None:
    assert _to_gemini_schema({"anyOf": [STR], "nullable": True}) == {
        "type": "STRING",
        "nullable": True,
    }
    # anyOf is read before oneOf; a discriminator is dropped
    assert _to_gemini_schema({"anyOf": [STR], "oneOf": [INT], "discriminator": "x"}) == {
        "type": "STRING"
    }
    assert _to_gemini_schema({"anyOf": [True, {"type": "null"}], "type": "integer"}) == {
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
    assert _to_gemini_schema(schema) == {"type": "STRING", "description": "one", "nullable": True}
    schema["description"] = "outer"
    assert _to_gemini_schema(schema)["description"] == "outer"
    different = {
        "anyOf": [{"type": "string", "description": "a"}, {"type": "string", "description": "b"}]
    }
    assert _to_gemini_schema(different) == {"type": "STRING"}
    undescribed = {"anyOf": [STR, STR]}
    assert _to_gemini_schema(undescribed) == {"type": "STRING"}


def test_string_enum_branches_merge() -> None:
    schema = {"oneOf": [{"enum": ["a", "b"]}, {"const": "b"}, {"enum": ["c"], "description": "x"}]}
    assert _to_gemini_schema(schema) == {
        "type": "STRING",
        "format": "enum",
        "enum": ["a", "b", "c"],
    }


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
