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

from memories_client.video_scenes.calls import (
    AnswerTruncatedError,
    BudgetExceededError,
    CostLimitError,
    SceneAnswer,
    SceneAsker,
    SceneCall,
    TooManyWindowsError,
    VideoFailure,
    VideoLoadWarning,
    VideoRecord,
    VideoResult,
    scene_method,
)
from memories_client.video_scenes.cost import (
    CallEstimate,
    LoadEstimate,
    VideoEstimate,
    estimate_call,
    estimate_videos,
)
from memories_client.video_scenes.options import (
    DEFAULT_ANSWER_TOKENS,
    DEFAULT_MAX_WINDOWS,
    DEFAULT_SCENE_PROMPT,
    MAX_WINDOWS_LIMIT,
    OnError,
    Scene,
    SceneOptions,
    VideoScenes,
    plan_windows,
    window_count,
)
from memories_client.video_scenes.run import adescribe_videos, describe_videos
from memories_client.video_scenes.sources import (
    VIDEO_BOOKKEEPING_KEYS,
    VideoSource,
    probe_duration,
    video_sources,
)

__all__ = [
    "DEFAULT_ANSWER_TOKENS",
    "DEFAULT_MAX_WINDOWS",
    "DEFAULT_SCENE_PROMPT",
    "MAX_WINDOWS_LIMIT",
    "VIDEO_BOOKKEEPING_KEYS",
    "AnswerTruncatedError",
    "BudgetExceededError",
    "CallEstimate",
    "CostLimitError",
    "LoadEstimate",
    "OnError",
    "Scene",
    "SceneAnswer",
    "SceneAsker",
    "SceneCall",
    "SceneOptions",
    "TooManyWindowsError",
    "VideoEstimate",
    "VideoFailure",
    "VideoLoadWarning",
    "VideoRecord",
    "VideoResult",
    "VideoScenes",
    "VideoSource",
    "adescribe_videos",
    "describe_videos",
    "estimate_call",
    "estimate_videos",
    "plan_windows",
    "probe_duration",
    "scene_method",
    "video_sources",
    "window_count",
]
