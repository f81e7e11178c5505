"""Package-level promises: import isolation, typed marker, and runnable docstring examples."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import memories_client

ROOT = Path(__file__).resolve().parents[2]


def test_core_imports_no_framework_and_no_emulator() -> None:
    code = (
        "import sys, memories_client; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('langchain_core', 'llama_index', 'starlette', 'uvicorn', 'memories_emulator')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "package",
    ["memories_client", "langchain_memories", "llama_index_memories", "memories_emulator"],
)
def test_typed_marker_shipped(package: str) -> None:
    assert (ROOT / package / "py.typed").exists()


def _core_modules() -> list[str]:
    names = ["memories_client"]
    for info in pkgutil.walk_packages(memories_client.__path__, "memories_client."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
    return names


@pytest.mark.parametrize("module_name", _core_modules())
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, module_name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"


def test_every_public_name_has_a_docstring() -> None:
    missing = [
        name
        for name in memories_client.__all__
        if not name.isupper()
        and not name.startswith("__")
        and not (getattr(memories_client, name).__doc__ or "").strip()
    ]
    assert missing == []
