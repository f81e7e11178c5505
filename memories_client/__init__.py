"""memories_client: a framework-free client for the memories.ai chat-completions API.

It speaks the wire format of each of the API's four model families (Gemini's ``input_file``
parts, Nova's ``image_url`` / ``video_url`` parts and tools, Qwen's thinking switches and
``json_schema`` output, GPT's OpenAI parts and JSON mode), keeps one model catalog with prices,
and maps every failure to one error hierarchy. The emulator of the API for offline use is a
package of its own, ``memories_emulator`` (the ``emulator`` extra), which this one never imports.

What a user of the client needs is here, in ``__all__``; the rest has a public home of its own:
:mod:`memories_client.types` and :mod:`memories_client.errors` (every request, response and error
type), :mod:`memories_client.catalog` (models, families, prices), :mod:`memories_client.tokens`
(token estimates), :mod:`memories_client.dialects` (the per-family wire formats and their
settings), :mod:`memories_client.schema`, :mod:`memories_client.uploads` (local videos to URLs) and
:mod:`memories_client.video_scenes` (videos to scene records). The helpers the LangChain and
LlamaIndex layers share are in :mod:`memories_client.integration`, for people writing a framework
layer; the modules with a leading underscore are implementation.

Example:
    >>> from memories_client import MemoriesClient, ChatRequest, Message, media_from_url
    >>> from memories_emulator import Emulator
    >>> with Emulator() as emu, MemoriesClient(api_key="k", base_url=emu.base_url) as client:
    ...     video = media_from_url("https://storage.googleapis.com/memories-test-data/test_1min.mp4")
    ...     answer = client.chat(model="gemini-2.5-flash",
    ...                          messages=[Message.user("What happens?", video)])
    >>> answer.usage.input_tokens > 1000
    True
"""

from __future__ import annotations

from memories_client._async_client import AsyncMemoriesClient
from memories_client._client import MemoriesClient
from memories_client._extras import ExtraMissingError
from memories_client._http import DEFAULT_BASE_URL, InsecureBaseURLWarning, RetryPolicy
from memories_client._jsonout import JSONOutputError
from memories_client._media import (
    PageURLWarning,
    media_from_base64,
    media_from_bytes,
    media_from_data_uri,
    media_from_path,
    media_from_url,
)
from memories_client._truncation import TruncatedAnswerWarning
from memories_client._version import __version__
from memories_client.catalog import MODELS, ModelInfo, estimate_cost, model_info
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

# What a user of the client calls, and nothing else: tests/unit/test_public_surface.py keeps
# it at most 45 names, each used in a doc or an example.
__all__ = [
    "DEFAULT_BASE_URL",
    "MODELS",
    "APIConnectionError",
    "APITimeoutError",
    "AsyncMemoriesClient",
    "AuthenticationError",
    "BadRequestError",
    "ChatRequest",
    "Choice",
    "Completion",
    "ExtraBodyWarning",
    "ExtraMissingError",
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
    "PageURLWarning",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "StreamChunk",
    "StreamInterruptedError",
    "TextPart",
    "ToolCall",
    "ToolSpec",
    "TruncatedAnswerWarning",
    "UnsupportedFeatureError",
    "Usage",
    "__version__",
    "estimate_cost",
    "media_from_base64",
    "media_from_bytes",
    "media_from_data_uri",
    "media_from_path",
    "media_from_url",
    "model_info",
]
