"""Behaviour the standard suites do not cover, checked against the bodies the emulator recorded."""

from __future__ import annotations

import asyncio
import pickle
from typing import Any

import pytest
from langchain_core.load import dumpd, dumps, load
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

import memories_client as mc
from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from memories_emulator import Emulator

VIDEO = "https://storage.googleapis.com/bucket/clip.mp4"
IMAGE = "https://storage.googleapis.com/bucket/photo.png"
SECRET = "sk-mavi-do-not-leak-0123456789"


def gemini(emu: Emulator, **kwargs: Any) -> ChatMemoriesGemini:
    return ChatMemoriesGemini(api_key="test", base_url=emu.base_url, max_retries=0, **kwargs)


def nova(emu: Emulator, **kwargs: Any) -> ChatMemoriesNova:
    return ChatMemoriesNova(api_key="test", base_url=emu.base_url, max_retries=0, **kwargs)


def video_message(text: str = "What happens?", url: str = VIDEO) -> HumanMessage:
    return HumanMessage(content=[{"type": "text", "text": text}, {"type": "video", "url": url}])


# -- video -----------------------------------------------------------------------------------


def test_gemini_video_url_is_sent_as_input_file(emulator: Emulator) -> None:
    answer = gemini(emulator).invoke([video_message()])
    assert "1 video(s)" in answer.text
    [request] = emulator.requests
    assert request.path == "/vu/chat/completions"
    assert request.body["messages"][0]["content"][1] == {
        "type": "input_file",
        "file_uri": VIDEO,
        "mime_type": "video/mp4",
    }


def test_gemini_refuses_base64_video_before_any_request(emulator: Emulator) -> None:
    message = HumanMessage(
        content=[{"type": "video", "base64": "AAAAGGZ0eXBtcDQy", "mime_type": "video/mp4"}]
    )
    with pytest.raises(mc.MemoriesInputError, match="does not accept video as base64"):
        gemini(emulator).invoke([message])
    assert emulator.requests == []


def test_nova_video_goes_to_vu_and_images_to_iu(emulator: Emulator) -> None:
    llm = nova(emulator)
    assert "1 video(s)" in llm.invoke([video_message()]).text
    image = HumanMessage(
        content=[
            {"type": "text", "text": "And this?"},
            {"type": "image_url", "image_url": {"url": IMAGE}},
        ]
    )
    assert "1 image(s)" in llm.invoke([image]).text
    first, second = emulator.requests
    assert first.path == "/vu/chat/completions"
    assert first.body["messages"][0]["content"][1] == {
        "type": "video_url",
        "video_url": {"url": VIDEO},
    }
    assert second.path == "/iu/chat/completions"
    assert second.body["messages"][0]["content"][1]["image_url"] == {"url": IMAGE}


def test_mixed_video_and_image_in_one_prompt(emulator: Emulator) -> None:
    message = HumanMessage(
        content=[
            {"type": "text", "text": "Compare"},
            {"type": "video", "url": VIDEO},
            {"type": "image", "url": IMAGE},
        ]
    )
    assert "1 image(s), 1 video(s)" in gemini(emulator).invoke([message]).text


# -- thinking budget and per-call options ------------------------------------------------------


def _metadata(body: dict[str, Any]) -> dict[str, Any]:
    return dict(body.get("extra_body", {}).get("metadata", {}))


def test_thinking_budget_per_instance_and_per_call(emulator: Emulator) -> None:
    llm = gemini(emulator, thinking_budget=512)
    llm.invoke("first")
    llm.invoke("second", thinking_budget=0)
    llm.bind(thinking_budget=-1).invoke("third")
    budgets = [_metadata(r.body)["thinking_config"]["thinking_budget"] for r in emulator.requests]
    assert budgets == [512, 0, -1]


def test_thinking_budget_absent_unless_set(emulator: Emulator) -> None:
    gemini(emulator).invoke("hi")
    assert "thinking_config" not in _metadata(emulator.requests[0].body)


