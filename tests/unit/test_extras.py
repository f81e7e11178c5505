"""A framework layer imported without its framework names the extra to install.

The framework is hidden in a fresh interpreter (``sys.modules[name] = None`` makes it
unimportable there); tests/packaging/test_wheel.py checks the same in real environments.
"""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("hidden", "layer", "extra"),
    [
        ("langchain_core", "langchain_memories", "langchain"),
        ("llama_index", "llama_index_memories", "llamaindex"),
    ],
)
def test_layer_without_its_framework_names_the_extra(hidden: str, layer: str, extra: str) -> None:
    code = (
        f"import sys; sys.modules[{hidden!r}] = None\n"
        "from memories_client._extras import ExtraMissingError\n"
        "try:\n"
        f"    import {layer}\n"
        "except ExtraMissingError as exc:\n"
        "    print(exc)\n"
        "else:\n"
        "    sys.exit('imported without its framework')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"pip install 'memories-integrations[{extra}]'" in result.stdout
    assert layer in result.stdout


def test_the_other_layer_still_imports_without_the_first_framework() -> None:
    code = (
        "import sys; sys.modules['llama_index'] = None\n"
        "from langchain_memories import ChatMemoriesGemini\n"
        "assert not [m for m in sys.modules if m.startswith('llama_index.')]\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
