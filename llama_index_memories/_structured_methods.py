"""Structured prediction on :class:`MemoriesMultiModal`: Gemini's native ``responseSchema``.

One job: route ``structured_predict`` and its async and streaming forms to the native path in
:mod:`llama_index_memories._structured` for Gemini, and to LlamaIndex's own programs for other
families or a non-DEFAULT ``pydantic_program_mode``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING, Any, TypeVar, cast

from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.program.utils import FlexibleModel
from llama_index.core.prompts import BasePromptTemplate
from llama_index.core.types import PydanticProgramMode
from llama_index_instrumentation import get_dispatcher
from pydantic import BaseModel

from llama_index_memories._structured import (
    MemoriesStructuredLLM,
    astream_structured,
    astructured,
    stream_structured,
    structured,
)
from memories_client.integration import dialect_for

if TYPE_CHECKING:
    from llama_index.core.llms.structured_llm import StructuredLLM

__all__ = ["StructuredPrediction"]

dispatcher = get_dispatcher(__name__)
Model = TypeVar("Model", bound=BaseModel)


class StructuredPrediction:
    """``as_structured_llm`` and the four ``*structured_predict`` methods."""

    if TYPE_CHECKING:

        @property
        def family(self) -> str: ...

        model: str

        pydantic_program_mode: PydanticProgramMode

    def _native_structured(self) -> bool:
        # The families whose dialect takes a response_schema (Gemini's responseSchema, Qwen's
        # json_schema, GPT's JSON mode) use it; Nova goes through core's tool program.
        return (
            "response_schema" in dialect_for(self.model).options
            and self.pydantic_program_mode == PydanticProgramMode.DEFAULT
        )

    def as_structured_llm(self, output_cls: type[BaseModel], **kwargs: Any) -> StructuredLLM:
        """A ``StructuredLLM`` around this model whose calls are counted once.

        It behaves like LlamaIndex's own (``chat`` returns the JSON as text and the object as
        ``raw``), but does not add a second, tokenizer-estimated LLM event next to this model's
        event with the service's usage, so ``TokenCountingHandler`` totals match the service
        (see :class:`~llama_index_memories._structured.MemoriesStructuredLLM`).

        Example:
            >>> from pydantic import BaseModel
            >>> from llama_index.core.llms import ChatMessage
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> class Tag(BaseModel):
            ...     label: str
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     r = llm.as_structured_llm(Tag).chat([ChatMessage(content="Tag a cat")])
            >>> isinstance(r.raw, Tag)
            True
        """
        return MemoriesStructuredLLM(llm=cast(Any, self), output_cls=output_cls, **kwargs)

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Predict an ``output_cls`` instance through the family's response schema.

        Gemini sends it as ``responseSchema``, Qwen as its ``json_schema`` ``response_format``,
        GPT as JSON mode with the schema in the system message (all in the core's dialects).

        The call goes through :meth:`chat`, so events and token counts are recorded. Prompts may
        carry images or video (a ``ChatPromptTemplate`` whose messages hold blocks). Nova, or a
        non-DEFAULT ``pydantic_program_mode``, use LlamaIndex's own programs.

        Raises:
            memories_client.JSONOutputError: the answer does not match ``output_cls``.

        Example:
            >>> from pydantic import BaseModel
            >>> from llama_index.core.prompts import PromptTemplate
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> class Scene(BaseModel):
            ...     summary: str
            ...     people: int
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     scene = llm.structured_predict(Scene, PromptTemplate("Describe {what}"),
            ...                                    what="a beach")
            >>> isinstance(scene, Scene)
            True
        """
        if self._native_structured():
            return structured(cast(Any, self), output_cls, prompt, llm_kwargs, prompt_args)
        return cast(
            Model,
            FunctionCallingLLM.structured_predict(
                cast(Any, self), output_cls, prompt, llm_kwargs, **prompt_args
            ),
        )

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Async :meth:`structured_predict`.

        Example:
            >>> import asyncio
            >>> from pydantic import BaseModel
            >>> from llama_index.core.prompts import PromptTemplate
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> class Tag(BaseModel):
            ...     label: str
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     prompt = PromptTemplate("Tag {x}")
            ...     tag = asyncio.run(llm.astructured_predict(Tag, prompt, x="a"))
            >>> isinstance(tag.label, str)
            True
        """
        if self._native_structured():
            return await astructured(cast(Any, self), output_cls, prompt, llm_kwargs, prompt_args)
        result = await FunctionCallingLLM.astructured_predict(
            cast(Any, self), output_cls, prompt, llm_kwargs, **prompt_args
        )
        return cast(Model, result)

    @dispatcher.span
    def stream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Model | FlexibleModel, None, None]:
        """Stream partial objects, ending with the strictly validated ``output_cls`` instance.

        Example:
            >>> from pydantic import BaseModel
            >>> from llama_index.core.prompts import PromptTemplate
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> class Tag(BaseModel):
            ...     label: str
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     prompt = PromptTemplate("Tag {x}")
            ...     parts = list(llm.stream_structured_predict(Tag, prompt, x="a"))
            >>> isinstance(parts[-1], Tag)
            True
        """
        if self._native_structured():
            return stream_structured(cast(Any, self), output_cls, prompt, llm_kwargs, prompt_args)
        return FunctionCallingLLM.stream_structured_predict(
            cast(Any, self), output_cls, prompt, llm_kwargs, **prompt_args
        )

    @dispatcher.span
    async def astream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Model | FlexibleModel, None]:
        """Async :meth:`stream_structured_predict`; ``await`` it, then ``async for``.

        Example:
            >>> import asyncio
            >>> from pydantic import BaseModel
            >>> from llama_index.core.prompts import PromptTemplate
            >>> from memories_emulator import Emulator
            >>> from llama_index_memories import MemoriesMultiModal
            >>> class Tag(BaseModel):
            ...     label: str
            >>> async def main(llm):
            ...     prompt = PromptTemplate("Tag {x}")
            ...     stream = await llm.astream_structured_predict(Tag, prompt, x="a")
            ...     return [p async for p in stream]
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     parts = asyncio.run(main(llm))
            >>> isinstance(parts[-1], Tag)
            True
        """
        if self._native_structured():
            return astream_structured(cast(Any, self), output_cls, prompt, llm_kwargs, prompt_args)
        return await FunctionCallingLLM.astream_structured_predict(
            cast(Any, self), output_cls, prompt, llm_kwargs, **prompt_args
        )
