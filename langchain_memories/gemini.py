"""``ChatMemoriesGemini``: Gemini models through the memories.ai API."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from langchain_core.language_models import LanguageModelInput
from langchain_core.runnables import Runnable
from pydantic import Field, field_validator

import memories_client as mc
import memories_client.integration as kit
from langchain_memories._base import _BaseChatMemories
from langchain_memories._structured import native_schema_output, schema_field

__all__ = ["ChatMemoriesGemini"]


class ChatMemoriesGemini(_BaseChatMemories):
    """Gemini (2.5 Flash, 2.5 Pro, 3 Pro ...) on memories.ai: text, images, video and PDFs.

    Video is passed to the service by URL and never downloaded; images and PDFs may be URLs or
    base64. Structured output uses Gemini's native ``responseSchema`` (Optional, nested models,
    lists and enums included). Gemini on memories.ai has no tool calling: :meth:`bind_tools`
    raises; use :class:`~langchain_memories.ChatMemoriesNova` for tools.

    Setup: ``pip install "memories-integrations[langchain]"`` and
    ``export MEMORIES_API_KEY=sk-mavi-...`` (or the emulator: ``docs/EMULATOR.md``).

    Args:
        model: model id (alias ``model_name``), default ``gemini-2.5-flash``; the ``gemini:``
            prefix is optional.
        thinking_budget: Gemini thinking tokens (0 turns thinking off, -1 lets the model
            decide); also per call: ``invoke(..., thinking_budget=0)``. Each model's own range
            is checked before sending (2.5 Pro: 128 to 32768, never 0; 2.5 Flash: 0 to
            24576; 2.5 Flash-Lite: 512 to 24576 or 0).
        response_schema: a JSON Schema (or a Pydantic model / TypedDict) the answer must
            follow, sent as ``responseSchema``.
        response_mime_type: e.g. ``application/json`` for JSON mode.
        **kwargs: the shared fields: ``api_key``, ``base_url``, ``temperature``,
            ``max_tokens`` (unset: the service's default, 1,000 tokens), ``top_p``,
            ``frequency_penalty``, ``presence_penalty``, ``n``,
            ``stop``, ``timeout``, ``max_retries``, ``http_client``, ``http_async_client``,
            ``default_headers``, ``streaming``, ``stream_usage``, ``rate_limiter``.

    Example:
        >>> from langchain_core.messages import HumanMessage
        >>> from memories_emulator import Emulator  # offline; drop it for the real API
        >>> from langchain_memories import ChatMemoriesGemini
        >>> with Emulator() as emu:
        ...     llm = ChatMemoriesGemini(api_key="test", base_url=emu.base_url, thinking_budget=0)
        ...     msg = llm.invoke([HumanMessage(content=[
        ...         {"type": "text", "text": "What happens in this video?"},
        ...         {"type": "video", "url": "https://storage.googleapis.com/bucket/clip.mp4"},
        ...     ])])
        >>> "1 video(s)" in msg.text, msg.usage_metadata["total_tokens"] > 0
        (True, True)
    """

    _family: ClassVar[str] = "gemini"
    _family_options: ClassVar[frozenset[str]] = kit.call_options("gemini")

    model: str = Field(default="gemini-2.5-flash", alias="model_name")
    """Model id, with or without the ``gemini:`` prefix."""
    thinking_budget: int | None = None
    """Thinking tokens: 0 off, -1 dynamic, else a budget (None: the model's default).

    Checked against the model's documented range (``memories_client.catalog.ThinkingBudget``)."""
    response_schema: dict[str, Any] | None = None
    """JSON Schema the answer must follow (sent as Gemini's ``responseSchema``)."""
    response_mime_type: str | None = None
    """Answer MIME type, e.g. ``application/json``."""

    @field_validator("response_schema", mode="before")
    @classmethod
    def _schema_to_dict(cls, value: Any) -> Any:
        return schema_field(value)

    def _json_fields(
        self, schema: Mapping[str, Any] | None, *, native: bool
    ) -> tuple[dict[str, Any], Mapping[str, Any] | None]:
        if native and schema is not None:
            return {"response_schema": dict(schema)}, None
        return {"response_mime_type": "application/json"}, schema

    def with_structured_output(
        self,
        schema: Mapping[str, Any] | type | None = None,
        *,
        method: Literal["json_schema", "json_mode", "function_calling"] | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """A runnable that answers with an object matching ``schema``.

        Args:
            schema: a Pydantic model class (v2 or v1), a TypedDict class or a JSON Schema
                dict. Optional fields, nested models, lists and enums all work.
            method: ``"json_schema"`` (default): Gemini's native ``responseSchema``.
                ``"json_mode"``: JSON mode plus the schema in a system instruction (and as
                ``responseSchema`` too where Gemini can express it); schemas that
                ``responseSchema`` cannot express (free-form dicts) use this automatically.
                ``"function_calling"`` is not available for Gemini and falls back to
                ``"json_schema"`` with a warning.
            include_raw: return ``{"raw": AIMessage, "parsed": ..., "parsing_error": ...}``
                instead of raising on an answer that does not parse.
            strict: accepted for compatibility; the answer is always validated strictly.
            **kwargs: not accepted (raises ``TypeError``).

        Returns:
            A runnable producing the parsed object (a model instance, or a dict for
            TypedDict and JSON Schema inputs).

        Example:
            >>> from pydantic import BaseModel
            >>> from memories_emulator import Emulator
            >>> class Scene(BaseModel):
            ...     summary: str
            ...     people: int | None = None
            >>> with Emulator() as emu:
            ...     llm = ChatMemoriesGemini(api_key="test", base_url=emu.base_url)
            ...     scene = llm.with_structured_output(Scene).invoke("Describe the scene.")
            >>> isinstance(scene, Scene)
            True
        """
        if kwargs:
            raise TypeError(f"unexpected arguments: {', '.join(sorted(kwargs))}")
        return native_schema_output(
            self,
            schema,
            method,
            include_raw=include_raw,
            strict=strict,
            native=_native_schema,
            response_mime_type="application/json",
        )


def _native_schema(schema: dict[str, Any] | None, warn: bool) -> dict[str, Any] | None:
    """Gemini's ``responseSchema`` for ``schema``, or None when it has no such form."""
    if schema is None:
        return None
    try:
        return kit.to_gemini_schema(schema)
    except mc.MemoriesInputError as exc:
        if warn:
            warnings.warn(
                f"this schema cannot be sent as Gemini's responseSchema ({exc}); using method="
                "'json_mode' (the schema goes in the prompt and the answer is validated)",
                UserWarning,
                stacklevel=5,
            )
        return None
