"""What a video load costs, before it runs, and the budget that stops it (``max_cost``).

**How a call is estimated.** The API bills tokens: a call's input is its video plus its prompt
and schema, its output is the answer. memories.ai documents no way to send only part of a
video, so every call about a video (each window, each half of a cut-off window, the length
question) is billed **the whole video's** input tokens. The video's tokens are its length times
the catalog's rate (:data:`memories_client.catalog.GEMINI_VIDEO_TOKENS_PER_SECOND`, 263 a
second, Google's documented figure; Nova uses the same figure for want of its own); the prompt
and schema count about 4 characters a token; the output counts at the call's full
``max_tokens``, the most it can be billed. Dollars come from the catalog's price tiers. So for a
video of known length the estimate is an upper bound, unless the video is longer than its
stated length or the model bills thinking tokens beyond ``max_tokens`` (not documented).

A video of **unknown length** (a URL without ``VideoSource(duration_s=...)``) is estimated at the
model's context window, the most one request can hold (1,048,576 tokens, about $0.31 a call on
Gemini 2.5 Flash): give its length for a tighter figure.

**How the budget is kept.** One load shares one :class:`_Spending`. Before a video's batch of
calls is sent, the batch's estimate is added to the load's spend; if that passes ``max_cost``
the batch is refused with :class:`~memories_client.video_scenes.calls.BudgetExceededError` and
nothing of it is sent. When an answer reports more usage than was estimated, the difference is
added too (a call is counted at the larger of the two, so a server that under-reports cannot
stretch the budget). A failed call stays counted: it may have been billed.

Example:
    >>> estimate_call("gemini:gemini-2.5-flash", 60.0, max_tokens=8192, prompt_tokens=300)
    CallEstimate(input_tokens=16080, output_tokens=8192, cost_usd=Decimal('0.025304'))
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from memories_client.catalog import FAMILIES, model_info, try_estimate_cost
from memories_client.errors import MemoriesInputError
from memories_client.tokens import MESSAGE_OVERHEAD, estimate_text_tokens
from memories_client.video_scenes.calls import BudgetExceededError, TooManyWindowsError
from memories_client.video_scenes.options import SceneOptions, plan_windows
from memories_client.video_scenes.prompts import call_text
from memories_client.video_scenes.sources import VideoSource, known_duration

__all__ = [
    "CallEstimate",
    "LoadEstimate",
    "VideoEstimate",
    "estimate_call",
    "estimate_videos",
]


def _usd(value: Decimal) -> str:
    # format(), not quantize(): a lying length can make a figure wider than Decimal's precision.
    return f"${value:,.4f}"


@dataclass(frozen=True, slots=True)
class CallEstimate:
    """One model call's estimated tokens and dollars (None: the catalog has no price).

    Example:
        >>> CallEstimate(16000, 8192, None).cost_usd is None
        True
    """

    input_tokens: int
    output_tokens: int
    cost_usd: Decimal | None


def prompt_tokens(prompt: str, schema: dict[str, Any]) -> int:
    """Estimated input tokens of a call's text: the prompt, the answer schema, the turn markers.

    Example:
        >>> prompt_tokens("Describe the whole video.", {"type": "object"})
        15
    """
    schema_text = json.dumps(schema)
    return MESSAGE_OVERHEAD + estimate_text_tokens(prompt) + estimate_text_tokens(schema_text)


def estimate_call(
    model: str, duration_s: float | None, *, max_tokens: int, prompt_tokens: int
) -> CallEstimate:
    """Estimate one scene call about a whole video of ``duration_s`` seconds (None: unknown).

    Input: the video's tokens at the family's catalogued rate, or, for an unknown length, the
    model's context window (the most a request can hold; for a model without one, the catalog's
    typical one-minute video); plus ``prompt_tokens``. Output: ``max_tokens``, the most the
    answer can be billed.

    Example:
        >>> estimate_call("gemini:gemini-2.5-flash", None, max_tokens=8192, prompt_tokens=300)
        CallEstimate(input_tokens=1048876, output_tokens=8192, cost_usd=Decimal('0.3351428'))
    """
    info = model_info(model)
    rates = FAMILIES[info.family].media_tokens
    if duration_s is not None:
        video = rates.video_tokens(duration_s)
    else:
        video = info.context_window or rates.video
    tokens_in = video + prompt_tokens
    return CallEstimate(tokens_in, max_tokens, try_estimate_cost(info.id, tokens_in, max_tokens))


def estimate_window(
    model: str,
    options: SceneOptions,
    schema: dict[str, Any],
    window: tuple[float, float] | None,
    duration_s: float | None,
    max_tokens: int,
) -> CallEstimate:
    """The estimate of the scene call about ``window``: its exact prompt and bounded schema.

    Example:
        >>> options = SceneOptions()
        >>> call = estimate_window(
        ...     "gemini:gemini-2.5-flash", options, options.json_schema, None, 60.0, 8192)
        >>> call.input_tokens > 60 * 263
        True
    """
    text, sent = call_text(options, schema, window, duration_s)
    return estimate_call(
        model, duration_s, max_tokens=max_tokens, prompt_tokens=prompt_tokens(text, sent)
    )


@dataclass(frozen=True, slots=True)
class VideoEstimate:
    """What loading one video is estimated to take, before anything is sent.

    Attributes:
        source: the video (its URL or path).
        duration_s: the length used (given, or read from a local MP4/MOV header); None when
            unknown: the estimate is then for the first (whole-video) call only, at the model's
            context window, and a cut-off answer can add calls up to ``max_windows``.
        calls: the model calls planned (windows); a window whose answer is cut off is split in
            two, which adds calls not counted here.
        input_tokens, output_tokens: over those calls (output at each call's ``max_tokens``).
        cost_usd: dollars for those calls (None: the catalog has no price for the model).
        refused: why the load would refuse this video before its first call (its plan passes
            ``max_windows``), else None. A refused video costs nothing and is left out of the
            load's totals.

    Example:
        >>> VideoEstimate("a.mp4", 60.0, 1, 16080, 8192, Decimal("0.025304"), None).refused
    """

    source: str
    duration_s: float | None
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal | None
    refused: str | None = None


def _sum_cost(values: Iterable[Decimal | None]) -> Decimal | None:
    total = Decimal(0)
    for value in values:
        if value is None:
            return None
        total += value
    return total


@dataclass(frozen=True, slots=True)
class LoadEstimate:
    """The bill of a load before it runs: per video, and in total over the videos that will run.

    ``str()`` gives a one-paragraph summary for a notebook.

    Attributes:
        videos: one :class:`VideoEstimate` per source, in order.
        model: the model that would answer (its prices are used).
        max_cost: the load's ``max_cost`` (None: no limit).

    Example:
        >>> one = VideoEstimate("a.mp4", 60.0, 1, 16080, 8192, Decimal("0.025304"), None)
        >>> bill = LoadEstimate((one, one), "gemini:gemini-2.5-flash", Decimal("0.05"))
        >>> bill.calls, bill.cost_usd, bill.within_budget
        (2, Decimal('0.050608'), False)
    """

    videos: tuple[VideoEstimate, ...]
    model: str
    max_cost: Decimal | None = None

    @property
    def _running(self) -> list[VideoEstimate]:
        return [v for v in self.videos if v.refused is None]

    @property
    def calls(self) -> int:
        """Model calls planned over the videos that will run."""
        return sum(v.calls for v in self._running)

    @property
    def input_tokens(self) -> int:
        """Estimated input tokens over the videos that will run."""
        return sum(v.input_tokens for v in self._running)

    @property
    def output_tokens(self) -> int:
        """Output tokens at most, over the videos that will run."""
        return sum(v.output_tokens for v in self._running)

    @property
    def cost_usd(self) -> Decimal | None:
        """Estimated dollars over the videos that will run (None: a price is unknown)."""
        return _sum_cost(v.cost_usd for v in self._running)

    @property
    def unknown_length(self) -> tuple[str, ...]:
        """Sources whose length is unknown (their figures cover the first call only)."""
        return tuple(v.source for v in self._running if v.duration_s is None)

    @property
    def refused(self) -> tuple[str, ...]:
        """Sources the load would refuse before their first call (too many windows)."""
        return tuple(v.source for v in self.videos if v.refused is not None)

    @property
    def within_budget(self) -> bool | None:
        """Whether the estimate fits ``max_cost`` (None: no limit, or no price)."""
        cost = self.cost_usd
        if self.max_cost is None or cost is None:
            return None
        return cost <= self.max_cost

    def __str__(self) -> str:
        cost = self.cost_usd
        dollars = "no catalogued price" if cost is None else f"about {_usd(cost)}"
        text = (
            f"{len(self.videos)} video(s) with {self.model}: {self.calls:,} model call(s), "
            f"{self.input_tokens:,} input tokens, up to {self.output_tokens:,} output tokens, "
            f"{dollars}"
        )
        if self.max_cost is not None:
            fits = {True: "within", False: "OVER", None: "not comparable to"}[self.within_budget]
            text += f" ({fits} max_cost=${self.max_cost})"
        if self.unknown_length:
            text += (
                f"; {len(self.unknown_length)} of unknown length, counted at one call each "
                "(pass VideoSource(duration_s=...))"
            )
        if self.refused:
            text += f"; {len(self.refused)} refused (too many windows): {', '.join(self.refused)}"
        return text


def estimate_videos(
    sources: Sequence[VideoSource], model: str, options: SceneOptions
) -> LoadEstimate:
    """Estimate a load without calling the model: calls, tokens and dollars per video.

    Reads only what the load itself reads before its first call: ``VideoSource(duration_s=...)``
    and, for a local file or bytes, the MP4/MOV header (a few hundred bytes). Nothing is
    uploaded and nothing goes over the network.

    Example:
        >>> from memories_client.video_scenes import SceneOptions, video_sources
        >>> sources = video_sources([VideoSource(url="https://x.test/a.mp4", duration_s=1500)])
        >>> bill = estimate_videos(sources, "gemini:gemini-2.5-flash", SceneOptions())
        >>> bill.calls, bill.videos[0].input_tokens
        (4, 1580863)
    """
    budget = options.budget(model)
    schema = options.json_schema
    estimates = []
    for source in sources:
        duration = known_duration(source)
        try:
            # The load's own plan, call by call: the figures are what the load reserves.
            planned = plan_windows(duration, budget=budget, options=options, label=source.label)
        except TooManyWindowsError as error:
            # Never built (it may be billions long): its first window stands for all of them.
            first = (0.0, min(duration or 0.0, options.capacity(budget)))
            one = estimate_window(model, options, schema, first, duration, budget)
            cost = None if one.cost_usd is None else one.cost_usd * error.calls
            estimates.append(
                VideoEstimate(
                    source.label,
                    duration,
                    error.calls,
                    one.input_tokens * error.calls,
                    one.output_tokens * error.calls,
                    cost,
                    str(error),
                )
            )
            continue
        windows: list[tuple[float, float] | None] = [None] if planned is None else [*planned]
        calls = [estimate_window(model, options, schema, w, duration, budget) for w in windows]
        estimates.append(
            VideoEstimate(
                source.label,
                duration,
                len(calls),
                sum(c.input_tokens for c in calls),
                sum(c.output_tokens for c in calls),
                _sum_cost(c.cost_usd for c in calls),
            )
        )
    return LoadEstimate(tuple(estimates), model, options.cost_limit)


class _Spending:
    """One load's estimated spend against ``max_cost``, shared by all its videos' calls."""

    def __init__(self, limit: Decimal | None) -> None:
        self.limit = limit
        self.spent = Decimal(0)
        self.calls = 0
        self._lock = threading.Lock()

    def reserve(
        self,
        estimates: Sequence[CallEstimate],
        label: str,
        *,
        keep: bool = True,
        unknown_length: bool = False,
    ) -> None:
        """Count a batch of calls before it is sent, or refuse it whole.

        ``keep=False`` only checks that the batch would fit now (before an upload, which is no
        model call and must not hold budget it may never use). ``unknown_length``: the batch
        was estimated without the video's length (the refusal then says how to give it).
        """
        batch = _sum_cost(e.cost_usd for e in estimates)
        with self._lock:
            if self.limit is not None:
                if batch is None:  # SceneOptions.check_model refuses this before any request
                    raise MemoriesInputError("max_cost is set but the model has no price")
                if self.spent + batch > self.limit:
                    raise self._refusal(batch, len(estimates), label, unknown_length)
            if keep:
                self.spent += batch or 0
                self.calls += len(estimates)

    def settle(self, estimate: CallEstimate, actual: Decimal | None) -> None:
        """Add what an answer's reported usage cost beyond its estimate (never less)."""
        if actual is None or estimate.cost_usd is None or actual <= estimate.cost_usd:
            return
        with self._lock:
            self.spent += actual - estimate.cost_usd

    def _refusal(
        self, batch: Decimal, count: int, label: str, unknown_length: bool
    ) -> BudgetExceededError:
        assert self.limit is not None
        what = "the next call" if count == 1 else f"the next {count} calls"
        why = (
            "its length is unknown, so each call counts the model's whole context window; pass "
            "VideoSource(duration_s=...) for a tighter estimate"
            if unknown_length
            else "each call is billed the whole video's input tokens; output counted at max_tokens"
        )
        return BudgetExceededError(
            f"max_cost=${self.limit} would be passed: {_usd(self.spent)} estimated "
            f"so far over {self.calls} model call(s), and {what} for {label} would add "
            f"{_usd(batch)} ({why}). Raise max_cost, load fewer or shorter videos, "
            "or see the bill first with estimate()",
            spent_usd=self.spent,
            next_usd=batch,
            max_cost=self.limit,
            calls=self.calls,
            source=label,
        )
