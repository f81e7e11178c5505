"""Fault injection: parse fault specs and decide when a fault fires.

A fault spec is ``<kind>[:<argument>][;times=<N>]``. Kinds:

* an HTTP status from 400 to 599 (``429``, ``500``, ``502``, ``503``, ``401``, ``402``,
  ``400`` ...): an error response in the memories.ai envelope. ``429`` carries
  ``Retry-After: 1`` unless ``:retry_after=<seconds>`` says otherwise; other statuses carry the
  header only when ``retry_after`` is given.
* ``errored``: HTTP 200 with ``status: "errored"`` and an ``error`` object, as the real service
  answers when its model backend cannot fetch the media.
* ``empty_choices``: HTTP 200, a valid body with ``choices: []``.
* ``malformed``: HTTP 200, ``application/json`` content type, truncated JSON.
* ``drop``: the connection is closed without any response.
* ``slow:<seconds>``: the answer is delayed by ``<seconds>``, then given normally.
* ``stream_cut``: a streamed answer stops after about half its chunks, without its final chunk
  and without ``[DONE]``, and the connection is closed.
* ``stream_error``: a streamed answer sends one chunk, then an ``error`` event, then ends.

``;times=N`` limits the fault to the first ``N`` attempts of the same request (same path, same
body bytes, same spec); later attempts are answered normally. That is how a test checks that a
client retries.

Example:
    >>> spec = parse_fault("503;times=2")
    >>> spec.status, spec.times
    (503, 2)
    >>> tracker = FaultTracker()
    >>> [tracker.fires(spec, "/vu/chat/completions", b"{}") for _ in range(3)]
    [True, True, False]
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass
from http import HTTPStatus

__all__ = [
    "FAULT_KINDS",
    "FaultSpec",
    "FaultSpecError",
    "FaultTracker",
    "parse_fault",
    "status_message",
]

FAULT_KINDS = (
    "<status 400-599>",
    "errored",
    "empty_choices",
    "malformed",
    "drop",
    "slow",
    "stream_cut",
    "stream_error",
)
"""Every fault kind, for help texts and error messages."""

_NAMED_KINDS = frozenset(FAULT_KINDS[1:])
_STREAM_KINDS = frozenset({"stream_cut", "stream_error"})

# Messages in the service's own words where the docs give them (400 is shared by rate limiting
# and validation failures, per the upload page); the rest are plain descriptions.
_STATUS_MESSAGES = {
    400: "Request has exceeded the limit.",
    401: "Invalid API key",
    402: "Insufficient balance, please recharge your credits",
    403: "Forbidden",
    415: "Unsupported media type",
    429: "Too many requests, please retry later",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service temporarily unavailable",
    504: "Gateway timeout",
}


class FaultSpecError(ValueError):
    """A fault spec that cannot be parsed.

    Example:
        >>> try:
        ...     parse_fault("teapot")
        ... except FaultSpecError as exc:
        ...     print(str(exc).split(";")[0])
        unknown fault kind 'teapot'
    """


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One parsed fault spec.

    Attributes:
        text: The spec as given (whitespace stripped); part of the ``times`` bookkeeping key.
        kind: ``"status"`` for an HTTP error, else one of the named kinds (``"errored"``,
            ``"slow"``, ...).
        status: The HTTP status of a ``"status"`` fault, else ``None``.
        retry_after: Seconds for the ``Retry-After`` header, or ``None`` for no header.
        seconds: The delay of a ``slow`` fault.
        times: How many attempts of the same request the fault applies to; ``None`` = all.

    Example:
        >>> parse_fault("429:retry_after=0.1").retry_after
        0.1
    """

    text: str
    kind: str
    status: int | None = None
    retry_after: float | None = None
    seconds: float = 0.0
    times: int | None = None

    @property
    def is_stream_fault(self) -> bool:
        """True for faults that only change streamed answers (``stream_cut``, ``stream_error``).

        Example:
            >>> parse_fault("stream_cut").is_stream_fault
            True
        """
        return self.kind in _STREAM_KINDS


MAX_FAULT_SECONDS = 3600.0
"""The longest ``slow:`` delay or ``retry_after`` a fault may ask for (an hour)."""


