"""A scripted :class:`~memories_emulator.script.Reply` turned into an answer.

The answer is built from the same parts as a generated one (choices cut by ``stop`` and
``max_tokens``, tool-call ids, JSON served the way the family serves it, scenes cut to the
window asked for, usage by the formula unless the reply sets it), so the response body and
its stream are those of a generated answer.

Example:
    >>> from memories_emulator.answers import MediaCounts
    >>> request = AnswerRequest("gemini:gemini-2.5-flash", "gemini", MediaCounts(texts=1))
    >>> answer = scripted_answer(request, Reply(text="The dog enters at 0:42."))
    >>> answer.choices[0].text, answer.usage.output_tokens
    ('The dog enters at 0:42.', 5)
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from memories_emulator.answers import (
    Answer,
    AnswerRequest,
    Choice,
    ToolCall,
    compute_usage,
    fence_json_text,
    json_target,
    pick_tool,
    structured_value,
    text_choices,
    tool_call_id,
    tool_choices,
)
from memories_emulator.checks import bad
from memories_emulator.scenes import scene_array
from memories_emulator.script import Reply

__all__ = ["scripted_answer"]


def _tool_call_choices(request: AnswerRequest, reply: Reply) -> list[Choice]:
    if request.shape != "nova":
        raise bad(
            f"emulator script: a reply with tool calls cannot answer {request.model}; only "
            "the Nova and GPT families return tool calls"
        )
    choices: list[Choice] = []
    for index in range(request.n):
        calls = tuple(
            ToolCall(
                call.id or tool_call_id(request.body, index, position),
                call.name,
                json.dumps(call.args, ensure_ascii=False),
            )
            for position, call in enumerate(reply.tool_calls)
        )
        choices.append(Choice(index, "", "tool_calls", calls))
    return choices


def _structured(request: AnswerRequest, reply: Reply) -> Any:
    """The JSON value of a ``json`` or ``scenes`` reply, for the schema the request carries."""
    tool = pick_tool(request)
    _, schema, gemini = json_target(request)
    if tool is not None:
        schema, gemini = tool.schema, False
    if reply.scenes is None:
        return reply.json
    if schema is not None and scene_array(schema) is not None:
        value = structured_value(request, schema, gemini=gemini, scenes=reply.scenes)
    else:
        value = {"scenes": [dict(scene) for scene in reply.scenes]}
    return {**value, **(reply.json or {})} if isinstance(value, dict) else value


def scripted_answer(request: AnswerRequest, reply: Reply) -> Answer:
    """The answer ``reply`` gives to ``request`` (a reply with content; see ``has_content``).

    Raises:
        ApiError: A 400 for tool calls to a family that cannot return them.

    Example:
        >>> from memories_emulator.answers import MediaCounts
        >>> request = AnswerRequest("nova:x", "nova", MediaCounts(texts=1), body=b"{}")
        >>> reply = Reply(tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}}])
        >>> scripted_answer(request, reply).choices[0].tool_calls[0].arguments
        '{"city": "Oslo"}'
    """
    if reply.tool_calls:
        choices = _tool_call_choices(request, reply)
    elif reply.text is not None:
        choices = text_choices(request, [reply.text] * request.n)
    else:
        value = _structured(request, reply)
        text = json.dumps(value, ensure_ascii=False)
        form, _, _ = json_target(request)
        tool = pick_tool(request)
        if tool is not None:
            choices = tool_choices(request, [(tool.name, text)])
        else:
            served = fence_json_text(text) if form == "fenced" else text
            choices = text_choices(request, [served] * request.n)
    usage = compute_usage(request, choices)
    if reply.usage is not None:
        usage = replace(usage, **reply.usage)
    return Answer(tuple(choices), usage)
