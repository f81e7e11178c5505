"""memories_client: a framework-free client for the memories.ai chat-completions API.

It speaks both documented wire formats (Gemini's ``input_file`` parts, Nova's ``image_url`` /
``video_url`` parts), keeps one model catalog with prices, maps every failure to one error
hierarchy, and ships an emulator of the API (:mod:`memories_client.emulator`) for offline use.

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
from memories_client.dialects import Dialect, GeminiDialect, NovaDialect, dialect_for
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
)
from memories_client.jsonout import (
    JSONOutputError,
    parse_json_output,
    parse_structured,
    strip_json_fences,
)
from memories_client.media import (
    media_from_base64,
    media_from_bytes,
    media_from_data_uri,
    media_from_path,
    media_from_url,
    media_part,
)
from memories_client.params import check_sampling, normalize_stop
from memories_client.schema import json_schema_of, to_gemini_schema
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
from memories_client.uploads import (
    BaseUploader,
    FileUploadCache,
    MemoriesAssetUploader,
    MemoryUploadCache,
    S3Uploader,
    UploadCache,
    UploadedAsset,
    Uploader,
    UploadError,
    UploadTimeoutError,
    avideo_part,
    video_part,
)

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_PATHS",
    "DEFAULT_TIMEOUT",
    "FAMILIES",
    "MODELS",
    "APIConnectionError",
    "APITimeoutError",
    "AsyncMemoriesClient",
    "AuthenticationError",
    "BadRequestError",
    "BaseUploader",
    "ChatRequest",
    "Choice",
    "Completion",
    "Dialect",
    "FileUploadCache",
    "GeminiDialect",
    "InsecureBaseURLWarning",
    "InsufficientCreditsError",
    "JSONOutputError",
    "MalformedResponseError",
    "MediaPart",
    "MemoriesAPIError",
    "MemoriesAssetUploader",
    "MemoriesClient",
    "MemoriesError",
    "MemoriesInputError",
    "MemoryUploadCache",
    "Message",
    "ModelError",
    "ModelInfo",
    "NotFoundError",
    "NovaDialect",
    "PriceTier",
    "RateLimitError",
    "RetryPolicy",
    "S3Uploader",
    "ServerError",
    "StreamChunk",
    "StreamInterruptedError",
    "TextPart",
    "ToolCall",
    "ToolSpec",
    "UnknownPriceError",
    "UploadCache",
    "UploadError",
    "UploadTimeoutError",
    "UploadedAsset",
    "Uploader",
    "Usage",
    "__version__",
    "avideo_part",
    "check_connection_settings",
    "check_sampling",
    "dialect_for",
    "estimate_cost",
    "family_of",
    "json_schema_of",
    "media_from_base64",
    "media_from_bytes",
    "media_from_data_uri",
    "media_from_path",
    "media_from_url",
    "media_part",
    "model_info",
    "normalize_stop",
    "parse_json_output",
    "parse_structured",
    "resolve_model",
    "strip_json_fences",
    "to_gemini_schema",
    "try_estimate_cost",
    "video_part",
]
