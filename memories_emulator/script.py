"""Scripted answers: what a test makes the emulator say, in order or when a request matches.

A :class:`Reply` is one answer a test chooses: a text, a JSON object, tool calls, scenes, an
error status or a fault (usage may be set on any of them). A :class:`Script` holds the replies
of one emulator:

* the **queue**: replies served in order to the next requests, whatever they ask; once it is
  empty the default (generated) behaviour resumes;
* **rules**: replies for the requests that match a model, a prompt text or a media URL; a rule
  serves its replies in order and is then spent, unless it was made with ``always``.

Rules are tried first (the oldest first), then the queue. Every reply still goes through the
response shapes and streaming of the family asked for, so a client cannot tell it from a
generated answer. :meth:`Script.load` reads the same thing from JSON (``--script`` on the
command line).

Example:
    >>> script = Script()
    >>> script.queue(Reply(text="The dog enters at 0:42."))
    >>> _ = script.when(model="nova").reply(Reply(tool_calls=[{"name": "f", "args": {}}]))
    >>> script.pending
    2
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memories_emulator.faults import FaultSpec, parse_fault

__all__ = ["Asked", "Reply", "Rule", "Script", "ScriptError", "ScriptedToolCall"]

_USAGE_KEYS = frozenset({"input_tokens", "output_tokens", "reasoning_tokens", "cached_tokens"})
_REPLY_KEYS = frozenset(
    {"text", "json", "tool_calls", "scenes", "usage", "status", "message", "retry_after", "fault"}
)
_RULE_KEYS = frozenset({"model", "prompt", "media_url", "replies", "always"})
_SCRIPT_KEYS = frozenset({"queue", "rules", "video_durations"})


class ScriptError(ValueError):
    """A reply, rule or script file that cannot be used (raised when it is made, not served).

    Example:
        >>> try:
        ...     Reply()
        ... except ScriptError as exc:
        ...     print(str(exc).split(":")[0])
        a Reply needs one of text, json, tool_calls, scenes, status or fault
    """


@dataclass(frozen=True, slots=True)
class ScriptedToolCall:
    """One tool call of a scripted reply.

    Attributes:
        name: The tool's name.
        args: Its arguments (sent as a JSON string, as the service does).
        id: The call id; ``None`` derives one from the request, like generated calls.

    Example:
        >>> ScriptedToolCall("get_weather", {"city": "Paris"}).args["city"]
        'Paris'
    """

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None


def _tool_calls(value: Any) -> tuple[ScriptedToolCall, ...]:
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)) or not value:
        raise ScriptError("tool_calls must be a non-empty list of {'name': ..., 'args': {...}}")
    calls: list[ScriptedToolCall] = []
    for item in value:
        if isinstance(item, ScriptedToolCall):
            calls.append(item)
            continue
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise ScriptError(f"a tool call needs a string 'name', got {item!r}")
        args = item.get("args", {})
        call_id = item.get("id")
        if not isinstance(args, Mapping) or (call_id is not None and not isinstance(call_id, str)):
            raise ScriptError(
                f"tool call {item['name']!r}: 'args' must be an object, 'id' a string"
            )
        json.dumps(args)  # fail now, not on the server thread, if it is not JSON
        calls.append(ScriptedToolCall(item["name"], dict(args), call_id))
    return tuple(calls)


def _scenes(value: Any) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise ScriptError("scenes must be a list of objects with start_s and end_s")
    for scene in value:
        if not isinstance(scene, Mapping) or not all(
            isinstance(scene.get(key), (int, float)) and not isinstance(scene.get(key), bool)
            for key in ("start_s", "end_s")
        ):
            raise ScriptError(f"a scene needs numeric start_s and end_s, got {scene!r}")
    return tuple(dict(scene) for scene in value)


@dataclass(frozen=True, slots=True, init=False)
class Reply:
    """One scripted answer.

    Give one kind of content: ``text``; ``json`` (an object, served as the family serves JSON:
    fenced for Gemini and prompted schemas, bare for Qwen's ``response_format`` and GPT's JSON
    mode, as the tool call's arguments when the request forces a tool); ``tool_calls`` (Nova
    and GPT only); ``scenes`` (a scene list for a scene-shaped schema, cut to the time window
    each request asks for; ``json`` may add the other fields, such as ``summary``);
    ``status`` (an error response in the service's envelope, with ``message`` and
    ``retry_after``); or ``fault`` (a fault spec, see :mod:`~memories_emulator.faults`;
    ``slow:`` and ``stream_*`` faults may accompany content). ``usage`` replaces the token
    counts of the emulator's formula: a mapping with ``input_tokens`` and/or ``output_tokens``
    (and ``reasoning_tokens``, ``cached_tokens``).

    Raises:
        ScriptError: For a reply without content, with two kinds, or with a bad value.

    Example:
        >>> Reply(text="hi", usage={"input_tokens": 10, "output_tokens": 1}).usage
        {'input_tokens': 10, 'output_tokens': 1}
        >>> Reply(status=429, retry_after=1).status
        429
    """

    text: str | None
    json: Mapping[str, Any] | None
    tool_calls: tuple[ScriptedToolCall, ...]
    scenes: tuple[Mapping[str, Any], ...] | None
    usage: Mapping[str, int] | None
    status: int | None
    message: str | None
    retry_after: float | None
    fault: FaultSpec | None

    def __init__(
        self,
        *,
        text: str | None = None,
        json: Mapping[str, Any] | None = None,
        tool_calls: Iterable[ScriptedToolCall | Mapping[str, Any]] | None = None,
        scenes: Iterable[Mapping[str, Any]] | None = None,
        usage: Mapping[str, int] | None = None,
        status: int | None = None,
        message: str | None = None,
        retry_after: float | None = None,
        fault: str | None = None,
    ) -> None:
        setter = object.__setattr__
        if text is not None and not isinstance(text, str):
            raise ScriptError(f"text must be a string, got {type(text).__name__}")
        if json is not None:
            if not isinstance(json, Mapping):
                raise ScriptError(f"json must be an object (a mapping), got {type(json).__name__}")
            _json_dumps(json)
        calls = _tool_calls(list(tool_calls)) if tool_calls is not None else ()
        scene_list = _scenes(list(scenes)) if scenes is not None else None
        spec = parse_fault(fault) if fault is not None else None
        if status is not None and (
            isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599
        ):
            raise ScriptError(f"status must be an HTTP error status 400-599, got {status!r}")
        if (message is not None or retry_after is not None) and status is None:
            raise ScriptError("message and retry_after go with status")
        if retry_after is not None and (
            isinstance(retry_after, bool)
            or not isinstance(retry_after, (int, float))
            or not 0 <= retry_after < float("inf")
        ):
            raise ScriptError("retry_after must be a number of seconds >= 0")
        if usage is not None:
            if not isinstance(usage, Mapping) or not usage or set(usage) - _USAGE_KEYS:
                raise ScriptError(f"usage keys must be among {sorted(_USAGE_KEYS)}, got {usage!r}")
            if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in usage.values()):
                raise ScriptError("usage values must be integers >= 0")
        content = [
            name
            for name, given in (
                ("text", text is not None),
                ("json", json is not None and scene_list is None),
                ("tool_calls", bool(calls)),
                ("scenes", scene_list is not None),
                ("status", status is not None),
            )
            if given
        ]
        delaying = spec is not None and (spec.kind == "slow" or spec.is_stream_fault)
        if spec is not None and not delaying:
            content.append("fault")
        if not content and spec is None:
            raise ScriptError(
                "a Reply needs one of text, json, tool_calls, scenes, status or fault: "
                "Reply(text='...')"
            )
        if len(content) > 1:
            raise ScriptError(f"a Reply takes one kind of answer, got {', '.join(content)}")
        setter(self, "text", text)
        setter(self, "json", dict(json) if json is not None else None)
        setter(self, "tool_calls", calls)
        setter(self, "scenes", scene_list)
        setter(self, "usage", dict(usage) if usage is not None else None)
        setter(self, "status", status)
        setter(self, "message", message)
        setter(self, "retry_after", float(retry_after) if retry_after is not None else None)
        setter(self, "fault", spec)

    @property
    def has_content(self) -> bool:
        """True if the reply says something (else only a delaying or stream fault applies).

        Example:
            >>> Reply(fault="slow:1").has_content, Reply(text="x").has_content
            (False, True)
        """
        return any(
            (self.text is not None, self.json is not None, self.tool_calls, self.scenes is not None)
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reply:
        """A reply from its JSON form: the keyword arguments as an object.

        Example:
            >>> Reply.from_dict({"text": "hi"}).text
            'hi'
        """
        if not isinstance(data, Mapping):
            raise ScriptError(f"a reply must be a JSON object, got {data!r}")
        unknown = set(data) - _REPLY_KEYS
        if unknown:
            raise ScriptError(f"unknown reply keys {sorted(unknown)}; use {sorted(_REPLY_KEYS)}")
        return cls(**data)


def _json_dumps(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ScriptError(f"json is not JSON-serialisable: {exc}") from None


@dataclass(frozen=True, slots=True)
class Asked:
    """What a rule can match on: the model id, the last user message and the media URLs.

    Example:
        >>> Asked("nova:amazon.nova-lite-v1:0", "Hi", ()).model
        'nova:amazon.nova-lite-v1:0'
    """

    model: str
    prompt: str
    media_urls: tuple[str, ...]


class Rule:
    """Replies for the requests that match; made by :meth:`Script.when`.

    A request matches when every condition given holds: ``model`` occurs in the model id
    (``"nova"``, ``"gemini-2.5-pro"``), ``prompt`` occurs in the last user message (a string,
    case-insensitive, or a compiled regular expression), ``media_url`` occurs in one of the
    request's media URLs.

    Example:
        >>> rule = Rule(model="gemini", prompt=None, media_url="bunny")
        >>> rule.matches(Asked("gemini:gemini-2.5-flash", "Hi", ("https://x/bunny.mp4",)))
        True
    """

    def __init__(
        self, *, model: str | None, prompt: str | re.Pattern[str] | None, media_url: str | None
    ) -> None:
        for name, value in (("model", model), ("media_url", media_url)):
            if value is not None and (not isinstance(value, str) or not value):
                raise ScriptError(f"{name} must be a non-empty string")
        if prompt is not None and not isinstance(prompt, (str, re.Pattern)):
            raise ScriptError("prompt must be a string or a compiled regular expression")
        self.model = model
        self.prompt = prompt
        self.media_url = media_url
        self._replies: deque[Reply] = deque()
        self._always: Reply | None = None
        self._lock = threading.Lock()

    def reply(self, *replies: Reply) -> Rule:
        """Serve ``replies`` in order to the matching requests; then the rule is spent.

        Example:
            >>> Rule(model="nova", prompt=None, media_url=None).reply(Reply(text="a")).left
            1
        """
        _check_replies(replies)
        with self._lock:
            self._replies.extend(replies)
        return self

    def always(self, reply: Reply) -> Rule:
        """Serve ``reply`` to every matching request (after any queued by :meth:`reply`).

        Example:
            >>> Rule(model="nova", prompt=None, media_url=None).always(Reply(text="a")).left
            -1
        """
        _check_replies((reply,))
        self._always = reply
        return self

    @property
    def left(self) -> int:
        """Replies still to serve; -1 for a rule that always answers."""
        if self._always is not None:
            return -1
        with self._lock:
            return len(self._replies)

    def matches(self, request: Asked) -> bool:
        """True if every condition of the rule holds for ``request``."""
        if self.model is not None and self.model.lower() not in request.model.lower():
            return False
        if isinstance(self.prompt, str) and self.prompt.lower() not in request.prompt.lower():
            return False
        if isinstance(self.prompt, re.Pattern) and self.prompt.search(request.prompt) is None:
            return False
        return self.media_url is None or any(self.media_url in url for url in request.media_urls)

    def take(self) -> Reply | None:
        """The next reply, or ``None`` once the rule is spent."""
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        return self._always

    def __repr__(self) -> str:
        conditions = ", ".join(
            f"{name}={value!r}"
            for name, value in (
                ("model", self.model),
                ("prompt", self.prompt),
                ("media_url", self.media_url),
            )
            if value is not None
        )
        return f"Rule({conditions}; left={self.left})"


def _check_replies(replies: Iterable[Any]) -> None:
    for reply in replies:
        if not isinstance(reply, Reply):
            raise ScriptError(f"expected Reply objects, got {type(reply).__name__}")


class Script:
    """The scripted replies of one emulator, and the video lengths a test declared.

    Thread-safe: tests script from their thread while the server thread takes replies.

    Example:
        >>> script = Script()
        >>> script.set_video_duration("https://x.test/a.mp4", 600)
        >>> script.video_duration("https://x.test/a.mp4")
        600.0
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._rules: list[Rule] = []
        self._durations: dict[str, float] = {}

    def queue(self, *replies: Reply) -> None:
        """Serve ``replies`` in order to the next requests (after the matching rules).

        Example:
            >>> Script().queue(Reply(text="first"), Reply(text="second"))
        """
        _check_replies(replies)
        with self._lock:
            self._queue.extend(replies)

    def when(
        self,
        *,
        model: str | None = None,
        prompt: str | re.Pattern[str] | None = None,
        media_url: str | None = None,
    ) -> Rule:
        """A new rule for the requests that match every condition given; add replies to it.

        Example:
            >>> rule = Script().when(media_url="TearsOfSteel").always(Reply(text="robots"))
            >>> rule.media_url
            'TearsOfSteel'
        """
        if model is None and prompt is None and media_url is None:
            raise ScriptError(
                "when() needs model, prompt or media_url; use queue() for any request"
            )
        rule = Rule(model=model, prompt=prompt, media_url=media_url)
        with self._lock:
            self._rules.append(rule)
        return rule

    def set_video_duration(self, url: str, seconds: float) -> None:
        """Declare the length of the video at ``url`` (scenes stay inside it).

        Example:
            >>> Script().set_video_duration("https://x.test/a.mp4", 59.5)
        """
        if (
            not isinstance(url, str)
            or not url
            or isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not 0 < seconds < float("inf")
        ):
            raise ScriptError(
                f"need a URL and a positive length in seconds, got {url!r}, {seconds!r}"
            )
        with self._lock:
            self._durations[url] = float(seconds)

    def video_duration(self, url: str) -> float | None:
        """The length declared for ``url``, or ``None``."""
        with self._lock:
            return self._durations.get(url)

    @property
    def pending(self) -> int:
        """Replies still queued or held by rules (a rule made with ``always`` counts 1).

        Example:
            >>> Script().pending
            0
        """
        with self._lock:
            queued, rules = len(self._queue), list(self._rules)
        return queued + sum(abs(rule.left) for rule in rules)

    def take(self, request: Asked) -> Reply | None:
        """The reply for ``request``: the first matching rule's next one, else the queue's next.

        Example:
            >>> script = Script()
            >>> script.queue(Reply(text="x"))
            >>> asked = Asked("gemini:g", "Hi", ())
            >>> script.take(asked).text, script.take(asked)
            ('x', None)
        """
        with self._lock:
            rules = list(self._rules)
        for rule in rules:
            if rule.matches(request):
                reply = rule.take()
                if reply is not None:
                    return reply
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def clear(self) -> None:
        """Forget every queued reply, rule and declared video length.

        Example:
            >>> Script().clear()
        """
        with self._lock:
            self._queue.clear()
            self._rules.clear()
            self._durations.clear()

    def load(self, source: Mapping[str, Any] | str | Path) -> None:
        """Add the replies, rules and video lengths of a JSON script (a mapping or a file).

        The format: ``{"queue": [reply, ...], "rules": [{"model": ..., "prompt": ...,
        "media_url": ..., "replies": [reply, ...]} or {..., "always": reply}],
        "video_durations": {url: seconds}}``, where a reply is :class:`Reply`'s keyword
        arguments as an object. Everything is checked before anything is added.

        Raises:
            ScriptError: For an unreadable file or a bad entry (naming it).

        Example:
            >>> script = Script()
            >>> script.load({"queue": [{"text": "hi"}], "rules": [
            ...     {"model": "nova", "replies": [{"tool_calls": [{"name": "f", "args": {}}]}]}]})
            >>> script.pending
            2
        """
        if isinstance(source, (str, Path)):
            try:
                data = json.loads(Path(source).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ScriptError(f"cannot read the script {source}: {exc}") from None
        else:
            data = source
        if not isinstance(data, Mapping) or set(data) - _SCRIPT_KEYS:
            raise ScriptError(f"a script is an object with keys among {sorted(_SCRIPT_KEYS)}")
        queued = [Reply.from_dict(item) for item in data.get("queue", [])]
        rules: list[Rule] = []
        for entry in data.get("rules", []):
            if not isinstance(entry, Mapping) or set(entry) - _RULE_KEYS:
                raise ScriptError(f"a rule is an object with keys among {sorted(_RULE_KEYS)}")
            rule = Rule(
                model=entry.get("model"),
                prompt=entry.get("prompt"),
                media_url=entry.get("media_url"),
            )
            if rule.model is None and rule.prompt is None and rule.media_url is None:
                raise ScriptError("a rule needs model, prompt or media_url")
            rule.reply(*(Reply.from_dict(item) for item in entry.get("replies", [])))
            if "always" in entry:
                rule.always(Reply.from_dict(entry["always"]))
            if rule.left == 0:
                raise ScriptError("a rule needs 'replies' or 'always'")
            rules.append(rule)
        durations = data.get("video_durations", {})
        if not isinstance(durations, Mapping):
            raise ScriptError("video_durations maps URLs to seconds")
        probe = Script()
        for url, seconds in durations.items():
            probe.set_video_duration(url, seconds)
        with self._lock:
            self._queue.extend(queued)
            self._rules.extend(rules)
            self._durations.update(probe._durations)
