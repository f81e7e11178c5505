"""The per-call options of :class:`MemoriesMultiModal`, turned into one core ``ChatRequest``.

One job: check a call's keyword arguments (anything unknown is refused, not dropped), merge them
over the model's fields and build the :class:`memories_client.ChatRequest` every entry point
sends: messages and extra image documents, Nova tools and ``tool_choice``, a response schema,
sampling and thinking options.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatMessage

from llama_index_memories._convert import (
    image_documents_to_blocks,
    to_core_messages,
    with_extra_blocks,
)
from llama_index_memories._tools import tool_specs
from memories_client import (
    FAMILY_OPTIONS,
    SAMPLING_FIELDS,
    ChatRequest,
    UnsupportedFeatureError,
    call_options,
    dialect_for,
    json_schema_of,
    offered_tools,
    refuse_unknown,
)
from memories_client.dialects import DIALECTS

__all__ = ["CALL_OPTIONS", "HINTS", "SAMPLING", "RequestBuilding"]

# The sampling fields a LlamaIndex call sends: LlamaIndex reads one answer, so no ``n``.
SAMPLING = tuple(name for name in SAMPLING_FIELDS if name != "n")
# Options a call may pass as keyword arguments; anything else is refused instead of dropped.
CALL_OPTIONS = frozenset(
    {
        *SAMPLING,
        "stop",
        # One class serves every family: each family's own options, as its dialect declares
        # them (the dialect refuses one the model's family does not take, naming who has it).
        *(name for family in DIALECTS for name in call_options(family)),
        "extra_body",
        "endpoint",
        "image_documents",
    }
)
# What to do instead of a refused name, for the constructor and for a call alike.
HINTS = {
    "n": (
        "LlamaIndex reads one answer per call, so MemoriesMultiModal does not take n; use "
        "ChatMemoriesGemini(n=...).generate() in LangChain for alternatives"
    ),
}


class RequestBuilding:
    """``_build_request``: a call's messages and options -> the core ``ChatRequest``."""

    if TYPE_CHECKING:

        @property
        def family(self) -> str: ...

        model: str
        stop: str | list[str] | None
        extra_body: dict[str, Any] | None

    def _build_request(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> ChatRequest:
        refuse_unknown(f"{type(self).__name__} (per call)", kwargs, CALL_OPTIONS, HINTS)
        image_documents = kwargs.get("image_documents")
        if image_documents:
            messages = with_extra_blocks(messages, image_documents_to_blocks(image_documents))
        tools = kwargs.get("tools") or None
        if tools:
            dialect = dialect_for(self.model)
            if not dialect.supports_tools:
                raise UnsupportedFeatureError(dialect.no_tools_message())
        specs, choice = offered_tools(
            tool_specs(tools) if tools else None, kwargs.get("tool_choice")
        )
        # Every family option, as the request marks them: a call's value, else the model's field
        # of that name where it has one (the dialect refuses what the model's family lacks).
        options = {name: kwargs.get(name, getattr(self, name, None)) for name in FAMILY_OPTIONS}
        schema = options["response_schema"]
        if schema is not None and not isinstance(schema, Mapping):
            options["response_schema"] = json_schema_of(schema)
        return ChatRequest(
            model=self.model,
            messages=to_core_messages(messages, self.family),
            tools=specs,
            tool_choice=choice,
            extra_body=kwargs.get("extra_body", self.extra_body),
            endpoint=kwargs.get("endpoint"),
            stop=kwargs.get("stop", self.stop),
            **{name: kwargs.get(name, getattr(self, name)) for name in SAMPLING},
            **options,
        )
