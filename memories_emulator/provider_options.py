"""Checks of the provider options a request carries in ``extra_body.metadata`` (and GPT's one).

Gemini takes ``thinking_config``, ``response_mime_type`` and ``responseSchema`` (in Google's
uppercase Schema dialect); Nova a Bedrock-style ``toolConfig``; Qwen ``enable_thinking``,
``thinking_budget`` and a ``response_format`` of type ``json_schema`` with a lowercase JSON
Schema; GPT a top-level ``response_format`` of type ``json_object`` (OpenAI's JSON mode).

Example:
    >>> gemini_options({"response_mime_type": "application/json"}).json_mime
    True
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from memories_emulator.answers import ToolSpec
from memories_emulator.checks import bad, is_int

__all__ = [
    "GeminiOptions",
    "QwenOptions",
    "gemini_options",
    "gpt_json_mode",
    "merged_metadata",
    "qwen_options",
    "tool_config",
]

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SCHEMA_NAME = _TOOL_NAME  # OpenAI's rule for json_schema names, which DashScope follows
_JSON_SCHEMA_TYPES = frozenset(
    {"object", "array", "string", "integer", "number", "boolean", "null"}
)
# JSON Schema keywords whose values are schemas, or maps / lists of schemas.
_SUBSCHEMA = frozenset({"items", "additionalProperties", "not", "contains", "if", "then", "else"})
_SCHEMA_MAPS = frozenset({"properties", "$defs", "definitions", "patternProperties"})
_SCHEMA_LISTS = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
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


@dataclass(slots=True)
class QwenOptions:
    """Qwen's options from ``extra_body.metadata``, checked.

    Attributes:
        enable_thinking: ``enable_thinking``, or ``None``.
        thinking_budget: ``thinking_budget``, or ``None``.
        json_schema: the JSON Schema of ``response_format.json_schema.schema``, or ``None``.

    Example:
        >>> QwenOptions(None, None, None).json_schema is None
        True
    """

    enable_thinking: bool | None
    thinking_budget: int | None
    json_schema: dict[str, Any] | None


def _check_json_schema(node: Any, where: str) -> dict[str, Any]:
    """Refuse what is not a plain (lowercase) JSON Schema: Gemini's uppercase types above all."""
    if not isinstance(node, dict):
        raise bad(f"{where} must be a JSON Schema object")
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    for value in kinds:
        if value not in _JSON_SCHEMA_TYPES:
            raise bad(
                f"{where}.type {value!r} is not a JSON Schema type (lowercase: "
                f"{', '.join(sorted(_JSON_SCHEMA_TYPES))})"
            )
    for key, value in node.items():
        if key in _SUBSCHEMA and isinstance(value, dict):
            _check_json_schema(value, f"{where}.{key}")
        elif key in _SCHEMA_MAPS:
            if not isinstance(value, dict):
                raise bad(f"{where}.{key} must be an object")
            for name, sub in value.items():
                _check_json_schema(sub, f"{where}.{key}.{name}")
        elif key in _SCHEMA_LISTS:
            if not isinstance(value, list):
                raise bad(f"{where}.{key} must be an array")
            for k, sub in enumerate(value):
                _check_json_schema(sub, f"{where}.{key}[{k}]")
    return node


def qwen_options(metadata: Mapping[str, Any]) -> QwenOptions:
    """Check Qwen's options (the Qwen VLM/ILM pages' ``extra_body.metadata``).

    Raises:
        ApiError: An option the service refuses.

    Example:
        >>> qwen_options({"enable_thinking": True, "thinking_budget": 128}).thinking_budget
        128
        >>> qwen_options({"response_format": {"type": "json_schema", "json_schema": {
        ...     "name": "scene", "schema": {"type": "object"}}}}).json_schema
        {'type': 'object'}
    """
    where = "extra_body.metadata"
    enable = metadata.get("enable_thinking")
    if enable is not None and not isinstance(enable, bool):
        raise bad(f"{where}.enable_thinking must be a boolean")
    budget = metadata.get("thinking_budget")
    if budget is not None and (not is_int(budget) or budget < 1):
        raise bad(f"{where}.thinking_budget must be a positive integer")
    fmt = metadata.get("response_format")
    if fmt is None:
        return QwenOptions(enable, budget, None)
    at = f"{where}.response_format"
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        raise bad(f'{at} must be {{"type": "json_schema", "json_schema": {{...}}}} (the Qwen docs)')
    spec = fmt.get("json_schema")
    if not isinstance(spec, dict):
        raise bad(f"{at}.json_schema must be an object with 'name' and 'schema'")
    name = spec.get("name")
    if not isinstance(name, str) or not _SCHEMA_NAME.match(name):
        raise bad(f"{at}.json_schema.name must be 1-64 characters of [A-Za-z0-9_-]")
    schema = _check_json_schema(spec.get("schema"), f"{at}.json_schema.schema")
    if schema.get("type") != "object":
        raise bad(f"{at}.json_schema.schema must describe an object (type 'object' at the root)")
    return QwenOptions(enable, budget, schema)


def _mentions_json(texts: Iterable[str]) -> bool:
    return any("json" in text.lower() for text in texts)


def gpt_json_mode(data: Mapping[str, Any], texts: Iterable[str]) -> bool:
    """Check GPT's top-level ``response_format``; True for JSON mode (``json_object``).

    OpenAI refuses JSON mode unless the messages mention JSON, with the message below.

    Raises:
        ApiError: a ``response_format`` the GPT page does not document, or JSON mode without
            the word "json" in the messages.

    Example:
        >>> gpt_json_mode({"response_format": {"type": "json_object"}}, ["Reply in JSON"])
        True
    """
    fmt = data.get("response_format")
    if fmt is None:
        return False
    if not isinstance(fmt, dict) or fmt.get("type") not in ("text", "json_object"):
        raise bad(
            'response_format must be {"type": "json_object"} (the GPT docs) or {"type": "text"}'
        )
    if fmt["type"] == "text":
        return False
    if not _mentions_json(texts):
        raise bad(
            "'messages' must contain the word 'json' in some form, to use 'response_format' of "
            "type 'json_object'."
        )
    return True
