"""The hand-written validator against the reference implementation, on the subset it supports.

``memories_client.schema.validation`` explains why the package validates schema dicts itself
instead of depending on ``jsonschema``; this keeps that choice honest: on generated schemas and
values of the supported keywords both must reach the same verdict. ``jsonschema`` is a
development dependency only.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memories_client.schema import validate_instance

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(-5, 5, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1.0, 2.5]),
    st.text(alphabet="ab1", max_size=4),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    ),
    max_leaves=8,
)
_TYPES = ["object", "array", "string", "integer", "number", "boolean", "null"]
_BOUND = st.integers(-3, 3)
_LENGTH = st.integers(0, 3)


_NUMERIC = st.fixed_dictionaries(
    {"type": st.sampled_from(["integer", "number"])},
    optional={
        "minimum": _BOUND,
        "maximum": _BOUND,
        "exclusiveMinimum": _BOUND,
        "exclusiveMaximum": _BOUND,
    },
)
_STRING = st.fixed_dictionaries(
    {"type": st.just("string")},
    optional={
        "minLength": _LENGTH,
        "maxLength": _LENGTH,
        "pattern": st.sampled_from(["^a", "b$", "[0-9]", "^a*$"]),
    },
)
# Scalars that sit on the bounds above, so off-by-one mistakes show.
_EDGES = st.one_of(_BOUND, st.builds(float, _BOUND), st.text(alphabet="ab1", max_size=4))


def _leaf() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda t: {"type": t}, st.sampled_from(_TYPES)),
        st.builds(
            lambda ts: {"type": ts}, st.lists(st.sampled_from(_TYPES), min_size=1, unique=True)
        ),
        st.builds(lambda vs: {"enum": vs}, st.lists(_SCALARS, min_size=1, max_size=3)),
        st.builds(lambda v: {"const": v}, _SCALARS),
        _NUMERIC,
        _STRING,
        st.just({}),
        st.booleans(),
    )


def _compound(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    names = st.sampled_from(["a", "b", "c"])
    return st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("object")},
            optional={
                "properties": st.dictionaries(names, inner, max_size=3),
                "required": st.lists(names, max_size=3, unique=True),
                "additionalProperties": st.one_of(st.booleans(), inner),
            },
        ),
        st.fixed_dictionaries(
            {"type": st.just("array")},
            optional={"items": inner, "minItems": _LENGTH, "maxItems": _LENGTH},
        ),
        st.builds(lambda bs: {"prefixItems": bs}, st.lists(inner, min_size=1, max_size=2)),
        st.builds(
            lambda key, bs: {key: bs},
            st.sampled_from(["allOf", "anyOf", "oneOf"]),
            st.lists(inner, min_size=1, max_size=3),
        ),
        st.builds(lambda b: {"not": b}, inner),
    )


_SCHEMAS = st.recursive(_leaf(), _compound, max_leaves=6)


def _reference_verdict(value: Any, schema: Any) -> bool:
    return bool(jsonschema.Draft202012Validator(schema).is_valid(value))


@settings(max_examples=600)
@given(schema=_SCHEMAS, value=_VALUES)
def test_same_verdict_as_jsonschema(schema: Any, value: Any) -> None:
    root = schema if isinstance(schema, dict) else {"allOf": [schema]}
    assert (validate_instance(value, root) == []) == _reference_verdict(value, root), (
        validate_instance(value, root)
    )


@settings(max_examples=400)
@given(schema=st.one_of(_NUMERIC, _STRING), value=st.one_of(_EDGES, _SCALARS))
def test_same_verdict_on_bounds(schema: dict[str, Any], value: Any) -> None:
    # Values on the bounds, which the random trees above reach too rarely.
    assert (validate_instance(value, schema) == []) == _reference_verdict(value, schema)


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        # A recursive definition through a local $ref.
        (
            {
                "$defs": {
                    "node": {
                        "type": "object",
                        "properties": {
                            "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}
                        },
                        "required": ["next"],
                    }
                },
                "$ref": "#/$defs/node",
            },
            {"next": {"next": None}},
        ),
        (
            {"$defs": {"n": {"type": "integer", "minimum": 1}}, "items": {"$ref": "#/$defs/n"}},
            [1, 2, 0],
        ),
        # Integral floats are integers; booleans are never numbers.
        ({"type": "integer"}, 3.0),
        ({"type": "number"}, True),
        ({"enum": [1]}, True),
        ({"enum": [1]}, 1.0),
    ],
)
def test_same_verdict_on_refs_and_number_edges(schema: dict[str, Any], value: Any) -> None:
    assert (validate_instance(value, schema) == []) == _reference_verdict(value, schema)
