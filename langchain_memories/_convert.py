"""LangChain messages, content blocks and tools -> ``memories_client`` messages and tool specs.

The one place that understands the many ways LangChain users write multimodal content:

* a plain string;
* LangChain v1 standard blocks: ``{"type": "text" | "image" | "video" | "file", "url" |
  "base64" (+ "mime_type")}``;
* the older v0 form with ``source_type`` (``"url"`` / ``"base64"``, data in ``"data"``);
* OpenAI ``{"type": "image_url", "image_url": "<url>" | {"url": ...}}`` (``data:`` URLs too) and
  ``{"type": "file", "file": {"file_data": "data:...", "filename": ...}}``;
* Google-style ``{"type": "media", "file_uri" | "data", "mime_type"}``;
* Anthropic ``{"type": "image", "source": {"type": "base64" | "url", ...}}``;
* the API's native parts, passed through: ``input_file`` (Gemini), ``image_url`` / ``video_url``
  (Nova).

URLs (video above all) are passed to the service as references and never downloaded here: the
service fetches them itself. Audio, file ids and unknown block types raise
:class:`memories_client.MemoriesInputError` naming the block and listing what is supported;
nothing is silently dropped.

Tools (Nova): ``bind_tools`` binds them in OpenAI's function format (what LangChain tracing
shows and what ``convert_to_openai_tool`` accepts from any source: ``BaseTool``, functions,
Pydantic classes, TypedDicts, JSON Schema dicts, Anthropic tool dicts); the request builder
turns them into core ``ToolSpec`` objects with :func:`to_tool_spec`, which the Nova dialect
sends as ``extra_body.metadata.toolConfig``. What a ``tool_choice`` means is decided once, in
:func:`memories_client.normalize_tool_choice`.

Example:
    >>> from langchain_core.messages import HumanMessage
    >>> [msg] = to_core_messages([HumanMessage(content=[
    ...     {"type": "text", "text": "What happens?"},
    ...     {"type": "video", "url": "https://example.com/clip.mp4"}])])
    >>> msg.parts[1].kind, msg.parts[1].url
    ('video', 'https://example.com/clip.mp4')
    >>> def add(a: int, b: int) -> int:
    ...     '''Add two integers.'''
    ...     return a + b
    >>> spec = to_tool_spec(add)
    >>> spec.name, sorted(spec.parameters["properties"])
    ('add', ['a', 'b'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.utils.function_calling import convert_to_openai_tool

import memories_client as mc
import memories_client.integration as kit

__all__ = ["SUPPORTED_BLOCKS", "block_to_part", "openai_tool", "to_core_messages", "to_tool_spec"]

SUPPORTED_BLOCKS = (
    "text; image / video / file with url, base64 + mime_type (or the older source_type form); "
    "OpenAI image_url and file; Google media (file_uri or data); Anthropic image with source; "
    "native input_file, image_url and video_url"
)

# A block's type names its kind even when a URL has no telling file extension (signed links,
# CDN ids); the core then stands in that kind's common MIME type
# (memories_client._media.DEFAULT_MIME).
_KINDS: dict[str, Literal["image", "video", "document"]] = {
    "image": "image",
    "video": "video",
    "file": "document",
}

# Blocks an assistant message may carry that are not content to replay: tool calls travel in
# ``AIMessage.tool_calls``, and earlier reasoning is the model's own scratch work.
_AI_SKIPPED = frozenset(
    {
        "tool_use",
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "server_tool_call",
        "server_tool_call_chunk",
        "server_tool_result",
        "reasoning",
        "thinking",
        "redacted_thinking",
    }
)


_URL_PREFIXES = ("http://", "https://", "gs://", "data:")


def _unsupported(where: str, block: Mapping[str, Any], why: str) -> mc.MemoriesInputError:
    btype = block.get("type")
    return mc.MemoriesInputError(
        f"{where}: content block of type {btype!r} is not supported ({why}). Supported "
        f"blocks: {SUPPORTED_BLOCKS}"
    )


def _from_url(url: Any, mime: Any, kind: str | None, where: str) -> mc.MediaPart:
    if not isinstance(url, str) or not url:
        raise mc.MemoriesInputError(f"{where}: the block's url must be a non-empty string")
    if not url.strip().lower().startswith(_URL_PREFIXES):
        # Most likely a local path: the core's advice (media_from_path) does not fit a message.
        raise mc.MemoriesInputError(
            f"{where}: {url[:80]!r} is not a URL the service can fetch. A LangChain block takes "
            f"an http://, https:// or gs:// URL, or inline data: {{'type': '{kind or 'image'}', "
            "'base64': ..., 'mime_type': ...}. A local video goes through an uploader first: "
            "{'type': 'video', 'url': memories_client.uploads.video_part(Path(...), "
            "family='gemini', uploader=MemoriesAssetUploader()).url}, or "
            "MemoriesVideoLoader(..., uploader=...)"
        )
    mime_type = mime if isinstance(mime, str) and mime else None
    return mc.media_from_url(url, mime_type, kind=_KINDS.get(kind or ""))


def _from_data(data: Any, mime: Any) -> mc.MediaPart:
    mime_type = mime if isinstance(mime, str) and mime else None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return mc.media_from_bytes(data, mime_type)
    if isinstance(data, str):
        return mc.media_from_base64(data, mime_type)
    raise mc.MemoriesInputError(
        f"inline data must be base64 text or bytes, got {type(data).__name__}"
    )


def _nested_url(value: Any) -> Any:
    """``"<url>"`` or ``{"url": "<url>", ...}`` (the OpenAI forms) -> the URL."""
    if isinstance(value, Mapping):
        return value.get("url")
    return value


def _standard(block: Mapping[str, Any], kind: str, where: str) -> mc.MediaPart:
    mime = block.get("mime_type")
    source = block.get("source")
    if isinstance(source, Mapping):  # Anthropic: {"type": "image", "source": {...}}
        stype = source.get("type")
        if stype == "base64":
            return _from_data(source.get("data"), source.get("media_type") or mime)
        if stype == "url":
            return _from_url(source.get("url"), source.get("media_type") or mime, kind, where)
        raise _unsupported(where, block, f"source type {stype!r}; use base64 or url")
    source_type = block.get("source_type")
    if source_type is not None:  # LangChain v0 standard block
        if source_type == "url":
            return _from_url(block.get("url"), mime, kind, where)
        if source_type == "base64":
            return _from_data(block.get("data"), mime)
        raise _unsupported(
            where, block, f"source_type {source_type!r}; memories.ai takes URLs or base64 data"
        )
    if "url" in block:
        return _from_url(block["url"], mime, kind, where)
    if "base64" in block:
        return _from_data(block["base64"], mime)
    if "data" in block:
        return _from_data(block["data"], mime)
    if "file_id" in block:
        raise _unsupported(
            where, block, "provider file ids cannot be used; pass the file's URL or base64 data"
        )
    raise _unsupported(where, block, "it has no url or base64 data")


def block_to_part(
    block: str | Mapping[str, Any], where: str = "content"
) -> mc.TextPart | mc.MediaPart:
    """Convert one content block of a user message to a core text or media part.

    Args:
        block: a string or a content-block dict in any supported format.
        where: where the block is, for error messages (e.g. ``messages[1].content[2]``).

    Returns:
        A :class:`memories_client.TextPart` or :class:`memories_client.MediaPart`.

    Raises:
        memories_client.MemoriesInputError: audio, file ids, unknown block types or bad data.

    Example:
        >>> block_to_part({"type": "image_url", "image_url": {"url": "https://x.test/a.png"}})
        MediaPart(kind='image', mime_type='image/png', url='https://x.test/a.png')
    """
    if isinstance(block, str):
        return mc.TextPart(block)
    if not isinstance(block, Mapping):
        raise mc.MemoriesInputError(
            f"{where}: a content block must be a string or a dict, got {type(block).__name__}"
        )
    btype = block.get("type")
    kit.check_media_options(block, where)  # clip offsets, fps, detail: refused, never dropped
    try:
        return _block_to_part(block, btype, where)
    except mc.MemoriesInputError as exc:
        if str(exc).startswith(where):
            raise
        raise mc.MemoriesInputError(f"{where} ({btype!r} block): {exc}") from exc


def _block_to_part(block: Mapping[str, Any], btype: Any, where: str) -> mc.TextPart | mc.MediaPart:
    if btype in ("text", "text-plain", "input_text") and isinstance(block.get("text"), str):
        return mc.TextPart(block["text"])
    if btype in ("image", "video"):
        return _standard(block, btype, where)
    if btype == "file":
        inner = block.get("file")
        if isinstance(inner, Mapping):  # OpenAI Chat Completions file block
            if isinstance(inner.get("file_data"), str):
                return mc.media_from_url(inner["file_data"], block.get("mime_type"))
            raise _unsupported(
                where, block, "OpenAI file ids cannot be used; pass file_data as a data: URI"
            )
        return _standard(block, "file", where)
    if btype == "image_url":  # OpenAI, and Nova's native part
        return _from_url(
            _nested_url(block.get("image_url")), block.get("mime_type"), "image", where
        )
    if btype == "video_url":  # Nova's native part
        return _from_url(
            _nested_url(block.get("video_url")), block.get("mime_type"), "video", where
        )
    if btype == "input_file":  # Gemini's native part: file_uri is a URL or base64 text
        uri = block.get("file_uri")
        mime = block.get("mime_type")
        if isinstance(uri, str) and uri.lower().startswith(
            ("http://", "https://", "gs://", "data:")
        ):
            return _from_url(uri, mime, None, where)
        return _from_data(uri, mime)
    if btype == "media":  # langchain-google-genai's native block
        if block.get("file_uri") is not None:
            return _from_url(block["file_uri"], block.get("mime_type"), None, where)
        if block.get("data") is not None:
            return _from_data(block["data"], block.get("mime_type"))
        raise _unsupported(where, block, "a media block needs file_uri or data")
    if btype in ("audio", "input_audio"):
        raise _unsupported(
            where,
            block,
            "the memories.ai chat API takes no audio; send the video that carries it instead",
        )
    raise _unsupported(where, block, "unknown block type")


def _text_of(content: str | list[Any], where: str, *, role: str) -> str:
    """The text of a non-user message, refusing media (the API takes media from users only)."""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for j, block in enumerate(content):
        here = f"{where}.content[{j}]"
        if isinstance(block, str):
            texts.append(block)
            continue
        btype = block.get("type") if isinstance(block, Mapping) else None
        if btype in ("text", "text-plain") and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif role == "assistant" and btype in _AI_SKIPPED:
            continue
        else:
            raise mc.MemoriesInputError(
                f"{here}: a {role} message can only carry text, got a {btype!r} block; put "
                "images, video and files in a HumanMessage"
            )
    return "".join(texts) if role == "assistant" else "\n".join(texts)


def _tool_calls(message: AIMessage) -> tuple[mc.ToolCall, ...]:
    return tuple(
        mc.ToolCall(id=call.get("id") or f"call_{k}", name=call["name"], arguments=call["args"])
        for k, call in enumerate(message.tool_calls)
    )


def _tool_content(message: ToolMessage, where: str) -> tuple[str, list[mc.MediaPart]]:
    content = message.content
    if isinstance(content, str):
        return content, []
    texts: list[str] = []
    media: list[mc.MediaPart] = []
    for j, block in enumerate(content):
        here = f"{where}.content[{j}]"
        if isinstance(block, Mapping) and block.get("type") not in ("text", "text-plain"):
            part = block_to_part(block, here)
            if isinstance(part, mc.MediaPart):
                media.append(part)
                continue
            texts.append(part.text)
        elif isinstance(block, Mapping):
            texts.append(str(block.get("text", "")))
        else:
            if not isinstance(block, str):
                # LangChain does not validate assignment to .content, so anything can be here.
                raise mc.MemoriesInputError(
                    f"{here}: a tool result block must be a string or a content-block dict, got "
                    f"{type(block).__name__}"
                )
            texts.append(block)
    return "\n".join(texts), media


def _user(message: BaseMessage, where: str) -> mc.Message:
    content = message.content
    if isinstance(content, str):
        parts: tuple[mc.TextPart | mc.MediaPart, ...] = (mc.TextPart(content),)
    else:
        parts = tuple(
            block_to_part(block, f"{where}.content[{j}]") for j, block in enumerate(content)
        )
    return mc.Message("user", parts, name=message.name)


def to_core_messages(messages: Sequence[BaseMessage]) -> list[mc.Message]:
    """Convert LangChain messages to ``memories_client`` messages, in order.

    Tool results that carry images (a screenshot tool, say) cannot travel in a ``tool`` message
    (the API takes media only from users), so their media is re-sent in a user message right
    after the run of tool results (the core's rule:
    :func:`memories_client.integration.with_tool_media`, which LlamaIndex follows too).

    Args:
        messages: System, Human, AI, Tool (or generic Chat) messages.

    Returns:
        The core messages.

    Raises:
        memories_client.MemoriesInputError: for unsupported messages or content blocks.
    """
    out: list[mc.Message] = []
    for i, message in enumerate(messages):
        content = message.content
        if type(message) is HumanMessage and isinstance(content, str):
            # The most common message, converted on every call: skip the generic dispatch.
            out.append(mc.Message("user", (mc.TextPart(content),), name=message.name))
            continue
        where = f"messages[{i}]"
        role = message.role if isinstance(message, ChatMessage) else None
        if isinstance(message, HumanMessage) or role in ("user", "human"):
            out.append(_user(message, where))
        elif isinstance(message, SystemMessage) or role in ("system", "developer"):
            out.append(mc.Message.system(_text_of(message.content, where, role="system")))
        elif isinstance(message, AIMessage) or role in ("assistant", "ai"):
            text = _text_of(message.content, where, role="assistant")
            calls = _tool_calls(message) if isinstance(message, AIMessage) else ()
            out.append(mc.Message.assistant(text, calls))
        elif isinstance(message, ToolMessage):
            text, media = _tool_content(message, where)
            parts: tuple[mc.TextPart | mc.MediaPart, ...] = (mc.TextPart(text), *media)
            out.append(
                mc.Message("tool", parts, tool_call_id=message.tool_call_id, name=message.name)
            )
        else:
            raise mc.MemoriesInputError(
                f"{where}: {type(message).__name__} messages are not supported; use System, "
                "Human, AI and Tool messages"
            )
    return kit.with_tool_media(out)


def openai_tool(tool: Any) -> dict[str, Any]:
    """Any LangChain tool description in OpenAI's ``{"type": "function", ...}`` format."""
    if isinstance(tool, mc.ToolSpec):
        return {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": tool.parameters,
            },
        }
    return convert_to_openai_tool(tool)


def to_tool_spec(tool: Any) -> mc.ToolSpec:
    """A core ``ToolSpec`` from any tool description ``convert_to_openai_tool`` accepts."""
    if isinstance(tool, mc.ToolSpec):
        return tool
    function = openai_tool(tool)["function"]
    parameters = function.get("parameters") or {"type": "object", "properties": {}}
    return mc.ToolSpec(
        name=function["name"],
        description=function.get("description") or "",
        parameters=dict(parameters),
    )
