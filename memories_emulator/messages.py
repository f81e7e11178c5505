"""Checks of a request's ``messages``: roles, content parts, media references and tool traffic.

Example:
    >>> check_messages([{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
    ...                family="gemini", kind="vu").question
    'Hi'
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from memories_emulator.answers import MediaCounts
from memories_emulator.checks import bad

__all__ = ["Conversation", "check_messages", "media_urls_of"]

_EMPTY_INPUT = "Model input cannot be empty"
_NO_VIDEO_ON_IU = "video input is not supported on the image understanding endpoint; use /vu"
_NO_BASE64_VIDEO = "video does not support base64; pass a public URL"
_MIME = re.compile(r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_DATA_URI = re.compile(r"^data:(?P<mime>[^;,]*)(?P<params>(?:;[^;,]*)*),(?P<data>.*)$", re.DOTALL)


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
                raise bad(
                    f'{where}.content[{j}] must be a text part {{"type": "text", "text": "..."}} '
                    f"in {role} messages"
                )
            texts.append(part["text"])
        return texts
    raise bad(f"{where}.content must be a string or an array of text parts")


def _check_base64(payload: str, where: str) -> None:
    compact = re.sub(r"\s+", "", payload)
    try:
        decoded = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if not decoded:
        raise bad(
            f"{where}: invalid base64 data (expected an http(s):// or gs:// URL, "
            "a data:<mime>;base64,... URI, or base64)"
        )


def _check_source(value: Any, where: str, *, video: bool, family: str) -> str | None:
    """Check a media reference (URL, data URI or raw base64).

    Returns:
        The media type named by a data URI, if any.
    """
    if not isinstance(value, str) or not value.strip():
        raise bad(f"{where} must be a non-empty string")
    lowered = value.lower()
    if lowered.startswith(("http://", "https://", "gs://")):
        if not urlsplit(value).netloc:
            raise bad(f"{where} is not a valid URL: {value[:80]!r}")
        return None
    data_mime: str | None = None
    payload = value
    if lowered.startswith("data:"):
        match = _DATA_URI.match(value)
        if match is None or ";base64" not in match["params"].lower():
            raise bad(f"{where}: a data URI must be base64-encoded (data:<mime>;base64,<data>)")
        data_mime, payload = match["mime"].lower() or None, match["data"]
    elif (scheme := _SCHEME.match(value)) is not None:
        raise bad(
            f"{where}: unsupported URL scheme {scheme[1]!r}; pass an http(s):// or gs:// URL "
            "or base64 data"
        )
    # Gemini's docs: "video does not support base64". Nova's docs allow base64 video.
    if family == "gemini" and (video or (data_mime or "").startswith("video/")):
        raise bad(_NO_BASE64_VIDEO)
    _check_base64(payload, where)
    return data_mime


@dataclass(slots=True)
class Conversation:
    """What the answer needs from a valid ``messages`` array.

    Attributes:
        counts: Parts over all user messages.
        texts: Every text of every message, in order.
        question: The text of the last user message.
        tool_result: Content of the last message when it is a ``tool`` message, else ``None``.
        has_tool_traffic: True if any assistant tool call or tool result was sent.
        called_tools: Names of the tools the assistant messages called, in order.
        prefix_texts: How many of ``texts`` come before the last user message.
        prefix_counts: The media parts before the last user message.

    Example:
        >>> Conversation(MediaCounts(texts=1), ["Hi"], "Hi", None, False).question
        'Hi'
    """

    counts: MediaCounts
    texts: list[str]
    question: str
    tool_result: str | None
    has_tool_traffic: bool
    called_tools: tuple[str, ...] = ()
    prefix_texts: int = 0
    prefix_counts: MediaCounts = field(default_factory=MediaCounts)


_PART_TYPES = {
    "gemini": ("text", "input_file"),
    "nova": ("text", "image_url", "video_url"),
    "gpt": ("text", "image_url"),
}
"""Content part types each family accepts in user messages (Qwen: see :func:`_qwen_part`)."""
_QWEN_KEYS = ("text", "image", "video")
_QWEN_TYPES = ("text", "image", "video", "image_url", "video_url")
# OpenAI reads these image formats only (its vision guide); other data URIs are refused.
_GPT_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/jpg", "image/webp", "image/gif"})
_GPT_DETAIL = ("auto", "low", "high")


def _gemini_file(part: Mapping[str, Any], at: str, *, family: str, kind: str) -> str:
    """Check an ``input_file`` part; return its kind (image, video or document)."""
    mime = part.get("mime_type")
    if not isinstance(mime, str) or not _MIME.match(mime):
        raise bad(f"{at}.mime_type must be a MIME type such as image/jpeg or video/mp4")
    is_video = mime.lower().startswith("video/")
    if is_video and kind == "iu":
        raise bad(_NO_VIDEO_ON_IU)
    _check_source(part.get("file_uri"), f"{at}.file_uri", video=is_video, family=family)
    return "video" if is_video else "image" if mime.lower().startswith("image/") else "document"


def _nova_media(part: Mapping[str, Any], key: str, at: str, *, family: str, kind: str) -> str:
    """Check an ``image_url`` / ``video_url`` part; return its kind (image or video)."""
    if key == "video_url" and kind == "iu":
        raise bad(_NO_VIDEO_ON_IU)
    value = part.get(key)
    # The docs do not say whether image_url is a string or {"url": ...}; both are accepted.
    url = value.get("url") if isinstance(value, dict) else value
    if not isinstance(url, str):
        raise bad(f'{at}.{key} must be an object {{"url": "..."}} or a string')
    where = f"{at}.{key}.url" if isinstance(value, dict) else f"{at}.{key}"
    data_mime = _check_source(url, where, video=key == "video_url", family=family)
    expected = "video/" if key == "video_url" else "image/"
    if data_mime is not None and not data_mime.startswith(expected):
        raise bad(f"{where}: data URI media type {data_mime!r} does not fit {key}")
    return "video" if key == "video_url" else "image"


def _gpt_image(part: Mapping[str, Any], at: str) -> str:
    """Check a GPT ``image_url`` part: an object (the GPT page), read the way OpenAI reads it."""
    value = part.get("image_url")
    if not isinstance(value, dict) or not isinstance(value.get("url"), str):
        raise bad(f'{at}.image_url must be an object {{"url": "..."}} (the GPT docs)')
    detail = value.get("detail")
    if detail is not None and detail not in _GPT_DETAIL:
        raise bad(f"{at}.image_url.detail must be one of {', '.join(_GPT_DETAIL)}")
    url = value["url"]
    where = f"{at}.image_url.url"
    if url.lower().startswith("gs://"):
        raise bad(f"{where}: OpenAI fetches images over http(s) only, not gs://")
    if not url.lower().startswith(("http://", "https://", "data:")):
        raise bad(f"{where} must be an http(s) URL or a data:image/...;base64 URI")
    data_mime = _check_source(url, where, video=False, family="gpt")
    if data_mime is not None and data_mime not in _GPT_IMAGE_TYPES:
        raise bad(f"{where}: OpenAI reads PNG, JPEG, WEBP and GIF images, not {data_mime!r}")
    return "image"


def _qwen_source(value: Any, key: str, at: str, *, kind: str) -> str:
    """Check a Qwen image or video source; a video may also be a list of frame images."""
    if key == "video" and kind == "iu":
        raise bad(_NO_VIDEO_ON_IU)
    if isinstance(value, dict):  # the OpenAI form {"url": ...}
        value = value.get("url")
    if key == "video" and isinstance(value, list) and value:
        for k, frame in enumerate(value):
            _check_source(frame, f"{at}[{k}]", video=False, family="qwen")
        return "video"
    data_mime = _check_source(value, at, video=key == "video", family="qwen")
    expected = "video/" if key == "video" else "image/"
    if data_mime is not None and not data_mime.startswith(expected):
        raise bad(f"{at}: data URI media type {data_mime!r} does not fit {key}")
    return key


def _qwen_part(part: Any, at: str, *, kind: str) -> tuple[str, str | None]:
    """Check one Qwen content part; return its kind and, for text, the text.

    The docs list the array items as "image" and "text" without naming a ``type`` key, which
    reads like DashScope's own parts (``{"text": ...}``, ``{"image": url}``, ``{"video": url}``).
    Qwen's typed form (``{"type": "image", "image": url}``) and the OpenAI form
    (``image_url`` / ``video_url`` objects) are accepted too, since the shape is not shown.
    """
    if not isinstance(part, dict):
        raise bad(f"{at} must be an object")
    part_type = part.get("type")
    if part_type is None:
        keys = [key for key in _QWEN_KEYS if key in part]
        if len(keys) != 1:
            raise bad(
                f'{at} must hold exactly one of "text", "image" or "video" '
                '(e.g. {"image": "https://..."})'
            )
        key = keys[0]
    elif part_type not in _QWEN_TYPES:
        raise bad(
            f"{at}: unsupported content part type {part_type!r}; qwen models accept "
            + ", ".join(repr(t) for t in _QWEN_TYPES)
            + (" (input_file is Gemini's part)" if part_type == "input_file" else "")
        )
    else:
        key = part_type
    if key == "text":
        if not isinstance(part.get("text"), str):
            raise bad(f"{at}.text must be a string")
        return "text", part["text"]
    source = key.removesuffix("_url")
    return _qwen_source(part.get(key), source, f"{at}.{key}", kind=kind), None


def _user_content(
    content: Any, where: str, *, family: str, kind: str
) -> tuple[list[str], MediaCounts]:
    """Check a user message's content; return its texts and part counts."""
    if isinstance(content, str):
        # Observed on the real service: Gemini on /vu drops a bare-string user content.
        if (family == "gemini" and kind == "vu") or not content.strip():
            raise bad(_EMPTY_INPUT)
        return [content], MediaCounts(texts=1)
    if not isinstance(content, list):
        raise bad(f"{where}.content must be a string or an array of content parts")
    texts: list[str] = []
    media = {"image": 0, "video": 0, "document": 0}
    for j, part in enumerate(content):
        at = f"{where}.content[{j}]"
        if family == "qwen":
            found, text = _qwen_part(part, at, kind=kind)
            if text is not None:
                texts.append(text)
            else:
                media[found] += 1
            continue
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            raise bad(f"{at} must be an object with a string 'type'")
        part_type = part["type"]
        if part_type not in _PART_TYPES[family]:
            accepted = ", ".join(repr(t) for t in _PART_TYPES[family])
            raise bad(
                f"{at}: unsupported content part type {part_type!r}; "
                f"{family} models accept {accepted}"
            )
        if part_type == "text":
            if not isinstance(part.get("text"), str):
                raise bad(f"{at}.text must be a string")
            texts.append(part["text"])
        elif part_type == "input_file":
            media[_gemini_file(part, at, family=family, kind=kind)] += 1
        elif family == "gpt":
            media[_gpt_image(part, at)] += 1
        else:
            media[_nova_media(part, part_type, at, family=family, kind=kind)] += 1
    if not any(text.strip() for text in texts) and not sum(media.values()):
        raise bad(_EMPTY_INPUT)
    return texts, MediaCounts(len(texts), media["image"], media["video"], media["document"])


