"""What every provider family's wire format shares: validation, body assembly, response parsing.

A dialect turns a neutral :class:`~memories_client.types.ChatRequest` into one family's JSON body
and picks its endpoint. Responses are parsed by one tolerant parser for all families, because
the docs show two response shapes (``choices[].text`` and ``choices[].message.content``) and
public code suggests the shape has changed over time; the official example client parses both.

Example:
    >>> from memories_client.dialects import dialect_for
    >>> dialect_for("nova:us.amazon.nova-lite-v1:0").family
    'nova'
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from memories_client import _json
from memories_client.catalog import FAMILIES, Endpoint, resolve_model
from memories_client.errors import MalformedResponseError, MemoriesInputError, ModelError
from memories_client.params import check_sampling, check_thinking_budget, normalize_stop
from memories_client.types import (
    ChatRequest,
    Choice,
    Completion,
    MediaPart,
    Message,
    TextPart,
    ToolCall,
    Usage,
)

__all__ = [
    "Dialect",
    "InlineFormat",
    "parse_completion",
    "parse_tool_arguments",
    "parse_usage",
]

InlineFormat = Literal["raw", "data_uri"]
"""How inline (base64) media is written: bare base64 text or a ``data:`` URI."""

_SAMPLING_FIELDS = (
    "temperature",
    "max_tokens",
    "top_p",
    "frequency_penalty",
    "presence_penalty",
    "n",
)


class Dialect(ABC):
    """One provider family's wire format.

    Subclasses set ``family`` and implement :meth:`_wire_message` and :meth:`_metadata`.

    Args:
        inline_format: how base64 media is written on the wire. The docs say only "URL or base64
            encoded file" and show no example, so this is configurable.
    """

    family: ClassVar[str]
    default_inline_format: ClassVar[InlineFormat] = "raw"

    def __init__(self, *, inline_format: InlineFormat | None = None) -> None:
        self.inline_format: InlineFormat = inline_format or self.default_inline_format

    # -- validation -----------------------------------------------------------------------------

    def validate(self, request: ChatRequest) -> None:
        """Raise :class:`MemoriesInputError` for anything the service would refuse."""
        if not request.messages:
            raise MemoriesInputError("messages must contain at least one message")
        resolve_model(request.model, self.family)
        check_thinking_budget(request.model, request.thinking_budget, self.family)
        check_sampling(
            temperature=request.temperature,
            top_p=request.top_p,
            frequency_penalty=request.frequency_penalty,
            presence_penalty=request.presence_penalty,
            max_tokens=request.max_tokens,
            n=request.n,
            thinking_budget=request.thinking_budget,
        )
        for k, stop in enumerate(normalize_stop(request.stop) or ()):
            _check_unicode(stop, f"stop[{k}]")
        info = FAMILIES[self.family]
        endpoint = self.endpoint(request)
        if endpoint not in info.endpoints:
            raise MemoriesInputError(
                f"{self.family} models are not served on the /{endpoint} endpoint"
            )
        if not any(m.role == "user" for m in request.messages):
            raise MemoriesInputError("messages must contain at least one user message")
        for i, message in enumerate(request.messages):
            if not isinstance(message, Message):
                raise MemoriesInputError(
                    f"messages[{i}] must be a memories_client Message, got {type(message).__name__}"
                )
            self._validate_message(i, message, endpoint)
        for tool in request.tools or ():
            _check_json(tool.parameters, f"tool {tool.name!r} parameters")

    def _validate_message(self, i: int, message: Message, endpoint: Endpoint) -> None:
        info = FAMILIES[self.family]
        for k, call in enumerate(message.tool_calls):
            _check_json(call.arguments, f"messages[{i}].tool_calls[{k}] arguments")
        for j, part in enumerate(message.parts):
            where = f"messages[{i}].parts[{j}]"
            if isinstance(part, TextPart):
                if not isinstance(part.text, str):
                    raise MemoriesInputError(f"{where}: text must be a str")
                _check_unicode(part.text, where)
                continue
            if not isinstance(part, MediaPart):
                raise MemoriesInputError(
                    f"{where}: expected TextPart or MediaPart, got {type(part).__name__}"
                )
            if message.role != "user":
                raise MemoriesInputError(
                    f"{where}: media can only be sent in user messages (this is a "
                    f"{message.role} message)"
                )
            if part.kind not in info.input_kinds:
                raise MemoriesInputError(
                    f"{where}: {self.family} models do not accept {part.kind} input; they take "
                    f"{', '.join(sorted(info.input_kinds))}"
                )
            if part.kind == "video" and part.is_inline and not info.video_base64_allowed:
                raise MemoriesInputError(
                    f"{where}: {self.family} does not accept video as base64 or bytes (the API "
                    "docs: 'video does not support base64'); upload the video somewhere the "
                    "service can fetch it and pass its public https:// or gs:// URL"
                )
            if part.kind == "video" and endpoint == "iu":
                raise MemoriesInputError(
                    f"{where}: video cannot be sent to the image-understanding endpoint (/iu); "
                    "leave endpoint unset so the request goes to /vu"
                )
        if message.role == "user" and not message.media and not message.text.strip():
            # The service answers 400 "Model input cannot be empty" (docs/API_FACTS.md, 0.8).
            raise MemoriesInputError(
                f"messages[{i}]: a user message needs non-blank text or media; this one is empty"
            )

    # -- routing and body -----------------------------------------------------------------------

    def endpoint(self, request: ChatRequest) -> Endpoint:
        """The endpoint kind for this request (``vu`` unless overridden)."""
        return request.endpoint or "vu"

    def build_body(self, request: ChatRequest, *, stream: bool = False) -> dict[str, Any]:
        """The JSON body for this request (call :meth:`validate` first)."""
        body: dict[str, Any] = {
            "model": resolve_model(request.model, self.family),
            "messages": [self._wire_message(m) for m in request.messages],
        }
        for name in _SAMPLING_FIELDS:
            value = getattr(request, name)
            if value is not None:
                body[name] = value
        stop = normalize_stop(request.stop)
        if stop is not None:
            body["stop"] = stop
        if stream:
            body["stream"] = True
        metadata = self._metadata(request)
        if request.metadata:
            metadata.update(request.metadata)
        if metadata:
            # Literal key, as every curl sample and the official example client send it.
            body["extra_body"] = {"metadata": metadata}
        if request.extra_body:
            body.update(request.extra_body)
        return body

    def inline(self, part: MediaPart) -> str:
        """The wire form of a part's location: its URL, or its data in ``inline_format``."""
        if part.url is not None:
            return part.url
        return part.data_uri() if self.inline_format == "data_uri" else part.b64_text()

    @staticmethod
    def _text_content(message: Message) -> str:
        return message.text

    @abstractmethod
    def _wire_message(self, message: Message) -> dict[str, Any]:
        """One message on the wire."""

    @abstractmethod
    def _metadata(self, request: ChatRequest) -> dict[str, Any]:
        """The family's ``extra_body.metadata`` keys for this request."""

    # -- responses ------------------------------------------------------------------------------

    def parse_completion(self, body: Any, *, request_id: str | None = None) -> Completion:
        """Parse a response body into a :class:`Completion` (see :func:`parse_completion`)."""
        return parse_completion(body, request_id=request_id)


