"""What every provider family's wire format shares: validation and body assembly.

A dialect turns a neutral :class:`~memories_client.types.ChatRequest` into one family's JSON body
and picks its endpoint. Responses are not a dialect's business: one tolerant parser
(:mod:`memories_client._parsing`) reads every family's answers, because the docs show two response
shapes (``choices[].text`` and ``choices[].message.content``) and public code suggests the shape
has changed over time; the official example client parses both.

Example:
    >>> from memories_client.dialects import dialect_for
    >>> dialect_for("nova:us.amazon.nova-lite-v1:0").family
    'nova'
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import fields
from operator import attrgetter
from typing import Any, ClassVar, Literal

from memories_client._params import (
    SAMPLING_FIELDS,
    check_sampling,
    check_thinking_budget,
    normalize_stop,
)
from memories_client._warnings import warn
from memories_client.catalog import FAMILIES, Endpoint, resolve_model
from memories_client.errors import MemoriesInputError, UnsupportedFeatureError
from memories_client.types import ChatRequest, MediaPart, Message, TextPart

__all__ = [
    "FAMILY_OPTIONS",
    "Dialect",
    "InlineFormat",
    "check_media_kind",
]

# The options check_sampling knows; family-only options are the dialects' own business.
_CHECKED = (*SAMPLING_FIELDS, "thinking_budget")

FAMILY_OPTIONS = tuple(f.name for f in fields(ChatRequest) if f.metadata.get("family_only"))
"""The request options that only some families take, as :class:`ChatRequest` marks them (each
dialect lists its own in :attr:`Dialect.options`); the others refuse them before sending,
naming who has them.

Example:
    >>> FAMILY_OPTIONS
    ('thinking_budget', 'enable_thinking', 'response_mime_type', 'response_schema')
"""

# Every ChatRequest field that check_options checks, and a reader of their values as a tuple.
_REQUEST_OPTIONS = (*SAMPLING_FIELDS, "stop", *FAMILY_OPTIONS, "extra_body")
_request_options = attrgetter(*_REQUEST_OPTIONS)

# The keys the dialects write inside the body's extra_body.metadata (where the docs put
# provider options), each with the named option that writes it. extra_body= means top-level
# body keys, so one of these there is a mistake (the framework models' extra_body= used to fill
# the metadata) and is refused, naming the option to use.
_METADATA_KEYS: Mapping[str, str] = {
    "thinking_config": "thinking_budget=",
    "thinking_budget": "thinking_budget=",
    "enable_thinking": "enable_thinking=",
    "response_mime_type": "response_mime_type=",
    "responseSchema": "response_schema=",
    "toolConfig": "tools=",
}

# Every family's dialect class, registered as it is defined: to say which families take an
# option or an input kind that the one at hand refuses.
_BY_FAMILY: dict[str, type[Dialect]] = {}

InlineFormat = Literal["raw", "data_uri"]
"""How inline (base64) media is written: bare base64 text or a ``data:`` URI."""


class Dialect(ABC):
    """One provider family's wire format.

    Subclasses set ``family``, ``label``, the family-only ``options`` they take and whether
    the family has tool calling, and implement :meth:`_wire_message` and :meth:`_metadata`.

    Args:
        inline_format: how base64 media is written on the wire. The docs say only "URL or base64
            encoded file" and show no example, so this is configurable.

    Example:
        >>> from memories_client.dialects import Dialect, dialect_for
        >>> dialect = dialect_for("nova:us.amazon.nova-pro-v1:0")
        >>> isinstance(dialect, Dialect), dialect.label, dialect.supports_tools
        (True, 'Nova', True)
    """

    family: ClassVar[str]
    label: ClassVar[str]
    """The family's name in messages (``Gemini``, ``GPT``...)."""
    default_inline_format: ClassVar[InlineFormat] = "raw"
    options: ClassVar[frozenset[str]] = frozenset()
    """Which of :data:`FAMILY_OPTIONS` the family's docs give it."""
    supports_tools: ClassVar[bool] = False
    """True where the docs show tool calling (Nova)."""
    option_hints: ClassVar[Mapping[str, str]] = {}
    """What to do instead, per refused option, appended to the refusal."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "family" in cls.__dict__:
            _BY_FAMILY.setdefault(cls.family, cls)

    def __init__(self, *, inline_format: InlineFormat | None = None) -> None:
        self.inline_format: InlineFormat = inline_format or self.default_inline_format

    # -- validation -----------------------------------------------------------------------------

    def validate(self, request: ChatRequest, *, model: str | None = None) -> None:
        """Raise :class:`MemoriesInputError` for anything the service would refuse.

        Args:
            request: the request to check.
            model: ``request.model`` as :func:`~memories_client.catalog.resolve_model` answers
                it, when the caller has resolved it already (the clients do, once per call);
                ``None`` resolves it here.
        """
        if not request.messages:
            raise MemoriesInputError("messages must contain at least one message")
        if model is None:
            model = resolve_model(request.model, self.family)
        values = _request_options(request)
        if values.count(None) < len(values):  # None is "not set": no option, nothing to check
            self.check_options(model=model, **dict(zip(_REQUEST_OPTIONS, values, strict=True)))
        if request.tools and not self.supports_tools:
            raise UnsupportedFeatureError(self.no_tools_message())
        info = FAMILIES[self.family]
        endpoint = self.endpoint(request)
        if endpoint not in info.endpoints:
            raise MemoriesInputError(
                f"{self.family} models are not served on the /{endpoint} endpoint"
            )
        if not any(m.role == "user" for m in request.messages):
            raise MemoriesInputError("messages must contain at least one user message")
        for i, message in enumerate(request.messages):
            if not isinstance(message, Message):
                raise MemoriesInputError(
                    f"messages[{i}] must be a memories_client Message, got {type(message).__name__}"
                )
            self._validate_message(i, message, endpoint)
        for tool in request.tools or ():
            _check_json(tool.parameters, f"tool {tool.name!r} parameters")

    def check_options(self, **options: Any) -> None:
        """Raise :class:`MemoriesInputError` for an option this family refuses or a bad value.

        Takes the request's option fields by name (``temperature``, ``stop``,
        ``thinking_budget``, ``extra_body``...) and the ``model`` they are for (the resolved id);
        ``None`` means "not set". The one check of option values:
        the clients run it on every request, and the framework models when they are built, so
        the same mistake fails the same way everywhere.

        An option of :data:`FAMILY_OPTIONS` that this family's docs do not give it raises
        :class:`~memories_client.UnsupportedFeatureError`, naming the families that have it.

        Example:
            >>> from memories_client.dialects import dialect_for
            >>> dialect_for("nova:us.amazon.nova-lite-v1:0").check_options(thinking_budget=0)
            Traceback (most recent call last):
            ...
            memories_client.errors.UnsupportedFeatureError: thinking_budget is a Gemini and Qwen \
