"""JSON Schema helpers: build a schema, convert it to Gemini's ``responseSchema``, validate.

Schemas from Pydantic models and TypedDicts break most rules of Gemini's ``responseSchema``
dialect; :func:`to_gemini_schema` rewrites them and refuses, naming the field, what the dialect
cannot express. Answers are then parsed leniently and validated strictly.

One module per job: :mod:`~memories_client.schema.extract` (a schema from a model, a TypedDict or
a dict), :mod:`~memories_client.schema.gemini` (the ``responseSchema`` dialect),
:mod:`~memories_client.schema.validation` (strict validation of an answer) and
:mod:`~memories_client.schema.enums` (enum values Gemini returns as strings). This package is
framework-free: it imports neither LangChain nor LlamaIndex.

Example:
    >>> from pydantic import BaseModel, Field
    >>> class Joke(BaseModel):
    ...     setup: str = Field(description="The setup")
    ...     punchline: str | None = None
    >>> gemini = to_gemini_schema(Joke)
    >>> gemini["properties"]["punchline"]
    {'type': 'STRING', 'nullable': True}
    >>> gemini["required"]
    ['setup']
    >>> validate_instance({"setup": 1}, json_schema_of(Joke))
    ['setup: expected string, got integer']
"""

from __future__ import annotations

from memories_client.schema.enums import coerce_enum_strings
from memories_client.schema.extract import apply_typeddict_defaults, json_schema_of
from memories_client.schema.gemini import GEMINI_FORMATS, GEMINI_TYPES, to_gemini_schema
from memories_client.schema.validation import validate_instance

__all__ = [
    "GEMINI_FORMATS",
    "GEMINI_TYPES",
    "apply_typeddict_defaults",
    "coerce_enum_strings",
    "json_schema_of",
    "to_gemini_schema",
    "validate_instance",
]
