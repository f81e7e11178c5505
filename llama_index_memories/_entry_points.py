"""The eight LlamaIndex entry points of :class:`MemoriesMultiModal`, with their events.

One job: wrap the class's undecorated ``_chat`` / ``_achat`` / ``_stream_chat`` /
``_astream_chat`` in LlamaIndex's callback decorators. ``complete*`` wrap the same
implementations, so they emit completion events only, as GoogleGenAI does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from llama_index.core.base.llms.generic_utils import (
    achat_to_completion_decorator,
    astream_chat_to_completion_decorator,
    chat_to_completion_decorator,
    stream_chat_to_completion_decorator,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback

__all__ = ["ChatEntryPoints"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _chat_callback(fn: _F) -> _F:
    # LlamaIndex's decorator is untyped; this keeps the methods' signatures for mypy.
    return cast(_F, llm_chat_callback()(fn))


def _completion_callback(fn: _F) -> _F:
    return cast(_F, llm_completion_callback()(fn))


class ChatEntryPoints:
    """``chat``, ``achat``, ``stream_chat``, ``astream_chat`` and the four ``complete*``."""

    if TYPE_CHECKING:

        def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse: ...

        async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse: ...

        def _stream_chat(
            self, messages: Sequence[ChatMessage], **kwargs: Any
        ) -> ChatResponseGen: ...

        async def _astream_chat(
            self, messages: Sequence[ChatMessage], **kwargs: Any
        ) -> ChatResponseAsyncGen: ...

    @_chat_callback
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Send a chat history and return the answer.

        Keyword arguments override the instance's options for this call: ``temperature``,
        ``max_tokens``, ``top_p``, ``frequency_penalty``, ``presence_penalty``, ``stop``,
        ``thinking_budget``, ``enable_thinking`` (Qwen), ``response_schema`` (JSON Schema or
        Pydantic class; Gemini, Qwen, GPT),
        ``response_mime_type``, ``tools`` / ``tool_choice`` (Nova),
        ``extra_body``, ``endpoint`` and ``image_documents``. Unknown ones raise.

        Example:
            >>> from llama_index.core.llms import ChatMessage
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     r = llm.chat([ChatMessage(role="user", content="Hi")], thinking_budget=0)
            >>> r.additional_kwargs["prompt_tokens"], r.raw["usage"]["prompt_tokens"]
            (1, 1)
        """
        return self._chat(messages, **kwargs)

    @_chat_callback
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat` on an ``httpx.AsyncClient``.

        Example:
            >>> import asyncio
            >>> from llama_index.core.llms import ChatMessage
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     r = asyncio.run(llm.achat([ChatMessage(role="user", content="Hi")]))
            >>> bool(r.message.content), r.raw["usage"]["total_tokens"] > 0
            (True, True)
        """
        return await self._achat(messages, **kwargs)

    @_chat_callback
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream the answer; the last chunk carries usage, finish reason and tool calls.

        Example:
            >>> from llama_index.core.llms import ChatMessage
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     chunks = list(llm.stream_chat([ChatMessage(role="user", content="Hi")]))
            >>> "".join(c.delta or "" for c in chunks) == chunks[-1].message.content
            True
            >>> chunks[-1].raw["usage"]["total_tokens"] > 0
            True
        """
        return self._stream_chat(messages, **kwargs)

    @_chat_callback
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`; ``await`` it, then ``async for`` over the chunks.

        Example:
            >>> import asyncio
            >>> from llama_index.core.llms import ChatMessage
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> async def main(llm):
            ...     stream = await llm.astream_chat([ChatMessage(role="user", content="Hi")])
            ...     return [c async for c in stream]
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     chunks = asyncio.run(main(llm))
            >>> chunks[-1].additional_kwargs["completion_tokens"] > 0
            True
        """
        return await self._astream_chat(messages, **kwargs)

    @_completion_callback
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Complete a prompt; ``image_documents=[...]`` adds images like the legacy interface.

        ``image_documents`` takes ``ImageNode`` / ``ImageDocument`` objects (and Image, Video or
        Document blocks); they are put before the prompt text.

        Example:
            >>> from llama_index.core.schema import ImageNode
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     r = llm.complete("Describe it.", image_documents=[
            ...         ImageNode(image_url="https://example.com/cat.png")])
            >>> "1 image(s)" in r.text
            True
        """
        return chat_to_completion_decorator(self._chat)(prompt, **kwargs)

    @_completion_callback
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        """Async :meth:`complete`.

        Example:
            >>> import asyncio
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     r = asyncio.run(llm.acomplete("Say hi"))
            >>> r.raw["usage"]["completion_tokens"] > 0
            True
        """
        return await achat_to_completion_decorator(self._achat)(prompt, **kwargs)

    @_completion_callback
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """Stream a completion; the last chunk carries usage.

        Example:
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     last = list(llm.stream_complete("Say hi"))[-1]
            >>> bool(last.text), "usage" in last.raw
            (True, True)
        """
        return stream_chat_to_completion_decorator(self._stream_chat)(prompt, **kwargs)

    @_completion_callback
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        """Async :meth:`stream_complete`.

        Example:
            >>> import asyncio
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> async def main(llm):
            ...     return [c.delta async for c in await llm.astream_complete("Say hi")]
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     deltas = asyncio.run(main(llm))
            >>> len(deltas) > 1 and all(isinstance(d, str) for d in deltas)
            True
        """
        return await astream_chat_to_completion_decorator(self._astream_chat)(prompt, **kwargs)
