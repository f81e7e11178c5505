"""The probes: named calls across the four families, each judging a few assumptions.

Every probe is cheap on purpose: short prompts, small ``max_tokens``, the docs' own public
sample media (a PNG and a one-minute MP4), and error cases that the service refuses before any
model runs. :data:`PROBES` lists them in the order they run.

Example:
    >>> from memories_client.probes.suite import PROBES
    >>> PROBES["gemini.video"].checks
    ('PATH-VU', 'GEMINI-VIDEO')
"""

from __future__ import annotations

import dataclasses
import struct
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from memories_client._jsonout import parse_json_output
from memories_client._media import media_from_url
from memories_client._parsing import is_errored
from memories_client.dialects import GPTDialect, QwenDialect
from memories_client.errors import MemoriesAPIError, MemoriesError
from memories_client.probes.base import Finding, Probe, ProbeContext, Verdict
from memories_client.probes.wire import Exchange, sse_events
from memories_client.tokens import estimate_tokens
from memories_client.types import ChatRequest, Completion, Message, TextPart, ToolSpec
from memories_client.uploads import MemoriesAssetUploader

__all__ = ["IMAGE_URL", "PROBES", "UNFETCHABLE_URL", "VIDEO_URL"]

# The docs' own sample media (the Gemini VLM page's code example): public, small, stable.
IMAGE_URL = "https://storage.googleapis.com/memories-test-data/gun5.png"
VIDEO_URL = "https://storage.googleapis.com/memories-test-data/test_1min.mp4"
UNFETCHABLE_URL = "https://storage.googleapis.com/memories-test-data/no-such-file-probe.mp4"
# An answer that read the media has at least this many input tokens beyond the text's estimate
# (an image is 85+ tokens at OpenAI's lowest detail, 258 for Gemini; a minute of video ~15K).
_IMAGE_TOKENS = 60
_VIDEO_TOKENS = 500
_MAX_TOKENS = 32
# GPT's cheapest models reason before they answer, and the reasoning counts against max_tokens.
_GPT_MAX_TOKENS = 512
_GEMINI_BUDGET = 512  # allowed on every Gemini 2.5 model (Flash-Lite's minimum)
_QWEN_BUDGET = 128


def _find(aid: str, verdict: Verdict, note: str) -> Finding:
    return Finding(aid, verdict, note)


def _all(checks: Sequence[str], verdict: Verdict, note: str) -> list[Finding]:
    return [Finding(a, verdict, note) for a in checks]


def _error_note(error: MemoriesError) -> str:
    status = getattr(error, "status", None)
    where = f" (HTTP {status})" if status else ""
    return f"{type(error).__name__}{where}: {error}"[:300]


def _last(ctx: ProbeContext) -> Exchange | None:
    return ctx.exchanges[-1] if ctx.exchanges else None


def _answered(aid: str, ctx: ProbeContext, outcome: Completion | MemoriesError) -> Finding:
    """Held when the call was answered; contradicted on a 404/405 or any 4xx naming the call."""
    ex = _last(ctx)
    if isinstance(outcome, Completion):
        return _find(aid, "held", f"HTTP {ex.status if ex else '?'}, an answer came back")
    status = outcome.status if isinstance(outcome, MemoriesAPIError) else None
    if status is not None and 400 <= status < 500 and status not in (401, 402, 429):
        # Refused for what was sent (a path, a part, an option): not a key, credit or rate issue.
        return _find(aid, "contradicted", _error_note(outcome))
    return _find(aid, "not tested", _error_note(outcome))


def _max_tokens(model: str) -> int:
    return _GPT_MAX_TOKENS if model.startswith("gpt:") else _MAX_TOKENS


def _text_request(prompt: str, **fields: Any) -> Callable[[str], ChatRequest]:
    def build(model: str) -> ChatRequest:
        return ChatRequest(
            model=model, messages=[Message.user(prompt)], max_tokens=_max_tokens(model), **fields
        )

    return build


