"""Shared constants and request builders for the emulator tests (imported by the test modules)."""

from __future__ import annotations

import json
from typing import Any

import httpx

KEY = "sk-mavi-test"
GEMINI = "gemini:gemini-2.5-flash"
NOVA = "nova:us.amazon.nova-lite-v1:0"
IMAGE_URL = "https://storage.googleapis.com/memories-test-data/gun5.png"
VIDEO_URL = "https://storage.googleapis.com/memories-test-data/test_1min.mp4"
# A 1x1 PNG.
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
ENVELOPE_KEYS = {"code", "msg", "data", "success", "failed"}


def user(*parts: dict[str, Any] | str) -> dict[str, Any]:
    """A user message whose content is an array; strings become text parts."""
    content = [{"type": "text", "text": p} if isinstance(p, str) else p for p in parts]
    return {"role": "user", "content": content}


def gemini_body(*messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"model": GEMINI, "messages": list(messages) or [user("Hi")], **extra}


def nova_body(*messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"model": NOVA, "messages": list(messages) or [user("Hi")], **extra}


def image_file(uri: str = IMAGE_URL, mime: str = "image/jpeg") -> dict[str, Any]:
    return {"type": "input_file", "file_uri": uri, "mime_type": mime}


def video_file(uri: str = VIDEO_URL, mime: str = "video/mp4") -> dict[str, Any]:
    return {"type": "input_file", "file_uri": uri, "mime_type": mime}


def metadata(**values: Any) -> dict[str, Any]:
    return {"extra_body": {"metadata": values}}


def assert_error(response: httpx.Response, status: int, fragment: str = "") -> str:
    """Check an error response in the memories.ai envelope and return its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["code"] == status
    assert body["data"] is None
    assert body["success"] is False
    assert body["failed"] is True
    assert fragment in body["msg"], body["msg"]
    return str(body["msg"])


def text_of(response: httpx.Response, index: int = 0) -> str:
    """The answer text of a Gemini- or Nova-shaped completion."""
    assert response.status_code == 200, response.text
    choice = response.json()["choices"][index]
    return str(choice["text"] if "text" in choice else choice["message"]["content"])


def unfence(text: str) -> Any:
    """Parse a ```json fenced answer, insisting on the fence."""
    assert text.startswith("```json\n") and text.endswith("\n```"), text
    return json.loads(text[len("```json\n") : -len("\n```")])


def sse_events(response: httpx.Response) -> list[Any]:
    """The data payloads of an SSE response ([DONE] kept as the string)."""
    events: list[Any] = []
    for block in response.text.split("\n\n"):
        if not block.strip():
            continue
        assert block.startswith("data: "), block
        payload = block[len("data: ") :]
        events.append(payload if payload == "[DONE]" else json.loads(payload))
    return events
