"""The chat-completions endpoint: fault injection, recording, validation, then the answer.

Each request is decided in that order: an injected fault stands for the service failing, so it
fires before authentication and validation; the request is recorded on arrival; a valid one is
answered by the script's next reply for it (:mod:`~memories_emulator.script`), else from
:func:`~memories_emulator.answers.build_answer`, whole or streamed.

Example:
    >>> from starlette.testclient import TestClient  # doctest: +SKIP
    >>> from memories_emulator.state import EmulatorState  # doctest: +SKIP
    >>> client = TestClient(ChatEndpoint(EmulatorState(), "vu"))  # doctest: +SKIP
    >>> client.post("/", headers={"Authorization": "k"}, json={}).status_code  # doctest: +SKIP
    400
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import replace
from typing import Any, Literal, cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from memories_emulator.answers import Answer, Usage, build_answer
from memories_emulator.checks import ApiError, bad
from memories_emulator.connection import ASGIOutcome, close_connection, delay_answer, drop
from memories_emulator.faults import FaultSpec, FaultSpecError, parse_fault, status_message
from memories_emulator.responses import (
    CompletionIdentity,
    completion_body,
    envelope,
    family_of,
)
from memories_emulator.script import Asked, Reply
from memories_emulator.scripted import scripted_answer
from memories_emulator.state import EmulatorState, RecordedRequest
from memories_emulator.streaming import EventStream, stream_events
from memories_emulator.validation import (
    authenticate,
    check_content_type,
    validate_request,
)

__all__ = ["ChatEndpoint"]


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


def _fault_outcome(fault: FaultSpec, data: Any) -> tuple[ASGIOutcome, int | None] | None:
    """The response that replaces the answer, or ``None`` for faults that only delay or stream."""
    if fault.kind == "status":
        status = cast(int, fault.status)
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = _format_retry_after(fault.retry_after)
        return envelope(status, status_message(status), headers), status
    if fault.kind == "drop":
        return drop, None
    if fault.kind == "malformed":
        return Response(b'{"id": "resp_x", "choices": [', media_type="application/json"), 200
    family = family_of(data)
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
        identity = CompletionIdentity(family, model or f"{family}:unknown")
        return JSONResponse(completion_body(identity, Answer((), Usage(0, 0)))), 200
    return None


class ChatEndpoint:
    """One chat-completions route (a raw ASGI app, so faults can drop the connection)."""

    def __init__(self, state: EmulatorState, kind: Literal["vu", "iu"]) -> None:
        self.state = state
        self.kind = kind

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Decide, record, wait out any delay, then send the outcome."""
        request = Request(scope, receive)
        body = await request.body()
        data = _parse_json(body)
        outcome, status, fault, delay = self._decide(request, body, data)
        # Recorded on arrival, so a test sees a slow request even if its client gave up.
        self.state.record(
            RecordedRequest(request.url.path, _redacted_headers(request), data, fault, status)
        )
        if delay > 0 and not await delay_answer(delay, receive, self.state):
            if self.state.stopping and not await close_connection(scope):
                await envelope(503, "the emulator is shutting down")(scope, receive, send)
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
                raise bad(f"invalid X-Emulator-Fault header: {spec_error}")
            # Injected failures stand for the service failing, so they come before auth and
            # validation and fire for any request.
            replaced = _fault_outcome(fault, data) if fault is not None else None
            if replaced is not None:
                return replaced[0], replaced[1], cast(FaultSpec, fault).text, delay
            authenticate(request, state.api_key)
            check_content_type(request)
            if data is None:
                raise bad("request body is not valid JSON")
            validated = validate_request(data, self.kind, body)
            asked = replace(
                validated.answer, video_seconds=state.video_seconds(validated.answer.media_urls)
            )
            reply = state.script.take(Asked(asked.model, asked.question, asked.media_urls))
            if reply is not None:
                if reply.status is not None:
                    headers = {}
                    if reply.retry_after is not None:
                        headers["Retry-After"] = _format_retry_after(reply.retry_after)
                    message = reply.message or status_message(reply.status)
                    return envelope(reply.status, message, headers), reply.status, None, delay
                fault = reply.fault or fault
                if reply.fault is not None:
                    applied = reply.fault.text
                    if reply.fault.kind == "slow":
                        delay += reply.fault.seconds
                    replaced = _fault_outcome(reply.fault, data)
                    if replaced is not None:
                        return replaced[0], replaced[1], applied, delay
            scripted = reply is not None and reply.has_content
            answer = scripted_answer(asked, cast(Reply, reply)) if scripted else build_answer(asked)
        except ApiError as exc:
            return envelope(exc.status, exc.message), exc.status, applied, delay
        identity = CompletionIdentity(validated.family, validated.answer.model)
        if not validated.stream:
            return JSONResponse(completion_body(identity, answer)), 200, applied, delay
        mode: Literal["stream_cut", "stream_error"] | None = None
        if fault is not None and fault.is_stream_fault:
            mode = cast(Literal["stream_cut", "stream_error"], fault.kind)
            applied = fault.text
        content, final = stream_events(identity, answer)
        return EventStream(content, final, mode), 200, applied, delay
