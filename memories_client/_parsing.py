"""Reading answers: completions, usage, tool calls, errored bodies and error bodies.

The one module that reads what the service sends back, for every family and both ways of
answering: a whole JSON body (:func:`parse_completion`), a streamed event (the stream assembler
calls :func:`is_errored`, :func:`error_fields` and :func:`parse_usage`), and an HTTP error page
(the clients call :func:`error_fields`). The documented shapes are read directly; anything else
is a :class:`MalformedResponseError`, never a silently empty answer.

What is read is decoded JSON, so objects are tested with ``isinstance(x, dict)``: the abstract
``Mapping`` check costs about a microsecond each, and an answer needs several.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from memories_client._tool_calls import parse_tool_arguments, tool_calls_from_openai
from memories_client.errors import MAX_SERVER_MESSAGE_CHARS, MalformedResponseError, ModelError
from memories_client.types import Choice, Completion, ToolCall, Usage

__all__ = ["error_fields", "is_errored", "parse_completion", "parse_usage"]


def _int(value: Any) -> int | None:
    # type(), not isinstance: a JSON number is an int or a float, and True is not a count.
    return value if type(value) is int and value >= 0 else None


def _first_int(mapping: Mapping[str, Any], keys: tuple[str, ...]) -> int | None:
    for key in keys:
        value = _int(mapping.get(key))
        if value is not None:
            return value
    return None


# Each count's spellings, the documented Gemini one first (see parse_usage).
_INPUT_KEYS = ("input_tokens", "prompt_tokens", "prompt_token_count", "inputTokens")
_OUTPUT_KEYS = (
    "output_tokens",
    "completion_tokens",
    "output_token",
    "candidates_token_count",
    "outputTokens",
)
_REASONING_KEYS = ("reasoning_tokens", "thoughts_token_count")
_TOTAL_KEYS = ("total_tokens", "totalTokens")


def parse_usage(raw: Any) -> Usage | None:
    """Normalise any of the documented usage spellings, or return None.

    Gemini: ``input_tokens``/``output_tokens``; Nova: ``prompt_tokens``/``output_token`` (sic);
    OpenAI (GPT): ``prompt_tokens``/``completion_tokens`` with ``completion_tokens_details``
    (reasoning) and ``prompt_tokens_details`` (cached input).

    Example:
        >>> parse_usage({"prompt_tokens": 739, "output_token": 207, "total_tokens": 946})
        Usage(input_tokens=739, output_tokens=207, total_tokens=946, reasoning_tokens=None, \
cached_tokens=None)
        >>> parse_usage({"prompt_tokens": 1200, "completion_tokens": 9, "total_tokens": 1209,
        ...     "prompt_tokens_details": {"cached_tokens": 1024}}).cached_tokens
        1024
    """
    if not isinstance(raw, dict):
        return None
    inp = _first_int(raw, _INPUT_KEYS)
    out = _first_int(raw, _OUTPUT_KEYS)
    if inp is None and out is None:
        return None
    inp = inp or 0
    out = out or 0
    details = raw.get("completion_tokens_details")
    reasoning = _first_int(raw, _REASONING_KEYS)
    if reasoning is None and isinstance(details, dict):
        reasoning = _int(details.get("reasoning_tokens"))
    prompt_details = raw.get("prompt_tokens_details")
    cached = None
    if isinstance(prompt_details, dict):
        cached = _int(prompt_details.get("cached_tokens"))
    total = _first_int(raw, _TOTAL_KEYS)
    return Usage(inp, out, total if total is not None else inp + out, reasoning, cached)


def _tool_calls(message: Mapping[str, Any]) -> tuple[ToolCall, ...]:
    # OpenAI tool_calls, then Bedrock Converse toolUse blocks in the content.
    calls = list(tool_calls_from_openai(message.get("tool_calls")))  # OpenAI shape
    content = message.get("content")
    if isinstance(content, list):  # Bedrock Converse shape: [{"toolUse": {...}}]
        for k, block in enumerate(content):
            use = block.get("toolUse") if isinstance(block, dict) else None
            if isinstance(use, dict) and isinstance(use.get("name"), str):
                use_id = use.get("toolUseId")
                calls.append(
                    ToolCall(
                        id=use_id if isinstance(use_id, str) and use_id else f"tooluse_{k}",
                        name=use["name"],
                        arguments=parse_tool_arguments(use.get("input"), name=use["name"]),
                    )
                )
    return tuple(calls)


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # [{"type":"text","text":..}] or Bedrock [{"text":..}]
        return "".join(
            block["text"]
            for block in content
            if isinstance(block, dict) and isinstance(block.get("text"), str)
        )
    raise MalformedResponseError(f"message content has an unexpected type {type(content).__name__}")


def _choice(raw: Any, position: int) -> Choice:
    if not isinstance(raw, dict):
        raise MalformedResponseError(f"choices[{position}] is not an object")
    index = _int(raw.get("index"))
    finish = raw.get("finish_reason", raw.get("stop_reason"))
    finish = finish if isinstance(finish, str) else None
    message = raw.get("message")
    reasoning: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    if isinstance(raw.get("text"), str):
        text = raw["text"]
    elif isinstance(message, dict):
        text = _content_text(message.get("content"))
        tool_calls = _tool_calls(message)
        rc = message.get("reasoning_content", message.get("reasoning"))
        reasoning = rc if isinstance(rc, str) and rc else None
    elif raw.get("text") is None and message is None:
        raise MalformedResponseError(
            f"choices[{position}] has neither 'text' nor 'message' (unknown response shape)"
        )
    else:
        raise MalformedResponseError(f"choices[{position}] text is not a string")
    return Choice(
        index=index if index is not None else position,
        text=text,
        finish_reason=finish,
        tool_calls=tool_calls,
        reasoning=reasoning,
    )


def error_fields(body: Any, text: str = "") -> tuple[Any, str | None]:
    """The service's error code and message from an error body, whatever its shape.

    The one reading of ``{"error": {"code", "message"}}``, ``{"error": "..."}``, ``{"code",
    "msg"}`` and ``{"detail": ...}`` bodies: for HTTP error pages, 200 bodies that report a
    failure, and streamed error events alike. ``text`` is the raw body, used when it is not JSON.

    Example:
        >>> error_fields({"error": {"code": 429, "message": "slow down"}})
        (429, 'slow down')
        >>> error_fields(None, "<html>Bad gateway</html>")
        (None, '<html>Bad gateway</html>')
    """
    code, message = _error_fields(body, text)
    # Cut here, before any caller puts it into an error's message: a 60 KB message from the
    # server would otherwise be in str(error) whole (MemoriesAPIError bounds it again).
    return code, message[:MAX_SERVER_MESSAGE_CHARS] if message else message


def _error_fields(body: Any, text: str) -> tuple[Any, str | None]:
    if not isinstance(body, dict):
        return None, text.strip()[:500] or None
    err = body.get("error")
    if isinstance(err, dict):
        msg = err.get("message", err.get("msg"))
        return err.get("code", body.get("code")), (
            msg if isinstance(msg, str) else json.dumps(err)[:500]
        )
    if isinstance(err, str):
        return body.get("code"), err
    for key in ("msg", "message", "detail"):
        msg = body.get(key)
        if isinstance(msg, str):
            return body.get("code"), msg
        if msg is not None:
            return body.get("code"), json.dumps(msg)[:500]
    return body.get("code"), None


def is_errored(body: Mapping[str, Any]) -> bool:
    """True when a 200 body or a streamed event reports a failure instead of an answer.

    ``status: "errored"`` / ``"error"`` / ``"failed"`` marks a failure even next to a partial
    choice; an ``error`` object does when no choices came with it.

    Example:
        >>> is_errored({"status": "errored", "choices": [{"text": "par"}]})
        True
    """
    status = body.get("status")
    if isinstance(status, str) and status.lower() in ("errored", "error", "failed"):
        return True
    return bool(body.get("error")) and not body.get("choices")


def parse_completion(body: Any, *, request_id: str | None = None) -> Completion:
    """Parse a chat-completions response body of any documented shape.

    Raises:
        ModelError: the service reported ``status: "errored"`` (or an error object) in a 200
            body, returned no choices, or returned only empty answers with no finish reason.
        MalformedResponseError: the body is not an object or has an unknown shape.

    Example:
        >>> c = parse_completion({"id": "resp_1", "object": "completion", "status": "completed",
        ...     "choices": [{"text": "Hi", "index": 0}],
        ...     "usage": {"input_tokens": 3, "output_tokens": 1, "total_tokens": 4}})
        >>> c.text, c.usage.total_tokens
        ('Hi', 4)
    """
    if not isinstance(body, dict):
        raise MalformedResponseError(
            f"expected a JSON object, got {type(body).__name__}", request_id=request_id
        )
    if "choices" not in body and isinstance(body.get("data"), dict) and "choices" in body["data"]:
        body = body["data"]  # tolerate the {code, msg, data} envelope of other endpoints
    resp_id = body.get("id") if isinstance(body.get("id"), str) else None
    rid = request_id or resp_id
    status = body.get("status")
    raw_choices = body.get("choices")
    if is_errored(body):
        code, message = error_fields(body)
        raise ModelError(
            f"the model failed: {message or 'no message given'}. {ModelError.default_hint}",
            status=200,
            code=code,
            server_message=message,
            request_id=rid,
            body=dict(body),
        )
    if raw_choices is None or not isinstance(raw_choices, list):
        code, message = error_fields(body)
        if message is not None and code not in (None, 200, "200", "0000", "0"):
            raise ModelError(
                f"the service answered without choices: {message}",
                status=200,
                code=code,
                server_message=message,
                request_id=rid,
                body=dict(body),
            )
        raise MalformedResponseError(
            "the response has no 'choices' list", status=200, request_id=rid, body=dict(body)
        )
    if not raw_choices:
        raise ModelError(
            "the service returned no choices (the media may be inaccessible, too long or blocked)",
            status=200,
            request_id=rid,
            body=dict(body),
        )
    choices = tuple([_choice(c, i) for i, c in enumerate(raw_choices)])
    if all(not c.text and not c.tool_calls and c.finish_reason is None for c in choices):
        raise ModelError(
            "the service returned an empty answer with no finish reason (the media may be "
            "inaccessible, too long or blocked)",
            status=200,
            request_id=rid,
            body=dict(body),
        )
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
    created = _int(body.get("created_at", body.get("created")))
    model = body.get("model")
    return Completion(
        id=resp_id,
        model=model if isinstance(model, str) else None,
        choices=choices,
        usage=parse_usage(body.get("usage")),
        created=created,
        status=status if isinstance(status, str) else None,
        provider=meta.get("provider") if isinstance(meta.get("provider"), str) else None,
        provider_model=(
            meta.get("provider_model") if isinstance(meta.get("provider_model"), str) else None
        ),
        raw=body,
        request_id=request_id,
    )
