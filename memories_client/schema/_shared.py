"""Helpers the schema modules share: local ``$ref`` pointers, JSON equality and field paths.

Example:
    >>> resolve_pointer({"$defs": {"A": {"type": "string"}}}, "#/$defs/A")
    {'type': 'string'}
    >>> json_equal(1, 1.0), json_equal(1, True)
    (True, False)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import unquote

import typing_extensions

__all__ = [
    "MISSING",
    "enum_string",
    "is_number",
    "join_path",
    "json_equal",
    "ref_name",
    "resolve_pointer",
]

MISSING: Final[Any] = object()
"""What :func:`resolve_pointer` returns for a reference that does not resolve."""


def resolve_pointer(root: Any, ref: str) -> Any:
    """Resolve a local ``#/...`` reference; return ``MISSING`` when it does not resolve."""
    if not ref.startswith("#"):
        return MISSING
    node = root
    pointer = unquote(ref[1:])
    if not pointer:
        return node
    if not pointer.startswith("/"):
        return MISSING
    for raw in pointer[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def ref_name(ref: str) -> str:
    """The definition a reference names, for error messages (``#/$defs/Node`` -> ``Node``)."""
    if ref in ("#", "#/"):
        return "the top-level schema"
    return unquote(ref.rsplit("/", 1)[-1]).replace("~1", "/").replace("~0", "~")


def join_path(path: str, name: str) -> str:
    """The path of field ``name`` inside ``path`` (``person.address``), as errors name it."""
    return f"{path}.{name}" if path else name


def is_number(value: Any) -> typing_extensions.TypeIs[int | float]:
    """True for a JSON number: an ``int`` or ``float`` that is not a ``bool``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def enum_string(value: Any) -> str:
    """How a non-string enum value is written in a Gemini string enum (JSON text)."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: ``1 == 1.0`` but ``1 != True`` and ``0 != False``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)
