"""JSON answers: structured output, and JSON asked for in the prompt.

The family classes build their ``with_structured_output`` chains from these pieces: the target
schema, the parsers, the ``include_raw`` wiring. The answer is parsed leniently (Markdown fences
and stray prose around the JSON are tolerated, because Gemini fences JSON even in JSON mode) and
validated strictly (a wrong answer raises ``OutputParserException``, or lands in
``parsing_error`` with ``include_raw=True``).

Where JSON is asked for in the prompt rather than through a native schema (Nova; Gemini's
``json_mode``; a ``response_format`` that ``create_agent`` binds), the request builder uses the
rest: the system instruction that asks for it, reading OpenAI-style ``response_format`` values,
and returning bare JSON text when the model wrapped it in Markdown fences.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any, cast

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.runnables import Runnable, RunnableLambda, RunnableParallel
from langchain_core.runnables.passthrough import RunnableAssign
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from pydantic.v1 import BaseModel as _V1Model
from pydantic.v1 import ValidationError as _V1ValidationError

import memories_client as mc
import memories_client.integration as kit

__all__ = [
    "JSON_INSTRUCTION_KEY",
    "OutputTarget",
    "assemble",
    "bare_json",
    "choose_method",
    "json_instruction",
    "native_schema_output",
    "read_response_format",
    "schema_field",
    "text_parser",
    "tool_parser",
    "with_instruction",
]

JSON_INSTRUCTION_KEY = "json_instruction_schema"
"""Per-call option: a JSON Schema to ask for in a system instruction (prompted JSON)."""


def schema_field(value: Any) -> Any:
    """A ``response_schema`` field's value: a model class or TypedDict becomes its schema.

    Stored as a dict, the chat model serializes; a dict (or None) is kept as given.
    """
    return kit.json_schema_of(value) if value is not None and not isinstance(value, dict) else value


def _is_pydantic_v1(schema: Any) -> bool:
    return isinstance(schema, type) and issubclass(schema, _V1Model)


class OutputTarget:
    """What the answer must match, and how to check it.

    Args:
        schema: a Pydantic (v2 or v1) model class, a TypedDict class, a JSON Schema dict, or
            None (any JSON, ``json_mode`` only).
    """

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        if schema is None:
            self.json_schema: dict[str, Any] | None = None
            self.ls_schema: dict[str, Any] | None = None
            return
        # The schema LangChain's tracing (and the standard tests) expect to see.
        self.ls_schema = convert_to_json_schema(schema)
        if _is_pydantic_v1(schema):
            # json_schema_of / parse_structured take Pydantic v2 models only; a v1 model is
            # described by LangChain's converter and validated with its own parse_obj.
            self.json_schema = dict(self.ls_schema)
        else:
            self.json_schema = kit.json_schema_of(schema)

    @property
    def tool_name(self) -> str:
        """The tool name used by the ``function_calling`` method."""
        if self.schema is None:
            raise ValueError("function_calling needs a schema")
        name = convert_to_openai_tool(self.schema)["function"]["name"]
        return str(name)

    def parse_text(self, text: str) -> Any:
        """Parse and validate an answer's text.

        Raises:
            OutputParserException: no JSON in the text, or JSON that does not match.
        """
        try:
            if self.schema is None:
                return kit.parse_json_output(text)
            if _is_pydantic_v1(self.schema):
                assert self.json_schema is not None
                value = kit.parse_structured(text, self.json_schema)
                return self.schema.parse_obj(value)
            return kit.parse_structured(text, self.schema)
        except (mc.JSONOutputError, _V1ValidationError) as exc:
            raise OutputParserException(str(exc), llm_output=text) from exc

    def parse_args(self, args: Mapping[str, Any]) -> Any:
        """Validate a tool call's arguments (already a dict)."""
        return self.parse_text(json.dumps(dict(args), ensure_ascii=False))

    # The two parsers are methods, not closures: a structured-output chain then pickles with
    # the standard library (multiprocessing, Celery), which cannot pickle a local function.

    def parse_message(self, message: BaseMessage) -> Any:
        """Parse and validate a message's text (see :meth:`parse_text`)."""
        return self.parse_text(message.text)

    def parse_tool_call(self, message: BaseMessage) -> Any:
        """Validate the arguments of the message's call to the schema's tool.

        Raises:
            OutputParserException: the model did not call that tool, or the arguments do not
                match.
        """
        name = self.tool_name
        for call in getattr(message, "tool_calls", None) or []:
            if call["name"] == name:
                return self.parse_args(call["args"])
        raise OutputParserException(
            f"the model did not call the {name!r} tool that carries the structured answer; "
            f"it answered: {message.text[:200]!r}",
            llm_output=message.text,
        )


def text_parser(target: OutputTarget) -> Runnable[BaseMessage, Any]:
    """A runnable that parses a message's text against ``target``.

    As a ``RunnableLambda`` it collects a stream into one message before parsing, so
    ``stream()`` yields the whole validated object once (a half-built model is not valid).
    """
    return RunnableLambda(target.parse_message, name="MemoriesJSONParser")


