"""Everything for one video, as a generator of steps the drivers run (no I/O here)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from memories_client._jsonout import JSONOutputError, parse_json_output, parse_structured
from memories_client._truncation import is_length_stop
from memories_client.catalog import resolve_model, try_estimate_cost
from memories_client.errors import MemoriesInputError
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
from memories_client.video_scenes.cost import CallEstimate, _Spending, estimate_window
from memories_client.video_scenes.options import (
    SceneOptions,
    _Duration,
    check_window_count,
    plan_windows,
)
from memories_client.video_scenes.prompts import call_text, clock
from memories_client.video_scenes.sources import VideoSource

__all__: list[str] = []


@dataclass(frozen=True, slots=True)
class _Probe:
    """Read the video's length (given, or a local file's header): no upload yet."""

    source: VideoSource


@dataclass(frozen=True, slots=True)
class _Resolve:
    """Turn the video into a part the model can take (upload a local file)."""

    source: VideoSource


@dataclass(frozen=True, slots=True)
class _Ask:
    call: SceneCall
    estimate: CallEstimate


_Step = _Probe | _Resolve | _Ask


@dataclass
class _Totals:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cost: Decimal | None = field(default_factory=Decimal)
    calls: int = 0
    model: str | None = None

    def add(self, answer: SceneAnswer, fallback_model: str) -> Decimal | None:
        """Count one answered call; return what its reported usage costs (None: unknown)."""
        self.calls += 1
        model = _full_model(answer.model or fallback_model)
        self.model = self.model or model
        usage = answer.usage
        if usage is None:
            return None
        self.input_tokens += usage.input_tokens
        self.output_tokens += usage.output_tokens
        self.total_tokens += usage.total_tokens
        # Priced per call: the tier (Gemini Pro above 200K input tokens) is chosen per request.
        cost = try_estimate_cost(model, usage.input_tokens, usage.output_tokens)
        self.cost = None if cost is None or self.cost is None else self.cost + cost
        return cost


def _full_model(name: str) -> str:
    try:
        return resolve_model(name)
    except MemoriesInputError:
        return name


# A plain decimal only: "1e999" must not be read as 1 (nor as infinity).
_DURATION_RE = re.compile(r'"duration_s"\s*:\s*([0-9]+(?:\.[0-9]+)?)(?![0-9.eE])')


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
        if is_length_stop(answer.finish_reason):
            return None
        raise
    return result


def _number(value: Any) -> float | None:
    """A finite number from an answer, else None (a string, NaN, an infinity, 10**400)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return number if math.isfinite(number) else None


def _scene_times(
    scene: Mapping[str, Any], low: float, high: float | None
) -> tuple[float, float] | None:
    """A scene's (start, end) inside its window ``low``-``high``, or None to drop it.

    The model's times are untrusted: a non-number, NaN or an infinity drops the scene; swapped
    times are put in order; a scene that overlaps the window is clipped to it, and one wholly
    outside it (another window's, or past the end of the video) is dropped, so no document
    claims a time the video does not have.
    """
    start, end = _number(scene.get("start_s")), _number(scene.get("end_s"))
    if start is None or end is None:
        return None
    if end < start:  # the model swapped them
        start, end = end, start
    if end < low or (high is not None and start > high):
        return None
    return max(start, low), (end if high is None else min(end, high))


def _answer_duration(
    parts: list[tuple[tuple[float, float] | None, dict[str, Any]]],
) -> float | None:
    """The length a whole-video answer gives (``duration_s``), when positive and finite."""
    for window, answer in parts:
        length = _number(answer.get("duration_s")) if window is None else None
        if length is not None and length > 0:
            return length
    return None


