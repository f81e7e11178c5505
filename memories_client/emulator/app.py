"""The emulator's Starlette app: routes, request validation, answers, faults and recording.

The rules come from the memories.ai docs pages (see ``docs/EMULATOR.md`` for the full list), not
from this project's client, so that a client which misreads the docs fails here first.

Example:
    >>> from starlette.testclient import TestClient  # doctest: +SKIP
    >>> client = TestClient(create_app())  # doctest: +SKIP
    >>> client.post("/vu/chat/completions", headers={"Authorization": "k"}, json={
    ...     "model": "gemini:gemini-2.5-flash",
    ...     "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
    ... }).json()["choices"][0]["text"]  # doctest: +SKIP
    'Emulated answer from gemini:gemini-2.5-flash: I received 1 text part(s), ...'
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from memories_client.emulator.answers import (
    Answer,
    AnswerRequest,
    Choice,
    MediaCounts,
    ToolSpec,
    Usage,
    build_answer,
    stream_pieces,
)
from memories_client.emulator.faults import (
    FaultSpec,
    FaultSpecError,
    FaultTracker,
    parse_fault,
    status_message,
)

__all__ = [
    "API_PREFIX",
    "CHAT_PATHS",
    "EmulatorApp",
    "EmulatorState",
    "RecordedRequest",
    "create_app",
]

API_PREFIX = "/serve/api/v2"
"""The real service's path prefix; every chat route is served with and without it."""

CHAT_PATHS: dict[str, Literal["vu", "iu"]] = {
    "/vu/chat/completions": "vu",
    "/iu/chat/completions": "iu",
    "/ilm/chat/completions": "iu",
    # The Nova and Qwen VLM curl samples use the bare path; it is treated as video understanding.
    "/chat/completions": "vu",
}
"""Chat paths (without :data:`API_PREFIX`) and the endpoint kind each one serves."""

_SHAPES: dict[str, Literal["gemini", "nova"]] = {
    "gemini": "gemini",
    "qwen": "gemini",
    "nova": "nova",
    "gpt": "nova",
}
"""Provider family -> request/response dialect. Qwen and GPT are handled minimally."""

