"""Deterministic answers: answer text, tool calls, schema-satisfying JSON and token usage.

Everything here is a pure function of the (already validated) request, so tests can assert on
exact strings; the records it reads and returns live in
:mod:`~memories_emulator.answer_types` (re-exported here). The rules, also described in
``docs/EMULATOR.md``:

* Normal answer: ``Emulated answer from <model>: I received <k> text part(s), <i> image(s),
  <v> video(s), <d> document(s). Question: "<last user text, first 200 chars>".`` where the
  counts are taken over the content of every user message.
* ``n > 1``: choice ``i`` is prefixed with ``[i] ``.
* ``stop``: the text is cut before the first occurrence of any stop sequence.
* ``max_tokens``: a "token" is a whitespace-separated word; longer texts are cut to
  ``max_tokens`` words and finish with ``"length"``.
* Structured output: a schema-satisfying value (see :mod:`~memories_emulator.samples`),
  fenced as Gemini fences JSON.
* Structured output without fences: Qwen's ``response_format`` (``json_schema``) and GPT's JSON
  mode (``json_object``) answer bare JSON, as those providers do.
* Usage: ``input = sum(ceil(len(text) / 4)) + 258 * images + 1000 * videos + 500 * documents``;
  ``output`` = words of the returned texts (of the arguments JSON for tool calls) plus reasoning
  tokens ``min(budget, 64)`` when a Gemini thinking budget > 0 is given, or Qwen thinking is
  enabled (its ``thinking_budget``, else 64). GPT reports cached input tokens: the tokens before
  the last user message (what the previous turn sent), in steps of 128 once they reach 1024,
  as OpenAI's prompt cache does.

Example:
    >>> counts = MediaCounts(texts=1, images=1, videos=0, documents=0)
    >>> base_answer("gemini:gemini-2.5-flash", counts, "What is this?")
    'Emulated answer from gemini:gemini-2.5-flash: I received 1 text part(s), 1 image(s), 0 video(s), 0 document(s). Question: "What is this?".'
    >>> input_tokens(["What is this?"], counts)
    262
"""  # noqa: E501

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from memories_emulator.answer_types import (
    Answer,
    AnswerRequest,
    Choice,
    MediaCounts,
    ToolCall,
    ToolSpec,
    Usage,
)
from memories_emulator.arguments import fill_from_prompt
from memories_emulator.samples import (
    find_prompted_schema,
    sample_gemini_schema,
    sample_json_schema,
)
from memories_emulator.scenes import fill_scenes

__all__ = [
    "CACHE_MIN_TOKENS",
    "CACHE_STEP_TOKENS",
    "DOCUMENT_TOKENS",
    "IMAGE_TOKENS",
    "MAX_REASONING_TOKENS",
    "QUESTION_LIMIT",
    "VIDEO_TOKENS",
    "WORDS_PER_CHUNK",
    "Answer",
    "AnswerRequest",
    "Choice",
    "MediaCounts",
    "ToolCall",
    "ToolSpec",
    "Usage",
    "apply_max_tokens",
    "apply_stop",
    "base_answer",
    "build_answer",
    "cached_tokens",
    "compute_usage",
    "count_words",
    "fence_json",
    "fence_json_text",
    "find_prompted_schema",
    "input_tokens",
    "json_target",
    "pick_tool",
    "sample_gemini_schema",
    "sample_json_schema",
    "stream_pieces",
    "structured_value",
    "text_choices",
    "text_tokens",
    "tool_call_id",
    "tool_choices",
    "tool_result_answer",
]

IMAGE_TOKENS = 258
"""Input tokens charged per image (Gemini's figure for an image of up to 384x384 pixels)."""
VIDEO_TOKENS = 1000
"""Input tokens charged per video."""
DOCUMENT_TOKENS = 500
"""Input tokens charged per document (any ``input_file`` that is neither image nor video)."""
MAX_REASONING_TOKENS = 64
"""Reasoning tokens reported are ``min(thinking_budget, 64)``."""
QUESTION_LIMIT = 200
"""The question (and a tool result) is quoted up to this many characters."""
WORDS_PER_CHUNK = 3
"""A streamed answer is sent in pieces of about this many words."""
CACHE_MIN_TOKENS = 1024
"""OpenAI caches prompts from this many tokens on (GPT's ``cached_tokens``)."""
CACHE_STEP_TOKENS = 128
"""OpenAI reports cache hits in steps of this many tokens."""


# --------------------------------------------------------------------------- text and tokens


