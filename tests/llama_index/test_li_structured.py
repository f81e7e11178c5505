"""Structured output: Gemini's native responseSchema through chat, and the fallbacks."""

from __future__ import annotations

import json

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock, VideoBlock
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.program.utils import FlexibleModel
from llama_index.core.prompts import ChatPromptTemplate, PromptTemplate
from llama_index.core.types import PydanticProgramMode
from pydantic import BaseModel, Field

from llama_index_memories import MemoriesMultiModal
from memories_client import JSONOutputError
from memories_client.integration import strip_json_fences
from memories_emulator import Emulator


class Person(BaseModel):
    name: str
    age: int = Field(description="Age in years")


class Scene(BaseModel):
    """A described scene."""

    title: str
    people: list[Person]
    mood: str | None = None


PROMPT = PromptTemplate("Describe {what}.")


def _scene_ok(scene: object) -> None:
    assert isinstance(scene, Scene)
    assert scene.people and isinstance(scene.people[0], Person)
    assert isinstance(scene.people[0].age, int)


def test_structured_predict_nested_model_native(gemini: MemoriesMultiModal, emu: Emulator) -> None:
    scene = gemini.structured_predict(Scene, PROMPT, what="a beach")
    _scene_ok(scene)
    metadata = emu.requests[-1].body["extra_body"]["metadata"]
    assert metadata["response_mime_type"] == "application/json"
    people = metadata["responseSchema"]["properties"]["people"]
    assert people["type"] == "ARRAY"
    assert people["items"]["properties"]["age"]["type"] == "INTEGER"  # $ref inlined
    assert "toolConfig" not in metadata


async def test_astructured_predict(gemini: MemoriesMultiModal) -> None:
    _scene_ok(await gemini.astructured_predict(Scene, PROMPT, what="a beach"))


def test_stream_structured_predict(gemini: MemoriesMultiModal) -> None:
    parts = list(gemini.stream_structured_predict(Scene, PROMPT, what="a beach"))
    assert all(isinstance(p, (Scene, FlexibleModel)) for p in parts)
    _scene_ok(parts[-1])


async def test_astream_structured_predict(gemini: MemoriesMultiModal) -> None:
    parts = [p async for p in await gemini.astream_structured_predict(Scene, PROMPT, what="x")]
    _scene_ok(parts[-1])


def test_multimodal_chat_prompt_template(gemini: MemoriesMultiModal, emu: Emulator) -> None:
    template = ChatPromptTemplate(
        message_templates=[
            ChatMessage(role="system", content="You describe media."),
            ChatMessage(
                role="user",
                blocks=[
                    VideoBlock(url="https://storage.googleapis.com/b/clip.mp4"),
                    ImageBlock(url="https://example.invalid/frame.jpg"),
                    TextBlock(text="Describe {what}"),
                ],
            ),
        ]
    )
    _scene_ok(gemini.structured_predict(Scene, template, what="the clip"))
    content = emu.requests[-1].body["messages"][1]["content"]
    assert [p["type"] for p in content] == ["input_file", "input_file", "text"]
    assert content[2]["text"] == "Describe the clip"


def test_usage_and_chat_events_survive(gemini: MemoriesMultiModal) -> None:
    counter = TokenCountingHandler(tokenizer=lambda s: [])
    gemini.callback_manager = CallbackManager([counter])
    gemini.structured_predict(Scene, PROMPT, what="a beach")
    assert counter.prompt_llm_token_count == 5  # ceil(len("Describe a beach.") / 4)
    assert counter.completion_llm_token_count > 0


class _Collector(BaseEventHandler):
    events: list[str] = []

    @classmethod
    def class_name(cls) -> str:
        return "collector"

    def handle(self, event: BaseEvent, **kwargs: object) -> None:
        self.events.append(event.class_name())


def test_structured_predict_events(gemini: MemoriesMultiModal) -> None:
    collector = _Collector(events=[])
    root = get_dispatcher()
    root.add_event_handler(collector)
    try:
        gemini.structured_predict(Scene, PROMPT, what="a beach")
        list(gemini.stream_structured_predict(Scene, PROMPT, what="a beach"))
    finally:
        root.event_handlers.remove(collector)
    names = collector.events
    assert names.count("LLMStructuredPredictStartEvent") == 2
    assert names.count("LLMStructuredPredictEndEvent") == 2
    assert "LLMStructuredPredictInProgressEvent" in names
    assert names.count("LLMChatStartEvent") == 2


