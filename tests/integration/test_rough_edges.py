"""Small things a new user meets first: tuple messages, local paths, video-site page URLs."""

from __future__ import annotations

import warnings

import pytest
from langchain_core.messages import HumanMessage

import memories_client as mc
from langchain_memories import ChatMemoriesGemini

CLIP = "https://storage.googleapis.com/memories-test-data/test_1min.mp4"


def test_token_count_takes_the_tuples_invoke_takes() -> None:
    llm = ChatMemoriesGemini(api_key="k")
    assert llm.get_num_tokens_from_messages([("user", "hi")]) == (
        llm.get_num_tokens_from_messages([HumanMessage("hi")])
    )
    assert llm.get_num_tokens_from_messages(["hi", ("system", "be brief")]) > 0


@pytest.mark.parametrize("path", ["/tmp/clip.mp4", "clip.mp4", "file:///tmp/clip.mp4"])
def test_a_local_path_in_a_langchain_video_block_gets_langchain_advice(path: str) -> None:
    llm = ChatMemoriesGemini(api_key="k")
    message = HumanMessage(content=[{"type": "video", "url": path}])
    with pytest.raises(mc.MemoriesInputError) as info:
        llm.get_num_tokens_from_messages([message])
    text = str(info.value)
    assert text.startswith("messages[0].content[0]")
    assert "'base64'" in text and "uploader=MemoriesAssetUploader()" in text
    assert "media_from_path" not in text  # a core function that fits no LangChain message


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ",
        "https://m.youtube.com/watch?v=x",
        "https://www.tiktok.com/@a/video/1",
    ],
)
def test_a_video_site_page_url_is_warned_about(url: str) -> None:
    with pytest.warns(mc.PageURLWarning, match="direct link"):
        mc.media_from_url(url, kind="video")
    llm = ChatMemoriesGemini(api_key="k")
    with pytest.warns(mc.PageURLWarning) as caught:
        llm.get_num_tokens_from_messages([HumanMessage([{"type": "video", "url": url}])])
    assert caught[0].filename == __file__


def test_a_direct_file_url_is_not_warned_about() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mc.media_from_url(CLIP)
        mc.media_from_url("https://cdn.youtube-mirror.example/clip.mp4")
