"""The package as a user meets it: the wheel, installed with each set of extras into a new venv.

The wheel is built from this checkout and installed three ways, each into a clean virtual
environment, at the versions ``uv.lock`` pins (a constraints file exported from the lock, so this
test never resolves something the rest of the suite has not run on):

* the core alone (httpx, its httpcore, and pydantic): ``memories_client`` imports and answers a real call
  against an emulator on loopback (run by this process); both framework layers refuse to import,
  naming their extra;
* ``[langchain]``, then ``emulator`` added: no llama-index package, at most 40 packages and
  60 MB; ``ChatMemoriesGemini`` answers against the emulator started inside that environment, and
  ``llama_index_memories`` refuses, naming ``[llamaindex]``;
* ``[llamaindex]``, then ``emulator`` added: no langchain package; ``MemoriesMultiModal``
  answers, and ``langchain_memories`` refuses, naming ``[langchain]``.

Each set's package count and installed size are printed and compared with the table in
docs/SUPPORT.md; ``MEMORIES_WRITE_SUPPORT=1`` rewrites that table with what was measured. The
installs are tried offline first (uv's cache is enough once ``make venv`` has run), then from the
registry. Needs ``uv`` (the Makefile passes its own as ``MEMORIES_UV``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import memories_client

REPO = Path(__file__).resolve().parents[2]
SUPPORT = REPO / "docs" / "SUPPORT.md"
UV = os.environ.get("MEMORIES_UV") or shutil.which("uv")

pytestmark = [
    pytest.mark.skipif(
        UV is None, reason="needs uv: run through `make test-full`, or put uv on PATH"
    ),
    pytest.mark.timeout(600),
    pytest.mark.long,  # wheel build and three venv installs: make test-full and CI, not make test
]

# The bounds for `pip install "memories-integrations[langchain]"`.
LANGCHAIN_MAX_PACKAGES = 40
LANGCHAIN_MAX_MB = 60.0


def _run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    for name in ("MEMORIES_API_KEY", "MEMORIES_BASE_URL"):
        env.pop(name, None)
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


def _uv_offline_first(*args: str | Path) -> str:
    """A uv command from the cache alone when it can be, else with the registry."""
    offline = _run(UV, *args, "--offline")
    return offline.stdout if offline.returncode == 0 else _ok(_run(UV, *args))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _uv_offline_first("build", "--wheel", "--quiet", "--out-dir", out, REPO)
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def pins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every locked version a user's install could need (all extras, no dev tools)."""
    path = tmp_path_factory.mktemp("pins") / "pins.txt"
    _ok(
        _run(
            UV, "export", "--frozen", "--all-extras", "--no-dev", "--no-emit-project",
            "--no-hashes", "--quiet", "-o", path, cwd=REPO,
        )
    )  # fmt: skip
    return path


@dataclass(frozen=True)
class Installed:
    """One clean environment and what the last install into it left there."""

    python: Path
    packages: list[str]  # distribution names, normalised, ours included
    megabytes: float  # site-packages on disk, apparent size, 10**6 bytes

    def run(self, code: str) -> str:
        return _ok(_run(self.python, "-c", code, cwd=self.python.parent))


