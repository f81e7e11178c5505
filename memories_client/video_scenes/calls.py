"""What passes between the routine and a framework model, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from memories_client.dialects import check_media_kind, dialect_for
from memories_client.errors import MemoriesError, ModelError, UnsupportedFeatureError
from memories_client.types import MediaPart, Usage

__all__ = [
    "AnswerTruncatedError",
    "BudgetExceededError",
    "CostLimitError",
    "SceneAnswer",
    "SceneAsker",
    "SceneCall",
    "TooManyWindowsError",
    "VideoFailure",
    "VideoLoadWarning",
    "VideoRecord",
    "VideoResult",
    "scene_method",
]


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


class CostLimitError(MemoriesError):
    """A video load stopped before model calls that would pass a limit you set.

    Raised *before* the calls it names, so nothing was spent on them; the message says which
    setting to change. The two limits are :class:`TooManyWindowsError` (``max_windows``, per
    video) and :class:`BudgetExceededError` (``max_cost``, per load).

    Example:
        >>> issubclass(TooManyWindowsError, CostLimitError)
        True
        >>> issubclass(BudgetExceededError, CostLimitError)
        True
    """


class TooManyWindowsError(CostLimitError):
    """One video would need more model calls than ``max_windows`` allows.

    A video's length comes from ``VideoSource(duration_s=...)``, a file's MP4 header or the
    model's own answer, and a header or an answer can lie (a 1 KB file that claims 35 days).
    Each window is a paid call billed the whole video, so the count is refused before the
    first call of the plan.

    Attributes:
        source: the video (its URL or path).
        calls: the model calls the video would need in all (those made included).
        max_windows: the limit that refused them.
        duration_s: the length the plan was made for (None: unknown).

    Example:
        >>> error = TooManyWindowsError("too long", source="a.mp4", calls=6210, max_windows=178)
        >>> error.calls > error.max_windows
        True
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        calls: int,
        max_windows: int,
        duration_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.source = source
        self.calls = calls
        self.max_windows = max_windows
        self.duration_s = duration_s


class BudgetExceededError(CostLimitError):
    """The next model calls of a load would take its estimated spend past ``max_cost``.

    Attributes:
        spent_usd: the load's estimated spend so far (every call made, each counted at the
            larger of its estimate and the cost of the usage the service reported).
        next_usd: what the refused calls were estimated to cost.
        max_cost: the limit, in dollars.
        calls: model calls made in the load so far.
        source: the video whose calls were refused.

    Example:
        >>> from decimal import Decimal
        >>> error = BudgetExceededError("over", spent_usd=Decimal("0.09"),
        ...     next_usd=Decimal("0.03"), max_cost=Decimal("0.10"), calls=3, source="a.mp4")
        >>> error.spent_usd + error.next_usd > error.max_cost
        True
    """

    def __init__(
        self,
        message: str,
        *,
        spent_usd: Decimal,
        next_usd: Decimal,
        max_cost: Decimal,
        calls: int,
        source: str,
    ) -> None:
        super().__init__(message)
        self.spent_usd = spent_usd
        self.next_usd = next_usd
        self.max_cost = max_cost
        self.calls = calls
        self.source = source


def scene_method(model: str) -> Literal["schema", "tool"]:
    """How a model is asked for its scene list, or a refusal: the loaders' one family rule.

    The family must take video (the catalog's input kinds) and have a structured output the
    routine can hold to a schema: a native response schema (``"schema"``: Gemini's
    ``responseSchema``, Qwen's ``json_schema``) or else a forced tool call (``"tool"``: Nova).
    ``MemoriesVideoLoader`` and ``MemoriesVideoReader`` both run it when they are built, so
    they take the same families.

    Raises:
        UnsupportedFeatureError: the family takes no video (GPT), or has neither form.
        MemoriesInputError: the model id names no known family.

    Example:
        >>> scene_method("gemini-2.5-flash"), scene_method("nova:us.amazon.nova-lite-v1:0")
        ('schema', 'tool')
        >>> scene_method("gpt:gpt-4o")
        Traceback (most recent call last):
        ...
        memories_client.errors.UnsupportedFeatureError: a video loader: gpt models do not \
accept video input; they take image, text. Gemini, Nova and Qwen models take video
    """
    dialect = dialect_for(model)
    check_media_kind(dialect.family, "video", "a video loader")
    if "response_schema" in dialect.options:
        return "schema"
    if not dialect.supports_tools:  # pragma: no cover - every video family has one of the two
        raise UnsupportedFeatureError(f"{dialect.label} has no structured output for scenes")
    return "tool"


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
        >>> from memories_client import MemoriesInputError
        >>> failure = VideoFailure("https://x.test/a.mp4", 3, MemoriesInputError("bad"))
        >>> type(failure.error).__name__
        'MemoriesInputError'
    """

    source: str
    index: int
    error: Exception
