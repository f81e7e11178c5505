"""The kit for writing a framework layer: what the LangChain and LlamaIndex layers share.

**For people writing a framework layer, not a stable user API.** An application calls
:class:`~memories_client.MemoriesClient` and the names of ``memories_client.__all__``; this
module holds the rules both framework layers apply, written once so that the two cannot
disagree: which constructor arguments are refused, how sampling options and stop sequences are
checked, what a ``tool_choice`` means, where a tool result's media goes, how JSON answers are
asked for and read, and the state a model derives from its fields (connection options, pooled
clients). Names here may change between minor versions, with the layers that use them.

The layers import the core from four places only: ``memories_client`` (the user names), this
module, :mod:`memories_client.uploads` and :mod:`memories_client.video_scenes`
(``tests/unit/test_public_surface.py`` checks every import). A rule a third layer (Haystack,
DSPy, ...) needs belongs here, not in that layer.

Example:
    >>> from memories_client.integration import normalize_stop, offered_tools, refuse_unknown
    >>> normalize_stop("END")
    ['END']
    >>> offered_tools(None, "auto")  # no tools and a choice that forces none: nothing to send
    (None, None)
    >>> refuse_unknown("MyChatModel", ["temprature"], ["temperature", "top_p"])
    Traceback (most recent call last):
    ...
    memories_client.errors.MemoriesInputError: MyChatModel got an unexpected argument \
'temprature'; did you mean 'temperature'?
"""

from __future__ import annotations

from memories_client._block_keys import check_media_options
from memories_client._client_cache import ClientCache, ClosesPooledClients
from memories_client._derived_state import DerivedState
from memories_client._extras import require_extra
from memories_client._http import API_KEY_ENV, BASE_URL_ENV
from memories_client._jsonout import (
    json_instruction,
    parse_json_output,
    parse_structured,
    strip_json_fences,
    with_instruction,
)
from memories_client._options import ClientOptions, check_async_transport, refuse_unknown
from memories_client._params import SAMPLING_FIELDS, normalize_stop
from memories_client._tool_calls import (
    lenient_tool_arguments,
    offered_tools,
    openai_tool_call,
    refuse_tools,
    tool_calls_from_openai,
    with_tool_media,
)
from memories_client._truncation import SERVICE_DEFAULT_MAX_TOKENS
from memories_client.catalog import FAMILIES, resolve_model, try_estimate_cost
from memories_client.dialects import (
    DIALECTS,
    FAMILY_OPTIONS,
    Dialect,
    QwenDialect,
    call_options,
    check_media_kind,
    dialect_for,
)
from memories_client.schema import json_schema_of, to_gemini_schema
from memories_client.tokens import estimate_text_tokens, estimate_tokens
from memories_client.types import MediaKind

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DIALECTS",
    "FAMILIES",
    "FAMILY_OPTIONS",
    "SAMPLING_FIELDS",
    "SERVICE_DEFAULT_MAX_TOKENS",
    "ClientCache",
    "ClientOptions",
    "ClosesPooledClients",
    "DerivedState",
    "Dialect",
    "MediaKind",
    "QwenDialect",
    "call_options",
    "check_async_transport",
    "check_media_kind",
    "check_media_options",
    "dialect_for",
    "estimate_text_tokens",
    "estimate_tokens",
    "json_instruction",
    "json_schema_of",
    "lenient_tool_arguments",
    "normalize_stop",
    "offered_tools",
    "openai_tool_call",
    "parse_json_output",
    "parse_structured",
    "refuse_tools",
    "refuse_unknown",
    "require_extra",
    "resolve_model",
    "strip_json_fences",
    "to_gemini_schema",
    "tool_calls_from_openai",
    "try_estimate_cost",
    "with_instruction",
    "with_tool_media",
]
