"""Canned requests and responses shared by every benchmark.

The responses have the documented shapes (Gemini ``completion``, Nova ``chat.completion``) and an
OpenAI ``chat.completion`` padded to the same byte size as the Gemini one, so that every client
parses the same amount of JSON. The request bodies are built once with the core's own dialect, so
the raw-httpx and framework-floor baselines post exactly the bytes our client posts.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from memories_client import ChatRequest, Message, media_from_url
from memories_client.dialects import GeminiDialect

BASE_URL = "https://bench.test/serve/api/v2"
GEMINI_URL = f"{BASE_URL}/vu/chat/completions"
OPENAI_BASE_URL = "https://bench.test/v1"
API_KEY = "sk-mavi-bench"
GEMINI_MODEL = "gemini-2.5-flash"
NOVA_MODEL = "nova:us.amazon.nova-lite-v1:0"

QUESTION = "What happens in this video? Answer in three sentences."
IMAGE_URL = "https://storage.googleapis.com/memories-test-data/frame.png"
VIDEO_URL = "https://storage.googleapis.com/memories-test-data/test_1min.mp4"

ANSWER = (
    "This video demonstrates the effects of vacuum on three different states of oranges. "
    "A whole orange, a peeled orange and a glass of orange juice are placed in a vacuum "
    "chamber; as the air is pumped out the juice boils at room temperature, the peeled orange "
    "swells as the gas trapped in its cells expands, and the whole orange barely changes "
    "because its peel holds the pressure. When the air is let back in, the peeled orange "
    "collapses into a wrinkled, denser version of itself."
)

JSON_HEADERS = {"content-type": "application/json", "x-request-id": "bench-0001"}
SSE_HEADERS = {"content-type": "text/event-stream", "x-request-id": "bench-0001"}

CASES = ("text", "media")
"""Text only, and text plus one image URL and one video URL."""


def _dumps(body: object) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


GEMINI_RESPONSE: dict[str, object] = {
    "id": "resp_5810813e-99b9-427a-8736-23cf34573627",
    "object": "completion",
    "model": "gemini:gemini-2.5-flash",
    "created_at": 1767093284,
    "status": "completed",
    "choices": [{"text": ANSWER, "index": 0}],
    "usage": {"input_tokens": 16983, "output_tokens": 97, "total_tokens": 17080},
    "meta": {"provider": "gemini", "provider_model": "gemini-2.5-flash"},
}
NOVA_RESPONSE: dict[str, object] = {
    "id": "chatcmpl_02ef43228bb94596a9252bcb0b9658cc",
    "object": "chat.completion",
    "created": 1767093284,
    "model": "nova:us.amazon.nova-lite-v1:0",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": ANSWER},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 16983, "output_token": 97, "total_tokens": 17080},
}
GEMINI_BYTES = _dumps(GEMINI_RESPONSE)
NOVA_BYTES = _dumps(NOVA_RESPONSE)


def _openai_response(target_size: int) -> bytes:
    """A standard OpenAI chat completion; ``system_fingerprint`` pads it to ``target_size``."""
    body: dict[str, object] = {
        "id": "chatcmpl-AbCdEf0123456789",
        "object": "chat.completion",
        "created": 1767093284,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": ANSWER},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 16983, "completion_tokens": 97, "total_tokens": 17080},
        "system_fingerprint": "fp_",
    }
    pad = max(0, target_size - len(_dumps(body)))
    body["system_fingerprint"] = "fp_" + "0" * pad
    return _dumps(body)


OPENAI_BYTES = _openai_response(len(GEMINI_BYTES))


def core_request(case: str, model: str = GEMINI_MODEL) -> ChatRequest:
    """The neutral request for a case, as the framework layers should produce it."""
    parts: list[object] = [QUESTION]
    if case == "media":
        parts += [media_from_url(IMAGE_URL), media_from_url(VIDEO_URL)]
    return ChatRequest(model=model, messages=[Message.user(*parts)])  # type: ignore[arg-type]


def gemini_body(case: str, *, stream: bool = False) -> bytes:
    """The exact bytes our client posts for a case (built once with the core dialect)."""
    dialect = GeminiDialect()
    body = dialect.build_body(core_request(case), stream=stream)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def langchain_content(case: str) -> str | list[dict[str, object]]:
    """HumanMessage content for a case, in LangChain v1 standard blocks."""
    if case == "text":
        return QUESTION
    return [
        {"type": "text", "text": QUESTION},
        {"type": "image", "url": IMAGE_URL, "mime_type": "image/png"},
        {"type": "video", "url": VIDEO_URL, "mime_type": "video/mp4"},
    ]


def openai_content(case: str) -> str | list[dict[str, object]]:
    """The same question for ChatOpenAI (OpenAI ``image_url`` / ``video_url`` parts)."""
    if case == "text":
        return QUESTION
    return [
        {"type": "text", "text": QUESTION},
        {"type": "image_url", "image_url": {"url": IMAGE_URL}},
        {"type": "video_url", "video_url": {"url": VIDEO_URL}},
    ]


def json_handler(body: bytes) -> Callable[[httpx.Request], httpx.Response]:
    """A MockTransport handler answering every request with ``body``."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=JSON_HEADERS, content=body)

    return handler


def mock_client(body: bytes) -> httpx.Client:
    """A sync client whose transport answers every request with ``body``."""
    return httpx.Client(transport=httpx.MockTransport(json_handler(body)))


def sse_events() -> list[bytes]:
    """The SSE events (one per item) of a streamed Gemini answer in the emulator's shape."""
    head = {
        "id": "resp_5810813e",
        "object": "completion.chunk",
        "model": "gemini:gemini-2.5-flash",
        "created_at": 1767093284,
    }
    words = ANSWER.split(" ")
    pieces = [" ".join(words[i : i + 4]) + " " for i in range(0, len(words), 4)]
    events = [_dumps({**head, "choices": [{"index": 0, "text": p}]}) for p in pieces]
    final = {
        **head,
        "choices": [{"index": 0, "text": "", "finish_reason": "stop"}],
        "usage": GEMINI_RESPONSE["usage"],
    }
    events.append(_dumps(final))
    events.append(b"[DONE]")
    return [b"data: " + e + b"\n\n" for e in events]
