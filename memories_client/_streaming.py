"""Parse streamed answers, whose wire format the API does not document.

Every docs page lists ``stream: true`` but none shows what comes back, and no public code streams
from these endpoints. So this parser is deliberately tolerant. It accepts:

* Server-sent events (``data: <json>`` lines, blank-line separated, optional ``event:`` names,
  ``:`` comments), and also bare JSON lines (NDJSON);
* chunk payloads in any of these shapes (mixed freely):
  OpenAI chat (``choices[].delta.content``, ``delta.tool_calls`` fragments),
  completion style (``choices[].text``, read as a delta),
  whole messages (``choices[].message.content``),
  the house style of memories.ai's other streaming endpoints (``{"token": "..."}``);
* ``data: [DONE]`` as the end marker; a chunk with a ``finish_reason`` or
  ``status: "completed"`` also counts as a proper end;
* usage in any chunk (the last one seen wins, because providers that repeat usage send
  running totals, and adding them up double-counts);
* errors as ``{"error": ...}`` or ``status: "errored"`` payloads, or an ``event: error``.

A stream that ends without any end marker raises :class:`StreamInterruptedError` rather than
passing a truncated answer off as complete. A plain JSON body (a server that ignores
``stream: true``) is handled by the client, which yields it as one chunk.

Example:
    >>> from memories_client._streaming import SSEDecoder, StreamAssembler
    >>> dec, asm = SSEDecoder(), StreamAssembler()
    >>> lines = ['data: {"choices":[{"delta":{"content":"Hel"}}]}', '',
    ...          'data: {"choices":[{"delta":{"content":"lo"},"finish_reason":"stop"}],'
    ...          ' "usage":{"prompt_tokens":3,"completion_tokens":2}}', '', 'data: [DONE]', '']
    >>> chunks = [c for line in lines for ev in dec.feed_line(line) for c in asm.add_event(ev)]
    >>> "".join(c.text for c in chunks), asm.finish().usage.total_tokens
    ('Hello', 5)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from memories_client import _json
from memories_client._limits import MAX_STREAM_LINE, PartialText
from memories_client._parsing import error_fields, is_errored, parse_usage
from memories_client._tool_calls import parse_tool_arguments
from memories_client.errors import (
    MalformedResponseError,
    MemoriesAPIError,
    ModelError,
    ServerError,
    StreamInterruptedError,
    error_for_status,
)
from memories_client.types import Completion, StreamChunk, ToolCall, Usage

__all__ = ["SSEDecoder", "SSEEvent", "StreamAssembler", "completion_to_chunks"]


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One server-sent event: its name (``message`` by default) and its data text."""

    data: str
    event: str = "message"


class SSEDecoder:
    """Turns text lines into :class:`SSEEvent` objects (per the SSE spec, tolerant of NDJSON)."""

    __slots__ = ("_data", "_event", "_size", "_started")

    def __init__(self) -> None:
        self._data: list[str] = []
        self._event = "message"
        self._size = 0
        self._started = False

    def feed_line(self, line: str) -> list[SSEEvent]:
        """Feed one line (without its newline); return the events it completes."""
        if not self._started:
            # The SSE spec ignores a byte order mark at the start of the stream; left in, it
            # would turn the first "data:" field into an unknown one and lose the first event.
            self._started = True
            line = line.removeprefix("\ufeff")
        line = line.rstrip("\r")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return []
        if line[0] in "{[" and not self._data:
            # NDJSON: a bare JSON line is a complete event of its own.
            return [SSEEvent(line)]
        name, sep, value = line.partition(":")
        if not sep:
            name, value = line, ""
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._size += len(value)
            if self._size > MAX_STREAM_LINE:
                raise MalformedResponseError(
                    f"a streamed event is longer than {MAX_STREAM_LINE:,} characters; the stream "
                    "was abandoned"
                )
        elif name == "event":
            self._event = value or "message"
        return []

    def flush(self) -> list[SSEEvent]:
        """Return any event left undispatched when the stream ended."""
        return self._dispatch()

    def _dispatch(self) -> list[SSEEvent]:
        if not self._data:
            self._event = "message"
            return []
        event = SSEEvent("\n".join(self._data), self._event)
        self._data = []
        self._size = 0
        self._event = "message"
        return [event]


