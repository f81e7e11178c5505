"""``json.loads`` for text a server (or a model) sent: every failure is a ``ValueError``.

The standard decoder raises ``RecursionError`` for a document nested deeper than the
interpreter's recursion limit (a 100,000-deep array is a few hundred KB), and ``ValueError`` for
an integer of more than 4,300 digits or undecodable bytes. Callers catch ``ValueError`` alone
and turn it into their typed error, so no hostile body escapes as a bare exception, and a
retryable error body stays retryable.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["loads"]


def loads(data: str | bytes | bytearray) -> Any:
    """Parse JSON; raise ``ValueError`` (never ``RecursionError``) for anything unparseable.

    Example:
        >>> loads('{"a": [1, 2]}')
        {'a': [1, 2]}
        >>> try:
        ...     loads("[" * 100_000 + "]" * 100_000)
        ... except ValueError as exc:
        ...     print(exc)
        JSON nested too deeply to parse
    """
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply to parse") from None
