"""Record and replay: exchanges recorded once (here against the emulator) replay without it.

The recorder is vcrpy with ``memories_emulator.recording.vcr_config()``, what a user
with a real key does once; the replay runs with the emulator stopped, so every answer comes
from the cassette.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import vcr
from langchain_core.messages import AIMessage, HumanMessage

from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from memories_client.uploads import MemoriesAssetUploader
from memories_emulator import Emulator, Reply
from memories_emulator.recording import REDACTED, vcr_config

KEY = "sk-mavi-Live-Looking-Key-123"


def exchanges(base_url: str, clip: Path) -> list[Any]:
    """The user's own calls: invoke, stream, a tool call, an upload and a video question."""
    gemini = ChatMemoriesGemini(api_key=KEY, base_url=base_url, max_retries=0)
    nova = ChatMemoriesNova(api_key=KEY, base_url=base_url, max_retries=0)
    answer = gemini.invoke("When does the dog enter?")
    streamed: AIMessage | None = None
    for chunk in gemini.stream("Describe the opening shot."):
        streamed = chunk if streamed is None else streamed + chunk  # type: ignore[assignment]
    assert streamed is not None

    def get_weather(city: str) -> str:
        """The weather in a city."""
        return "sunny"

    call = nova.bind_tools([get_weather]).invoke("What is the weather in city 'Oslo'?")
    uploader = MemoriesAssetUploader(api_key=KEY, base_url=base_url, poll_interval=0.01)
    url = uploader.upload(clip)
    seen = gemini.invoke(
        [
            HumanMessage(
                content=[
                    {"type": "text", "text": "What happens?"},
                    {"type": "video", "url": url, "mime_type": "video/mp4"},
                ]
            )
        ]
    )
    return [
        (answer.text, answer.usage_metadata),
        (streamed.text, streamed.usage_metadata),
        (call.tool_calls[0]["name"], call.tool_calls[0]["args"], call.usage_metadata),
        (seen.text, seen.usage_metadata),
    ]


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(bytes(4) + b"ftypmp42" + os.urandom(2000))
    return path


def test_replay_with_the_emulator_stopped_gives_the_same_answers_and_usage(
    tmp_path: Path, clip: Path
) -> None:
    cassette = str(tmp_path / "session.yaml")
    with Emulator(api_key=KEY) as emu:
        base_url = emu.base_url
        emu.queue(Reply(text="The dog enters at 0:42.", usage={"input_tokens": 1290}))
        with vcr.VCR(**vcr_config()).use_cassette(cassette) as recorded:
            first = exchanges(base_url, clip)
        signature = emu.app.upload_store.signature(emu.app.upload_store.assets[0].asset_id)
    assert not recorded.play_count and len(recorded) >= 6
    assert first[0] == ("The dog enters at 0:42.", first[0][1])
    assert first[0][1]["input_tokens"] == 1290  # the scripted usage, recorded
    assert first[2][:2] == ("get_weather", {"city": "Oslo"})

    # The emulator is stopped: nothing listens on base_url any more.
    with vcr.VCR(**vcr_config(record_mode="none")).use_cassette(cassette) as replayed:
        again = exchanges(base_url, clip)
    assert again == first
    assert replayed.all_played

    text = Path(cassette).read_text()
    assert KEY not in text
    assert signature not in text
    assert f"X-Goog-Signature={REDACTED}" in text
    assert REDACTED in text


def test_a_cassette_replays_against_another_base_url(tmp_path: Path, clip: Path) -> None:
    """Matching ignores the host and port: a cassette recorded elsewhere replays anywhere."""
    cassette = str(tmp_path / "moved.yaml")
    with Emulator() as emu, vcr.VCR(**vcr_config()).use_cassette(cassette):
        gemini = ChatMemoriesGemini(api_key=KEY, base_url=emu.base_url, max_retries=0)
        recorded = gemini.invoke("Hi").text
    with vcr.VCR(**vcr_config(record_mode="none")).use_cassette(cassette):
        gemini = ChatMemoriesGemini(api_key=KEY, base_url="https://api.example.test", max_retries=0)
        assert gemini.invoke("Hi").text == recorded


def test_an_unrecorded_request_fails_on_replay_instead_of_going_out(tmp_path: Path) -> None:
    cassette = str(tmp_path / "one.yaml")
    with Emulator() as emu, vcr.VCR(**vcr_config()).use_cassette(cassette):
        base_url = emu.base_url
        ChatMemoriesGemini(api_key=KEY, base_url=base_url, max_retries=0).invoke("Hi")
    with vcr.VCR(**vcr_config(record_mode="none")).use_cassette(cassette):
        llm = ChatMemoriesGemini(api_key=KEY, base_url=base_url, max_retries=0)
        with pytest.raises(Exception, match="Can't overwrite existing cassette"):
            llm.invoke("Something never recorded")


async def test_async_calls_record_and_replay_too(tmp_path: Path) -> None:
    cassette = str(tmp_path / "async.yaml")
    with Emulator() as emu, vcr.VCR(**vcr_config()).use_cassette(cassette):
        base_url = emu.base_url
        emu.queue(Reply(text="asynchronously recorded"))
        llm = ChatMemoriesGemini(api_key=KEY, base_url=base_url, max_retries=0)
        recorded = await llm.ainvoke("Hi")
        chunks = [chunk.text async for chunk in llm.astream("Stream it")]
    with vcr.VCR(**vcr_config(record_mode="none")).use_cassette(cassette) as replayed:
        llm = ChatMemoriesGemini(api_key=KEY, base_url=base_url, max_retries=0)
        again = await llm.ainvoke("Hi")
        assert [chunk.text async for chunk in llm.astream("Stream it")] == chunks
    assert (again.text, again.usage_metadata) == (
        "asynchronously recorded",
        recorded.usage_metadata,
    )
    assert replayed.all_played
