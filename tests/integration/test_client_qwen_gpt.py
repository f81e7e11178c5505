"""memories_client with Qwen and GPT models, against the emulator over a real socket."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from pydantic import BaseModel

from memories_client import (
    AsyncMemoriesClient,
    ChatRequest,
    MemoriesClient,
    Message,
    media_from_bytes,
    media_from_url,
)
from memories_client.dialects import QwenDialect
from memories_client.integration import parse_structured
from memories_emulator import Emulator

VIDEO = media_from_url("https://storage.googleapis.com/memories-test-data/test_1min.mp4")
IMAGE = media_from_url("https://storage.googleapis.com/memories-test-data/gun5.png")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f1e0b80000000049454e44ae426082"
)
QWEN = "qwen:qwen3-vl-plus"
GPT = "gpt:gpt-4o"


@pytest.fixture
def emu(memories_emulator: Emulator) -> Emulator:
    memories_emulator.reset()
    return memories_emulator


def client(emu: Emulator, **kw: Any) -> MemoriesClient:
    return MemoriesClient(api_key="test-key", base_url=emu.base_url, max_retries=0, **kw)


class Scene(BaseModel):
    summary: str
    people: int


@pytest.mark.parametrize("style", ["dashscope", "typed", "openai"])
def test_qwen_video_and_image_in_each_part_style(emu: Emulator, style: Any) -> None:
    with client(emu, dialects={"qwen": QwenDialect(part_style=style)}) as c:
        answer = c.chat(
            ChatRequest(model=QWEN, messages=[Message.user("What is here?", IMAGE, VIDEO)])
        )
    assert "1 image(s), 1 video(s)" in answer.text
    uuid.UUID(answer.id or "")  # the documented id form
    assert answer.model == "qwen3-vl-plus"
    assert answer.usage is not None and answer.usage.input_tokens == 4 + 258 + 1000
    assert emu.requests[-1].path == "/vu/chat/completions"


def test_qwen_text_goes_as_a_string_and_inline_images_as_data_uris(emu: Emulator) -> None:
    with client(emu) as c:
        c.chat(ChatRequest(model=QWEN, messages=[Message.user("Hello")]))
        c.chat(ChatRequest(model=QWEN, messages=[Message.user("This", media_from_bytes(PNG))]))
    first, second = (r.body["messages"][0]["content"] for r in emu.requests)
    assert first == "Hello"
    assert second[1]["image"].startswith("data:image/png;base64,")


@pytest.mark.parametrize(("fields", "reasoning"), [({"thinking_budget": 16}, 16), ({}, None)])
def test_qwen_thinking_budget_is_reported_as_reasoning(
    emu: Emulator, fields: dict[str, Any], reasoning: int | None
) -> None:
    with client(emu) as c:
        answer = c.chat(ChatRequest(model=QWEN, messages=[Message.user("Think")], **fields))
    assert answer.usage is not None and answer.usage.reasoning_tokens == reasoning


def test_qwen_json_schema_answer_validates(emu: Emulator) -> None:
    with client(emu) as c:
        answer = c.chat(
            ChatRequest(model=QWEN, messages=[Message.user("Describe")], response_schema=Scene)
        )
    scene = parse_structured(answer.text, Scene)
    assert isinstance(scene, Scene) and scene.summary
    sent = emu.requests[-1].body["extra_body"]["metadata"]["response_format"]
    assert sent["json_schema"]["name"] == "Scene"


def test_gpt_image_json_mode_and_usage(emu: Emulator) -> None:
    request = ChatRequest(
        model=GPT,
        messages=[Message.system("Reply in JSON."), Message.user("What is it?", IMAGE)],
        response_mime_type="application/json",
    )
    with client(emu) as c:
        answer = c.chat(request)
    assert emu.requests[-1].path == "/iu/chat/completions"
    assert emu.requests[-1].body["response_format"] == {"type": "json_object"}
    assert json.loads(answer.text)["answer"].startswith("Emulated answer from gpt:gpt-4o")
    assert answer.model == "gpt-4o" and (answer.id or "").startswith("chatcmpl-")
    usage = answer.usage
    assert usage is not None
    assert (usage.cached_tokens, usage.reasoning_tokens) == (0, 0)
    assert usage.input_tokens == 4 + 3 + 258  # "Reply in JSON." + "What is it?" + the image


def test_gpt_reports_the_earlier_turn_as_cached(emu: Emulator) -> None:
    history = [
        Message.system("context " * 600),  # 4800 characters: 1200 tokens
        Message.user("Look", IMAGE),
        Message.assistant("A picture."),
        Message.user("More?"),
    ]
    with client(emu) as c:
        usage = c.chat(ChatRequest(model=GPT, messages=history)).usage
    assert usage is not None
    assert usage.cached_tokens == (1200 + 1 + 258 + 3) // 128 * 128 == 1408
    assert usage.input_tokens == 1200 + 1 + 258 + 3 + 2


def test_gpt_stream_takes_usage_from_the_chunk_without_choices(emu: Emulator) -> None:
    with client(emu) as c:
        chunks = list(c.stream(ChatRequest(model=GPT, messages=[Message.user("Hi")])))
    text = "".join(chunk.text for chunk in chunks)
    assert text.startswith("Emulated answer from gpt:gpt-4o")
    final = chunks[-1]
    assert final.done and final.finish_reason == "stop"
    assert final.usage is not None
    assert final.usage.output_tokens == len(text.split())
    assert final.usage.cached_tokens == 0


async def test_qwen_and_gpt_async(emu: Emulator) -> None:
    async with AsyncMemoriesClient(api_key="k", base_url=emu.base_url) as c:
        qwen = await c.chat(ChatRequest(model=QWEN, messages=[Message.user("Hi", VIDEO)]))
        gpt = [
            chunk
            async for chunk in c.stream(
                ChatRequest(model=GPT, messages=[Message.user("Hi", IMAGE)])
            )
        ]
    assert "1 video(s)" in qwen.text
    assert "1 image(s)" in "".join(chunk.text for chunk in gpt)
    assert gpt[-1].usage is not None
