"""Package hygiene: runnable docstring examples, no llama_index.

Which core names the layer may import: tests/unit/test_public_surface.py, for both layers.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import langchain_memories

PACKAGE = Path(langchain_memories.__file__).parent
_SUBMODULES = sorted(f"langchain_memories.{m.name}" for m in pkgutil.iter_modules([str(PACKAGE)]))
MODULES = [*_SUBMODULES, "langchain_memories"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_public_name_has_a_docstring_example() -> None:
    missing = [
        name
        for name in langchain_memories.__all__
        if ">>>" not in (getattr(langchain_memories, name).__doc__ or "")
    ]
    assert missing == []


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_module_imports_llama_index(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith("llama_index")
        if isinstance(node, ast.Import):
            assert not any(alias.name.startswith("llama_index") for alias in node.names)


def test_import_does_not_pull_llama_index() -> None:
    code = "import sys, langchain_memories; print(any(m.startswith('llama_index') for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


@pytest.mark.filterwarnings("ignore:A test tried to use socket.socket.connect")
def test_only_loopback_is_reachable() -> None:
    import socket

    from pytest_socket import SocketConnectBlockedError

    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 443), timeout=0.5)  # TEST-NET-1, never routed


def test_standard_suite_downloads_come_from_local_files(local_downloads: None) -> None:
    import httpx

    png = httpx.get(
        "https://raw.githubusercontent.com/langchain-ai/docs/4d11d08b6b0e210bd456943f7a22febbd168b543"
        "/src/images/agentic-rag-output.png"
    )
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    pdf = httpx.get("https://www.w3.org/WAI/ER/tests/xhtml/testfiles/resources/pdf/dummy.pdf")
    assert pdf.content.startswith(b"%PDF-1.4")
    with pytest.raises(RuntimeError, match="no internet"):
        httpx.get("https://example.com/anything.png")
