"""LangChain chat models for the memories.ai (MAVI) API: video and image understanding.

* :class:`ChatMemoriesGemini`: Gemini models (video by URL, images, PDFs; native structured
  output; thinking budget).
* :class:`ChatMemoriesNova`: Amazon Nova models (video, images; tool calling).
* :func:`get_memories_callback`: request, token and dollar totals per model.
* Error classes that are both ``memories_client`` errors and langchain-core ``Model*Error``s.

Example:
    >>> from memories_client.emulator import Emulator
    >>> from langchain_memories import ChatMemoriesGemini
    >>> with Emulator() as emu:
    ...     llm = ChatMemoriesGemini(api_key="test", base_url=emu.base_url)
    ...     answer = llm.invoke("Hello")
    >>> answer.response_metadata["model_name"]
    'gemini-2.5-flash'
"""

from __future__ import annotations

from langchain_memories._errors import (
    MemoriesAPIStatusError,
    MemoriesAuthenticationError,
    MemoriesBadRequestError,
    MemoriesConnectionError,
    MemoriesInsufficientCreditsError,
    MemoriesMalformedResponseError,
    MemoriesModelError,
    MemoriesNotFoundError,
    MemoriesPermissionDeniedError,
    MemoriesRateLimitError,
    MemoriesServerError,
    MemoriesStreamInterruptedError,
    MemoriesTimeoutError,
)
from langchain_memories.callbacks import (
    MemoriesCallbackHandler,
    ModelUsage,
    get_memories_callback,
)
from langchain_memories.gemini import ChatMemoriesGemini
from langchain_memories.nova import ChatMemoriesNova

__all__ = [
    "ChatMemoriesGemini",
    "ChatMemoriesNova",
    "MemoriesAPIStatusError",
    "MemoriesAuthenticationError",
    "MemoriesBadRequestError",
    "MemoriesCallbackHandler",
    "MemoriesConnectionError",
    "MemoriesInsufficientCreditsError",
    "MemoriesMalformedResponseError",
    "MemoriesModelError",
    "MemoriesNotFoundError",
    "MemoriesPermissionDeniedError",
    "MemoriesRateLimitError",
    "MemoriesServerError",
    "MemoriesStreamInterruptedError",
    "MemoriesTimeoutError",
    "ModelUsage",
    "get_memories_callback",
]