def text_tokens(text: str) -> int:
    """Input tokens for one text: ``ceil(len(text) / 4)``.

    Example:
        >>> text_tokens("abcde")
        2
    """
    return math.ceil(len(text) / 4)


def count_words(text: str) -> int:
    """Output tokens for a text: its whitespace-separated words.

    Example:
        >>> count_words("  two   words ")
        2
    """
    return len(text.split())


def input_tokens(texts: Iterable[str], counts: MediaCounts) -> int:
    """Input tokens of a request by the emulator's formula.

    Args:
        texts: Every text of every message.
        counts: Media parts of the user messages.

    Returns:
        ``sum(ceil(len(t) / 4)) + 258 * images + 1000 * videos + 500 * documents``.

    Example:
        >>> input_tokens(["abcd", "efgh"], MediaCounts(videos=1))
        1002
    """
    return (
        sum(text_tokens(text) for text in texts)
        + IMAGE_TOKENS * counts.images
        + VIDEO_TOKENS * counts.videos
        + DOCUMENT_TOKENS * counts.documents
    )


def base_answer(model: str, counts: MediaCounts, question: str) -> str:
    """The normal answer text.

    Example:
        >>> base_answer("nova:amazon.nova-lite-v1:0", MediaCounts(texts=1), "Hi")
        'Emulated answer from nova:amazon.nova-lite-v1:0: I received 1 text part(s), 0 image(s), 0 video(s), 0 document(s). Question: "Hi".'
    """  # noqa: E501
    return (
        f"Emulated answer from {model}: I received {counts.texts} text part(s), "
        f"{counts.images} image(s), {counts.videos} video(s), {counts.documents} document(s). "
        f'Question: "{question[:QUESTION_LIMIT]}".'
    )


def tool_result_answer(model: str, tool_content: str) -> str:
    """The answer after a ``tool`` message.

    Example:
        >>> tool_result_answer("nova:amazon.nova-lite-v1:0", "21 C")
        'Emulated answer from nova:amazon.nova-lite-v1:0: the tool returned: 21 C'
    """
    return f"Emulated answer from {model}: the tool returned: {tool_content[:QUESTION_LIMIT]}"


def apply_stop(text: str, stop: Sequence[str]) -> str:
    """Cut ``text`` before the earliest occurrence of any stop sequence.

    Example:
        >>> apply_stop("one two three", ["two", "three"])
        'one '
    """
    positions = [pos for seq in stop if seq and (pos := text.find(seq)) >= 0]
    return text[: min(positions)] if positions else text


def apply_max_tokens(text: str, max_tokens: int | None) -> tuple[str, bool]:
    """Cut ``text`` to ``max_tokens`` words, keeping the original spacing.

    Returns:
        The (possibly) shortened text and whether it was cut.

    Example:
        >>> apply_max_tokens("one  two three", 2)
        ('one  two', True)
    """
    if max_tokens is None:
        return text, False
    words = list(re.finditer(r"\S+", text))
    if len(words) <= max_tokens:
        return text, False
    return text[: words[max_tokens - 1].end()], True


def fence_json(value: Any) -> str:
    """Serialise ``value`` and wrap it in a ```` ```json ```` fence, as Gemini answers.

    Example:
        >>> print(fence_json({"a": 1}))
        ```json
        {"a": 1}
        ```
    """
    return fence_json_text(json.dumps(value, ensure_ascii=False))


def stream_pieces(text: str, words_per_piece: int = WORDS_PER_CHUNK) -> list[str]:
    """Split ``text`` into pieces of about ``words_per_piece`` words; they concatenate to ``text``.

    Example:
        >>> stream_pieces(" a b c d e")
        [' a b c ', 'd e']
    """
    if not text:
        return []
    tokens = re.findall(r"\S+\s*", text)
    if not tokens:
        return [text]
    leading = text[: len(text) - len(text.lstrip())]
    tokens[0] = leading + tokens[0]
    return [
        "".join(tokens[start : start + words_per_piece])
        for start in range(0, len(tokens), words_per_piece)
    ]


def cached_tokens(prefix_tokens: int) -> int:
    """GPT's ``cached_tokens`` for a prompt whose first ``prefix_tokens`` were sent before.

    Example:
        >>> cached_tokens(1000), cached_tokens(1100), cached_tokens(1300)
        (0, 1024, 1280)
    """
    if prefix_tokens < CACHE_MIN_TOKENS:
        return 0
    return prefix_tokens // CACHE_STEP_TOKENS * CACHE_STEP_TOKENS