def test_as_structured_llm(gemini: MemoriesMultiModal, emu: Emulator) -> None:
    sllm = gemini.as_structured_llm(Scene)
    response = sllm.chat(
        [
            ChatMessage(
                role="user",
                blocks=[
                    ImageBlock(url="https://example.invalid/a.png"),
                    TextBlock(text="Describe"),
                ],
            )
        ]
    )
    _scene_ok(response.raw)
    assert Scene.model_validate_json(response.message.content or "") == response.raw
    assert "responseSchema" in emu.requests[-1].body["extra_body"]["metadata"]
    _scene_ok(Scene.model_validate_json(sllm.complete("Describe a beach").text))
    assert isinstance(list(sllm.stream_chat([ChatMessage(content="x")]))[-1].raw, Scene)


async def test_as_structured_llm_async(gemini: MemoriesMultiModal) -> None:
    sllm = gemini.as_structured_llm(Scene)
    _scene_ok((await sllm.achat([ChatMessage(content="Describe")])).raw)
    chunks = [c async for c in await sllm.astream_chat([ChatMessage(content="Describe")])]
    _scene_ok(chunks[-1].raw)


def test_nova_uses_the_function_calling_program(nova: MemoriesMultiModal, emu: Emulator) -> None:
    scene = nova.structured_predict(Scene, PROMPT, what="a beach")
    _scene_ok(scene)
    config = emu.requests[-1].body["extra_body"]["metadata"]["toolConfig"]
    assert config["tools"][0]["toolSpec"]["name"] == "Scene"
    assert config["toolChoice"] == {"any": {}}


def test_nova_as_structured_llm(nova: MemoriesMultiModal) -> None:
    _scene_ok(nova.as_structured_llm(Scene).chat([ChatMessage(content="Describe")]).raw)


def test_non_default_mode_falls_back_to_core_programs(emu: Emulator) -> None:
    llm = MemoriesMultiModal(
        api_key="k", base_url=emu.base_url, pydantic_program_mode=PydanticProgramMode.LLM
    )
    with pytest.raises(ValueError):  # the emulator answers prose to a text-completion program
        llm.structured_predict(Scene, PROMPT, what="a beach")
    assert "extra_body" not in emu.requests[-1].body  # no responseSchema: core's own program


def test_function_mode_on_gemini_says_tools_are_unsupported(emu: Emulator) -> None:
    llm = MemoriesMultiModal(
        api_key="k", base_url=emu.base_url, pydantic_program_mode=PydanticProgramMode.FUNCTION
    )
    with pytest.raises(ValueError, match="does not support function calling"):
        llm.structured_predict(Scene, PROMPT, what="a beach")


# -- parsing edge cases on a mocked transport ----------------------------------------------------