@dataclass
class _ToolFragment:
    id: str = ""
    name: str = ""
    arguments: str = ""
    parsed: dict[str, Any] | None = None


@dataclass
class StreamAssembler:
    """Turns decoded events into :class:`StreamChunk` deltas and one final chunk.

    Call :meth:`add_event` for each event, then :meth:`finish` once the body has ended.
    """

    request_id: str | None = None
    ended: bool = False
    partial: PartialText = field(default_factory=PartialText)
    _usage: Usage | None = None
    _finish: dict[int, str] = field(default_factory=dict)
    _tools: dict[tuple[int, int], _ToolFragment] = field(default_factory=dict)
    _id: str | None = None
    _model: str | None = None
    _completed_status: bool = False

    def add_event(self, event: SSEEvent) -> Iterator[StreamChunk]:
        """Yield the chunks carried by one event (usually zero or one)."""
        data = event.data.strip()
        if data == "[DONE]":
            self.ended = True
            return
        if not data:
            return
        try:
            payload = _json.loads(data)
        except ValueError as exc:
            raise MalformedResponseError(
                f"a streamed event is not JSON: {data[:200]!r}",
                request_id=self.request_id,
            ) from exc
        if event.event == "error":
            self._raise_error(payload if isinstance(payload, Mapping) else {"error": payload})
        if not isinstance(payload, Mapping):
            raise MalformedResponseError(
                f"a streamed event is not a JSON object: {data[:200]!r}",
                request_id=self.request_id,
            )
        yield from self.add_payload(payload)

    def add_payload(self, payload: Mapping[str, Any]) -> Iterator[StreamChunk]:
        """Yield the chunks carried by one decoded JSON payload."""
        status = payload.get("status")
        # An error object mid-stream ends the answer even beside choices: the text so far is
        # not the whole answer.
        if payload.get("error") or is_errored(payload):
            self._raise_error(payload)
        if isinstance(payload.get("id"), str):
            self._id = payload["id"]
        if isinstance(payload.get("model"), str):
            self._model = payload["model"]
        if status == "completed":
            self._completed_status = True
        usage = parse_usage(payload.get("usage"))
        if usage is not None:
            self._usage = usage
        token = payload.get("token")
        if isinstance(token, str) and token:
            self.partial.append(token)
            yield StreamChunk(text=token, id=self._id, model=self._model, raw=payload)
        choices = payload.get("choices")
        if isinstance(choices, list):
            for position, choice in enumerate(choices):
                if isinstance(choice, Mapping):
                    chunk = self._choice(choice, position, payload)
                    if chunk is not None:
                        yield chunk

    def _choice(
        self, choice: Mapping[str, Any], position: int, payload: Mapping[str, Any]
    ) -> StreamChunk | None:
        index = choice.get("index")
        index = index if isinstance(index, int) and not isinstance(index, bool) else position
        finish = choice.get("finish_reason")
        if isinstance(finish, str) and finish:
            self._finish[index] = finish
        text = ""
        reasoning = ""
        delta = choice.get("delta")
        message = choice.get("message")
        if isinstance(delta, Mapping):
            text = _str(delta.get("content")) or _str(delta.get("text"))
            reasoning = _str(delta.get("reasoning_content")) or _str(delta.get("reasoning"))
            self._tool_fragments(index, delta.get("tool_calls"))
        elif isinstance(choice.get("text"), str):
            text = choice["text"]
        elif isinstance(message, Mapping):
            content = message.get("content")
            text = content if isinstance(content, str) else ""
            self._tool_fragments(index, message.get("tool_calls"))
        if not text and not reasoning:
            return None
        if index == 0:
            self.partial.append(text)
        return StreamChunk(
            text=text,
            index=index,
            reasoning=reasoning,
            id=self._id,
            model=self._model,
            raw=payload,
        )

    def _tool_fragments(self, index: int, calls: Any) -> None:
        if not isinstance(calls, list):
            return
        for position, call in enumerate(calls):
            if not isinstance(call, Mapping):
                continue
            k = call.get("index")
            k = k if isinstance(k, int) and not isinstance(k, bool) else position
            frag = self._tools.setdefault((index, k), _ToolFragment())
            if isinstance(call.get("id"), str):
                frag.id = call["id"]
            fn = call.get("function")
            if isinstance(fn, Mapping):
                if isinstance(fn.get("name"), str):
                    frag.name += fn["name"] if not frag.name else ""
                args = fn.get("arguments")
                if isinstance(args, str):
                    frag.arguments += args
                elif isinstance(args, Mapping):
                    frag.parsed = dict(args)

    def _raise_error(self, payload: Mapping[str, Any]) -> None:
        code, found = error_fields(payload)
        message = found or "the stream reported an error"
        cls: type[MemoriesAPIError] = ModelError
        if isinstance(code, int) and not isinstance(code, bool) and code >= 400:
            cls = error_for_status(code)
        if cls is ServerError or cls is ModelError:
            text = f"the stream failed mid-answer: {message}"
        else:
            text = f"the stream reported an error: {message}"
        raise cls(
            text,
            status=200,
            code=code,
            server_message=message,
            request_id=self.request_id or self._id,
            body=dict(payload),
        )

    @property
    def complete(self) -> bool:
        """True when the service marked the answer as finished."""
        return self.ended or bool(self._finish) or self._completed_status

    def finish(self) -> StreamChunk:
        """The final chunk (usage, finish reason, tool calls), or raise if the stream was cut.

        Raises:
            StreamInterruptedError: the body ended with no ``[DONE]``, no finish reason and no
                completed status.
        """
        if not self.complete:
            partial = self.partial.tail()
            raise StreamInterruptedError(
                "the stream ended before the service marked the answer complete (no [DONE], "
                f"no finish_reason); {self.partial.chars} characters had arrived. The answer is "
                "incomplete; retry the request",
                partial_text=partial,
            )
        calls = tuple(
            ToolCall(
                id=frag.id or f"call_{k}",
                name=frag.name,
                arguments=frag.parsed
                if frag.parsed is not None
                else parse_tool_arguments(frag.arguments, name=frag.name),
            )
            for (index, k), frag in sorted(self._tools.items())
            if index == 0 and frag.name
        )
        finish = self._finish.get(0)
        if finish is None and not calls and not self.partial:
            # The rule for a whole answer (parsing.parse_completion), so that streaming
            # or not never decides whether an empty answer is a success.
            raise ModelError(
                "the service returned an empty answer with no finish reason (the media may be "
                "inaccessible, too long or blocked)",
                status=200,
                request_id=self.request_id or self._id,
            )
        if finish is None and calls:
            finish = "tool_calls"
        return StreamChunk(
            finish_reason=finish or "stop",
            usage=self._usage,
            id=self._id,
            model=self._model,
            tool_calls=calls,
            done=True,
        )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def completion_to_chunks(completion: Completion) -> list[StreamChunk]:
    """A whole (non-streamed) answer as stream chunks: one per choice, then the final one.

    Used when a server answers ``stream: true`` with a plain JSON body.
    """
    chunks = [
        StreamChunk(
            text=c.text,
            index=c.index,
            reasoning=c.reasoning or "",
            id=completion.id,
            model=completion.model,
            raw=completion.raw,
        )
        for c in completion.choices
        if c.text or c.reasoning
    ]
    chunks.append(
        StreamChunk(
            finish_reason=completion.finish_reason or "stop",
            usage=completion.usage,
            id=completion.id,
            model=completion.model,
            tool_calls=completion.tool_calls,
            done=True,
        )
    )
    return chunks
