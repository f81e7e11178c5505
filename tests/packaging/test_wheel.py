"""The package as a user meets it: the wheel, installed without extras into a new virtual env.

The wheel is built from this checkout and installed with the base dependencies only, at the
versions `uv.lock` pins (so this test never resolves something the rest of the suite has not
run on). In that bare environment all three packages import, report one version, and every
public model class constructs without touching the network; the emulator, an extra, says which
extra to install. Needs `uv` (the Makefile passes its own as ``MEMORIES_UV``) and the package
registry for the build backend the first time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import memories_client

REPO = Path(__file__).resolve().parents[2]
UV = os.environ.get("MEMORIES_UV") or shutil.which("uv")

pytestmark = [
    pytest.mark.skipif(UV is None, reason="needs uv: run through `make test`, or put uv on PATH"),
    pytest.mark.timeout(600),
]

# Run inside the bare environment; prints what the assertions below check.
PROBE = r"""
import importlib.util, json, sys
import memories_client, langchain_memories, llama_index_memories
from memories_client import AsyncMemoriesClient, MemoriesClient
from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from llama_index_memories import MemoriesMultiModal

built = [
    type(MemoriesClient(api_key="sk-test")).__name__,
    type(AsyncMemoriesClient(api_key="sk-test")).__name__,
    type(ChatMemoriesGemini(api_key="sk-test")).__name__,
    type(ChatMemoriesNova(api_key="sk-test")).__name__,
    type(MemoriesMultiModal(api_key="sk-test")).__name__,
]
print(json.dumps({
    "versions": [m.__version__ for m in (memories_client, langchain_memories, llama_index_memories)],
    "built": built,
    "files": [m.__file__ for m in (memories_client, langchain_memories, llama_index_memories)],
    "extras_present": [n for n in ("starlette", "uvicorn") if importlib.util.find_spec(n)],
}))
"""


def _run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.pop("MEMORIES_API_KEY", None)
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        env=env,
        timeout=540,
        check=False,  # callers check, to show the output
        **kwargs,  # type: ignore[call-overload]
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _ok(_run(UV, "build", "--wheel", "--quiet", "--out-dir", out, REPO, cwd=REPO))
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def bare_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bare")
    pins = root / "pins.txt"
    # The base dependencies only (no extras, no dev group), at the locked versions.
    _ok(
        _run(
            UV, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes",
            "--quiet", "-o", pins, cwd=REPO,
        )
    )  # fmt: skip
    venv = root / "venv"
    _ok(_run(UV, "venv", "--quiet", "--python", sys.executable, venv))
    python = venv / "bin" / "python"
    _ok(_run(UV, "pip", "install", "--quiet", "--python", python, wheel, "-c", pins))
    return python


def test_wheel_carries_the_three_packages_typing_marker_and_licence(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for package in ("memories_client", "langchain_memories", "llama_index_memories"):
        assert f"{package}/__init__.py" in names
        assert f"{package}/py.typed" in names
    assert not [n for n in names if n.startswith("tests/")]
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert f"Version: {memories_client.__version__}" in text
    assert "License-Expression: MIT" in text
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "Classifier: Programming Language :: Python :: 3.10" in text


def test_bare_install_imports_and_constructs_every_public_model(bare_python: Path) -> None:
    report = json.loads(_ok(_run(bare_python, "-c", PROBE, cwd=bare_python.parent)))
    assert report["versions"] == [memories_client.__version__] * 3
    assert report["built"] == [
        "MemoriesClient",
        "AsyncMemoriesClient",
        "ChatMemoriesGemini",
        "ChatMemoriesNova",
        "MemoriesMultiModal",
    ]
    # Imported from the installed wheel, not from this checkout.
    assert all(str(REPO) not in path for path in report["files"]), report["files"]
    assert report["extras_present"] == []


def test_emulator_without_its_extra_names_the_extra(bare_python: Path) -> None:
    result = _run(bare_python, "-m", "memories_client.emulator", "--port", "0")
    assert result.returncode == 2
    assert "pip install 'memories-integrations[emulator]'" in result.stderr
    assert "Traceback" not in result.stderr
    imported = _run(bare_python, "-c", "from memories_client.emulator import Emulator")
    assert imported.returncode == 1
    assert "EmulatorExtraMissingError" in imported.stderr
    assert "memories-integrations[emulator]" in imported.stderr


def test_an_installed_user_can_run_the_probes(bare_python: Path) -> None:
    # `python -m memories_client.probes` from the bare wheel (no extras), without a key: the
    # plan and its cost, nothing sent (docs/LIVE.md).
    result = _run(bare_python, "-m", "memories_client.probes", cwd=bare_python.parent)
    assert result.returncode == 0, result.stderr
    assert "estimated cost" in result.stdout
    assert "MEMORIES_API_KEY is not set: nothing was sent." in result.stdout
