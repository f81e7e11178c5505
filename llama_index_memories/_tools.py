"""LlamaIndex tools <-> the core's Nova tool calling.

One job: turn ``BaseTool`` objects into core :class:`memories_client.ToolSpec` objects, and read
tool calls back out of a response as ``ToolSelection`` objects. What a ``tool_choice`` means is
decided once, in :func:`memories_client.integration.offered_tools`.

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
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.tools.types import BaseTool

from memories_client import MemoriesInputError, ToolSpec, UnsupportedFeatureError
from memories_client.integration import dialect_for, offered_tools

__all__ = ["NovaToolCalling", "tool_selections", "tool_specs"]


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


class NovaToolCalling:
    """``FunctionCallingLLM``'s tool hooks for Nova (the only family with tools on memories.ai)."""

    if TYPE_CHECKING:
        model: str

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The ``chat`` arguments for a tool-calling turn (used by ``chat_with_tools``).

        ``tool_required=True`` forces some tool (Bedrock ``toolChoice: any``); ``tool_choice``
        may name one tool; either without tools raises, as in LangChain
        (:func:`memories_client.integration.offered_tools`). Families without documented
        tools (all but Nova) raise: memories.ai documents none for them.
        """
        dialect = dialect_for(self.model)
        if not dialect.supports_tools:
            raise UnsupportedFeatureError(dialect.no_tools_message())
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            messages.append(ChatMessage(role=MessageRole.USER, content=user_msg))
        elif user_msg is not None:
            messages.append(user_msg)
        specs, choice = offered_tools(tool_specs(tools), tool_choice, tool_required=tool_required)
        return {"messages": messages, "tools": specs, "tool_choice": choice, **kwargs}

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Keep only the first tool call unless parallel calls were allowed."""
        if allow_parallel_tool_calls:
            return response
        message = response.message
        calls = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
        if len(calls) > 1:
            message.blocks = [
                b for b in message.blocks if not isinstance(b, ToolCallBlock) or b is calls[0]
            ]
            listed = message.additional_kwargs.get("tool_calls")
            if isinstance(listed, list):
                message.additional_kwargs["tool_calls"] = listed[:1]
        return response

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        """The tool calls in a response (its ``ToolCallBlock``s) as ``ToolSelection`` objects.

        Raises:
            ValueError: no tool call, and ``error_on_no_tool_call`` is true.

        Example:
            >>> from llama_index.core.base.llms import types as t
            >>> r = t.ChatResponse(message=t.ChatMessage(role="assistant", blocks=[
            ...     t.ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs={"a": 1})]))
            >>> from llama_index_memories import MemoriesMultiModal
            >>> MemoriesMultiModal(api_key="k").get_tool_calls_from_response(r)[0].tool_kwargs
            {'a': 1}
        """
        selections = tool_selections(response)
        if not selections and error_on_no_tool_call:
            raise ValueError("Expected at least one tool call, but got 0 tool calls.")
        return selections
