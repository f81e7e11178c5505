"""What the emulator remembers: its settings, the requests it received and connection counts.

Example:
    >>> state = EmulatorState(api_key="secret", max_recorded=10)
    >>> state.record(RecordedRequest("/vu/chat/completions", {}, None, None, 401))
    >>> [recorded.status for recorded in state.requests]
    [401]
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from memories_emulator.faults import FaultSpec, FaultTracker, parse_fault
from memories_emulator.scenes import known_duration
from memories_emulator.script import Script

__all__ = ["DEFAULT_MAX_RECORDED", "EmulatorState", "RecordedRequest"]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the emulator received, as recorded after the fault decision.

    Attributes:
        path: The request path, e.g. ``/vu/chat/completions``.
        headers: Request headers with lowercase names; ``authorization`` reads ``<redacted>``.
        body: The parsed JSON body, or ``None`` if it was not JSON.
        fault: The fault spec that changed this response, or ``None``.
        status: The HTTP status of the answer, or ``None`` when the connection was dropped.
            Requests are recorded before any ``latency`` / ``slow`` delay.

    Example:
        >>> RecordedRequest("/vu/chat/completions", {}, None, None, 401).status
        401
    """

    path: str
    headers: dict[str, str]
    body: Any
    fault: str | None
    status: int | None

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (what ``GET /_emulator/requests`` returns).

        Example:
            >>> RecordedRequest("/x", {}, None, None, 200).to_dict()["path"]
            '/x'
        """
        return asdict(self)


DEFAULT_MAX_RECORDED = 1000
"""How many requests an emulator keeps for inspection by default (the newest ones)."""


class EmulatorState:
    """Settings and mutable state shared by the app and the :class:`Emulator` that runs it.

    Thread-safe: requests are recorded on the server thread and read from test threads.

    Args:
        api_key: If set, only this key is accepted (others get 401).
        fault: A fault spec applied to every chat request, or ``None``.
        latency: Seconds to wait before answering every chat request.
        max_recorded: How many requests :attr:`requests` keeps (the newest; older ones are
            dropped), so a long run with large bodies does not grow without bound.

    Example:
        >>> state = EmulatorState(fault="503;times=1")
        >>> state.fault.status if state.fault else None
        503
    """

    def __init__(
        self,
        api_key: str | None = None,
        fault: str | None = None,
        latency: float = 0.0,
        max_recorded: int = DEFAULT_MAX_RECORDED,
    ) -> None:
        if isinstance(max_recorded, bool) or not isinstance(max_recorded, int) or max_recorded < 1:
            raise ValueError(f"max_recorded must be an integer >= 1, got {max_recorded!r}")
        self.api_key = api_key
        self.fault: FaultSpec | None = parse_fault(fault) if fault else None
        if latency < 0:
            raise ValueError(f"latency must be >= 0, got {latency}")
        self.latency = latency
        self._initial = (self.fault, latency)
        self.faults = FaultTracker()
        self.script = Script()
        """Scripted replies and declared video lengths (:mod:`~memories_emulator.script`)."""
        self.stopping = False
        """Set while the server shuts down: pending delays end and their connections close."""
        self._lock = threading.Lock()
        self._requests: deque[RecordedRequest] = deque(maxlen=max_recorded)
        self._connections = 0

    def record(self, request: RecordedRequest) -> None:
        """Append one received request."""
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the received requests, oldest first."""
        with self._lock:
            return list(self._requests)

    def note_connection(self) -> None:
        """Count one new TCP connection (called by the server's protocol)."""
        with self._lock:
            self._connections += 1

    @property
    def connections_opened(self) -> int:
        """TCP connections opened since start or the last :meth:`reset`."""
        with self._lock:
            return self._connections

    def video_seconds(self, urls: tuple[str, ...]) -> float | None:
        """The length of the first of ``urls`` whose length is declared or known, else ``None``.

        Example:
            >>> state = EmulatorState()
            >>> state.script.set_video_duration("https://x.test/a.mp4", 600)
            >>> state.video_seconds(("https://x.test/b.png", "https://x.test/a.mp4"))
            600.0
        """
        for url in urls:
            seconds = self.script.video_duration(url) or known_duration(url)
            if seconds is not None:
                return seconds
        return None

    def reset(self) -> None:
        """Back to how it was made: no requests, fault counts, connections or scripted replies.

        The ``fault`` and ``latency`` settings return to the values given to the constructor.
        """
        with self._lock:
            self._requests.clear()
            self._connections = 0
        self.fault, self.latency = self._initial
        self.faults.reset()
        self.script.clear()
