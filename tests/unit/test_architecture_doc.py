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


def _section(title: str) -> str:
    text = DOC.read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_adding_a_request_option_names_what_exists() -> None:
    import dataclasses
    import importlib

    section = _section("Adding a request option")
    named = {
        ("memories_client.dialects.base", "Dialect.check_options"),
        ("memories_client.dialects.base", "Dialect.validate"),
        ("memories_client.dialects.base", "FAMILY_OPTIONS"),
        ("memories_client.types", "_FAMILY_ONLY"),
        ("memories_client.dialects.gemini", "GeminiDialect.options"),
        ("memories_client.dialects.gemini", "GeminiDialect._metadata"),
        ("memories_client.dialects.gemini", "GeminiDialect._top_level"),
        ("memories_client.dialects.gemini", "GeminiDialect.check_options"),
        ("memories_client.dialects", "call_options"),
        ("memories_client._client_base", "_BaseClient.prepare"),
        ("memories_client._params", "SAMPLING_FIELDS"),
        ("memories_client._params", "check_sampling"),
        ("langchain_memories._base", "_BaseChatMemories._family_fields"),
        ("llama_index_memories.base", "MemoriesMultiModal._build_request"),
        ("langchain_memories.gemini", "ChatMemoriesGemini"),
        ("llama_index_memories.base", "MemoriesMultiModal"),
    }
    for module_name, qualname in sorted(named):
        assert qualname.rsplit(".", 1)[-1] in section, qualname
        target: object = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    # What the walk-through says the mark does: FAMILY_OPTIONS is the marked fields, and the
    # layers' per-call options are the dialects' own.
    from memories_client import ChatRequest
    from memories_client.dialects import DIALECTS, FAMILY_OPTIONS, call_options
    from memories_client.types import _FAMILY_ONLY

    marked = [f.name for f in dataclasses.fields(ChatRequest) if f.metadata == _FAMILY_ONLY]
    assert list(FAMILY_OPTIONS) == marked
    for family, dialect in DIALECTS.items():
        assert dialect.options <= set(FAMILY_OPTIONS) <= set(dir(ChatRequest))
        assert dialect.options <= call_options(family)
