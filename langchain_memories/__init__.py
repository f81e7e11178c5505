"""LangChain chat models for the memories.ai (MAVI) API: video and image understanding.

* :class:`ChatMemoriesGemini`: Gemini models (video by URL, images, PDFs; native structured
  output; thinking budget).
* :class:`ChatMemoriesNova`: Amazon Nova models (video, images; tool calling).
* :class:`ChatMemoriesQwen`: Qwen-VL models (video, images; thinking switches, native
  ``json_schema`` structured output).
* :class:`ChatMemoriesGPT`: OpenAI GPT models (images; JSON mode; cached and reasoning tokens).
* :func:`get_memories_callback`: request, token and dollar totals per model.
* :class:`MemoriesVideoLoader`: videos into timestamped scene ``Document`` objects for RAG.
* Error classes that are both ``memories_client`` errors and langchain-core ``Model*Error``s.

Install with ``pip install "memories-integrations[langchain]"``; without langchain-core,
``import langchain_memories`` raises ``memories_client.ExtraMissingError`` saying so.

Example:
    >>> from memories_emulator import Emulator
    >>> from langchain_memories import ChatMemoriesGemini
    >>> with Emulator() as emu:
    ...     llm = ChatMemoriesGemini(api_key="test", base_url=emu.base_url)
    ...     answer = llm.invoke("Hello")
    >>> answer.response_metadata["model_name"]
    'gemini-2.5-flash'
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if importlib.util.find_spec("langchain_core") is None:
    # LangChain is the `langchain` extra: say which one to install. The check is a path lookup;
    # memories_client (and its shared message) is imported only when it fails.
    import memories_client.integration as kit

    kit.require_extra(
        "langchain_core", extra="langchain", layer=__name__, requirement="langchain-core"
    )

if TYPE_CHECKING:
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
    from langchain_memories.gpt import ChatMemoriesGPT
    from langchain_memories.nova import ChatMemoriesNova
    from langchain_memories.qwen import ChatMemoriesQwen
    from langchain_memories.video_loader import MemoriesVideoLoader

__all__ = [
    "ChatMemoriesGPT",
    "ChatMemoriesGemini",
    "ChatMemoriesNova",
    "ChatMemoriesQwen",
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
    "MemoriesVideoLoader",
    "ModelUsage",
    "get_memories_callback",
]

# Public name -> the submodule defining it. Imported on first access (PEP 562), so that
# `import langchain_memories` costs almost nothing and each name pays only for what it needs
# (the chat models: langchain-core's BaseChatModel and memories_client).
_LAZY = {
    "ChatMemoriesGemini": "gemini",
    "ChatMemoriesGPT": "gpt",
    "ChatMemoriesNova": "nova",
    "ChatMemoriesQwen": "qwen",
    "MemoriesCallbackHandler": "callbacks",
    "ModelUsage": "callbacks",
    "MemoriesVideoLoader": "video_loader",
    "get_memories_callback": "callbacks",
    **{name: "_errors" for name in __all__ if name.endswith("Error")},
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # One version for the three packages, kept in memories_client/_version.py.
        import memories_client as mc

        return mc.__version__
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
