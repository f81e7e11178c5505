"""Content-block keys the API has no field for: refused if they would change the answer.

Frameworks let a media block carry options other providers honour: Google's clip offsets and
frame rate (``video_metadata``, ``fps``), OpenAI's image ``detail``, Gemini's per-part
``media_resolution``. The memories.ai API documents none of them (a Gemini part is
``input_file`` with ``file_uri`` and ``mime_type``; a Nova part is ``image_url`` / ``video_url``
with ``url``), so sending the block without them would quietly answer a different question:
about the whole video rather than the clip, for example. :func:`check_media_options` refuses
such a key, naming it and saying what to do instead, before any request.

Keys that do not change what the model sees (an ``id``, a prompt-cache marker, a file name)
are ignored; :data:`IGNORED_KEYS` lists the known ones. A refused key set to its "no effect"
value (``None``, empty, ``"auto"``) passes, since it asks for nothing.

Example:
    >>> check_media_options({"type": "video", "url": "https://x.test/a.mp4", "id": "b1"})
    >>> check_media_options({"type": "image", "detail": "high"}, "content[1]")
    Traceback (most recent call last):
    ...
    memories_client.errors.MemoriesInputError: content[1]: the block's 'detail' (a detail \
level, as OpenAI's image detail) has no field in the memories.ai API and would be lost; the \
service picks the resolution itself: remove the key, or resize the image before sending it
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from memories_client.errors import MemoriesInputError

__all__ = ["IGNORED_KEYS", "NESTED_OPTION_KEYS", "REFUSED_KEYS", "check_media_options"]

_CLIP = (
    "the service watches the whole video: cut the clip first (for example `ffmpeg -ss 10 -to 20 "
    "-i in.mp4 -c copy clip.mp4`) and pass its URL, or name the time range in the prompt"
)
_RATE = (
    "the service samples frames at its own rate: remove the key, or pass a video re-encoded at "
    "the frame rate you want"
)
_RESOLUTION = (
    "the service picks the resolution itself: remove the key, or resize the image before sending it"
)

REFUSED_KEYS: dict[str, tuple[str, str]] = {
    "video_metadata": ("Google's clip offsets and frame rate", _CLIP),
    "start_offset": ("a clip start offset", _CLIP),
    "end_offset": ("a clip end offset", _CLIP),
    "fps": ("a video frame rate", _RATE),
    "detail": ("a detail level, as OpenAI's image detail", _RESOLUTION),
    "media_resolution": ("Gemini's per-part media resolution", _RESOLUTION),
    "resolution": ("a media resolution", _RESOLUTION),
}
"""Keys that would change what the model sees, with what each means and what to do instead.

Checked against the API docs (``docs/API_FACTS.md`` sections 3 and 4: the Gemini ``input_file``
part has ``file_uri`` and ``mime_type`` only, Nova's parts a URL only): none has a field to map
onto."""

IGNORED_KEYS = frozenset(
    {"id", "index", "cache_control", "citations", "title", "context", "filename", "name"}
)
"""Keys known to have no effect on the answer (ids, cache markers, labels); dropped."""

NESTED_OPTION_KEYS = ("extras", "metadata", "image_url", "video_url")
"""Mappings inside a block whose keys are options too (LangChain ``extras``, OpenAI's
``image_url`` object, ...): they are checked the same way."""

_NO_EFFECT_STRINGS = frozenset({"", "auto", "unspecified", "media_resolution_unspecified"})


def _asks_for_nothing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() in _NO_EFFECT_STRINGS
    if isinstance(value, (Mapping, list, tuple)):
        return len(value) == 0
    return False


def check_media_options(options: Mapping[str, Any], where: str | None = None) -> None:
    """Raise :class:`MemoriesInputError` for a key in ``options`` the API cannot honour.

    Args:
        options: a content block (or a framework block's fields), with its nested option
            mappings (:data:`NESTED_OPTION_KEYS`).
        where: where the block is, put first in the message.

    Example:
        >>> check_media_options({"extras": {"fps": 5}})
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: the block's 'extras.fps' (a video frame \
rate) has no field in the memories.ai API and would be lost; the service samples frames at its \
own rate: remove the key, or pass a video re-encoded at the frame rate you want
    """
    _check(options, "", where)


_WATCHED_KEYS = frozenset(REFUSED_KEYS).union(NESTED_OPTION_KEYS)


def _check(options: Mapping[str, Any], prefix: str, where: str | None) -> None:
    # Nearly every block has none of these keys: one C-level pass over its keys says so.
    if _WATCHED_KEYS.isdisjoint(options):
        return
    for key, value in options.items():
        refused = REFUSED_KEYS.get(key) if isinstance(key, str) else None
        if refused is not None and not _asks_for_nothing(value):
            meaning, advice = refused
            head = f"{where}: " if where else ""
            raise MemoriesInputError(
                f"{head}the block's {prefix + key!r} ({meaning}) has no field in the "
                f"memories.ai API and would be lost; {advice}"
            )
        if key in NESTED_OPTION_KEYS and isinstance(value, Mapping):
            _check(value, f"{prefix}{key}.", where)
