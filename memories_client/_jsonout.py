r"""Lenient parsing and strict validation of a model's JSON answer.

Gemini wraps JSON in ```` ```json ```` fences even in JSON mode, and models now and then add a
sentence before or after the JSON. :func:`parse_json_output` copes with both;
:func:`parse_structured` then validates the value strictly against the requested schema, so a
wrong answer fails loudly (:class:`JSONOutputError`) instead of flowing on half-right.

Example:
    >>> parse_json_output('Here you go:\n```json\n{"a": [1, 2]}\n```\nAnything else?')
    {'a': [1, 2]}
    >>> from pydantic import BaseModel
    >>> class Point(BaseModel):
    ...     x: int
    ...     y: int
    >>> parse_structured('```json\n{"x": 1, "y": 2}\n```', Point)
    Point(x=1, y=2)
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeVar, overload

import pydantic
import typing_extensions

from memories_client import _json
from memories_client.errors import MemoriesError, MemoriesInputError
from memories_client.schema import (
    apply_typeddict_defaults,
    coerce_enum_strings,
    json_schema_of,
    validate_instance,
)
from memories_client.types import Message

__all__ = [
    "JSONOutputError",
    "json_instruction",
    "parse_json_output",
    "parse_structured",
    "strip_json_fences",
    "with_instruction",
]

_ModelT = TypeVar("_ModelT", bound=pydantic.BaseModel)

_QUOTE_CHARS: Final = 200
_MAX_CANDIDATES: Final = 256


class JSONOutputError(MemoriesError, ValueError):
    """The model's answer is not the JSON that was asked for.

    Raised when no JSON can be parsed from the answer, and when the parsed value does not match
    the requested schema (then the validation error is chained as ``__cause__``).

    Attributes:
        text: the model's raw answer, in full.
        errors: the validation problems, one per failing field (empty when parsing failed).

    Example:
        >>> try:
        ...     parse_json_output("I cannot help with that.")
        ... except JSONOutputError as err:
        ...     print(err.text)
        I cannot help with that.
    """

    def __init__(self, message: str, *, text: str, errors: list[str] | None = None) -> None:
        self.message = message
        self.text = text
        self.errors = list(errors or [])
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (type(self), self.message, self.text, self.errors))


def _rebuild_error(
    cls: type[JSONOutputError], message: str, text: str, errors: list[str]
) -> JSONOutputError:
    return cls(message, text=text, errors=errors)


def _quote(text: str) -> str:
    head = text[:_QUOTE_CHARS]
    suffix = f"... ({len(text)} characters in all)" if len(text) > _QUOTE_CHARS else ""
    return f"{head!r}{suffix}"


# ---------------------------------------------------------------------------------------------
# strip_json_fences
# ---------------------------------------------------------------------------------------------

_OPEN_FENCE: Final = re.compile(r"(`{3,})")
_LINE_FENCE: Final = re.compile(r"(?m)^[ \t]*(`{3,})")
_INFO_STRING: Final = re.compile(r"[A-Za-z0-9_+.#-]*")
_PARTIAL_CLOSE: Final = re.compile(r"\n[ \t]*`+[ \t]*\Z")
_JSON_TAG: Final = re.compile(r"\s*json[5c]?(?=[\s{\[\"]|$)", re.IGNORECASE)


def strip_json_fences(text: str) -> str:
    r"""Return the content of the first Markdown code fence in ``text``, or ``text`` stripped.

    Handles ```` ```json ````, ```` ```JSON ````, a bare ```` ``` ````, longer fences, whitespace
    and newlines around, prose before or after the block, a one-line block
    (```` ```json {"a": 1}``` ````) and a block whose closing fence is missing or only partly
    there (an answer cut short, or still streaming: LlamaIndex's partial objects use it). The
    opening fence is the first one at the start of a line (else the first anywhere)
    and the closing fence the next line that starts with it, so JSON strings that contain
    backticks are safe: a JSON string cannot contain a raw newline.

    Args:
        text: the model's answer.

    Returns:
        The fenced content without the fences, stripped of surrounding whitespace.

    Example:
        >>> strip_json_fences('Sure:\n```JSON\n{"a": 1}\n```\nDone.')
        '{"a": 1}'
        >>> strip_json_fences('  [1, 2]\n')
        '[1, 2]'
    """
    # A fence at the start of a line first: backticks inside a JSON string are never there.
    opening = _LINE_FENCE.search(text) or _OPEN_FENCE.search(text)
    if opening is None:
        return text.strip()
    fence = opening.group(1)
    after = text[opening.end() :]
    newline = after.find("\n")
    first_line = after if newline < 0 else after[:newline]
    same_line_close = first_line.find(fence)
    if same_line_close >= 0:  # ```json {"a": 1}```
        return _strip_tag(first_line[:same_line_close]).strip()
    if newline < 0 and _INFO_STRING.fullmatch(first_line.strip()):
        return ""  # only the opening fence so far (a streamed answer): ```json
    if newline >= 0 and _INFO_STRING.fullmatch(first_line.strip()):
        body = after[newline + 1 :]
    else:  # content starts on the fence line: ```{"a": 1}
        body = _strip_tag(after)
    closing = re.search(rf"(?m)^[ \t]*{fence}", body)
    if closing is not None:
        body = body[: closing.start()]
    else:
        # A closing fence glued to the last line ({"a": 1}```), else one still arriving (a
        # streamed answer: {"a": 1}\n`).
        last = body.rfind(fence)
        body = body[:last] if last >= 0 else _PARTIAL_CLOSE.sub("", body)
    return body.strip()


