"""LlamaIndex messages, content blocks and tools -> the core's neutral types, and tool calls back.

One job: turn ``ChatMessage`` lists into ``memories_client`` messages, refusing (never dropping)
what the service cannot take; turn ``BaseTool`` objects into core
:class:`memories_client.ToolSpec` objects, and read tool calls back out of a response as
``ToolSelection`` objects. The wire format is the core dialect's business; what a
``tool_choice`` means is decided once, in :func:`memories_client.normalize_tool_choice`.

Block rules:

* ``TextBlock`` -> text part.
* ``ImageBlock`` / ``VideoBlock`` / ``DocumentBlock`` from ``url`` (passed through, never
  downloaded; preferred when a block has both a URL and bytes), ``path`` (read once) or bytes
  (LlamaIndex stores validated bytes base64-encoded, so they are used as base64 and not encoded
  a second time). Video bytes for Gemini and documents for Nova are refused before any request.
* ``ThinkingBlock`` in the history is dropped: the API has no field to replay thoughts and the
  docs describe no thought signatures.
* ``ToolCallBlock`` in an assistant message -> a replayed tool call.
* Anything else (``AudioBlock``, ``CachePoint``, ``CitableBlock``, ``CitationBlock``...) raises
  :class:`memories_client.MemoriesInputError`.

Example:
    >>> from llama_index.core.llms import ChatMessage, ImageBlock, TextBlock
    >>> msgs = to_core_messages(
    ...     [ChatMessage(role="user", blocks=[TextBlock(text="What is it?"),
    ...                                       ImageBlock(url="https://example.com/cat.png")])],
    ...     family="gemini")
    >>> msgs[0].role, [type(p).__name__ for p in msgs[0].parts]
    ('user', ['TextPart', 'MediaPart'])
    >>> from llama_index.core.tools import FunctionTool
    >>> def add(a: int, b: int) -> int:
    ...     '''Add two integers.'''
    ...     return a + b
    >>> spec = tool_specs([FunctionTool.from_defaults(add)])[0]
    >>> spec.name, sorted(spec.parameters["properties"])
    ('add', ['a', 'b'])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import IOBase
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.generic_utils import image_node_to_image_block
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.schema import ImageDocument, ImageNode
from llama_index.core.tools.types import BaseTool

from memories_client import (
    MediaPart,
    MemoriesInputError,
    Message,
    TextPart,
    ToolCall,
    ToolSpec,
    media_from_base64,
    media_from_bytes,
    media_from_path,
    media_from_url,
)
from memories_client.integration import (
    MediaKind,
    check_media_kind,
    check_media_options,
    lenient_tool_arguments,
    tool_calls_from_openai,
    with_tool_media,
)

__all__ = [
    "image_documents_to_blocks",
    "to_core_messages",
    "tool_selections",
    "tool_specs",
    "with_extra_blocks",
]

MediaBlock = ImageBlock | VideoBlock | DocumentBlock

# LlamaIndex has eight roles; the API documents system/user/assistant (plus tool results for Nova).
_ROLES: dict[MessageRole, str] = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.MODEL: "assistant",
    MessageRole.CHATBOT: "assistant",
    MessageRole.TOOL: "tool",
    MessageRole.FUNCTION: "tool",
}

# When neither the block nor the URL's file name tells the type (a signed link, say), the core
# stands in the kind's common MIME type (memories_client._media.DEFAULT_MIME).
_KINDS: dict[str, MediaKind] = {
    "ImageBlock": "image",
    "VideoBlock": "video",
    "DocumentBlock": "document",
}


def _source_fields(block: MediaBlock) -> tuple[Any, Any, Any, str | None]:
    """(inline data, path, url, declared MIME type) of a media block."""
    if isinstance(block, ImageBlock):
        return block.image, block.path, block.url, block.image_mimetype
    if isinstance(block, VideoBlock):
        return block.video, block.path, block.url, block.video_mimetype
    return block.data, block.path, block.url, block.document_mimetype


def media_block_to_part(block: MediaBlock, family: str) -> MediaPart:
    """One image, video or document block as a core media part.

    Raises:
        MemoriesInputError: the block has no source, or its data is unreadable.
        UnsupportedFeatureError: ``family`` does not take this kind of input (documents on
            Nova, video on GPT); a ``MemoriesInputError`` too.

    Example:
        >>> from llama_index.core.llms import VideoBlock
        >>> media_block_to_part(VideoBlock(url="https://example.com/clip.mp4"), "nova").url
        'https://example.com/clip.mp4'
    """
    name = type(block).__name__
    data, path, url, mime = _source_fields(block)
    try:
        check_media_options(vars(block))  # VideoBlock.fps, detail: refused, never dropped
        if url is not None and not str(url).lower().startswith("data:"):
            # A URL wins over bytes: LlamaIndex fills both when it has downloaded a node's URL,
            # and the service fetches URLs itself (the only way Gemini takes video).
            part = media_from_url(str(url), mime, kind=_KINDS[name])
        elif data is not None:
            if isinstance(data, IOBase):
                data.seek(0)
                part = media_from_bytes(data.read(), mime)
            elif isinstance(data, (bytes, bytearray)):
                # After validation LlamaIndex keeps bytes base64-encoded: hand them on as they
                # are. The core keeps base64 bytes as bytes and streams them into the body, so
                # this layer makes no copy of the image at all.
                part = media_from_base64(data, mime)
            else:
                part = media_from_base64(str(data), mime)
        elif path is not None:
            part = media_from_path(Path(path), mime)
        elif url is not None:  # a data: URI
            part = media_from_url(str(url), mime)
        else:
            raise MemoriesInputError("it has no data, path or url")
    except (MemoriesInputError, UnicodeDecodeError, TypeError, OSError) as exc:
        # TypeError/OSError: a field assigned a wrong type after validation (block.path = []),
        # which LlamaIndex allows; say which block rather than leak a bare TypeError.
        raise MemoriesInputError(f"{name} cannot be sent: {exc}") from None
    # The core's refusal (an UnsupportedFeatureError) names the families that take the kind.
    check_media_kind(family, part.kind, f"{name} ({part.mime_type})")
    return part


def _blocks(message: ChatMessage) -> list[Any]:
    """The message's blocks, without the copies LlamaIndex adds of legacy ``images``.

    ``ChatMessage`` turns ``additional_kwargs["images"]`` into image blocks in a validator that
    runs again each time the message is re-validated (the callback decorators' events do that),
    appending the same images once more every time. The repeated trailing groups are dropped.
    """
    blocks = list(message.blocks)
    images = message.additional_kwargs.get("images")
    n = len(images) if isinstance(images, list) else 0
    while n and len(blocks) >= 2 * n and blocks[-n:] == blocks[-2 * n : -n]:
        del blocks[-n:]
    return blocks


def _convert_one(index: int, message: ChatMessage, family: str) -> Message:
    role = _ROLES.get(MessageRole(message.role))
    if role is None:  # pragma: no cover - every MessageRole is mapped
        raise MemoriesInputError(f"messages[{index}]: unsupported role {message.role!r}")
    parts: list[TextPart | MediaPart] = []
    tool_calls: list[ToolCall] = []
    for j, block in enumerate(_blocks(message)):
        where = f"messages[{index}].blocks[{j}]"
        if isinstance(block, TextBlock):
            # LlamaIndex does not validate assignment, so block.text = None is possible.
            if not isinstance(block.text, str):
                raise MemoriesInputError(
                    f"{where}: TextBlock.text must be a str, got {type(block.text).__name__}"
                )
            parts.append(TextPart(block.text))
        elif isinstance(block, (ImageBlock, VideoBlock, DocumentBlock)):
            if role not in ("user", "tool"):
                raise MemoriesInputError(
                    f"{where}: {type(block).__name__} can only be sent in a user message or a "
                    f"tool result (this is a {message.role.value} message)"
                )
            try:
                parts.append(media_block_to_part(block, family))
            except MemoriesInputError as exc:
                # Same type with the location added: an UnsupportedFeatureError stays one.
                raise type(exc)(f"{where}: {exc}") from None
        elif isinstance(block, ThinkingBlock):
            # The API takes no thoughts back and documents no thought signatures: drop them.
            continue
        elif isinstance(block, ToolCallBlock):
            if role != "assistant":
                raise MemoriesInputError(
                    f"{where}: a ToolCallBlock belongs in an assistant message, not "
                    f"{message.role.value}"
                )
            tool_calls.append(
                ToolCall(
                    block.tool_call_id or f"call_{len(tool_calls)}",
                    block.tool_name,
                    lenient_tool_arguments(block.tool_kwargs),
                )
            )
        else:
            raise MemoriesInputError(
                f"{where}: {type(block).__name__} is not supported by memories.ai models "
                "(they take TextBlock, ImageBlock, VideoBlock and, on Gemini, DocumentBlock); "
                "remove it or convert it first"
            )
    if role == "tool":
        return _tool_message(index, message, parts)
    if role == "assistant" and not tool_calls:
        # Older code kept OpenAI-shaped dicts in additional_kwargs["tool_calls"].
        tool_calls = list(
            tool_calls_from_openai(message.additional_kwargs.get("tool_calls"), strict=False)
        )
    return Message(role, tuple(parts), tuple(tool_calls))  # type: ignore[arg-type]


def _tool_message(index: int, message: ChatMessage, parts: list[TextPart | MediaPart]) -> Message:
    kwargs = message.additional_kwargs
    call_id = kwargs.get("tool_call_id") or kwargs.get("tool_use_id")
    if not isinstance(call_id, str) or not call_id:
        raise MemoriesInputError(
            f"messages[{index}]: a {message.role.value} message needs "
            "additional_kwargs['tool_call_id'] naming the tool call it answers"
        )
    name = kwargs.get("name") or kwargs.get("tool_name")
    # Media stays on the tool message here; with_tool_media moves it into a user message.
    text = TextPart("\n".join(p.text for p in parts if isinstance(p, TextPart)))
    media = [p for p in parts if isinstance(p, MediaPart)]
    return Message(
        "tool", (text, *media), tool_call_id=call_id, name=name if isinstance(name, str) else None
    )


def to_core_messages(messages: Sequence[ChatMessage], family: str) -> list[Message]:
    """Convert a LlamaIndex chat history for a model of ``family`` (``gemini`` or ``nova``).

    Raises:
        MemoriesInputError: a block or role the family cannot take, naming the message and block.

    Example:
        >>> from llama_index.core.llms import ChatMessage
        >>> [m.role for m in to_core_messages(
        ...     [ChatMessage(role="system", content="Be brief."), ChatMessage(content="Hi")],
        ...     family="nova")]
        ['system', 'user']
    """
    return with_tool_media([_convert_one(i, m, family) for i, m in enumerate(messages)])


def image_documents_to_blocks(
    items: Iterable[Any],
) -> list[ImageBlock | VideoBlock | DocumentBlock]:
    """The legacy ``image_documents=[...]`` argument as content blocks.

    Accepts ``ImageNode`` / ``ImageDocument`` (converted with LlamaIndex's
    ``image_node_to_image_block``) and ready-made ``ImageBlock`` / ``VideoBlock`` /
    ``DocumentBlock`` objects.

    Example:
        >>> from llama_index.core.schema import ImageDocument, ImageNode
        >>> image_documents_to_blocks([ImageNode(image_url="https://example.com/a.png")])[0].url
        AnyUrl('https://example.com/a.png')
    """
    blocks: list[ImageBlock | VideoBlock | DocumentBlock] = []
    for k, item in enumerate(items):
        if isinstance(item, (ImageBlock, VideoBlock, DocumentBlock)):
            blocks.append(item)
        elif isinstance(item, (ImageNode, ImageDocument)):
            # ImageDocument is no ImageNode in 0.14 but keeps the same image properties.
            blocks.append(image_node_to_image_block(item))  # type: ignore[arg-type]
        else:
            raise MemoriesInputError(
                f"image_documents[{k}] is a {type(item).__name__}; pass ImageNode/ImageDocument "
                "objects or ImageBlock/VideoBlock/DocumentBlock objects"
            )
    return blocks


def with_extra_blocks(
    messages: Sequence[ChatMessage], blocks: Sequence[ImageBlock | VideoBlock | DocumentBlock]
) -> list[ChatMessage]:
    """Put media blocks at the front of the last user message (a copy; inputs stay untouched).

    Media goes before the text, the order Gemini recommends and the one
    ``SimpleMultiModalQueryEngine`` uses.
    """
    out = list(messages)
    if not blocks:
        return out
    for i in range(len(out) - 1, -1, -1):
        if out[i].role == MessageRole.USER:
            target = out[i]
            out[i] = target.model_copy(update={"blocks": [*blocks, *target.blocks]})
            return out
    out.append(ChatMessage(role=MessageRole.USER, blocks=list(blocks)))
    return out


def tool_specs(tools: Sequence[BaseTool | ToolSpec]) -> list[ToolSpec]:
    """Core tool specs for LlamaIndex tools (ready-made ``ToolSpec`` objects pass through)."""
    specs: list[ToolSpec] = []
    for tool in tools:
        if isinstance(tool, ToolSpec):
            specs.append(tool)
            continue
        if not isinstance(tool, BaseTool):
            raise MemoriesInputError(
                f"tools must be LlamaIndex tools (BaseTool), got {type(tool).__name__}"
            )
        meta = tool.metadata
        specs.append(
            ToolSpec(
                name=meta.get_name(),
                description=meta.description or meta.get_name(),
                parameters=meta.get_parameters_dict(),
            )
        )
    return specs


def tool_selections(response: ChatResponse) -> list[ToolSelection]:
    """The tool calls in a response (its ``ToolCallBlock``s) as ``ToolSelection`` objects."""
    selections: list[ToolSelection] = []
    for block in response.message.blocks:
        if isinstance(block, ToolCallBlock):
            kwargs = block.tool_kwargs
            selections.append(
                ToolSelection(
                    tool_id=block.tool_call_id or f"call_{len(selections)}",
                    tool_name=block.tool_name,
                    tool_kwargs=kwargs if isinstance(kwargs, dict) else {"input": kwargs},
                )
            )
    return selections