def _scene_text(scene: Mapping[str, Any], start: float, end: float, title: str | None) -> str:
    lead = f"{title}, " if title else ""
    lines = [f"{lead}{clock(start)}-{clock(end)}: {scene.get('description') or ''}".rstrip()]
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
                f"{clock(low)}-{clock(high)}: {text}" if len(parts) > 1 and high else text
            )
        for scene in answer.get("scenes") or []:
            times = _scene_times(scene, low, high)
            if times is not None:
                scenes.append((*times, scene))
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
    index: int,
    source: VideoSource,
    asker: SceneAsker,
    options: SceneOptions,
    spending: _Spending,
) -> Generator[list[_Step], list[Any], VideoResult]:
    """Everything for one video, as a generator of steps the drivers run.

    It yields a list of steps (probe, resolve the video, or model calls to make in parallel)
    and receives their results in the same order; a failed step is thrown into it. Every batch
    of calls is checked against ``max_windows`` and reserved against the load's ``max_cost``
    before it is yielded, so a refused batch sends nothing.
    """
    [duration] = yield [_Probe(source)]
    schema = options.json_schema
    budget = options.budget(asker.model)
    totals = _Totals()
    label = source.label

    def estimate(window: tuple[float, float] | None, max_tokens: int = budget) -> CallEstimate:
        return estimate_window(asker.model, options, schema, window, duration, max_tokens)

    def asks(windows: list[tuple[float, float] | None], why: str) -> list[_Ask]:
        check_window_count(
            label, totals.calls + len(windows), options, duration_s=duration, why=why
        )
        batch = []
        for window in windows:
            text, sent = call_text(options, schema, window, duration)
            batch.append(_Ask(SceneCall(part, text, sent, budget), estimate(window)))
        spending.reserve([a.estimate for a in batch], label, unknown_length=duration is None)
        return batch

    # Refused before the upload: a file that claims too many windows, or a first batch past
    # max_cost, costs neither an upload nor a call.
    planned = plan_windows(duration, budget=budget, options=options, label=label)
    pending: list[tuple[float, float] | None] = [None] if planned is None else list(planned)
    spending.reserve(
        [estimate(pending[0])] * len(pending), label, keep=False, unknown_length=duration is None
    )
    [part] = yield [_Resolve(source)]
    done: list[tuple[tuple[float, float] | None, dict[str, Any]]] = []
    why = f"{len(pending):,} window(s)"
    while pending:
        batch = asks(pending, why)
        answers = yield [*batch]
        retry: list[tuple[float, float] | None] = []
        for step, window, answer in zip(batch, pending, answers, strict=True):
            spending.settle(step.estimate, totals.add(answer, asker.model))
            parsed = _parse(answer, schema)
            if parsed is not None:
                done.append((window, parsed))
                continue
            if window is None:
                # The whole video did not fit and its length is unknown: read it from the cut
                # answer (duration_s comes first), else ask for it, then ask in windows.
                found = _DURATION_RE.search(answer.text)
                duration = _number(float(found.group(1))) if found else None
                if duration is None:
                    probe = SceneCall(
                        part,
                        "How long is this video? Give its length in seconds (duration_s).",
                        _Duration.model_json_schema(),
                        256,
                        tool_name="record_video_duration",
                        tool_description="Record the length of the video.",
                    )
                    check_window_count(
                        label,
                        totals.calls + 1,
                        options,
                        duration_s=None,
                        why="the whole video did not fit in one answer; its length is asked for",
                    )
                    ask = _Ask(probe, estimate(None, 256))
                    spending.reserve([ask.estimate], label, unknown_length=True)
                    [measured] = yield [ask]
                    spending.settle(ask.estimate, totals.add(measured, asker.model))
                    duration = _number(
                        (_parse(measured, json_schema_of(_Duration)) or {}).get("duration_s")
                    )
                if duration is None or duration <= 0:
                    raise AnswerTruncatedError(
                        f"the scene list of {label} did not fit in max_tokens={budget} and "
                        "its length is unknown; pass VideoSource(duration_s=...) or a larger "
                        "max_answer_tokens",
                        status=200,
                    )
                # The length is the model's claim: plan_windows refuses one that needs more
                # windows than max_windows before any of them is asked.
                windows = plan_windows(duration, budget=budget, options=options, label=label) or []
                if len(windows) == 1:  # the estimate says it fits: force two halves
                    windows = [(0.0, duration / 2), (duration / 2, duration)]
                retry.extend(windows)
                why = f"the model's answer gave the length: {len(windows):,} windows"
            elif (window[1] - window[0]) / 2 >= options.min_window_s:
                middle = round((window[0] + window[1]) / 2, 3)
                retry.extend([(window[0], middle), (middle, window[1])])
                why = "answers were cut off at max_tokens, so their windows are split in half"
            else:
                raise AnswerTruncatedError(
                    f"the scenes of {label} from {clock(window[0])} to "
                    f"{clock(window[1])} did not fit in max_tokens={budget} even in a window of "
                    f"{window[1] - window[0]:g} s; raise max_answer_tokens or lower min_window_s",
                    status=200,
                )
        pending = retry
    done.sort(key=lambda item: item[0][0] if item[0] is not None else 0.0)
    if duration is None:  # the scenes are kept inside the length the answer gives
        duration = _answer_duration(done)
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
