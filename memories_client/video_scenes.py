"""Videos into timestamped scene records: the one routine both framework loaders run.

For each video the model is asked, through the framework's native structured output, for the
video's scenes (start and end in seconds, a description, what is visible, on-screen text, speech)
and a summary. The answer becomes one record per scene plus one summary record per video, with
flat metadata that vector stores can filter on. ``langchain_memories.MemoriesVideoLoader`` and
``llama_index_memories.MemoriesVideoReader`` turn the records into their ``Document`` types; they
supply only a :class:`SceneAsker` (how their model is called) and read no rule of their own.

**Windows.** A scene list grows with the video; an answer cut at ``max_tokens`` is lost whole
(truncated JSON). So the expected answer size is estimated before asking: ``tokens_per_scene *
scenes_per_minute`` per minute of video plus the summary. When that fits in the answer budget
(``max_answer_tokens``; by default the model's catalogued output limit, at most 8,192), the whole
video is asked for at once. When it does not, and the duration is known (given as
``VideoSource(duration_s=...)`` or read from a local MP4/MOV header), the video is asked for in
equal time windows that each fit, all in parallel. When the duration is unknown, the whole video
is asked for first; if that answer is cut off, the duration is read from the cut answer (the
schema puts ``duration_s`` first) or asked for, and the video is asked for again in windows. A
window whose answer is still cut off is split in half, down to ``min_window_s``. The API
documents no way to send only a clip of a video, so windows are named in the prompt, and each
window's call is charged the whole video's input tokens: windows trade input cost for answers
that fit.

Example:
    >>> plan_windows(1500.0, budget=8192, options=SceneOptions())
    [(0.0, 375.0), (375.0, 750.0), (750.0, 1125.0), (1125.0, 1500.0)]
    >>> plan_windows(120.0, budget=8192, options=SceneOptions())
    [(0.0, 120.0)]
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import copy
import hashlib
import json
import math
import os
import re
import struct
import warnings
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol

from pydantic import BaseModel, Field

from memories_client.catalog import model_info, resolve_model, try_estimate_cost
from memories_client.errors import MemoriesInputError, ModelError
from memories_client.jsonout import JSONOutputError, parse_json_output, parse_structured
from memories_client.schema import json_schema_of
from memories_client.types import MediaPart, Usage
from memories_client.uploads import Uploader, avideo_part, is_local, video_part

__all__ = [
    "DEFAULT_SCENE_PROMPT",
    "VIDEO_BOOKKEEPING_KEYS",
    "AnswerTruncatedError",
    "OnError",
    "Scene",
    "SceneAnswer",
    "SceneAsker",
    "SceneCall",
    "SceneOptions",
    "VideoFailure",
    "VideoLoadWarning",
    "VideoRecord",
    "VideoResult",
    "VideoScenes",
    "VideoSource",
    "adescribe_videos",
    "describe_videos",
    "plan_windows",
    "probe_duration",
    "video_sources",
]

OnError = Literal["raise", "skip", "collect"]

DEFAULT_SCENE_PROMPT = (
    "You are indexing a video so that people can search it by what happens in it. Watch "
    "{window} and split it into scenes: a new scene starts when the place, the shot, the "
    "people or the activity changes. For every scene, in order, give its start and end as "
    "seconds from the start of the whole video (start_s, end_s), a description of what happens "
    "(who, what, where; one to three sentences), the people, objects and places you can see, "
    "any text visible on screen (verbatim), and what is said (verbatim where you can; null "
    "when nothing is said). Then summarise that part of the video in two to four sentences, "
    "and give the length of the whole video in seconds (duration_s)."
)
"""The default prompt. ``{window}`` is replaced by "the whole video" or by the time window."""

DEFAULT_ANSWER_TOKENS = 8192
"""The answer budget when ``max_answer_tokens`` is not given and the catalog knows no smaller
output limit: about eight minutes of dense scenes (one every 10 s), short enough for one answer
to come back within the default 120 s timeout."""
_SUMMARY_TOKENS = 400  # the summary, duration_s and the JSON around the scene list
_TRUNCATED = frozenset({"length", "max_tokens", "max_output_tokens"})
_RESERVED_KEYS = frozenset(
    {
        "source",
        "video_id",
        "kind",
        "start_s",
        "end_s",
        "scene_index",
        "model",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "cost_usd",
        "title",
        "duration_s",
        "windows",
    }
)

VIDEO_BOOKKEEPING_KEYS = frozenset(
    {
        "video_id",
        "scene_index",
        "model",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "cost_usd",
        "windows",
    }
)
"""Record metadata for bookkeeping (ids, tokens, cost): useful to filter and total, noise to an
embedding or a prompt. LlamaIndex documents hide them from both."""


class VideoLoadWarning(UserWarning):
    """A video was skipped (``on_error="skip"``); the message names it and its error.

    Example:
        >>> issubclass(VideoLoadWarning, UserWarning)
        True
    """


class AnswerTruncatedError(ModelError):
    """The model's scene list was cut at ``max_tokens`` even for the smallest window.

    Example:
        >>> AnswerTruncatedError("cut", status=200).status
        200
    """


# -- the schema the model fills ---------------------------------------------------------------


class Scene(BaseModel):
    """One scene of a video, as the model describes it (the default schema's item).

    Example:
        >>> Scene(start_s=0, end_s=4.5, description="A dog runs.", objects=["dog"],
        ...       on_screen_text=[], speech=None).end_s
        4.5
    """

    start_s: float = Field(description="Start of the scene, in seconds from the video's start.")
    end_s: float = Field(description="End of the scene, in seconds from the video's start.")
    description: str = Field(description="What happens: who, what, where (1-3 sentences).")
    objects: list[str] = Field(description="People, objects and places that are visible.")
    on_screen_text: list[str] = Field(description="Text visible on screen, verbatim.")
    speech: str | None = Field(description="What is said, verbatim where possible; null if none.")


class VideoScenes(BaseModel):
    """The default answer schema: the video's length, a summary and its scenes.

    ``duration_s`` comes first so that an answer cut off by ``max_tokens`` still tells the
    video's length, which is what windowing needs.

    Example:
        >>> sorted(VideoScenes.model_json_schema()["properties"])
        ['duration_s', 'scenes', 'summary']
    """

    duration_s: float | None = Field(description="Length of the whole video in seconds.")
    summary: str = Field(description="A summary of the described part, in 2-4 sentences.")
    scenes: list[Scene] = Field(description="The scenes, in order.")


class _Duration(BaseModel):
    duration_s: float | None = Field(description="Length of the whole video in seconds.")


# -- sources ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VideoSource:
    """One video to load, with what is known about it.

    Give exactly one of ``url``, ``path``, ``data`` or ``base64``. Plain values are accepted
    wherever a source is (:func:`video_sources`): an ``http(s)://`` / ``gs://`` URL, a
    ``data:`` URI, a file path (``str`` or ``Path``) or bytes.

    Attributes:
        url: a URL the service fetches itself.
        path: a local file (sent through the uploader).
        data: the video's bytes (sent through the uploader).
        base64: the video as base64 text (sent through the uploader).
        mime_type: the video's type (sniffed or guessed when None).
        duration_s: the length in seconds, if known (lets long videos be windowed up front).
        title: a title, put in the records' text and metadata.
        metadata: more metadata for every record of this video (reserved keys are refused).
        id: a stable id for the records (default: a hash of the URL, path or content).

    Example:
        >>> VideoSource(url="https://example.com/a.mp4", duration_s=90, title="A").label
        'https://example.com/a.mp4'
    """

    url: str | None = None
    path: str | os.PathLike[str] | None = None
    data: bytes | None = field(default=None, repr=False)
    base64: str | None = field(default=None, repr=False)
    mime_type: str | None = None
    duration_s: float | None = None
    title: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None

    def __post_init__(self) -> None:
        given = [k for k in ("url", "path", "data", "base64") if getattr(self, k) is not None]
        if len(given) != 1:
            raise MemoriesInputError(
                "a VideoSource needs exactly one of url, path, data or base64, got "
                f"{', '.join(given) or 'none'}"
            )
        if self.url is not None and (
            not isinstance(self.url, str)
            or not self.url.lower().startswith(("http://", "https://", "gs://"))
        ):
            raise MemoriesInputError(
                f"VideoSource url must be an http(s):// or gs:// URL, got {self.url!r}"
            )
        if self.duration_s is not None and (
            isinstance(self.duration_s, bool)
            or not isinstance(self.duration_s, (int, float))
            or not 0 < self.duration_s < math.inf
        ):
            raise MemoriesInputError(
                f"duration_s must be a positive number of seconds, got {self.duration_s!r}"
            )
        if not isinstance(self.metadata, Mapping):
            raise MemoriesInputError("VideoSource metadata must be a mapping")
        clash = sorted(_RESERVED_KEYS & set(self.metadata))
        if clash:
            raise MemoriesInputError(
                f"VideoSource metadata keys {clash} are set by the loader; rename them"
            )

    @property
    def label(self) -> str:
        """How records and messages name the video: its URL or path (never its bytes)."""
        if self.url is not None:
            return self.url
        if self.path is not None:
            return os.fspath(self.path)
        return f"{'bytes' if self.data is not None else 'base64'}:{self.video_id}"

    @property
    def video_id(self) -> str:
        """A stable id: the given ``id``, else a hash of the URL, absolute path or content."""
        if self.id is not None:
            return self.id
        if self.url is not None:
            basis = self.url.encode()
        elif self.path is not None:
            basis = os.fspath(Path(self.path).resolve()).encode()
        else:
            basis = self.data if self.data is not None else (self.base64 or "").encode()
        return hashlib.sha256(basis).hexdigest()[:16]

    @property
    def content(self) -> str | os.PathLike[str] | bytes:
        """What :func:`memories_client.uploads.video_part` takes."""
        if self.url is not None:
            return self.url
        if self.path is not None:
            return Path(self.path)
        if self.data is not None:
            return self.data
        return f"data:{self.mime_type or 'video/mp4'};base64,{self.base64}"


def _as_source(item: Any, where: str) -> VideoSource:
    if isinstance(item, VideoSource):
        return item
    if isinstance(item, (bytes, bytearray, memoryview)):
        return VideoSource(data=bytes(item))
    if isinstance(item, os.PathLike):
        return VideoSource(path=item)
    if isinstance(item, str):
        if not item.strip():
            raise MemoriesInputError(f"{where} is an empty string")
        lowered = item.lower()
        if lowered.startswith(("http://", "https://", "gs://")):
            return VideoSource(url=item)
        if lowered.startswith("data:"):
            header, sep, payload = item.partition(",")
            if not sep or ";base64" not in header.lower():
                raise MemoriesInputError(f"{where}: only base64 data: URIs are supported")
            return VideoSource(base64=payload, mime_type=header[5:].split(";", 1)[0] or None)
        if lowered.startswith("file://"):
            return VideoSource(path=item[7:])
        if "://" in item:
            raise MemoriesInputError(
                f"{where}: {item[:80]!r} is not an http(s):// or gs:// URL, a data: URI or a path"
            )
        return VideoSource(path=item)  # a loader's sources are file names, as in every loader
    raise MemoriesInputError(
        f"{where} is a {type(item).__name__}; pass URLs, paths, bytes or VideoSource objects"
    )


def video_sources(sources: Any) -> list[VideoSource]:
    """Check and normalise a loader's sources (one source, or an iterable of them).

    Raises:
        MemoriesInputError: a source of the wrong type or shape, before any request.

    Example:
        >>> [s.url or s.path for s in video_sources(["https://x.test/a.mp4", "clip.mp4"])]
        ['https://x.test/a.mp4', 'clip.mp4']
    """
    if isinstance(sources, (str, bytes, bytearray, memoryview, os.PathLike, VideoSource)):
        sources = [sources]
    if not isinstance(sources, Iterable):
        raise MemoriesInputError(
            f"sources must be a video or an iterable of videos, got {type(sources).__name__}"
        )
    return [_as_source(item, f"sources[{i}]") for i, item in enumerate(sources)]


# -- durations --------------------------------------------------------------------------------


def _boxes(fh: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the ISO-BMFF boxes between ``start`` and ``end``."""
    pos = start
    while pos + 8 <= end:
        fh.seek(pos)
        head = fh.read(16)
        if len(head) < 8:
            return
        size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1 and len(head) == 16:
            size, header = struct.unpack(">Q", head[8:16])[0], 16
        elif size == 0:
            size = end - pos
        if size < header:
            return
        yield kind, pos + header, min(pos + size, end)
        pos += size


def _mp4_duration(fh: BinaryIO, size: int) -> float | None:
    for kind, start, end in _boxes(fh, 0, size):
        if kind != b"moov":
            continue
        for child, cstart, _ in _boxes(fh, start, end):
            if child != b"mvhd":
                continue
            fh.seek(cstart)
            body = fh.read(32)
            if not body:
                return None
            if body[0] == 1 and len(body) >= 32:  # version 1: 64-bit times
                scale, length = struct.unpack(">IQ", body[20:32])
            elif len(body) >= 20:
                scale, length = struct.unpack(">II", body[12:20])
            else:
                return None
            return length / scale if scale and length else None
    return None


def probe_duration(source: str | os.PathLike[str] | bytes) -> float | None:
    """The length in seconds of an MP4 / MOV file or bytes, from its ``mvhd`` header; else None.

    Only box headers are read (a few hundred bytes, wherever ``moov`` sits), so this is cheap
    for any file size. Other containers (WebM, MKV, AVI) give None.

    Example:
        >>> import struct
        >>> mvhd = struct.pack(">I4s4x8xII", 28, b"mvhd", 1000, 93_500)
        >>> moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
        >>> probe_duration(struct.pack(">I4s4s4x", 16, b"ftyp", b"isom") + moov)
        93.5
    """
    try:
        if isinstance(source, (bytes, bytearray, memoryview)):
            import io

            return _mp4_duration(io.BytesIO(bytes(source)), len(source))
        path = Path(source)
        with path.open("rb") as fh:
            return _mp4_duration(fh, path.stat().st_size)
    except (OSError, struct.error):
        return None


# -- options ----------------------------------------------------------------------------------


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its local ``$ref``s replaced by their definitions (no recursion)."""
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}

    def walk(node: Any, depth: int) -> Any:
        if depth > 32:
            raise MemoriesInputError("the scene schema is recursive; give a non-recursive one")
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.rsplit("/", 1)[-1] in defs:
                merged = {
                    **defs[ref.rsplit("/", 1)[-1]],
                    **{k: v for k, v in node.items() if k != "$ref"},
                }
                return walk(merged, depth + 1)
            return {
                k: walk(v, depth + 1) for k, v in node.items() if k not in ("$defs", "definitions")
            }
        if isinstance(node, list):
            return [walk(v, depth + 1) for v in node]
        return node

    result: dict[str, Any] = walk(schema, 0)
    return result


def _is_type(node: Any, name: str) -> bool:
    if not isinstance(node, Mapping):
        return False
    kind = node.get("type")
    if isinstance(kind, list):
        return name in kind
    if kind == name:
        return True
    return any(_is_type(option, name) for option in node.get("anyOf", []))


def _check_schema(schema: dict[str, Any]) -> None:
    """Refuse a scene schema the loader cannot turn into timestamped records."""
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    scenes = props.get("scenes") if isinstance(props, Mapping) else None
    items = scenes.get("items") if isinstance(scenes, Mapping) else None
    item_props = items.get("properties") if isinstance(items, Mapping) else None
    problems = []
    if not isinstance(props, Mapping) or not _is_type(props.get("summary"), "string"):
        problems.append("a string property 'summary'")
    if not isinstance(item_props, Mapping):
        problems.append("an array property 'scenes' of objects")
    else:
        for key in ("start_s", "end_s"):
            if not (
                _is_type(item_props.get(key), "number") or _is_type(item_props.get(key), "integer")
            ):
                problems.append(f"a number property '{key}' on each scene")
    if problems:
        raise MemoriesInputError(
            "the scene schema needs " + ", ".join(problems) + " (see memories_client.VideoScenes)"
        )


@dataclass(frozen=True)
class SceneOptions:
    """Every setting of the video loader and reader, handed down unchanged to the core.

    Attributes:
        prompt: the instruction; must contain ``{window}`` (replaced by "the whole video" or the
            time window to describe).
        schema: the answer schema: a Pydantic model or JSON Schema with a string ``summary``
            and a ``scenes`` array whose items have numeric ``start_s`` and ``end_s``.
        max_answer_tokens: ``max_tokens`` sent with each call (None: the model's catalogued
            output limit, at most 8,192).
        window_s: ask in windows of this many seconds (None: decided from the answer budget).
        tokens_per_scene, scenes_per_minute: the estimate of an answer's size that windows are
            planned with.
        min_window_s: windows are never split below this.
        max_concurrency: model calls and uploads in flight at once (across videos).
        on_error: ``"raise"`` (stop at the first failed video), ``"skip"`` (warn with
            :class:`VideoLoadWarning` naming the video, go on) or ``"collect"`` (go on, and
            keep each failure with its typed error on the loader's ``failures``).
        show_progress: a tqdm progress bar (needs tqdm: ``pip install tqdm``).
        uploader: sends local videos (paths, bytes, base64) and returns URLs (see
            :mod:`memories_client.uploads`).

    Example:
        >>> SceneOptions(max_concurrency=8, on_error="collect").on_error
        'collect'
        >>> SceneOptions(prompt="Describe the video.")
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: prompt must contain '{window}'...
    """

    prompt: str = DEFAULT_SCENE_PROMPT
    schema: type[BaseModel] | Mapping[str, Any] = VideoScenes
    max_answer_tokens: int | None = None
    window_s: float | None = None
    tokens_per_scene: int = 160
    scenes_per_minute: float = 6.0
    min_window_s: float = 60.0
    max_concurrency: int = 4
    on_error: OnError = "raise"
    show_progress: bool = False
    uploader: Uploader | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.prompt, str) or "{window}" not in self.prompt:
            raise MemoriesInputError(
                "prompt must contain '{window}', where the loader names the part of the video "
                "to describe (the whole video, or a time window of a long one)"
            )
        if self.on_error not in ("raise", "skip", "collect"):
            raise MemoriesInputError(
                f"on_error must be 'raise', 'skip' or 'collect', got {self.on_error!r}"
            )
        for name, low in (
            ("max_answer_tokens", 512),
            ("tokens_per_scene", 1),
            ("max_concurrency", 1),
        ):
            value = getattr(self, name)
            if value is None and name == "max_answer_tokens":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise MemoriesInputError(f"{name} must be an integer >= {low}, got {value!r}")
        for name in ("window_s", "scenes_per_minute", "min_window_s"):
            value = getattr(self, name)
            if value is None and name == "window_s":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise MemoriesInputError(f"{name} must be a positive number, got {value!r}")
        if self.uploader is not None and not (
            callable(getattr(self.uploader, "upload", None))
            and callable(getattr(self.uploader, "aupload", None))
        ):
            raise MemoriesInputError(
                "uploader must have upload() and aupload() methods (see memories_client.uploads)"
            )
        schema = _inlined(json_schema_of(self.schema))
        _check_schema(schema)
        object.__setattr__(self, "_json_schema", schema)

    @property
    def json_schema(self) -> dict[str, Any]:
        """The answer schema as JSON Schema, ``$ref``s inlined (a copy)."""
        return copy.deepcopy(self.__dict__["_json_schema"])

    def budget(self, model: str) -> int:
        """The ``max_tokens`` each call is sent with, for ``model``.

        Example:
            >>> SceneOptions().budget("gemini-2.5-flash"), SceneOptions().budget("nova-lite")
            (8192, 8192)
        """
        if self.max_answer_tokens is not None:
            return self.max_answer_tokens
        try:
            limit = model_info(model).max_output_tokens
        except MemoriesInputError:
            limit = None
        return min(limit or DEFAULT_ANSWER_TOKENS, DEFAULT_ANSWER_TOKENS)


def plan_windows(
    duration_s: float | None, *, budget: int, options: SceneOptions
) -> list[tuple[float, float]] | None:
    """The time windows to ask for, or None to ask for the whole video (length unknown).

    Example:
        >>> plan_windows(None, budget=8192, options=SceneOptions())
        >>> plan_windows(600, budget=8192, options=SceneOptions(window_s=240))
        [(0.0, 200.0), (200.0, 400.0), (400.0, 600.0)]
    """
    if duration_s is None:
        return None
    if options.window_s is not None:
        capacity = float(options.window_s)
    else:
        per_minute = options.tokens_per_scene * options.scenes_per_minute
        capacity = max(options.min_window_s, (budget - _SUMMARY_TOKENS) / per_minute * 60)
    count = max(1, math.ceil(duration_s / capacity - 1e-9))
    width = duration_s / count
    return [(round(i * width, 3), round((i + 1) * width, 3)) for i in range(count)]


# -- one call ---------------------------------------------------------------------------------


def _clock(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    hours, rest = divmod(whole, 3600)
    return (
        f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
        if hours
        else f"{rest // 60:02d}:{rest % 60:02d}"
    )


@dataclass(frozen=True, slots=True)
class SceneCall:
    """One request a :class:`SceneAsker` sends: a video, a prompt, a schema, a token budget.

    Attributes:
        video: the video part (a URL, or inline data where the family allows it).
        prompt: the instruction text.
        schema: the JSON Schema the answer must follow (window bounds included).
        max_tokens: ``max_tokens`` for this call.
        tool_name / tool_description: for families whose structured output is a forced tool
            call (Nova).

    Example:
        >>> from memories_client import media_from_url
        >>> call = SceneCall(media_from_url("https://x.test/a.mp4"), "Describe.", {}, 512)
        >>> call.tool_name
        'record_video_scenes'
    """

    video: MediaPart
    prompt: str
    schema: dict[str, Any]
    max_tokens: int
    tool_name: str = "record_video_scenes"
    tool_description: str = "Record the scenes and the summary of the video."


@dataclass(frozen=True, slots=True)
class SceneAnswer:
    """What a :class:`SceneAsker` got back.

    Attributes:
        data: the parsed answer (a dict), when the framework's structured output parsed it.
        text: the answer's raw text (parsed here when ``data`` is None).
        finish_reason: as the service reported it (``"length"`` means cut at ``max_tokens``).
        usage: token usage of the call.
        model: the model that answered (for the price).

    Example:
        >>> SceneAnswer(data={"summary": "s", "scenes": []}).finish_reason is None
        True
    """

    data: Any = None
    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    model: str | None = None


class SceneAsker(Protocol):
    """A framework model wrapped for the routine: its family and id, and how to call it.

    Example:
        >>> class Canned:
        ...     family, model = "gemini", "gemini:gemini-2.5-flash"
        ...     def ask(self, call):
        ...         return SceneAnswer(data={"summary": "s", "scenes": []})
        ...     async def aask(self, call):
        ...         return self.ask(call)
        >>> Canned().ask(None).data["summary"]
        's'
    """

    family: str
    model: str

    def ask(self, call: SceneCall) -> SceneAnswer:
        """Send ``call`` and return the answer (raise the framework's typed errors)."""

    async def aask(self, call: SceneCall) -> SceneAnswer:
        """Async :meth:`ask`."""


# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VideoRecord:
    """One document's worth: an id, the text to embed, and flat metadata.

    Example:
        >>> VideoRecord("v-summary", "A summary.", {"kind": "summary"}).metadata["kind"]
        'summary'
    """

    id: str
    text: str
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class VideoResult:
    """A loaded video: its records (summary first, then scenes in time order) and its cost.

    Example:
        >>> VideoResult("https://x.test/a.mp4", (), Usage(1, 2, 3), None, 1).calls
        1
    """

    source: str
    records: tuple[VideoRecord, ...]
    usage: Usage
    cost_usd: Decimal | None
    calls: int


@dataclass(frozen=True, slots=True)
class VideoFailure:
    """A video that could not be loaded, with its typed error.

    Example:
        >>> failure = VideoFailure("https://x.test/a.mp4", 3, MemoriesInputError("bad"))
        >>> type(failure.error).__name__
        'MemoriesInputError'
    """

    source: str
    index: int
    error: Exception


# -- the per-video job (sans I/O: both drivers run it) ----------------------------------------


@dataclass(frozen=True, slots=True)
class _Resolve:
    source: VideoSource


@dataclass(frozen=True, slots=True)
class _Ask:
    call: SceneCall


_Step = _Resolve | _Ask


@dataclass
class _Totals:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cost: Decimal | None = field(default_factory=Decimal)
    calls: int = 0
    model: str | None = None

    def add(self, answer: SceneAnswer, fallback_model: str) -> None:
        self.calls += 1
        model = _full_model(answer.model or fallback_model)
        self.model = self.model or model
        usage = answer.usage
        if usage is None:
            return
        self.input_tokens += usage.input_tokens
        self.output_tokens += usage.output_tokens
        self.total_tokens += usage.total_tokens
        # Priced per call: the tier (Gemini Pro above 200K input tokens) is chosen per request.
        cost = try_estimate_cost(model, usage.input_tokens, usage.output_tokens)
        self.cost = None if cost is None or self.cost is None else self.cost + cost


def _full_model(name: str) -> str:
    try:
        return resolve_model(name)
    except MemoriesInputError:
        return name


def _bounded(schema: dict[str, Any], window: tuple[float, float]) -> dict[str, Any]:
    """``schema`` with the scene times bounded to ``window`` (the model's answer stays in it)."""
    bounded = copy.deepcopy(schema)
    item_props = bounded["properties"]["scenes"]["items"]["properties"]
    for key in ("start_s", "end_s"):
        item_props[key] = {**item_props[key], "minimum": window[0], "maximum": window[1]}
    return bounded


def _window_text(window: tuple[float, float] | None, duration: float | None) -> str:
    if window is None or (duration is not None and window == (0.0, duration)):
        return "the whole video"
    start, end = window
    return (
        f"only the part of the video from {_clock(start)} to {_clock(end)} ({start:g} s to "
        f"{end:g} s; ignore everything before and after it)"
    )


_DURATION_RE = re.compile(r'"duration_s"\s*:\s*([0-9]+(?:\.[0-9]+)?)')


def _parse(answer: SceneAnswer, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The validated answer, or None when it was cut off by ``max_tokens``.

    Raises:
        JSONOutputError: an answer that is complete but not the JSON asked for.
    """
    try:
        value = answer.data if answer.data is not None else parse_json_output(answer.text)
        # Validated against the schema without window bounds: a scene slightly outside its
        # window is clamped below, not a reason to lose the video.
        result: dict[str, Any] = parse_structured(json.dumps(value, ensure_ascii=False), schema)
    except JSONOutputError:
        if (answer.finish_reason or "").lower() in _TRUNCATED:
            return None
        raise
    return result


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _scene_text(scene: Mapping[str, Any], start: float, end: float, title: str | None) -> str:
    lead = f"{title}, " if title else ""
    lines = [f"{lead}{_clock(start)}-{_clock(end)}: {scene.get('description') or ''}".rstrip()]
    labels = {"objects": "Visible", "on_screen_text": "On screen", "speech": "Speech"}
    for key, value in scene.items():
        if key in ("start_s", "end_s", "description") or value in (None, "", []):
            continue
        label = labels.get(key, key.replace("_", " ").capitalize())
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(f"{label}: {text}")
    return "\n".join(lines)


def _records(
    source: VideoSource,
    parts: list[tuple[tuple[float, float] | None, dict[str, Any]]],
    duration: float | None,
    totals: _Totals,
    windows: int,
) -> tuple[VideoRecord, ...]:
    vid = source.video_id
    base: dict[str, Any] = {**source.metadata, "source": source.label, "video_id": vid}
    if source.title:
        base["title"] = source.title
    if duration is not None:
        base["duration_s"] = duration
    base.update(
        model=totals.model,
        input_tokens=totals.input_tokens,
        output_tokens=totals.output_tokens,
        total_tokens=totals.total_tokens,
        windows=windows,
    )
    if totals.cost is not None:  # omitted, not None: several vector stores refuse None values
        base["cost_usd"] = float(totals.cost)
    scenes: list[tuple[float, float, dict[str, Any]]] = []
    summaries: list[str] = []
    for window, answer in parts:
        low, high = window if window is not None else (0.0, duration)
        text = str(answer.get("summary") or "").strip()
        if text:
            summaries.append(
                f"{_clock(low)}-{_clock(high)}: {text}" if len(parts) > 1 and high else text
            )
        for scene in answer.get("scenes") or []:
            start, end = _number(scene.get("start_s")), _number(scene.get("end_s"))
            if start is None or end is None:
                continue
            if end < start:  # the model swapped them
                start, end = end, start
            start = max(start, low)
            end = max(start, min(end, high) if high is not None else end)
            scenes.append((start, end, scene))
    scenes.sort(key=lambda item: (item[0], item[1]))
    end_of_video = duration if duration is not None else max((e for _, e, _ in scenes), default=0.0)
    lead = f"{source.title}: " if source.title else ""
    summary = VideoRecord(
        f"{vid}-summary",
        lead + "\n".join(summaries),
        {**base, "kind": "summary", "start_s": 0.0, "end_s": end_of_video},
    )
    records = [summary]
    for index, (start, end, scene) in enumerate(scenes):
        records.append(
            VideoRecord(
                f"{vid}-scene-{index:04d}",
                _scene_text(scene, start, end, source.title),
                {**base, "kind": "scene", "start_s": start, "end_s": end, "scene_index": index},
            )
        )
    return tuple(records)


def _job(
    index: int, source: VideoSource, asker: SceneAsker, options: SceneOptions
) -> Generator[list[_Step], list[Any], VideoResult]:
    """Everything for one video, as a generator of steps the drivers run.

    It yields a list of steps (resolve the video, or model calls to make in parallel) and
    receives their results in the same order; a failed step is thrown into it.
    """
    [resolved] = yield [_Resolve(source)]
    part, duration = resolved
    schema = options.json_schema
    budget = options.budget(asker.model)
    totals = _Totals()

    def call(window: tuple[float, float] | None) -> _Ask:
        text = options.prompt.replace("{window}", _window_text(window, duration))
        bounds = window if window is not None else ((0.0, duration) if duration else None)
        sent = _bounded(schema, bounds) if bounds is not None else schema
        return _Ask(SceneCall(part, text, sent, budget))

    planned = plan_windows(duration, budget=budget, options=options)
    pending: list[tuple[float, float] | None] = [None] if planned is None else list(planned)
    done: list[tuple[tuple[float, float] | None, dict[str, Any]]] = []
    while pending:
        answers = yield [call(window) for window in pending]
        retry: list[tuple[float, float] | None] = []
        for window, answer in zip(pending, answers, strict=True):
            totals.add(answer, asker.model)
            parsed = _parse(answer, schema)
            if parsed is not None:
                done.append((window, parsed))
                continue
            if window is None:
                # The whole video did not fit and its length is unknown: read it from the cut
                # answer (duration_s comes first), else ask for it, then ask in windows.
                found = _DURATION_RE.search(answer.text)
                duration = float(found.group(1)) if found else None
                if duration is None:
                    probe = SceneCall(
                        part,
                        "How long is this video? Give its length in seconds (duration_s).",
                        _Duration.model_json_schema(),
                        256,
                        tool_name="record_video_duration",
                        tool_description="Record the length of the video.",
                    )
                    [measured] = yield [_Ask(probe)]
                    totals.add(measured, asker.model)
                    duration = _number(
                        (_parse(measured, json_schema_of(_Duration)) or {}).get("duration_s")
                    )
                if duration is None or duration <= 0:
                    raise AnswerTruncatedError(
                        f"the scene list of {source.label} did not fit in max_tokens={budget} and "
                        "its length is unknown; pass VideoSource(duration_s=...) or a larger "
                        "max_answer_tokens",
                        status=200,
                    )
                windows = plan_windows(duration, budget=budget, options=options) or []
                if len(windows) == 1:  # the estimate says it fits: force two halves
                    windows = [(0.0, duration / 2), (duration / 2, duration)]
                retry.extend(windows)
            elif (window[1] - window[0]) / 2 >= options.min_window_s:
                middle = round((window[0] + window[1]) / 2, 3)
                retry.extend([(window[0], middle), (middle, window[1])])
            else:
                raise AnswerTruncatedError(
                    f"the scenes of {source.label} from {_clock(window[0])} to "
                    f"{_clock(window[1])} did not fit in max_tokens={budget} even in a window of "
                    f"{window[1] - window[0]:g} s; raise max_answer_tokens or lower min_window_s",
                    status=200,
                )
        pending = retry
    done.sort(key=lambda item: item[0][0] if item[0] is not None else 0.0)
    windows_used = len(done)
    records = _records(source, done, duration, totals, windows_used)
    usage = Usage(totals.input_tokens, totals.output_tokens, totals.total_tokens)
    return VideoResult(source.label, records, usage, totals.cost, totals.calls)


# -- running steps ----------------------------------------------------------------------------


def _check_local(source: VideoSource, family: str, options: SceneOptions) -> None:
    """Refuse, before any request, a local video that cannot be sent."""
    content = source.content
    if not is_local(content):
        return
    if isinstance(content, Path) and not content.is_file():
        raise MemoriesInputError(f"the video file {content} does not exist")
    if options.uploader is None:
        # The same check video_part makes, run early so that nothing is sent first.
        from memories_client.catalog import FAMILIES

        info = FAMILIES.get(family)
        if info is None or not info.video_base64_allowed:
            raise MemoriesInputError(
                f"{source.label} is a local video, and {family} models take video only by URL: "
                "pass uploader=MemoriesAssetUploader() or uploader=S3Uploader('<bucket>') (from "
                "memories_client.uploads), or publish the file and pass its URL"
            )


def _duration_of(source: VideoSource) -> float | None:
    if source.duration_s is not None:
        return float(source.duration_s)
    if source.path is not None:
        return probe_duration(source.path)
    if source.data is not None:
        return probe_duration(source.data)
    return None


class _Progress:
    """An optional tqdm bar over videos; uploads show their progress in its postfix."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar: Any = None
        self.failed = 0
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            warnings.warn(
                "show_progress=True needs tqdm (pip install tqdm); loading without a progress bar",
                UserWarning,
                stacklevel=4,
            )
            return
        self.bar = tqdm(total=total, unit="video", desc="videos")

    def upload_bar(self, label: str) -> Callable[[int, int], None] | None:
        bar = self.bar
        if bar is None:
            return None
        name = Path(label).name

        def progress(sent: int, total: int) -> None:
            # One line for everything: a second bar would need cursor moves that logs and
            # saved notebook outputs show as garbage.
            done = sent >= total
            bar.set_postfix_str("" if done else f"uploading {name} {100 * sent // total}%")

        return progress

    def done(self, failed: bool) -> None:
        self.failed += failed
        if self.bar is not None:
            if failed:
                self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _resume(
    gen: Generator[list[_Step], list[Any], VideoResult], outcome: list[Any] | BaseException | None
) -> list[_Step]:
    """The job's next steps, given the results of its last ones (or the error one raised)."""
    if outcome is None:
        return next(gen)
    if isinstance(outcome, BaseException):
        return gen.throw(outcome)
    return gen.send(outcome)


def _handle_failure(
    failure: VideoFailure, options: SceneOptions, failures: list[VideoFailure] | None
) -> None:
    if options.on_error == "raise":
        raise failure.error
    if options.on_error == "skip":
        warnings.warn(
            f"skipped video {failure.source}: {type(failure.error).__name__}: {failure.error}",
            VideoLoadWarning,
            stacklevel=4,
        )
    elif failures is not None:
        failures.append(failure)


def _start(sources: list[VideoSource], asker: SceneAsker, options: SceneOptions) -> None:
    """Checks that must pass before any request: in ``raise`` mode, every local source."""
    if options.on_error == "raise":
        for source in sources:
            _check_local(source, asker.family, options)


def describe_videos(
    sources: Iterable[VideoSource],
    asker: SceneAsker,
    options: SceneOptions,
    failures: list[VideoFailure] | None = None,
) -> Iterator[VideoResult]:
    """Load videos with a sync model: results in source order, failures per ``on_error``.

    Model calls and uploads run in a thread pool of ``max_concurrency`` workers (each with the
    caller's context, so LangChain callbacks and tracing follow the calls); at most that many
    videos are in progress at once.

    Example:
        >>> class Canned:
        ...     family, model = "gemini", "gemini:gemini-2.5-flash"
        ...     def ask(self, call):
        ...         return SceneAnswer(data={"duration_s": 9, "summary": "A dog.", "scenes": [
        ...             {"start_s": 0, "end_s": 9, "description": "A dog runs.", "objects": [],
        ...              "on_screen_text": [], "speech": None}]}, usage=Usage(1000, 50, 1050))
        ...     async def aask(self, call):
        ...         return self.ask(call)
        >>> [result] = describe_videos(video_sources("https://x.test/dog.mp4"), Canned(),
        ...                            SceneOptions())
        >>> [r.metadata["kind"] for r in result.records], result.records[1].text
        (['summary', 'scene'], '00:00-00:09: A dog runs.')
    """
    sources = list(sources)
    _start(sources, asker, options)
    progress = _Progress(len(sources), options.show_progress)
    executor = concurrent.futures.ThreadPoolExecutor(
        max_workers=options.max_concurrency, thread_name_prefix="memories-video"
    )
    jobs: dict[
        int,
        tuple[Generator[list[_Step], list[Any], VideoResult], list[concurrent.futures.Future[Any]]],
    ] = {}
    finished: dict[int, VideoResult | VideoFailure] = {}
    next_source = next_out = 0

    def run(step: _Step, label: str) -> Any:
        if isinstance(step, _Ask):
            return asker.ask(step.call)
        _check_local(step.source, asker.family, options)
        part = video_part(
            step.source.content,
            step.source.mime_type,
            family=asker.family,
            uploader=options.uploader,
            progress=progress.upload_bar(label),
        )
        return part, _duration_of(step.source)

    def advance(index: int, outcome: list[Any] | BaseException | None) -> None:
        gen = jobs[index][0]
        source = sources[index]
        try:
            steps = _resume(gen, outcome)
        except StopIteration as stop:
            finished[index] = stop.value
            del jobs[index]
            progress.done(False)
            return
        except Exception as exc:  # a failed video never loses the others
            finished[index] = VideoFailure(source.label, index, exc)
            del jobs[index]
            progress.done(True)
            return
        futures = [
            executor.submit(contextvars.copy_context().run, run, step, source.label)
            for step in steps
        ]
        jobs[index] = (gen, futures)

    try:
        while next_out < len(sources):
            while next_source < len(sources) and len(jobs) < options.max_concurrency:
                jobs[next_source] = (_job(next_source, sources[next_source], asker, options), [])
                advance(next_source, None)
                next_source += 1
            while next_out in finished:
                item = finished.pop(next_out)
                next_out += 1
                if isinstance(item, VideoFailure):
                    _handle_failure(item, options, failures)
                else:
                    yield item
            if not jobs:
                continue
            waiting = [f for _, futures in jobs.values() for f in futures]
            concurrent.futures.wait(waiting, return_when=concurrent.futures.FIRST_COMPLETED)
            for index, (_, futures) in list(jobs.items()):
                if futures and all(f.done() for f in futures):
                    errors = [f.exception() for f in futures if f.exception() is not None]
                    if errors:
                        advance(index, errors[0])
                    else:
                        advance(index, [f.result() for f in futures])
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        for gen, _ in jobs.values():
            gen.close()
        progress.close()


async def adescribe_videos(
    sources: Iterable[VideoSource],
    asker: SceneAsker,
    options: SceneOptions,
    failures: list[VideoFailure] | None = None,
) -> AsyncIterator[VideoResult]:
    """Async :func:`describe_videos`: ``max_concurrency`` calls and uploads in flight at once.

    Example:
        >>> import asyncio
        >>> class Canned:
        ...     family, model = "nova", "nova:us.amazon.nova-lite-v1:0"
        ...     def ask(self, call):
        ...         return SceneAnswer(data={"duration_s": None, "summary": "Empty.", "scenes": []})
        ...     async def aask(self, call):
        ...         return self.ask(call)
        >>> async def main():
        ...     sources = video_sources(["https://x.test/a.mp4", "https://x.test/b.mp4"])
        ...     return [r.source async for r in adescribe_videos(sources, Canned(), SceneOptions())]
        >>> asyncio.run(main())
        ['https://x.test/a.mp4', 'https://x.test/b.mp4']
    """
    sources = list(sources)
    _start(sources, asker, options)
    progress = _Progress(len(sources), options.show_progress)
    limit = asyncio.Semaphore(options.max_concurrency)

    async def run(step: _Step, label: str) -> Any:
        async with limit:
            if isinstance(step, _Ask):
                return await asker.aask(step.call)
            _check_local(step.source, asker.family, options)
            part = await avideo_part(
                step.source.content,
                step.source.mime_type,
                family=asker.family,
                uploader=options.uploader,
                progress=progress.upload_bar(label),
            )
            return part, _duration_of(step.source)

    async def one(index: int) -> VideoResult | VideoFailure:
        source = sources[index]
        gen = _job(index, source, asker, options)
        outcome: list[Any] | BaseException | None = None
        try:
            while True:
                try:
                    steps = _resume(gen, outcome)
                except StopIteration as stop:
                    progress.done(False)
                    result: VideoResult = stop.value
                    return result
                results = await asyncio.gather(
                    *(run(step, source.label) for step in steps), return_exceptions=True
                )
                errors = [r for r in results if isinstance(r, BaseException)]
                outcome = errors[0] if errors else list(results)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a failed video never loses the others
            progress.done(True)
            return VideoFailure(source.label, index, exc)
        finally:
            gen.close()

    # At most max_concurrency videos in progress; results in source order.
    tasks: dict[int, asyncio.Task[VideoResult | VideoFailure]] = {}
    try:
        for index in range(min(options.max_concurrency, len(sources))):
            tasks[index] = asyncio.ensure_future(one(index))
        for index in range(len(sources)):
            item = await tasks.pop(index)
            started = index + options.max_concurrency
            if started < len(sources):
                tasks[started] = asyncio.ensure_future(one(started))
            if isinstance(item, VideoFailure):
                _handle_failure(item, options, failures)
            else:
                yield item
    finally:
        for task in tasks.values():
            task.cancel()
        progress.close()