def test_per_call_overrides_reach_the_body(emulator: Emulator) -> None:
    llm = gemini(emulator, temperature=0.5, max_tokens=200, top_p=0.9)
    llm.invoke("hi", temperature=0.2, max_tokens=50, stop=["END"], presence_penalty=1.0)
    body = emulator.requests[0].body
    assert (body["temperature"], body["max_tokens"], body["top_p"]) == (0.2, 50, 0.9)
    assert (body["stop"], body["presence_penalty"]) == (["END"], 1.0)


def test_model_override_per_call(emulator: Emulator) -> None:
    answer = gemini(emulator).invoke("hi", model="gemini-2.5-pro")
    assert emulator.requests[0].body["model"] == "gemini:gemini-2.5-pro"
    assert answer.response_metadata["model_name"] == "gemini-2.5-pro"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"temperature": 3},
        {"top_p": 1.5},
        {"max_tokens": 0},
        {"n": 0},
        {"frequency_penalty": -3},
        {"thinking_budget": -2},
        {"timeout": 0},
        {"max_retries": -1},
    ],
)
def test_out_of_range_values_fail_at_construction(kwargs: dict[str, Any]) -> None:
    # The core's own error, as from MemoriesMultiModal and MemoriesClient: one validation path.
    name = next(iter(kwargs))
    with pytest.raises(mc.MemoriesInputError, match=name):
        ChatMemoriesGemini(api_key="test", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"temperature": 3}, "temperature must be a number between 0.0 and 2.0"),
        ({"thinking_budget": -5}, "thinking_budget"),
        ({"temprature": 0.1}, "unexpected argument 'temprature'; did you mean 'temperature'"),
        ({"model": "nova:us.amazon.nova-lite-v1:0"}, "belongs to the 'nova' family"),
    ],
)
def test_bad_per_call_values_fail_before_any_request(
    emulator: Emulator, kwargs: dict[str, Any], needle: str
) -> None:
    with pytest.raises(mc.MemoriesInputError) as info:
        gemini(emulator).invoke("hi", **kwargs)
    assert needle in str(info.value)
    assert emulator.requests == []


def test_gemini_options_are_refused_for_nova(emulator: Emulator) -> None:
    with pytest.raises(mc.MemoriesInputError, match="unexpected argument 'thinking_budget'"):
        nova(emulator).invoke("hi", thinking_budget=0)
    assert not emulator.requests


def test_wrong_family_model_fails_at_construction() -> None:
    with pytest.raises(mc.MemoriesInputError, match="belongs to the 'gemini' family"):
        ChatMemoriesNova(model="gemini:gemini-2.5-flash")


def test_construction_is_cheap_and_lazy(httpx_pools_built: list[object]) -> None:
    built = httpx_pools_built
    llm = ChatMemoriesGemini(api_key="test", base_url="http://127.0.0.1:9")
    llm.model_copy(update={"temperature": 0.1})
    pickle.loads(pickle.dumps(llm))
    assert built == []  # no pool until the first call


def test_changed_settings_rebuild_the_client(
    emulator: Emulator, memories_emulator_fn: Emulator
) -> None:
    llm = gemini(emulator)
    llm.invoke("first")
    moved = llm.model_copy(update={"base_url": memories_emulator_fn.base_url})
    moved.invoke("second")
    assert len(emulator.requests) == 1
    assert len(memories_emulator_fn.requests) == 1
    llm.invoke("third")  # the original still talks to its own server
    assert len(emulator.requests) == 2


def test_missing_key_fails_clearly_at_first_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEMORIES_API_KEY", raising=False)
    # A remote base URL: a loopback one (the emulator) needs no key.
    llm = ChatMemoriesGemini(base_url="https://api.example.com/v2")
    with pytest.raises(mc.MemoriesInputError, match="MEMORIES_API_KEY"):
        llm.invoke("hi")


def test_aliases_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEMORIES_API_KEY", SECRET)
    monkeypatch.setenv("MEMORIES_BASE_URL", "http://127.0.0.1:1234")
    llm = ChatMemoriesNova(model_name="nova:us.amazon.nova-pro-v1:0", stop_sequences=["x"])
    assert llm.model == "nova:us.amazon.nova-pro-v1:0"
    assert llm.stop == ["x"]
    assert llm.api_key is not None and llm.api_key.get_secret_value() == SECRET
    assert llm.base_url == "http://127.0.0.1:1234"