def _measure(python: Path) -> Installed:
    listed = _ok(_run(UV, "pip", "list", "--python", python, "--format", "json"))
    names = sorted(re.sub(r"[-_.]+", "-", p["name"]).lower() for p in json.loads(listed))
    purelib = Path(
        _ok(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")).strip()
    )
    size = sum(f.stat().st_size for f in purelib.rglob("*") if f.is_file() and not f.is_symlink())
    return Installed(python=python, packages=names, megabytes=size / 1e6)


def _install(python: Path, wheel: Path, pins: Path, extras: str) -> Installed:
    target = f"{wheel}[{extras}]" if extras else str(wheel)
    _uv_offline_first("pip", "install", "--quiet", "--python", python, target, "-c", pins)
    return _measure(python)


def _venv(root: Path) -> Path:
    _ok(_run(UV, "venv", "--quiet", "--python", sys.executable, root / "venv"))
    return root / "venv" / "bin" / "python"


# Figures of each set, filled by the fixtures below and checked against docs/SUPPORT.md last.
MEASURED: dict[str, Installed] = {}


@pytest.fixture(scope="module")
def core(wheel: Path, pins: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    installed = _install(_venv(tmp_path_factory.mktemp("core")), wheel, pins, "")
    MEASURED["core"] = installed
    return installed


def _framework(extra: str, wheel: Path, pins: Path, root: Path) -> tuple[Installed, Installed]:
    """One environment: the framework's extra alone, then with ``emulator`` added."""
    python = _venv(root)
    alone = MEASURED[extra] = _install(python, wheel, pins, extra)
    with_emulator = MEASURED[f"{extra},emulator"] = _install(
        python, wheel, pins, f"{extra},emulator"
    )
    return alone, with_emulator


@pytest.fixture(scope="module")
def langchain_env(
    wheel: Path, pins: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Installed, Installed]:
    return _framework("langchain", wheel, pins, tmp_path_factory.mktemp("langchain"))


@pytest.fixture(scope="module")
def llamaindex_env(
    wheel: Path, pins: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Installed, Installed]:
    return _framework("llamaindex", wheel, pins, tmp_path_factory.mktemp("llamaindex"))


def _refuses(env: Installed, layer: str, extra: str) -> None:
    result = _run(env.python, "-c", f"import {layer}")
    assert result.returncode == 1, (layer, result.stdout, result.stderr)
    assert "ExtraMissingError" in result.stderr
    assert f"pip install 'memories-integrations[{extra}]'" in result.stderr


# --------------------------------------------------------------------------- the wheel


def _check_wheel_carries_the_four_packages_typing_marker_plugin_and_licence(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    packages = (
        "memories_client",
        "langchain_memories",
        "llama_index_memories",
        "memories_emulator",
    )
    for package in packages:
        assert f"{package}/__init__.py" in names
        assert f"{package}/py.typed" in names
    # The emulator is a package of its own, not a part of the core.
    assert not [n for n in names if n.startswith("memories_client/emulator")]
    assert not [n for n in names if n.startswith("tests/")]
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    plugins = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert (
        "[pytest11]\nmemories_emulator.pytest_plugin = memories_emulator.pytest_plugin" in plugins
    )
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert f"Version: {memories_client.__version__}" in text
    assert "License-Expression: MIT" in text
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "Classifier: Programming Language :: Python :: 3.10" in text
    # The frameworks are extras, not requirements of every install.
    required = [line for line in text.splitlines() if line.startswith("Requires-Dist:")]
    unconditional = [line for line in required if "extra ==" not in line]
    names = sorted(re.split(r"[<>=!~;, \[]", line.split()[1])[0] for line in unconditional)
    assert names == ["httpcore", "httpx", "pydantic"]  # httpcore: the core imports it (pyproject)
    for extra in ("langchain", "llamaindex", "emulator", "agents", "s3", "progress", "all"):
        assert f"Provides-Extra: {extra}" in text


# --------------------------------------------------------------------------- the core alone

CORE_CALL = r"""
import json, sys
import memories_client
from memories_client import ChatRequest, MemoriesClient, Message
with MemoriesClient(base_url=sys.argv[1]) as client:   # loopback: no key needed
    answer = client.chat(ChatRequest(model="gemini-2.5-flash", messages=[Message.user("Hi")]))
print(json.dumps({"version": memories_client.__version__, "file": memories_client.__file__,
                  "text": answer.text}))
"""


def _check_core_alone_is_httpx_and_pydantic_and_answers_a_call(core: Installed) -> None:
    from memories_emulator import Emulator

    assert not [p for p in core.packages if p.startswith(("langchain", "llama-index"))]
    for name in ("httpx", "pydantic", "memories-integrations"):
        assert name in core.packages
    with Emulator() as emu:
        result = _ok(_run(core.python, "-c", CORE_CALL, emu.base_url, cwd=core.python.parent))
        assert len(emu.requests) == 1
    report = json.loads(result)
    assert report["version"] == memories_client.__version__
    assert str(REPO) not in report["file"]  # the installed wheel, not this checkout
    assert report["text"].startswith("Emulated answer from gemini:gemini-2.5-flash")


def _check_core_alone_refuses_both_layers_and_the_emulator_naming_their_extras(
    core: Installed,
) -> None:
    _refuses(core, "langchain_memories", "langchain")
    _refuses(core, "llama_index_memories", "llamaindex")
    result = _run(core.python, "-m", "memories_emulator", "--port", "0")
    assert result.returncode == 2
    assert "pip install 'memories-integrations[emulator]'" in result.stderr
    assert "Traceback" not in result.stderr
    imported = _run(core.python, "-c", "from memories_emulator import Emulator")
    assert imported.returncode == 1
    assert "EmulatorExtraMissingError" in imported.stderr
    assert "memories-integrations[emulator]" in imported.stderr


def _check_an_installed_user_can_run_the_probes(core: Installed) -> None:
    # `python -m memories_client.probes` from the bare wheel (no extras), without a key: the
    # plan and its cost, nothing sent (docs/LIVE.md).
    result = _run(core.python, "-m", "memories_client.probes", cwd=core.python.parent)
    assert result.returncode == 0, result.stderr
    assert "estimated cost" in result.stdout
    assert "MEMORIES_API_KEY is not set: nothing was sent." in result.stdout


# --------------------------------------------------------------------------- [langchain]

LANGCHAIN_CALL = r"""
from langchain_memories import ChatMemoriesGemini, ChatMemoriesGPT, ChatMemoriesNova
from langchain_memories import ChatMemoriesQwen, MemoriesVideoLoader, get_memories_callback
from memories_emulator import Emulator
with Emulator() as emu:
    print(ChatMemoriesGemini(base_url=emu.base_url).invoke("Hello").text)
"""


def _check_langchain_extra_is_small_and_has_no_llama_index(
    langchain_env: tuple[Installed, Installed],
) -> None:
    alone, with_emulator = langchain_env
    print(f"\n[langchain]: {len(alone.packages)} packages, {alone.megabytes:.1f} MB")
    for env in (alone, with_emulator):
        assert not [p for p in env.packages if p.startswith("llama")], env.packages
    assert "langchain-core" in alone.packages
    assert len(alone.packages) <= LANGCHAIN_MAX_PACKAGES, alone.packages
    assert alone.megabytes <= LANGCHAIN_MAX_MB


def _check_langchain_extra_answers_against_its_emulator_and_refuses_llama_index(
    langchain_env: tuple[Installed, Installed],
) -> None:
    _, env = langchain_env
    assert env.run(LANGCHAIN_CALL).startswith("Emulated answer from gemini:gemini-2.5-flash")
    _refuses(env, "llama_index_memories", "llamaindex")


# --------------------------------------------------------------------------- [llamaindex]

LLAMAINDEX_CALL = r"""
from llama_index_memories import MemoriesMultiModal, MemoriesVideoReader
from memories_emulator import Emulator
with Emulator() as emu:
    print(MemoriesMultiModal(base_url=emu.base_url).complete("Hello").text)
"""


def _check_llamaindex_extra_has_no_langchain(llamaindex_env: tuple[Installed, Installed]) -> None:
    alone, with_emulator = llamaindex_env
    print(f"\n[llamaindex]: {len(alone.packages)} packages, {alone.megabytes:.1f} MB")
    for env in (alone, with_emulator):
        assert not [p for p in env.packages if p.startswith("langchain")], env.packages
    assert "llama-index-core" in alone.packages


def _check_llamaindex_extra_answers_against_its_emulator_and_refuses_langchain(
    llamaindex_env: tuple[Installed, Installed],
) -> None:
    _, env = llamaindex_env
    assert env.run(LLAMAINDEX_CALL).startswith("Emulated answer from gemini:gemini-2.5-flash")
    _refuses(env, "langchain_memories", "langchain")


# --------------------------------------------------------------------------- docs/SUPPORT.md

SIZES_BEGIN = "<!-- install-sizes: measured by tests/packaging/test_wheel.py -->"
SIZES_END = "<!-- /install-sizes -->"
SETS = ["core", "langchain", "langchain,emulator", "llamaindex", "llamaindex,emulator"]


def _documented() -> dict[str, tuple[int, float]]:
    table = SUPPORT.read_text().split(SIZES_BEGIN, 1)[1].split(SIZES_END, 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| (\d+) \| ([\d.]+) MB \|", table, flags=re.MULTILINE)
    return {name: (int(count), float(mb)) for name, count, mb in rows}


def _table() -> str:
    lines = ["| Install | Packages | Installed size |", "|---|---|---|"]
    for name in SETS:
        env = MEASURED[name]
        label = "memories-integrations" if name == "core" else f"memories-integrations[{name}]"
        lines.append(f"| `{label}` | {len(env.packages)} | {env.megabytes:.1f} MB |")
    return "\n".join(lines)


def _check_support_md_states_the_measured_sizes() -> None:
    table = _table()
    print("\n" + table)
    if os.environ.get("MEMORIES_WRITE_SUPPORT") == "1":
        before, rest = SUPPORT.read_text().split(SIZES_BEGIN, 1)
        SUPPORT.write_text(
            f"{before}{SIZES_BEGIN}\n{table}\n{SIZES_END}{rest.split(SIZES_END, 1)[1]}"
        )
    documented = _documented()
    for name in SETS:
        label = "memories-integrations" if name == "core" else f"memories-integrations[{name}]"
        count, mb = documented[label]
        env = MEASURED[name]
        # Within reason: a patch release may add or drop a small dependency, or a few files.
        assert abs(count - len(env.packages)) <= 2, (name, count, len(env.packages))
        assert abs(mb - env.megabytes) <= max(2.0, 0.1 * env.megabytes), (name, mb, env.megabytes)


# --------------------------------------------------------------------------- the test


# One test, so that a parallel run (pytest-xdist) builds the wheel and the environments once, in
# one worker; each check is a subtest and fails on its own.
def test_the_wheel_installed_three_ways(
    wheel: Path,
    core: Installed,
    langchain_env: tuple[Installed, Installed],
    llamaindex_env: tuple[Installed, Installed],
    subtests: pytest.Subtests,
) -> None:
    checks: list[tuple[Callable[..., None], tuple[object, ...]]] = [
        (_check_wheel_carries_the_four_packages_typing_marker_plugin_and_licence, (wheel,)),
        (_check_core_alone_is_httpx_and_pydantic_and_answers_a_call, (core,)),
        (_check_core_alone_refuses_both_layers_and_the_emulator_naming_their_extras, (core,)),
        (_check_an_installed_user_can_run_the_probes, (core,)),
        (_check_langchain_extra_is_small_and_has_no_llama_index, (langchain_env,)),
        (
            _check_langchain_extra_answers_against_its_emulator_and_refuses_llama_index,
            (langchain_env,),
        ),
        (_check_llamaindex_extra_has_no_langchain, (llamaindex_env,)),
        (
            _check_llamaindex_extra_answers_against_its_emulator_and_refuses_langchain,
            (llamaindex_env,),
        ),
        (_check_support_md_states_the_measured_sizes, ()),
    ]
    for check, args in checks:
        with subtests.test(check=check.__name__.removeprefix("_check_")):
            check(*args)