def _check_unicode(text: str, where: str) -> None:
    """Refuse text that cannot be sent as UTF-8 (lone surrogates, e.g. from mis-decoded files)."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MemoriesInputError(
            f"{where}: the text holds a character that is not valid Unicode "
            f"({text[exc.start : exc.end]!r} at position {exc.start}); clean the text first"
        ) from None


def _check_json(value: Any, where: str) -> None:
    """Refuse values that cannot go into the JSON body."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise MemoriesInputError(f"{where} cannot be sent as JSON: {exc}") from None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _first_int(mapping: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = _int(mapping.get(key))
        if value is not None:
            return value
    return None


def parse_usage(raw: Any) -> Usage | None:
    """Normalise any of the documented usage spellings, or return None.

    Gemini: ``input_tokens``/``output_tokens``; Nova: ``prompt_tokens``/``output_token`` (sic);
    OpenAI: ``prompt_tokens``/``completion_tokens`` with ``completion_tokens_details``.

    Example:
        >>> parse_usage({"prompt_tokens": 739, "output_token": 207, "total_tokens": 946})
        Usage(input_tokens=739, output_tokens=207, total_tokens=946, reasoning_tokens=None)
    """
    if not isinstance(raw, Mapping):
        return None
    inp = _first_int(raw, "input_tokens", "prompt_tokens", "prompt_token_count", "inputTokens")
    out = _first_int(
        raw,
        "output_tokens",
        "completion_tokens",
        "output_token",
        "candidates_token_count",
        "outputTokens",
    )
    if inp is None and out is None:
        return None
    inp = inp or 0
    out = out or 0
    details = raw.get("completion_tokens_details")
    reasoning = _first_int(raw, "reasoning_tokens", "thoughts_token_count")
    if reasoning is None and isinstance(details, Mapping):
        reasoning = _int(details.get("reasoning_tokens"))
    total = _first_int(raw, "total_tokens", "totalTokens")
    return Usage(inp, out, total if total is not None else inp + out, reasoning)


