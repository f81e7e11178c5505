"""Tools for Nova: LangChain tools -> ``memories_client.ToolSpec``.

``bind_tools`` binds tools in OpenAI's function format (what LangChain tracing shows and what
``convert_to_openai_tool`` accepts from any source: ``BaseTool``, functions, Pydantic classes,
TypedDicts, JSON Schema dicts, Anthropic tool dicts); the request builder turns them into core
``ToolSpec`` objects, which the Nova dialect sends as ``extra_body.metadata.toolConfig``.
What a ``tool_choice`` means is decided once, in :func:`memories_client.integration.offered_tools`.

Example:
    >>> def add(a: int, b: int) -> int:
    ...     '''Add two integers.'''
    ...     return a + b
    >>> spec = to_tool_spec(add)
    >>> spec.name, sorted(spec.parameters["properties"])
    ('add', ['a', 'b'])
"""

from __future__ import annotations

from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_tool

import memories_client as mc

__all__ = ["openai_tool", "to_tool_spec"]


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
