"""Against the real memories.ai service. Marked `live`; skipped unless MEMORIES_API_KEY is set.

Run them with: MEMORIES_API_KEY=sk-... .venv/bin/pytest -m live tests/live
They cost a few cents and use the docs' own public sample media.
"""

from __future__ import annotations

import pytest

from memories_client import ChatRequest, MemoriesClient, Message, media_from_url

pytestmark = pytest.mark.live

VIDEO_URL = "https://storage.googleapis.com/memories-test-data/test_1min.mp4"
IMAGE_URL = "https://storage.googleapis.com/memories-test-data/gun5.png"


def test_gemini_video() -> None:
    with MemoriesClient() as client:
        answer = client.chat(
            ChatRequest(
                model="gemini:gemini-2.5-flash",
                messages=[
                    Message.user("Describe the video in one sentence.", media_from_url(VIDEO_URL))
                ],
                max_tokens=200,
            )
        )
    assert answer.text.strip()
    assert answer.usage is not None and answer.usage.input_tokens > 0


def test_nova_image() -> None:
    with MemoriesClient() as client:
        answer = client.chat(
            ChatRequest(
                model="nova:us.amazon.nova-lite-v1:0",
                messages=[
                    Message.user(
                        "What is in this image?", media_from_url(IMAGE_URL, mime_type="image/png")
                    )
                ],
                max_tokens=100,
            )
        )
    assert answer.text.strip()


def test_gemini_stream_format() -> None:
    """Records what the undocumented stream format really is (the parser tolerates several)."""
    with MemoriesClient() as client:
        chunks = list(
            client.stream(
                ChatRequest(
                    model="gemini:gemini-2.5-flash",
                    messages=[Message.user("Count to five.")],
                    max_tokens=50,
                )
            )
        )
    assert chunks[-1].done
    assert "".join(c.text for c in chunks).strip()