def _media_request(url: str, prompt: str, **fields: Any) -> Callable[[str], ChatRequest]:
    def build(model: str) -> ChatRequest:
        return ChatRequest(
            model=model,
            messages=[Message.user(prompt, media_from_url(url))],
            max_tokens=_max_tokens(model),
            **fields,
        )

    return build


def _media_read(
    aid: str, ctx: ProbeContext, outcome: Completion | MemoriesError, floor: int
) -> Finding:
    """Held when the input tokens show the media was read, not skipped."""
    if not isinstance(outcome, Completion):
        return _answered(aid, ctx, outcome)
    if outcome.usage is None:
        return _find(aid, "not tested", "answered, but no usage to tell whether the media was read")
    request = ctx.the_request
    text = [dataclasses.replace(m, parts=tuple(_texts(m))) for m in request.messages]
    text_only = estimate_tokens(text, request.model)
    read = outcome.usage.input_tokens - text_only
    verdict: Verdict = "held" if read >= floor else "contradicted"
    return _find(
        aid, verdict, f"input_tokens {outcome.usage.input_tokens} (text alone ~{text_only})"
    )


def _texts(message: Message) -> list[TextPart]:
    return [p for p in message.parts if isinstance(p, TextPart)]


def _has_fields(aid: str, ctx: ProbeContext, wanted: Sequence[str]) -> Finding:
    ex = _last(ctx)
    if ex is None or ex.status != 200:
        return _find(aid, "not tested", "no HTTP 200 answer to read the fields of")
    names = ex.field_names()
    missing = [w for w in wanted if w not in names]
    if not missing:
        return _find(aid, "held", "fields: " + ", ".join(wanted))
    return _find(aid, "contradicted", f"missing {', '.join(missing)}; fields: {', '.join(names)}")


# -- probes of one plain call ---------------------------------------------------------------------

_SAY_HI = "Reply with the single word: hello."


def _plain(
    shape: str, usage: str, usage_fields: Sequence[str], answered: Sequence[str] = ()
) -> Callable[[ProbeContext], list[Finding]]:
    """One plain call and what it tells.

    The model is served, the ``answered`` assumptions hold if it answers, and the answer has
    the family's shape and usage fields (and for Gemini, no ``finish_reason``).
    """
    shape_fields = (
        ("choices[].text",) if shape == "SHAPE-COMPLETION" else ("choices[].message.content",)
    )

    def run(ctx: ProbeContext) -> list[Finding]:
        outcome = ctx.chat(ctx.the_request)
        findings = [_answered(aid, ctx, outcome) for aid in ("MODEL-IDS", *answered)]
        if usage == "USAGE-GEMINI":
            findings.append(_no_finish(ctx))
        findings.append(_has_fields(shape, ctx, shape_fields))
        findings.append(_has_fields(usage, ctx, usage_fields))
        return findings

    return run


def _no_finish(ctx: ProbeContext) -> Finding:
    ex = _last(ctx)
    if ex is None or ex.status != 200:
        return _find("GEMINI-NO-FINISH", "not tested", "no HTTP 200 answer")
    present = "choices[].finish_reason" in ex.field_names()
    return _find(
        "GEMINI-NO-FINISH",
        "contradicted" if present else "held",
        "finish_reason present" if present else "no finish_reason in choices",
    )


# -- streams --------------------------------------------------------------------------------------


