"""Structured output: native responseSchema for Gemini, tools / prompted JSON for Nova."""

from __future__ import annotations

import json
import warnings
from enum import Enum
from typing import Annotated, Any

import httpx
import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage
from pydantic import BaseModel, Field
from pydantic.v1 import BaseModel as BaseModelV1
from typing_extensions import TypedDict

from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from memories_emulator import Emulator


class Mood(str, Enum):
    HAPPY = "happy"
    SAD = "sad"


class Person(BaseModel):
    name: str = Field(description="the person's name")
    age: int | None = None
    mood: Mood


class Scene(BaseModel):
    """A scene of the video."""

    summary: str
    people: list[Person]
    location: str | None = Field(default=None, description="where it happens")


class Joke(TypedDict):
    setup: Annotated[str, ..., "the setup"]
    punchline: Annotated[str | None, None, "the punchline"]


def _metadata(emu: Emulator) -> dict[str, Any]:
    return dict(emu.requests[-1].body.get("extra_body", {}).get("metadata", {}))


def _system_texts(emu: Emulator) -> list[str]:
    return [m["content"] for m in emu.requests[-1].body["messages"] if m["role"] == "system"]


def test_gemini_native_schema_handles_optional_nested_lists_enums(emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    scene = llm.with_structured_output(Scene).invoke("Describe the scene.")
    assert isinstance(scene, Scene)
    assert all(isinstance(p, Person) for p in scene.people)
    schema = _metadata(emulator)["responseSchema"]
    assert _metadata(emulator)["response_mime_type"] == "application/json"
    assert schema["type"] == "OBJECT"
    person = schema["properties"]["people"]["items"]
    assert person["properties"]["age"] == {"type": "INTEGER", "nullable": True}
    assert person["properties"]["mood"]["enum"] == ["happy", "sad"]
    assert schema["properties"]["location"]["nullable"] is True
    assert "$ref" not in json.dumps(schema) and "$defs" not in json.dumps(schema)


def test_gemini_typeddict_and_dict_schemas(emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    joke = llm.with_structured_output(Joke).invoke("joke")
    assert isinstance(joke, dict) and "setup" in joke
    as_dict = llm.with_structured_output(Scene.model_json_schema()).invoke("scene")
    assert isinstance(as_dict, dict) and isinstance(as_dict["people"], list)


def test_gemini_json_mode_puts_schema_in_prompt(emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    result = llm.with_structured_output(Person, method="json_mode").invoke("Who is it?")
    assert isinstance(result, Person)
    assert _metadata(emulator)["response_mime_type"] == "application/json"
    [system] = _system_texts(emulator)
    assert "```json" in system and '"mood"' in system


def test_gemini_function_calling_falls_back_with_warning(emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    with pytest.warns(UserWarning, match="does not support structured output method"):
        chain = llm.with_structured_output(Person, method="function_calling")
    assert isinstance(chain.invoke("who?"), Person)


def test_gemini_inexpressible_schema_falls_back_to_json_mode(emulator: Emulator) -> None:
    class Tags(BaseModel):
        counts: dict[str, int]

    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    with pytest.warns(UserWarning, match="cannot be sent as Gemini's responseSchema"):
        chain = llm.with_structured_output(Tags, include_raw=True)
    chain.invoke("count")
    assert "responseSchema" not in _metadata(emulator)
    assert "```json" in _system_texts(emulator)[0]


def test_nova_function_calling_default(emulator: Emulator) -> None:
    llm = ChatMemoriesNova(api_key="test", base_url=emulator.base_url)
    person = llm.with_structured_output(Person).invoke("Who is it?")
    assert isinstance(person, Person)
    config = _metadata(emulator)["toolConfig"]
    assert config["toolChoice"] == {"tool": {"name": "Person"}}
    streamed = list(llm.with_structured_output(Person).stream("Who is it?"))
    assert len(streamed) == 1 and isinstance(streamed[0], Person)


def test_nova_json_mode_is_prompted_and_validated(emulator: Emulator) -> None:
    llm = ChatMemoriesNova(api_key="test", base_url=emulator.base_url)
    chain = llm.with_structured_output(Scene, method="json_mode")
    scene = chain.invoke([("system", "You describe videos."), ("human", "Describe it.")])
    assert isinstance(scene, Scene)
    [system] = _system_texts(emulator)  # merged into the caller's system message
    assert system.startswith("You describe videos.")
    assert "```json" in system
    assert "toolConfig" not in _metadata(emulator)


def test_nova_json_schema_falls_back_with_warning() -> None:
    llm = ChatMemoriesNova(api_key="test")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        llm.with_structured_output(Person, method="json_schema")
    assert any("using 'function_calling'" in str(w.message) for w in caught)


@pytest.mark.parametrize("cls", [ChatMemoriesGemini, ChatMemoriesNova])
def test_pydantic_v1_models(emulator: Emulator, cls: type[Any]) -> None:
    class OldJoke(BaseModelV1):
        setup: str
        punchline: str

    llm = cls(api_key="test", base_url=emulator.base_url)
    assert isinstance(llm.with_structured_output(OldJoke).invoke("joke"), OldJoke)


def _answering(text: str) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return httpx.Response(
            200,
            json={
                "id": "resp_1",
                "object": "completion",
                "model": body["model"],
                "status": "completed",
                "choices": [{"text": text, "index": 0}],
                "usage": {"input_tokens": 5, "output_tokens": 5, "total_tokens": 10},
            },
        )

    return httpx.Client(transport=httpx.MockTransport(handler))


def _offline(text: str) -> ChatMemoriesGemini:
    return ChatMemoriesGemini(
        api_key="test", base_url="http://127.0.0.1:9", http_client=_answering(text)
    )


def test_fenced_json_with_prose_is_parsed() -> None:
    text = 'Sure! Here it is:\n```json\n{"name": "Ana", "mood": "happy"}\n```\nAnything else?'
    person = _offline(text).with_structured_output(Person).invoke("who?")
    assert person == Person(name="Ana", mood=Mood.HAPPY)


def test_invalid_output_raises_output_parser_exception() -> None:
    chain = _offline('{"name": "Ana", "mood": "angry"}').with_structured_output(Person)
    with pytest.raises(OutputParserException) as info:
        chain.invoke("who?")
    assert "mood" in str(info.value)
    assert info.value.llm_output == '{"name": "Ana", "mood": "angry"}'


def test_include_raw_reports_parsing_error() -> None:
    chain = _offline("I cannot answer that.").with_structured_output(Person, include_raw=True)
    result = chain.invoke("who?")
    assert isinstance(result["raw"], AIMessage)
    assert result["parsed"] is None
    assert isinstance(result["parsing_error"], OutputParserException)
    ok = (
        _offline('{"name": "Bo", "mood": "sad"}')
        .with_structured_output(Person, include_raw=True)
        .invoke("who?")
    )
    assert ok["parsing_error"] is None and ok["parsed"].name == "Bo"


def test_json_mode_without_schema_returns_any_json() -> None:
    chain = _offline("```json\n[1, 2, 3]\n```").with_structured_output(method="json_mode")
    assert chain.invoke("numbers") == [1, 2, 3]


def test_response_format_gives_bare_json_for_agents(emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    fmt = {
        "type": "json_schema",
        "json_schema": {"name": "Person", "schema": Person.model_json_schema()},
    }
    message = llm.invoke("who?", response_format=fmt)
    assert isinstance(json.loads(message.text), dict)  # fences stripped
    assert "responseSchema" in _metadata(emulator)
    streamed = "".join(c.text for c in llm.stream("who?", response_format=fmt))
    assert isinstance(json.loads(streamed), dict)
