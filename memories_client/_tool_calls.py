"""Tool calling shapes every layer shares: ``tool_choice`` values and OpenAI-style tool calls.

One place decides what a ``tool_choice`` means (LangChain, LlamaIndex, OpenAI, Anthropic and
Bedrock spell it differently) and how a :class:`~memories_client.types.ToolCall` looks in the
OpenAI shape that Nova's wire format, LangChain tracing and LlamaIndex's ``additional_kwargs``
all use.

Example:
    >>> from memories_client._tool_calls import normalize_tool_choice, openai_tool_call
    >>> from memories_client.types import MediaPart, Message, TextPart, ToolCall, ToolSpec
    >>> normalize_tool_choice("required"), normalize_tool_choice({"name": "add"}, ["add"])
    ('any', 'add')
    >>> openai_tool_call(ToolCall("c1", "add", {"a": 1}))["function"]
    {'name': 'add', 'arguments': '{"a": 1}'}
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from memories_client import _json
from memories_client.errors import (
    MalformedResponseError,
    MemoriesInputError,
    UnsupportedFeatureError,
)
from memories_client.types import MediaPart, Message, TextPart, ToolCall, ToolSpec

__all__ = [
    "NO_TOOLS",
    "lenient_tool_arguments",
    "normalize_tool_choice",
    "offered_tools",
    "openai_tool_call",
    "parse_tool_arguments",
    "refuse_tools",
    "tool_calls_from_openai",
    "with_tool_media",
]


class _ToolFamily(Protocol):
    """What :func:`offered_tools` reads of a model's family: a dialect (``dialect_for(model)``).

    A protocol rather than the ``Dialect`` class, so that this module, which the dialects
    import, imports nothing of theirs.
    """

    @property
    def supports_tools(self) -> bool:
        """Whether the docs give this family tools."""
        ...

    def no_tools_message(self) -> str:
        """Why tools are refused for this family, naming the families that have them."""
        ...


NO_TOOLS = "none"
"""The normalised ``tool_choice`` that means "offer no tools" (Bedrock has no such choice, so
the caller sends no tools at all)."""


def _named(choice: Mapping[str, Any]) -> str | None:
    # OpenAI {"type": "function", "function": {"name"}}, Anthropic {"type": "tool", "name"},
    # Bedrock {"tool": {"name"}}, a bare {"name"}, or a {"type": "auto" | ...} keyword.
    for holder in (choice.get("function"), choice.get("tool"), choice):
        if isinstance(holder, Mapping) and isinstance(holder.get("name"), str) and holder["name"]:
            return str(holder["name"])
    kind = choice.get("type")
    if kind in ("auto", "any", "none", "required"):
        return str(kind)
    return None


def normalize_tool_choice(
    choice: Any, names: Sequence[str] | None = None, *, tool_required: bool = False
) -> str | None:
    """The core ``tool_choice`` (``"auto"``, ``"any"``, a tool name, ``"none"`` or None).

    ``"required"``, ``"any"`` and ``True`` force some tool (``"any"``); ``"none"`` and ``False``
    offer no tools (:data:`NO_TOOLS`); ``None`` and ``"auto"`` leave the choice to the model
    (``"any"`` when ``tool_required``); a tool name, or a dict naming one, forces that tool.

    Args:
        choice: the caller's value, in any of the forms above.
        names: the tools on offer; a forced name must be among them (None: not checked).
        tool_required: LlamaIndex's flag: a choice left to the model becomes ``"any"``.

    Raises:
        MemoriesInputError: a name that is not on offer, or a value of an unknown form.

    Example:
        >>> normalize_tool_choice(None, tool_required=True), normalize_tool_choice(False)
        ('any', 'none')
    """
    if choice is None:
        return "any" if tool_required else None
    if choice is True:
        return "any"
    if choice is False:
        return NO_TOOLS
    if isinstance(choice, Mapping):
        named = _named(choice)
        if named is None:
            raise MemoriesInputError(f"tool_choice {dict(choice)!r} names no tool")
        choice = named
    if not isinstance(choice, str) or not choice:
        raise MemoriesInputError(
            "tool_choice must be 'auto', 'any', 'required', 'none', a tool name, a dict naming "
            f"a tool or a bool; got {choice!r}"
        )
    keyword = choice.lower()
    if keyword in ("any", "required"):
        return "any"
    if keyword == "auto":
        return "any" if tool_required else "auto"
    if keyword == NO_TOOLS:
        return NO_TOOLS
    if names is not None and choice not in names:
        raise MemoriesInputError(
            f"tool_choice {choice!r} is not one of the tools on offer ({', '.join(names)})"
        )
    return choice


def refuse_tools(tools: Collection[object] | None, dialect: _ToolFamily) -> None:
    """Refuse tools for a family the docs give none; an empty list (or None) is nothing to refuse.

    The family rule of :func:`offered_tools` alone, for a caller that has not converted its
    tools yet: a family without tools refuses any, whatever their shape.

    Raises:
        UnsupportedFeatureError: a tool for a family without tools.

    Example:
        >>> from memories_client.dialects import dialect_for
        >>> refuse_tools([], dialect_for("gemini:gemini-2.5-flash"))  # an agent with no tools
        >>> refuse_tools(["add"], dialect_for("gemini:gemini-2.5-flash"))
        Traceback (most recent call last):
        ...
        memories_client.errors.UnsupportedFeatureError: tool calling is not supported for \
