"""Error strings stay short whatever the server sends (``memories_client.errors``).

A hostile or broken server on loopback answers with a 60 KB message, a 60 KB request id and a
60 KB error code: in an HTTP error page, in an HTTP 200 body that reports a failure, and in a
streamed error event. ``str(error)`` (what a log line, a tracer or an error tracker records)
used to hold all of it, about 120 KB; now it is at most ``MAX_ERROR_CHARS`` on every surface and
mode, the server's message is cut at 2,000 characters as documented, and the start of what the
server said is still there to read.
"""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from loopback import LoopbackServer
from reliability_support import ALL_SURFACES, MODES, Surface, call

from memories_client import MemoriesAPIError, MemoriesError
from memories_client.errors import (
    MAX_ERROR_CHARS,
    MAX_ID_CHARS,
    MAX_SERVER_MESSAGE_CHARS,
)

BIG = 60_000
# Error pages are read up to 64 KiB (ERROR_BODY_LIMIT): the page's fields share that.
PAGE_FIELD = 20_000
MESSAGE_START = "the server says: "


def _fields(size: int) -> dict[str, Any]:
    return {
        "id": "r" * size,
        "error": {"code": "c" * size, "message": MESSAGE_START + "m" * size},
    }


CASES: dict[str, tuple[int, dict[str, str], dict[str, Any]]] = {
    # HTTP status, extra headers, JSON body
    "400 page": (400, {"x-request-id": "h" * 8_000}, _fields(PAGE_FIELD)),
    "503 page, message as a string": (
        503,
        {},
        {"error": MESSAGE_START + "m" * (2 * PAGE_FIELD), "id": "r" * PAGE_FIELD},
    ),
    "200 errored body": (200, {}, {"status": "errored", **_fields(BIG)}),
}


class HugeErrors(LoopbackServer):
    """Answers every request with one of :data:`CASES`; streams get it as an error event."""

    def __init__(self, case: str) -> None:
        self.case = case
        super().__init__()

    def respond(self, conn: socket.socket, body: bytes) -> bool:
        status, headers, payload = CASES[self.case]
        data = json.dumps(payload).encode()
        ctype = "application/json"
        if status == 200 and json.loads(body).get("stream"):
            data = b"event: error\ndata: " + data + b"\n\n"
            ctype = "text/event-stream"
            # An error event's id is not read (the id comes with the first answer chunk).
            headers = {"x-request-id": "h" * 8_000}
        head = f"HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-length: {len(data)}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        conn.sendall(head.encode() + b"\r\n" + data)
        return True


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("surface", ALL_SURFACES, ids=str)
def test_str_of_an_error_is_bounded_whatever_the_server_sends(
    surface: Surface, mode: str, case: str
) -> None:
    with HugeErrors(case) as server:
        target = surface.build(server.base_url, {}, max_retries=0)
        with pytest.raises(MemoriesError) as info:
            call(surface, target, mode)
    error = info.value
    assert isinstance(error, MemoriesAPIError), repr(error)[:300]
    text = str(error)
    assert len(text) <= MAX_ERROR_CHARS
    assert len(repr(error)) <= MAX_ERROR_CHARS + 100
    assert MESSAGE_START + "mmm" in text  # what the server said is still there to read
    assert error.server_message is not None
    assert len(error.server_message) == MAX_SERVER_MESSAGE_CHARS
    assert error.request_id is not None and len(error.request_id) <= MAX_ID_CHARS
    assert len(str(error.code)) <= MAX_ID_CHARS


def test_the_documented_figures() -> None:
    # tests/RELIABILITY.md, docs/LANGCHAIN.md and docs/ERRORS.md state these numbers.
    assert (MAX_ERROR_CHARS, MAX_SERVER_MESSAGE_CHARS, MAX_ID_CHARS) == (4_460, 2_000, 200)


def test_the_bound_holds_for_errors_built_by_hand_and_grown_later() -> None:
    error = MemoriesAPIError(
        "m" * BIG + " our advice at the end",
        status=500,
        code={"nested": ["c" * BIG]},  # type: ignore[arg-type]  # what a hostile body holds
        server_message="s" * BIG,
        request_id="r" * BIG,
    )
    error.message += " (not retried: a note added after the error was built)"
    text = str(error)
    assert len(text) <= MAX_ERROR_CHARS
    assert text.startswith("mmm") and "not retried: a note added" in text
    assert "characters cut" in text
    assert len(error.server_message or "") == MAX_SERVER_MESSAGE_CHARS
