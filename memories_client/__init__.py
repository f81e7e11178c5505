"""memories_client: a framework-free client for the memories.ai chat-completions API.

It speaks the wire format of each of the API's four model families (Gemini's ``input_file``
parts, Nova's ``image_url`` / ``video_url`` parts and tools, Qwen's thinking switches and
``json_schema`` output, GPT's OpenAI parts and JSON mode), keeps one model catalog with prices,
maps every failure to one error hierarchy, and ships an emulator of the API
(:mod:`memories_client.emulator`) for offline use.

Example:
    >>> from memories_client import MemoriesClient, ChatRequest, Message, media_from_url
    >>> from memories_client.emulator import Emulator
    >>> with Emulator() as emu, MemoriesClient(api_key="k", base_url=emu.base_url) as client:
    ...     video = media_from_url("https://storage.googleapis.com/memories-test-data/test_1min.mp4")
    ...     answer = client.chat(model="gemini-2.5-flash",
    ...                          messages=[Message.user("What happens?", video)])
    >>> answer.usage.input_tokens > 1000
    True
"""

from __future__ import annotations

from memories_client._http import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_PATHS,
    DEFAULT_TIMEOUT,
    InsecureBaseURLWarning,
    RetryPolicy,
    check_connection_settings,
)
from memories_client._version import __version__
from memories_client.catalog import (
    FAMILIES,
    MODELS,
    ModelInfo,
    PriceTier,
    UnknownPriceError,
    estimate_cost,
    family_of,
    model_info,
    resolve_model,
    try_estimate_cost,
)
from memories_client.client import AsyncMemoriesClient, MemoriesClient
from memories_client.client_cache import ClientCache, ClosesPooledClients
from memories_client.dialects import (
    FAMILY_OPTIONS,
    Dialect,
    GeminiDialect,
    GPTDialect,
    NovaDialect,
    QwenDialect,
    check_media_kind,
    dialect_for,
)
from memories_client.dialects.base import ExtraBodyWarning
from memories_client.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    MalformedResponseError,
    MemoriesAPIError,
    MemoriesError,
    MemoriesInputError,
    ModelError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StreamInterruptedError,
    UnsupportedFeatureError,
)
from memories_client.jsonout import (
    JSONOutputError,
    json_instruction,
    parse_json_output,
    parse_structured,
    strip_json_fences,
    with_instruction,
)
from memories_client.media import (
    DEFAULT_MIME,
    media_from_base64,
    media_from_bytes,
    media_from_data_uri,
    media_from_path,
    media_from_url,
    media_part,
)
from memories_client.options import CONNECTION_FIELDS, ClientOptions, refuse_unknown
from memories_client.params import SAMPLING_FIELDS, check_sampling, normalize_stop
from memories_client.schema import json_schema_of, to_gemini_schema
from memories_client.tool_calls import NO_TOOLS, normalize_tool_choice, openai_tool_call
from memories_client.types import (
    ChatRequest,
    Choice,
    Completion,
    MediaPart,
    Message,
    StreamChunk,
    TextPart,
    ToolCall,
    ToolSpec,
    Usage,
)

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "CONNECTION_FIELDS",
    "DEFAULT_BASE_URL",
    "DEFAULT_MIME",
    "DEFAULT_PATHS",
    "DEFAULT_TIMEOUT",
    "FAMILIES",
    "FAMILY_OPTIONS",
    "MODELS",
    "NO_TOOLS",
    "SAMPLING_FIELDS",
    "APIConnectionError",
    "APITimeoutError",
    "AsyncMemoriesClient",
    "AuthenticationError",
    "BadRequestError",
    "ChatRequest",
    "Choice",
    "ClientCache",
    "ClientOptions",
    "ClosesPooledClients",
    "Completion",
    "Dialect",
    "ExtraBodyWarning",
    "GPTDialect",
    "GeminiDialect",
    "InsecureBaseURLWarning",
    "InsufficientCreditsError",
    "JSONOutputError",
    "MalformedResponseError",
    "MediaPart",
    "MemoriesAPIError",
    "MemoriesClient",
    "MemoriesError",
    "MemoriesInputError",
    "Message",
    "ModelError",
    "ModelInfo",
    "NotFoundError",
    "NovaDialect",
    "PriceTier",
    "QwenDialect",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "StreamChunk",
    "StreamInterruptedError",
    "TextPart",
    "ToolCall",
    "ToolSpec",
    "UnknownPriceError",
    "UnsupportedFeatureError",
    "Usage",
    "__version__",
    "check_connection_settings",
    "check_media_kind",
    "check_sampling",
    "dialect_for",
    "estimate_cost",
    "family_of",
    "json_instruction",
    "json_schema_of",
    "media_from_base64",
    "media_from_bytes",
    "media_from_data_uri",
    "media_from_path",
    "media_from_url",
    "media_part",
    "model_info",
    "normalize_stop",
    "normalize_tool_choice",
    "openai_tool_call",
    "parse_json_output",
    "parse_structured",
    "refuse_unknown",
    "resolve_model",
    "strip_json_fences",
    "to_gemini_schema",
    "try_estimate_cost",
    "with_instruction",
]
