"""One error hierarchy for everything that can go wrong when talking to memories.ai.

Input problems (:class:`MemoriesInputError`) are raised *before* any network call. Everything the
service does wrong is a :class:`MemoriesAPIError` subclass that carries the HTTP status, the
server's own code and message, and the request/response id, so a log line is enough to open a
support ticket. No error message ever contains the API key: messages are built only from the
status, the server's body and our own text.

Example:
    >>> from memories_client.errors import RateLimitError, MemoriesAPIError
    >>> err = RateLimitError("slow down", status=429, retry_after=2.0)
    >>> isinstance(err, MemoriesAPIError), err.status, err.retry_after
    (True, 429, 2.0)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MAX_ERROR_CHARS",
    "MAX_ID_CHARS",
    "MAX_MESSAGE_CHARS",
    "MAX_SERVER_MESSAGE_CHARS",
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "InsufficientCreditsError",
    "MalformedResponseError",
    "MemoriesAPIError",
    "MemoriesError",
    "MemoriesInputError",
    "ModelError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "StreamInterruptedError",
    "UnsupportedFeatureError",
    "error_for_status",
]


MAX_SERVER_MESSAGE_CHARS = 2_000
"""The server's message is cut to this many characters (``server_message`` and the message)."""
MAX_ID_CHARS = 200
"""A request id or error code from the server is cut to this many characters."""
MAX_MESSAGE_CHARS = 4_000
"""An API error's message: our text around the server's message, with room for the advice."""
MAX_ERROR_CHARS = MAX_MESSAGE_CHARS + 2 * MAX_ID_CHARS + 60
"""The longest ``str()`` of an API error: the message, then status, code and request id.

Whatever a server sends (a 60 KB message, a 60 KB request id, a code that is a whole JSON
document), the error a log line or a tracer records stays this short.
"""


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, keeping its start and end.

    The start says what failed and the end holds our advice, so the middle goes.

    Example:
        >>> _cut("a" * 50 + "b" * 50, 60)
        'aaaaaaaaaaaaaaa … [65 characters cut] … bbbbbbbbbbbbbbbbbbbb'
    """
    if len(text) <= limit:
        return text
    tail, marker = limit // 3, ""
    while True:  # the marker's length depends on the count it shows: settle both
        head = limit - tail - len(marker)
        settled = f" … [{len(text) - head - tail:,} characters cut] … "
        if settled == marker:
            return f"{text[:head]}{marker}{text[-tail:]}"
        marker = settled


class MemoriesError(Exception):
    """Root of every error raised by this package.

    Example:
        >>> issubclass(MemoriesInputError, MemoriesError)
        True
    """


class MemoriesInputError(MemoriesError, ValueError):
    """The request cannot be sent as given; raised before any network call.

    The message says which field was wrong and how to fix it. It is also a ``ValueError`` so
    code that validates input generically keeps working.

    Example:
        >>> raise MemoriesInputError("temperature must be between 0.0 and 2.0, got 3")
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: temperature must be between 0.0 and 2.0, got 3
    """


class UnsupportedFeatureError(MemoriesInputError, NotImplementedError):
    """The model family has no such feature on memories.ai (tools for Gemini, video for GPT).

    Raised before any network call, the same way from ``bind_tools`` and from a call. It is a
    :class:`MemoriesInputError` (a ``ValueError``) and a ``NotImplementedError``, so code that
    probes for a feature with ``except NotImplementedError`` (as LangChain's own helpers do)
    keeps working.

    Example:
        >>> isinstance(UnsupportedFeatureError("no tools"), NotImplementedError)
        True
    """


class MemoriesAPIError(MemoriesError):
    """The service answered, but not with a usable completion.

    Attributes:
        status: HTTP status code (200 for errors the service reports inside a 200 body).
        code: the server's own error code, if the body carried one (e.g. ``"0001"``, ``400``).
        server_message: the server's message, verbatim up to 2,000 characters (cut there).
        request_id: the ``x-request-id`` header or the response ``id``, whichever is known
            (cut at 200 characters, as is a ``code`` that is text).
        body: the parsed response body when it was JSON, for debugging.

    Whatever the server sends, ``str(error)`` is at most :data:`MAX_ERROR_CHARS` characters:
    the message keeps its start and its end (our advice) and says how much was cut between.

    Example:
        >>> err = MemoriesAPIError("bad", status=400, code="E1", request_id="r1")
        >>> str(err)
        'bad (HTTP 400, code E1, request id r1)'
    """

    default_hint = ""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | int | None = None,
        server_message: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        message = _cut(message, MAX_MESSAGE_CHARS)
        self.message = message
        self.status = status
        if code is not None and not isinstance(code, (int, str)):
            code = str(code)  # a JSON object or list where a code belongs: shown as text
        self.code = code[:MAX_ID_CHARS] if isinstance(code, str) else code
        self.server_message = (
            server_message[:MAX_SERVER_MESSAGE_CHARS] if server_message else server_message
        )
        self.request_id = request_id[:MAX_ID_CHARS] if request_id else request_id
        self.body = body
        super().__init__(message)

    def __str__(self) -> str:
        # Bounded again here: ``message`` is public and may have grown since (a retry note).
        details = []
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        if self.code is not None and self.code != self.status:
            details.append(f"code {str(self.code)[:MAX_ID_CHARS]}")
        if self.request_id:
            details.append(f"request id {str(self.request_id)[:MAX_ID_CHARS]}")
        suffix = f" ({', '.join(details)})" if details else ""
        return f"{_cut(self.message, MAX_MESSAGE_CHARS)}{suffix}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor arguments would otherwise be lost when an error crosses a
        # process boundary (Dask, Ray and multiprocessing pickle exceptions).
        return (
            _rebuild_api_error,
            (type(self), self.message, self.__dict__.copy()),
        )


def _rebuild_api_error(
    cls: type[MemoriesAPIError], message: str, state: dict[str, Any]
) -> MemoriesAPIError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class AuthenticationError(MemoriesAPIError):
    """HTTP 401/403: the key is missing, wrong, expired or not allowed from this address."""

    default_hint = (
        "Check MEMORIES_API_KEY (sent as the raw key in the Authorization header, no 'Bearer')."
    )


class InsufficientCreditsError(MemoriesAPIError):
    """HTTP 402: the account has run out of credits; top up in the memories.ai console."""

    default_hint = "Your memories.ai balance is used up; add credits in the console."


class RateLimitError(MemoriesAPIError):
    """HTTP 429 after all retries: too many requests.

    Attributes:
        retry_after: seconds the server asked us to wait, when it said so.
    """

    default_hint = "Lower the concurrency, add a rate limiter, or raise max_retries."

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class BadRequestError(MemoriesAPIError):
    """HTTP 400/415/422: the service refused the request as malformed or unsupported."""


class NotFoundError(MemoriesAPIError):
    """HTTP 404/405: the endpoint path does not exist (check ``base_url`` and the paths)."""

    default_hint = (
        "Check base_url and the endpoint paths; the docs show /vu, /iu, /ilm and bare "
        "/chat/completions variants (see paths= on the client)."
    )


class ServerError(MemoriesAPIError):
    """HTTP 5xx after all retries: the service failed."""

    default_hint = "The service failed; this was retried. Try again later."


class ModelError(MemoriesAPIError):
    """The service answered HTTP 200 but the model failed.

    Raised for bodies with ``status: "errored"`` (the model backend could not fetch a media URL,
    for example) and for answers with no choices. Not retried: the same input fails again.
    """

    default_hint = (
        "The model backend failed on this input. If you passed a media URL, make sure it is "
        "publicly fetchable (signed cloud-storage URLs work; social-media page URLs do not)."
    )


class MalformedResponseError(MemoriesAPIError):
    """The response could not be parsed (not JSON, or missing the fields every answer has)."""


class APITimeoutError(MemoriesError, TimeoutError):
    """The request timed out after all retries (connect, read or write)."""


class APIConnectionError(MemoriesError, ConnectionError):
    """The connection failed or was dropped after all retries."""


class StreamInterruptedError(APIConnectionError):
    """A streamed answer stopped before the service said it was complete.

    Never passed off as a short answer: the text received so far is on ``partial_text``.
    """

    def __init__(self, message: str, *, partial_text: str = "") -> None:
        super().__init__(message)
        self.partial_text = partial_text


def error_for_status(status: int) -> type[MemoriesAPIError]:
    """Return the error class for an HTTP status code.

    Example:
        >>> error_for_status(429).__name__
        'RateLimitError'
    """
    if status in (401, 403):
        return AuthenticationError
    if status == 402:
        return InsufficientCreditsError
    if status == 429:
        return RateLimitError
    if status in (404, 405):
        return NotFoundError
    if status >= 500:
        return ServerError
    if 400 <= status < 500:
        return BadRequestError
    return MalformedResponseError
