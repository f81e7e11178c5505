"""The core's public surface stays small, documented, and the only door the layers use.

* ``memories_client.__all__`` holds at most 45 names, each shown in a doc or an example.
* The implementation modules are private; the public ones are the documented entry points.
* The framework layers import the core from four places only: ``memories_client``,
  ``memories_client.integration`` (the kit for layer authors), ``memories_client.uploads`` and
  ``memories_client.video_scenes``, and only names those modules export.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path

import pytest

import memories_client
import memories_client.integration
import memories_client.uploads
import memories_client.video_scenes

ROOT = Path(__file__).resolve().parents[2]
MAX_NAMES = 45

# The modules of memories_client a user or a layer author may import; everything else at the
# top of the package starts with an underscore. docs/ARCHITECTURE.md ("The public surface")
# says why each is public.
PUBLIC_MODULES = {
    "catalog",
    "dialects",
    "errors",
    "integration",
    "probes",
    "schema",
    "tokens",
    "types",
    "uploads",
    "video_scenes",
}

# Where the layers may import the core from.
LAYER_SOURCES = (
    "memories_client",
    "memories_client.integration",
    "memories_client.uploads",
    "memories_client.video_scenes",
)
LAYERS = ("langchain_memories", "llama_index_memories")

_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
_INLINE = re.compile(r"`([^`\n]+)`")


def _code_of_markdown(text: str) -> str:
    """The code a page shows: its fenced blocks and its inline code, not its prose."""
    return "\n".join([*_FENCE.findall(text), *_INLINE.findall(_FENCE.sub("", text))])


def _shown_code() -> dict[str, str]:
    """The code of every doc and example, by path: where a user learns a name."""
    shown: dict[str, str] = {}
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for page in pages:
        shown[str(page.relative_to(ROOT))] = _code_of_markdown(page.read_text())
    for example in sorted((ROOT / "examples").glob("*.py")):
        shown[str(example.relative_to(ROOT))] = example.read_text()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        code = [
            "".join(c["source"])
            if c["cell_type"] == "code"
            else _code_of_markdown("".join(c["source"]))
            for c in cells
        ]
        shown[str(notebook.relative_to(ROOT))] = "\n".join(code)
    return shown


def test_the_core_exports_at_most_45_names() -> None:
    assert len(memories_client.__all__) <= MAX_NAMES, sorted(memories_client.__all__)
    assert len(set(memories_client.__all__)) == len(memories_client.__all__)


def test_every_exported_name_is_shown_in_a_doc_or_an_example() -> None:
    code = "\n".join(_shown_code().values())
    unshown = [
        name for name in memories_client.__all__ if not re.search(rf"\b{re.escape(name)}\b", code)
    ]
    assert unshown == [], (
        "exported but shown in no doc or example (in code, not prose): show it or drop it"
    )


def test_uploads_and_video_scenes_are_reached_through_their_own_package() -> None:
    for package in (memories_client.uploads, memories_client.video_scenes):
        again = sorted(set(package.__all__) & set(memories_client.__all__))
        assert again == [], f"{package.__name__} names re-exported at the top: {again}"


def test_only_the_documented_modules_are_public() -> None:
    top = {info.name for info in pkgutil.iter_modules(memories_client.__path__)}
    public = {name for name in top if not name.startswith("_")}
    assert public == PUBLIC_MODULES
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    section = architecture.split("## The public surface", 1)[1].split("\n## ", 1)[0]
    undocumented = sorted(name for name in public if f"`{name}`" not in section)
    assert undocumented == []


@pytest.mark.parametrize(
    "module", ["memories_client", "memories_client.integration"], ids=lambda m: m
)
def test_every_exported_name_exists(module: str) -> None:
    imported = importlib.import_module(module)
    missing = [name for name in imported.__all__ if not hasattr(imported, name)]
    assert missing == []


def test_every_integration_helper_has_a_docstring_example() -> None:
    kit = memories_client.integration
    assert "not a stable user API" in (kit.__doc__ or "")
    helpers = [
        name
        for name in kit.__all__
        if inspect.isclass(getattr(kit, name)) or inspect.isfunction(getattr(kit, name))
    ]
    missing = [name for name in helpers if ">>>" not in (getattr(kit, name).__doc__ or "")]
    assert missing == []


def _layer_files() -> list[Path]:
    return sorted(path for layer in LAYERS for path in (ROOT / layer).glob("*.py"))


def _exports(module: str) -> set[str]:
    return set(importlib.import_module(module).__all__)


def core_imports_out_of_bounds(path: Path) -> list[str]:
    """Every place a layer module reaches the core other than through its allowed doors."""
    tree = ast.parse(path.read_text())
    aliases: dict[str, str] = {}  # local name -> core module it stands for
    wrong: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "memories_client":
                    continue
                if alias.name not in LAYER_SOURCES:
                    wrong.append(f"line {node.lineno}: import {alias.name}")
                elif alias.asname:
                    aliases[alias.asname] = alias.name
                elif alias.name == "memories_client":
                    aliases["memories_client"] = alias.name
                else:
                    wrong.append(f"line {node.lineno}: import {alias.name} without an alias")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("memories_client"):
            module = node.module or ""
            if module not in LAYER_SOURCES:
                wrong.append(f"line {node.lineno}: from {module} import ...")
                continue
            for alias in node.names:
                if alias.name not in _exports(module):
                    wrong.append(f"line {node.lineno}: {alias.name} is not in {module}.__all__")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            module = aliases[node.value.id]
            if node.attr not in _exports(module) | {"__version__"}:
                wrong.append(f"line {node.lineno}: {node.value.id}.{node.attr} is not exported")
    return wrong


@pytest.mark.parametrize("path", _layer_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_layers_import_the_core_only_through_its_public_doors(path: Path) -> None:
    assert core_imports_out_of_bounds(path) == []


def test_the_import_check_catches_a_private_module_and_a_private_name(tmp_path: Path) -> None:
    layer = tmp_path / "layer.py"
    layer.write_text(
        "import memories_client as mc\n"
        "import memories_client.integration as kit\n"
        "from memories_client._tool_calls import offered_tools\n"
        "from memories_client.dialects import dialect_for\n"
        "from memories_client import refuse_unknown\n"
        "mc.Message, mc.ClientOptions, kit.ClientOptions, kit.MemoriesClient\n"
    )
    found = core_imports_out_of_bounds(layer)
    assert [line.split(": ", 1)[1] for line in found] == [
        "from memories_client._tool_calls import ...",
        "from memories_client.dialects import ...",
        "refuse_unknown is not in memories_client.__all__",
        "mc.ClientOptions is not exported",
        "kit.MemoriesClient is not exported",
    ]


def test_the_export_table_of_the_core_guide_names_real_exports() -> None:
    guide = (ROOT / "docs" / "CORE.md").read_text()
    table = guide.split("## What the package exports", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `memories_client")]
    assert len(rows) >= 9
    wrong = []
    for row in rows:
        where, what = row.strip("|").split("|", 1)
        modules = re.findall(r"`(memories_client[\w.]*)`", where)
        exported = set().union(*(_exports(module) for module in modules))
        names = {n for n in re.findall(r"`(\w+)`", what) if n[0].isupper() or "_" in n}
        wrong += [f"{name} ({', '.join(modules)})" for name in sorted(names - exported)]
    assert wrong == []