def _strip_tag(text: str) -> str:
    match = _JSON_TAG.match(text)
    return text[match.end() :] if match else text


# ---------------------------------------------------------------------------------------------
# parse_json_output
# ---------------------------------------------------------------------------------------------


def parse_json_output(text: str) -> Any:
    r"""Parse a model's JSON answer leniently.

    Steps: strip Markdown fences (:func:`strip_json_fences`) and ``json.loads`` the rest; if that
    fails, look for balanced top-level JSON objects or arrays in the text (a sentence before or
    after the JSON) and take the longest one that parses. An answer cut short (an unclosed
    object) is never passed off as one of its inner objects.

    Args:
        text: the model's answer.

    Returns:
        The parsed JSON value.

    Raises:
        JSONOutputError: when no JSON can be found; the message quotes the first 200 characters
            of the answer and ``text`` holds all of it.
        MemoriesInputError: when ``text`` is not a string.

    Example:
        >>> parse_json_output('The answer is {"ok": true}. Hope that helps!')
        {'ok': True}
        >>> parse_json_output("```\n[1, 2, 3]\n```")
        [1, 2, 3]
    """
    if not isinstance(text, str):
        raise MemoriesInputError(f"expected the model's answer as a str, got {type(text).__name__}")
    whole = text.strip()
    if "`" in whole:
        # An answer that is JSON as it stands is taken as it is, before any fence is looked
        # for: backticks inside its strings (["```", "```"]) are not a fence around ", ".
        try:
            return _json.loads(whole.lstrip("\ufeff"))
        except ValueError:
            pass
    body = strip_json_fences(text).lstrip("\ufeff")
    if not body:
        raise JSONOutputError(
            f"the model returned no JSON (the answer is empty); answer: {_quote(text)}", text=text
        )
    try:
        value = _json.loads(body)
    except ValueError as exc:
        reason = str(exc)
    else:
        if body == whole or _LINE_FENCE.search(text) is not None:
            return value
        # The fence was found in the middle of a line, where backticks inside a JSON string
        # may have been taken for one (' [["```", "```"]] 0' is not a fence around ", "): a
        # longer balanced value in the whole text is the answer.
        found, length = _extract_json(text)
        return found if length > len(body) else value
    # Prose around the JSON: the longest balanced value in the fenced block or the whole text.
    found, length = _extract_json(body)
    if whole != body:
        found_in_text, length_in_text = _extract_json(text)
        if length_in_text > length:
            found = found_in_text
    if found is not _NOTHING:
        return found
    raise JSONOutputError(
        f"could not parse JSON from the model's answer ({reason}); answer: {_quote(text)}",
        text=text,
    )