Gemini models on memories.ai (the API documents tools for Nova only); use a Nova model for tools
    """
    if tools and not dialect.supports_tools:
        raise UnsupportedFeatureError(dialect.no_tools_message())


def offered_tools(
    tools: Sequence[ToolSpec] | None,
    choice: Any,
    *,
    tool_required: bool = False,
    dialect: _ToolFamily | None = None,
) -> tuple[list[ToolSpec] | None, str | None]:
    """The tools a request offers and its core ``tool_choice``: the one rule every layer runs.

    With ``dialect`` (the model's family), a tool offered to a family the docs give no tools is
    refused, while an empty list is nothing to send (an agent with no tools binds one), so
    every layer answers both alike.

    With tools, ``choice`` is read by :func:`normalize_tool_choice` (a forced name must be
    among them) and ``"none"`` offers no tools at all (Bedrock has no such choice). Without
    tools, a choice that leaves the model free (None, ``"auto"``, ``"none"``, ``False``) is
    nothing to send, while one that forces a tool (``"any"``, ``"required"``, ``True``, a
    name, ``tool_required``) is refused: it cannot be honoured, and dropping it would hide a
    mistake (a tool list that came out empty).

    Raises:
        UnsupportedFeatureError: a tool for a family without tools (given ``dialect``).
        MemoriesInputError: a forced tool without tools, a name not on offer, or a value of an
            unknown form; before any network call.

    Example:
        >>> offered_tools(None, "auto")
        (None, None)
        >>> offered_tools(None, "any")
        Traceback (most recent call last):
        ...
        memories_client.errors.MemoriesInputError: tool_choice 'any' forces a tool call, but no \
tools were given; pass tools, or leave tool_choice unset
    """
    if dialect is not None:
        refuse_tools(tools, dialect)
    if not tools:
        normalized = normalize_tool_choice(choice, None, tool_required=tool_required)
        if normalized in (None, "auto", NO_TOOLS):
            return None, None
        given = "tool_required=True" if choice is None else f"tool_choice {choice!r}"
        raise MemoriesInputError(
            f"{given} forces a tool call, but no tools were given; pass tools, or leave "
            "tool_choice unset"
        )
    specs = list(tools)
    normalized = normalize_tool_choice(
        choice, [spec.name for spec in specs], tool_required=tool_required
    )
    if normalized == NO_TOOLS:
        return None, None
    return specs, normalized


def with_tool_media(messages: Sequence[Message]) -> list[Message]:
    """``messages`` with the media of tool results re-sent in a user message after them.

    A tool may return images (a screenshot tool, say), but the API takes media from users only
    (every documented tool result is text, and the dialects refuse media elsewhere). So each
    tool message keeps its text, and the media of a run of consecutive tool results follows
    them in one user message, the way OpenAI-compatible clients do it. Both framework layers
    build their tool messages with all their parts and call this, so they cannot disagree.

    Example:
        >>> from memories_client._media import media_from_url
        >>> from memories_client.types import TextPart
        >>> shot = media_from_url("https://x.test/shot.png")
        >>> out = with_tool_media([Message("tool", (TextPart("done"), shot), tool_call_id="c1")])
        >>> [(m.role, m.text, len(m.media)) for m in out]
        [('tool', 'done', 0), ('user', 'The tool results above came with these attachments:', 1)]
    """
    out: list[Message] = []
    pending: list[MediaPart] = []
    for message in messages:
        if pending and message.role != "tool":
            out.append(Message.user(_ATTACHMENTS, *pending))
            pending.clear()
        if message.role == "tool" and message.media:
            pending.extend(message.media)
            message = replace(message, parts=(TextPart(message.text),))
        out.append(message)
    if pending:
        out.append(Message.user(_ATTACHMENTS, *pending))
    return out


_ATTACHMENTS = "The tool results above came with these attachments:"


def openai_tool_call(call: ToolCall) -> dict[str, Any]:
    """A tool call in OpenAI's shape (``arguments`` as JSON text).

    Example:
        >>> call = openai_tool_call(ToolCall(id="call_1", name="search", arguments={"q": "cats"}))
        >>> call["type"], call["function"]
        ('function', {'name': 'search', 'arguments': '{"q": "cats"}'})
    """
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
    }


def parse_tool_arguments(arguments: Any, *, name: str) -> dict[str, Any]:
    """Tool arguments as a dict, from a JSON string (OpenAI) or an object (Bedrock).

    Raises:
        MalformedResponseError: text that is not a JSON object.

    Example:
        >>> parse_tool_arguments('{"a": 1}', name="add"), parse_tool_arguments(None, name="f")
        ({'a': 1}, {})
    """
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if arguments is None or arguments == "":
        return {}
    if isinstance(arguments, str):
        try:
            parsed = _json.loads(arguments)
        except ValueError as exc:
            raise MalformedResponseError(
                f"tool call {name!r} came back with arguments that are not JSON: "
                f"{arguments[:200]!r}"
            ) from exc
        if isinstance(parsed, dict):
            return parsed
    raise MalformedResponseError(f"tool call {name!r} arguments are not a JSON object")


def tool_calls_from_openai(raw_calls: Any, *, strict: bool = True) -> tuple[ToolCall, ...]:
    """Tool calls from a list in OpenAI's shape (``{"id", "function": {"name", "arguments"}}``).

    Args:
        raw_calls: the ``tool_calls`` list (anything else gives no calls).
        strict: a call without a name or with unreadable arguments raises
            :class:`MalformedResponseError` (an answer from the service); with False it is
            skipped (a history a user built by hand, where older code kept such dicts).

    Example:
        >>> tool_calls_from_openai([{"function": {"name": "f", "arguments": "{}"}}])
        (ToolCall(id='call_0', name='f', arguments={}),)
    """
    calls: list[ToolCall] = []
    if not isinstance(raw_calls, list):
        return ()
    for k, call in enumerate(raw_calls):
        if not isinstance(call, Mapping):
            continue
        fn = call.get("function")
        fn = fn if isinstance(fn, Mapping) else call
        name = fn.get("name") or (None if strict else call.get("tool_name"))
        if not isinstance(name, str) or not name:
            if strict:
                raise MalformedResponseError("a tool call came back without a name")
            continue
        call_id = call.get("id")
        call_id = call_id if isinstance(call_id, str) and call_id else f"call_{k}"
        if strict:
            arguments = parse_tool_arguments(fn.get("arguments"), name=name)
        else:
            arguments = lenient_tool_arguments(fn.get("arguments", call.get("tool_kwargs")))
        calls.append(ToolCall(call_id, name, arguments))
    return tuple(calls)


def lenient_tool_arguments(arguments: Any) -> dict[str, Any]:
    """Arguments from a history built by hand: JSON object text or a dict; else ``{"input": ...}``.

    Example:
        >>> lenient_tool_arguments('{"a": 1}'), lenient_tool_arguments("Paris")
        ({'a': 1}, {'input': 'Paris'})
    """
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if isinstance(arguments, str) and arguments.strip():
        try:
            parsed = _json.loads(arguments)
        except ValueError:  # not JSON, or nested too deep
            return {"input": arguments}
        return parsed if isinstance(parsed, dict) else {"input": parsed}
    return {}
