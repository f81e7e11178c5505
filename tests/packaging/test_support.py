"""docs/SUPPORT.md, pyproject.toml, the lowest set, the Makefile and the packages agree.

Each statement in docs/SUPPORT.md's tables that can drift is read back here: the ranges, the
floors `make test-lowest` installs, the Pythons in the classifiers and in `make test-pythons`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
SUPPORT = (REPO / "docs" / "SUPPORT.md").read_text()
LOWEST = (REPO / "requirements" / "lowest.txt").read_text()
MAKEFILE = (REPO / "Makefile").read_text()


def _support_rows() -> dict[str, tuple[str, str]]:
    """Package -> (range, floor tested) from the table under the `support-table` marker."""
    table = SUPPORT.split("<!-- support-table:", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, tuple[str, str]] = {}
    for line in table.splitlines()[3:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = (cells[1].strip("`"), cells[2])
    return rows


def _declared() -> dict[str, str]:
    """The core's dependencies and the two frameworks' extras (the table's rows)."""
    extras = PYPROJECT["project"]["optional-dependencies"]
    out = {}
    for requirement in [
        *PYPROJECT["project"]["dependencies"],
        *extras["langchain"],
        *extras["llamaindex"],
    ]:
        name, spec = re.fullmatch(r"([A-Za-z0-9_.\-]+)(.*)", requirement).groups()  # type: ignore[union-attr]
        out[name.lower()] = spec
    return out


def _pinned(name: str) -> str:
    match = re.search(rf"^{re.escape(name)}==([^\s\\]+)", LOWEST, flags=re.MULTILINE)
    assert match, f"{name} is not pinned in requirements/lowest.txt"
    return match.group(1)


def test_every_library_dependency_is_in_the_support_table_with_its_range() -> None:
    rows = _support_rows()
    assert {name: spec for name, (spec, _) in rows.items()} == _declared()


@pytest.mark.parametrize("name", sorted(_declared()))
def test_the_lowest_set_installs_exactly_each_declared_floor(name: str) -> None:
    floor = re.search(r">=([0-9][^,]*)", _declared()[name]).group(1)  # type: ignore[union-attr]
    pinned = _pinned(name)
    # A floor of "1.6" is met by "1.6.0": compare release segments padded with zeros.
    as_tuple = lambda v: tuple(int(p) for p in v.split("."))  # noqa: E731
    width = max(len(floor.split(".")), len(pinned.split(".")))
    pad = lambda t: t + (0,) * (width - len(t))  # noqa: E731
    assert pad(as_tuple(pinned)) == pad(as_tuple(floor)), (name, floor, pinned)
    assert _support_rows()[name][1] == pinned


def test_pythons_agree_between_requires_python_classifiers_docs_and_make() -> None:
    assert PYPROJECT["project"]["requires-python"] == ">=3.10"
    classified = sorted(
        c.rsplit(" ", 1)[1]
        for c in PYPROJECT["project"]["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    )
    documented = re.findall(r"^\| (3\.\d+) \|", SUPPORT, flags=re.MULTILINE)
    assert classified == documented == ["3.10", "3.11", "3.12", "3.13"]
    other = re.search(r"^OTHER_PYTHONS \?= (.+)$", MAKEFILE, flags=re.MULTILINE).group(1)  # type: ignore[union-attr]
    assert other.split() == ["3.10", "3.13"]
    assert "python_version" not in PYPROJECT["tool"]["mypy"]


def test_one_version_for_the_three_packages() -> None:
    import langchain_memories
    import llama_index_memories
    import memories_client

    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "memories_client/_version.py"
    versions = {m.__version__ for m in (memories_client, langchain_memories, llama_index_memories)}
    assert versions == {memories_client.__version__}


def test_readme_links_stay_inside_the_repository() -> None:
    readme = (REPO / "README.md").read_text()
    targets = re.findall(r"\]\(([^)]+)\)", readme)
    assert targets, "the README has no links at all: did the pattern break?"
    outside = [t for t in targets if re.match(r"[a-z]+:", t) or t.startswith("../")]
    assert outside == []
    for target in targets:
        path = target.split("#", 1)[0]
        if path:
            assert (REPO / path).exists(), target
