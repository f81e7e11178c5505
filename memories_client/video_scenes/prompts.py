"""The text and schema of one scene call: which part of the video it asks about."""

from __future__ import annotations

import copy
from typing import Any

from memories_client.video_scenes.options import SceneOptions

__all__: list[str] = []


def clock(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    hours, rest = divmod(whole, 3600)
    return (
        f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
        if hours
        else f"{rest // 60:02d}:{rest % 60:02d}"
    )


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
        f"only the part of the video from {clock(start)} to {clock(end)} ({start:g} s to "
        f"{end:g} s; ignore everything before and after it)"
    )


def call_text(
    options: SceneOptions,
    schema: dict[str, Any],
    window: tuple[float, float] | None,
    duration: float | None,
) -> tuple[str, dict[str, Any]]:
    """The prompt and the (time-bounded) schema of the call about ``window`` of the video."""
    text = options.prompt.replace("{window}", _window_text(window, duration))
    bounds = window if window is not None else ((0.0, duration) if duration else None)
    return text, (_bounded(schema, bounds) if bounds is not None else schema)