def tool_call_id(body: bytes, index: int, position: int = 0) -> str:
    """A tool-call id derived from the request body, so repeated requests get the same id.

    ``index`` is the choice, ``position`` the call within it (a scripted reply may make several).

    Example:
        >>> tool_call_id(b"{}", 0) == tool_call_id(b"{}", 0) != tool_call_id(b"{}", 1)
        True
    """
    key = str(index) if position == 0 else f"{index}.{position}"
    return "call_" + hashlib.sha256(body + b"#" + key.encode()).hexdigest()[:12]


# --------------------------------------------------------------------------- the answer


def pick_tool(request: AnswerRequest) -> ToolSpec | None:
    """The tool a Nova-shape request is answered with, or ``None`` for a text answer.

    Example:
        >>> pick_tool(AnswerRequest("nova:x", "nova", MediaCounts(texts=1))) is None
        True
    """
    if not request.tools:
        return None
    by_name = {tool.name: tool for tool in request.tools}
    mode, forced = request.tool_choice or ("any", None)
    # Bedrock enforces an explicit toolChoice on every turn, a tool result's turn included:
    # "tool" calls that tool again, "any" calls some tool (here the first declared one the
    # conversation has not called yet, so an agent whose last tool is its structured-output
    # schema gets there). Only "auto" (and an absent toolChoice) answer a tool result in text.
    if mode == "tool" and forced in by_name:
        return by_name[forced]
    if request.tool_result is not None:
        if request.tool_choice is None or mode != "any":
            return None
        fresh = (tool for tool in request.tools if tool.name not in request.called_tools)
        return next(fresh, request.tools[0])
    question = request.question.lower()
    named = next((tool for tool in request.tools if tool.name.lower() in question), None)
    if named is not None:
        return named
    return None if mode == "auto" else request.tools[0]


def structured_value(
    request: AnswerRequest,
    schema: Mapping[str, Any],
    *,
    gemini: bool = False,
    scenes: Sequence[Mapping[str, Any]] | None = None,
) -> Any:
    """A value of ``schema`` (Gemini's dialect with ``gemini=True``), scenes made believable.

    Scene-shaped schemas get scenes that tile the window asked for, inside the video's length
    (:mod:`~memories_emulator.scenes`); ``scenes`` are scripted ones to cut to it.

    Example:
        >>> structured_value(AnswerRequest("nova:x", "nova", MediaCounts()),
        ...                  {"type": "object", "properties": {"n": {"type": "integer"}}})
        {'n': 97}
    """
    if gemini:
        value = sample_gemini_schema(schema)

        def item(items: Mapping[str, Any], index: int) -> Any:
            return sample_gemini_schema(items, "", index)
    else:
        value = sample_json_schema(schema)

        def item(items: Mapping[str, Any], index: int) -> Any:
            return sample_json_schema(items, root=schema, variant=index)

    return fill_scenes(value, schema, item, duration=request.video_seconds, scripted=scenes)


def json_target(request: AnswerRequest) -> tuple[str, Mapping[str, Any] | None, bool]:
    """How this request gets JSON: ``(form, schema, gemini dialect)``.

    ``form`` is ``"bare"`` (Qwen's ``response_format``, GPT's JSON mode), ``"fenced"`` (Gemini,
    a schema pasted into the prompt) or ``"text"`` (no JSON asked for: bare JSON if served).

    Example:
        >>> json_target(AnswerRequest("gemini:x", "gemini", MediaCounts(), json_mime=True))
        ('fenced', None, True)
    """
    if request.json_schema is not None:
        return "bare", request.json_schema, False
    if request.family_name == "gemini":
        return "fenced", request.response_schema, True
    schema = find_prompted_schema(request.texts)
    if request.json_object:
        return "bare", schema, False
    return ("fenced" if schema is not None else "text"), schema, False


def _answer_texts(request: AnswerRequest) -> list[str]:
    """The text of each choice before ``stop`` and ``max_tokens`` are applied."""
    prefixes = [f"[{i}] " if request.n > 1 else "" for i in range(request.n)]
    if request.tool_result is not None:
        text = tool_result_answer(request.model, request.tool_result)
        return [prefix + text for prefix in prefixes]
    plain = base_answer(request.model, request.counts, request.question)
    form, schema, gemini = json_target(request)
    if schema is not None:
        # Every choice is the same object: an index prefix would break the JSON.
        value = json.dumps(structured_value(request, schema, gemini=gemini), ensure_ascii=False)
        return [fence_json_text(value) if form == "fenced" else value] * request.n
    if form == "bare":  # OpenAI's JSON mode without a prompted schema
        return [json.dumps({"answer": prefix + plain}) for prefix in prefixes]
    if gemini and request.json_mime:
        return [fence_json({"answer": prefix + plain}) for prefix in prefixes]
    return [prefix + plain for prefix in prefixes]


