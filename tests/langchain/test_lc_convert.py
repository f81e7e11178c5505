"""Message and content-block conversion: every supported format, and clear refusals."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.messages import (
    AIMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

import memories_client as mc
from langchain_memories import ChatMemoriesGemini
from langchain_memories._convert import block_to_part, to_core_messages
from memories_client._block_keys import IGNORED_KEYS, REFUSED_KEYS
from memories_emulator import Emulator

DATA = Path(__file__).resolve().parent.parent / "data" / "langchain"
PNG = (DATA / "agentic-rag-output.png").read_bytes()
PNG_B64 = base64.b64encode(PNG).decode()
PDF_B64 = base64.b64encode((DATA / "dummy.pdf").read_bytes()).decode()
VIDEO_URL = "https://storage.googleapis.com/bucket/clip.mp4"


def _media(block: dict[str, Any]) -> mc.MediaPart:
    part = block_to_part(block)
    assert isinstance(part, mc.MediaPart)
    return part


@pytest.mark.parametrize(
    ("block", "kind", "mime", "url"),
    [
        # LangChain v1 standard blocks
        ({"type": "image", "url": "https://x.test/a.png"}, "image", "image/png", True),
        (
            {"type": "image", "base64": PNG_B64, "mime_type": "image/png"},
            "image",
            "image/png",
            False,
        ),
        ({"type": "image", "base64": PNG_B64}, "image", "image/png", False),  # sniffed
        ({"type": "video", "url": VIDEO_URL}, "video", "video/mp4", True),
        (
            {"type": "video", "url": "https://cdn.test/v?id=1", "mime_type": "video/webm"},
            "video",
            "video/webm",
            True,
        ),
        ({"type": "video", "url": "https://cdn.test/v?id=1"}, "video", "video/mp4", True),
        (
            {"type": "file", "base64": PDF_B64, "mime_type": "application/pdf"},
            "document",
            "application/pdf",
            False,
        ),
        ({"type": "file", "url": "https://x.test/doc.pdf"}, "document", "application/pdf", True),
        # v0 source_type form
        (
            {"type": "image", "source_type": "url", "url": "https://x.test/a.jpg"},
            "image",
            "image/jpeg",
            True,
        ),
        (
            {"type": "image", "source_type": "base64", "data": PNG_B64, "mime_type": "image/png"},
            "image",
            "image/png",
            False,
        ),
        (
            {
                "type": "file",
                "source_type": "base64",
                "data": PDF_B64,
                "mime_type": "application/pdf",
            },
            "document",
            "application/pdf",
            False,
        ),
        # OpenAI
        (
            {"type": "image_url", "image_url": {"url": "https://x.test/a.webp"}},
            "image",
            "image/webp",
            True,
        ),
        ({"type": "image_url", "image_url": "https://x.test/a.gif"}, "image", "image/gif", True),
        (
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
            "image",
            "image/png",
            False,
        ),
        (
            {"type": "image_url", "image_url": {"url": "https://picsum.test/200"}},
            "image",
            "image/jpeg",
            True,
        ),
        (
            {
                "type": "file",
                "file": {
                    "filename": "a.pdf",
                    "file_data": f"data:application/pdf;base64,{PDF_B64}",
                },
            },
            "document",
            "application/pdf",
            False,
        ),
        # Google
        (
            {"type": "media", "file_uri": "gs://bucket/clip.mov", "mime_type": "video/quicktime"},
            "video",
            "video/quicktime",
            True,
        ),
        ({"type": "media", "data": PNG, "mime_type": "image/png"}, "image", "image/png", False),
        ({"type": "media", "data": PNG_B64, "mime_type": "image/png"}, "image", "image/png", False),
        # Anthropic
        (
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64},
            },
            "image",
            "image/png",
            False,
        ),
        (
            {"type": "image", "source": {"type": "url", "url": "https://x.test/a.png"}},
            "image",
            "image/png",
            True,
        ),
        # Native passthrough
        (
            {"type": "input_file", "file_uri": VIDEO_URL, "mime_type": "video/mp4"},
            "video",
            "video/mp4",
            True,
        ),
        (
            {"type": "input_file", "file_uri": PNG_B64, "mime_type": "image/png"},
            "image",
            "image/png",
            False,
        ),
        ({"type": "video_url", "video_url": {"url": VIDEO_URL}}, "video", "video/mp4", True),
        ({"type": "video_url", "video_url": "https://cdn.test/stream"}, "video", "video/mp4", True),
    ],
)
def test_every_block_format(block: dict[str, Any], kind: str, mime: str, url: bool) -> None:
    part = _media(block)
    assert (part.kind, part.mime_type, part.url is not None) == (kind, mime, url)


def test_video_url_is_a_reference_never_downloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    def no_download(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the converter must not download media")

    monkeypatch.setattr(httpx, "get", no_download)
    monkeypatch.setattr(httpx.Client, "get", no_download)
    monkeypatch.setattr(httpx.Client, "send", no_download)
    part = _media(
        {"type": "video", "url": "https://www.youtube.com/watch?v=abc", "mime_type": "video/mp4"}
    )
    assert part.url == "https://www.youtube.com/watch?v=abc"
    assert part.data is None


@pytest.mark.parametrize(
    ("block", "needle"),
    [
        ({"type": "audio", "base64": "UklGRg==", "mime_type": "audio/wav"}, "no audio"),
        ({"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}, "no audio"),
        ({"type": "image", "file_id": "file-123"}, "file ids"),
        ({"type": "file", "file": {"file_id": "file-123"}}, "file ids"),
        ({"type": "image", "source_type": "id", "id": "file-123"}, "source_type 'id'"),
        ({"type": "hologram", "data": "x"}, "unknown block type"),
        ({"type": "image"}, "no url or base64"),
        ({"type": "file", "url": "ftp://x.test/doc.pdf"}, "http://, https:// or gs://"),
        ({"type": "image", "url": "/etc/passwd"}, "http://"),
    ],
)
def test_unsupported_blocks_are_refused_by_name(block: dict[str, Any], needle: str) -> None:
    with pytest.raises(mc.MemoriesInputError) as info:
        block_to_part(block, "messages[0].content[1]")
    message = str(info.value)
    assert needle in message
    assert "messages[0].content[1]" in message
    assert repr(block["type"]) in message


def test_refusal_lists_what_is_supported() -> None:
    with pytest.raises(mc.MemoriesInputError, match="Supported blocks: text; image / video"):
        block_to_part({"type": "audio", "url": "https://x.test/a.wav"})


def test_full_conversation() -> None:
    messages = [
        SystemMessage("Be brief."),
        HumanMessage(
            content=[
                "Look:",
                {"type": "text", "text": "what is this?"},
                {"type": "image", "url": "https://x.test/a.png"},
            ],
            name="alice",
        ),
        AIMessage(
            content=[
                {"type": "text", "text": "Checking."},
                {"type": "reasoning", "reasoning": "hmm"},
                {"type": "tool_use", "id": "t1", "name": "zoom", "input": {}},
            ],
            tool_calls=[{"name": "zoom", "args": {"x": 1}, "id": "t1", "type": "tool_call"}],
        ),
        ToolMessage("zoomed", tool_call_id="t1", name="zoom"),
        ChatMessage(role="user", content="thanks"),
    ]
    out = to_core_messages(messages)
    assert [m.role for m in out] == ["system", "user", "assistant", "tool", "user"]
    assert out[0].text == "Be brief."
    assert [type(p).__name__ for p in out[1].parts] == ["TextPart", "TextPart", "MediaPart"]
    assert out[1].name == "alice"
    assert out[2].text == "Checking."
    assert out[2].tool_calls == (mc.ToolCall("t1", "zoom", {"x": 1}),)
    assert (out[3].tool_call_id, out[3].text, out[3].name) == ("t1", "zoomed", "zoom")


def test_tool_result_media_is_resent_by_the_user() -> None:
    out = to_core_messages(
        [
            HumanMessage("take a screenshot"),
            AIMessage(
                "", tool_calls=[{"name": "shot", "args": {}, "id": "1", "type": "tool_call"}]
            ),
            ToolMessage(
                content=[
                    {"type": "text", "text": "here"},
                    {"type": "image", "base64": PNG_B64, "mime_type": "image/png"},
                ],
                tool_call_id="1",
            ),
        ]
    )
    assert [m.role for m in out] == ["user", "assistant", "tool", "user"]
    assert out[2].text == "here"
    assert out[3].media[0].mime_type == "image/png"


@pytest.mark.parametrize(
    ("message", "needle"),
    [
        (
            SystemMessage(content=[{"type": "image", "url": "https://x.test/a.png"}]),
            "a system message can only carry text",
        ),
        (
            AIMessage(content=[{"type": "image", "url": "https://x.test/a.png"}]),
            "a assistant message can only carry text",
        ),
        (FunctionMessage(name="f", content="x"), "FunctionMessage messages are not supported"),
    ],
)
def test_bad_messages_are_refused(message: Any, needle: str) -> None:
    with pytest.raises(mc.MemoriesInputError, match=needle):
        to_core_messages([HumanMessage("hi"), message])


@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_text_blocks_round_trip(texts: list[str]) -> None:
    blocks: list[str | dict[str, Any]] = [
        {"type": "text", "text": t} if i % 2 else t for i, t in enumerate(texts)
    ]
    [message] = to_core_messages([HumanMessage(content=blocks)])
    assert [p.text for p in message.parts if isinstance(p, mc.TextPart)] == texts


@given(st.binary(min_size=1, max_size=256))
def test_inline_bytes_round_trip(data: bytes) -> None:
    b64 = base64.b64encode(data).decode()
    part = _media({"type": "image", "base64": b64, "mime_type": "image/png"})
    assert part.data is not None
    assert base64.b64decode(part.data) == data


# docs/LANGCHAIN.md lists both groups. A key the API gains a field for moves from REFUSED to a
# mapping; update the docs and these lists together.
REFUSED = [
    ("video", {"video_metadata": {"start_offset": "10s", "end_offset": "20s"}}, "video_metadata"),
    ("video", {"extras": {"fps": 5}}, "extras.fps"),
    ("video", {"extras": {"video_metadata": {"fps": 2}}}, "extras.video_metadata"),
    ("video", {"fps": 1}, "fps"),
    ("image", {"detail": "low"}, "detail"),
    ("image", {"extras": {"media_resolution": "MEDIA_RESOLUTION_HIGH"}}, "extras.media_resolution"),
    ("media", {"video_metadata": {"start_offset": "1s"}}, "video_metadata"),
]
IGNORED = [
    ("image", {"id": "block-1", "index": 0}),
    ("image", {"cache_control": {"type": "ephemeral"}}),
    ("image", {"extras": {"cache_control": {"type": "ephemeral"}}}),
    ("image", {"detail": "auto"}),  # OpenAI's default: asks for nothing
    ("video", {"video_metadata": {}, "fps": None}),
    ("file", {"filename": "report.pdf", "title": "Q3"}),
]


def _block(kind: str) -> dict[str, Any]:
    if kind == "media":
        return {
            "type": "media",
            "file_uri": "https://example.com/clip.mp4",
            "mime_type": "video/mp4",
        }
    suffix = {"video": "mp4", "image": "png", "file": "pdf"}[kind]
    return {"type": kind, "url": f"https://example.com/clip.{suffix}"}


@pytest.mark.parametrize(("kind", "extra", "key"), REFUSED)
def test_keys_that_change_the_answer_are_refused(
    kind: str, extra: dict[str, Any], key: str
) -> None:
    with pytest.raises(mc.MemoriesInputError) as info:
        to_core_messages([HumanMessage(content=["Look:", {**_block(kind), **extra}])])
    message = str(info.value)
    assert message.startswith("messages[0].content[1]: ")
    assert f"'{key}'" in message and "has no field in the memories.ai API" in message
    assert "remove the key" in message or "cut the clip first" in message


@pytest.mark.parametrize(("kind", "extra"), IGNORED)
def test_keys_with_no_effect_are_ignored(kind: str, extra: dict[str, Any]) -> None:
    assert _media({**_block(kind), **extra}) == _media(_block(kind))
    assert set(extra) <= {*IGNORED_KEYS, *REFUSED_KEYS, "extras"}


def test_openai_detail_is_refused_unless_auto() -> None:
    plain = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    auto = {
        "type": "image_url",
        "image_url": {"url": "https://example.com/a.png", "detail": "auto"},
    }
    high = {
        "type": "image_url",
        "image_url": {"url": "https://example.com/a.png", "detail": "high"},
    }
    assert _media(auto) == _media(plain)
    with pytest.raises(mc.MemoriesInputError, match=r"'image_url\.detail'"):
        _media(high)


def test_refused_before_any_request(emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(api_key="k", base_url=emulator.base_url)
    clip = {
        "type": "video",
        "url": "https://example.com/clip.mp4",
        "extras": {"video_metadata": {"start_offset": "10s", "end_offset": "20s"}},
    }
    with pytest.raises(mc.MemoriesInputError, match="cut the clip first"):
        llm.invoke([HumanMessage(content=["What happens between 0:10 and 0:20?", clip])])
    assert emulator.requests == []


def test_a_url_without_a_telling_name_gets_its_kinds_common_type() -> None:
    # The same stand-in types as MemoriesMultiModal (memories_client._media.DEFAULT_MIME).
    parts = [block_to_part({"type": kind, "url": "https://cdn.x.test/a1b2"}) for kind in KINDS]
    assert [p.mime_type for p in parts if isinstance(p, mc.MediaPart)] == [
        "image/jpeg",
        "video/mp4",
        "application/pdf",
    ]


KINDS = ("image", "video", "file")
