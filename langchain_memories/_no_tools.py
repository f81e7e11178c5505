"""Tool calling where the docs show none (Gemini, Qwen, GPT): refused, saying who has it.

One job: ``bind_tools`` and per-call ``tools=`` raise the core's
:class:`~memories_client.UnsupportedFeatureError` with the dialect's message (which names the
families that have tools), while the empty ``bind_tools([])`` that ``create_agent`` makes for an
agent without tools still works.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool

import memories_client as mc
import memories_client.integration as kit
from langchain_memories._base import _BaseChatMemories

__all__ = ["WithoutTools"]


class WithoutTools(_BaseChatMemories):
    """A chat class whose family has no documented tool calling."""

    def _no_tools(self) -> mc.UnsupportedFeatureError:
        message = kit.dialect_for(self._full_model).no_tools_message()
        return mc.UnsupportedFeatureError(
            f"{message} (ChatMemoriesNova in LangChain), or with_structured_output() for "
            "structured answers"
        )

    def _tool_fields(self, options: dict[str, Any]) -> dict[str, Any]:
        if options.pop("tools", None):
            raise self._no_tools()
        # No tools, so a choice that forces one is refused, as on every family and layer.
        kit.offered_tools(None, options.pop("tool_choice", None))
        return {}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Not supported: the memories.ai docs show tool calling for Nova models only.

        An empty ``tools`` list is accepted (``create_agent`` binds one when the agent has no
        tools) and binds only ``kwargs``. ``strict`` is accepted for the same reason
        (langchain 1.0 to 1.2 pass ``strict=True`` with a ``response_format``): with no tools it
        has nothing to apply to, and a bound ``response_format`` is enforced by the family's
        own structured output and validated strictly on the way back whatever its value.

        Raises:
            memories_client.UnsupportedFeatureError: when any tool is given (a
                ``NotImplementedError`` and a ``ValueError``, as from a call with ``tools=``).

        Example:
            >>> from langchain_memories import ChatMemoriesQwen
            >>> def add(a: int, b: int) -> int:
            ...     '''Add two integers.'''
            ...     return a + b
            >>> ChatMemoriesQwen(api_key="test").bind_tools([add])
            Traceback (most recent call last):
            ...
            memories_client.errors.UnsupportedFeatureError: tool calling is not supported for \
Qwen models on memories.ai (the API documents tools for Nova only); use a Nova model for tools \
(ChatMemoriesNova in LangChain), or with_structured_output() for structured answers
        """
        if tools:
            raise self._no_tools()
        kit.offered_tools(None, tool_choice)
        return self.bind(**kwargs)
