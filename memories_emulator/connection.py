"""The connection under a response: closing it without an answer, and waiting on it.

Faults such as ``drop`` and ``stream_cut`` end a connection without a complete HTTP response;
``slow`` and ``latency`` wait, but stop waiting when the client leaves or the emulator stops.

Example:
    >>> import asyncio
    >>> asyncio.run(close_connection({}))  # not under the emulator's uvicorn wiring
    False
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.types import Receive, Scope, Send

from memories_emulator.state import EmulatorState

__all__ = [
    "CLOSE_KEY",
    "ASGIOutcome",
    "close_connection",
    "connection_closer",
    "delay_answer",
    "drop",
]

CLOSE_KEY = "memories_emulator.close_connection"
"""Scope key under which the app leaves a function that closes the client connection."""

ASGIOutcome = Callable[[Scope, Receive, Send], Awaitable[None]]
"""A raw ASGI response: a Starlette ``Response``, or a coroutine that may drop the connection."""


async def close_connection(scope: Scope) -> bool:
    """Close the client connection at once, if the app runs under uvicorn.

    Returns:
        False if it could not (then the caller leaves its response incomplete instead).

    Example:
        >>> import asyncio
        >>> closed = []
        >>> async def closer() -> None:
        ...     closed.append(True)
        >>> asyncio.run(close_connection({CLOSE_KEY: closer})), closed
        (True, [True])
    """
    closer = scope.get(CLOSE_KEY)
    if closer is None:
        return False
    await closer()
    return True


async def drop(scope: Scope, receive: Receive, send: Send) -> None:
    """Close the connection without a response (the client sees a protocol error).

    Example:
        >>> import asyncio
        >>> sent = []
        >>> async def send(message: dict) -> None:
        ...     sent.append(message["type"])
        >>> asyncio.run(drop({}, None, send))  # type: ignore[arg-type]
        >>> sent  # outside uvicorn: a promised body that never comes
        ['http.response.start', 'http.response.body']
    """
    if await close_connection(scope):
        return
    # Not under our uvicorn wiring: promise a body that never comes; the server then closes
    # the connection because the response is incomplete.
    headers = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"{", "more_body": True})


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def delay_answer(seconds: float, receive: Receive, state: EmulatorState) -> bool:
    """Wait ``seconds`` unless the client leaves or the emulator stops first.

    Returns:
        True if the answer should still be sent.

    Example:
        >>> import asyncio
        >>> async def receive() -> dict:
        ...     await asyncio.sleep(1)
        ...     return {"type": "http.disconnect"}
        >>> asyncio.run(delay_answer(0.01, receive, EmulatorState()))
        True
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


def connection_closer(send: Send) -> Callable[[], Awaitable[None]] | None:
    """A function that closes the client connection, when running under uvicorn.

    uvicorn hands the app the bound ``send`` method of its request cycle, which holds the
    transport. Closing it and waiting for the cycle to notice its disconnection is the one way
    to end a connection without any HTTP response and without uvicorn logging an error.

    Example:
        >>> async def send(message: dict) -> None: ...
        >>> connection_closer(send) is None  # a plain function holds no transport
        True
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
