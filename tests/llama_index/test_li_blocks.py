"""Every block kind and source (url, path, bytes) on the wire, and refusals of what cannot go."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    CitableBlock,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.schema import ImageDocument, ImageNode

from llama_index_memories import MemoriesMultiModal
from memories_client import MemoriesInputError
from memories_emulator import Emulator


def _user(*blocks: object) -> list[ChatMessage]:
    return [ChatMessage(role="user", blocks=[*blocks, TextBlock(text="What is this?")])]


def _parts(emu: Emulator) -> list[dict[str, object]]:
    return emu.requests[-1].body["messages"][-1]["content"]


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


# -- images ------------------------------------------------------------------------------------


def test_image_url_is_passed_through_not_downloaded(llm: MemoriesMultiModal, emu: Emulator) -> None:
    # example.invalid cannot resolve: a download attempt would fail the test.
    url = "https://example.invalid/photos/cat.png"
    response = llm.chat(_user(ImageBlock(url=url)))
    assert "1 image(s)" in (response.message.content or "")
    part = _parts(emu)[0]
    if llm.family == "gemini":
        assert part == {"type": "input_file", "file_uri": url, "mime_type": "image/png"}
    else:
        assert part == {"type": "image_url", "image_url": {"url": url}}
        assert emu.requests[-1].path == "/iu/chat/completions"


def test_image_url_without_extension_defaults_to_jpeg(
    gemini: MemoriesMultiModal, emu: Emulator
) -> None:
    gemini.chat(_user(ImageBlock(url="https://example.invalid/signed?token=abc")))
    assert _parts(emu)[0]["mime_type"] == "image/jpeg"


def test_image_path(llm: MemoriesMultiModal, emu: Emulator, png_path: Path) -> None:
    llm.chat(_user(ImageBlock(path=png_path)))
    part = _parts(emu)[0]
    if llm.family == "gemini":
        assert part == {"type": "input_file", "file_uri": _b64(png_path), "mime_type": "image/png"}
    else:
        assert part["image_url"] == {"url": f"data:image/png;base64,{_b64(png_path)}"}


def test_image_bytes_are_not_double_encoded(
    gemini: MemoriesMultiModal, emu: Emulator, png_path: Path
) -> None:
    block = ImageBlock(image=png_path.read_bytes())
    # LlamaIndex stores validated bytes base64-encoded; the wire must carry them once-encoded.
    assert block.image == _b64(png_path).encode()
    gemini.chat(_user(block))
    assert _parts(emu)[0]["file_uri"] == _b64(png_path)


def test_image_already_base64_bytes(
    gemini: MemoriesMultiModal, emu: Emulator, png_path: Path
) -> None:
    gemini.chat(_user(ImageBlock(image=_b64(png_path).encode(), image_mimetype="image/png")))
    assert _parts(emu)[0]["file_uri"] == _b64(png_path)


@pytest.mark.parametrize("holder", [bytes, bytearray], ids=["bytes", "bytearray"])
def test_large_inline_image_is_copied_at_most_once(holder: type) -> None:
    import tracemalloc

    from llama_index_memories._convert import media_block_to_part

    size = 8 * 2**20
    block = ImageBlock(image=b"\x89PNG\r\n\x1a\n" + bytes(size), image_mimetype="image/png")
    block.image = holder(block.image)  # LlamaIndex keeps it as base64 bytes; both are possible
    b64_size = len(block.image)
    media_block_to_part(ImageBlock(url="https://example.com/warm-up.png"), "gemini")
    tracemalloc.start()
    try:
        part = media_block_to_part(block, "gemini")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert part.data is not None and len(part.data) == b64_size
    # The core's parts hold base64 text, so one base64-sized copy (the text) is the least; a
    # second (a bytes() of a bytearray, a re-encode) would double the peak.
    assert peak < 1.1 * b64_size


def test_image_data_uri_url(nova: MemoriesMultiModal, emu: Emulator, png_path: Path) -> None:
    uri = f"data:image/png;base64,{_b64(png_path)}"
    nova.chat(_user(ImageBlock(url=uri)))
    assert _parts(emu)[0]["image_url"] == {"url": uri}


# -- video -------------------------------------------------------------------------------------


def test_video_url(llm: MemoriesMultiModal, emu: Emulator) -> None:
    url = "https://storage.googleapis.com/bucket/clip.mp4"
    response = llm.chat(_user(VideoBlock(url=url)))
    assert "1 video(s)" in (response.message.content or "")
    assert response.raw["usage"]["prompt_tokens"] == 1000 + 4  # video + ceil(13 chars / 4)
    part = _parts(emu)[0]
    assert emu.requests[-1].path == "/vu/chat/completions"
    if llm.family == "gemini":
        assert part == {"type": "input_file", "file_uri": url, "mime_type": "video/mp4"}
    else:
        assert part == {"type": "video_url", "video_url": {"url": url}}


def test_video_path_and_bytes_on_nova(
    nova: MemoriesMultiModal, emu: Emulator, mp4_path: Path
) -> None:
    expected = {"url": f"data:video/mp4;base64,{_b64(mp4_path)}"}
    nova.chat(_user(VideoBlock(path=mp4_path)))
    assert _parts(emu)[0]["video_url"] == expected
    nova.chat(_user(VideoBlock(video=mp4_path.read_bytes())))
    assert _parts(emu)[0]["video_url"] == expected


@pytest.mark.parametrize("source", ["path", "bytes"])
def test_video_bytes_refused_for_gemini_before_any_request(
    gemini: MemoriesMultiModal, emu: Emulator, mp4_path: Path, source: str
) -> None:
    block = (
        VideoBlock(path=mp4_path) if source == "path" else VideoBlock(video=mp4_path.read_bytes())
    )
    with pytest.raises(MemoriesInputError, match="URL"):
        gemini.chat(_user(block))
    assert emu.requests == []


def test_mixed_image_and_video(gemini: MemoriesMultiModal, png_path: Path) -> None:
    response = gemini.chat(_user(ImageBlock(path=png_path), VideoBlock(url="gs://bucket/a.webm")))
    assert "1 image(s), 1 video(s)" in (response.message.content or "")
    assert response.raw["usage"]["prompt_tokens"] == 258 + 1000 + 4


# -- documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["url", "path", "bytes"])
def test_document_on_gemini(
    gemini: MemoriesMultiModal, emu: Emulator, pdf_path: Path, source: str
) -> None:
    url = "https://example.invalid/report.pdf"
    block = {
        "url": DocumentBlock(url=url),
        "path": DocumentBlock(path=pdf_path),
        "bytes": DocumentBlock(data=pdf_path.read_bytes()),
    }[source]
    response = gemini.chat(_user(block))
    assert "1 document(s)" in (response.message.content or "")
    part = _parts(emu)[0]
    assert part["mime_type"] == "application/pdf"
    assert part["file_uri"] == (url if source == "url" else _b64(pdf_path))


def test_document_refused_for_nova(nova: MemoriesMultiModal, emu: Emulator, pdf_path: Path) -> None:
    with pytest.raises(
        MemoriesInputError, match=r"DocumentBlock.*nova models do not accept document"
    ):
        nova.chat(_user(DocumentBlock(path=pdf_path)))
    assert emu.requests == []


# -- refusals and history ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        AudioBlock(url="https://example.invalid/a.mp3"),
        CachePoint(cache_control=CacheControl(type="ephemeral")),
        CitableBlock(content=[TextBlock(text="x")], source="s", title="t"),
    ],
    ids=["audio", "cache_point", "citable"],
)
def test_unsupported_blocks_raise_never_dropped(
    llm: MemoriesMultiModal, emu: Emulator, block: object
) -> None:
    with pytest.raises(MemoriesInputError, match=type(block).__name__):
        llm.chat(_user(block))
    assert emu.requests == []


def test_media_outside_user_messages_is_refused(gemini: MemoriesMultiModal) -> None:
    with pytest.raises(MemoriesInputError, match="only be sent in a user message"):
        gemini.chat(
            [
                ChatMessage(role="assistant", blocks=[ImageBlock(url="https://x.invalid/a.png")]),
                ChatMessage(role="user", content="hi"),
            ]
        )


def test_block_without_source_is_refused(gemini: MemoriesMultiModal) -> None:
    with pytest.raises(MemoriesInputError, match="ImageBlock cannot be sent"):
        gemini.chat(_user(ImageBlock()))


def test_thinking_blocks_in_history_are_dropped(gemini: MemoriesMultiModal, emu: Emulator) -> None:
    gemini.chat(
        [
            ChatMessage(role="user", content="Q1"),
            ChatMessage(
                role="assistant",
                blocks=[ThinkingBlock(content="secret thoughts"), TextBlock(text="A1")],
            ),
            ChatMessage(role="user", content="Q2"),
        ]
    )
    messages = emu.requests[-1].body["messages"]
    assert messages[1] == {"role": "assistant", "content": "A1"}
    assert "secret thoughts" not in str(emu.requests[-1].body)


def test_tool_history_goes_back_as_tool_calls_and_results(
    nova: MemoriesMultiModal, emu: Emulator
) -> None:
    from llama_index.core.tools import FunctionTool

    def multiply(a: int, b: int) -> int:
        """Multiply two integers."""
        return a * b

    response = nova.chat(
        [
            ChatMessage(role="user", content="What is 3 times 4?"),
            ChatMessage(
                role="assistant",
                blocks=[
                    ThinkingBlock(content="use the tool"),
                    ToolCallBlock(tool_call_id="c1", tool_name="multiply", tool_kwargs={"a": 3}),
                ],
            ),
            ChatMessage(
                role=MessageRole.TOOL, content="12", additional_kwargs={"tool_call_id": "c1"}
            ),
        ],
        # Like Bedrock, the service wants toolConfig whenever the history holds tool turns.
        tools=[FunctionTool.from_defaults(multiply)],
    )
    messages = emu.requests[-1].body["messages"]
    assert messages[1]["tool_calls"][0]["id"] == "c1"
    assert messages[1]["tool_calls"][0]["function"]["name"] == "multiply"
    assert messages[2] == {"role": "tool", "tool_call_id": "c1", "content": "12"}
    assert "the tool returned: 12" in (response.message.content or "")


def test_tool_message_without_id_is_refused(nova: MemoriesMultiModal) -> None:
    with pytest.raises(MemoriesInputError, match="tool_call_id"):
        nova.chat([ChatMessage(role="user", content="x"), ChatMessage(role="tool", content="1")])


def test_tool_history_refused_for_gemini(gemini: MemoriesMultiModal) -> None:
    with pytest.raises(MemoriesInputError, match="tool"):
        gemini.chat(
            [
                ChatMessage(role="user", content="x"),
                ChatMessage(role="tool", content="1", additional_kwargs={"tool_call_id": "c1"}),
            ]
        )


# -- legacy image_documents ----------------------------------------------------------------------


def test_complete_with_image_documents(
    gemini: MemoriesMultiModal, emu: Emulator, png_path: Path
) -> None:
    docs = [
        ImageNode(image_url="https://example.invalid/a.jpg"),
        ImageNode(image=_b64(png_path)),
        ImageDocument(image=_b64(png_path)),
        ImageNode(image_path=str(png_path)),
    ]
    response = gemini.complete("Describe these", image_documents=docs)
    assert "4 image(s)" in response.text
    parts = _parts(emu)
    assert parts[0]["file_uri"] == "https://example.invalid/a.jpg"
    assert all(p["file_uri"] == _b64(png_path) for p in parts[1:4])
    assert parts[-1] == {"type": "text", "text": "Describe these"}


async def test_acomplete_and_stream_with_image_documents(
    nova: MemoriesMultiModal, png_path: Path
) -> None:
    docs = [ImageNode(image=_b64(png_path))]
    assert "1 image(s)" in (await nova.acomplete("Describe", image_documents=docs)).text
    last = list(nova.stream_complete("Describe", image_documents=docs))[-1]
    assert "1 image(s)" in last.text


def test_image_documents_of_wrong_type(gemini: MemoriesMultiModal) -> None:
    with pytest.raises(MemoriesInputError, match="image_documents"):
        gemini.complete("x", image_documents=["https://example.invalid/a.png"])


def test_legacy_additional_kwargs_images(gemini: MemoriesMultiModal, png_path: Path) -> None:
    message = ChatMessage(
        role="user",
        content="Look",
        additional_kwargs={"images": [ImageDocument(image=_b64(png_path))]},
    )
    assert "1 image(s)" in (gemini.chat([message]).message.content or "")


def test_url_wins_over_bytes_when_a_block_has_both(
    gemini: MemoriesMultiModal, emu: Emulator, mp4_path: Path
) -> None:
    # LlamaIndex fills both when it has downloaded a node's URL; the URL is what Gemini takes.
    url = "https://storage.googleapis.com/b/clip.mp4"
    gemini.chat(_user(VideoBlock(url=url, video=mp4_path.read_bytes())))
    assert _parts(emu)[0]["file_uri"] == url


# -- options the API has no field for: refused, never dropped ----------------------------------


@pytest.mark.parametrize(
    ("block", "key"),
    [
        (VideoBlock(url="https://example.com/clip.mp4", fps=2), "'fps'"),
        (VideoBlock(url="https://example.com/clip.mp4", detail="high"), "'detail'"),
        (ImageBlock(url="https://example.com/cat.png", detail="low"), "'detail'"),
    ],
    ids=["video-fps", "video-detail", "image-detail"],
)
def test_block_options_that_change_the_answer_are_refused(
    llm: MemoriesMultiModal, emu: Emulator, block: object, key: str
) -> None:
    with pytest.raises(MemoriesInputError) as info:
        llm.chat(_user(block))
    message = str(info.value)
    assert message.startswith("messages[0].blocks[0]: ")
    assert key in message and "has no field in the memories.ai API" in message
    assert emu.requests == []


def test_block_options_that_ask_for_nothing_pass(gemini: MemoriesMultiModal, emu: Emulator) -> None:
    gemini.chat(_user(ImageBlock(url="https://example.com/cat.png", detail="auto")))
    assert _parts(emu)[0] == {
        "type": "input_file",
        "file_uri": "https://example.com/cat.png",
        "mime_type": "image/png",
    }
