"""Request validation: the key, the content type and every field of a chat-completions body.

The first rule a request breaks is reported, naming the field. Messages are checked in
:mod:`~memories_emulator.messages`, provider options in
:mod:`~memories_emulator.provider_options`.

Example:
    >>> validated = validate_request({
    ...     "model": "gemini:gemini-2.5-flash",
    ...     "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
    ... }, "vu", b"{}")
    >>> validated.family, validated.stream
    ('gemini', False)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from starlette.requests import Request

from memories_emulator.answers import MAX_REASONING_TOKENS, AnswerRequest, ToolSpec
from memories_emulator.checks import SHAPES, ApiError, bad, is_int, is_number
from memories_emulator.messages import check_messages, media_urls_of
from memories_emulator.provider_options import (
    GeminiOptions,
    QwenOptions,
    gemini_options,
    gpt_json_mode,
    merged_metadata,
    qwen_options,
    tool_config,
)

__all__ = ["Validated", "authenticate", "check_content_type", "validate_request"]

_BEARER = re.compile(r"^bearer(?:\s+|$)", re.IGNORECASE)


def authenticate(request: Request, expected: str | None) -> None:
    """Refuse (401) a request without a key, or with a key other than ``expected`` if set.

    Example:
        >>> from starlette.requests import Request
        >>> request = Request({"type": "http", "headers": [(b"authorization", b"Bearer k")]})
        >>> authenticate(request, "k")  # the raw key and "Bearer <key>" are both accepted
    """
    raw = request.headers.get("authorization", "").strip()
    # Both the documented raw key and "Bearer <key>" (what OpenAI SDKs send) are accepted.
    key = _BEARER.sub("", raw, count=1).strip() if _BEARER.match(raw) else raw
    if not key:
        raise ApiError(401, "Unauthorized: missing API key in the Authorization header")
    if expected is not None and key != expected:
        raise ApiError(401, "Invalid API key")


def check_content_type(request: Request) -> None:
    """Refuse (415) a body that is not declared ``application/json``.

    Example:
        >>> from starlette.requests import Request
        >>> check_content_type(Request({"type": "http", "headers": []}))
        Traceback (most recent call last):
        ...
        memories_emulator.checks.ApiError: Content type '(none)' not supported; send application/json
    """  # noqa: E501
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        shown = content_type or "(none)"
        raise ApiError(415, f"Content type '{shown}' not supported; send application/json")


def _optional_number(data: Mapping[str, Any], key: str, low: float, high: float) -> None:
    value = data.get(key)
    if value is None:
        return
    if not is_number(value):
        raise bad(f"{key} must be a number between {low:g} and {high:g}")
    if not low <= value <= high:
        raise bad(f"{key} must be between {low:g} and {high:g}, got {value}")


def _optional_int(data: Mapping[str, Any], key: str, low: int, high: int | None) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    bounds = f">= {low}" if high is None else f"between {low} and {high}"
    if not is_int(value):
        raise bad(f"{key} must be an integer {bounds}")
    if value < low or (high is not None and value > high):
        raise bad(f"{key} must be an integer {bounds}, got {value}")
    return cast(int, value)


def _stop_sequences(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(item for item in value if item)
    raise bad("stop must be a string, an array of strings, or null")


def _model(data: Mapping[str, Any], kind: str) -> tuple[str, str]:
    model = data.get("model")
    if model is None:
        raise bad("model is required")
    if not isinstance(model, str) or not model.strip():
        raise bad("model must be a non-empty string")
    prefix, sep, name = model.partition(":")
    if not sep or prefix not in SHAPES:
        raise bad(
            "model must include a provider prefix, e.g. gemini:gemini-2.5-flash "
            f"(known prefixes: {', '.join(SHAPES)}); got {model!r}"
        )
    if not name.strip():
        raise bad(f"model {model!r} names no model after the provider prefix")
    if prefix == "gpt" and kind == "vu":
        raise bad(f"model {model!r} is an image model; call the image understanding endpoint /iu")
    return model, prefix


@dataclass(slots=True)
class Validated:
    """A request that passed validation.

    Attributes:
        family: The model's provider family (``gemini``, ``qwen``, ``nova`` or ``gpt``).
        stream: True if the answer is to be streamed.
        answer: What the answer depends on.

    Example:
        >>> from memories_emulator.answers import MediaCounts
        >>> Validated("nova", False, AnswerRequest("nova:x", "nova", MediaCounts())).family
        'nova'
    """

    family: str
    stream: bool
    answer: AnswerRequest


def validate_request(data: Any, kind: Literal["vu", "iu"], body: bytes) -> Validated:
    """Check a parsed chat-completions body sent to endpoint ``kind``.

    Args:
        data: The parsed JSON body.
        kind: ``"vu"`` (video understanding) or ``"iu"`` (image understanding).
        body: The raw body (tool-call ids are derived from it).

    Raises:
        ApiError: The first rule the body breaks.

    Example:
        >>> validate_request({"model": "gemini-2.5-flash", "messages": []}, "vu", b"")
        Traceback (most recent call last):
        ...
        memories_emulator.checks.ApiError: model must include a provider prefix, ...
    """
    if not isinstance(data, dict):
        raise bad("request body must be a JSON object")
    model, family = _model(data, kind)
    shape = SHAPES[family]
    conversation = check_messages(data.get("messages"), family=family, kind=kind)
    _optional_number(data, "temperature", 0, 2)
    _optional_number(data, "top_p", 0, 1)
    _optional_number(data, "frequency_penalty", -2, 2)
    _optional_number(data, "presence_penalty", -2, 2)
    max_tokens = _optional_int(data, "max_tokens", 1, None)
    n = _optional_int(data, "n", 1, 8) or 1
    stream = data.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise bad("stream must be a boolean")
    stop = _stop_sequences(data.get("stop"))
    metadata = merged_metadata(data)
    gemini = GeminiOptions(None, False, None)
    qwen = QwenOptions(None, None, None)
    tools: tuple[ToolSpec, ...] = ()
    choice: tuple[str, str | None] | None = None
    json_object = False
    thinking_budget: int | None = None
    # Another family's options are ignored, not refused.
    if family == "gemini":
        gemini = gemini_options(metadata)
        thinking_budget = gemini.thinking_budget
    elif family == "qwen":
        qwen = qwen_options(metadata)
        if qwen.enable_thinking:
            # Without a budget the model may think up to its own maximum.
            thinking_budget = qwen.thinking_budget or MAX_REASONING_TOKENS
    elif family == "gpt":
        json_object = gpt_json_mode(data, conversation.texts)
    else:
        tools, choice = tool_config(metadata.get("toolConfig"))
        if conversation.has_tool_traffic and not tools:
            # Bedrock (behind Nova) refuses tool traffic without a toolConfig.
            raise bad(
                "extra_body.metadata.toolConfig must be provided when the conversation "
                "contains tool calls or tool results"
            )
    answer = AnswerRequest(
        model=model,
        shape=shape,
        counts=conversation.counts,
        texts=tuple(conversation.texts),
        question=conversation.question,
        body=body,
        n=n,
        max_tokens=max_tokens,
        stop=stop,
        thinking_budget=thinking_budget,
        json_mime=gemini.json_mime,
        response_schema=gemini.response_schema,
        tools=tools,
        tool_choice=choice,
        tool_result=conversation.tool_result,
        called_tools=conversation.called_tools,
        json_schema=qwen.json_schema,
        json_object=json_object,
        family=family,
        prefix_texts=conversation.prefix_texts,
        prefix_counts=conversation.prefix_counts,
        media_urls=media_urls_of(data.get("messages")),
    )
    return Validated(family, bool(stream), answer)