option; the memories.ai docs document no such option for Nova models
        """
        check_sampling(**{name: options.get(name) for name in _CHECKED})
        for k, stop in enumerate(normalize_stop(options.get("stop")) or ()):
            _check_unicode(stop, f"stop[{k}]")
        model = options.get("model")
        if model is not None:  # the budget range is the model's own (see the catalog)
            check_thinking_budget(model, options.get("thinking_budget"), self.family)
        enable = options.get("enable_thinking")
        if enable is not None and not isinstance(enable, bool):
            raise MemoriesInputError(f"enable_thinking must be True or False, got {enable!r}")
        extra_body = options.get("extra_body")
        if extra_body is not None:
            _check_extra_body(extra_body)
        for name in FAMILY_OPTIONS:
            if options.get(name) is not None and name not in self.options:
                owners = [d.label for d in _BY_FAMILY.values() if name in d.options]
                raise UnsupportedFeatureError(
                    f"{name} is a {_and(owners)} option; the memories.ai docs document "
                    f"no such option for {self.label} models{self.option_hints.get(name, '')}"
                )

    def no_tools_message(self) -> str:
        """Why tools are refused for this family, naming the families that have them.

        Example:
            >>> from memories_client.dialects import dialect_for
            >>> dialect_for("gpt:gpt-4o").no_tools_message()
            'tool calling is not supported for GPT models on memories.ai (the API documents tools \
for Nova only); use a Nova model for tools'
        """
        owners = [d.label for d in _BY_FAMILY.values() if d.supports_tools]
        return (
            f"tool calling is not supported for {self.label} models on memories.ai (the API "
            f"documents tools for {_and(owners)} only); use a {owners[0]} model for tools"
        )

    def _validate_message(self, i: int, message: Message, endpoint: Endpoint) -> None:
        info = FAMILIES[self.family]
        if not self.supports_tools and (message.role == "tool" or message.tool_calls):
            raise MemoriesInputError(
                f"messages[{i}]: tool calls and tool results cannot be sent to {self.label} models"
            )
        for k, call in enumerate(message.tool_calls):
            _check_json(call.arguments, f"messages[{i}].tool_calls[{k}] arguments")
        blank = True  # no media and no text but whitespace, so far
        for j, part in enumerate(message.parts):
            where = f"messages[{i}].parts[{j}]"
            if isinstance(part, TextPart):
                if not isinstance(part.text, str):
                    raise MemoriesInputError(f"{where}: text must be a str")
                _check_unicode(part.text, where)
                blank = blank and not part.text.strip()
                continue
            if not isinstance(part, MediaPart):
                raise MemoriesInputError(
                    f"{where}: expected TextPart or MediaPart, got {type(part).__name__}"
                )
            if message.role != "user":
                raise MemoriesInputError(
                    f"{where}: media can only be sent in user messages (this is a "
                    f"{message.role} message)"
                )
            check_media_kind(self.family, part.kind, where)
            if part.kind == "video" and part.is_inline and not info.video_base64_allowed:
                raise MemoriesInputError(
                    f"{where}: {self.family} does not accept video as base64 or bytes (the API "
                    "docs: 'video does not support base64'); upload the video somewhere the "
                    "service can fetch it and pass its public https:// or gs:// URL"
                )
            if part.kind == "video" and endpoint == "iu":
                raise MemoriesInputError(
                    f"{where}: video cannot be sent to the image-understanding endpoint (/iu); "
                    "leave endpoint unset so the request goes to /vu"
                )
            blank = False
        if blank and message.role == "user":
            # The service answers 400 "Model input cannot be empty" (docs/API_FACTS.md, 0.8).
            raise MemoriesInputError(
                f"messages[{i}]: a user message needs non-blank text or media; this one is empty"
            )

    # -- routing and body -----------------------------------------------------------------------

    def endpoint(self, request: ChatRequest) -> Endpoint:
        """The endpoint kind for this request (``vu`` unless overridden)."""
        return request.endpoint or "vu"

    def build_body(
        self, request: ChatRequest, *, stream: bool = False, model: str | None = None
    ) -> dict[str, Any]:
        """The JSON body for this request (call :meth:`validate` first).

        ``model`` is the resolved id, as for :meth:`validate`; ``None`` resolves it here.
        """
        body: dict[str, Any] = {
            "model": model or resolve_model(request.model, self.family),
            "messages": [self._wire_message(m) for m in request.messages],
        }
        for name in SAMPLING_FIELDS:
            value = getattr(request, name)
            if value is not None:
                body[name] = value
        stop = normalize_stop(request.stop)
        if stop is not None:
            body["stop"] = stop
        if stream:
            body["stream"] = True
        body.update(self._top_level(request))
        metadata = self._metadata(request)
        extra = request.extra_body
        # extra_body={"extra_body": {...}} is the body's own extra_body object (as OpenAI SDK
        # users write it): its metadata joins the generated keys instead of replacing them.
        nested = extra.get("extra_body") if extra else None
        for given in (request.metadata, nested.get("metadata") if nested else None):
            if given:
                _warn_shadowing(metadata, given)
                metadata.update(given)
        if metadata:
            # Literal key, as every curl sample and the official example client send it.
            body["extra_body"] = {"metadata": metadata}
        if extra:
            _warn_replacing(body, extra)
            body.update(extra)
            if nested and metadata:
                body["extra_body"] = {**nested, "metadata": metadata}
        return body

    def inline(self, part: MediaPart) -> str:
        """The wire form of a part's location: its URL, or its data in ``inline_format``."""
        if part.url is not None:
            return part.url
        return part.data_uri() if self.inline_format == "data_uri" else part.b64_text()

    @staticmethod
    def _text_content(message: Message) -> str:
        return message.text

    @abstractmethod
    def _wire_message(self, message: Message) -> dict[str, Any]:
        """One message on the wire."""

    @abstractmethod
    def _metadata(self, request: ChatRequest) -> dict[str, Any]:
        """The family's ``extra_body.metadata`` keys for this request."""

    def _top_level(self, request: ChatRequest) -> dict[str, Any]:
        """The family's own top-level body fields (GPT's ``response_format``); none by default."""
        return {}