def _parse_seconds(value: str, what: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise FaultSpecError(f"{what} must be a number of seconds, got {value!r}") from None
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_FAULT_SECONDS:
        raise FaultSpecError(
            f"{what} must be between 0 and {MAX_FAULT_SECONDS:.0f} seconds, got {value!r}"
        )
    return seconds


def parse_fault(spec: str) -> FaultSpec:
    """Parse a fault spec such as ``429:retry_after=0.1``, ``slow:2`` or ``503;times=2``.

    Args:
        spec: The spec, from the ``X-Emulator-Fault`` header or the emulator's ``fault`` setting.

    Returns:
        The parsed spec.

    Raises:
        FaultSpecError: If the spec names no known fault or has a bad argument.

    Example:
        >>> parse_fault("slow:0.5;times=1")
        FaultSpec(text='slow:0.5;times=1', kind='slow', status=None, retry_after=None, seconds=0.5, times=1)
    """  # noqa: E501
    text = spec.strip()
    head, *options = [part.strip() for part in text.split(";")]
    times: int | None = None
    for option in options:
        key, sep, value = option.partition("=")
        if key.strip() != "times" or not sep:
            raise FaultSpecError(f"unknown fault option {option!r}; only 'times=N' is supported")
        try:
            times = int(value.strip())
        except ValueError:
            raise FaultSpecError(f"times must be an integer, got {value.strip()!r}") from None
        if times < 1:
            raise FaultSpecError(f"times must be >= 1, got {times}")

    kind, _, argument = head.partition(":")
    kind, argument = kind.strip(), argument.strip()
    if kind.isdigit():
        status = int(kind)
        if not 400 <= status <= 599:
            raise FaultSpecError(f"fault status must be between 400 and 599, got {status}")
        retry_after = 1.0 if status == 429 else None
        if argument:
            key, sep, value = argument.partition("=")
            if key.strip() != "retry_after" or not sep:
                raise FaultSpecError(
                    f"unknown argument {argument!r} for a status fault; use retry_after=<seconds>"
                )
            retry_after = _parse_seconds(value.strip(), "retry_after")
        return FaultSpec(text, "status", status=status, retry_after=retry_after, times=times)
    if kind not in _NAMED_KINDS:
        raise FaultSpecError(
            f"unknown fault kind {kind!r}; expected one of: {', '.join(FAULT_KINDS)}"
        )
    if kind == "slow":
        if not argument:
            raise FaultSpecError("slow needs a delay, e.g. slow:2")
        value = argument.partition("=")[2] if argument.startswith("seconds=") else argument
        return FaultSpec(text, kind, seconds=_parse_seconds(value, "slow"), times=times)
    if argument:
        raise FaultSpecError(f"fault {kind!r} takes no argument, got {argument!r}")
    return FaultSpec(text, kind, times=times)


def status_message(status: int) -> str:
    """The message an injected error response carries for ``status``.

    Example:
        >>> status_message(503)
        'Service temporarily unavailable'
    """
    if status in _STATUS_MESSAGES:
        return _STATUS_MESSAGES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


class FaultTracker:
    """Counts attempts per (path, body, spec) so that ``;times=N`` faults stop after N attempts.

    Thread-safe: the server thread counts while a test thread may call :meth:`reset`.

    Example:
        >>> tracker = FaultTracker()
        >>> spec = parse_fault("500;times=1")
        >>> tracker.fires(spec, "/iu/chat/completions", b"{}"), tracker.fires(
        ...     spec, "/iu/chat/completions", b"{}"
        ... )
        (True, False)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._attempts: dict[tuple[str, str, str], int] = {}

    def fires(self, spec: FaultSpec, path: str, body: bytes) -> bool:
        """Count one attempt and say whether the fault applies to it.

        Args:
            spec: The fault in force for this request.
            path: The request path (a retry goes to the same path).
            body: The raw request body (a retry sends the same bytes).

        Returns:
            True if the fault applies to this attempt.

        Example:
            >>> FaultTracker().fires(parse_fault("drop"), "/chat/completions", b"")
            True
        """
        if spec.times is None:
            return True
        # A digest keeps memory flat when bodies carry megabytes of base64.
        key = (path, hashlib.sha256(body).hexdigest(), spec.text)
        with self._lock:
            attempt = self._attempts.get(key, 0) + 1
            self._attempts[key] = attempt
        return attempt <= spec.times

    def reset(self) -> None:
        """Forget every attempt counted so far.

        Example:
            >>> FaultTracker().reset()
        """
        with self._lock:
            self._attempts.clear()