def _stream(family: str, **settings: Any) -> Callable[[ProbeContext], list[Finding]]:
    chat_shape = family in ("nova", "gpt")

    def run(ctx: ProbeContext) -> list[Finding]:
        outcome = ctx.stream(ctx.the_request, **settings)
        ex = _last(ctx)
        if ex is None or ex.status != 200:
            note = _error_note(outcome) if isinstance(outcome, MemoriesError) else "no answer"
            checks = [*_STREAM_CHECKS, *_usage_checks(family, settings)]
            return _all(checks, "not tested", note)
        ctype = ex.headers.get("content-type", "")
        events = list(sse_events(ex.text))
        sse = "event-stream" in ctype and bool(events)
        if not sse:
            # A plain answer (which the client reads as one chunk) says nothing about how a
            # stream ends or what its chunks hold.
            rest = [*_STREAM_CHECKS[1:], *_usage_checks(family, settings)]
            return [
                _find("STREAM-SSE", "contradicted", f"content-type {ctype!r}: {ex.short(120)}"),
                *_all(rest, "not tested", "the answer was not an event stream"),
            ]
        findings = [
            _find("STREAM-SSE", "held", f"content-type {ctype!r}"),
            _find(
                "STREAM-DONE",
                "held" if "data: [DONE]" in ex.text else "contradicted",
                "ends with [DONE]" if "data: [DONE]" in ex.text else f"ends: {ex.text[-80:]!r}",
            ),
        ]
        wanted = "choices[].delta.content" if chat_shape else "choices[].text"
        names = ex.field_names()
        findings.append(
            _find(
                "STREAM-TEXT-SHAPE",
                "held" if wanted in names else ("contradicted" if events else "not tested"),
                f"fields: {', '.join(names)}",
            )
        )
        has_usage = any(isinstance(e, dict) and e.get("usage") for e in events)
        if isinstance(outcome, list):
            has_usage = has_usage or any(c.usage is not None for c in outcome)
        for aid in _usage_checks(family, settings):
            expect = aid != "GPT-STREAM-NO-USAGE"
            verdict: Verdict = "held" if has_usage == expect else "contradicted"
            findings.append(
                _find(aid, verdict, "usage in the stream" if has_usage else "no usage in it")
            )
        return findings

    return run


def _usage_checks(family: str, settings: dict[str, Any]) -> list[str]:
    if family != "gpt":
        return ["STREAM-USAGE"]
    return ["GPT-STREAM-OPTIONS" if settings else "GPT-STREAM-NO-USAGE"]


# -- media ----------------------------------------------------------------------------------------


def _media(
    aid: str, floor: int, path_check: str = "", **settings: Any
) -> Callable[[ProbeContext], list[Finding]]:
    def run(ctx: ProbeContext) -> list[Finding]:
        outcome = ctx.chat(ctx.the_request, **settings)
        findings = [_media_read(aid, ctx, outcome, floor)]
        if path_check:
            findings.append(_answered(path_check, ctx, outcome))
        return findings

    return run


# -- structured output and thinking ---------------------------------------------------------------

_SCHEMA = {
    "type": "object",
    "properties": {"colour": {"type": "string"}},
    "required": ["colour"],
}


def _json_probe(
    *, schema_check: str, fence_check: str = "", literal_check: str = ""
) -> Callable[[ProbeContext], list[Finding]]:
    def run(ctx: ProbeContext) -> list[Finding]:
        outcome = ctx.chat(ctx.the_request)
        checks = [c for c in (schema_check, fence_check, literal_check) if c]
        if not isinstance(outcome, Completion):
            return [_answered(c, ctx, outcome) for c in checks]
        text = outcome.text
        try:
            value = parse_json_output(text)
        except ValueError:
            value = None
        ok = isinstance(value, dict) and (
            ctx.the_request.response_schema is None or "colour" in value
        )
        shown = repr(text[:120])
        findings = [_find(schema_check, "held" if ok else "contradicted", f"answer {shown}")]
        if literal_check:
            findings.append(_find(literal_check, "held" if ok else "contradicted", shown))
        if fence_check:
            fenced = text.lstrip().startswith("```")
            findings.append(
                _find(fence_check, "held" if fenced else "contradicted", f"answer starts {shown}")
            )
        return findings

    return run


def _thinking(aid: str) -> Callable[[ProbeContext], list[Finding]]:
    def run(ctx: ProbeContext) -> list[Finding]:
        outcome = ctx.chat(ctx.the_request)
        findings = [_answered(aid, ctx, outcome)]
        if not isinstance(outcome, Completion) or outcome.usage is None:
            findings.append(_find("REASONING-USAGE", "not tested", "no usage came back"))
            return findings
        ex = _last(ctx)
        names = ex.field_names() if ex else []
        keys = [n for n in names if n.startswith("usage") and ("reason" in n or "thought" in n)]
        reported = outcome.usage.reasoning_tokens is not None or bool(keys)
        findings.append(
            _find(
                "REASONING-USAGE",
                "held" if reported else "contradicted",
                f"usage fields: {', '.join(n for n in names if n.startswith('usage'))}",
            )
        )
        return findings

    return run


