"""LlamaIndex tools <-> the core's Nova tool calling.

One job: turn ``BaseTool`` objects into core :class:`memories_client.ToolSpec` objects, and read
tool calls back out of a response as ``ToolSelection`` objects. What a ``tool_choice`` means is
decided once, in :func:`memories_client.normalize_tool_choice`.

Example:
    >>> from llama_index.core.tools import FunctionTool
    >>> def add(a: int, b: int) -> int:
    ...     '''Add two integers.'''
    ...     return a + b
    >>> spec = tool_specs([FunctionTool.from_defaults(add)])[0]
    >>> spec.name, sorted(spec.parameters["properties"])
    ('add', ['a', 'b'])
"""

from __future__ import annotations

from collections.abc import Sequence

from llama_index.core.base.llms.types import ChatResponse, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.tools.types import BaseTool

from memories_client import MemoriesInputError, ToolSpec

__all__ = ["tool_selections", "tool_specs"]


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
