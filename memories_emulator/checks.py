"""What every request check shares: the refusal type, the provider families and number tests.

The rules come from the memories.ai docs pages (see ``docs/EMULATOR.md``), not from this
project's client, so that a client which misreads the docs fails here first.

Example:
    >>> bad("n must be an integer between 1 and 8").status
    400
    >>> SHAPES["qwen"]
    'gemini'
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["SHAPES", "ApiError", "bad", "is_int", "is_number"]

SHAPES: dict[str, Literal["gemini", "nova"]] = {
    "gemini": "gemini",
    "qwen": "gemini",
    "nova": "nova",
    "gpt": "nova",
}
"""Provider family -> response shape: ``completion`` with ``choices[].text`` (Gemini, Qwen) or
``chat.completion`` with ``choices[].message`` (Nova, GPT). Content parts and provider options
are each family's own (see :mod:`~memories_emulator.messages` and
:mod:`~memories_emulator.provider_options`)."""


class ApiError(Exception):
    """A request the service would refuse; becomes an error response in the envelope.

    Example:
        >>> ApiError(400, "n must be an integer between 1 and 8").status
        400
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad(message: str) -> ApiError:
    """A 400 refusal with ``message``.

    Example:
        >>> bad("stream must be a boolean").message
        'stream must be a boolean'
    """
    return ApiError(400, message)


def is_int(value: Any) -> bool:
    """True for an ``int`` that is not a ``bool`` (JSON's ``true`` is not a number).

    Example:
        >>> is_int(3), is_int(True), is_int(3.0)
        (True, False, False)
    """
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """True for an ``int`` or ``float`` that is not a ``bool``.

    Example:
        >>> is_number(0.5), is_number(False)
        (True, False)
    """
    return isinstance(value, (int, float)) and not isinstance(value, bool)