# -- Nova tools -----------------------------------------------------------------------------------

_WEATHER = ToolSpec(
    "get_weather",
    "Get the current weather for a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def _tools(ctx: ProbeContext) -> list[Finding]:
    outcome = ctx.chat(ctx.the_request)
    if not isinstance(outcome, Completion):
        return [_answered("NOVA-TOOLS", ctx, outcome), _answered("NOVA-TOOL-SHAPE", ctx, outcome)]
    calls = outcome.tool_calls
    findings = [
        _find(
            "NOVA-TOOLS",
            "held" if calls else "contradicted",
            f"tool calls: {[c.name for c in calls]}" if calls else f"text {outcome.text[:80]!r}",
        )
    ]
    last = _last(ctx)
    names = last.field_names() if last is not None else []
    if "choices[].message.tool_calls" in names:
        findings.append(_find("NOVA-TOOL-SHAPE", "held", "choices[].message.tool_calls"))
    elif calls:
        findings.append(_find("NOVA-TOOL-SHAPE", "contradicted", f"fields: {', '.join(names)}"))
    else:
        findings.append(_find("NOVA-TOOL-SHAPE", "not tested", "no tool call came back"))
    return findings


# -- raw probes: errors and wire details the client never sends -----------------------------------


def _refused(
    aid: str,
    ex: Exchange,
    *,
    expect: str = "",
    statuses: range = range(400, 500),
    errored_counts: bool = True,
) -> Finding:
    """Judge a raw request the service should refuse.

    Held on an HTTP status in ``statuses``, or (where ``errored_counts``) an HTTP-200
    ``errored`` body; a 429 or 5xx tells nothing.
    """
    if ex.status is None:
        return _find(aid, "not tested", ex.error or "no answer")
    if ex.status == 429 or ex.status >= 500:
        return _find(aid, "not tested", f"HTTP {ex.status}: the service could not answer")
    body = ex.json()
    errored = ex.status == 200 and isinstance(body, dict) and is_errored(body)
    if not (ex.status in statuses or (errored_counts and errored)):
        return _find(aid, "contradicted", f"HTTP {ex.status}: {ex.short(160)}")
    if expect and expect not in ex.text:
        return _find(aid, "held", f"HTTP {ex.status}, but without {expect!r}: {ex.short(160)}")
    return _find(aid, "held", f"HTTP {ex.status}: {ex.short(160)}")


def _envelope(ex: Exchange) -> Finding:
    body = ex.json()
    if ex.status is None or ex.status < 400:
        return _find("ERR-ENVELOPE", "not tested", f"HTTP {ex.status}: no error page")
    if (
        isinstance(body, dict)
        and {"code", "msg"} <= set(body)
        and str(body["code"]) == str(ex.status)
    ):
        return _find("ERR-ENVELOPE", "held", f"HTTP {ex.status}, fields {sorted(body)}")
    return _find("ERR-ENVELOPE", "contradicted", f"HTTP {ex.status}: {ex.short(160)}")


def _path(ctx: ProbeContext, endpoint: str) -> str:
    return str(ctx.client().paths[endpoint])


def _bad_key(ctx: ProbeContext) -> list[Finding]:
    body = ctx.body(ctx.the_request)
    ex = ctx.post(_path(ctx, "vu"), body, key="sk-mavi-probe-not-a-real-key")
    return [
        _refused("ERR-BAD-KEY", ex, statuses=range(401, 402), errored_counts=False),
        _envelope(ex),
    ]


def _bearer(ctx: ProbeContext) -> list[Finding]:
    ex = ctx.post(_path(ctx, "vu"), ctx.body(ctx.the_request), auth="bearer")
    verdict: Verdict = "held" if ex.status == 200 else "contradicted"
    if ex.status is None or ex.status == 429:
        verdict = "not tested"
    return [_find("AUTH-BEARER", verdict, f"HTTP {ex.status}: {ex.short(160)}")]


def _bad_model(ctx: ProbeContext) -> list[Finding]:
    body = ctx.body(ctx.the_request)
    body["model"] = "gemini:no-such-model-probe"
    ex = ctx.post(_path(ctx, "vu"), body)
    return [_refused("ERR-BAD-MODEL", ex, errored_counts=False), _envelope(ex)]


def _no_prefix(ctx: ProbeContext) -> list[Finding]:
    body = ctx.body(ctx.the_request)
    body["model"] = str(body["model"]).partition(":")[2]
    return [_refused("MODEL-PREFIX", ctx.post(_path(ctx, "vu"), body))]


def _string_content(ctx: ProbeContext) -> list[Finding]:
    body = ctx.body(ctx.the_request)
    body["messages"] = [{"role": "user", "content": _SAY_HI}]
    ex = ctx.post(_path(ctx, "vu"), body)
    return [_refused("GEMINI-STRING-REFUSED", ex, expect="Model input cannot be empty")]


def _base64_video(ctx: ProbeContext) -> list[Finding]:
    body = ctx.body(ctx.the_request)
    # A few bytes with an MP4 signature: no real video, so nothing worth a model's time.
    fake = "AAAAGGZ0eXBtcDQyAAAAAG1wNDJpc29t"
    body["messages"][0]["content"].append(
        {"type": "input_file", "file_uri": fake, "mime_type": "video/mp4"}
    )
    return [_refused("GEMINI-VIDEO-BASE64", ctx.post(_path(ctx, "vu"), body))]


def _unfetchable(ctx: ProbeContext) -> list[Finding]:
    outcome = ctx.chat(ctx.the_request)
    ex = _last(ctx)
    if ex is None or ex.status is None:
        return [_find("ERR-200-ERRORED", "not tested", "no answer")]
    body = ex.json()
    if ex.status == 200 and isinstance(body, dict) and body.get("status") == "errored":
        error = body.get("error")
        fields = sorted(error) if isinstance(error, dict) else error
        shaped = isinstance(error, dict) and {"code", "message"} <= set(error)
        return [
            _find(
                "ERR-200-ERRORED",
                "held" if shaped else "contradicted",
                f"HTTP 200 status errored, error fields {fields!r}",
            )
        ]
    note = _error_note(outcome) if isinstance(outcome, MemoriesError) else "answered normally"
    return [_find("ERR-200-ERRORED", "contradicted", f"HTTP {ex.status}: {note}"[:300])]


def _nova_alias(ctx: ProbeContext) -> list[Finding]:
    request = ctx.the_request.replace(model=ctx.the_request.model.replace(":us.", ":", 1))
    return [_answered("NOVA-ID-ALIAS", ctx, ctx.chat(request))]


def _retry_after(ctx: ProbeContext) -> list[Finding]:
    limited = [ex for ex in ctx.history if ex.status == 429]
    if not limited:
        return [_find("RETRY-AFTER", "not tested", "the service sent no 429 during the run")]
    with_header = [ex for ex in limited if "retry-after" in ex.headers]
    verdict: Verdict = "held" if len(with_header) == len(limited) else "contradicted"
    values = [ex.headers.get("retry-after") for ex in limited]
    return [_find("RETRY-AFTER", verdict, f"{len(limited)} 429s, Retry-After {values}")]


def _tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 16 for _ in range(16))  # 16x16, red
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _asset(ctx: ProbeContext) -> list[Finding]:
    uploader = MemoriesAssetUploader(
        api_key=ctx.api_key,
        base_url=ctx.base_url,
        http_client=ctx.http_client,
        max_retries=0,
        poll_interval=0.5,
        poll_timeout=60,
    )
    try:
        url = uploader.upload(_tiny_png(), "image/png")
    except MemoriesError as error:
        return [_find("ASSET-SIGNED-URL", "not tested", "upload failed: " + _error_note(error))]
    request = ctx.the_request
    request = request.replace(
        messages=[Message.user("What colour is this image?", media_from_url(url, "image/png"))]
    )
    outcome = ctx.chat(request)
    if isinstance(outcome, Completion):
        return [_find("ASSET-SIGNED-URL", "held", f"answered: {outcome.text[:80]!r}")]
    ex = _last(ctx)
    verdict: Verdict = (
        "contradicted" if ex is not None and ex.status in (200, 400) else "not tested"
    )
    return [_find("ASSET-SIGNED-URL", verdict, _error_note(outcome))]


