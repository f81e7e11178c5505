"""llama_index_memories: the LlamaIndex LLM for the memories.ai chat-completions API.

:class:`MemoriesMultiModal` understands text, images, video and (Gemini) PDFs through Gemini,
Nova, Qwen and GPT models, for query engines, chat engines, agents and structured-output
programs.
:class:`MemoriesVideoReader` reads videos into timestamped scene ``Document`` objects for indexes.

Install with ``pip install "memories-integrations[llamaindex]"``; without llama-index-core,
``import llama_index_memories`` raises ``memories_client.ExtraMissingError`` saying so.

Example:
    >>> from llama_index_memories import MemoriesMultiModal
    >>> from memories_emulator import Emulator
    >>> with Emulator() as emu:
    ...     llm = MemoriesMultiModal(api_key="sk-test", base_url=emu.base_url)
    ...     answer = llm.complete("Say hi")
    >>> bool(answer.text), answer.raw["usage"]["total_tokens"] > 0
    (True, True)
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if (
    importlib.util.find_spec("llama_index") is None
    or importlib.util.find_spec("llama_index.core") is None
):
    # LlamaIndex is the `llamaindex` extra: say which one to install. The check is a path
    # lookup; memories_client (and its shared message) is imported only when it fails.
    import memories_client.integration as kit

    kit.require_extra(
        "llama_index.core", extra="llamaindex", layer=__name__, requirement="llama-index-core"
    )

if TYPE_CHECKING:
    from llama_index_memories.base import DEFAULT_MODEL, DEFAULT_NUM_OUTPUT, MemoriesMultiModal
    from llama_index_memories.video_reader import MemoriesVideoReader

__all__ = ["DEFAULT_MODEL", "DEFAULT_NUM_OUTPUT", "MemoriesMultiModal", "MemoriesVideoReader"]
_MODULES = {"MemoriesVideoReader": "video_reader"}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # One version for the three packages, kept in memories_client/_version.py.
        import memories_client as mc

        return mc.__version__
    # PEP 562: the class (and with it llama-index-core, about a second) is imported on first
    # access, so `import llama_index_memories` alone stays cheap.
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _MODULES.get(name, "base")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