def tool_parser(target: OutputTarget) -> Runnable[BaseMessage, Any]:
    """A runnable that validates the arguments of the model's call to the schema tool."""
    target.tool_name  # noqa: B018 - a schema with no tool form fails here, not at the call
    return RunnableLambda(target.parse_tool_call, name="MemoriesToolArgsParser")


def _nothing(_: Any) -> None:
    """``None`` whatever the input: the ``parsed`` / ``parsing_error`` of the other outcome."""
    return


def assemble(
    llm: Runnable[Any, BaseMessage], parser: Runnable[BaseMessage, Any], *, include_raw: bool
) -> Runnable[Any, Any]:
    """``llm | parser``, or with ``include_raw`` a dict ``{raw, parsed, parsing_error}``.

    The shape of LangChain's own (``RunnablePassthrough.assign`` with a fallback), from pieces
    the standard library pickles: ``assign`` builds an instance of the parametrized class
    ``RunnableParallel[dict[str, Any]]``, which pickle cannot find by name, and the usual
    ``lambda _: None`` is a local function.
    """
    if not include_raw:
        return llm | parser
    parser_assign = RunnableAssign(
        RunnableParallel(parsed=itemgetter("raw") | parser, parsing_error=_nothing)
    )
    parser_none = RunnableAssign(RunnableParallel(parsed=_nothing))
    with_fallback = parser_assign.with_fallbacks([parser_none], exception_key="parsing_error")
    return cast("Runnable[Any, Any]", RunnableParallel(raw=llm) | with_fallback)


def choose_method(
    method: str | None, supported: tuple[str, ...], owner: str, *, stacklevel: int = 3
) -> str:
    """The method to use: ``method`` if supported, else the default with a warning.

    An unknown method warns instead of raising so that code written for another provider
    (``method="json_schema"`` for Nova, ``"function_calling"`` for Gemini) keeps working.
    """
    default = supported[0]
    if method is None:
        return default
    if method not in supported:
        warnings.warn(
            f"{owner} does not support structured output method {method!r}; using "
            f"{default!r} instead (supported: {', '.join(supported)})",
            UserWarning,
            stacklevel=stacklevel,
        )
        return default
    return method


def ls_format(method: str, target: OutputTarget, strict: bool | None) -> dict[str, Any]:
    """The ``ls_structured_output_format`` value LangChain tracing expects."""
    return {"kwargs": {"method": method, "strict": strict}, "schema": target.ls_schema}


def native_schema_output(
    model: BaseChatModel,
    schema: Any,
    method: str | None,
    *,
    include_raw: bool,
    strict: bool | None,
    native: Callable[[dict[str, Any] | None, bool], dict[str, Any] | None],
    **options: Any,
) -> Runnable[Any, Any]:
    """``with_structured_output`` for a family that takes a response schema natively.

    Gemini (``responseSchema``) and Qwen (``response_format`` ``json_schema``): the method
    ``json_schema`` (default) sends the schema as the request's ``response_schema``; ``json_mode``
    also puts it in a system instruction. A schema the family cannot take natively (``native``
    returns None; it warns when asked to) falls back to the prompted ``json_mode``, still
    validated strictly. ``options`` are bound as well (Gemini's ``response_mime_type``).
    """
    chosen = choose_method(method, ("json_schema", "json_mode"), type(model).__name__, stacklevel=5)
    target = OutputTarget(schema)
    if chosen == "json_schema" and target.json_schema is None:
        raise ValueError("method='json_schema' needs a schema")
    if native(target.json_schema, chosen == "json_schema") is None:
        chosen = "json_mode"
    elif target.json_schema is not None:
        options["response_schema"] = target.json_schema
    if chosen == "json_mode":
        # The schema also goes into the prompt. Where the family can take it natively, it is
        # sent that way as well, so the answer is constrained, not just asked for.
        options[JSON_INSTRUCTION_KEY] = target.json_schema
    options["ls_structured_output_format"] = ls_format(chosen, target, strict)
    return assemble(model.bind(**options), text_parser(target), include_raw=include_raw)


# -- JSON asked for in the prompt (no native schema) ---------------------------------------

json_instruction = kit.json_instruction
"""The system instruction that asks for JSON (the core's, shared with GPT's JSON mode)."""
with_instruction = kit.with_instruction
"""Add an instruction to the leading system message (the core's)."""


def bare_json(text: str) -> str:
    """``text`` as bare JSON if it is JSON (fenced or not); unchanged otherwise."""
    try:
        return json.dumps(kit.parse_json_output(text), ensure_ascii=False)
    except (mc.JSONOutputError, mc.MemoriesInputError):
        return text


def read_response_format(value: Any) -> tuple[Mapping[str, Any] | None, bool]:
    """Read an OpenAI-style ``response_format`` (what ``create_agent`` binds).

    Returns:
        The JSON Schema (None for plain JSON mode) and whether it asked for a schema natively.
    """
    if isinstance(value, Mapping):
        kind = value.get("type")
        if kind == "json_object":
            return None, False
        if kind == "json_schema" and isinstance(value.get("json_schema"), Mapping):
            schema = value["json_schema"].get("schema")
            if isinstance(schema, Mapping):
                return schema, True
    raise mc.MemoriesInputError(
        "response_format must be {'type': 'json_object'} or {'type': 'json_schema', "
        "'json_schema': {'name': ..., 'schema': {...}}}"
    )