_EMPTY_INPUT = "Model input cannot be empty"
_NO_VIDEO_ON_IU = "video input is not supported on the image understanding endpoint; use /vu"
_NO_BASE64_VIDEO = "video does not support base64; pass a public URL"
_MIME = re.compile(r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_DATA_URI = re.compile(r"^data:(?P<mime>[^;,]*)(?P<params>(?:;[^;,]*)*),(?P<data>.*)$", re.DOTALL)
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_BEARER = re.compile(r"^bearer(?:\s+|$)", re.IGNORECASE)
_CLOSE_KEY = "memories_emulator.close_connection"
_JSON_MIME_TYPES = frozenset({"application/json", "json_schema"})
_MIME_TYPES = frozenset({"text/plain", "application/json", "json_schema", "text/x.enum"})

_GEMINI_TYPES = frozenset({"OBJECT", "ARRAY", "STRING", "INTEGER", "NUMBER", "BOOLEAN"})
# Fields of Google's Schema message. Anything else (anyOf, $ref, $defs, additionalProperties,
# lowercase JSON Schema keywords ...) is refused the way Google refuses unknown JSON fields.
_GEMINI_SCHEMA_KEYS = frozenset(
    {
        "type",
        "format",
        "title",
        "description",
        "nullable",
        "enum",
        "properties",
        "required",
        "items",
        "propertyOrdering",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "pattern",
        "example",
        "default",
        "minProperties",
        "maxProperties",
    }
)
_GOOGLE = "Invalid JSON payload received."
_SCHEMA_ROOT = "generation_config.response_schema"


class ApiError(Exception):
    """A request the service would refuse; becomes an error response in the envelope.

    Example:
        >>> ApiError(400, "n must be an integer between 1 and 8").status
        400
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the emulator received, as recorded after the fault decision.

    Attributes:
        path: The request path, e.g. ``/vu/chat/completions``.
        headers: Request headers with lowercase names; ``authorization`` reads ``<redacted>``.
        body: The parsed JSON body, or ``None`` if it was not JSON.
        fault: The fault spec that changed this response, or ``None``.
        status: The HTTP status of the answer, or ``None`` when the connection was dropped.
            Requests are recorded before any ``latency`` / ``slow`` delay.

    Example:
        >>> RecordedRequest("/vu/chat/completions", {}, None, None, 401).status
        401
    """

    path: str
    headers: dict[str, str]
    body: Any
    fault: str | None
    status: int | None

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (what ``GET /_emulator/requests`` returns).

        Example:
            >>> RecordedRequest("/x", {}, None, None, 200).to_dict()["path"]
            '/x'
        """
        return asdict(self)


DEFAULT_MAX_RECORDED = 1000
"""How many requests an emulator keeps for inspection by default (the newest ones)."""


class EmulatorState:
    """Settings and mutable state shared by the app and the :class:`Emulator` that runs it.

    Thread-safe: requests are recorded on the server thread and read from test threads.

    Args:
        api_key: If set, only this key is accepted (others get 401).
        fault: A fault spec applied to every chat request, or ``None``.
        latency: Seconds to wait before answering every chat request.
        max_recorded: How many requests :attr:`requests` keeps (the newest; older ones are
            dropped), so a long run with large bodies does not grow without bound.

    Example:
        >>> state = EmulatorState(fault="503;times=1")
        >>> state.fault.status if state.fault else None
        503
    """

    def __init__(
        self,
        api_key: str | None = None,
        fault: str | None = None,
        latency: float = 0.0,
        max_recorded: int = DEFAULT_MAX_RECORDED,
    ) -> None:
        if isinstance(max_recorded, bool) or not isinstance(max_recorded, int) or max_recorded < 1:
            raise ValueError(f"max_recorded must be an integer >= 1, got {max_recorded!r}")
        self.api_key = api_key
        self.fault: FaultSpec | None = parse_fault(fault) if fault else None
        if latency < 0:
            raise ValueError(f"latency must be >= 0, got {latency}")
        self.latency = latency
        self.faults = FaultTracker()
        self.stopping = False
        """Set while the server shuts down: pending delays end and their connections close."""
        self._lock = threading.Lock()
        self._requests: deque[RecordedRequest] = deque(maxlen=max_recorded)
        self._connections = 0

    def record(self, request: RecordedRequest) -> None:
        """Append one received request."""
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the received requests, oldest first."""
        with self._lock:
            return list(self._requests)

    def note_connection(self) -> None:
        """Count one new TCP connection (called by the server's protocol)."""
        with self._lock:
            self._connections += 1

    @property
    def connections_opened(self) -> int:
        """TCP connections opened since start or the last :meth:`reset`."""
        with self._lock:
            return self._connections

    def reset(self) -> None:
        """Forget recorded requests, ``times=N`` fault counts and the connection count."""
        with self._lock:
            self._requests.clear()
            self._connections = 0
        self.faults.reset()


# --------------------------------------------------------------------------- small helpers


def _envelope(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    body = {"code": status, "msg": message, "data": None, "success": False, "failed": True}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def _bad(message: str) -> ApiError:
    return ApiError(400, message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _format_retry_after(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else repr(seconds)


def _redacted_headers(request: Request) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        value = "<redacted>" if name == "authorization" else value
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # nested too deep is a bad request too (400, not 500)
        return None


# --------------------------------------------------------------------------- validation


def _authenticate(request: Request, expected: str | None) -> None:
    raw = request.headers.get("authorization", "").strip()
    # Both the documented raw key and "Bearer <key>" (what OpenAI SDKs send) are accepted.
    key = _BEARER.sub("", raw, count=1).strip() if _BEARER.match(raw) else raw
    if not key:
        raise ApiError(401, "Unauthorized: missing API key in the Authorization header")
    if expected is not None and key != expected:
        raise ApiError(401, "Invalid API key")


def _check_content_type(request: Request) -> None:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        shown = content_type or "(none)"
        raise ApiError(415, f"Content type '{shown}' not supported; send application/json")


def _optional_number(data: Mapping[str, Any], key: str, low: float, high: float) -> None:
    value = data.get(key)
    if value is None:
        return
    if not _is_number(value):
        raise _bad(f"{key} must be a number between {low:g} and {high:g}")
    if not low <= value <= high:
        raise _bad(f"{key} must be between {low:g} and {high:g}, got {value}")


def _optional_int(data: Mapping[str, Any], key: str, low: int, high: int | None) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    bounds = f">= {low}" if high is None else f"between {low} and {high}"
    if not _is_int(value):
        raise _bad(f"{key} must be an integer {bounds}")
    if value < low or (high is not None and value > high):
        raise _bad(f"{key} must be an integer {bounds}, got {value}")
    return cast(int, value)


def _stop_sequences(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(item for item in value if item)
    raise _bad("stop must be a string, an array of strings, or null")


def _model(data: Mapping[str, Any], kind: str) -> tuple[str, str]:
    model = data.get("model")
    if model is None:
        raise _bad("model is required")
    if not isinstance(model, str) or not model.strip():
        raise _bad("model must be a non-empty string")
    prefix, sep, name = model.partition(":")
    if not sep or prefix not in _SHAPES:
        raise _bad(
            "model must include a provider prefix, e.g. gemini:gemini-2.5-flash "
            f"(known prefixes: {', '.join(_SHAPES)}); got {model!r}"
        )
    if not name.strip():
        raise _bad(f"model {model!r} names no model after the provider prefix")
    if prefix == "gpt" and kind == "vu":
        raise _bad(f"model {model!r} is an image model; call the image understanding endpoint /iu")
    return model, prefix


def _text_parts(content: Any, where: str, role: str) -> list[str]:
    """Text of a system / assistant message: a string or an array of text parts."""
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        texts: list[str] = []
        for j, part in enumerate(content):
            if (
                not isinstance(part, dict)
                or part.get("type") != "text"
                or not isinstance(part.get("text"), str)
            ):
                raise _bad(
                    f'{where}.content[{j}] must be a text part {{"type": "text", "text": "..."}} '
                    f"in {role} messages"
                )
            texts.append(part["text"])
        return texts
    raise _bad(f"{where}.content must be a string or an array of text parts")


def _check_base64(payload: str, where: str) -> None:
    compact = re.sub(r"\s+", "", payload)
    try:
        decoded = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if not decoded:
        raise _bad(
            f"{where}: invalid base64 data (expected an http(s):// or gs:// URL, "
            "a data:<mime>;base64,... URI, or base64)"
        )


def _check_source(value: Any, where: str, *, video: bool, family: str) -> str | None:
    """Check a media reference (URL, data URI or raw base64).

    Returns:
        The media type named by a data URI, if any.
    """
    if not isinstance(value, str) or not value.strip():
        raise _bad(f"{where} must be a non-empty string")
    lowered = value.lower()
    if lowered.startswith(("http://", "https://", "gs://")):
        if not urlsplit(value).netloc:
            raise _bad(f"{where} is not a valid URL: {value[:80]!r}")
        return None
    data_mime: str | None = None
    payload = value
    if lowered.startswith("data:"):
        match = _DATA_URI.match(value)
        if match is None or ";base64" not in match["params"].lower():
            raise _bad(f"{where}: a data URI must be base64-encoded (data:<mime>;base64,<data>)")
        data_mime, payload = match["mime"].lower() or None, match["data"]
    elif (scheme := _SCHEME.match(value)) is not None:
        raise _bad(
            f"{where}: unsupported URL scheme {scheme[1]!r}; pass an http(s):// or gs:// URL "
            "or base64 data"
        )
    # Gemini's docs: "video does not support base64". Nova's docs allow base64 video.
    if family == "gemini" and (video or (data_mime or "").startswith("video/")):
        raise _bad(_NO_BASE64_VIDEO)
    _check_base64(payload, where)
    return data_mime


@dataclass(slots=True)
class _Conversation:
    counts: MediaCounts
    texts: list[str]
    question: str
    tool_result: str | None
    has_tool_traffic: bool


_PART_TYPES = {"gemini": ("text", "input_file"), "nova": ("text", "image_url", "video_url")}
"""Content part types each dialect accepts in user messages."""


def _gemini_file(part: Mapping[str, Any], at: str, *, family: str, kind: str) -> str:
    """Check an ``input_file`` part; return its kind (image, video or document)."""
    mime = part.get("mime_type")
    if not isinstance(mime, str) or not _MIME.match(mime):
        raise _bad(f"{at}.mime_type must be a MIME type such as image/jpeg or video/mp4")
    is_video = mime.lower().startswith("video/")
    if is_video and kind == "iu":
        raise _bad(_NO_VIDEO_ON_IU)
    _check_source(part.get("file_uri"), f"{at}.file_uri", video=is_video, family=family)
    return "video" if is_video else "image" if mime.lower().startswith("image/") else "document"


def _nova_media(part: Mapping[str, Any], key: str, at: str, *, family: str, kind: str) -> str:
    """Check an ``image_url`` / ``video_url`` part; return its kind (image or video)."""
    if key == "video_url" and kind == "iu":
        raise _bad(_NO_VIDEO_ON_IU)
    value = part.get(key)
    # The docs do not say whether image_url is a string or {"url": ...}; both are accepted.
    url = value.get("url") if isinstance(value, dict) else value
    if not isinstance(url, str):
        raise _bad(f'{at}.{key} must be an object {{"url": "..."}} or a string')
    where = f"{at}.{key}.url" if isinstance(value, dict) else f"{at}.{key}"
    data_mime = _check_source(url, where, video=key == "video_url", family=family)
    expected = "video/" if key == "video_url" else "image/"
    if data_mime is not None and not data_mime.startswith(expected):
        raise _bad(f"{where}: data URI media type {data_mime!r} does not fit {key}")
    return "video" if key == "video_url" else "image"


def _user_content(
    content: Any, where: str, *, family: str, kind: str
) -> tuple[list[str], MediaCounts]:
    """Check a user message's content; return its texts and part counts."""
    shape = _SHAPES[family]
    if isinstance(content, str):
        # Observed on the real service: Gemini on /vu drops a bare-string user content.
        if (family == "gemini" and kind == "vu") or not content.strip():
            raise _bad(_EMPTY_INPUT)
        return [content], MediaCounts(texts=1)
    if not isinstance(content, list):
        raise _bad(f"{where}.content must be a string or an array of content parts")
    texts: list[str] = []
    media = {"image": 0, "video": 0, "document": 0}
    for j, part in enumerate(content):
        at = f"{where}.content[{j}]"
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            raise _bad(f"{at} must be an object with a string 'type'")
        part_type = part["type"]
        if part_type not in _PART_TYPES[shape]:
            accepted = ", ".join(repr(t) for t in _PART_TYPES[shape])
            raise _bad(
                f"{at}: unsupported content part type {part_type!r}; "
                f"{family} models accept {accepted}"
            )
        if part_type == "text":
            if not isinstance(part.get("text"), str):
                raise _bad(f"{at}.text must be a string")
            texts.append(part["text"])
        elif part_type == "input_file":
            media[_gemini_file(part, at, family=family, kind=kind)] += 1
        else:
            media[_nova_media(part, part_type, at, family=family, kind=kind)] += 1
    if not any(text.strip() for text in texts) and not sum(media.values()):
        raise _bad(_EMPTY_INPUT)
    return texts, MediaCounts(len(texts), media["image"], media["video"], media["document"])


def _tool_calls(value: Any, where: str) -> list[str]:
    """Validate an assistant message's OpenAI-shaped ``tool_calls``; return their ids."""
    if not isinstance(value, list) or not value:
        raise _bad(f"{where}.tool_calls must be a non-empty array")
    ids: list[str] = []
    for k, call in enumerate(value):
        at = f"{where}.tool_calls[{k}]"
        if not isinstance(call, dict):
            raise _bad(f"{at} must be an object")
        if not isinstance(call.get("id"), str) or not call["id"]:
            raise _bad(f"{at}.id must be a non-empty string")
        if call.get("type") != "function":
            raise _bad(f"{at}.type must be 'function'")
        function = call.get("function")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise _bad(f"{at}.function must be an object with a string 'name'")
        arguments = function.get("arguments")
        if not isinstance(arguments, str):
            raise _bad(f"{at}.function.arguments must be a JSON string")
        try:
            json.loads(arguments)
        except ValueError:
            raise _bad(f"{at}.function.arguments is not valid JSON") from None
        ids.append(call["id"])
    return ids


def _conversation(messages: Any, *, family: str, kind: str) -> _Conversation:
    if messages is None:
        raise _bad("messages is required")
    if not isinstance(messages, list):
        raise _bad("messages must be an array")
    if not messages:
        raise _bad("messages must be a non-empty array")
    shape = _SHAPES[family]
    roles = ("system", "user", "assistant") + (("tool",) if shape == "nova" else ())
    counts = MediaCounts()
    texts: list[str] = []
    question: str | None = None
    call_ids: set[str] = set()
    tool_traffic = False
    tool_result: str | None = None
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            raise _bad(f"{where} must be an object")
        role = message.get("role")
        if role not in roles:
            raise _bad(f"{where}.role must be one of {', '.join(roles)}; got {role!r}")
        content = message.get("content")
        tool_result = None
        if role == "user":
            if content is None:
                raise _bad(f"{where}.content is required")
            parts, found = _user_content(content, where, family=family, kind=kind)
            texts += parts
            question = " ".join(parts)
            counts = MediaCounts(
                counts.texts + found.texts,
                counts.images + found.images,
                counts.videos + found.videos,
                counts.documents + found.documents,
            )
        elif role == "system":
            if content is None:
                raise _bad(f"{where}.content is required")
            texts += _text_parts(content, where, role)
        elif role == "assistant":
            calls = message.get("tool_calls")
            if calls is not None:
                if shape != "nova":
                    raise _bad(f"{where}.tool_calls are only supported by nova models")
                call_ids.update(_tool_calls(calls, where))
                tool_traffic = True
                if content not in (None, ""):
                    texts += _text_parts(content, where, role)
            elif content is None:
                raise _bad(f"{where}.content is required")
            else:
                texts += _text_parts(content, where, role)
        else:  # tool
            call_id = message.get("tool_call_id")
            if not isinstance(call_id, str) or not call_id:
                raise _bad(f"{where}.tool_call_id must be a non-empty string")
            if call_id not in call_ids:
                raise _bad(
                    f"{where}.tool_call_id {call_id!r} does not match any earlier assistant "
                    "tool call"
                )
            if not isinstance(content, str):
                raise _bad(f"{where}.content must be a string (the tool's result)")
            texts.append(content)
            tool_traffic = True
            tool_result = content
    if question is None:
        raise _bad(_EMPTY_INPUT)
    return _Conversation(counts, texts, question, tool_result, tool_traffic)


def _metadata(data: Mapping[str, Any]) -> dict[str, Any]:
    top = data.get("metadata")
    if top is not None and not isinstance(top, dict):
        raise _bad("metadata must be an object")
    extra = data.get("extra_body")
    if extra is not None and not isinstance(extra, dict):
        raise _bad("extra_body must be an object")
    inner = extra.get("metadata") if extra else None
    if inner is not None and not isinstance(inner, dict):
        raise _bad("extra_body.metadata must be an object")
    # OpenAI SDKs merge their extra_body into the top level, so "metadata" may arrive there;
    # the documented literal extra_body.metadata wins key by key.
    return {**(top or {}), **(inner or {})}


def _check_gemini_schema(schema: Any, where: str = _SCHEMA_ROOT) -> None:
    if not isinstance(schema, dict):
        raise _bad(f"{_GOOGLE} Invalid value at '{where}': a schema must be an object")
    for key in schema:
        if key not in _GEMINI_SCHEMA_KEYS:
            raise _bad(f"{_GOOGLE} Unknown name \"{key}\" at '{where}': Cannot find field.")
    kind = schema.get("type")
    if kind is None:
        raise _bad(f"{_GOOGLE} {where}.type: must be specified")
    if kind not in _GEMINI_TYPES:
        raise _bad(
            f"{_GOOGLE} Invalid value at '{where}.type' "
            f"(type.googleapis.com/google.cloud.aiplatform.v1.Type), {json.dumps(kind)}"
        )
    for key in ("description", "format", "title", "pattern"):
        if key in schema and not isinstance(schema[key], str):
            raise _bad(f"{_GOOGLE} Invalid value at '{where}.{key}': expected a string")
    if "nullable" in schema and not isinstance(schema["nullable"], bool):
        raise _bad(f"{_GOOGLE} Invalid value at '{where}.nullable': expected a boolean")
    if "enum" in schema:
        enum = schema["enum"]
        if kind != "STRING":
            raise _bad(f"{_GOOGLE} {where}.enum: only allowed for STRING type")
        if not isinstance(enum, list) or not enum or not all(isinstance(e, str) for e in enum):
            raise _bad(f"{_GOOGLE} Invalid value at '{where}.enum': expected strings")
    properties = schema.get("properties")
    if properties is not None and kind != "OBJECT":
        raise _bad(f"{_GOOGLE} {where}.properties: only allowed for OBJECT type")
    if kind == "OBJECT":
        if not isinstance(properties, dict) or not properties:
            raise _bad(f"{_GOOGLE} {where}.properties: should be non-empty for OBJECT type")
        for name, sub in properties.items():
            _check_gemini_schema(sub, f"{where}.properties[{name}]")
        for key in ("required", "propertyOrdering"):
            names = schema.get(key, [])
            if not isinstance(names, list):
                raise _bad(f"{_GOOGLE} Invalid value at '{where}.{key}': expected an array")
            for k, name in enumerate(names):
                if not isinstance(name, str) or name not in properties:
                    raise _bad(f"{_GOOGLE} {where}.{key}[{k}]: property is not defined")
    if kind == "ARRAY":
        if "items" not in schema:
            raise _bad(f"{_GOOGLE} {where}.items: missing field.")
        _check_gemini_schema(schema["items"], f"{where}.items")
    elif "items" in schema:
        raise _bad(f"{_GOOGLE} {where}.items: only allowed for ARRAY type")


@dataclass(slots=True)
class _GeminiOptions:
    thinking_budget: int | None
    json_mime: bool
    response_schema: dict[str, Any] | None


def _gemini_options(metadata: Mapping[str, Any]) -> _GeminiOptions:
    where = "extra_body.metadata"
    budget: int | None = None
    thinking = metadata.get("thinking_config")
    if thinking is not None:
        if not isinstance(thinking, dict):
            raise _bad(f"{where}.thinking_config must be an object")
        budget = thinking.get("thinking_budget")
        if budget is not None and (not _is_int(budget) or budget < -1):
            raise _bad(f"{where}.thinking_config.thinking_budget must be an integer >= -1")
    mime = metadata.get("response_mime_type")
    if mime is not None and (not isinstance(mime, str) or mime not in _MIME_TYPES):
        raise _bad(
            f"{where}.response_mime_type must be one of {', '.join(sorted(_MIME_TYPES))}; "
            f"got {mime!r}"
        )
    schema = metadata.get("responseSchema")
    if schema is not None:
        _check_gemini_schema(schema)
    return _GeminiOptions(budget, mime in _JSON_MIME_TYPES, schema)


def _tool_config(
    value: Any,
) -> tuple[tuple[ToolSpec, ...], tuple[str, str | None] | None]:
    where = "extra_body.metadata.toolConfig"
    if value is None:
        return (), None
    if not isinstance(value, dict):
        raise _bad(f"{where} must be an object")
    tools = value.get("tools")
    if not isinstance(tools, list) or not tools:
        raise _bad(f"{where}.tools must be a non-empty array")
    specs: list[ToolSpec] = []
    for i, tool in enumerate(tools):
        at = f"{where}.tools[{i}]"
        spec = tool.get("toolSpec") if isinstance(tool, dict) else None
        if not isinstance(spec, dict):
            raise _bad(f"{at} must be an object with a 'toolSpec' object")
        name = spec.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            raise _bad(f"{at}.toolSpec.name must be 1-64 characters of [A-Za-z0-9_-]")
        if any(existing.name == name for existing in specs):
            raise _bad(f"{at}.toolSpec.name {name!r} is declared twice")
        description = spec.get("description", "")
        if "description" in spec and (not isinstance(description, str) or not description):
            raise _bad(f"{at}.toolSpec.description must be a non-empty string")
        input_schema = spec.get("inputSchema")
        schema = input_schema.get("json") if isinstance(input_schema, dict) else None
        if not isinstance(schema, dict):
            raise _bad(f'{at}.toolSpec.inputSchema must be {{"json": <JSON Schema object>}}')
        if schema.get("type", "object") != "object":
            raise _bad(f"{at}.toolSpec.inputSchema.json.type must be 'object'")
        specs.append(ToolSpec(name, schema, description))
    choice = value.get("toolChoice")
    if choice is None:
        return tuple(specs), None
    shape_error = f'{where}.toolChoice must be {{"auto": {{}}}}, {{"any": {{}}}} or {{"tool": ...}}'
    if not isinstance(choice, dict) or len(choice) != 1:
        raise _bad(shape_error)
    ((mode, option),) = choice.items()
    if mode not in ("auto", "any", "tool") or not isinstance(option, dict):
        raise _bad(shape_error)
    if mode != "tool":
        return tuple(specs), (mode, None)
    name = option.get("name")
    if not isinstance(name, str) or all(spec.name != name for spec in specs):
        raise _bad(f"{where}.toolChoice.tool.name must name one of the declared tools")
    return tuple(specs), ("tool", name)


@dataclass(slots=True)
class _Validated:
    family: str
    stream: bool
    answer: AnswerRequest


def _validate(data: Any, kind: Literal["vu", "iu"], body: bytes) -> _Validated:
    if not isinstance(data, dict):
        raise _bad("request body must be a JSON object")
    model, family = _model(data, kind)
    shape = _SHAPES[family]
    conversation = _conversation(data.get("messages"), family=family, kind=kind)
    _optional_number(data, "temperature", 0, 2)
    _optional_number(data, "top_p", 0, 1)
    _optional_number(data, "frequency_penalty", -2, 2)
    _optional_number(data, "presence_penalty", -2, 2)
    max_tokens = _optional_int(data, "max_tokens", 1, None)
    n = _optional_int(data, "n", 1, 8) or 1
    stream = data.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise _bad("stream must be a boolean")
    stop = _stop_sequences(data.get("stop"))
    metadata = _metadata(data)
    gemini = _GeminiOptions(None, False, None)
    tools: tuple[ToolSpec, ...] = ()
    choice: tuple[str, str | None] | None = None
    # Options of the other dialect are ignored, not refused.
    if shape == "gemini":
        gemini = _gemini_options(metadata)
    else:
        tools, choice = _tool_config(metadata.get("toolConfig"))
        if conversation.has_tool_traffic and not tools:
            # Bedrock (behind Nova) refuses tool traffic without a toolConfig.
            raise _bad(
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
        thinking_budget=gemini.thinking_budget,
        json_mime=gemini.json_mime,
        response_schema=gemini.response_schema,
        tools=tools,
        tool_choice=choice,
        tool_result=conversation.tool_result,
    )
    return _Validated(family, bool(stream), answer)


# --------------------------------------------------------------------------- response bodies


def _family_of(data: Any) -> str:
    model = data.get("model") if isinstance(data, dict) else None
    prefix = model.partition(":")[0] if isinstance(model, str) else ""
    return prefix if prefix in _SHAPES else "gemini"


def _usage(family: str, usage: Usage) -> dict[str, int]:
    if _SHAPES[family] == "gemini":
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


def _tool_call_json(choice: Choice, *, index: int | None = None) -> list[dict[str, Any]]:
    call = choice.tool_call
    if call is None:
        return []
    entry: dict[str, Any] = {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }
    return [{"index": index, **entry} if index is not None else entry]


class _Identity:
    """Id, model echo and timestamp of one completion, per the family's documented example."""

    def __init__(self, family: str, model: str) -> None:
        self.family = family
        self.shape = _SHAPES[family]
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
        if self.shape == "gemini":
            kind = "completion.chunk" if chunk else "completion"
            return {"id": self.id, "object": kind, "model": self.model, "created_at": self.created}
        kind = "chat.completion.chunk" if chunk else "chat.completion"
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}


def _completion_body(identity: _Identity, answer: Answer) -> dict[str, Any]:
    body = identity.head()
    if identity.shape == "gemini":
        body["status"] = "completed"
        body["choices"] = [
            {"text": c.text, "index": c.index, "finish_reason": c.finish_reason}
            for c in answer.choices
        ]
        body["usage"] = _usage(identity.family, answer.usage)
        body["meta"] = {"provider": identity.family, "provider_model": identity.provider_model}
        return body
    choices = []
    for c in answer.choices:
        message: dict[str, Any] = {"role": "assistant", "content": c.text}
        if c.tool_call is not None:
            message["tool_calls"] = _tool_call_json(c)
        choices.append({"index": c.index, "message": message, "finish_reason": c.finish_reason})
    body["choices"] = choices
    body["usage"] = _usage(identity.family, answer.usage)
    return body


def _stream_events(
    identity: _Identity, answer: Answer
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The content events (choices interleaved by index) and the final event."""
    per_choice: list[list[dict[str, Any]]] = []
    for c in answer.choices:
        deltas: list[dict[str, Any]] = []
        if identity.shape == "gemini":
            deltas = [{"index": c.index, "text": piece} for piece in stream_pieces(c.text)]
        elif c.tool_call is not None:
            delta = {"role": "assistant", "tool_calls": _tool_call_json(c, index=0)}
            deltas = [{"index": c.index, "delta": delta}]
        else:
            for n, piece in enumerate(stream_pieces(c.text)):
                delta = {"role": "assistant", "content": piece} if n == 0 else {"content": piece}
                deltas.append({"index": c.index, "delta": delta})
        per_choice.append(deltas)
    content: list[dict[str, Any]] = []
    for round_ in range(max((len(d) for d in per_choice), default=0)):
        for deltas in per_choice:
            if round_ < len(deltas):
                content.append({**identity.head(chunk=True), "choices": [deltas[round_]]})
    final = identity.head(chunk=True)
    if identity.shape == "gemini":
        final["choices"] = [
            {"index": c.index, "text": "", "finish_reason": c.finish_reason} for c in answer.choices
        ]
    else:
        final["choices"] = [
            {"index": c.index, "delta": {}, "finish_reason": c.finish_reason}
            for c in answer.choices
        ]
    final["usage"] = _usage(identity.family, answer.usage)
    return content, final


# --------------------------------------------------------------------------- raw ASGI outcomes

ASGIOutcome = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _close_connection(scope: Scope) -> bool:
    closer = scope.get(_CLOSE_KEY)
    if closer is None:
        return False
    await closer()
    return True


async def _drop(scope: Scope, receive: Receive, send: Send) -> None:
    """Close the connection without a response (the client sees a protocol error)."""
    if await _close_connection(scope):
        return
    # Not under our uvicorn wiring: promise a body that never comes; the server then closes
    # the connection because the response is incomplete.
    headers = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"{", "more_body": True})


class _EventStream:
    """A Server-Sent Events answer, optionally cut short or broken by an error event."""

    def __init__(
        self,
        content: Sequence[dict[str, Any]],
        final: dict[str, Any],
        mode: Literal["stream_cut", "stream_error"] | None,
    ) -> None:
        self.content = content
        self.final = final
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})

        async def event(data: Any) -> None:
            text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
            chunk = f"data: {text}\n\n".encode()
            await send({"type": "http.response.body", "body": chunk, "more_body": True})

        if self.mode == "stream_cut":
            for item in self.content[: max(1, len(self.content) // 2)]:
                await event(item)
            if await _close_connection(scope):
                return
            return  # uvicorn closes a response left incomplete
        if self.mode == "stream_error":
            for item in self.content[:1]:
                await event(item)
            await event({"error": {"code": 500, "message": "internal error mid-stream"}})
        else:
            for item in self.content:
                await event(item)
            await event(self.final)
            await event("[DONE]")
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _fault_outcome(fault: FaultSpec, data: Any) -> tuple[ASGIOutcome, int | None] | None:
    """The response that replaces the answer, or ``None`` for faults that only delay or stream."""
    if fault.kind == "status":
        status = cast(int, fault.status)
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = _format_retry_after(fault.retry_after)
        return _envelope(status, status_message(status), headers), status
    if fault.kind == "drop":
        return _drop, None
    if fault.kind == "malformed":
        return Response(b'{"id": "resp_x", "choices": [', media_type="application/json"), 200
    family = _family_of(data)
    model = data["model"] if isinstance(data, dict) and isinstance(data.get("model"), str) else ""
    if fault.kind == "errored":
        body: dict[str, Any] = {
            "id": f"resp_{uuid.uuid4()}",
            "object": "completion",
            "model": model,
            "created_at": int(time.time()),
            "status": "errored",
            "error": {
                "code": "media_fetch_failed",
                "message": "Failed to fetch media from the URL: robots.txt disallows access "
                "for the model backend",
            },
            "choices": [],
        }
        return JSONResponse(body), 200
    if fault.kind == "empty_choices":
        identity = _Identity(family, model or f"{family}:unknown")
        return JSONResponse(_completion_body(identity, Answer((), Usage(0, 0)))), 200
    return None


# --------------------------------------------------------------------------- endpoints


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _delay(seconds: float, receive: Receive, state: EmulatorState) -> bool:
    """Wait ``seconds`` unless the client leaves or the emulator stops first.

    Returns:
        True if the answer should still be sent.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    # Watching for the disconnect lets an abandoned slow request end at once instead of holding
    # a task that server shutdown would have to cancel.
    disconnected = asyncio.ensure_future(_wait_for_disconnect(receive))
    try:
        while (remaining := deadline - loop.time()) > 0:
            done, _ = await asyncio.wait({disconnected}, timeout=min(remaining, 0.05))
            if done or state.stopping:
                return False
        return True
    finally:
        disconnected.cancel()


class _ChatEndpoint:
    """One chat-completions route (a raw ASGI app, so faults can drop the connection)."""

    def __init__(self, state: EmulatorState, kind: Literal["vu", "iu"]) -> None:
        self.state = state
        self.kind = kind

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = await request.body()
        data = _parse_json(body)
        outcome, status, fault, delay = self._decide(request, body, data)
        # Recorded on arrival, so a test sees a slow request even if its client gave up.
        self.state.record(
            RecordedRequest(request.url.path, _redacted_headers(request), data, fault, status)
        )
        if delay > 0 and not await _delay(delay, receive, self.state):
            if self.state.stopping and not await _close_connection(scope):
                await _envelope(503, "the emulator is shutting down")(scope, receive, send)
            return
        await outcome(scope, receive, send)

    def _decide(
        self, request: Request, body: bytes, data: Any
    ) -> tuple[ASGIOutcome, int | None, str | None, float]:
        """Return the outcome, its status, the fault that shaped it, and the delay before it."""
        state = self.state
        spec, spec_error = state.fault, None
        header = request.headers.get("x-emulator-fault", "").strip()
        if header:
            try:
                spec = parse_fault(header)
            except FaultSpecError as exc:
                spec, spec_error = None, str(exc)
        fires = spec is not None and state.faults.fires(spec, request.url.path, body)
        fault = spec if fires else None
        delay = state.latency
        applied: str | None = None
        if fault is not None and fault.kind == "slow":
            delay += fault.seconds
            applied = fault.text
        try:
            if spec_error is not None:
                raise _bad(f"invalid X-Emulator-Fault header: {spec_error}")
            # Injected failures stand for the service failing, so they come before auth and
            # validation and fire for any request.
            replaced = _fault_outcome(fault, data) if fault is not None else None
            if replaced is not None:
                return replaced[0], replaced[1], cast(FaultSpec, fault).text, delay
            _authenticate(request, state.api_key)
            _check_content_type(request)
            if data is None:
                raise _bad("request body is not valid JSON")
            validated = _validate(data, self.kind, body)
        except ApiError as exc:
            return _envelope(exc.status, exc.message), exc.status, applied, delay
        answer = build_answer(validated.answer)
        identity = _Identity(validated.family, validated.answer.model)
        if not validated.stream:
            return JSONResponse(_completion_body(identity, answer)), 200, applied, delay
        mode: Literal["stream_cut", "stream_error"] | None = None
        if fault is not None and fault.is_stream_fault:
            mode = cast(Literal["stream_cut", "stream_error"], fault.kind)
            applied = fault.text
        content, final = _stream_events(identity, answer)
        return _EventStream(content, final, mode), 200, applied, delay


def _inspection_routes(state: EmulatorState) -> list[Route]:
    async def requests(request: Request) -> Response:
        return JSONResponse([recorded.to_dict() for recorded in state.requests])

    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse({"reset": True})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return [
        Route("/_emulator/requests", requests, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/health", health, methods=["GET"]),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return _envelope(exc.status_code, exc.detail, exc.headers)
    return _envelope(500, "emulator internal error")


async def _server_error(request: Request, exc: Exception) -> Response:
    return _envelope(500, f"emulator internal error: {type(exc).__name__}: {exc}")


def _connection_closer(send: Send) -> Callable[[], Awaitable[None]] | None:
    """A function that closes the client connection, when running under uvicorn.

    uvicorn hands the app the bound ``send`` method of its request cycle, which holds the
    transport. Closing it and waiting for the cycle to notice its disconnection is the one way
    to end a connection without any HTTP response and without uvicorn logging an error.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not callable(getattr(transport, "close", None)):
        return None

    async def close() -> None:
        transport.close()
        for _ in range(200):
            if getattr(cycle, "disconnected", True):
                return
            await asyncio.sleep(0.005)

    return close


class EmulatorApp(Starlette):
    """The emulator's ASGI app: a Starlette app that stamps every response with a request id.

    Use :func:`create_app` to build one.

    Attributes:
        emulator_state: Settings, recorded requests and counters.

    Example:
        >>> app = create_app(api_key="secret")
        >>> app.emulator_state.api_key
        'secret'
    """

    def __init__(self, state: EmulatorState) -> None:
        routes: list[Route] = []
        for prefix in ("", API_PREFIX):
            for path, kind in CHAT_PATHS.items():
                routes.append(Route(prefix + path, _ChatEndpoint(state, kind), methods=["POST"]))
        routes += _inspection_routes(state)
        super().__init__(
            routes=routes,
            exception_handlers={HTTPException: _http_error, Exception: _server_error},
        )
        self.emulator_state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope, adding ``x-request-id: emu-<hex>`` to the response."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request_id = f"emu-{uuid.uuid4().hex}".encode()
        scope[_CLOSE_KEY] = _connection_closer(send)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"x-request-id", request_id)]
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, send_with_id)


def create_app(
    *,
    api_key: str | None = None,
    fault: str | None = None,
    latency: float = 0.0,
    max_recorded: int = DEFAULT_MAX_RECORDED,
) -> EmulatorApp:
    """Build the emulator's ASGI app (to run it yourself under any ASGI server).

    Most users want :class:`~memories_client.emulator.Emulator`, which also runs the server.

    Args:
        api_key: If set, only this key is accepted; otherwise any non-empty key is.
        fault: A fault spec applied to every chat request (see ``faults.parse_fault``).
        latency: Seconds to wait before answering every chat request.
        max_recorded: How many requests the app keeps for inspection (the newest).

    Returns:
        The app; its state is ``app.emulator_state``.

    Raises:
        FaultSpecError: If ``fault`` cannot be parsed.

    Example:
        >>> app = create_app(fault="429:retry_after=0.1")
        >>> app.emulator_state.fault.retry_after if app.emulator_state.fault else None
        0.1
    """
    return EmulatorApp(
        EmulatorState(api_key=api_key, fault=fault, latency=latency, max_recorded=max_recorded)
    )
