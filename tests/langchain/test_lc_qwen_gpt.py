"""ChatMemoriesQwen and ChatMemoriesGPT beyond the standard suites, against the emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

import memories_client as mc
from langchain_memories import ChatMemoriesGPT, ChatMemoriesQwen, get_memories_callback
from memories_client.dialects import QwenDialect
from memories_emulator import Emulator

VIDEO = "https://storage.googleapis.com/bucket/clip.mp4"
IMAGE = "https://storage.googleapis.com/bucket/photo.png"


def qwen(emu: Emulator, **kwargs: Any) -> ChatMemoriesQwen:
    return ChatMemoriesQwen(api_key="test", base_url=emu.base_url, max_retries=0, **kwargs)


def gpt(emu: Emulator, **kwargs: Any) -> ChatMemoriesGPT:
    return ChatMemoriesGPT(api_key="test", base_url=emu.base_url, max_retries=0, **kwargs)


def media_message(kind: str, url: str, text: str = "What is here?") -> HumanMessage:
    return HumanMessage(content=[{"type": "text", "text": text}, {"type": kind, "url": url}])


class Scene(BaseModel):
    summary: str
    people: int


# -- Qwen ------------------------------------------------------------------------------------


def test_qwen_video_and_image_go_to_vu_as_dashscope_parts(emulator: Emulator) -> None:
    message = HumanMessage(
        content=[
            {"type": "text", "text": "Compare"},
            {"type": "video", "url": VIDEO},
            {"type": "image_url", "image_url": {"url": IMAGE}},
        ]
    )
    answer = qwen(emulator).invoke([message])
    assert "1 image(s), 1 video(s)" in answer.text
    assert answer.response_metadata["model_name"] == "qwen3-vl-plus"
    [request] = emulator.requests
    assert request.path == "/vu/chat/completions"
    assert request.body["model"] == "qwen:qwen3-vl-plus"
    assert request.body["messages"][0]["content"] == [
        {"text": "Compare"},
        {"video": VIDEO},
        {"image": IMAGE},
    ]


def test_qwen_part_style_is_a_dialect_setting(emulator: Emulator) -> None:
    llm = qwen(emulator, dialects={"qwen": QwenDialect(part_style="openai")})
    llm.invoke([media_message("image", IMAGE)])
    assert emulator.requests[-1].body["messages"][0]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": IMAGE},
    }


def test_qwen_thinking_per_instance_and_per_call(emulator: Emulator) -> None:
    llm = qwen(emulator, thinking_budget=32)
    answer = llm.invoke("Think first")
    assert emulator.requests[-1].body["extra_body"]["metadata"] == {
        "enable_thinking": True,
        "thinking_budget": 32,
    }
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["output_token_details"] == {"reasoning": 32}
    llm.invoke("Now quickly", enable_thinking=False, thinking_budget=None)
    assert emulator.requests[-1].body["extra_body"]["metadata"] == {"enable_thinking": False}


def test_qwen_bad_options_fail_before_any_request(emulator: Emulator) -> None:
    with pytest.raises(mc.MemoriesInputError, match="at least 1"):
        qwen(emulator, thinking_budget=0)
    with pytest.raises(mc.MemoriesInputError, match="drop one of them"):
        qwen(emulator, thinking_budget=10, enable_thinking=False)
    with pytest.raises(mc.MemoriesInputError, match="unexpected argument 'response_mime_type'"):
        qwen(emulator).invoke("hi", response_mime_type="application/json")
    with pytest.raises(mc.UnsupportedFeatureError, match="use a Nova model for tools"):
        qwen(emulator).invoke("hi", tools=[{"type": "function", "function": {"name": "f"}}])
    assert emulator.requests == []


def test_qwen_structured_output_is_native_json_schema(emulator: Emulator) -> None:
    result = qwen(emulator).with_structured_output(Scene, include_raw=True).invoke("Describe")
    assert isinstance(result["parsed"], Scene)
    metadata = emulator.requests[-1].body["extra_body"]["metadata"]
    assert metadata["response_format"]["json_schema"]["schema"]["properties"]["people"] == {
        "title": "People",
        "type": "integer",
    }
    # Native: no schema pasted into the prompt.
    assert emulator.requests[-1].body["messages"][0]["role"] == "user"


def test_qwen_json_mode_and_schemas_it_cannot_take_natively(emulator: Emulator) -> None:
    value = qwen(emulator).with_structured_output(Scene, method="json_mode").invoke("Describe")
    assert isinstance(value, Scene)
    body = emulator.requests[-1].body
    assert "response_format" in body["extra_body"]["metadata"]
    assert "JSON Schema" in body["messages"][0]["content"]
    listing = {"title": "Things", "type": "array", "items": {"type": "string"}}
    with pytest.warns(UserWarning, match="cannot be sent as Qwen's response_format"):
        runnable = qwen(emulator).with_structured_output(listing)
    assert runnable.invoke("List three things") == ["example", "example"]
    assert "extra_body" not in emulator.requests[-1].body


def test_qwen_bind_tools_names_nova_and_allows_the_empty_list(emulator: Emulator) -> None:
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    with pytest.raises(NotImplementedError, match="use a Nova model for tools"):
        qwen(emulator).bind_tools([add])
    assert qwen(emulator).bind_tools([]).invoke("hi").text


def test_create_agent_structured_response_with_qwen_and_gpt(emulator: Emulator) -> None:
    for llm in (qwen(emulator), gpt(emulator)):
        agent = create_agent(llm, tools=[], response_format=Scene)
        state = agent.invoke({"messages": [HumanMessage("Describe the scene.")]})
        assert isinstance(state["structured_response"], Scene)
    qwen_body, gpt_body = (r.body for r in emulator.requests)
    assert "response_format" in qwen_body["extra_body"]["metadata"]
    assert gpt_body["response_format"] == {"type": "json_object"}


# -- GPT -------------------------------------------------------------------------------------


def test_gpt_image_goes_to_iu_as_an_image_url_object(emulator: Emulator) -> None:
    answer = gpt(emulator).invoke([media_message("image", IMAGE)])
    assert "1 image(s)" in answer.text
    assert answer.response_metadata["model_name"] == "gpt-4o"
    [request] = emulator.requests
    assert request.path == "/iu/chat/completions"
    assert request.body["messages"][0]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": IMAGE},
    }


def test_gpt_refuses_video_naming_the_families_that_take_it(emulator: Emulator) -> None:
    with pytest.raises(mc.UnsupportedFeatureError, match="Gemini, Nova and Qwen models take video"):
        gpt(emulator).invoke([media_message("video", VIDEO)])
    with pytest.raises(NotImplementedError, match="use a Nova model for tools"):
        gpt(emulator).bind_tools([{"type": "function", "function": {"name": "f"}}])
    with pytest.raises(mc.MemoriesInputError, match="unexpected argument 'enable_thinking'"):
        gpt(emulator).invoke("hi", enable_thinking=True)
    assert emulator.requests == []


def test_gpt_json_mode_needs_the_word_json(emulator: Emulator) -> None:
    llm = gpt(emulator, response_mime_type="application/json")
    with pytest.raises(mc.MemoriesInputError, match="needs the word 'JSON'"):
        llm.invoke("Describe the picture")
    assert emulator.requests == []
    answer = llm.invoke([SystemMessage("Reply in JSON."), HumanMessage("Describe the picture")])
    assert json.loads(answer.text)["answer"].startswith("Emulated answer")


def test_gpt_structured_output_is_json_mode_with_the_schema_in_the_prompt(
    emulator: Emulator,
) -> None:
    with pytest.warns(UserWarning, match="does not support structured output method"):
        runnable = gpt(emulator).with_structured_output(Scene, method="json_schema")
    assert isinstance(runnable.invoke("Describe"), Scene)
    body = emulator.requests[-1].body
    assert body["response_format"] == {"type": "json_object"}
    assert '"people"' in body["messages"][0]["content"]


def test_gpt_usage_reports_cache_reads_invoked_and_streamed(emulator: Emulator) -> None:
    history = [
        SystemMessage("Background. " * 400),  # 4800 characters: 1200 tokens
        HumanMessage("First question"),
        AIMessage("First answer"),
        HumanMessage("Second question"),
    ]
    llm = gpt(emulator)
    usage = llm.invoke(history).usage_metadata
    assert usage is not None
    # What came before the last question: 1200 + 4 + 3 tokens, in OpenAI's steps of 128.
    assert usage["input_token_details"] == {"cache_read": 1152}
    assert usage["output_token_details"] == {"reasoning": 0}
    chunks = list(llm.stream(history))
    last = chunks[-1]
    assert last.usage_metadata is not None
    assert last.usage_metadata["input_token_details"] == {"cache_read": 1152}
    assert sum(1 for c in chunks if c.usage_metadata) == 1


def test_gpt_costs_are_counted_per_model(emulator: Emulator) -> None:
    with get_memories_callback() as cb:
        gpt(emulator).invoke("Hi")
        gpt(emulator, model="gpt:gpt-4o-mini").invoke("Hi")
    assert cb.successful_requests == 2
    priced, unpriced = cb.by_model["gpt-4o"], cb.by_model["gpt-4o-mini"]
    assert priced.cost is not None and priced.cost > 0
    # The stored GPT price table is cut off before gpt-4o-mini: tokens, no made-up dollars.
    assert unpriced.cost is None and unpriced.total_tokens > 0


def test_profiles_follow_the_catalog() -> None:
    qwen_profile = ChatMemoriesQwen(api_key="test").profile
    assert qwen_profile is not None
    assert qwen_profile["video_inputs"] and qwen_profile["structured_output"]
    assert not qwen_profile["tool_calling"] and not qwen_profile["pdf_inputs"]
    assert qwen_profile["max_input_tokens"] == mc.model_info("qwen3-vl-plus").context_window
    gpt_profile = ChatMemoriesGPT(api_key="test").profile
    assert gpt_profile is not None
    assert gpt_profile["image_inputs"] and not gpt_profile["video_inputs"]
    assert not gpt_profile["tool_calling"] and gpt_profile["structured_output"]