def parse_tool_arguments(arguments: Any, *, name: str) -> dict[str, Any]:
    """Tool arguments as a dict, from a JSON string (OpenAI) or an object (Bedrock)."""
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if arguments is None or arguments == "":
        return {}
    if isinstance(arguments, str):
        try:
            parsed = _json.loads(arguments)
        except ValueError as exc:
            raise MalformedResponseError(
                f"tool call {name!r} came back with arguments that are not JSON: "
                f"{arguments[:200]!r}"
            ) from exc
        if isinstance(parsed, dict):
            return parsed
    raise MalformedResponseError(f"tool call {name!r} arguments are not a JSON object")


def _tool_calls(message: Mapping[str, Any]) -> tuple[ToolCall, ...]:
    calls: list[ToolCall] = []
    raw_calls = message.get("tool_calls")
    if isinstance(raw_calls, list):  # OpenAI shape
        for k, call in enumerate(raw_calls):
            if not isinstance(call, Mapping):
                continue
            fn = call.get("function")
            fn = fn if isinstance(fn, Mapping) else call
            name = fn.get("name")
            if not isinstance(name, str) or not name:
                raise MalformedResponseError("a tool call came back without a name")
            call_id = call.get("id")
            calls.append(
                ToolCall(
                    id=call_id if isinstance(call_id, str) and call_id else f"call_{k}",
                    name=name,
                    arguments=parse_tool_arguments(fn.get("arguments"), name=name),
                )
            )
    content = message.get("content")
    if isinstance(content, list):  # Bedrock Converse shape: [{"toolUse": {...}}]
        for k, block in enumerate(content):
            use = block.get("toolUse") if isinstance(block, Mapping) else None
            if isinstance(use, Mapping) and isinstance(use.get("name"), str):
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
            if isinstance(block, Mapping) and isinstance(block.get("text"), str)
        )
    raise MalformedResponseError(f"message content has an unexpected type {type(content).__name__}")


def _choice(raw: Any, position: int) -> Choice:
    if not isinstance(raw, Mapping):
        raise MalformedResponseError(f"choices[{position}] is not an object")
    index = _int(raw.get("index"))
    finish = raw.get("finish_reason", raw.get("stop_reason"))
    finish = finish if isinstance(finish, str) else None
    message = raw.get("message")
    reasoning: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    if isinstance(raw.get("text"), str):
        text = raw["text"]
    elif isinstance(message, Mapping):
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


def _error_fields(body: Mapping[str, Any]) -> tuple[Any, str | None]:
    err = body.get("error")
    if isinstance(err, Mapping):
        msg = err.get("message", err.get("msg"))
        return err.get("code"), msg if isinstance(msg, str) else json.dumps(err)[:500]
    if isinstance(err, str):
        return None, err
    msg = body.get("msg", body.get("message"))
    return body.get("code"), msg if isinstance(msg, str) else None


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
    if not isinstance(body, Mapping):
        raise MalformedResponseError(
            f"expected a JSON object, got {type(body).__name__}", request_id=request_id
        )
    if (
        "choices" not in body
        and isinstance(body.get("data"), Mapping)
        and "choices" in body["data"]
    ):
        body = body["data"]  # tolerate the {code, msg, data} envelope of other endpoints
    resp_id = body.get("id") if isinstance(body.get("id"), str) else None
    rid = request_id or resp_id
    status = body.get("status")
    raw_choices = body.get("choices")
    if (isinstance(status, str) and status.lower() in ("errored", "error", "failed")) or (
        body.get("error") and not raw_choices
    ):
        code, message = _error_fields(body)
        raise ModelError(
            f"the model failed: {message or 'no message given'}. {ModelError.default_hint}",
            status=200,
            code=code,
            server_message=message,
            request_id=rid,
            body=dict(body),
        )
    if raw_choices is None or not isinstance(raw_choices, list):
        code, message = _error_fields(body)
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
    choices = tuple(_choice(c, i) for i, c in enumerate(raw_choices))
    if all(not c.text and not c.tool_calls and c.finish_reason is None for c in choices):
        raise ModelError(
            "the service returned an empty answer with no finish reason (the media may be "
            "inaccessible, too long or blocked)",
            status=200,
            request_id=rid,
            body=dict(body),
        )
    meta = body.get("meta") if isinstance(body.get("meta"), Mapping) else {}
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
