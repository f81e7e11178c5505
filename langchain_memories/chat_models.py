"""The chat model classes, under the module path their serialized form points to.

``dumpd(model)`` records ``["langchain_memories", "chat_models", "ChatMemoriesGemini"]``;
``langchain_core.load.load`` imports this module to rebuild the model.
"""

from __future__ import annotations

from langchain_memories.gemini import ChatMemoriesGemini
from langchain_memories.gpt import ChatMemoriesGPT
from langchain_memories.nova import ChatMemoriesNova
from langchain_memories.qwen import ChatMemoriesQwen

__all__ = ["ChatMemoriesGPT", "ChatMemoriesGemini", "ChatMemoriesNova", "ChatMemoriesQwen"]
