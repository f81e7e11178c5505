"""Response bodies: the error envelope and each family's completion shape, ids and usage keys.

Example:
    >>> from memories_client.emulator.answers import Answer, Choice, Usage
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

from memories_client.emulator.answers import Answer, Choice, Usage
from memories_client.emulator.checks import SHAPES

__all__ = [
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


def usage_json(family: str, usage: Usage) -> dict[str, int]:
    """``usage`` with the keys ``family`` documents.

    Example:
        >>> usage_json("gemini", Usage(3, 2))
        {'input_tokens': 3, 'output_tokens': 2, 'total_tokens': 5}
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
    # Nova's documented key is the singular "output_token"; GPT is plain OpenAI.
    output_key = "completion_tokens" if family == "gpt" else "output_token"
    return {
        "prompt_tokens": usage.input_tokens,
        output_key: usage.output_tokens,
        "total_tokens": usage.total_tokens,
    }


def tool_call_json(choice: Choice, *, index: int | None = None) -> list[dict[str, Any]]:
    """The choice's tool call as OpenAI ``tool_calls`` (empty without one); ``index`` for deltas.

    Example:
        >>> from memories_client.emulator.answers import ToolCall
        >>> call = ToolCall("call_1", "get_weather", "{}")
        >>> tool_call_json(Choice(0, "", "tool_calls", call))[0]["function"]["name"]
        'get_weather'
    """
    call = choice.tool_call
    if call is None:
        return []
    entry: dict[str, Any] = {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }
    return [{"index": index, **entry} if index is not None else entry]


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
            self.id, self.model = f"chatcmpl-{uuid.uuid4().hex}", model
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
    choices = []
    for c in answer.choices:
        message: dict[str, Any] = {"role": "assistant", "content": c.text}
        if c.tool_call is not None:
            message["tool_calls"] = tool_call_json(c)
        choices.append({"index": c.index, "message": message, "finish_reason": c.finish_reason})
    body["choices"] = choices
    body["usage"] = usage_json(identity.family, answer.usage)
    return body
