"""``ChatMemoriesQwen``: Qwen-VL models through the memories.ai API."""

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

__all__ = ["ChatMemoriesQwen"]


class ChatMemoriesQwen(_BaseChatMemories):
    """Qwen-VL (Qwen3-VL Plus and Flash, Qwen-VL Max and Plus) on memories.ai: text, images, video.

    Video and images go by URL or as bytes (sent as ``data:`` URIs). Thinking is switched with
    ``enable_thinking`` and bounded with ``thinking_budget``; structured output uses Qwen's
    native ``response_format`` of type ``json_schema`` (a plain JSON Schema). The docs show no
    tool calling for Qwen, so :meth:`bind_tools` raises; use
    :class:`~langchain_memories.ChatMemoriesNova` for tools.

    The docs do not show Qwen's content-part shape; the default and its alternatives are a
    ``dialects={"qwen": QwenDialect(part_style=...)}`` setting (see the README's unknowns).

    Setup: ``pip install "memories-integrations[langchain]"`` and
    ``export MEMORIES_API_KEY=sk-mavi-...`` (or the emulator: ``docs/EMULATOR.md``).

    Args:
        model: model id (alias ``model_name``), default ``qwen3-vl-plus``; the ``qwen:``
            prefix is optional.
        enable_thinking: turn Qwen's thinking on or off (None: the model's default); also per
            call: ``invoke(..., enable_thinking=False)``.
        thinking_budget: the most tokens to think (at least 1); a budget alone also turns
            thinking on. Per call too.
        response_schema: a JSON Schema (or a Pydantic model / TypedDict) of an object the
            answer must follow, sent as ``response_format`` ``json_schema``.
        **kwargs: the shared fields: ``api_key``, ``base_url``, ``temperature``,
            ``max_tokens`` (unset: the service's default, 1,024 tokens), ``top_p``,
            ``frequency_penalty``, ``presence_penalty``, ``n``,
            ``stop``, ``timeout``, ``max_retries``, ``http_client``, ``http_async_client``,
            ``default_headers``, ``streaming``, ``stream_usage``, ``rate_limiter``.

    Example:
        >>> from langchain_core.messages import HumanMessage
        >>> from memories_emulator import Emulator  # offline; drop it for the real API
        >>> from langchain_memories import ChatMemoriesQwen
        >>> with Emulator() as emu:
        ...     llm = ChatMemoriesQwen(api_key="test", base_url=emu.base_url, thinking_budget=256)
        ...     msg = llm.invoke([HumanMessage(content=[
        ...         {"type": "text", "text": "What happens in this video?"},
        ...         {"type": "video", "url": "https://storage.googleapis.com/bucket/clip.mp4"},
        ...     ])])
        >>> "1 video(s)" in msg.text, msg.usage_metadata["output_token_details"]["reasoning"]
        (True, 64)
    """

    _family: ClassVar[str] = "qwen"
    _family_options: ClassVar[frozenset[str]] = kit.call_options("qwen")

    model: str = Field(default="qwen3-vl-plus", alias="model_name")
    """Model id, with or without the ``qwen:`` prefix."""
    enable_thinking: bool | None = None
    """Thinking on or off (None: the model's default)."""
    thinking_budget: int | None = None
    """The most tokens to think, at least 1 (None: the model's default)."""
    response_schema: dict[str, Any] | None = None
    """JSON Schema of an object the answer must follow (sent as ``response_format``)."""

    @field_validator("response_schema", mode="before")
    @classmethod
    def _schema_to_dict(cls, value: Any) -> Any:
        return schema_field(value)

    def _json_fields(
        self, schema: Mapping[str, Any] | None, *, native: bool
    ) -> tuple[dict[str, Any], Mapping[str, Any] | None]:
        if native and schema is not None and _native(dict(schema), False) is not None:
            return {"response_schema": dict(schema)}, None
        # Qwen documents no plain JSON mode: JSON without a usable schema is asked for in the
        # prompt.
        return {}, schema

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
                dict of an object.
            method: ``"json_schema"`` (default): Qwen's native ``response_format``.
                ``"json_mode"``: the schema goes into a system instruction (and natively as
                well where it can); schemas Qwen cannot take natively (not an object at the
                root) use this automatically. ``"function_calling"`` is not available for
                Qwen and falls back to ``"json_schema"`` with a warning.
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
            ...     people: int
            >>> with Emulator() as emu:
            ...     llm = ChatMemoriesQwen(api_key="test", base_url=emu.base_url)
            ...     scene = llm.with_structured_output(Scene).invoke("Describe the scene.")
            >>> isinstance(scene, Scene), emu.requests[-1].body["extra_body"]["metadata"][
            ...     "response_format"]["json_schema"]["name"]
            (True, 'Scene')
        """
        if kwargs:
            raise TypeError(f"unexpected arguments: {', '.join(sorted(kwargs))}")
        return native_schema_output(
            self, schema, method, include_raw=include_raw, strict=strict, native=_native
        )


def _native(schema: dict[str, Any] | None, warn: bool) -> dict[str, Any] | None:
    """``schema`` when Qwen's ``response_format`` can carry it, else None."""
    if schema is None:
        return None
    try:
        kit.QwenDialect.response_format(schema)
    except mc.MemoriesInputError as exc:
        if warn:
            warnings.warn(
                f"this schema cannot be sent as Qwen's response_format ({exc}); using method="
                "'json_mode' (the schema goes in the prompt and the answer is validated)",
                UserWarning,
                stacklevel=5,
            )
        return None
    return schema
