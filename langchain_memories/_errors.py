"""Core errors re-raised as classes that are also langchain-core's ``Model*Error`` types.

Code written against LangChain catches ``ModelRateLimitError``; code written against
``memories_client`` catches ``RateLimitError``. Each class here is both, so either keeps working
(the same pattern as ``AnthropicRateLimitError(anthropic.RateLimitError, ModelRateLimitError)``).
Input problems stay :class:`memories_client.MemoriesInputError` (a ``ValueError``): they are the
caller's mistake, found before any request, and not a model failure.

Example:
    >>> from langchain_core.exceptions import ModelRateLimitError
    >>> import memories_client
    >>> err = to_langchain_error(memories_client.RateLimitError("slow down", status=429))
    >>> isinstance(err, ModelRateLimitError), isinstance(err, memories_client.RateLimitError)
    (True, True)
"""

from __future__ import annotations

from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

import memories_client as mc

__all__ = [
    "MemoriesAPIStatusError",
    "MemoriesAuthenticationError",
    "MemoriesBadRequestError",
    "MemoriesConnectionError",
    "MemoriesInsufficientCreditsError",
    "MemoriesMalformedResponseError",
    "MemoriesModelError",
    "MemoriesNotFoundError",
    "MemoriesPermissionDeniedError",
    "MemoriesRateLimitError",
    "MemoriesServerError",
    "MemoriesStreamInterruptedError",
    "MemoriesTimeoutError",
    "to_langchain_error",
]


class MemoriesAuthenticationError(mc.AuthenticationError, ModelAuthenticationError):
    """HTTP 401: the key is missing, wrong or expired (also a ``ModelAuthenticationError``).

    Example:
        >>> cls = MemoriesAuthenticationError
        >>> issubclass(cls, mc.AuthenticationError), issubclass(cls, ModelAuthenticationError)
        (True, True)
    """


class MemoriesPermissionDeniedError(mc.AuthenticationError, ModelPermissionDeniedError):
    """HTTP 403: the key may not make this request (also a ``ModelPermissionDeniedError``).

    Example:
        >>> cls = MemoriesPermissionDeniedError
        >>> issubclass(cls, mc.AuthenticationError), issubclass(cls, ModelPermissionDeniedError)
        (True, True)
    """


class MemoriesInsufficientCreditsError(mc.InsufficientCreditsError, ModelPermissionDeniedError):
    """HTTP 402: the account is out of credits.

    LangChain has no "payment required" type; a 402 is the account being refused service,
    which is closest to ``ModelPermissionDeniedError`` (and it is not retryable either).

    Example:
        >>> cls = MemoriesInsufficientCreditsError
        >>> issubclass(cls, mc.InsufficientCreditsError)
        True
        >>> issubclass(cls, ModelPermissionDeniedError)
        True
    """


class MemoriesRateLimitError(mc.RateLimitError, ModelRateLimitError):
    """HTTP 429 after all retries (also a ``ModelRateLimitError``); see ``retry_after``.

    Example:
        >>> cls = MemoriesRateLimitError
        >>> issubclass(cls, mc.RateLimitError), issubclass(cls, ModelRateLimitError)
        (True, True)
    """


class MemoriesBadRequestError(mc.BadRequestError, ModelInvalidRequestError):
    """HTTP 400/415/422: the service refused the request (a ``ModelInvalidRequestError``).

    Example:
        >>> cls = MemoriesBadRequestError
        >>> issubclass(cls, mc.BadRequestError), issubclass(cls, ModelInvalidRequestError)
        (True, True)
    """


class MemoriesNotFoundError(mc.NotFoundError, ModelNotFoundError):
    """HTTP 404/405: wrong endpoint path or model (also a ``ModelNotFoundError``).

    Example:
        >>> cls = MemoriesNotFoundError
        >>> issubclass(cls, mc.NotFoundError), issubclass(cls, ModelNotFoundError)
        (True, True)
    """


class MemoriesServerError(mc.ServerError, ModelAPIError):
    """HTTP 5xx after all retries (also a ``ModelAPIError``).

    Example:
        >>> cls = MemoriesServerError
        >>> issubclass(cls, mc.ServerError), issubclass(cls, ModelAPIError)
        (True, True)
    """


class MemoriesModelError(mc.ModelError, ModelAPIError):
    """HTTP 200 with ``status: "errored"`` or no choices (also a ``ModelAPIError``).

    Unlike a 5xx this is not worth retrying as is: the same input fails again (typically a
    media URL the service cannot fetch).

    Example:
        >>> cls = MemoriesModelError
        >>> issubclass(cls, mc.ModelError), issubclass(cls, ModelAPIError)
        (True, True)
    """

    is_retryable = False