_NOTHING: Final[Any] = object()
_CLOSERS: Final = {"{": "}", "[": "]"}


def _balanced_spans(text: str) -> list[tuple[int, int]]:
    """Start/end of each balanced top-level ``{...}`` / ``[...]`` span, string-aware."""
    spans: list[tuple[int, int]] = []
    pos = 0
    length = len(text)
    while len(spans) < _MAX_CANDIDATES:
        start = min((i for i in (text.find("{", pos), text.find("[", pos)) if i >= 0), default=-1)
        if start < 0:
            break
        stack = [_CLOSERS[text[start]]]
        in_string = escaped = False
        i = start + 1
        end = -1
        while i < length:
            char = text[i]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in _CLOSERS:
                stack.append(_CLOSERS[char])
            elif char in "}]":
                if char != stack.pop():
                    break  # mismatched bracket: not JSON, try the next opening bracket
                if not stack:
                    end = i + 1
                    break
            i += 1
        else:
            break  # unclosed to the end of the text (an answer cut short): stop looking
        if end < 0:
            pos = start + 1
            continue
        spans.append((start, end))
        pos = end
    return spans


def _extract_json(text: str) -> tuple[Any, int]:
    """The longest balanced JSON object/array in ``text`` and its length (``_NOTHING``, 0)."""
    best: Any = _NOTHING
    best_len = 0
    for start, end in _balanced_spans(text):
        if end - start <= best_len:
            continue
        try:
            value = _json.loads(text[start:end])
        except ValueError:
            continue
        best, best_len = value, end - start
    return best, best_len


# ---------------------------------------------------------------------------------------------
# parse_structured
# ---------------------------------------------------------------------------------------------


# Per-class caches; weak keys so classes built on the fly (``create_model``) are not kept alive.
_SCHEMAS: weakref.WeakKeyDictionary[type[Any], dict[str, Any]] = weakref.WeakKeyDictionary()
_ADAPTERS: weakref.WeakKeyDictionary[type[Any], pydantic.TypeAdapter[Any]] = (
    weakref.WeakKeyDictionary()
)


def _schema_for_type(target: type[Any]) -> dict[str, Any]:
    """The JSON Schema of a class, built once (callers must not modify it)."""
    schema = _SCHEMAS.get(target)
    if schema is None:
        schema = _SCHEMAS[target] = json_schema_of(target)
    return schema


def _adapter_for(target: type[Any]) -> pydantic.TypeAdapter[Any]:
    adapter = _ADAPTERS.get(target)
    if adapter is None:
        adapter = _ADAPTERS[target] = pydantic.TypeAdapter(target)
    return adapter


