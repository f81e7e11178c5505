"""``MemoriesVideoReader``: videos into timestamped scene ``Document`` objects for indexes.

A thin layer over :func:`memories_client.video_scenes.describe_videos`: it wraps
``MemoriesMultiModal`` as a :class:`memories_client.video_scenes.SceneAsker` (each call goes through
the decorated ``chat`` / ``achat``, so events, ``TokenCountingHandler`` and retries apply) and turns
each record into a LlamaIndex ``Document``. Windowing, concurrency, uploads and the ``on_error``
policy are the core's.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    MessageRole,
    TextBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.readers.base import BaseReader
from llama_index.core.schema import Document
from pydantic import BaseModel

from llama_index_memories.base import MemoriesMultiModal
from memories_client import (
    MediaPart,
    MemoriesInputError,
    ToolSpec,
    Usage,
)
from memories_client.uploads import Uploader
from memories_client.video_scenes import (
    DEFAULT_MAX_WINDOWS,
    DEFAULT_SCENE_PROMPT,
    VIDEO_BOOKKEEPING_KEYS,
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

__all__ = ["MemoriesVideoReader"]

# What a prompt (a query engine's context) is shown besides the text: where and when.
_LLM_HIDDEN = sorted(VIDEO_BOOKKEEPING_KEYS)


def _video_block(part: MediaPart) -> VideoBlock:
    if part.url is not None:
        return VideoBlock(url=part.url, video_mimetype=part.mime_type)
    return VideoBlock(video=base64.b64decode(part.b64_text()), video_mimetype=part.mime_type)


def _usage(response: ChatResponse) -> Usage | None:
    usage = (response.raw or {}).get("usage") if isinstance(response.raw, Mapping) else None
    if not isinstance(usage, Mapping):
        return None
    return Usage(
        int(usage.get("prompt_tokens", 0)),
        int(usage.get("completion_tokens", 0)),
        int(usage.get("total_tokens", 0)),
    )


class _Asker:
    """``MemoriesMultiModal`` as the core routine calls it."""

    def __init__(self, llm: MemoriesMultiModal) -> None:
        self.llm = llm
        self.family = llm.family
        self.model = llm.model
        # The core's family rule, which the LangChain loader runs too.
        self.method = scene_method(llm.model)

    def _request(self, call: SceneCall) -> tuple[list[ChatMessage], dict[str, Any]]:
        message = ChatMessage(
            role=MessageRole.USER, blocks=[_video_block(call.video), TextBlock(text=call.prompt)]
        )
        # max_tokens per call: a scene list needs more room than the service's default of 1000.
        options: dict[str, Any] = {"max_tokens": call.max_tokens}
        if self.method == "schema":
            # A native schema: Gemini's responseSchema, Qwen's json_schema.
            options["response_schema"] = call.schema
        else:
            # Nova's structured output is a forced tool call whose arguments are the answer.
            options["tools"] = [ToolSpec(call.tool_name, call.tool_description, call.schema)]
            options["tool_choice"] = call.tool_name
        return [message], options

    def _answer(self, response: ChatResponse) -> SceneAnswer:
        calls = [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]
        data = calls[0].tool_kwargs if calls else None
        return SceneAnswer(
            data=data,
            text=response.message.content or "",
            finish_reason=response.additional_kwargs.get("finish_reason"),
            usage=_usage(response),
            model=self.model,
        )

    def ask(self, call: SceneCall) -> SceneAnswer:
        messages, options = self._request(call)
        return self._answer(self.llm.chat(messages, **options))

    async def aask(self, call: SceneCall) -> SceneAnswer:
        messages, options = self._request(call)
        return self._answer(await self.llm.achat(messages, **options))


class MemoriesVideoReader(BaseReader):
    """Reads videos into ``Document`` objects: one per scene, plus one summary per video.

    The model watches each video and answers (Gemini and Qwen: a native response schema; Nova:
    a forced tool call; ``memories_client.video_scenes.scene_method`` decides, for the LangChain
    loader too) with its scenes (start and end in seconds, a description, what is visible,
    on-screen text, speech) and a summary. Metadata: ``source``, ``kind`` (``"scene"`` /
    ``"summary"``), ``start_s`` / ``end_s`` (numbers), ``title`` and ``duration_s`` (when known),
    and for bookkeeping ``video_id``, ``scene_index``, ``model``, the video's token counts and
    ``cost_usd`` (hidden from embeddings and prompts). ``id_`` is stable, so reading again
    updates an index rather than duplicating it.

    Long videos are asked for in time windows when the answer would not fit in
    ``max_answer_tokens`` (see :mod:`memories_client.video_scenes`). Local files (a path, bytes,
    a ``data:`` URI) go through ``uploader``; Gemini takes video only by URL, so it needs one.

    Args:
        llm: a ``MemoriesMultiModal`` (default: ``MemoriesMultiModal()``, Gemini 2.5 Flash) of
            a family that takes video (Gemini, Nova, Qwen; not GPT); its settings (key, base
            URL, timeouts, retries, callback manager) apply to every call.
        on_error: ``"raise"`` (default), ``"skip"`` (a
            ``memories_client.video_scenes.VideoLoadWarning`` naming the video) or ``"collect"``
            (failures kept on :attr:`failures` with their typed errors). The other videos load
            either way.
        uploader: sends local videos and returns URLs
            (``memories_client.uploads.MemoriesAssetUploader``,
            ``memories_client.uploads.S3Uploader``, or your own
            ``memories_client.uploads.Uploader``).
        prompt, schema, max_answer_tokens, window_s, tokens_per_scene: as for
            ``langchain_memories.MemoriesVideoLoader``, and so are ``scenes_per_minute``,
            ``min_window_s``, ``max_concurrency`` and ``show_progress`` (one set of options,
            the core's ``memories_client.video_scenes.SceneOptions``).
        max_windows: the most model calls one video may make (default
            ``memories_client.video_scenes.DEFAULT_MAX_WINDOWS``, 178: a 24-hour video at the
            default window length); a video that needs more fails with
            ``memories_client.video_scenes.TooManyWindowsError`` before its first call.
        max_cost: the most, in dollars, one read may spend by the catalog's estimate (default:
            no limit); a batch of calls that would pass it is refused with
            ``memories_client.video_scenes.BudgetExceededError`` before it is sent. :meth:`estimate`
            shows the bill first.

    Raises:
        memories_client.MemoriesInputError: bad settings here (``max_cost`` for a model without
            a catalogued price included), bad sources at ``load_data``, before any request.
        memories_client.UnsupportedFeatureError: a model whose family takes no video (GPT).

    Example:
        >>> from memories_emulator import Emulator
        >>> from llama_index_memories import MemoriesMultiModal, MemoriesVideoReader
        >>> with Emulator() as emu:
        ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
        ...     docs = MemoriesVideoReader(llm=llm).load_data(["https://x.test/clip.mp4"])
        >>> [d.metadata["kind"] for d in docs], docs[1].metadata["start_s"] >= 0
        (['summary', 'scene', 'scene'], True)
    """

    def __init__(
        self,
        llm: MemoriesMultiModal | None = None,
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
            llm = MemoriesMultiModal()
        if not isinstance(llm, MemoriesMultiModal):
            raise MemoriesInputError(f"llm must be a MemoriesMultiModal, got {type(llm).__name__}")
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
        """Videos that failed in the last read, with their typed errors (``on_error="collect"``)."""
        self._asker = _Asker(llm)
        self.options.check_model(self._asker.model)

    def estimate(self, sources: Any) -> LoadEstimate:
        """The bill of :meth:`load_data` for ``sources`` before it runs: calls, tokens, dollars.

        No model call, no upload, no network: only ``VideoSource(duration_s=...)`` and local
        MP4/MOV headers are read. ``memories_client.video_scenes.estimate_videos`` (which this
        calls) says how each call is estimated.

        Raises:
            memories_client.MemoriesInputError: a bad source.

        Example:
            >>> from memories_client.video_scenes import VideoSource
            >>> reader = MemoriesVideoReader(llm=MemoriesMultiModal(api_key="k"))
            >>> bill = reader.estimate([VideoSource(url="https://x.test/a.mp4", duration_s=1500)])
            >>> bill.calls, bill.cost_usd < 1
            (4, True)
        """
        return estimate_videos(video_sources(sources), self._asker.model, self.options)

    @staticmethod
    def _documents(records: Iterable[VideoRecord]) -> Iterator[Document]:
        for record in records:
            metadata = dict(record.metadata)
            ours = [k for k in metadata if k in VIDEO_BOOKKEEPING_KEYS or k == "source"]
            yield Document(
                text=record.text,
                id_=record.id,
                metadata=metadata,
                # The text already says what and when; ids, tokens and cost would only add noise
                # to the embedding, and bookkeeping to the prompt.
                excluded_embed_metadata_keys=[k for k in ours if k != "title"],
                excluded_llm_metadata_keys=[k for k in _LLM_HIDDEN if k in metadata],
            )

    def lazy_load_data(self, sources: Any) -> Iterator[Document]:
        """Read the videos one by one (in source order), yielding their documents.

        Args:
            sources: video URLs, file paths, bytes or ``memories_client.video_scenes.VideoSource``
                objects.

        Example:
            >>> from memories_emulator import Emulator
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(model="nova:us.amazon.nova-lite-v1:0", api_key="k",
            ...                              base_url=emu.base_url)
            ...     first =
            next(MemoriesVideoReader(llm=llm).lazy_load_data("https://x.test/a.mp4"))
            >>> first.metadata["kind"]
            'summary'
        """
        checked = video_sources(sources)
        self.failures = []
        for result in describe_videos(checked, self._asker, self.options, self.failures):
            yield from self._documents(result.records)

    def load_data(self, sources: Any) -> list[Document]:
        """Read the videos; return all their documents (summary first, then scenes, per video).

        Example:
            >>> from memories_emulator import Emulator
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     docs = MemoriesVideoReader(llm=llm).load_data("https://x.test/a.mp4")
            >>> docs[0].id_.endswith("-summary")
            True
        """
        return list(self.lazy_load_data(sources))

    async def aload_data(self, sources: Any) -> list[Document]:
        """Async :meth:`load_data`: ``max_concurrency`` calls in flight on the event loop.

        Example:
            >>> import asyncio
            >>> from memories_emulator import Emulator
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     docs = asyncio.run(MemoriesVideoReader(llm=llm).aload_data(
            ...         ["https://x.test/a.mp4", "https://x.test/b.mp4"]))
            >>> len(docs)
            6
        """
        checked = video_sources(sources)
        self.failures = []
        documents: list[Document] = []
        async for result in adescribe_videos(checked, self._asker, self.options, self.failures):
            documents.extend(self._documents(result.records))
        return documents

    async def alazy_load_data(self, sources: Any) -> Sequence[Document]:
        """The same as :meth:`aload_data` (LlamaIndex's async "lazy" load returns a collection).

        Example:
            >>> import asyncio
            >>> from memories_emulator import Emulator
            >>> with Emulator() as emu:
            ...     llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
            ...     docs = asyncio.run(MemoriesVideoReader(llm=llm).alazy_load_data(
            ...         "https://x.test/a.mp4"))
            >>> len(docs)
            3
        """
        return await self.aload_data(sources)