def _tool_calls(value: Any, where: str) -> list[tuple[str, str]]:
    """Validate an assistant message's OpenAI-shaped ``tool_calls``; return (id, name) pairs."""
    if not isinstance(value, list) or not value:
        raise bad(f"{where}.tool_calls must be a non-empty array")
    calls: list[tuple[str, str]] = []
    for k, call in enumerate(value):
        at = f"{where}.tool_calls[{k}]"
        if not isinstance(call, dict):
            raise bad(f"{at} must be an object")
        if not isinstance(call.get("id"), str) or not call["id"]:
            raise bad(f"{at}.id must be a non-empty string")
        if call.get("type") != "function":
            raise bad(f"{at}.type must be 'function'")
        function = call.get("function")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise bad(f"{at}.function must be an object with a string 'name'")
        arguments = function.get("arguments")
        if not isinstance(arguments, str):
            raise bad(f"{at}.function.arguments must be a JSON string")
        try:
            json.loads(arguments)
        except ValueError:
            raise bad(f"{at}.function.arguments is not valid JSON") from None
        calls.append((call["id"], function["name"]))
    return calls


def check_messages(messages: Any, *, family: str, kind: str) -> Conversation:
    """Check ``messages`` for a model of ``family`` on endpoint ``kind`` (``vu`` or ``iu``).

    Raises:
        ApiError: The first rule the messages break, naming the message and part.

    Example:
        >>> check_messages([{"role": "user", "content": "Hi"}], family="nova", kind="vu").texts
        ['Hi']
    """
    if messages is None:
        raise bad("messages is required")
    if not isinstance(messages, list):
        raise bad("messages must be an array")
    if not messages:
        raise bad("messages must be a non-empty array")
    if family == "qwen" and kind == "iu":
        roles: tuple[str, ...] = ("system", "user")  # the Qwen ILM page lists no other role
    else:
        roles = ("system", "user", "assistant") + (("tool",) if family == "nova" else ())
    counts = MediaCounts()
    prefix_texts, prefix_counts = 0, MediaCounts()
    texts: list[str] = []
    question: str | None = None
    call_ids: set[str] = set()
    called: list[str] = []
    tool_traffic = False
    tool_result: str | None = None
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            raise bad(f"{where} must be an object")
        role = message.get("role")
        if role not in roles:
            raise bad(f"{where}.role must be one of {', '.join(roles)}; got {role!r}")
        content = message.get("content")
        tool_result = None
        if role == "user":
            if content is None:
                raise bad(f"{where}.content is required")
            parts, found = _user_content(content, where, family=family, kind=kind)
            prefix_texts, prefix_counts = len(texts), counts
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
                raise bad(f"{where}.content is required")
            texts += _text_parts(content, where, role)
        elif role == "assistant":
            calls = message.get("tool_calls")
            if calls is not None:
                if family != "nova":
                    raise bad(f"{where}.tool_calls are only supported by nova models")
                for made_id, name in _tool_calls(calls, where):
                    call_ids.add(made_id)
                    called.append(name)
                tool_traffic = True
                if content not in (None, ""):
                    texts += _text_parts(content, where, role)
            elif content is None:
                raise bad(f"{where}.content is required")
            else:
                texts += _text_parts(content, where, role)
        else:  # tool
            call_id = message.get("tool_call_id")
            if not isinstance(call_id, str) or not call_id:
                raise bad(f"{where}.tool_call_id must be a non-empty string")
            if call_id not in call_ids:
                raise bad(
                    f"{where}.tool_call_id {call_id!r} does not match any earlier assistant "
                    "tool call"
                )
            if not isinstance(content, str):
                raise bad(f"{where}.content must be a string (the tool's result)")
            texts.append(content)
            tool_traffic = True
            tool_result = content
    if question is None:
        raise bad(_EMPTY_INPUT)
    return Conversation(
        counts,
        texts,
        question,
        tool_result,
        tool_traffic,
        tuple(called),
        prefix_texts,
        prefix_counts,
    )


_URL_KEYS = ("file_uri", "url", "image_url", "video_url", "image", "video")


def media_urls_of(messages: Any) -> tuple[str, ...]:
    """The http(s) and gs URLs of the media in (already checked) user messages, in order.

    Example:
        >>> media_urls_of([{"role": "user", "content": [
        ...     {"type": "video_url", "video_url": {"url": "https://x.test/a.mp4"}}]}])
        ('https://x.test/a.mp4',)
    """
    found: list[str] = []

    def visit(value: Any) -> None:
        if isinstance(value, str):
            if value.lower().startswith(("http://", "https://", "gs://")):
                found.append(value)
        elif isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for key in _URL_KEYS:
                if key in value:
                    visit(value[key])

    for message in messages if isinstance(messages, list) else ():
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                visit(content)
    return tuple(found)
