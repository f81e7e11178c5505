"""``ChatMemoriesGPT``: OpenAI GPT models through the memories.ai API (images and text)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from langchain_core.language_models import LanguageModelInput
from langchain_core.runnables import Runnable
from pydantic import Field, field_validator

import memories_client.integration as kit
from langchain_memories._base import _BaseChatMemories
from langchain_memories._structured import (
    JSON_INSTRUCTION_KEY,
    OutputTarget,
    assemble,
    choose_method,
    ls_format,
    schema_field,
    text_parser,
)

__all__ = ["ChatMemoriesGPT"]

_JSON = "application/json"


class ChatMemoriesGPT(_BaseChatMemories):
    """OpenAI GPT models (GPT-5, GPT-4.1, GPT-4o, o-series) on memories.ai: text and images.

    The service serves GPT on its image endpoint only: images go by ``http(s)`` URL or as bytes
    (a ``data:`` URI), and video is refused before sending, naming the families that take it.
    JSON mode is OpenAI's ``response_format: {"type": "json_object"}``; structured output is
    JSON mode with the schema in the system message (the core's GPT dialect puts it there),
    validated strictly. Usage carries the
    full OpenAI details: cached input tokens in ``usage_metadata["input_token_details"]
    ["cache_read"]`` and reasoning tokens in ``output_token_details["reasoning"]``. The docs
    show no tool calling for GPT, so :meth:`bind_tools` raises.

    Setup: ``pip install "memories-integrations[langchain]"`` and
    ``export MEMORIES_API_KEY=sk-mavi-...`` (or the emulator: ``docs/EMULATOR.md``).

    Args:
        model: model id (alias ``model_name``), default ``gpt-4o``; the ``gpt:`` prefix is
            optional.
        response_mime_type: ``application/json`` for JSON mode (the messages must then say
            "JSON", OpenAI's rule); also per call.
        response_schema: a JSON Schema (or a Pydantic model / TypedDict) the answer must
            follow: sent as JSON mode with the schema in the system message; also per call.
        **kwargs: the shared fields: ``api_key``, ``base_url``, ``temperature``,
            ``max_tokens`` (unset: the service's default, 1,000 tokens), ``top_p``,
            ``frequency_penalty``, ``presence_penalty``, ``n``,
            ``stop``, ``timeout``, ``max_retries``, ``http_client``, ``http_async_client``,
            ``default_headers``, ``streaming``, ``stream_usage``, ``rate_limiter``.

    Example:
        >>> from langchain_core.messages import HumanMessage
        >>> from memories_emulator import Emulator  # offline; drop it for the real API
        >>> from langchain_memories import ChatMemoriesGPT
        >>> with Emulator() as emu:
        ...     llm = ChatMemoriesGPT(api_key="test", base_url=emu.base_url)
        ...     msg = llm.invoke([HumanMessage(content=[
        ...         {"type": "text", "text": "What is in this picture?"},
        ...         {"type": "image", "url": "https://storage.googleapis.com/bucket/photo.png"},
        ...     ])])
        >>> "1 image(s)" in msg.text, msg.usage_metadata["input_token_details"]
        (True, {'cache_read': 0})
    """

    _family: ClassVar[str] = "gpt"
    _family_options: ClassVar[frozenset[str]] = kit.call_options("gpt")

    model: str = Field(default="gpt-4o", alias="model_name")
    """Model id, with or without the ``gpt:`` prefix."""
    response_mime_type: str | None = None
    """``application/json`` for JSON mode (OpenAI's ``response_format: json_object``)."""
    response_schema: dict[str, Any] | None = None
    """JSON Schema the answer must follow (JSON mode, the schema in the system message)."""

    @field_validator("response_schema", mode="before")
    @classmethod
    def _schema_to_dict(cls, value: Any) -> Any:
        return schema_field(value)

    def _json_fields(
        self, schema: Mapping[str, Any] | None, *, native: bool
    ) -> tuple[dict[str, Any], Mapping[str, Any] | None]:
        # GPT documents JSON mode only: a schema is sent as response_schema, which the core
        # turns into JSON mode with the schema in the system message; plain JSON mode gets the
        # generic instruction, which also satisfies OpenAI's rule that the messages say JSON.
        if schema is not None:
            return {"response_schema": dict(schema)}, None
        return {"response_mime_type": _JSON}, None

    def with_structured_output(
        self,
        schema: Mapping[str, Any] | type | None = None,
        *,
        method: Literal["json_mode", "json_schema", "function_calling"] | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """A runnable that answers with an object matching ``schema``.

        Args:
            schema: a Pydantic model class (v2 or v1), a TypedDict class, a JSON Schema dict,
                or None for any JSON object.
            method: ``"json_mode"`` (the only one, and the default): OpenAI's JSON mode with
                the schema in the system message. ``"json_schema"`` and
                ``"function_calling"`` are not documented for GPT on memories.ai and fall back
                to ``"json_mode"`` with a warning.
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
            ...     llm = ChatMemoriesGPT(api_key="test", base_url=emu.base_url)
            ...     count = llm.with_structured_output(Count).invoke("How many people?")
            >>> count, emu.requests[-1].body["response_format"]
            ({'people': 2}, {'type': 'json_object'})
        """
        if kwargs:
            raise TypeError(f"unexpected arguments: {', '.join(sorted(kwargs))}")
        chosen = choose_method(method, ("json_mode",), type(self).__name__)
        target = OutputTarget(schema)
        options: dict[str, Any] = {"ls_structured_output_format": ls_format(chosen, target, strict)}
        if target.json_schema is not None:
            options["response_schema"] = target.json_schema
        else:  # any JSON object: JSON mode and the generic instruction
            options.update({"response_mime_type": _JSON, JSON_INSTRUCTION_KEY: None})
        return assemble(self.bind(**options), text_parser(target), include_raw=include_raw)
