"""The runnable examples in llama_index_memories' docstrings (they run against the emulator)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "llama_index_memories",
    "llama_index_memories.base",
    "llama_index_memories._convert",
    "llama_index_memories._responses",
    "llama_index_memories._structured",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