def test_default_headers_are_sent(emulator: Emulator) -> None:
    gemini(emulator, default_headers={"X-Trace": "abc"}).invoke("hi")
    assert emulator.requests[0].headers["x-trace"] == "abc"


# -- outputs -----------------------------------------------------------------------------------


def test_invoke_metadata_and_llm_output(emulator: Emulator) -> None:
    llm = nova(emulator)
    result = llm.generate([[HumanMessage("Hello")]])
    generation = result.generations[0][0]
    message = generation.message  # type: ignore[attr-defined]
    assert isinstance(message, AIMessage)
    usage = message.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] + usage["output_tokens"] == usage["total_tokens"]
    meta = message.response_metadata
    assert meta["model_name"] == "us.amazon.nova-lite-v1:0"
    assert meta["model_provider"] == "memories"
    assert meta["finish_reason"] == "stop"
    assert meta["id"].startswith("chatcmpl")
    assert result.llm_output is not None
    assert result.llm_output["model_name"] == "us.amazon.nova-lite-v1:0"
    assert result.llm_output["token_usage"]["total_tokens"] == usage["total_tokens"]


def test_n_gives_several_generations(emulator: Emulator) -> None:
    result = gemini(emulator, n=3).generate([[HumanMessage("Hello")]])
    texts = [g.text for g in result.generations[0]]
    assert len(texts) == 3
    assert len(set(texts)) == 3
    assert emulator.requests[0].body["n"] == 3


def test_stream_usage_and_metadata_exactly_once(emulator: Emulator) -> None:
    chunks = list(gemini(emulator).stream("Write me 2 haikus."))
    assert len(chunks) > 2
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert sum(1 for c in chunks if c.response_metadata.get("model_name")) == 1
    assert chunks[-1].chunk_position == "last"
    assert chunks[-1].usage_metadata is not None
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert isinstance(full, AIMessageChunk)
    assert full.usage_metadata == chunks[-1].usage_metadata
    assert full.response_metadata["model_name"] == "gemini-2.5-flash"
    assert full.text.startswith("Emulated answer")


def test_stream_usage_off(emulator: Emulator) -> None:
    chunks = list(gemini(emulator, stream_usage=False).stream("hi"))
    assert all(c.usage_metadata is None for c in chunks)
    chunks = list(gemini(emulator).stream("hi", stream_usage=False))
    assert all(c.usage_metadata is None for c in chunks)


def test_streaming_flag_makes_invoke_stream(emulator: Emulator) -> None:
    answer = gemini(emulator, streaming=True).invoke("hi")
    assert answer.text.startswith("Emulated answer")
    assert emulator.requests[0].body.get("stream") is True
    assert answer.usage_metadata is not None


def test_output_version_v1(emulator: Emulator) -> None:
    answer = gemini(emulator, output_version="v1").invoke("hi")
    assert isinstance(answer.content, list)
    assert answer.content[0]["type"] == "text"


def test_reasoning_tokens_reported(emulator: Emulator) -> None:
    answer = gemini(emulator, thinking_budget=256).invoke("Think about it.")
    usage = answer.usage_metadata
    assert usage is not None
    reasoning = usage.get("output_token_details", {}).get("reasoning")
    assert isinstance(reasoning, int) and reasoning > 0
    assert usage["output_tokens"] >= reasoning


async def test_async_clients_per_event_loop(memories_emulator: Emulator) -> None:
    llm = gemini(memories_emulator)
    first = await llm.ainvoke("hi")
    # A second event loop (another asyncio.run) must not reuse the first loop's pool.
    loop_result: list[str] = []

    def other_loop() -> None:
        loop_result.append(asyncio.run(llm.ainvoke("again")).text)

    await asyncio.to_thread(other_loop)
    assert first.text and loop_result[0]


# -- tools ---------------------------------------------------------------------------------------


def magic_function(input: int) -> int:
    """Apply a magic function to an input."""
    return input + 2