def check_media_kind(family: str, kind: str, where: str) -> None:
    """Refuse an input kind the family does not take, naming the families that take it.

    Raises:
        UnsupportedFeatureError: ``kind`` (``image``, ``video``, ``document``...) is not among
            the family's input kinds in the catalog.

    Example:
        >>> check_media_kind("gpt", "video", "messages[0].parts[1]")
        Traceback (most recent call last):
        ...
        memories_client.errors.UnsupportedFeatureError: messages[0].parts[1]: gpt models do not \
accept video input; they take image, text. Gemini, Nova and Qwen models take video
    """
    kinds = FAMILIES[family].input_kinds
    if kind in kinds:
        return
    takers = [d.label for f, d in _BY_FAMILY.items() if kind in FAMILIES[f].input_kinds]
    raise UnsupportedFeatureError(
        f"{where}: {family} models do not accept {kind} input; they take "
        f"{', '.join(sorted(kinds))}" + (f". {_and(takers)} models take {kind}" if takers else "")
    )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _check_unicode(text: str, where: str) -> None:
    """Refuse text that cannot be sent as UTF-8 (lone surrogates, e.g. from mis-decoded files)."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MemoriesInputError(
            f"{where}: the text holds a character that is not valid Unicode "
            f"({text[exc.start : exc.end]!r} at position {exc.start}); clean the text first"
        ) from None


def _check_json(value: Any, where: str) -> None:
    """Refuse values that cannot go into the JSON body."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise MemoriesInputError(f"{where} cannot be sent as JSON: {exc}") from None