def fence_json_text(text: str) -> str:
    r"""Wrap JSON text in a ```` ```json ```` fence, as Gemini answers.

    Example:
        >>> fence_json_text("{}")
        '```json\n{}\n```'
    """
    return "```json\n" + text + "\n```"


def text_choices(request: AnswerRequest, texts: Sequence[str]) -> list[Choice]:
    """Choices of ``texts``, cut by ``stop`` then ``max_tokens`` (``"length"`` when cut).

    Example:
        >>> request = AnswerRequest("gemini:x", "gemini", MediaCounts(), max_tokens=1)
        >>> text_choices(request, ["two words"])[0].finish_reason
        'length'
    """
    choices: list[Choice] = []
    for index, text in enumerate(texts):
        text = apply_stop(text, request.stop)
        text, cut = apply_max_tokens(text, request.max_tokens)
        choices.append(Choice(index, text, "length" if cut else "stop"))
    return choices


def tool_choices(request: AnswerRequest, calls: Sequence[tuple[str, str]]) -> list[Choice]:
    """``n`` choices, each making the tool calls ``(name, arguments JSON)``, ids as generated.

    Example:
        >>> request = AnswerRequest("nova:x", "nova", MediaCounts(), body=b"{}")
        >>> tool_choices(request, [("f", "{}")])[0].tool_calls[0].name
        'f'
    """
    choices: list[Choice] = []
    for index in range(request.n):
        made = tuple(
            ToolCall(tool_call_id(request.body, index, k), name, arguments)
            for k, (name, arguments) in enumerate(calls)
        )
        choices.append(Choice(index, "", "tool_calls", made))
    return choices


def compute_usage(request: AnswerRequest, choices: Sequence[Choice]) -> Usage:
    """Usage by the emulator's formula for ``choices`` answering ``request``.

    Example:
        >>> compute_usage(AnswerRequest("gemini:x", "gemini", MediaCounts(), texts=("abcd",)),
        ...               [Choice(0, "one two", "stop")])
        Usage(input_tokens=1, output_tokens=2, reasoning_tokens=None, cached_tokens=None)
    """
    output = sum(
        sum(count_words(call.arguments) for call in choice.tool_calls)
        if choice.tool_calls
        else count_words(choice.text)
        for choice in choices
    )
    reasoning: int | None = None
    if request.shape == "gemini" and request.thinking_budget and request.thinking_budget > 0:
        reasoning = min(request.thinking_budget, MAX_REASONING_TOKENS)
        output += reasoning
    cached: int | None = None
    if request.family_name == "gpt":
        prefix = request.texts[: request.prefix_texts]
        cached = cached_tokens(input_tokens(prefix, request.prefix_counts))
    return Usage(input_tokens(request.texts, request.counts), output, reasoning, cached)


def build_answer(request: AnswerRequest) -> Answer:
    """Compose the choices and usage for a validated request.

    Nova-shape requests with tools answer with a tool call (see ``docs/EMULATOR.md`` for how the
    tool is picked), its string arguments taken from the prompt where it names them; after a
    ``tool`` message they report what the tool returned; Gemini-shape requests with
    ``responseSchema`` or JSON ``response_mime_type`` answer fenced JSON.

    Example:
        >>> answer = build_answer(AnswerRequest(
        ...     "gemini:gemini-2.5-flash", "gemini", MediaCounts(texts=1), texts=("Hi",),
        ...     question="Hi", max_tokens=4))
        >>> answer.choices[0].text, answer.choices[0].finish_reason
        ('Emulated answer from gemini:gemini-2.5-flash:', 'length')
        >>> answer.usage
        Usage(input_tokens=1, output_tokens=4, reasoning_tokens=None, cached_tokens=None)
    """
    tool = pick_tool(request)
    if tool is not None:
        value = structured_value(request, tool.schema)
        value = fill_from_prompt(value, tool.schema, request.question, tool.name)
        choices = tool_choices(request, [(tool.name, json.dumps(value, ensure_ascii=False))])
    else:
        choices = text_choices(request, _answer_texts(request))
    return Answer(tuple(choices), compute_usage(request, choices))
