"""Streamed answers: the Server-Sent Events of a completion, optionally cut short or broken.

Example:
    >>> from memories_emulator.answers import Answer, Choice, Usage
    >>> identity = CompletionIdentity("gemini", "gemini:gemini-2.5-flash")
    >>> answer = Answer((Choice(0, "a b c d", "stop"),), Usage(1, 4))
    >>> content, final = stream_events(identity, answer)
    >>> [event["choices"][0]["text"] for event in content], final["choices"][0]["finish_reason"]
    (['a b c ', 'd'], 'stop')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from starlette.types import Receive, Scope, Send

from memories_emulator.answers import Answer, stream_pieces
from memories_emulator.connection import close_connection
from memories_emulator.responses import CompletionIdentity, tool_call_json, usage_json

__all__ = ["EventStream", "stream_events"]


def stream_events(
    identity: CompletionIdentity, answer: Answer
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The content events (choices interleaved by index) and the final event.

    Example:
        >>> from memories_emulator.answers import Choice, Usage
        >>> identity = CompletionIdentity("nova", "nova:amazon.nova-lite-v1:0")
        >>> _, final = stream_events(identity, Answer((Choice(0, "hi", "stop"),), Usage(1, 1)))
        >>> final["usage"]["total_tokens"]
        2
    """
    per_choice: list[list[dict[str, Any]]] = []
    for c in answer.choices:
        deltas: list[dict[str, Any]] = []
        if identity.shape == "gemini":
            deltas = [{"index": c.index, "text": piece} for piece in stream_pieces(c.text)]
        elif c.tool_calls:
            delta = {"role": "assistant", "tool_calls": tool_call_json(c, indexed=True)}
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
    usage = usage_json(identity.family, answer.usage)
    if identity.family == "gpt":
        # OpenAI ends with the finish reasons, then one chunk with no choices and the usage.
        content.append(final)
        final = {**identity.head(chunk=True), "choices": [], "usage": usage}
    else:
        final["usage"] = usage
    return content, final


class EventStream:
    """A Server-Sent Events answer, optionally cut short or broken by an error event.

    Args:
        content: The content events (from :func:`stream_events`).
        final: The event with finish reasons and usage, sent before ``[DONE]``.
        mode: ``"stream_cut"`` ends the connection after half the content; ``"stream_error"``
            sends an error event after the first; ``None`` streams everything.

    Example:
        >>> EventStream([], {}, "stream_cut").mode
        'stream_cut'
    """

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
        """Send the events as one ``text/event-stream`` response."""
        headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})

        async def event(data: Any) -> None:
            text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
            chunk = f"data: {text}\n\n".encode()
            await send({"type": "http.response.body", "body": chunk, "more_body": True})

        if self.mode == "stream_cut":
            for item in self.content[: max(1, len(self.content) // 2)]:
                await event(item)
            if await close_connection(scope):
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
