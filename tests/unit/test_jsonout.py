"""Lenient JSON parsing of model answers and strict validation against the requested schema."""

from __future__ import annotations

import json
import pickle
from typing import Annotated, Any, Literal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError
from typing_extensions import TypedDict

from memories_client._jsonout import (
    JSONOutputError,
    parse_json_output,
    parse_structured,
    strip_json_fences,
)
from memories_client.errors import MemoriesError, MemoriesInputError


class Joke(BaseModel):
    """Joke to tell user."""

    setup: str = Field(description="question to set up a joke")
    punchline: str | None = Field(default=None, description="answer to resolve the joke")


class JokeDict(TypedDict):
    """Joke to tell user."""

    setup: Annotated[str, ..., "question to set up a joke"]
    punchline: Annotated[str | None, None, "The punchline"]


class Person(BaseModel):
    name: str
    age: int


class People(BaseModel):
    people: list[Person]


class Rated(BaseModel):
    stars: Literal[1, 2, 3]
    ok: Literal[True]


JOKE_SCHEMA: dict[str, Any] = {
    "title": "joke",
    "type": "object",
    "properties": {"setup": {"type": "string"}, "rating": {"enum": [1, 2, 3]}},
    "required": ["setup"],
}

# ---------------------------------------------------------------------------------------------
# strip_json_fences
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('```JSON\n{"a": 1}\n```', '{"a": 1}'),
        ('```\n{"a": 1}\n```', '{"a": 1}'),
        ('  \n\n```json  \n\n  {"a": 1}  \n\n```  \n', '{"a": 1}'),
        ('```json\r\n{"a": 1}\r\n```\r\n', '{"a": 1}'),
        ('Here is the JSON:\n```json\n{"a": 1}\n```\nLet me know!', '{"a": 1}'),
        ('```json\n{"a": 1}\n```\ntext\n```json\n{"b": 2}\n```', '{"a": 1}'),
        ('```json {"a": 1}```', '{"a": 1}'),
        ('```{"a": 1}```', '{"a": 1}'),
        ('```json\n{"a": 1}', '{"a": 1}'),  # closing fence missing
        ('```json\n{"a": 1}```', '{"a": 1}'),  # closing fence glued to the content
        ('````json\n{"a": "```"}\n````', '{"a": "```"}'),
        ('```json\n{"code": "```py\\nx\\n```"}\n```', '{"code": "```py\\nx\\n```"}'),
        ('```json\n{\n  "a": [\n    1\n  ]\n}\n```', '{\n  "a": [\n    1\n  ]\n}'),
        ('  {"a": 1}  ', '{"a": 1}'),
        ("", ""),
        # A streamed answer, cut anywhere (LlamaIndex's partial objects read these):
        ("```jso", ""),  # only the opening fence so far
        ('```json\n{"na', '{"na'),
        ('```json\n{"a": 1}\n`', '{"a": 1}'),  # the closing fence still arriving
        ('```json\n{"a": 1}\n``', '{"a": 1}'),
        ('```json {"a"', '{"a"'),  # a one-line block, unfinished
    ],
)
def test_strip_json_fences(text: str, expected: str) -> None:
    assert strip_json_fences(text) == expected


# ---------------------------------------------------------------------------------------------
# parse_json_output
# ---------------------------------------------------------------------------------------------


def test_parse_plain_and_fenced() -> None:
    assert parse_json_output('{"a": [1, 2.5, null, true]}') == {"a": [1, 2.5, None, True]}
    assert parse_json_output('```json\n["x"]\n```') == ["x"]
    assert parse_json_output("```\n42\n```") == 42
    assert parse_json_output('"just a string"') == "just a string"


def test_parse_json_with_prose_around() -> None:
    text = 'Sure! Here is the answer: {"name": "Ann", "tags": ["a"]} Hope this helps.'
    assert parse_json_output(text) == {"name": "Ann", "tags": ["a"]}
    assert parse_json_output('I found [1, 2] items:\n[{"id": 1}, {"id": 2}]') == [
        {"id": 1},
        {"id": 2},
    ]  # the longest JSON value wins over a short bracketed aside


