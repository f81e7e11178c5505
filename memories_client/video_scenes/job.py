"""Everything for one video, as a generator of steps the drivers run (no I/O here)."""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from memories_client.catalog import resolve_model, try_estimate_cost
from memories_client.errors import MemoriesInputError
from memories_client.jsonout import JSONOutputError, parse_json_output, parse_structured
from memories_client.schema import json_schema_of
from memories_client.types import Usage
from memories_client.video_scenes.calls import (
    AnswerTruncatedError,
    SceneAnswer,
    SceneAsker,
    SceneCall,
    VideoRecord,
    VideoResult,
)
from memories_client.video_scenes.options import SceneOptions, _Duration, plan_windows
from memories_client.video_scenes.sources import VideoSource

__all__: list[str] = []


_TRUNCATED = frozenset({"length", "max_tokens", "max_output_tokens"})


def _clock(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    hours, rest = divmod(whole, 3600)
    return (
        f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
        if hours
        else f"{rest // 60:02d}:{rest % 60:02d}"
    )


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


def _resume(
    gen: Generator[list[_Step], list[Any], VideoResult], outcome: list[Any] | BaseException | None
) -> list[_Step]:
    """The job's next steps, given the results of its last ones (or the error one raised)."""
    if outcome is None:
        return next(gen)
    if isinstance(outcome, BaseException):
        return gen.throw(outcome)
    return gen.send(outcome)
