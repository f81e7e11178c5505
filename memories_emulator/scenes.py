"""Believable scene lists: scenes that tile the time window asked for, inside the video's length.

A schema is *scene-shaped* when one of its top-level properties is an array of objects with a
start and an end time (``start_s``/``end_s``, ``start``/``end``, ``start_time``/``end_time`` or
``start_seconds``/``end_seconds``), as the video loader's schema is. The window is read from the
bounds the request puts on the start time (``minimum``/``maximum``: the loader bounds each
window's scenes that way); without bounds it is the whole video. The video's length is what
the test declared for its URL, else :data:`KNOWN_VIDEO_DURATIONS`, else
:data:`DEFAULT_VIDEO_SECONDS`.

Generated scenes tile the window, one per :data:`SCENE_SECONDS` (at most
:data:`MAX_SCENES`, within the array's ``minItems``/``maxItems``); scripted scenes are cut to
the window. A top-level ``duration_s`` / ``duration`` number is the video's length.

Example:
    >>> schema = {"type": "object", "properties": {"scenes": {"type": "array", "items": {
    ...     "type": "object", "properties": {"start_s": {"type": "number", "minimum": 0,
    ...     "maximum": 60}, "end_s": {"type": "number"}}}}}}
    >>> value = fill_scenes({"scenes": []}, schema, lambda item, i: {}, duration=None)
    >>> [(s["start_s"], s["end_s"]) for s in value["scenes"]]
    [(0.0, 30.0), (30.0, 60.0)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "DEFAULT_VIDEO_SECONDS",
    "KNOWN_VIDEO_DURATIONS",
    "MAX_SCENES",
    "SCENE_SECONDS",
    "fill_scenes",
    "known_duration",
    "scene_array",
]

SCENE_SECONDS = 30.0
"""Generated scenes last about this long."""
MAX_SCENES = 24
"""At most this many generated scenes per answer (a long window gets longer scenes)."""
DEFAULT_VIDEO_SECONDS = 60.0
"""The length assumed for a video whose length nobody declared."""

_GTV = "https://storage.googleapis.com/gtv-videos-bucket/sample/"
KNOWN_VIDEO_DURATIONS: dict[str, float] = {
    _GTV + "BigBuckBunny.mp4": 596.0,
    _GTV + "ElephantsDream.mp4": 653.0,
    _GTV + "Sintel.mp4": 888.0,
    _GTV + "TearsOfSteel.mp4": 734.0,
    _GTV + "ForBiggerBlazes.mp4": 15.0,
    _GTV + "ForBiggerEscapes.mp4": 15.0,
    _GTV + "ForBiggerFun.mp4": 60.0,
    _GTV + "ForBiggerJoyrides.mp4": 15.0,
    _GTV + "ForBiggerMeltdowns.mp4": 15.0,
    "https://storage.googleapis.com/memories-test-data/test_1min.mp4": 60.0,
}
"""Lengths in seconds of the public sample videos the docs and notebooks use. A test declares
others with ``Emulator.set_video_duration``."""

_TIME_PAIRS = (
    ("start_s", "end_s"),
    ("start", "end"),
    ("start_time", "end_time"),
    ("start_seconds", "end_seconds"),
)
_DURATION_KEYS = ("duration_s", "duration", "duration_seconds", "length_s")


def known_duration(url: str) -> float | None:
    """The length of a bundled sample video (query string ignored), or ``None``.

    Example:
        >>> known_duration(_GTV + "Sintel.mp4?x=1"), known_duration("https://x.test/a.mp4")
        (888.0, None)
    """
    return KNOWN_VIDEO_DURATIONS.get(url.partition("?")[0])


def _type_is(schema: Any, name: str) -> bool:
    kind = schema.get("type") if isinstance(schema, Mapping) else None
    if isinstance(kind, list):
        return any(isinstance(k, str) and k.lower() == name for k in kind)
    return isinstance(kind, str) and kind.lower() == name


def _properties(schema: Any) -> Mapping[str, Any]:
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    return props if isinstance(props, Mapping) else {}


def scene_array(schema: Any) -> tuple[str, Mapping[str, Any], str, str] | None:
    """The scene list of a scene-shaped schema: its key, item schema and time keys.

    Example:
        >>> scene_array({"properties": {"clips": {"type": "ARRAY", "items": {"properties": {
        ...     "start": {"type": "NUMBER"}, "end": {"type": "NUMBER"}}}}}})[::2]
        ('clips', 'start')
    """
    for key, sub in _properties(schema).items():
        items = sub.get("items") if isinstance(sub, Mapping) and _type_is(sub, "array") else None
        item_props = _properties(items)
        for start, end in _TIME_PAIRS:
            if start in item_props and end in item_props:
                return key, items, start, end  # type: ignore[return-value]
    return None


def _bound(schema: Any, *keys: str) -> float | None:
    for key in keys:
        value = schema.get(key) if isinstance(schema, Mapping) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def _window(items: Mapping[str, Any], start_key: str, duration: float) -> tuple[float, float]:
    start = _properties(items)[start_key]
    low = _bound(start, "minimum", "exclusiveMinimum")
    high = _bound(start, "maximum", "exclusiveMaximum")
    low = max(0.0, low if low is not None else 0.0)
    high = min(high, duration) if high is not None else duration
    if high <= low:  # a window past the declared length: keep to the window asked for
        high = _bound(start, "maximum", "exclusiveMaximum") or low
    return low, high


def _count(array: Mapping[str, Any], width: float) -> int:
    count = min(MAX_SCENES, max(1, math.ceil(width / SCENE_SECONDS - 1e-9)))
    low, high = array.get("minItems"), array.get("maxItems")
    if isinstance(high, int) and count > high:
        count = max(high, 0)
    if isinstance(low, int) and count < low:
        count = low
    return count


def fill_scenes(
    value: Any,
    schema: Any,
    sample_item: Callable[[Mapping[str, Any], int], Any],
    *,
    duration: float | None,
    scripted: Sequence[Mapping[str, Any]] | None = None,
) -> Any:
    """``value`` with its scene list (and video length) made believable.

    Args:
        value: A generated value of ``schema`` (returned unchanged unless it is scene-shaped).
        schema: The schema (JSON Schema or Gemini's uppercase dialect), ``$ref``-free at the
            scene list.
        sample_item: Makes the ``i``-th item of a given item schema (strings vary by ``i``).
        duration: The video's length, if known.
        scripted: Scenes a test chose; those overlapping the window are kept, cut to it.

    Example:
        >>> schema = {"properties": {"scenes": {"type": "array", "items": {"properties": {
        ...     "start_s": {"type": "number", "minimum": 100, "maximum": 200},
        ...     "end_s": {"type": "number"}}}}}}
        >>> fill_scenes({}, schema, lambda item, i: {}, duration=600,
        ...             scripted=[{"start_s": 90, "end_s": 130}, {"start_s": 300, "end_s": 310}])
        {'scenes': [{'start_s': 100.0, 'end_s': 130.0}]}
    """
    found = scene_array(schema) if isinstance(value, dict) else None
    if found is None:
        return value
    key, items, start_key, end_key = found
    length = duration if duration is not None else None
    low, high = _window(items, start_key, length if length is not None else math.inf)
    if math.isinf(high):  # no bounds and no known length
        high = max(low + DEFAULT_VIDEO_SECONDS, DEFAULT_VIDEO_SECONDS)
    result = dict(value)
    for duration_key in _DURATION_KEYS:
        if duration_key in _properties(schema) and (
            _type_is(_properties(schema)[duration_key], "number")
            or _type_is(_properties(schema)[duration_key], "integer")
            or "anyOf" in _properties(schema)[duration_key]
        ):
            result[duration_key] = length if length is not None else high
    scenes: list[dict[str, Any]] = []
    if scripted is not None:
        for scene in scripted:
            start, end = (
                float(scene[start_key if start_key in scene else "start_s"]),
                float(scene[end_key if end_key in scene else "end_s"]),
            )
            if end < low or start > high or (end == low and start < low):
                continue
            base = sample_item(items, len(scenes))
            filled = {**(base if isinstance(base, dict) else {}), **scene}
            filled.pop("start_s", None), filled.pop("end_s", None)
            filled[start_key], filled[end_key] = max(start, low), min(end, high)
            scenes.append(filled)
    else:
        count = _count(schema["properties"][key], high - low)
        edges = [round(low + (high - low) * i / count, 3) for i in range(count + 1)]
        edges[0], edges[-1] = low, high
        for i in range(count):
            base = sample_item(items, i)
            filled = dict(base) if isinstance(base, dict) else {}
            filled[start_key], filled[end_key] = edges[i], edges[i + 1]
            scenes.append(filled)
    result[key] = scenes
    return result
