"""MemoriesMultiModal with Qwen and GPT models, over a real socket to the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock, VideoBlock
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from llama_index_memories import MemoriesMultiModal
from memories_client import MemoriesInputError, UnsupportedFeatureError, model_info
from memories_emulator import Emulator

VIDEO = "https://storage.googleapis.com/b/clip.mp4"
IMAGE = "https://storage.googleapis.com/b/photo.png"


class Scene(BaseModel):
    summary: str
    people: int


def _user(*blocks: object) -> list[ChatMessage]:
    return [ChatMessage(role="user", blocks=list(blocks))]


@pytest.fixture
def qwen(emu: Emulator) -> MemoriesMultiModal:
    return MemoriesMultiModal(model="qwen3-vl-plus", api_key="k", base_url=emu.base_url)


@pytest.fixture
def gpt(emu: Emulator) -> MemoriesMultiModal:
    return MemoriesMultiModal(model="gpt:gpt-4o", api_key="k", base_url=emu.base_url)


# -- Qwen ------------------------------------------------------------------------------------


def test_qwen_blocks_go_to_vu_as_dashscope_parts(
    qwen: MemoriesMultiModal, emu: Emulator, png_path: Path
) -> None:
    answer = qwen.chat(
        _user(TextBlock(text="Compare"), VideoBlock(url=VIDEO), ImageBlock(path=png_path))
    )
    assert "1 image(s), 1 video(s)" in (answer.message.content or "")
    request = emu.requests[-1]
    assert request.path == "/vu/chat/completions"
    text, video, image = request.body["messages"][0]["content"]
    assert (text, video) == ({"text": "Compare"}, {"video": VIDEO})
    assert image["image"].startswith("data:image/png;base64,")
    assert qwen.family == "qwen"
    assert qwen.metadata.context_window == model_info("qwen3-vl-plus").context_window


def test_qwen_thinking_per_instance_and_per_call(emu: Emulator) -> None:
    llm = MemoriesMultiModal(
        model="qwen:qwen3-vl-plus", api_key="k", base_url=emu.base_url, thinking_budget=16
    )
    answer = llm.chat(_user(TextBlock(text="Think")))
    assert emu.requests[-1].body["extra_body"]["metadata"] == {
        "enable_thinking": True,
        "thinking_budget": 16,
    }
    assert answer.raw["usage"]["reasoning_tokens"] == 16
    llm.chat(_user(TextBlock(text="Quick")), enable_thinking=False, thinking_budget=None)
    assert emu.requests[-1].body["extra_body"]["metadata"] == {"enable_thinking": False}


def test_qwen_bad_thinking_options_fail_at_construction(emu: Emulator) -> None:
    with pytest.raises(MemoriesInputError, match="at least 1"):
        MemoriesMultiModal(model="qwen:qwen3-vl-plus", api_key="k", thinking_budget=0)
    with pytest.raises(UnsupportedFeatureError, match="enable_thinking is a Qwen option"):
        MemoriesMultiModal(model="gemini-2.5-flash", api_key="k", enable_thinking=True)
    assert emu.requests == []


def test_qwen_structured_predict_is_native_json_schema(
    qwen: MemoriesMultiModal, emu: Emulator
) -> None:
    scene = qwen.structured_predict(Scene, PromptTemplate("Describe {what}."), what="a beach")
    assert isinstance(scene, Scene)
    fmt = emu.requests[-1].body["extra_body"]["metadata"]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Scene"
    structured = qwen.as_structured_llm(Scene).chat(_user(TextBlock(text="Describe")))
    assert isinstance(structured.raw, Scene)


# -- GPT -------------------------------------------------------------------------------------


def test_gpt_image_goes_to_iu_as_an_image_url_object(
    gpt: MemoriesMultiModal, emu: Emulator
) -> None:
    answer = gpt.chat(_user(TextBlock(text="What is it?"), ImageBlock(url=IMAGE)))
    assert "1 image(s)" in (answer.message.content or "")
    request = emu.requests[-1]
    assert request.path == "/iu/chat/completions"
    assert request.body["messages"][0]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": IMAGE},
    }
    assert answer.raw["model"] == "gpt-4o"
    assert gpt.metadata.is_function_calling_model is False


def test_gpt_refuses_video_and_tools_naming_who_has_them(
    gpt: MemoriesMultiModal, emu: Emulator
) -> None:
    with pytest.raises(UnsupportedFeatureError, match="Gemini, Nova and Qwen models take video"):
        gpt.chat(_user(TextBlock(text="What happens?"), VideoBlock(url=VIDEO)))

    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    with pytest.raises(NotImplementedError, match="tool calling is not supported for GPT models"):
        gpt.chat_with_tools([FunctionTool.from_defaults(add)], user_msg="1 + 2?")
    assert emu.requests == []


def test_gpt_structured_predict_uses_json_mode(gpt: MemoriesMultiModal, emu: Emulator) -> None:
    scene = gpt.structured_predict(Scene, PromptTemplate("Describe {what}."), what="a beach")
    assert isinstance(scene, Scene)
    body = emu.requests[-1].body
    assert body["response_format"] == {"type": "json_object"}
    system = body["messages"][0]
    # The schema travels in the system message, fenced, as the GPT dialect writes it.
    assert system["role"] == "system" and "```json" in system["content"]
    assert json.loads(system["content"].split("```json\n")[1].split("\n```")[0]) == (
        Scene.model_json_schema()
    )


def test_gpt_cached_tokens_reach_raw_usage_and_token_counting(emu: Emulator) -> None:
    counter = TokenCountingHandler(tokenizer=lambda text: [])  # never used: usage is reported
    llm = MemoriesMultiModal(
        model="gpt:gpt-4o",
        api_key="k",
        base_url=emu.base_url,
        callback_manager=CallbackManager([counter]),
    )
    history = [
        ChatMessage(role="system", content="Background. " * 400),  # 4800 characters: 1200 tokens
        ChatMessage(role="user", content="First question"),
        ChatMessage(role="assistant", content="First answer"),
        ChatMessage(role="user", content="Second question"),
    ]
    answer = llm.chat(history)
    usage = answer.raw["usage"]
    assert usage["cached_tokens"] == (1200 + 4 + 3) // 128 * 128 == 1152
    assert usage["reasoning_tokens"] == 0
    assert answer.raw["service_usage"]["prompt_tokens_details"]["cached_tokens"] == 1152
    assert counter.prompt_llm_token_count == usage["prompt_tokens"] == 1200 + 4 + 3 + 4
    streamed = list(llm.stream_chat(history))
    assert streamed[-1].raw["usage"]["cached_tokens"] == 1152