def _gemini_with_answer(text: str) -> MemoriesMultiModal:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "id": "resp_1",
                "object": "completion",
                "status": "completed",
                "choices": [{"text": text, "index": 0}],
                "usage": {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8},
            },
        )

    return MemoriesMultiModal(
        api_key="k",
        base_url="http://127.0.0.1:1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


def test_json_with_prose_and_fences_is_parsed_leniently() -> None:
    answer = {"title": "t", "people": [{"name": "n", "age": 4}]}
    llm = _gemini_with_answer(f"Here it is:\n```json\n{json.dumps(answer)}\n```\nDone.")
    assert llm.structured_predict(Scene, PROMPT, what="x") == Scene.model_validate(answer)


def test_invalid_json_raises_with_the_answer() -> None:
    llm = _gemini_with_answer('{"title": "t", "people": [{"name": "n", "age": "old"}]}')
    with pytest.raises(JSONOutputError) as info:
        llm.structured_predict(Scene, PROMPT, what="x")
    assert "people[0].age" in str(info.value)
    assert info.value.text.startswith('{"title"')


def test_nova_streaming_structured_through_tools(nova: MemoriesMultiModal) -> None:
    parts = list(nova.stream_structured_predict(Person, PROMPT, what="someone"))
    assert parts[-1] == Person(name="example name", age=34)  # the emulator's number for "age"


async def test_nova_async_structured(nova: MemoriesMultiModal) -> None:
    assert await nova.astructured_predict(Person, PROMPT, what="x") == Person(
        name="example name", age=34
    )
    parts = [p async for p in await nova.astream_structured_predict(Person, PROMPT, what="x")]
    assert parts[-1] == Person(name="example name", age=34)


# -- as_structured_llm: one model call, one LLM event --------------------------------------------


def _no_tokenizer(text: str) -> list[int]:
    raise AssertionError("TokenCountingHandler fell back to estimating tokens")


class _ChatEnds(BaseEventHandler):
    """The service's usage of every model call, from the model's own LLMChatEndEvent."""

    usages: list[dict[str, int]] = []

    @classmethod
    def class_name(cls) -> str:
        return "chat_ends"

    def handle(self, event: BaseEvent, **kwargs: object) -> None:
        response = getattr(event, "response", None)
        raw = getattr(response, "raw", None)
        if event.class_name() == "LLMChatEndEvent" and isinstance(raw, dict) and "usage" in raw:
            self.usages.append(raw["usage"])


async def _call_structured(sllm: object, how: str) -> None:
    messages = [ChatMessage(role="user", content="Describe a beach")]
    if how == "chat":
        _scene_ok(sllm.chat(messages).raw)  # type: ignore[attr-defined]
    elif how == "achat":
        _scene_ok((await sllm.achat(messages)).raw)  # type: ignore[attr-defined]
    elif how == "stream_chat":
        _scene_ok(list(sllm.stream_chat(messages))[-1].raw)  # type: ignore[attr-defined]
    elif how == "astream_chat":
        chunks = [c async for c in await sllm.astream_chat(messages)]  # type: ignore[attr-defined]
        _scene_ok(chunks[-1].raw)
    elif how == "complete":
        _scene_ok(Scene.model_validate_json(sllm.complete("Describe a beach").text))  # type: ignore[attr-defined]
    else:
        completion = await sllm.acomplete("Describe a beach")  # type: ignore[attr-defined]
        _scene_ok(Scene.model_validate_json(completion.text))


@pytest.mark.parametrize(
    "how", ["chat", "achat", "stream_chat", "astream_chat", "complete", "acomplete"]
)
@pytest.mark.parametrize("model", ["gemini:gemini-2.5-flash", "nova:us.amazon.nova-lite-v1:0"])
async def test_structured_llm_is_counted_once_with_the_service_usage(
    emu: Emulator, model: str, how: str
) -> None:
    from llama_index.core import Settings

    counter = TokenCountingHandler(tokenizer=_no_tokenizer)  # any estimate fails the test
    ends = _ChatEnds(usages=[])
    root = get_dispatcher()
    old = Settings.callback_manager
    Settings.callback_manager = CallbackManager([counter])
    root.add_event_handler(ends)
    try:
        llm = MemoriesMultiModal(model=model, api_key="k", base_url=emu.base_url)
        await _call_structured(llm.as_structured_llm(Scene), how)
    finally:
        Settings.callback_manager = old
        root.event_handlers.remove(ends)
    assert len(emu.requests) == 1
    (usage,) = ends.usages
    assert len(counter.llm_token_counts) == 1
    assert counter.prompt_llm_token_count == usage["prompt_tokens"]
    assert counter.completion_llm_token_count == usage["completion_tokens"]
    assert counter.total_llm_token_count == usage["total_tokens"]


def test_structured_llm_keeps_its_event_for_a_handler_only_it_has(
    gemini: MemoriesMultiModal,
) -> None:
    counter = TokenCountingHandler(tokenizer=lambda s: [])
    sllm = gemini.as_structured_llm(Scene, callback_manager=CallbackManager([counter]))
    _scene_ok(sllm.chat([ChatMessage(content="Describe")]).raw)
    # The model itself has no handler, so the wrapper's event is the only one this handler
    # can see: it is still recorded (LlamaIndex's own behaviour).
    assert len(counter.llm_token_counts) == 1


def test_structured_llm_is_a_structured_llm(gemini: MemoriesMultiModal) -> None:
    from llama_index.core.llms.structured_llm import StructuredLLM

    sllm = gemini.as_structured_llm(Scene)
    assert isinstance(sllm, StructuredLLM)
    assert sllm.class_name() == "structured_llm"
    assert sllm.metadata == gemini.metadata


def test_a_closing_fence_still_arriving_is_left_out_of_partial_objects() -> None:
    # The layer's partial objects read the growing text through the core's strip_json_fences.
    partial = '```json\n{"name": "Ann"}\n``'
    assert strip_json_fences(partial) == '{"name": "Ann"}'
