"""Response bodies: the error envelope and each family's completion shape, ids and usage keys.

Example:
    >>> from memories_emulator.answers import Answer, Choice, Usage
    >>> answer = Answer((Choice(0, "hi", "stop"),), Usage(3, 1))
    >>> body = completion_body(CompletionIdentity("nova", "nova:amazon.nova-lite-v1:0"), answer)
    >>> body["choices"][0]["message"]["content"], body["usage"]["output_token"]
    ('hi', 1)
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse, Response

from memories_emulator.answers import Answer, Choice, Usage
from memories_emulator.checks import SHAPES

__all__ = [
    "GPT_TAIL",
    "CompletionIdentity",
    "completion_body",
    "envelope",
    "family_of",
    "tool_call_json",
    "usage_json",
]


def envelope(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """The service's error envelope (``code``, ``msg``, ``data``, ``success``, ``failed``).

    Example:
        >>> envelope(429, "Too many requests", {"Retry-After": "1"}).status_code
        429
    """
    body = {"code": status, "msg": message, "data": None, "success": False, "failed": True}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def family_of(data: Any) -> str:
    """The provider family a (possibly invalid) body names; ``gemini`` when it names none.

    Example:
        >>> family_of({"model": "nova:amazon.nova-lite-v1:0"}), family_of(None)
        ('nova', 'gemini')
    """
    model = data.get("model") if isinstance(data, dict) else None
    prefix = model.partition(":")[0] if isinstance(model, str) else ""
    return prefix if prefix in SHAPES else "gemini"


def usage_json(family: str, usage: Usage) -> dict[str, Any]:
    """``usage`` with the keys ``family`` documents.

    Example:
        >>> usage_json("gemini", Usage(3, 2))
        {'input_tokens': 3, 'output_tokens': 2, 'total_tokens': 5}
        >>> usage_json("gpt", Usage(3, 2))["prompt_tokens_details"]
        {'cached_tokens': 0, 'audio_tokens': 0}
    """
    if SHAPES[family] == "gemini":
        result = {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "total_tokens": usage.total_tokens,
        }
        if usage.reasoning_tokens is not None:
            result["reasoning_tokens"] = usage.reasoning_tokens
        return result
    if family == "gpt":
        # The GPT page's example is a complete OpenAI usage object, details included.
        return {
            "prompt_tokens": usage.input_tokens,
            "completion_tokens": usage.output_tokens,
            "total_tokens": usage.total_tokens,
            "prompt_tokens_details": {"cached_tokens": usage.cached_tokens or 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": usage.reasoning_tokens or 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }
    # Nova's documented key is the singular "output_token".
    return {
        "prompt_tokens": usage.input_tokens,
        "output_token": usage.output_tokens,
        "total_tokens": usage.total_tokens,
    }


def tool_call_json(choice: Choice, *, indexed: bool = False) -> list[dict[str, Any]]:
    """The choice's tool calls as OpenAI ``tool_calls`` (empty without); ``indexed`` for deltas.

    Example:
        >>> from memories_emulator.answers import ToolCall
        >>> call = ToolCall("call_1", "get_weather", "{}")
        >>> tool_call_json(Choice(0, "", "tool_calls", (call,)))[0]["function"]["name"]
        'get_weather'
    """
    entries: list[dict[str, Any]] = []
    for position, call in enumerate(choice.tool_calls):
        entry: dict[str, Any] = {
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments},
        }
        entries.append({"index": position, **entry} if indexed else entry)
    return entries


class CompletionIdentity:
    """Id, model echo and timestamp of one completion, per the family's documented example.

    Example:
        >>> CompletionIdentity("qwen", "qwen:qwen3-vl-plus").head()["model"]
        'qwen3-vl-plus'
    """

    def __init__(self, family: str, model: str) -> None:
        self.family = family
        self.shape = SHAPES[family]
        self.provider_model = model.partition(":")[2]
        self.created = int(time.time())
        if family == "qwen":
            # The Qwen examples show a bare UUID id and the model echoed without its prefix.
            self.id, self.model = str(uuid.uuid4()), self.provider_model
        elif family == "gpt":
            # The GPT example echoes OpenAI's own model name, without the prefix.
            self.id, self.model = f"chatcmpl-{uuid.uuid4().hex}", self.provider_model
        elif family == "nova":
            self.id, self.model = f"chatcmpl_{uuid.uuid4().hex}", model
        else:
            self.id, self.model = f"resp_{uuid.uuid4()}", model

    def head(self, chunk: bool = False) -> dict[str, Any]:
        """The fields that open every body (or stream chunk, with ``chunk=True``)."""
        if self.shape == "gemini":
            kind = "completion.chunk" if chunk else "completion"
            return {"id": self.id, "object": kind, "model": self.model, "created_at": self.created}
        kind = "chat.completion.chunk" if chunk else "chat.completion"
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}


def completion_body(identity: CompletionIdentity, answer: Answer) -> dict[str, Any]:
    """The non-streamed completion body of ``answer`` in the identity's family shape.

    Example:
        >>> answer = Answer((Choice(0, "hi", "stop"),), Usage(1, 1))
        >>> completion_body(CompletionIdentity("gemini", "gemini:x"), answer)["choices"][0]["text"]
        'hi'
    """
    body = identity.head()
    if identity.shape == "gemini":
        body["status"] = "completed"
        body["choices"] = [
            {"text": c.text, "index": c.index, "finish_reason": c.finish_reason}
            for c in answer.choices
        ]
        body["usage"] = usage_json(identity.family, answer.usage)
        body["meta"] = {"provider": identity.family, "provider_model": identity.provider_model}
        return body
    gpt = identity.family == "gpt"
    choices = []
    for c in answer.choices:
        message: dict[str, Any] = {"role": "assistant", "content": c.text}
        if c.tool_calls:
            message["tool_calls"] = tool_call_json(c)
        choice: dict[str, Any] = {"index": c.index, "message": message}
        if gpt:  # the rest of OpenAI's choice, as the GPT example shows it
            message.update(refusal=None, annotations=[])
            choice["logprobs"] = None
        choice["finish_reason"] = c.finish_reason
        choices.append(choice)
    body["choices"] = choices
    body["usage"] = usage_json(identity.family, answer.usage)
    if gpt:
        body.update(GPT_TAIL)
    return body


GPT_TAIL = {"service_tier": "default", "system_fingerprint": "fp_emulator"}
"""The fields that close the GPT example's body."""
