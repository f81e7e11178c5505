"""docs/ARCHITECTURE.md names modules; every one of them must exist."""

from __future__ import annotations

import re
from pathlib import Path

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
