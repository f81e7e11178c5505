"""docs/ARCHITECTURE.md names modules; every one of them must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ARCHITECTURE.md"


def test_every_module_the_architecture_names_exists() -> None:
    named = set(
        re.findall(
            r"`((?:memories_client|langchain_memories|llama_index_memories|memories_emulator)/[\w/]+\.py)`",
            DOC.read_text(),
        )
    )
    assert len(named) >= 20  # the walk-through names the modules a call passes through
    missing = sorted(path for path in named if not (ROOT / path).is_file())
    assert missing == []


def test_the_packages_named_in_the_naming_table_are_the_real_ones() -> None:
    text = DOC.read_text()
    packages = (
        "memories_client",
        "langchain_memories",
        "llama_index_memories",
        "memories_emulator",
    )
    for package in packages:
        assert package in text
        assert (ROOT / package / "__init__.py").is_file()


LAYERS = ("langchain_memories", "llama_index_memories")


@pytest.mark.parametrize("layer", LAYERS)
def test_no_class_in_a_layer_has_type_checking_stubs(layer: str) -> None:
    # "How modules are split": a class's methods live in its own module, so none needs stubs
    # declaring attributes that another file's class provides.
    stubbed = []
    for path in sorted((ROOT / layer).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if isinstance(statement, ast.If) and "TYPE_CHECKING" in ast.unparse(
                        statement.test
                    ):
                        stubbed.append(f"{path.name}:{node.name}")
    assert stubbed == []


def test_the_layers_model_classes_take_no_mixins_of_their_own() -> None:
    from langchain_memories import (
        ChatMemoriesGemini,
        ChatMemoriesGPT,
        ChatMemoriesNova,
        ChatMemoriesQwen,
    )
    from llama_index_memories import MemoriesMultiModal

    def own_bases(cls: type) -> list[str]:
        layer = cls.__module__.split(".")[0]
        return [c.__name__ for c in cls.__mro__[1:] if c.__module__.split(".")[0] == layer]

    assert own_bases(MemoriesMultiModal) == []
    for cls in (ChatMemoriesGemini, ChatMemoriesGPT, ChatMemoriesNova, ChatMemoriesQwen):
        # The one base the four family classes share, in langchain_memories/_base.py.
        assert own_bases(cls) == ["_BaseChatMemories"]
