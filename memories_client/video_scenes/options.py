"""The loader's options, the default answer schema, and how windows are planned."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from memories_client.catalog import model_info
from memories_client.errors import MemoriesInputError
from memories_client.schema import json_schema_of
from memories_client.uploads import Uploader
from memories_client.video_scenes.calls import TooManyWindowsError

__all__ = [
    "DEFAULT_ANSWER_TOKENS",
    "DEFAULT_MAX_WINDOWS",
    "DEFAULT_SCENE_PROMPT",
    "MAX_WINDOWS_LIMIT",
    "OnError",
    "Scene",
    "SceneOptions",
    "VideoScenes",
    "plan_windows",
    "window_count",
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
_TOKENS_PER_SCENE = 160
_SCENES_PER_MINUTE = 6.0
_MIN_WINDOW_S = 60.0


def _capacity(
    budget: int,
    tokens_per_scene: int,
    scenes_per_minute: float,
    min_window_s: float,
    window_s: float | None,
) -> float:
    """Seconds of video one answer of ``budget`` tokens is estimated to hold."""
    if window_s is not None:
        return float(window_s)
    per_minute = tokens_per_scene * scenes_per_minute
    return max(min_window_s, (budget - _SUMMARY_TOKENS) / per_minute * 60)


MAX_WINDOWS_LIMIT = 10_000
"""The largest ``max_windows`` accepted: a plan is built in memory and sent as one batch, so
even a user's own limit stays one a process can hold (10,000 windows: 56 days of video at the
default window)."""

DEFAULT_MAX_WINDOWS = math.ceil(
    24
    * 3600
    / _capacity(DEFAULT_ANSWER_TOKENS, _TOKENS_PER_SCENE, _SCENES_PER_MINUTE, _MIN_WINDOW_S, None)
)
"""The most model calls one video may make by default (178): what a 24-hour video needs at the
default window length (487 s). Every call counts: each window, the halves of a window whose
answer was cut off, the whole-video attempt and the length question for a video of unknown
length. A longer (or lying) video is refused with :class:`TooManyWindowsError`."""


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
            "the scene schema needs "
            + ", ".join(problems)
            + " (see memories_client.video_scenes.VideoScenes)"
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
        max_windows: the most model calls one video may make (default
            :data:`DEFAULT_MAX_WINDOWS`, 178: a 24-hour video at the default window length;
            at most :data:`MAX_WINDOWS_LIMIT`, 10,000).
            A video that needs more is refused before its first call with
            :class:`TooManyWindowsError`; one whose cut-off answers would need more, before the
            call past the limit.
        max_cost: the most, in dollars, one load may spend by the catalog's estimate (None: no
            limit). Checked before every batch of calls; a batch that would pass it is refused
            with :class:`BudgetExceededError`. See
            :func:`memories_client.video_scenes.estimate_videos` for how a call is estimated;
            ``estimate()`` on the loader and the reader shows the bill before anything is spent.

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
    tokens_per_scene: int = _TOKENS_PER_SCENE
    scenes_per_minute: float = _SCENES_PER_MINUTE
    min_window_s: float = _MIN_WINDOW_S
    max_concurrency: int = 4
    on_error: OnError = "raise"
    show_progress: bool = False
    uploader: Uploader | None = None
    max_windows: int = DEFAULT_MAX_WINDOWS
    max_cost: float | Decimal | None = None

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
            ("max_windows", 1),
        ):
            value = getattr(self, name)
            if value is None and name == "max_answer_tokens":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise MemoriesInputError(f"{name} must be an integer >= {low}, got {value!r}")
        if self.max_windows > MAX_WINDOWS_LIMIT:
            raise MemoriesInputError(
                f"max_windows must be at most {MAX_WINDOWS_LIMIT:,} (a video's windows are "
                f"planned and sent as one batch), got {self.max_windows:,}; for a longer video "
                "use longer windows (window_s=, max_answer_tokens=)"
            )
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
        object.__setattr__(self, "_cost_limit", _cost_limit(self.max_cost))

    @property
    def cost_limit(self) -> Decimal | None:
        """``max_cost`` as an exact :class:`~decimal.Decimal` (None: no limit).

        Example:
            >>> SceneOptions(max_cost=0.1).cost_limit
            Decimal('0.1')
        """
        limit: Decimal | None = self.__dict__["_cost_limit"]
        return limit

    def check_model(self, model: str) -> None:
        """Refuse, before any request, a ``max_cost`` that ``model`` cannot be held to.

        Raises:
            MemoriesInputError: ``max_cost`` is set and the catalog has no price for ``model``.

        Example:
            >>> SceneOptions(max_cost=1).check_model("gemini:gemini-2.5-flash")
            >>> SceneOptions(max_cost=1).check_model("gemini:brand-new")
            Traceback (most recent call last):
            ...
            memories_client.errors.MemoriesInputError: max_cost=1 needs a price...
        """
        if self.max_cost is None:
            return
        try:
            priced = bool(model_info(model).prices)
        except MemoriesInputError:
            priced = False
        if not priced:
            raise MemoriesInputError(
                f"max_cost={self.max_cost} needs a price for {model!r}, and the catalog has "
                "none (memories_client.MODELS lists the priced models); use a catalogued model "
                "or leave max_cost unset and bound the load with max_windows"
            )

    def capacity(self, budget: int) -> float:
        """Seconds of video one window holds: ``window_s``, else estimated from ``budget``.

        Example:
            >>> SceneOptions().capacity(8192), SceneOptions(window_s=90).capacity(8192)
            (487.0, 90.0)
        """
        return _capacity(
            budget, self.tokens_per_scene, self.scenes_per_minute, self.min_window_s, self.window_s
        )

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


def _cost_limit(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise MemoriesInputError(f"max_cost must be a number of dollars, got {value!r}")
    # str() first: max_cost=0.1 means ten cents, not 0.1000000000000000055511151231257827.
    limit = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not limit.is_finite() or limit <= 0:
        raise MemoriesInputError(
            f"max_cost must be a positive, finite number of dollars, got {value!r} (to see the "
            "bill without spending anything, call estimate() on the loader or the reader)"
        )
    return limit


def window_count(duration_s: float | None, *, budget: int, options: SceneOptions) -> int | None:
    """How many windows :func:`plan_windows` plans for a video, without building them.

    None when the length is unknown (the whole video is asked for first).

    Example:
        >>> window_count(1500.0, budget=8192, options=SceneOptions())
        4
        >>> window_count(2.0**40, budget=8192, options=SceneOptions())
        2257724082
    """
    if duration_s is None:
        return None
    return max(1, math.ceil(duration_s / options.capacity(budget) - 1e-9))


def check_window_count(
    label: str,
    calls: int,
    options: SceneOptions,
    *,
    duration_s: float | None,
    why: str,
) -> None:
    """Refuse a video whose model calls would pass ``options.max_windows``.

    Raises:
        TooManyWindowsError: ``calls`` is above the limit; the message says what to change.

    Example:
        >>> check_window_count("a.mp4", 3, SceneOptions(), duration_s=900.0, why="")
        >>> check_window_count("a.mp4", 9, SceneOptions(max_windows=8), duration_s=4000.0,
        ...                    why="its windows")
        Traceback (most recent call last):
        ...
        memories_client.video_scenes.calls.TooManyWindowsError: a.mp4 would need 9 model calls...
    """
    if calls <= options.max_windows:
        return
    if duration_s is None:
        length = "of unknown length"
    else:
        length = f"{duration_s:,.0f} s long" if duration_s >= 100 else f"{duration_s:g} s long"
    raise TooManyWindowsError(
        f"{label} would need {calls:,} model calls ({why}; the video is {length}), and "
        f"max_windows is {options.max_windows}; each call is billed the whole video's input "
        "tokens. If the length is right, raise max_windows (or window_s / max_answer_tokens for "
        "longer windows); if it is wrong (a file's header or the model's answer can claim any "
        "length), pass VideoSource(duration_s=<the true length>)",
        source=label,
        calls=calls,
        max_windows=options.max_windows,
        duration_s=duration_s,
    )


def plan_windows(
    duration_s: float | None,
    *,
    budget: int,
    options: SceneOptions,
    label: str = "the video",
) -> list[tuple[float, float]] | None:
    """The time windows to ask for, or None to ask for the whole video (length unknown).

    The windows are counted before they are built: a plan longer than ``options.max_windows``
    is refused, so an absurd length (a header claiming 2**40 s) never builds a huge list.

    Raises:
        TooManyWindowsError: the plan needs more than ``options.max_windows`` windows.

    Example:
        >>> plan_windows(None, budget=8192, options=SceneOptions())
        >>> plan_windows(600, budget=8192, options=SceneOptions(window_s=240))
        [(0.0, 200.0), (200.0, 400.0), (400.0, 600.0)]
    """
    count = window_count(duration_s, budget=budget, options=options)
    if duration_s is None or count is None:
        return None
    check_window_count(label, count, options, duration_s=duration_s, why=f"{count:,} windows")
    width = duration_s / count
    return [(round(i * width, 3), round((i + 1) * width, 3)) for i in range(count)]