class ExtraBodyWarning(UserWarning):
    """An ``extra_body`` or ``metadata`` key replaces what a named option produced, unchecked.

    Raised for an ``extra_body`` key naming a top-level field the body has (``temperature``),
    a metadata key replacing a generated one (``thinking_config``), and a ``metadata`` key
    named like a top-level field, which it does not set.
    """


_TOP_LEVEL = frozenset({*SAMPLING_FIELDS, "stop", "model", "messages", "stream"})


def _check_extra_body(extra_body: Any) -> None:
    """Refuse an ``extra_body`` that is no JSON object, or that holds a key of the metadata."""
    if not isinstance(extra_body, Mapping) or not all(isinstance(k, str) for k in extra_body):
        raise MemoriesInputError(
            f"extra_body must be a dict of top-level body keys, got {type(extra_body).__name__}"
        )
    misplaced = [key for key in extra_body if key in _METADATA_KEYS]
    if misplaced:
        key = misplaced[0]
        raise MemoriesInputError(
            f"extra_body key {key!r} would be sent as a top-level body field: extra_body= "
            "means top-level body keys (as in the OpenAI SDK and ChatOpenAI), and "
            f"{key} belongs inside the body's extra_body.metadata. Use "
            f"{_METADATA_KEYS[key]} instead, or extra_body={{'extra_body': {{'metadata': "
            f"{{{key!r}: ...}}}}}} to send it there as it is"
        )
    nested = extra_body.get("extra_body")
    if nested is not None and not (
        isinstance(nested, Mapping) and isinstance(nested.get("metadata", {}), Mapping)
    ):
        raise MemoriesInputError(
            "extra_body['extra_body'] must be a dict, and its 'metadata' a dict: it is the "
            "body's extra_body object, e.g. {'extra_body': {'metadata': {'seed': 1}}}"
        )
    _check_json(extra_body, "extra_body")


def _warn_replacing(body: Mapping[str, Any], extra: Mapping[str, Any]) -> None:
    # A top-level key the body has already, or one a named option writes, is replaced unchecked.
    replaced = sorted(k for k in extra if k != "extra_body" and (k in body or k in _TOP_LEVEL))
    if replaced:
        warn(
            f"extra_body key(s) {', '.join(replaced)} replace the body's own top-level "
            "field(s) of that name, unchecked; pass them as named options instead",
            ExtraBodyWarning,
        )


def _warn_shadowing(generated: Mapping[str, Any], extra: Mapping[str, Any]) -> None:
    # extra_body is the deliberate escape hatch for what the API may accept beyond our fields;
    # it wins, but never silently over a named option.
    replaced = sorted(set(generated) & set(extra))
    if replaced:
        warn(
            f"extra_body key(s) {', '.join(replaced)} replace what the named options produced "
            "for extra_body.metadata; set the named option instead (e.g. thinking_budget=, "
            "response_schema=, tools=)",
            ExtraBodyWarning,
        )
    misplaced = sorted(_TOP_LEVEL & set(extra))
    if misplaced:
        warn(
            f"extra_body key(s) {', '.join(misplaced)} go into extra_body.metadata, not the "
            "top-level field of the same name; pass them as named options instead",
            ExtraBodyWarning,
        )
