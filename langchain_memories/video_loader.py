"""``MemoriesVideoLoader``: videos into timestamped scene ``Document`` objects for RAG.

A thin layer over :func:`memories_client.video_scenes.describe_videos`: it wraps the chat model as a
:class:`memories_client.video_scenes.SceneAsker` (calls go through ``with_structured_output``, so
native structured output, retries, typed errors and callbacks such as ``get_memories_callback`` all
apply) and turns each record into a ``Document``. Windowing, concurrency, uploads and the
``on_error`` policy are the core's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Literal

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel

import memories_client as mc
import memories_client.integration as kit
from langchain_memories._base import _BaseChatMemories
from langchain_memories.gemini import ChatMemoriesGemini
from memories_client.uploads import Uploader
from memories_client.video_scenes import (
    DEFAULT_MAX_WINDOWS,
    DEFAULT_SCENE_PROMPT,
    LoadEstimate,
    SceneAnswer,
    SceneCall,
    SceneOptions,
    VideoFailure,
    VideoRecord,
    VideoScenes,
    adescribe_videos,
    describe_videos,
    estimate_videos,
    scene_method,
    video_sources,
)

__all__ = ["MemoriesVideoLoader"]


def _video_block(part: mc.MediaPart) -> dict[str, Any]:
    if part.url is not None:
        return {"type": "video", "url": part.url, "mime_type": part.mime_type}
    return {"type": "video", "base64": part.b64_text(), "mime_type": part.mime_type}


def _usage(message: AIMessage) -> mc.Usage | None:
    usage = message.usage_metadata
    if not usage:
        return None
    return mc.Usage(usage["input_tokens"], usage["output_tokens"], usage["total_tokens"])


class _Asker:
    """The chat model as the core routine calls it."""

    def __init__(self, llm: _BaseChatMemories) -> None:
        self.llm = llm
        self.family = llm._family
        self.model = kit.resolve_model(llm.model, self.family)
        # The core's family rule (the LlamaIndex reader runs the same one); how the answer is
        # structured is left to with_structured_output, which makes the same choice.
        scene_method(self.model)

    def _runnable(self, call: SceneCall) -> Any:
        # max_tokens per call: a scene list needs more room than the service's default of 1000.
        # A copy, so the caller's model is left as it was (it shares the copy's connection pool).
        sized = self.llm.model_copy(update={"max_tokens": call.max_tokens})
        # The title and description name the tool where the answer is a tool call (Nova).
        schema = {**call.schema, "title": call.tool_name, "description": call.tool_description}
        return sized.with_structured_output(schema, include_raw=True)

    @staticmethod
    def _message(call: SceneCall) -> list[HumanMessage]:
        return [
            HumanMessage(content=[{"type": "text", "text": call.prompt}, _video_block(call.video)])
        ]

    @staticmethod
    def _answer(out: Mapping[str, Any]) -> SceneAnswer:
        raw: AIMessage = out["raw"]
        data = out.get("parsed")
        if isinstance(data, BaseModel):
            data = data.model_dump()
        if data is None and raw.tool_calls:
            # Arguments that failed the bounded schema: the core re-checks them without bounds.
            data = raw.tool_calls[0]["args"]
        meta = raw.response_metadata
        return SceneAnswer(
            data=data,
            text=raw.text,
            finish_reason=meta.get("finish_reason"),
            usage=_usage(raw),
            model=meta.get("model_name"),
        )

    def ask(self, call: SceneCall) -> SceneAnswer:
        return self._answer(self._runnable(call).invoke(self._message(call)))

    async def aask(self, call: SceneCall) -> SceneAnswer:
        return self._answer(await self._runnable(call).ainvoke(self._message(call)))


class MemoriesVideoLoader(BaseLoader):
    """Loads videos as ``Document`` objects: one per scene, plus one summary per video.

    The model watches each video and answers, through native structured output, with its
    scenes (start and end in seconds, a description, what is visible, on-screen text, speech)
    and a summary. Each scene ``Document`` has ``metadata`` that vector stores can filter on:
    ``source``, ``kind`` (``"scene"`` / ``"summary"``), ``start_s`` / ``end_s`` (numbers),
    ``scene_index``, ``title`` and ``duration_s`` (when known), ``model``, the video's
    ``input_tokens`` / ``output_tokens`` / ``total_tokens`` and ``cost_usd`` (the same on every
    document of a video: total over summaries, not over scenes), plus the source's own metadata.
    ``Document.id`` is stable (``<video id>-scene-0003``), so loading again updates a store
    rather than duplicating it.

    Long videos are asked for in time windows when the answer would not fit in
    ``max_answer_tokens`` (see :mod:`memories_client.video_scenes` for how that is decided).
    Local files (a path, bytes, a ``data:`` URI) go through ``uploader``; Gemini takes video only
    by URL, so it needs one.

    Args:
        sources: video URLs, file paths, bytes or ``memories_client.video_scenes.VideoSource``
            objects (``VideoSource(url=..., duration_s=..., title=..., metadata={...})``).
        llm: a chat model of a family that takes video (default: ``ChatMemoriesGemini()``;
            ``ChatMemoriesNova`` and ``ChatMemoriesQwen`` too, as in LlamaIndex:
            ``memories_client.video_scenes.scene_method`` decides); its own settings (key, base URL,
            timeouts, retries, callbacks) apply to every call.
        on_error: ``"raise"`` (default; stop at the first failed video), ``"skip"`` (a
            ``memories_client.video_scenes.VideoLoadWarning`` naming the video) or ``"collect"``
            (failures kept on :attr:`failures` with their typed errors). The other videos load
            either way.
        uploader: sends local videos and returns URLs
            (``memories_client.uploads.MemoriesAssetUploader``,
            ``memories_client.uploads.S3Uploader``, or your own
            ``memories_client.uploads.Uploader``).
        prompt: replaces the instruction (must contain ``{window}``).
        schema: replaces the answer schema (a Pydantic model or JSON Schema with a string
            ``summary`` and ``scenes`` items with numeric ``start_s`` / ``end_s``).
        max_answer_tokens: ``max_tokens`` per call (default: the model's output limit, at most
            8,192).
        window_s: fixed window length in seconds (default: decided from the answer budget).
        tokens_per_scene, scenes_per_minute, min_window_s: tune the window planning.
        max_concurrency: model calls and uploads in flight at once, across videos (default 4).
        show_progress: a tqdm progress bar (``pip install tqdm``).
        max_windows: the most model calls one video may make (default
            ``memories_client.video_scenes.DEFAULT_MAX_WINDOWS``, 178: a 24-hour video at the
            default window length). A video that needs more (a header or an answer can claim any
            length) fails with ``memories_client.video_scenes.TooManyWindowsError`` before its first
            call.
        max_cost: the most, in dollars, one load may spend by the catalog's estimate (default:
            no limit). A batch of calls that would pass it is refused with
            ``memories_client.video_scenes.BudgetExceededError`` before it is sent. :meth:`estimate`
            shows the bill first.

    Raises:
        memories_client.MemoriesInputError: bad sources or settings (``max_cost`` for a model
            without a catalogued price included), before any request.
        memories_client.UnsupportedFeatureError: a model whose family takes no video (GPT).

    Example:
        >>> from memories_emulator import Emulator
        >>> from langchain_memories import ChatMemoriesGemini, MemoriesVideoLoader
        >>> with Emulator() as emu:
        ...     llm = ChatMemoriesGemini(api_key="k", base_url=emu.base_url)
        ...     docs = MemoriesVideoLoader(
        ...         ["https://storage.googleapis.com/bucket/clip.mp4"], llm=llm).load()
        >>> [d.metadata["kind"] for d in docs]
        ['summary', 'scene', 'scene']
        >>> sorted(k for k in docs[1].metadata if k.endswith("_s"))
        ['duration_s', 'end_s', 'start_s']
    """

    def __init__(
        self,
        sources: Any,
        llm: _BaseChatMemories | None = None,
        *,
        on_error: Literal["raise", "skip", "collect"] = "raise",
        uploader: Uploader | None = None,
        prompt: str = DEFAULT_SCENE_PROMPT,
        schema: type[BaseModel] | Mapping[str, Any] = VideoScenes,
        max_answer_tokens: int | None = None,
        window_s: float | None = None,
        tokens_per_scene: int = 160,
        scenes_per_minute: float = 6.0,
        min_window_s: float = 60.0,
        max_concurrency: int = 4,
        show_progress: bool = False,
        max_windows: int = DEFAULT_MAX_WINDOWS,
        max_cost: float | Decimal | None = None,
    ) -> None:
        if llm is None:
            llm = ChatMemoriesGemini()
        if not isinstance(llm, _BaseChatMemories):
            raise mc.MemoriesInputError(
                f"llm must be a langchain_memories chat model (ChatMemoriesGemini, "
                f"ChatMemoriesNova, ChatMemoriesQwen), got {type(llm).__name__}"
            )
        self._asker = _Asker(llm)
        self.sources = video_sources(sources)
        self.llm = llm
        self.options = SceneOptions(
            prompt=prompt,
            schema=schema,
            max_answer_tokens=max_answer_tokens,
            window_s=window_s,
            tokens_per_scene=tokens_per_scene,
            scenes_per_minute=scenes_per_minute,
            min_window_s=min_window_s,
            max_concurrency=max_concurrency,
            on_error=on_error,
            show_progress=show_progress,
            uploader=uploader,
            max_windows=max_windows,
            max_cost=max_cost,
        )
        self.failures: list[VideoFailure] = []
        """Videos that failed in the last load, with their typed errors (``on_error="collect"``)."""
        self.options.check_model(self._asker.model)

    def estimate(self) -> LoadEstimate:
        """The bill of :meth:`load` before it runs: calls, tokens and dollars, per video and in all.

        Calls no model and uploads nothing: it reads each source's ``duration_s`` and, for a
        local file or bytes, its MP4/MOV header (a few hundred bytes), as the load does before
        its first call. Output tokens count at each call's ``max_tokens`` and every call about
        a video is billed the whole video; a video of unknown length counts one call at the
        model's context window (see ``memories_client.video_scenes.estimate_videos``).

        Example:
            >>> from memories_client.video_scenes import VideoSource
            >>> keynote = VideoSource(url="https://x.test/keynote.mp4", duration_s=1500)
            >>> loader = MemoriesVideoLoader([keynote], llm=ChatMemoriesGemini(api_key="k"))
            >>> bill = loader.estimate()
            >>> bill.calls, bill.cost_usd < 1
            (4, True)
        """
        return estimate_videos(self.sources, self._asker.model, self.options)

    @staticmethod
    def _documents(results: Iterable[VideoRecord]) -> Iterator[Document]:
        for record in results:
            yield Document(page_content=record.text, metadata=dict(record.metadata), id=record.id)

    def lazy_load(self) -> Iterator[Document]:
        """Load the videos one by one (in source order), yielding their documents.

        Example:
            >>> from memories_emulator import Emulator
            >>> from langchain_memories import ChatMemoriesNova
            >>> with Emulator() as emu:
            ...     llm = ChatMemoriesNova(api_key="k", base_url=emu.base_url)
            ...     loader = MemoriesVideoLoader("https://x.test/a.mp4", llm=llm)
            ...     first = next(loader.lazy_load())
            >>> first.metadata["kind"], first.metadata["model"]
            ('summary', 'nova:us.amazon.nova-lite-v1:0')
        """
        self.failures = []
        for result in describe_videos(self.sources, self._asker, self.options, self.failures):
            yield from self._documents(result.records)

    async def alazy_load(self) -> AsyncIterator[Document]:
        """Async :meth:`lazy_load`: ``max_concurrency`` calls in flight on the event loop.

        Example:
            >>> import asyncio
            >>> from memories_emulator import Emulator
            >>> async def main(llm):
            ...     loader = MemoriesVideoLoader(["https://x.test/a.mp4"], llm=llm)
            ...     return [d async for d in loader.alazy_load()]
            >>> with Emulator() as emu:
            ...     docs = asyncio.run(main(ChatMemoriesGemini(api_key="k", base_url=emu.base_url)))
            >>> len(docs)
            3
        """
        self.failures = []
        async for result in adescribe_videos(
            self.sources, self._asker, self.options, self.failures
        ):
            for document in self._documents(result.records):
                yield document
