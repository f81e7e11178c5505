"""The loader's options, the default answer schema, and how windows are planned."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from memories_client.catalog import model_info
from memories_client.errors import MemoriesInputError
from memories_client.schema import json_schema_of
from memories_client.uploads import Uploader

__all__ = [
    "DEFAULT_ANSWER_TOKENS",
    "DEFAULT_SCENE_PROMPT",
    "OnError",
    "Scene",
    "SceneOptions",
    "VideoScenes",
    "plan_windows",
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
