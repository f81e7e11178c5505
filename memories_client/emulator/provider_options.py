"""Checks of the provider options a request carries in ``extra_body.metadata``.

Gemini (and Qwen) take ``thinking_config``, ``response_mime_type`` and ``responseSchema`` (in
Google's uppercase Schema dialect); Nova (and GPT) take a Bedrock-style ``toolConfig``.

Example:
    >>> gemini_options({"response_mime_type": "application/json"}).json_mime
    True
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from memories_client.emulator.answers import ToolSpec
from memories_client.emulator.checks import bad, is_int

__all__ = ["GeminiOptions", "gemini_options", "merged_metadata", "tool_config"]

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_JSON_MIME_TYPES = frozenset({"application/json", "json_schema"})
_MIME_TYPES = frozenset({"text/plain", "application/json", "json_schema", "text/x.enum"})

_GEMINI_TYPES = frozenset({"OBJECT", "ARRAY", "STRING", "INTEGER", "NUMBER", "BOOLEAN"})
# Fields of Google's Schema message. Anything else (anyOf, $ref, $defs, additionalProperties,
# lowercase JSON Schema keywords ...) is refused the way Google refuses unknown JSON fields.
_GEMINI_SCHEMA_KEYS = frozenset(
    {
        "type",
        "format",
        "title",
        "description",
        "nullable",
        "enum",
        "properties",
        "required",
        "items",
        "propertyOrdering",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "pattern",
        "example",
        "default",
        "minProperties",
        "maxProperties",
    }
)
_GOOGLE = "Invalid JSON payload received."
_SCHEMA_ROOT = "generation_config.response_schema"


def merged_metadata(data: Mapping[str, Any]) -> dict[str, Any]:
    """The request's provider options: top-level ``metadata`` overlaid by ``extra_body.metadata``.

    Example:
        >>> merged_metadata({"metadata": {"a": 1, "b": 1}, "extra_body": {"metadata": {"b": 2}}})
        {'a': 1, 'b': 2}
    """
    top = data.get("metadata")
    if top is not None and not isinstance(top, dict):
        raise bad("metadata must be an object")
    extra = data.get("extra_body")
    if extra is not None and not isinstance(extra, dict):
        raise bad("extra_body must be an object")
    inner = extra.get("metadata") if extra else None
    if inner is not None and not isinstance(inner, dict):
        raise bad("extra_body.metadata must be an object")
    # OpenAI SDKs merge their extra_body into the top level, so "metadata" may arrive there;
    # the documented literal extra_body.metadata wins key by key.
    return {**(top or {}), **(inner or {})}


def _check_gemini_schema(schema: Any, where: str = _SCHEMA_ROOT) -> None:
    if not isinstance(schema, dict):
        raise bad(f"{_GOOGLE} Invalid value at '{where}': a schema must be an object")
    for key in schema:
        if key not in _GEMINI_SCHEMA_KEYS:
            raise bad(f"{_GOOGLE} Unknown name \"{key}\" at '{where}': Cannot find field.")
    kind = schema.get("type")
    if kind is None:
        raise bad(f"{_GOOGLE} {where}.type: must be specified")
    if kind not in _GEMINI_TYPES:
        raise bad(
            f"{_GOOGLE} Invalid value at '{where}.type' "
            f"(type.googleapis.com/google.cloud.aiplatform.v1.Type), {json.dumps(kind)}"
        )
    for key in ("description", "format", "title", "pattern"):
        if key in schema and not isinstance(schema[key], str):
            raise bad(f"{_GOOGLE} Invalid value at '{where}.{key}': expected a string")
    if "nullable" in schema and not isinstance(schema["nullable"], bool):
        raise bad(f"{_GOOGLE} Invalid value at '{where}.nullable': expected a boolean")
    if "enum" in schema:
        enum = schema["enum"]
        if kind != "STRING":
            raise bad(f"{_GOOGLE} {where}.enum: only allowed for STRING type")
        if not isinstance(enum, list) or not enum or not all(isinstance(e, str) for e in enum):
            raise bad(f"{_GOOGLE} Invalid value at '{where}.enum': expected strings")
    properties = schema.get("properties")
    if properties is not None and kind != "OBJECT":
        raise bad(f"{_GOOGLE} {where}.properties: only allowed for OBJECT type")
    if kind == "OBJECT":
        if not isinstance(properties, dict) or not properties:
            raise bad(f"{_GOOGLE} {where}.properties: should be non-empty for OBJECT type")
        for name, sub in properties.items():
            _check_gemini_schema(sub, f"{where}.properties[{name}]")
        for key in ("required", "propertyOrdering"):
            names = schema.get(key, [])
            if not isinstance(names, list):
                raise bad(f"{_GOOGLE} Invalid value at '{where}.{key}': expected an array")
            for k, name in enumerate(names):
                if not isinstance(name, str) or name not in properties:
                    raise bad(f"{_GOOGLE} {where}.{key}[{k}]: property is not defined")
    if kind == "ARRAY":
        if "items" not in schema:
            raise bad(f"{_GOOGLE} {where}.items: missing field.")
        _check_gemini_schema(schema["items"], f"{where}.items")
    elif "items" in schema:
        raise bad(f"{_GOOGLE} {where}.items: only allowed for ARRAY type")


@dataclass(slots=True)
class GeminiOptions:
    """Gemini's options from ``extra_body.metadata``, checked.

    Attributes:
        thinking_budget: ``thinking_config.thinking_budget``, or ``None``.
        json_mime: True if ``response_mime_type`` asks for JSON.
        response_schema: ``responseSchema``, or ``None``.

    Example:
        >>> GeminiOptions(None, False, None).json_mime
        False
    """

    thinking_budget: int | None
    json_mime: bool
    response_schema: dict[str, Any] | None


def gemini_options(metadata: Mapping[str, Any]) -> GeminiOptions:
    """Check Gemini's options; a ``responseSchema`` is held to Google's Schema message.

    Raises:
        ApiError: An option the service refuses (Google's wording for schema errors).

    Example:
        >>> gemini_options({"thinking_config": {"thinking_budget": 0}}).thinking_budget
        0
    """
    where = "extra_body.metadata"
    budget: int | None = None
    thinking = metadata.get("thinking_config")
    if thinking is not None:
        if not isinstance(thinking, dict):
            raise bad(f"{where}.thinking_config must be an object")
        budget = thinking.get("thinking_budget")
        if budget is not None and (not is_int(budget) or budget < -1):
            raise bad(f"{where}.thinking_config.thinking_budget must be an integer >= -1")
    mime = metadata.get("response_mime_type")
    if mime is not None and (not isinstance(mime, str) or mime not in _MIME_TYPES):
        raise bad(
            f"{where}.response_mime_type must be one of {', '.join(sorted(_MIME_TYPES))}; "
            f"got {mime!r}"
        )
    schema = metadata.get("responseSchema")
    if schema is not None:
        _check_gemini_schema(schema)
    return GeminiOptions(budget, mime in _JSON_MIME_TYPES, schema)


def tool_config(
    value: Any,
) -> tuple[tuple[ToolSpec, ...], tuple[str, str | None] | None]:
    """Check Nova's ``toolConfig``; return its tools and ``toolChoice`` (``None`` if absent).

    Example:
        >>> tools, choice = tool_config({"tools": [{"toolSpec": {
        ...     "name": "get_weather", "inputSchema": {"json": {"type": "object"}}}}],
        ...     "toolChoice": {"auto": {}}})
        >>> tools[0].name, choice
        ('get_weather', ('auto', None))
    """
    where = "extra_body.metadata.toolConfig"
    if value is None:
        return (), None
    if not isinstance(value, dict):
        raise bad(f"{where} must be an object")
    tools = value.get("tools")
    if not isinstance(tools, list) or not tools:
        raise bad(f"{where}.tools must be a non-empty array")
    specs: list[ToolSpec] = []
    for i, tool in enumerate(tools):
        at = f"{where}.tools[{i}]"
        spec = tool.get("toolSpec") if isinstance(tool, dict) else None
        if not isinstance(spec, dict):
            raise bad(f"{at} must be an object with a 'toolSpec' object")
        name = spec.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            raise bad(f"{at}.toolSpec.name must be 1-64 characters of [A-Za-z0-9_-]")
        if any(existing.name == name for existing in specs):
            raise bad(f"{at}.toolSpec.name {name!r} is declared twice")
        description = spec.get("description", "")
        if "description" in spec and (not isinstance(description, str) or not description):
            raise bad(f"{at}.toolSpec.description must be a non-empty string")
        input_schema = spec.get("inputSchema")
        schema = input_schema.get("json") if isinstance(input_schema, dict) else None
        if not isinstance(schema, dict):
            raise bad(f'{at}.toolSpec.inputSchema must be {{"json": <JSON Schema object>}}')
        if schema.get("type", "object") != "object":
            raise bad(f"{at}.toolSpec.inputSchema.json.type must be 'object'")
        specs.append(ToolSpec(name, schema, description))
    choice = value.get("toolChoice")
    if choice is None:
        return tuple(specs), None
    shape_error = f'{where}.toolChoice must be {{"auto": {{}}}}, {{"any": {{}}}} or {{"tool": ...}}'
    if not isinstance(choice, dict) or len(choice) != 1:
        raise bad(shape_error)
    ((mode, option),) = choice.items()
    if mode not in ("auto", "any", "tool") or not isinstance(option, dict):
        raise bad(shape_error)
    if mode != "tool":
        return tuple(specs), (mode, None)
    name = option.get("name")
    if not isinstance(name, str) or all(spec.name != name for spec in specs):
        raise bad(f"{where}.toolChoice.tool.name must name one of the declared tools")
    return tuple(specs), ("tool", name)
