"""Tools for Nova: LangChain tools -> ``memories_client.ToolSpec``, and ``tool_choice`` values.

``bind_tools`` binds tools in OpenAI's function format (what LangChain tracing shows and what
``convert_to_openai_tool`` accepts from any source: ``BaseTool``, functions, Pydantic classes,
TypedDicts, JSON Schema dicts, Anthropic tool dicts); the request builder turns them into core
``ToolSpec`` objects, which the Nova dialect sends as ``extra_body.metadata.toolConfig``.

Example:
    >>> def add(a: int, b: int) -> int:
    ...     '''Add two integers.'''
    ...     return a + b
    >>> spec = to_tool_spec(add)
    >>> spec.name, sorted(spec.parameters["properties"])
    ('add', ['a', 'b'])
    >>> normalize_tool_choice("required", ["add"]), normalize_tool_choice(None, ["add"])
    ('any', None)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_tool

import memories_client as mc

__all__ = ["NO_TOOLS", "normalize_tool_choice", "openai_tool", "to_tool_spec"]

NO_TOOLS = "none"
"""The normalized ``tool_choice`` that means "offer no tools"."""


def openai_tool(tool: Any) -> dict[str, Any]:
    """Any LangChain tool description in OpenAI's ``{"type": "function", ...}`` format."""
    if isinstance(tool, mc.ToolSpec):
        return {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": tool.parameters,
            },
        }
    return convert_to_openai_tool(tool)


def to_tool_spec(tool: Any) -> mc.ToolSpec:
    """A core ``ToolSpec`` from any tool description ``convert_to_openai_tool`` accepts."""
    if isinstance(tool, mc.ToolSpec):
        return tool
    function = openai_tool(tool)["function"]
    parameters = function.get("parameters") or {"type": "object", "properties": {}}
    return mc.ToolSpec(
        name=function["name"],
        description=function.get("description") or "",
        parameters=dict(parameters),
    )


def _named(choice: Mapping[str, Any]) -> str | None:
    """The tool name in a dict ``tool_choice``.

    OpenAI (``{"type": "function", "function": {"name"}}``), Anthropic
    (``{"type": "tool", "name"}``) and Bedrock (``{"tool": {"name"}}``) forms are read.
    """
    function = choice.get("function")
    if isinstance(function, Mapping) and isinstance(function.get("name"), str):
        return str(function["name"])
    tool = choice.get("tool")
    if isinstance(tool, Mapping) and isinstance(tool.get("name"), str):
        return str(tool["name"])
    if isinstance(choice.get("name"), str):
        return str(choice["name"])
    kind = choice.get("type")
    if kind in ("auto", "any", "none", "required"):
        return str(kind)
    return None


def normalize_tool_choice(choice: Any, names: Sequence[str]) -> str | None:
    """The core's ``tool_choice`` (``"auto"``, ``"any"``, a tool name) for a LangChain value.

    ``"required"``, ``"any"`` and ``True`` force some tool (``"any"``); ``"none"`` and ``False``
    offer no tools (returns :data:`NO_TOOLS`); ``None`` leaves the choice to the model; a tool
    name (or a dict naming one) forces that tool.

    Raises:
        memories_client.MemoriesInputError: a name that is not among the bound tools, or a
            value of an unknown form.
    """
    if choice is None:
        return None
    if choice is True:
        return "any"
    if choice is False:
        return NO_TOOLS
    if isinstance(choice, Mapping):
        named = _named(choice)
        if named is None:
            raise mc.MemoriesInputError(f"tool_choice {choice!r} names no tool")
        choice = named
    if not isinstance(choice, str):
        raise mc.MemoriesInputError(
            f"tool_choice must be 'auto', 'any', 'required', 'none', a tool name or a bool; "
            f"got {choice!r}"
        )
    if choice in ("any", "required"):
        return "any"
    if choice in ("auto", NO_TOOLS):
        return choice
    if choice not in names:
        raise mc.MemoriesInputError(
            f"tool_choice {choice!r} is not one of the bound tools ({', '.join(names)})"
        )
    return choice