def test_parse_skips_prose_braces_and_strings_with_brackets() -> None:
    text = 'Using {curly} notation, the result is {"msg": "a } inside [ a string"}.'
    assert parse_json_output(text) == {"msg": "a } inside [ a string"}


def test_backticks_inside_json_strings_are_not_fences() -> None:
    assert parse_json_output('[{"```": null}, []]') == [{"```": None}, []]
    assert parse_json_output('Result: {"md": "```json\\n{}\\n```"} done') == {
        "md": "```json\n{}\n```"
    }
    text = 'Note: ```inline``` aside\n```json\n{"a": "```"}\n```'
    assert parse_json_output(text) == {"a": "```"}  # the fence at a line start wins


def test_parse_fenced_block_that_is_not_json_falls_back_to_the_text() -> None:
    text = '```python\nprint("hi")\n```\nResult: {"ok": true}'
    assert parse_json_output(text) == {"ok": True}


def test_truncated_answer_is_not_passed_off_as_an_inner_object() -> None:
    text = '```json\n{"people": [{"name": "a", "age": 1}, {"name": "b", "ag'
    with pytest.raises(JSONOutputError, match="could not parse JSON"):
        parse_json_output(text)


def test_parse_error_quotes_the_first_200_characters() -> None:
    text = "I'm sorry, I can't produce that. " + "x" * 500
    with pytest.raises(JSONOutputError) as info:
        parse_json_output(text)
    err = info.value
    assert err.text == text
    assert repr(text[:200]) in str(err)
    assert text[:201] not in str(err)
    assert "533 characters in all" in str(err)
    assert isinstance(err, MemoriesError)
    assert isinstance(err, ValueError)


def test_empty_answer() -> None:
    with pytest.raises(JSONOutputError, match="no JSON"):
        parse_json_output("```json\n```")
    with pytest.raises(JSONOutputError, match="no JSON"):
        parse_json_output("   ")


def test_non_string_input() -> None:
    with pytest.raises(MemoriesInputError, match="as a str"):
        parse_json_output(b"{}")  # type: ignore[arg-type]


def test_error_survives_pickling() -> None:
    err = JSONOutputError("bad", text="raw", errors=["a: b"])
    copy = pickle.loads(pickle.dumps(err))
    assert (str(copy), copy.text, copy.errors) == ("bad", "raw", ["a: b"])


# ---------------------------------------------------------------------------------------------
# parse_structured
# ---------------------------------------------------------------------------------------------


def test_structured_pydantic() -> None:
    joke = parse_structured('```json\n{"setup": "Why?", "punchline": "Because."}\n```', Joke)
    assert joke == Joke(setup="Why?", punchline="Because.")
    assert parse_structured('{"setup": "Why?"}', Joke).punchline is None


def test_structured_pydantic_failure_lists_fields_and_chains() -> None:
    text = '{"people": [{"name": "a", "age": 1}, {"name": 5}]}'
    with pytest.raises(JSONOutputError) as info:
        parse_structured(text, People)
    err = info.value
    assert isinstance(err.__cause__, ValidationError)
    assert err.errors == [
        "people[1].name: Input should be a valid string",
        "people[1].age: Field required",
    ]
    assert "does not match People" in str(err)
    assert "people[1].age: Field required" in str(err)
    assert err.text == text


def test_structured_pydantic_restores_stringified_enums() -> None:
    # Gemini answers "2" / "true" because its enums are strings (see to_gemini_schema)
    assert parse_structured('{"stars": "2", "ok": "true"}', Rated) == Rated(stars=2, ok=True)


def test_structured_typeddict_fills_annotated_default() -> None:
    assert parse_structured('{"setup": "Why?"}', JokeDict) == {"setup": "Why?", "punchline": None}
    assert parse_structured('{"setup": "Why?", "punchline": "No."}', JokeDict) == {
        "setup": "Why?",
        "punchline": "No.",
    }


def test_structured_typeddict_failure() -> None:
    with pytest.raises(JSONOutputError, match="does not match JokeDict: setup: Field required"):
        parse_structured('{"punchline": "No."}', JokeDict)


