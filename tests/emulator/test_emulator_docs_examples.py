"""The documented example requests, sent as-is, get the documented response shapes."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import httpx
from emulator_testlib import IMAGE_URL, VIDEO_URL, assert_error, unfence

Post = Callable[..., httpx.Response]

SYSTEM = "You are a multimodal assistant. Keep your answers concise."
QUESTION = "Please summarize the content of this video and image"

# Typed in from the "Code Example" of the Gemini VLM page (gemini-vlm-chat-completions.txt).
DOCS_GEMINI_MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": SYSTEM},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": QUESTION},
            {"type": "input_file", "file_uri": IMAGE_URL, "mime_type": "image/jpeg"},
            {"type": "input_file", "file_uri": VIDEO_URL, "mime_type": "video/mp4"},
        ],
    },
]
DOCS_GEMINI_METADATA: dict[str, Any] = {
    "thinking_config": {"thinking_budget": 1024},
    "response_mime_type": "application/json",
    "responseSchema": {
        "type": "OBJECT",
        "properties": {
            "video_summary": {
                "type": "STRING",
                "description": "Summary of the video content from 1 second to 8 seconds.",
            },
            "image_summary": {"type": "STRING", "description": "Summary of the image content."},
        },
        "required": ["video_summary", "image_summary"],
    },
}
DOCS_GEMINI_PARAMS: dict[str, Any] = {
    "model": "gemini:gemini-2.5-flash",
    "messages": DOCS_GEMINI_MESSAGES,
    "temperature": 0.7,
    "max_tokens": 1000,
    "top_p": 1.0,
    "frequency_penalty": 0.0,
    "presence_penalty": 0.0,
    "n": 1,
    "stream": False,
    "stop": None,
}
GEMINI_RESPONSE_KEYS = {"id", "object", "model", "created_at", "status", "choices", "usage", "meta"}
NOVA_RESPONSE_KEYS = {"id", "object", "created", "model", "choices", "usage"}


def _check_docs_gemini_answer(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == GEMINI_RESPONSE_KEYS
    assert re.fullmatch(r"resp_[0-9a-f-]{36}", body["id"])
    assert body["object"] == "completion"
    assert body["model"] == "gemini:gemini-2.5-flash"
    assert isinstance(body["created_at"], int)
    assert body["status"] == "completed"
    assert body["meta"] == {"provider": "gemini", "provider_model": "gemini-2.5-flash"}
    [choice] = body["choices"]
    assert choice["index"] == 0
    assert choice["finish_reason"] == "stop"
    assert unfence(choice["text"]) == {
        "video_summary": "example video_summary",
        "image_summary": "example image_summary",
    }
    expected_input = (
        math.ceil(len(SYSTEM) / 4) + math.ceil(len(QUESTION) / 4) + 258 + 1000  # image + video
    )
    reasoning = 64  # min(thinking_budget=1024, 64)
    assert body["usage"] == {
        "input_tokens": expected_input,
        "output_tokens": len(choice["text"].split()) + reasoning,
        "total_tokens": expected_input + len(choice["text"].split()) + reasoning,
        "reasoning_tokens": reasoning,
    }


def test_gemini_code_example_with_literal_extra_body(post: Post) -> None:
    body = {**DOCS_GEMINI_PARAMS, "extra_body": {"metadata": DOCS_GEMINI_METADATA}}
    _check_docs_gemini_answer(post(body))


def test_gemini_code_example_as_the_openai_sdk_sends_it(http: httpx.Client) -> None:
    # The docs' example uses the OpenAI SDK with base_url ".../serve/api/v2/vu": the SDK appends
    # /chat/completions, sends "Bearer <key>" and merges extra_body into the top level.
    response = http.post(
        "/serve/api/v2/vu/chat/completions",
        json={**DOCS_GEMINI_PARAMS, "metadata": DOCS_GEMINI_METADATA},
        headers={"Authorization": "Bearer sk-mai-this_a_test_string_please_use_your_generated_key"},
    )
    _check_docs_gemini_answer(response)


def test_gemini_curl_template_placeholders_are_refused(post: Post) -> None:
    # The curl sample on the same page is a template: a system message only and an OBJECT
    # schema with no properties. Gemini refuses both, so the emulator does too.
    template = {
        "model": "gemini:gemini-2.5-flash",
        "messages": [{"role": "system", "content": "<string>"}],
        "stop": "<string>",
    }
    assert_error(post(template), 400, "Model input cannot be empty")
    template["messages"] = [*DOCS_GEMINI_MESSAGES]
    template["extra_body"] = {
        "metadata": {"responseSchema": {"type": "OBJECT", "properties": {}, "required": ["x"]}}
    }
    assert_error(post(template), 400, "should be non-empty for OBJECT type")


def test_nova_ilm_example_shape(post: Post) -> None:
    body = {
        "model": "nova:amazon.nova-lite-v1:0",
        "messages": [
            {"role": "system", "content": "Describe images briefly."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in this photo?"},
                    {"type": "image_url", "image_url": {"url": IMAGE_URL}},
                ],
            },
        ],
        "temperature": 1.0,
        "max_tokens": 1000,
    }
    response = post(body, "/ilm/chat/completions")
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) == NOVA_RESPONSE_KEYS
    assert re.fullmatch(r"chatcmpl_[0-9a-f]{32}", data["id"])
    assert data["object"] == "chat.completion"
    assert isinstance(data["created"], int)
    assert data["model"] == "nova:amazon.nova-lite-v1:0"
    [choice] = data["choices"]
    assert choice["index"] == 0
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    assert choice["message"]["content"] == (
        "Emulated answer from nova:amazon.nova-lite-v1:0: I received 1 text part(s), "
        '1 image(s), 0 video(s), 0 document(s). Question: "What is in this photo?".'
    )
    prompt = math.ceil(len("Describe images briefly.") / 4) + math.ceil(22 / 4) + 258
    words = len(choice["message"]["content"].split())
    assert data["usage"] == {
        "prompt_tokens": prompt,
        "output_token": words,
        "total_tokens": prompt + words,
    }


def test_every_documented_path_answers(post: Post) -> None:
    body = {
        "model": "nova:us.amazon.nova-lite-v1:0",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
    }
    for prefix in ("", "/serve/api/v2"):
        for path in (
            "/vu/chat/completions",
            "/iu/chat/completions",
            "/ilm/chat/completions",
            "/chat/completions",
        ):
            response = post(body, prefix + path)
            assert response.status_code == 200, (prefix + path, response.text)
            assert response.json()["object"] == "chat.completion"
