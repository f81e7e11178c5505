"""``ChatMemoriesNova``: Amazon Nova models through the memories.ai API."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import Field

import memories_client.integration as kit
from langchain_memories._base import _BaseChatMemories
from langchain_memories._convert import openai_tool, to_tool_spec
from langchain_memories._structured import (
    JSON_INSTRUCTION_KEY,
    OutputTarget,
    assemble,
    choose_method,
    ls_format,
    text_parser,
    tool_parser,
)

__all__ = ["ChatMemoriesNova"]


class ChatMemoriesNova(_BaseChatMemories):
    """Amazon Nova (Lite, Pro, Premier, 2 Lite) on memories.ai: text, images, video and tools.

    Images go to the image endpoint (``/iu``) and any request with video to the video endpoint
    (``/vu``), automatically. Tools are sent as Bedrock-style ``toolConfig``; tool calls come back
    in ``AIMessage.tool_calls``, so the model drops into ``create_agent`` and LangGraph.

    Setup: ``pip install "memories-integrations[langchain]"`` and
    ``export MEMORIES_API_KEY=sk-mavi-...`` (or the emulator: ``docs/EMULATOR.md``).

    Args:
        model: model id (alias ``model_name``), default ``us.amazon.nova-lite-v1:0``; the
            ``nova:`` prefix is optional.
        **kwargs: the shared fields: ``api_key``, ``base_url``, ``temperature``,
            ``max_tokens`` (unset: the service's default, 1,000 tokens), ``top_p``,
            ``frequency_penalty``, ``presence_penalty``, ``n``,
            ``stop``, ``timeout``, ``max_retries``, ``http_client``, ``http_async_client``,
            ``default_headers``, ``streaming``, ``stream_usage``, ``rate_limiter``.

    Example:
        >>> from langchain_core.tools import tool
        >>> from memories_emulator import Emulator  # offline; drop it for the real API
        >>> from langchain_memories import ChatMemoriesNova
        >>> @tool
        ... def count_people(minute: int) -> int:
        ...     '''Count the people visible at a minute of the video.'''
        ...     return 3
        >>> with Emulator() as emu:
        ...     llm = ChatMemoriesNova(api_key="test", base_url=emu.base_url)
        ...     msg = llm.bind_tools([count_people]).invoke("Use count_people on minute 2.")
        >>> msg.tool_calls[0]["name"], msg.tool_calls[0]["args"]
        ('count_people', {'minute': 2})
    """

    _family: ClassVar[str] = "nova"
    _family_options: ClassVar[frozenset[str]] = kit.call_options("nova")

    model: str = Field(default="us.amazon.nova-lite-v1:0", alias="model_name")
    """Model id, with or without the ``nova:`` prefix."""

    def _tool_fields(self, options: dict[str, Any]) -> dict[str, Any]:
        tools = options.pop("tools", None)
        specs = [to_tool_spec(t) for t in tools] if tools else None
        offered, choice = kit.offered_tools(specs, options.pop("tool_choice", None))
        return {"tools": offered, "tool_choice": choice} if offered else {}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | bool | dict[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Offer tools to the model (sent as ``extra_body.metadata.toolConfig``).

        Args:
            tools: ``BaseTool`` objects, functions, Pydantic classes, TypedDicts or
                OpenAI/Anthropic/JSON Schema tool dicts.
            tool_choice: ``None`` (the model decides), ``"auto"``, ``"any"`` / ``"required"`` /
                ``True`` (must call some tool), a tool name (must call that one), or
                ``"none"`` / ``False`` (offer no tools).
            parallel_tool_calls: accepted for compatibility; Nova decides this itself.
            strict: accepted for compatibility; arguments are not schema-enforced by the API.
            **kwargs: further per-call options to bind (``temperature=...``).

        Returns:
            A runnable that calls the model with the tools.

        Raises:
            memories_client.MemoriesInputError: a ``tool_choice`` naming an unbound tool, or
                forcing a tool when ``tools`` is empty.

        Example:
            >>> from memories_emulator import Emulator
            >>> def get_weather(city: str) -> str:
            ...     '''Weather in a city.'''
            ...     return "sunny"
            >>> with Emulator() as emu:
            ...     llm = ChatMemoriesNova(api_key="test", base_url=emu.base_url)
            ...     msg = llm.bind_tools([get_weather], tool_choice="get_weather").invoke("Paris?")
            >>> msg.tool_calls[0]["name"]
            'get_weather'
        """
        formatted = [openai_tool(t) for t in tools]
        # The core's rule, run now so a bad choice fails at bind time, not at the first call.
        offered, choice = kit.offered_tools([to_tool_spec(f) for f in formatted], tool_choice)
        if not offered:
            return self.bind(**kwargs)
        return self.bind(tools=formatted, tool_choice=choice, **kwargs)

    def with_structured_output(
        self,
        schema: Mapping[str, Any] | type | None = None,
        *,
        method: Literal["function_calling", "json_mode", "json_schema"] | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """A runnable that answers with an object matching ``schema``.

        Args:
            schema: a Pydantic model class (v2 or v1), a TypedDict class or a JSON Schema dict.
            method: ``"function_calling"`` (default): the schema is offered as a forced tool
                and its arguments are the answer. ``"json_mode"``: the schema goes into a
                system instruction (in a fenced ```json block) and the JSON answer is
                validated. ``"json_schema"`` has no native Nova form and falls back to
                ``"function_calling"`` with a warning.
            include_raw: return ``{"raw": AIMessage, "parsed": ..., "parsing_error": ...}``
                instead of raising on an answer that does not parse.
            strict: accepted for compatibility; the answer is always validated strictly.
            **kwargs: not accepted (raises ``TypeError``).

        Returns:
            A runnable producing the parsed object.

        Example:
            >>> from typing_extensions import TypedDict
            >>> from memories_emulator import Emulator
            >>> class Count(TypedDict):
            ...     people: int
            >>> with Emulator() as emu:
            ...     llm = ChatMemoriesNova(api_key="test", base_url=emu.base_url)
            ...     count = llm.with_structured_output(Count).invoke("How many people?")
            >>> count
            {'people': 2}
        """
        if kwargs:
            raise TypeError(f"unexpected arguments: {', '.join(sorted(kwargs))}")
        chosen = choose_method(method, ("function_calling", "json_mode"), type(self).__name__)
        if chosen == "function_calling" and schema is None:
            chosen = "json_mode"
        target = OutputTarget(schema)
        fmt = ls_format(chosen, target, strict)
        if chosen == "function_calling":
            llm = self.bind_tools(
                [schema],  # type: ignore[list-item]
                tool_choice=target.tool_name,
                ls_structured_output_format=fmt,
            )
            return assemble(llm, tool_parser(target), include_raw=include_raw)
        llm = self.bind(
            ls_structured_output_format=fmt, **{JSON_INSTRUCTION_KEY: target.json_schema}
        )
        return assemble(llm, text_parser(target), include_raw=include_raw)