def test_gemini_bind_tools_raises_clearly(emulator: Emulator) -> None:
    with pytest.raises(NotImplementedError, match=r"not supported for Gemini models .* Nova"):
        gemini(emulator).bind_tools([magic_function])


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        (None, None),
        ("auto", {"auto": {}}),
        ("any", {"any": {}}),
        ("required", {"any": {}}),
        (True, {"any": {}}),
        ("magic_function", {"tool": {"name": "magic_function"}}),
        (
            {"type": "function", "function": {"name": "magic_function"}},
            {"tool": {"name": "magic_function"}},
        ),
    ],
)
def test_nova_tool_config_on_the_wire(emulator: Emulator, choice: Any, wire: Any) -> None:
    result = (
        nova(emulator)
        .bind_tools([magic_function], tool_choice=choice)
        .invoke("What is magic_function(3)?")
    )
    config = _metadata(emulator.requests[0].body)["toolConfig"]
    spec = config["tools"][0]["toolSpec"]
    assert spec["name"] == "magic_function"
    assert spec["description"] == "Apply a magic function to an input."
    assert spec["inputSchema"]["json"]["properties"]["input"]["type"] == "integer"
    assert config.get("toolChoice") == wire
    assert result.tool_calls[0]["args"] == {"input": 3}


def test_nova_tool_choice_none_sends_no_tools(emulator: Emulator) -> None:
    result = nova(emulator).bind_tools([magic_function], tool_choice="none").invoke("hi")
    assert "toolConfig" not in _metadata(emulator.requests[0].body)
    assert result.tool_calls == []


def test_nova_unknown_tool_choice_is_refused() -> None:
    with pytest.raises(mc.MemoriesInputError, match="not one of the tools on offer"):
        ChatMemoriesNova(api_key="test").bind_tools([magic_function], tool_choice="nope")


def test_nova_tool_round_trip_on_the_wire(emulator: Emulator) -> None:
    llm = nova(emulator).bind_tools([magic_function])
    question = HumanMessage("What is magic_function(3)?")
    call = llm.invoke([question])
    assert isinstance(call, AIMessage) and call.tool_calls
    result = magic_function.__call__(**call.tool_calls[0]["args"])
    from langchain_core.messages import ToolMessage

    answer = llm.invoke(
        [question, call, ToolMessage(str(result), tool_call_id=call.tool_calls[0]["id"])]
    )
    assert "5" in answer.text
    body = emulator.requests[1].body
    assert body["messages"][1]["tool_calls"][0]["function"]["name"] == "magic_function"
    assert body["messages"][2] == {
        "role": "tool",
        "tool_call_id": call.tool_calls[0]["id"],
        "content": "5",
    }


def test_unicode_tool_arguments_round_trip(emulator: Emulator) -> None:
    from langchain_core.messages import ToolMessage

    llm = nova(emulator).bind_tools([magic_function])
    history = [
        HumanMessage("Create a customer named '你好啊集团'"),
        AIMessage(
            "",
            tool_calls=[
                {"name": "magic_function", "args": {"input": 1}, "id": "c1", "type": "tool_call"}
            ],
        ),
        ToolMessage("Created customer: 你好啊集团", tool_call_id="c1"),
    ]
    answer = llm.invoke(history)
    assert "你好啊集团" in answer.text
    assert emulator.requests[0].body["messages"][2]["content"] == "Created customer: 你好啊集团"


