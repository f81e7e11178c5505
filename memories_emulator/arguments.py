"""Tool-call arguments taken from the prompt where it names them.

A generated tool call fills its arguments from the tool's schema; a string or number argument
the user's message names gets the value the message gives it instead, as a model would:

* a call written out, ``get_weather("Oslo", days=3)``, gives its arguments;
* ``customer_name`` is named by ``customer_name``, ``customer name``, or its last word
  (``name``), also as ``named`` / ``called``;
* the value is the quoted text that follows (straight, curly or corner quotes), or, after
  ``is``, ``=`` or ``:``, the next word; a number is the number right after the name
  (``minute 3``, ``days: 5``).

Only top-level string and number properties are filled (a number only inside its bounds, an
``enum`` only with one of its values); what is not found keeps the generated value.

Example:
    >>> prompted_value("customer_name", "Create a customer named '你好啊集团' (Hello Group)")
    '你好啊集团'
    >>> prompted_value("city", "What is the weather? city: Paris, please")
    'Paris'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["called_arguments", "fill_from_prompt", "prompted_number", "prompted_value"]

_QUOTED = r"""'([^'\n]+)'|"([^"\n]+)"|“([^”\n]+)”|‘([^’\n]+)’|「([^」\n]+)」"""  # noqa: RUF001
_BARE = r"""([^\s,.;!?'"()]+)"""


def _names(name: str) -> list[str]:
    words = [w for w in re.split(r"[_\-\s]+|(?<=[a-z])(?=[A-Z])", name) if w]
    forms = {name, " ".join(words), "_".join(words)}
    return sorted((re.escape(form) for form in forms if form), key=len, reverse=True)


def prompted_value(name: str, prompt: str) -> str | None:
    """The value ``prompt`` gives the argument ``name``, or ``None``.

    Example:
        >>> prompted_value("title", 'Save it with title "Road trip"'), prompted_value("x", "Hi")
        ('Road trip', None)
    """
    words = [w for w in re.split(r"[_\-\s]+", name) if w]
    full = "|".join(_names(name))
    last = re.escape(words[-1]) if words else ""
    # The name stands alone (not a JSON key such as "name": ...) and is set apart from its value.
    alone = r"(?<![\w\"'])"
    apart = r"(?:\s*(?:is|=|:|of|as)\s*|\s+)"
    patterns = [
        rf"{alone}(?:{full}){apart}(?:{_QUOTED})",
        rf"{alone}(?:{full})\s*(?:is|=|:)\s*{_BARE}",
    ]
    if last:
        patterns.insert(1, rf"{alone}(?:{last}d|called)\s+(?:{_QUOTED})")
        patterns.insert(2, rf"{alone}(?:{last}){apart}(?:{_QUOTED})")
    for pattern in patterns:
        found = re.search(pattern, prompt, re.IGNORECASE)
        if found is not None:
            return next(group for group in found.groups() if group)
    return None


def prompted_number(name: str, prompt: str) -> float | None:
    """The number ``prompt`` gives the argument ``name`` (``minute 3``, ``days: 5``), or ``None``.

    Example:
        >>> prompted_number("minute", "How many people at minute 3?")
        3.0
    """
    full = "|".join(_names(name))
    found = re.search(
        rf"(?<!\w)(?:{full})\s*(?:is|=|:|of)?\s*(-?\d+(?:\.\d+)?)(?![\d.]*\w)", prompt, re.I
    )
    return float(found.group(1)) if found is not None else None


def _in_bounds(value: float, schema: Mapping[str, Any]) -> bool:
    low, high = schema.get("minimum"), schema.get("maximum")
    return not (
        (isinstance(low, (int, float)) and value < low)
        or (isinstance(high, (int, float)) and value > high)
    )


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def called_arguments(tool: str, prompt: str, names: list[str]) -> dict[str, Any]:
    """The arguments of a call written out in the prompt: ``get_weather("Oslo", days=3)``.

    Positional arguments go to ``names`` in order; ``key=value`` ones to ``key``.

    Example:
        >>> called_arguments("magic_function", "What is magic_function(3)?", ["input"])
        {'input': 3}
    """
    found = re.search(rf"(?<!\w){re.escape(tool)}\(([^()]*)\)", prompt)
    if found is None or not found.group(1).strip():
        return {}
    given: dict[str, Any] = {}
    for position, piece in enumerate(
        re.split(r",(?=(?:[^'\"]|'[^']*'|\"[^\"]*\")*$)", found.group(1))
    ):
        key, sep, value = piece.partition("=")
        if sep and key.strip().isidentifier():
            given[key.strip()] = _literal(value)
        elif position < len(names):
            given[names[position]] = _literal(piece)
    return given


def _fits(value: Any, current: Any, schema: Mapping[str, Any]) -> bool:
    if isinstance(current, bool) or isinstance(value, bool):
        return False
    if isinstance(current, str):
        enum = schema.get("enum")
        return isinstance(value, str) and (not isinstance(enum, list) or value in enum)
    if isinstance(current, int):
        return isinstance(value, int) and _in_bounds(value, schema)
    if isinstance(current, float):
        return isinstance(value, (int, float)) and _in_bounds(value, schema)
    return False


def fill_from_prompt(arguments: Any, schema: Mapping[str, Any], prompt: str, tool: str = "") -> Any:
    """``arguments`` with each top-level string property the prompt names set to its value.

    Example:
        >>> schema = {"properties": {"city": {"type": "string"}, "unit": {"enum": ["C", "F"]}}}
        >>> fill_from_prompt({"city": "example city", "unit": "C"}, schema,
        ...                  "city: Oslo, unit: K")
        {'city': 'Oslo', 'unit': 'C'}
    """
    properties = schema.get("properties")
    if not isinstance(arguments, dict) or not isinstance(properties, Mapping) or not prompt:
        return arguments
    filled = dict(arguments)
    written = called_arguments(tool, prompt, list(properties)) if tool else {}
    for key, sub in properties.items():
        if not isinstance(sub, Mapping):
            continue
        if key in written and _fits(written[key], filled.get(key), sub):
            filled[key] = float(written[key]) if isinstance(filled[key], float) else written[key]
            continue
        current = filled.get(key)
        if isinstance(current, (int, float)) and not isinstance(current, bool):
            number = prompted_number(key, prompt)
            integer = isinstance(current, int)
            if (
                number is not None
                and (number.is_integer() or not integer)
                and _in_bounds(number, sub)
            ):
                filled[key] = int(number) if integer else number
            continue
        if not isinstance(current, str):
            continue
        value = prompted_value(key, prompt)
        enum = sub.get("enum")
        if value is None or (isinstance(enum, list) and value not in enum):
            continue
        max_length = sub.get("maxLength")
        filled[key] = value[:max_length] if isinstance(max_length, int) else value
    return filled