def _format_location(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else (f"{path}.{part}" if path else part)
    return path or "top level"


def _validation_messages(exc: pydantic.ValidationError) -> list[str]:
    return [f"{_format_location(e['loc'])}: {e['msg']}" for e in exc.errors()]


def _mismatch(text: str, name: str, problems: list[str]) -> str:
    listed = "; ".join(problems[:10])
    more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
    return f"the model's answer does not match {name}: {listed}{more}; answer: {_quote(text)}"


@overload
def parse_structured(text: str, target: type[_ModelT]) -> _ModelT: ...


@overload
def parse_structured(text: str, target: type[Any] | Mapping[str, Any]) -> Any: ...


def parse_structured(text: str, target: type[Any] | Mapping[str, Any]) -> Any:
    """Parse a model's answer leniently, then validate it strictly against ``target``.

    * A Pydantic model class: ``target.model_validate(value)``; returns the model instance.
    * A TypedDict class: ``TypeAdapter(target).validate_python(value)``; returns the dict. Fields
      declared optional with LangChain's ``Annotated[T, default, "description"]`` convention get
      their default when missing.
    * A JSON Schema dict (or an OpenAI function dict): :func:`~memories_client.schema.
      validate_instance`; returns the parsed value.

    Before validating, enum values that Gemini had to return as strings (``"1"`` for an integer
    enum, see :func:`~memories_client.schema.to_gemini_schema`) are turned back into the
    schema's own values.

    Args:
        text: the model's answer.
        target: the model class, TypedDict class or JSON Schema the answer must match.

    Returns:
        The validated value.

    Raises:
        JSONOutputError: when the answer has no JSON or does not match ``target``; ``errors``
            lists the failing fields and, for Pydantic targets, the ``ValidationError`` is
            chained.
        MemoriesInputError: when ``target`` is not a model class, TypedDict or schema dict.

    Example:
        >>> parse_structured('{"n": "2"}', {"type": "object", "required": ["n"],
        ...                                 "properties": {"n": {"enum": [1, 2]}}})
        {'n': 2}
        >>> parse_structured('{"n": 3}', {"type": "object", "properties": {"n": {"enum": [1, 2]}}})
        Traceback (most recent call last):
        ...
        memories_client._jsonout.JSONOutputError: the model's answer does not match the schema: \
n: expected one of [1, 2], got 3; answer: '{"n": 3}'
    """
    if isinstance(target, type):
        schema = _schema_for_type(target)  # raises MemoriesInputError for unsupported types
        value = coerce_enum_strings(parse_json_output(text), schema)
        if issubclass(target, pydantic.BaseModel):
            try:
                return target.model_validate(value)
            except pydantic.ValidationError as exc:
                problems = _validation_messages(exc)
                raise JSONOutputError(
                    _mismatch(text, target.__name__, problems), text=text, errors=problems
                ) from exc
        if typing_extensions.is_typeddict(target):
            value = apply_typeddict_defaults(value, target)
            try:
                return _adapter_for(target).validate_python(value)
            except pydantic.ValidationError as exc:
                problems = _validation_messages(exc)
                raise JSONOutputError(
                    _mismatch(text, target.__name__, problems), text=text, errors=problems
                ) from exc
    schema = json_schema_of(target)  # raises MemoriesInputError for anything unsupported
    value = coerce_enum_strings(parse_json_output(text), schema)
    problems = validate_instance(value, schema)
    if problems:
        name = f"the schema {schema['title']!r}" if isinstance(schema.get("title"), str) else ""
        raise JSONOutputError(
            _mismatch(text, name or "the schema", problems), text=text, errors=problems
        )
    return value


def json_instruction(schema: Mapping[str, Any] | None) -> str:
    """The system instruction that asks for JSON (matching ``schema`` when one is given).

    For JSON asked for in the prompt rather than through a native schema (Nova's prompted JSON,
    GPT's JSON mode, JSON mode in the framework layers). The schema travels in a fenced
    ```` ```json ```` block: unambiguous for the model, and the emulator (like a careful reader)
    recognises it. The text says "JSON", which OpenAI's JSON mode requires of the messages.

    Example:
        >>> json_instruction(None)
        'Answer with one JSON object and nothing else: no prose before or after it, no \
Markdown fences.'
        >>> print(json_instruction({"type": "object"}).splitlines()[-2])
        }
    """
    if schema is None:
        return (
            "Answer with one JSON object and nothing else: no prose before or after it, no "
            "Markdown fences."
        )
    text = json.dumps(schema, ensure_ascii=False, indent=2)
    return (
        "Answer with one JSON object that satisfies this JSON Schema, and nothing else (no "
        f"prose before or after it):\n```json\n{text}\n```"
    )


def with_instruction(messages: Sequence[Message], instruction: str) -> list[Message]:
    r"""Add ``instruction`` to the leading system message, or put one first.

    One system message rather than two: Bedrock-style backends take a single system prompt.

    Example:
        >>> [m.text for m in with_instruction([Message.system("Be brief."), Message.user("Hi")],
        ...                                   "Answer in JSON.")]
        ['Be brief.\n\nAnswer in JSON.', 'Hi']
    """
    if messages and messages[0].role == "system":
        merged = f"{messages[0].text}\n\n{instruction}" if messages[0].text else instruction
        return [Message.system(merged), *messages[1:]]
    return [Message.system(instruction), *messages]