class MemoriesMalformedResponseError(mc.MalformedResponseError, ModelAPIError):
    """The answer could not be parsed (also a ``ModelAPIError``).

    Example:
        >>> cls = MemoriesMalformedResponseError
        >>> issubclass(cls, mc.MalformedResponseError), issubclass(cls, ModelAPIError)
        (True, True)
    """


class MemoriesAPIStatusError(mc.MemoriesAPIError, ModelAPIError):
    """Any other API failure (also a ``ModelAPIError``).

    Example:
        >>> cls = MemoriesAPIStatusError
        >>> issubclass(cls, mc.MemoriesAPIError), issubclass(cls, ModelAPIError)
        (True, True)
    """


class MemoriesTimeoutError(mc.APITimeoutError, ModelTimeoutError):
    """The request timed out after all retries (also a ``ModelTimeoutError``).

    Example:
        >>> cls = MemoriesTimeoutError
        >>> issubclass(cls, mc.APITimeoutError), issubclass(cls, ModelTimeoutError)
        (True, True)
    """


class MemoriesConnectionError(mc.APIConnectionError, ModelConnectionError):
    """The connection failed after all retries (also a ``ModelConnectionError``).

    Example:
        >>> cls = MemoriesConnectionError
        >>> issubclass(cls, mc.APIConnectionError), issubclass(cls, ModelConnectionError)
        (True, True)
    """


class MemoriesStreamInterruptedError(mc.StreamInterruptedError, ModelConnectionError):
    """A stream stopped before the answer was complete; ``partial_text`` holds what came.

    Example:
        >>> cls = MemoriesStreamInterruptedError
        >>> issubclass(cls, mc.StreamInterruptedError), issubclass(cls, ModelConnectionError)
        (True, True)
    """


# Most specific first: the first class the core error is an instance of wins.
_MAPPING: tuple[tuple[type[mc.MemoriesError], type[mc.MemoriesError]], ...] = (
    (mc.RateLimitError, MemoriesRateLimitError),
    (mc.InsufficientCreditsError, MemoriesInsufficientCreditsError),
    (mc.AuthenticationError, MemoriesAuthenticationError),
    (mc.BadRequestError, MemoriesBadRequestError),
    (mc.NotFoundError, MemoriesNotFoundError),
    (mc.ServerError, MemoriesServerError),
    (mc.ModelError, MemoriesModelError),
    (mc.MalformedResponseError, MemoriesMalformedResponseError),
    (mc.MemoriesAPIError, MemoriesAPIStatusError),
    (mc.StreamInterruptedError, MemoriesStreamInterruptedError),
    (mc.APITimeoutError, MemoriesTimeoutError),
    (mc.APIConnectionError, MemoriesConnectionError),
)

_OURS = frozenset(cls for _, cls in _MAPPING)


def to_langchain_error(error: mc.MemoriesError) -> mc.MemoriesError:
    """Return ``error`` as the matching dual-typed class, keeping every attribute.

    Input errors (and anything already mapped) are returned unchanged.

    Args:
        error: an error raised by ``memories_client``.

    Returns:
        An instance of one of this module's classes carrying the same message, status, code,
        server message, request id, ``retry_after`` and ``partial_text``.
    """
    if type(error) in _OURS or isinstance(error, mc.MemoriesInputError):
        return error
    target: type[mc.MemoriesError] | None = None
    for core_cls, ours in _MAPPING:
        if isinstance(error, core_cls):
            target = ours
            break
    if target is None:
        return error
    if target is MemoriesAuthenticationError and getattr(error, "status", None) == 403:
        target = MemoriesPermissionDeniedError
    # Copy the state instead of calling __init__: the core classes take different keyword
    # arguments, and their attributes (status, code, request_id, retry_after...) live in
    # __dict__. This is how the core itself rebuilds errors after pickling.
    mapped = target.__new__(target)
    Exception.__init__(mapped, *error.args)
    mapped.__dict__.update(error.__dict__)
    return mapped


class mapped_errors:  # noqa: N801 - used as a function: ``with mapped_errors():``
    """Re-raise core errors as their dual-typed classes, chained ``from`` the original.

    A class rather than a ``@contextmanager`` generator: it wraps every call, and a
    generator-based context costs about four times as much.

    Example:
        >>> with mapped_errors():
        ...     raise mc.RateLimitError("slow down", status=429)
        Traceback (most recent call last):
        ...
        langchain_memories._errors.MemoriesRateLimitError: slow down (HTTP 429)
    """

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:  # None: anything not re-raised here propagates unchanged
        if isinstance(exc, mc.MemoriesError):
            new = to_langchain_error(exc)
            if new is not exc:
                raise new from exc