# -- serialization and secrets ---------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The function `load` is in beta")
@pytest.mark.parametrize("cls", [ChatMemoriesGemini, ChatMemoriesNova])
def test_serdes_round_trip(cls: type[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEMORIES_API_KEY", SECRET)
    llm = cls(temperature=0.3, max_tokens=20)
    text = dumps(llm)
    assert SECRET not in text
    restored = load(
        dumpd(llm),
        valid_namespaces=["langchain_memories"],
        allowed_objects=[cls],
        secrets_from_env=True,
    )
    assert isinstance(restored, cls)
    assert restored.temperature == 0.3
    assert restored.api_key.get_secret_value() == SECRET


@pytest.mark.parametrize("cls", [ChatMemoriesGemini, ChatMemoriesNova])
def test_key_never_shown(cls: type[Any]) -> None:
    llm = cls(api_key=SECRET, base_url="http://127.0.0.1:9")
    for text in (repr(llm), str(llm), dumps(llm), str(dumpd(llm)), str(llm.model_dump())):
        assert SECRET not in text
    assert llm.lc_secrets == {"api_key": "MEMORIES_API_KEY"}


def test_key_not_in_errors(memories_emulator_fn: Emulator) -> None:
    memories_emulator_fn.reset()
    llm = ChatMemoriesGemini(
        api_key=SECRET,
        base_url=memories_emulator_fn.base_url,
        max_retries=0,
        default_headers={"X-Emulator-Fault": "401"},
    )
    with pytest.raises(mc.AuthenticationError) as info:
        llm.invoke("hi")
    text = f"{info.value!s} {info.value!r} {info.value.__dict__} {info.value.__cause__!r}"
    assert SECRET not in text


def test_lc_plumbing() -> None:
    llm = ChatMemoriesNova(api_key="test")
    assert ChatMemoriesNova.is_lc_serializable()
    assert ChatMemoriesNova.get_lc_namespace() == ["langchain_memories", "chat_models"]
    params = llm._get_ls_params(model="us.amazon.nova-pro-v1:0", temperature=0.1)
    assert params["ls_provider"] == "memories"
    assert params["ls_model_name"] == "us.amazon.nova-pro-v1:0"
    assert params["ls_temperature"] == 0.1
    profile = llm.profile
    assert profile is not None
    assert profile["tool_calling"] and profile["video_inputs"] and profile["image_inputs"]
    assert profile["max_input_tokens"] == mc.model_info("us.amazon.nova-lite-v1:0").context_window
    gprofile = ChatMemoriesGemini(api_key="test").profile
    assert gprofile is not None
    assert not gprofile["tool_calling"] and gprofile["structured_output"]
    assert gprofile["pdf_inputs"]
    unknown = ChatMemoriesGemini(api_key="test", model="gemini-99-ultra").profile
    assert unknown is not None and "max_input_tokens" not in unknown


# -- content blocks through the wire -------------------------------------------------------------

PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
IMAGE_BLOCKS: list[dict[str, Any]] = [
    {"type": "image", "url": IMAGE},
    {"type": "image", "base64": PNG_B64, "mime_type": "image/png"},
    {"type": "image", "source_type": "base64", "data": PNG_B64, "mime_type": "image/png"},
    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
    {"type": "image_url", "image_url": IMAGE},
    {"type": "media", "file_uri": IMAGE, "mime_type": "image/png"},
    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
    {"type": "input_file", "file_uri": IMAGE, "mime_type": "image/png"},
]


@pytest.mark.parametrize("block", IMAGE_BLOCKS, ids=lambda b: str(b["type"]))
@pytest.mark.parametrize("cls", [ChatMemoriesGemini, ChatMemoriesNova])
def test_image_block_formats_reach_the_service(
    emulator: Emulator, cls: type[Any], block: dict[str, Any]
) -> None:
    llm = cls(api_key="test", base_url=emulator.base_url, max_retries=0)
    answer = llm.invoke([HumanMessage(content=[{"type": "text", "text": "What?"}, block])])
    assert "1 image(s)" in answer.text
    part = emulator.requests[0].body["messages"][0]["content"][1]
    assert part["type"] == ("input_file" if cls is ChatMemoriesGemini else "image_url")


def test_gemini_pdf_and_nova_refusal(emulator: Emulator) -> None:
    pdf = {"type": "file", "url": "https://x.test/report.pdf"}
    answer = gemini(emulator).invoke([HumanMessage(content=["Summarise", pdf])])
    assert "1 document(s)" in answer.text
    with pytest.raises(mc.MemoriesInputError, match="do not accept document input"):
        nova(emulator).invoke([HumanMessage(content=["Summarise", pdf])])
    assert len(emulator.requests) == 1


@pytest.mark.parametrize("model", sorted(mc.MODELS))
def test_every_profile_key_is_one_langchain_declares(model: str) -> None:
    # ChatMemories* skip langchain-core's per-construction check for undeclared profile keys
    # (see _check_profile_keys in langchain_memories/_base.py); this keeps that safe.
    from typing import get_type_hints

    from langchain_core.language_models.model_profile import ModelProfile

    from langchain_memories._profiles import profile_for

    family = model.split(":", 1)[0]
    assert set(profile_for(model, family)) <= set(get_type_hints(ModelProfile))
