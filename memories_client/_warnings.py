"""Warnings that point at the user's line, however deep in the package they are raised.

A fixed ``stacklevel`` is right for one call path only: the same shadowing ``extra_body``
warning is raised three frames below ``MemoriesClient.chat`` and a dozen below
``ChatMemoriesGemini.invoke`` (LangChain's own frames sit in between), so a fixed number points
into this package or into LangChain for most users. :func:`warn` counts the frames instead and
names the first one outside this package and the frameworks that call it.
"""

from __future__ import annotations

import sys
import warnings

__all__ = ["warn"]

# Modules whose frames are never the user's: ours, and the frameworks' call machinery between
# the user's ``invoke`` / ``chat`` and our code.
_INTERNAL = (
    "memories_client",
    "langchain_memories",
    "llama_index_memories",
    "langchain_core",
    "langchain",
    "langgraph",
    "llama_index",
    # LlamaIndex's spans around every entry point (a separate distribution since 0.12).
    "llama_index_instrumentation",
    "wrapt",
    "pydantic",
    "asyncio",
    "concurrent",
    "contextlib",
    "threading",
    "contextvars",
    "functools",
)


def _internal(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in _INTERNAL)


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` with the stack level of the first frame outside the package.

    When every frame is internal (a call run by an event loop or a thread pool), the outermost
    frame is named.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn("careful", UserWarning)
        >>> caught[0].filename.endswith("_warnings.py")
        False
    """
    frame = sys._getframe(1)  # the caller: stack level 2
    level = 2
    while frame.f_back is not None and _internal(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
