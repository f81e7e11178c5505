"""JSON answers without native structured output: the instruction, ``response_format``, fences.

One job: what a chat model does when JSON is asked for in the prompt rather than through a
native schema (Nova; Gemini's ``json_mode``; a ``response_format`` that ``create_agent`` binds):
the system instruction that asks for it, reading OpenAI-style ``response_format`` values, and
returning bare JSON text when the model wrapped it in Markdown fences.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import memories_client as mc
import memories_client.integration as kit

__all__ = [
    "JSON_INSTRUCTION_KEY",
    "bare_json",
    "json_instruction",
    "read_response_format",
    "with_instruction",
]

JSON_INSTRUCTION_KEY = "json_instruction_schema"
"""Per-call option: a JSON Schema to ask for in a system instruction (prompted JSON)."""


json_instruction = kit.json_instruction
"""The system instruction that asks for JSON (the core's, shared with GPT's JSON mode)."""
with_instruction = kit.with_instruction
"""Add an instruction to the leading system message (the core's)."""


def bare_json(text: str) -> str:
    """``text`` as bare JSON if it is JSON (fenced or not); unchanged otherwise."""
    try:
        return json.dumps(kit.parse_json_output(text), ensure_ascii=False)
    except (mc.JSONOutputError, mc.MemoriesInputError):
        return text


def read_response_format(value: Any) -> tuple[Mapping[str, Any] | None, bool]:
    """Read an OpenAI-style ``response_format`` (what ``create_agent`` binds).

    Returns:
        The JSON Schema (None for plain JSON mode) and whether it asked for a schema natively.
    """
    if isinstance(value, Mapping):
        kind = value.get("type")
        if kind == "json_object":
            return None, False
        if kind == "json_schema" and isinstance(value.get("json_schema"), Mapping):
            schema = value["json_schema"].get("schema")
            if isinstance(schema, Mapping):
                return schema, True
    raise mc.MemoriesInputError(
        "response_format must be {'type': 'json_object'} or {'type': 'json_schema', "
        "'json_schema': {'name': ..., 'schema': {...}}}"
    )
