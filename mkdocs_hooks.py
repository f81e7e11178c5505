"""MkDocs hooks for the docs site (``mkdocs.yml``): the same pages read on GitHub and as a site.

* Headings get GitHub's anchors, so one ``PAGE.md#section`` link works in both places.
* ``Example:`` docstring sections render as examples (:class:`ExampleSections`, a griffe
  extension).
* A link that leaves ``docs/`` (``../tests/RELIABILITY.md``, ``../benchmarks/RESULTS.md``) points
  at a file of the repository, not a page of the site: on the site it becomes the file's path
  as code, so that the strict build has no unresolvable link and the reader still sees where to
  look.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

__all__ = ["ExampleSections", "github_slug", "on_config", "on_page_markdown"]

_OUTSIDE_LINK = re.compile(r"\[([^\]]+)\]\(\.\./([^)#\s]+)(#[^)\s]*)?\)")
_EXAMPLE = re.compile(r"^(\s*)Example:$", flags=re.MULTILINE)
_FENCE = re.compile(r"^```.*?^```$", flags=re.DOTALL | re.MULTILINE)


def github_slug(value: str, separator: str = "-") -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.

    Example:
        >>> github_slug("Tools and agents (Nova)")
        'tools-and-agents-nova'
        >>> github_slug("Videos into documents: MemoriesVideoLoader")
        'videos-into-documents-memoriesvideoloader'
    """
    text = re.sub(r"[^\w\- ]", "", value.strip().lower())
    return text.replace(" ", separator)


def on_config(config: Any) -> Any:
    """Use GitHub's anchors for every heading (the toc extension's ``slugify``)."""
    config["mdx_configs"].setdefault("toc", {})["slugify"] = github_slug
    return config


def _outside(match: re.Match[str]) -> str:
    return f"{match.group(1)} (`{match.group(2)}` in the repository)"


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Links out of ``docs/`` become the repository path they point at (code blocks untouched).

    Example:
        >>> on_page_markdown("see [results](../benchmarks/RESULTS.md).")
        'see results (`benchmarks/RESULTS.md` in the repository).'
    """
    pieces, last = [], 0
    for fence in _FENCE.finditer(markdown):
        pieces.append(_OUTSIDE_LINK.sub(_outside, markdown[last : fence.start()]))
        pieces.append(fence.group(0))
        last = fence.end()
    pieces.append(_OUTSIDE_LINK.sub(_outside, markdown[last:]))
    return "".join(pieces)


class ExampleSections(Extension):
    """Griffe extension: this package's ``Example:`` sections render as examples.

    Griffe reads ``Examples:`` (plural) as doctest code; the singular, used throughout these
    docstrings, would otherwise render as prose, where ``x["name"]`` reads as a broken link.
    Named in ``mkdocs.yml`` (``mkdocs_hooks.py:ExampleSections``).
    """

    def on_instance(self, *, obj: Object, **_: Any) -> None:
        """Rename the section before the docstring is parsed."""
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
