"""Where schemas come from: a JSON Schema from a Pydantic model, a TypedDict or a dict.

TypedDicts follow LangChain's ``Annotated[type, default, "description"]`` convention: the
string becomes the field's description and a default makes the field optional, which
:func:`apply_typeddict_defaults` fills back in after parsing.

Example:
    >>> from pydantic import BaseModel
    >>> class City(BaseModel):
    ...     name: str
    >>> json_schema_of(City)["required"]
    ['name']
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Final

import pydantic
import typing_extensions

from memories_client.errors import MemoriesInputError

__all__ = ["apply_typeddict_defaults", "json_schema_of"]

_ACCEPTED = (
    "a Pydantic v2 model class, a TypedDict class, or a JSON Schema dict (an OpenAI-style "
    "function dict {'name', 'description', 'parameters'} or {'type': 'function', 'function': "
    "{...}} is accepted too)"
)


def json_schema_of(schema: type[Any] | Mapping[str, Any]) -> dict[str, Any]:
    """Return a JSON Schema dict for a Pydantic model, a TypedDict or a schema dict.

    * A Pydantic v2 model class gives ``model_json_schema()``.
    * A TypedDict class gives ``pydantic.TypeAdapter(td).json_schema()``, with LangChain's
      ``Annotated[type, default, "description"]`` convention applied: the string becomes the
      field's ``description`` and a field with a default other than ``...`` is not required. A
      lone string (``Annotated[str, "description"]``) is taken as the description.
    * A dict is returned as a deep copy. An OpenAI function dict (``{"name", "description",
      "parameters"}``, optionally wrapped as ``{"type": "function", "function": {...}}``) or an
      Anthropic tool dict (``input_schema`` instead of ``parameters``) gives its parameters
      schema with ``title`` set to the name and the function's ``description``.

    Args:
        schema: the model class, TypedDict class or schema dict.

    Returns:
        A new JSON Schema dict the caller may modify.

    Raises:
        MemoriesInputError: for anything else, or when Pydantic cannot build a schema.

    Example:
        >>> json_schema_of({"name": "get_weather", "description": "Weather for a city",
        ...                 "parameters": {"type": "object",
        ...                                "properties": {"city": {"type": "string"}}}})
        {'type': 'object', 'properties': {'city': {'type': 'string'}}, 'title': 'get_weather', \
'description': 'Weather for a city'}
    """
    if isinstance(schema, type) and _is_model_class(schema):
        try:
            return schema.model_json_schema()
        except pydantic.PydanticUserError as exc:  # e.g. a field type with no JSON Schema
            raise MemoriesInputError(
                f"cannot build a JSON Schema for {schema.__name__}: {exc}"
            ) from exc
    if isinstance(schema, type) and typing_extensions.is_typeddict(schema):
        return _typeddict_schema(schema)
    if isinstance(schema, Mapping):
        return _unwrap_function_dict(copy.deepcopy(dict(schema)))
    raise MemoriesInputError(f"schema must be {_ACCEPTED}; got {_describe(schema)}")


def _is_model_class(obj: type[Any]) -> typing_extensions.TypeIs[type[pydantic.BaseModel]]:
    try:
        return issubclass(obj, pydantic.BaseModel)
    except TypeError:  # parametrised generics such as list[int] on Python 3.10
        return False


def _describe(obj: Any) -> str:
    if isinstance(obj, type):
        return f"the class {obj.__qualname__}"
    if isinstance(obj, pydantic.BaseModel):
        return f"an instance of {type(obj).__qualname__} (pass the class, not an instance)"
    return f"a value of type {type(obj).__name__} ({obj!r:.80})"


def _unwrap_function_dict(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("type") == "function" and isinstance(data.get("function"), Mapping):
        data = dict(data["function"])
    params = data.get("parameters", data.get("input_schema"))
    if (
        isinstance(data.get("name"), str)
        and isinstance(params, Mapping)
        and "properties" not in data
    ):
        result = dict(params)
        result["title"] = data["name"]
        if isinstance(data.get("description"), str):
            result["description"] = data["description"]
        return result
    return data


_NO_DEFAULT: Final[Any] = object()
_PLAIN_DEFAULTS = (type(None), bool, int, float, str, list, dict, tuple)


def _unwrap_required(hint: Any) -> Any:
    wrappers = {typing_extensions.Required, typing_extensions.NotRequired}
    wrappers.update(
        w for w in (getattr(typing, "Required", None), getattr(typing, "NotRequired", None)) if w
    )
    while typing_extensions.get_origin(hint) in wrappers:
        hint = typing_extensions.get_args(hint)[0]
    return hint


def _annotated_parts(hint: Any) -> tuple[Any, Any, str | None]:
    """Split ``Annotated[T, default, "description"]`` into (T, default or _NO_DEFAULT, text)."""
    hint = _unwrap_required(hint)
    if typing_extensions.get_origin(hint) is not typing_extensions.Annotated:
        return hint, _NO_DEFAULT, None
    inner, *meta = typing_extensions.get_args(hint)
    inner = _unwrap_required(inner)
    if len(meta) >= 2 and isinstance(meta[1], str):
        default = meta[0] if isinstance(meta[0], _PLAIN_DEFAULTS) else _NO_DEFAULT
        return inner, default, meta[1]
    if len(meta) == 1 and isinstance(meta[0], str):
        return inner, _NO_DEFAULT, meta[0]
    return inner, _NO_DEFAULT, None


def _typeddicts_in(hint: Any) -> list[type[Any]]:
    """TypedDict classes reachable from a type hint (through lists, unions, Annotated, ...)."""
    found: list[type[Any]] = []
    stack = [hint]
    while stack:
        current = _annotated_parts(stack.pop())[0]
        if isinstance(current, type) and typing_extensions.is_typeddict(current):
            found.append(current)
        else:
            stack.extend(a for a in typing_extensions.get_args(current) if a is not Ellipsis)
    return found


def _typeddict_hints(td: type[Any]) -> dict[str, Any]:
    try:
        return typing_extensions.get_type_hints(td, include_extras=True)
    except Exception:  # noqa: S110 - a string annotation naming something not in the module
        pass
    # A class defined where its module does not import the typing names it uses (a doctest, a
    # function body): retry with them available. Anything still unresolvable is skipped.
    fallback = {**vars(typing), **vars(typing_extensions)}
    try:
        return typing_extensions.get_type_hints(td, localns=fallback, include_extras=True)
    except Exception:
        return {}


def _typeddict_schema(td: type[Any]) -> dict[str, Any]:
    try:
        schema: dict[str, Any] = pydantic.TypeAdapter(td).json_schema()
    except pydantic.PydanticUserError as exc:
        raise MemoriesInputError(f"cannot build a JSON Schema for {td.__name__}: {exc}") from exc
    defs = schema.get("$defs", {})
    seen: set[type[Any]] = set()

    def visit(cls: type[Any], node: dict[str, Any]) -> None:
        if cls in seen:
            return
        seen.add(cls)
        props = node.get("properties")
        if not isinstance(props, dict):
            return
        required = node.get("required")
        for name, hint in _typeddict_hints(cls).items():
            prop = props.get(name)
            if not isinstance(prop, dict):
                continue
            _, default, description = _annotated_parts(hint)
            if description and "description" not in prop:
                prop["description"] = description
            if default is not _NO_DEFAULT and isinstance(required, list) and name in required:
                required.remove(name)
            for inner in _typeddicts_in(hint):
                target = defs.get(inner.__name__)
                if isinstance(target, dict):
                    visit(inner, target)
        if isinstance(required, list) and not required:
            del node["required"]

    visit(td, schema)
    return schema


def apply_typeddict_defaults(instance: Any, td: type[Any]) -> Any:
    """Fill in the defaults a TypedDict declares with LangChain's ``Annotated`` convention.

    A field written ``Annotated[str | None, None, "The punchline"]`` is optional in the schema
    :func:`json_schema_of` builds, so the model may leave it out; Pydantic would then reject the
    dict because a TypedDict is ``total``. This adds the missing keys (nested TypedDicts too),
    without modifying ``instance``.

    Args:
        instance: a parsed JSON value.
        td: the TypedDict class it should match.

    Returns:
        A copy of ``instance`` with defaults added (``instance`` itself when nothing applies).

    Example:
        >>> from typing import Annotated
        >>> from typing_extensions import TypedDict
        >>> class Joke(TypedDict):
        ...     setup: Annotated[str, ..., "The setup"]
        ...     punchline: Annotated[str | None, None, "The punchline"]
        >>> apply_typeddict_defaults({"setup": "Why?"}, Joke)
        {'setup': 'Why?', 'punchline': None}
    """
    return _fill_defaults(instance, td, 0)


def _fill_defaults(value: Any, hint: Any, depth: int) -> Any:
    if depth > 64:
        return value
    hint = _annotated_parts(hint)[0]
    if isinstance(hint, type) and typing_extensions.is_typeddict(hint):
        if not isinstance(value, dict):
            return value
        result = dict(value)
        for name, field_hint in _typeddict_hints(hint).items():
            _, default, _ = _annotated_parts(field_hint)
            if name not in result:
                if default is not _NO_DEFAULT:
                    result[name] = copy.deepcopy(default)
            else:
                result[name] = _fill_defaults(result[name], field_hint, depth + 1)
        return result
    args = [
        a for a in typing_extensions.get_args(hint) if a is not Ellipsis and a is not type(None)
    ]
    origin = typing_extensions.get_origin(hint)
    if isinstance(value, list) and origin in (list, tuple, set, frozenset, Sequence) and args:
        return [_fill_defaults(v, args[0], depth + 1) for v in value]
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _fill_defaults(value, args[0], depth + 1)
    return value
