"""What passes between the routine and a framework model, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from memories_client.errors import ModelError
from memories_client.types import MediaPart, Usage

__all__ = [
    "AnswerTruncatedError",
    "SceneAnswer",
    "SceneAsker",
    "SceneCall",
    "VideoFailure",
    "VideoLoadWarning",
    "VideoRecord",
    "VideoResult",
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
