"""Token estimates without a tokenizer: for trimming and packing prompts, not for billing.

The API has no token-counting endpoint and its models' tokenizers are not public, so every count
here is an **estimate**; what a call costs is the ``usage`` the service reports. The rules:

* **Text**: about 4 characters per token, Google's rule of thumb for Gemini ("a token is
  equivalent to about 4 characters", ai.google.dev/gemini-api/docs/tokens): each run of ASCII
  characters counts ``ceil(length / 4)``, and every other character counts 1 (scripts such as
  Chinese or Japanese take about a token a character; accents cost a little extra).
* **Media**: a fixed figure per part and kind, from the catalog
  (:attr:`memories_client.catalog.FamilyInfo.media_tokens`): the providers' documented rules
  applied to a typical part, because media is never downloaded to be measured.
* **Messages**: :data:`MESSAGE_OVERHEAD` tokens each for the role and turn markers, plus their
  text, media and tool calls (name and JSON arguments, as text); tools offered count as the text
  of their name, description and JSON Schema.

Example:
    >>> from memories_client import Message, media_from_url
    >>> estimate_text_tokens("What happens in this video?")
    7
    >>> video = media_from_url("https://x.test/clip.mp4")
    >>> estimate_tokens([Message.user("What happens?", video)], "gemini-2.5-flash")
    15787
    >>> len(split_tokens("naïve café"))
    5
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from memories_client.catalog import FAMILIES, model_info
from memories_client.types import MediaPart, Message, TextPart, ToolSpec

__all__ = ["MESSAGE_OVERHEAD", "estimate_text_tokens", "estimate_tokens", "split_tokens"]

MESSAGE_OVERHEAD = 3
"""Tokens added per message for its role and turn markers (chat templates add a few)."""

CHARS_PER_TOKEN = 4
"""Google's rule of thumb for Gemini text: about 4 characters per token."""

_PIECES = re.compile(rf"[\x00-\x7f]{{1,{CHARS_PER_TOKEN}}}|[^\x00-\x7f]")


def split_tokens(text: str) -> list[str]:
    """``text`` cut into the pieces :func:`estimate_text_tokens` counts, in order.

    A tokenizer for code that wants one (``len`` of the result is the estimate), e.g.
    LlamaIndex's ``Settings.tokenizer``, ``ChatMemoryBuffer(tokenizer_fn=...)`` or
    ``TokenCountingHandler(tokenizer=...)``: nothing to download, unlike their default.

    Example:
        >>> split_tokens("Hello, world")
        ['Hell', 'o, w', 'orld']
    """
    return _PIECES.findall(text)


def estimate_text_tokens(text: str) -> int:
    """Estimated tokens of ``text``: ``ceil(n / 4)`` per ASCII run, 1 per other character.

    Example:
        >>> estimate_text_tokens("abcde"), estimate_text_tokens("日本語")
        (2, 3)
    """
    if text.isascii():  # the common case, without building the pieces
        return -(-len(text) // CHARS_PER_TOKEN)
    return len(_PIECES.findall(text))


def _message_tokens(
    message: Message, media: dict[str, int], count_text: Callable[[str], int]
) -> int:
    total = MESSAGE_OVERHEAD
    for part in message.parts:
        if isinstance(part, TextPart):
            total += count_text(part.text)
        elif isinstance(part, MediaPart):
            total += media[part.kind]
    for call in message.tool_calls:
        total += count_text(call.name) + count_text(json.dumps(call.arguments))
    return total


def estimate_tokens(
    messages: Sequence[Message],
    model: str,
    tools: Sequence[ToolSpec] | None = None,
    *,
    family: str | None = None,
    count_text: Callable[[str], int] | None = None,
) -> int:
    """Estimated input tokens of a request: its messages and the tools it offers.

    Args:
        messages: core messages (any role; tool calls and results count as text).
        model: the model id; its family picks the media estimates.
        tools: tools offered with the request, if any.
        family: the family serving ``model`` when the id alone does not say.
        count_text: counts the tokens of a text; default :func:`estimate_text_tokens`.

    Returns:
        The estimate. The service's ``usage`` is what is billed.

    Example:
        >>> from memories_client import Message, ToolSpec
        >>> tool = ToolSpec("count_people", "Count the people.", {"type": "object"})
        >>> estimate_tokens([Message.user("Hi")], "nova:us.amazon.nova-lite-v1:0", [tool])
        17
    """
    count = count_text or estimate_text_tokens
    estimates = FAMILIES[model_info(model, family).family].media_tokens
    media = {
        "image": estimates.image,
        "video": estimates.video,
        "document": estimates.document,
    }
    total = sum(_message_tokens(message, media, count) for message in messages)
    for tool in tools or ():
        text = f"{tool.name} {tool.description} {json.dumps(tool.parameters)}"
        total += count(text)
    return total