# -- the list -------------------------------------------------------------------------------------

_DESCRIBE = "Describe this in five words."
_JSON_PROMPT = "Name one colour. Answer in JSON with the key colour."


def _probe(
    pid: str,
    family: str,
    title: str,
    checks: tuple[str, ...],
    request: Callable[[str], ChatRequest] | None,
    run: Callable[[ProbeContext], list[Finding]],
    **extra: Any,
) -> Probe:
    return Probe(pid, family, title, checks, request, run, **extra)


_TEXT = _text_request(_SAY_HI)
_STREAM_CHECKS = ("STREAM-SSE", "STREAM-DONE", "STREAM-TEXT-SHAPE")


def _stream_probe(family: str) -> Probe:
    checks = (*_STREAM_CHECKS, "STREAM-USAGE")
    return _probe(f"{family}.stream", family, "streamed text", checks, _TEXT, _stream(family))


_LIST = (
    # Gemini
    _probe(
        "gemini.text",
        "gemini",
        "plain text on /vu",
        (
            "MODEL-IDS",
            "BASE-URL",
            "AUTH-RAW",
            "PATH-VU",
            "GEMINI-NO-FINISH",
            "SHAPE-COMPLETION",
            "USAGE-GEMINI",
        ),
        _TEXT,
        _plain(
            "SHAPE-COMPLETION",
            "USAGE-GEMINI",
            ("usage.input_tokens", "usage.output_tokens", "usage.total_tokens"),
            answered=("BASE-URL", "AUTH-RAW", "PATH-VU"),
        ),
    ),
    _stream_probe("gemini"),
    _probe(
        "gemini.image",
        "gemini",
        "image URL as input_file",
        ("GEMINI-IMAGE",),
        _media_request(IMAGE_URL, _DESCRIBE),
        _media("GEMINI-IMAGE", _IMAGE_TOKENS),
    ),
    _probe(
        "gemini.video",
        "gemini",
        "video URL as input_file",
        ("PATH-VU", "GEMINI-VIDEO"),
        _media_request(VIDEO_URL, _DESCRIBE),
        _media("GEMINI-VIDEO", _VIDEO_TOKENS, path_check="PATH-VU"),
    ),
    _probe(
        "gemini.json",
        "gemini",
        "responseSchema structured output",
        ("GEMINI-SCHEMA", "GEMINI-JSON-FENCE", "EXTRA-BODY-LITERAL"),
        _text_request(_JSON_PROMPT, response_schema=_SCHEMA),
        _json_probe(
            schema_check="GEMINI-SCHEMA",
            fence_check="GEMINI-JSON-FENCE",
            literal_check="EXTRA-BODY-LITERAL",
        ),
    ),
    _probe(
        "gemini.thinking",
        "gemini",
        f"thinking_budget {_GEMINI_BUDGET}",
        ("GEMINI-THINKING", "REASONING-USAGE"),
        _text_request(_SAY_HI, thinking_budget=_GEMINI_BUDGET),
        _thinking("GEMINI-THINKING"),
        thinking=True,
    ),
    _probe(
        "gemini.string-content",
        "gemini",
        "bare-string user content (raw)",
        ("GEMINI-STRING-REFUSED",),
        _TEXT,
        _string_content,
    ),
    _probe(
        "gemini.base64-video",
        "gemini",
        "base64 video (raw; refused by the client)",
        ("GEMINI-VIDEO-BASE64",),
        _media_request(VIDEO_URL, _DESCRIBE),
        _base64_video,
    ),
    _probe(
        "gemini.unfetchable-media",
        "gemini",
        "a video URL that does not exist",
        ("ERR-200-ERRORED",),
        _media_request(UNFETCHABLE_URL, _DESCRIBE),
        _unfetchable,
    ),
    # Errors and authentication (on the cheapest Gemini model)
    _probe(
        "errors.bad-key",
        "gemini",
        "a wrong key (raw)",
        ("ERR-BAD-KEY", "ERR-ENVELOPE"),
        _TEXT,
        _bad_key,
    ),
    _probe(
        "errors.bad-model",
        "gemini",
        "an unknown model id (raw)",
        ("ERR-BAD-MODEL", "ERR-ENVELOPE"),
        _TEXT,
        _bad_model,
    ),
    _probe(
        "errors.no-prefix",
        "gemini",
        "a model id without its prefix (raw)",
        ("MODEL-PREFIX",),
        _TEXT,
        _no_prefix,
    ),
    _probe(
        "auth.bearer",
        "gemini",
        "Authorization: Bearer <key> (raw)",
        ("AUTH-BEARER",),
        _TEXT,
        _bearer,
    ),
    # Nova
    _probe(
        "nova.text",
        "nova",
        "plain text on /iu",
        ("MODEL-IDS", "PATH-IU", "SHAPE-CHAT", "USAGE-NOVA"),
        _TEXT,
        _plain(
            "SHAPE-CHAT",
            "USAGE-NOVA",
            ("usage.prompt_tokens", "usage.output_token", "usage.total_tokens"),
            answered=("PATH-IU",),
        ),
    ),
    _stream_probe("nova"),
    _probe(
        "nova.image",
        "nova",
        "image_url object on /iu",
        ("NOVA-IMAGE", "PATH-IU"),
        _media_request(IMAGE_URL, _DESCRIBE),
        _media("NOVA-IMAGE", _IMAGE_TOKENS, path_check="PATH-IU"),
    ),
    _probe(
        "nova.video",
        "nova",
        "video_url object on /vu",
        ("NOVA-VIDEO",),
        _media_request(VIDEO_URL, _DESCRIBE),
        _media("NOVA-VIDEO", _VIDEO_TOKENS),
    ),
    _probe(
        "nova.tools",
        "nova",
        "toolConfig with one tool",
        ("NOVA-TOOLS", "NOVA-TOOL-SHAPE"),
        _text_request("What is the weather in Paris? Use the tool.", tools=[_WEATHER]),
        _tools,
    ),
    _probe("nova.id-alias", "nova", "the id without 'us.'", ("NOVA-ID-ALIAS",), _TEXT, _nova_alias),
    # Qwen
    _probe(
        "qwen.text",
        "qwen",
        "plain text (string content) on /vu",
        ("MODEL-IDS", "QWEN-TEXT-STRING", "SHAPE-COMPLETION", "USAGE-QWEN"),
        _TEXT,
        _plain(
            "SHAPE-COMPLETION",
            "USAGE-QWEN",
            ("usage.input_tokens", "usage.output_tokens"),
            answered=("QWEN-TEXT-STRING",),
        ),
    ),
    _stream_probe("qwen"),
    _probe(
        "qwen.image.dashscope",
        "qwen",
        "image as {image: url}",
        ("QWEN-PARTS-DASHSCOPE",),
        _media_request(IMAGE_URL, _DESCRIBE),
        _media("QWEN-PARTS-DASHSCOPE", _IMAGE_TOKENS),
    ),
    _probe(
        "qwen.image.typed",
        "qwen",
        "image as {type: image, image: url}",
        ("QWEN-PARTS-TYPED",),
        _media_request(IMAGE_URL, _DESCRIBE),
        _media(
            "QWEN-PARTS-TYPED", _IMAGE_TOKENS, dialects={"qwen": QwenDialect(part_style="typed")}
        ),
    ),
    _probe(
        "qwen.image.openai",
        "qwen",
        "image as an image_url object",
        ("QWEN-PARTS-OPENAI",),
        _media_request(IMAGE_URL, _DESCRIBE),
        _media(
            "QWEN-PARTS-OPENAI", _IMAGE_TOKENS, dialects={"qwen": QwenDialect(part_style="openai")}
        ),
    ),
    _probe(
        "qwen.video",
        "qwen",
        "video as {video: url}",
        ("QWEN-VIDEO",),
        _media_request(VIDEO_URL, _DESCRIBE),
        _media("QWEN-VIDEO", _VIDEO_TOKENS),
    ),
    _probe(
        "qwen.json",
        "qwen",
        "response_format json_schema",
        ("QWEN-JSON-SCHEMA",),
        _text_request(_JSON_PROMPT, response_schema=_SCHEMA),
        _json_probe(schema_check="QWEN-JSON-SCHEMA"),
    ),
    _probe(
        "qwen.thinking",
        "qwen",
        f"enable_thinking, budget {_QWEN_BUDGET}",
        ("QWEN-THINKING", "REASONING-USAGE"),
        _text_request(_SAY_HI, enable_thinking=True, thinking_budget=_QWEN_BUDGET),
        _thinking("QWEN-THINKING"),
        thinking=True,
    ),
    _probe(
        "qwen.path-bare",
        "qwen",
        "text on /chat/completions",
        ("PATH-BARE",),
        _TEXT,
        lambda ctx: [
            _answered(
                "PATH-BARE", ctx, ctx.chat(ctx.the_request, paths={"vu": "/chat/completions"})
            )
        ],
    ),
    # GPT (image endpoint only)
    _probe(
        "gpt.text",
        "gpt",
        "plain text on /iu",
        ("MODEL-IDS", "GPT-MAX-TOKENS", "SHAPE-CHAT", "USAGE-GPT"),
        _TEXT,
        _plain(
            "SHAPE-CHAT",
            "USAGE-GPT",
            ("usage.prompt_tokens", "usage.completion_tokens", "usage.completion_tokens_details"),
            answered=("GPT-MAX-TOKENS",),
        ),
    ),
    _probe(
        "gpt.image",
        "gpt",
        "image_url object on /iu",
        ("GPT-IMAGE", "PATH-IU"),
        _media_request(IMAGE_URL, _DESCRIBE),
        _media("GPT-IMAGE", _IMAGE_TOKENS, path_check="PATH-IU"),
    ),
    _probe(
        "gpt.image.ilm",
        "gpt",
        "image on /ilm/chat/completions",
        ("PATH-ILM",),
        _media_request(IMAGE_URL, _DESCRIBE),
        lambda ctx: [
            _answered(
                "PATH-ILM", ctx, ctx.chat(ctx.the_request, paths={"iu": "/ilm/chat/completions"})
            )
        ],
    ),
    _probe(
        "gpt.json",
        "gpt",
        "top-level response_format json_object",
        ("GPT-JSON-MODE",),
        _text_request(_JSON_PROMPT, response_mime_type="application/json"),
        _json_probe(schema_check="GPT-JSON-MODE"),
    ),
    _probe(
        "gpt.stream",
        "gpt",
        "streamed text, no stream_options",
        (*_STREAM_CHECKS, "GPT-STREAM-NO-USAGE"),
        _TEXT,
        _stream("gpt"),
    ),
    _probe(
        "gpt.stream-usage",
        "gpt",
        "streamed text with stream_options include_usage",
        (*_STREAM_CHECKS, "GPT-STREAM-OPTIONS"),
        _TEXT,
        _stream("gpt", dialects={"gpt": GPTDialect(stream_usage=True)}),
    ),
    # Assets
    _probe(
        "assets.signed-url",
        "gemini",
        "upload a 16x16 PNG, then ask about its signed URL",
        ("ASSET-SIGNED-URL",),
        _media_request(IMAGE_URL, "What colour is this image?"),
        _asset,
        calls=4,
    ),
    # Read from every exchange of the run: sends nothing itself, so it runs last.
    _probe(
        "run.retry-after",
        "",
        "every 429 of the run carries Retry-After",
        ("RETRY-AFTER",),
        None,
        _retry_after,
        calls=0,
    ),
)

PROBES: dict[str, Probe] = {p.id: p for p in _LIST}
"""Every probe by id, in the order the runner sends them."""
