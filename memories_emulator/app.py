"""The emulator's Starlette app: the routes and what every response gets.

The app wires its jobs together; each lives in its own module:

* :mod:`~memories_emulator.chat`: the chat-completions endpoint (faults, recording, answer)
* :mod:`~memories_emulator.validation`, :mod:`~memories_emulator.messages` and
  :mod:`~memories_emulator.provider_options`: request validation
* :mod:`~memories_emulator.answers`: deterministic answers (scenes in
  :mod:`~memories_emulator.scenes`, prompt-named tool arguments in
  :mod:`~memories_emulator.arguments`); :mod:`~memories_emulator.script` and
  :mod:`~memories_emulator.scripted`: the answers a test scripts;
  :mod:`~memories_emulator.responses` and :mod:`~memories_emulator.streaming`: their
  bodies and event streams
* :mod:`~memories_emulator.faults` and :mod:`~memories_emulator.connection`: fault
  specs, dropped connections and delays
* :mod:`~memories_emulator.state`: settings and recorded requests
* :mod:`~memories_emulator.uploads`: the asset-upload endpoints and their storage

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

import uuid
from typing import Literal

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from memories_emulator.chat import ChatEndpoint
from memories_emulator.connection import CLOSE_KEY, connection_closer
from memories_emulator.responses import envelope
from memories_emulator.state import DEFAULT_MAX_RECORDED, EmulatorState, RecordedRequest
from memories_emulator.uploads import UploadStore

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


def _inspection_routes(state: EmulatorState, store: UploadStore) -> list[Route]:
    async def requests(request: Request) -> Response:
        return JSONResponse([recorded.to_dict() for recorded in state.requests])

    async def reset(request: Request) -> Response:
        state.reset()
        store.clear()
        return JSONResponse({"reset": True})

    async def script(request: Request) -> Response:
        try:
            state.script.load(await request.json())
        except (ValueError, TypeError) as exc:  # ScriptError, FaultSpecError, bad JSON
            return envelope(400, f"invalid script: {exc}")
        return JSONResponse({"pending": state.script.pending})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return [
        Route("/_emulator/requests", requests, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/script", script, methods=["POST"]),
        Route("/_emulator/health", health, methods=["GET"]),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return envelope(exc.status_code, exc.detail, exc.headers)
    return envelope(500, "emulator internal error")


async def _server_error(request: Request, exc: Exception) -> Response:
    return envelope(500, f"emulator internal error: {type(exc).__name__}: {exc}")


class EmulatorApp(Starlette):
    """The emulator's ASGI app: a Starlette app that stamps every response with a request id.

    Use :func:`create_app` to build one.

    Attributes:
        emulator_state: Settings, recorded requests and counters.
        upload_store: The uploaded assets (see :mod:`~memories_emulator.uploads`).

    Example:
        >>> app = create_app(api_key="secret")
        >>> app.emulator_state.api_key
        'secret'
    """

    def __init__(self, state: EmulatorState) -> None:
        routes: list[Route] = []
        for prefix in ("", API_PREFIX):
            for path, kind in CHAT_PATHS.items():
                routes.append(Route(prefix + path, ChatEndpoint(state, kind), methods=["POST"]))
        self.upload_store = UploadStore()
        routes += _inspection_routes(state, self.upload_store)
        routes += self.upload_store.routes(state, ("", API_PREFIX))
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
        scope[CLOSE_KEY] = connection_closer(send)

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

    Most users want :class:`~memories_emulator.Emulator`, which also runs the server.

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
