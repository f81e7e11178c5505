"""LlamaIndex tools <-> the core's Nova tool calling.

One job: turn ``BaseTool`` objects and LlamaIndex's ``tool_choice`` / ``tool_required`` options
into core :class:`memories_client.ToolSpec` objects and a core ``tool_choice`` (``"auto"``,
``"any"`` or a tool name, sent as Bedrock's ``toolChoice`` inside ``toolConfig``), and read tool
calls back out of a response as ``ToolSelection`` objects.

Example:
    >>> from llama_index.core.tools import FunctionTool
    >>> def add(a: int, b: int) -> int:
    ...     '''Add two integers.'''
    ...     return a + b
    >>> spec = tool_specs([FunctionTool.from_defaults(add)])[0]
    >>> spec.name, sorted(spec.parameters["properties"])
    ('add', ['a', 'b'])
    >>> core_tool_choice(None, tool_required=True), core_tool_choice({"function": {"name": "add"}})
    ('any', 'add')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.types import ChatResponse, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.tools.types import BaseTool

from memories_client import MemoriesInputError, ToolSpec

__all__ = ["core_tool_choice", "tool_selections", "tool_specs"]


def tool_specs(tools: Sequence[BaseTool | ToolSpec]) -> list[ToolSpec]:
    """Core tool specs for LlamaIndex tools (ready-made ``ToolSpec`` objects pass through)."""
    specs: list[ToolSpec] = []
    for tool in tools:
        if isinstance(tool, ToolSpec):
            specs.append(tool)
            continue
        if not isinstance(tool, BaseTool):
            raise MemoriesInputError(
                f"tools must be LlamaIndex tools (BaseTool), got {type(tool).__name__}"
            )
        meta = tool.metadata
        specs.append(
            ToolSpec(
                name=meta.get_name(),
                description=meta.description or meta.get_name(),
                parameters=meta.get_parameters_dict(),
            )
        )
    return specs


def core_tool_choice(choice: Any, *, tool_required: bool = False) -> str | None:
    """The core ``tool_choice`` for LlamaIndex's ``tool_choice`` and ``tool_required``.

    ``None`` / ``"auto"`` let the model decide (``"any"`` when ``tool_required``);
    ``"required"`` / ``"any"`` force some tool; a name, ``{"name": ...}`` or the OpenAI form
    ``{"type": "function", "function": {"name": ...}}`` force that tool. ``"none"`` returns
    ``"none"``: the caller then sends no tools at all (Bedrock has no "none" choice).
    """
    if choice is None:
        return "any" if tool_required else None
    if isinstance(choice, Mapping):
        fn = choice.get("function")
        name = (fn if isinstance(fn, Mapping) else choice).get("name")
        if isinstance(name, str) and name:
            return name
        raise MemoriesInputError(f"cannot read a tool name from tool_choice={dict(choice)!r}")
    if not isinstance(choice, str) or not choice:
        raise MemoriesInputError(f"tool_choice must be a string or a dict, got {choice!r}")
    lowered = choice.lower()
    if lowered in ("required", "any"):
        return "any"
    if lowered == "auto":
        return "any" if tool_required else "auto"
    if lowered == "none":
        return "none"
    return choice


def tool_selections(response: ChatResponse) -> list[ToolSelection]:
    """The tool calls in a response (its ``ToolCallBlock``s) as ``ToolSelection`` objects."""
    selections: list[ToolSelection] = []
    for block in response.message.blocks:
        if isinstance(block, ToolCallBlock):
            kwargs = block.tool_kwargs
            selections.append(
                ToolSelection(
                    tool_id=block.tool_call_id or f"call_{len(selections)}",
                    tool_name=block.tool_name,
                    tool_kwargs=kwargs if isinstance(kwargs, dict) else {"input": kwargs},
                )
            )
    return selections