def test_structured_dict_schema() -> None:
    assert parse_structured('{"setup": "s", "rating": "3"}', JOKE_SCHEMA) == {
        "setup": "s",
        "rating": 3,
    }
    with pytest.raises(JSONOutputError) as info:
        parse_structured('{"rating": 5}', JOKE_SCHEMA)
    assert info.value.errors == [
        "setup: required field is missing",
        "rating: expected one of [1, 2, 3], got 5",
    ]
    assert "does not match the schema 'joke'" in str(info.value)


def test_structured_openai_function_dict() -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "record",
            "description": "Record a person.",
            "parameters": {
                "type": "object",
                "properties": {"name": {"type": "string"}},
                "required": ["name"],
            },
        },
    }
    assert parse_structured('{"name": "Ann"}', tool) == {"name": "Ann"}
    with pytest.raises(JSONOutputError, match="does not match the schema 'record'"):
        parse_structured("{}", tool)


def test_structured_unparseable_answer() -> None:
    with pytest.raises(JSONOutputError, match="could not parse JSON") as info:
        parse_structured("No joke today.", Joke)
    assert info.value.errors == []


@pytest.mark.parametrize("bad", [int, "schema", 3, Joke(setup="x")])
def test_structured_bad_target(bad: Any) -> None:
    with pytest.raises(MemoriesInputError, match="Pydantic v2 model class"):
        parse_structured("{}", bad)


# ---------------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.text(alphabet='`{}[]"\\ \nab'),  # strings full of fences, brackets and quotes
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=15,
)
CONTAINERS = st.lists(JSON_VALUES, max_size=4) | st.dictionaries(
    st.text(max_size=8), JSON_VALUES, max_size=4
)
# prose a model might add: no backticks, brackets, braces or quotes
PROSE = st.text(
    alphabet=st.characters(exclude_characters='`{}[]"', codec="utf-8"),
    max_size=40,
)
DUMPS = st.sampled_from(
    [
        json.dumps,
        lambda v: json.dumps(v, ensure_ascii=False),
        lambda v: json.dumps(v, indent=2),
    ]
)


def test_an_answer_that_is_json_is_taken_whole_even_with_fences_inside_its_strings() -> None:
    # Found by the property below: the fence search saw ``` inside the strings and parsed
    # the ", " between them as the answer.
    assert parse_json_output('["```", "```"]') == ["```", "```"]
    assert parse_json_output('{"a": "```x```", "b": "```"}') == {"a": "```x```", "b": "```"}
    # ... and with prose around it, where the fence search alone would find ", " too
    assert parse_json_output(' [["```", "```"]] 0') == [["```", "```"]]
    assert parse_json_output('Sure: ```json {"a": 1}``` done') == {"a": 1}


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, dumps=DUMPS, tag=st.sampled_from(["json", "JSON", ""]))
@example(value=["```", "```"], dumps=json.dumps, tag="json")
def test_fenced_json_round_trips(value: Any, dumps: Any, tag: str) -> None:
    assert parse_json_output(f"```{tag}\n{dumps(value)}\n```") == value
    assert parse_json_output(dumps(value)) == value


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, dumps=DUMPS, before=PROSE, after=PROSE)
def test_fenced_json_with_prose_round_trips(
    value: Any, dumps: Any, before: str, after: str
) -> None:
    text = f"{before}\n```json\n{dumps(value)}\n```\n{after}"
    assert parse_json_output(text) == value


@settings(max_examples=300, deadline=None)
@given(value=CONTAINERS, dumps=DUMPS, before=PROSE, after=PROSE)
@example(value=[["```", "```"]], dumps=json.dumps, before="", after="0")
def test_unfenced_json_with_prose_round_trips(
    value: Any, dumps: Any, before: str, after: str
) -> None:
    assert parse_json_output(f"{before} {dumps(value)} {after}") == value


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_parse_never_raises_anything_unexpected(text: str) -> None:
    failure: JSONOutputError | None = None
    try:
        parse_json_output(text)
    except JSONOutputError as err:
        failure = err
    assert failure is None or failure.text == text
