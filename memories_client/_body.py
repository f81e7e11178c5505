"""Request bodies that carry large inline media without copying it.

A 20 MB image is 27 MB of base64 text. Serialising a body that holds it with ``json.dumps`` and
then ``.encode()`` would make two more 27 MB copies. Instead, large inline data is swapped for a
short placeholder, the (small) rest of the body is serialised, and the media text is streamed
into the placeholder's place in 1 MB slices as the request is written. The stream can be iterated
again, so retries resend it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import replace
from typing import Any

import httpx

from memories_client.types import ChatRequest, MediaPart, Message

__all__ = ["SPLICE_MIN_CHARS", "SplicedBody", "encode_body", "with_placeholders"]

SPLICE_MIN_CHARS = 256 * 1024
"""Inline data at least this long is streamed instead of copied into the body."""
_SLICE = 1 << 20


class SplicedBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """JSON bytes with base64 text streamed into placeholders; re-iterable for retries."""

    def __init__(self, pieces: list[bytes | str]) -> None:
        # bytes pieces (JSON text, or base64 the caller held as bytes) are written as they are;
        # str pieces (base64 text) are encoded slice by slice.
        self.pieces = pieces
        self.length = sum(len(p) for p in pieces)  # base64 text is ASCII: 1 char = 1 byte

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            if isinstance(piece, bytes):
                yield piece
            else:
                for start in range(0, len(piece), _SLICE):
                    yield piece[start : start + _SLICE].encode("ascii")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def _is_large(part: object) -> bool:
    return isinstance(part, MediaPart) and len(part.data or "") >= SPLICE_MIN_CHARS


def with_placeholders(request: ChatRequest) -> tuple[ChatRequest, dict[str, str | bytes]]:
    """Swap large inline data for placeholders; return the new request and token -> data."""
    found: dict[str, str | bytes] = {}
    if not any(_is_large(part) for message in request.messages for part in message.parts):
        return request, found  # the common case: nothing to set aside
    nonce = secrets.token_hex(8)
    messages: list[Message] = []
    for message in request.messages:
        if not any(_is_large(part) for part in message.parts):
            messages.append(message)
            continue
        parts = []
        for part in message.parts:
            if isinstance(part, MediaPart) and part.data is not None and _is_large(part):
                # Letters and digits only: valid inside a JSON string and a data: URI.
                token = f"MEMORIESINLINE{len(found)}X{nonce}"
                found[token] = part.data
                part = replace(part, data=token)
            parts.append(part)
        messages.append(replace(message, parts=tuple(parts)))
    return request.replace(messages=messages), found


# One encoder for every body: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_body(body: Mapping[str, Any], inline: Mapping[str, str | bytes]) -> bytes | SplicedBody:
    """The body as bytes, or as a :class:`SplicedBody` when large inline data was set aside."""
    text = _ENCODER.encode(body)
    if not inline:
        return text.encode("utf-8")
    pieces: list[bytes | str] = []
    rest = text
    for token, data in inline.items():
        before, sep, rest = rest.partition(token)
        if not sep:  # a dialect that did not write the part; nothing to splice
            continue
        pieces.extend((before.encode("utf-8"), data))
    pieces.append(rest.encode("utf-8"))
    return SplicedBody(pieces)
