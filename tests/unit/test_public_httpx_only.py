"""The packages use httpx and httpcore through their public names only.

The deadline once reached into ``client._transport._pool._network_backend``; a dependency
update could change that shape at any time. Now the clients build their transports with public
constructors (docs/ARCHITECTURE.md, "Deadlines"), and this test keeps it so: it reads the
sources of httpx and httpcore for their private names (attributes set on ``self``, methods,
functions and modules starting with one underscore) and fails if a package

* imports a private module or name of httpx or httpcore,
* reads or writes one of those names on an object other than its own ``self`` (directly or
  through ``getattr``/``setattr``/``hasattr``/``delattr``), or
* defines one of them in a class derived from httpx or httpcore (overriding a private hook).

A private name of httpx that the packages also give their own objects (``self._x = ...`` in a
class of ours) is not counted: the test cannot tell whose object an attribute is read from.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("memories_client", "langchain_memories", "llama_index_memories", "memories_emulator")
LIBRARIES = ("httpx", "httpcore")
ACCESSORS = {"getattr", "setattr", "hasattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _sources(folder: Path) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(folder.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _assigned_on_self(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if (
                    isinstance(part, ast.Attribute)
                    and isinstance(part.value, ast.Name)
                    and part.value.id in ("self", "cls")
                    and _private(part.attr)
                ):
                    names.add(part.attr)
    return names


@cache
def library_private_names() -> frozenset[str]:
    """Every private name httpx and httpcore set on ``self`` or define, and their modules."""
    names: set[str] = set()
    for library in LIBRARIES:
        spec = importlib.util.find_spec(library)
        assert spec is not None and spec.origin is not None
        folder = Path(spec.origin).parent
        for path, tree in _sources(folder):
            names |= set(path.relative_to(folder).with_suffix("").parts)
            names |= _assigned_on_self(tree)
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(node.name)
    return frozenset(name for name in names if _private(name))


def _library_aliases(tree: ast.Module) -> set[str]:
    """The local names a module binds to httpx, httpcore or anything imported from them."""
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in LIBRARIES or alias.name.startswith("httpx_"):
                    aliases.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            root = node.module.split(".")[0]
            if root in LIBRARIES or root.startswith("httpx_"):
                aliases |= {alias.asname or alias.name for alias in node.names}
    return aliases


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def violations(tree: ast.Module, private: frozenset[str], ours: set[str]) -> list[str]:
    """What ``tree`` does with a private name of httpx or httpcore, one line per place."""
    found = []
    aliases = _library_aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in LIBRARIES and any(_private(part) for part in parts[1:]):
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            parts = node.module.split(".")
            names = [alias.name for alias in node.names]
            if parts[0] in LIBRARIES and any(_private(p) for p in parts[1:] + names):
                found.append(f"{node.lineno}: from {node.module} import {', '.join(names)}")
        elif isinstance(node, ast.Attribute) and node.attr in private:
            on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not on_self and node.attr not in ours:
                found.append(f"{node.lineno}: .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ACCESSORS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in private
            and node.args[1].value not in ours
        ):
            found.append(f"{node.lineno}: {node.func.id}(..., {node.args[1].value!r})")
        elif isinstance(node, ast.ClassDef) and any(
            _root_name(base) in aliases for base in node.bases
        ):
            own = _assigned_on_self(node)  # a name the class sets itself is its own
            for item in ast.walk(node):
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    item.name in private
                ):
                    found.append(f"{item.lineno}: {node.name}.{item.name} overrides a private hook")
                elif (
                    isinstance(item, ast.Attribute)
                    and isinstance(item.value, ast.Name)
                    and item.value.id == "self"
                    and item.attr in private
                    and item.attr not in own
                ):
                    found.append(f"{item.lineno}: {node.name} uses self.{item.attr}")
    return found


def test_the_packages_use_no_private_name_of_httpx_or_httpcore() -> None:
    private = library_private_names()
    trees = [(path, tree) for package in PACKAGES for path, tree in _sources(ROOT / package)]
    ours = set().union(*(_assigned_on_self(tree) for _, tree in trees))
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path, tree in trees
        for line in violations(tree, private, ours)
    ]
    assert found == []


def test_it_finds_each_way_of_reaching_in() -> None:
    # The shapes the deadline once used, and the other ways in; each must be reported.
    reaching_in = """
import httpx
import httpcore
from httpx._utils import get_environment_proxies
from httpx import _config
import httpx._transports.default

def install(client):
    pool = client._transport._pool
    pool._network_backend = object()
    return getattr(client, "_mounts", {})

class Client(httpx.AsyncClient):
    def _init_proxy_transport(self, proxy):
        return self._transport
"""
    found = violations(ast.parse(reaching_in), library_private_names(), set())
    assert sorted(found, key=lambda line: int(line.split(":")[0])) == [
        "4: from httpx._utils import get_environment_proxies",
        "5: from httpx import _config",
        "6: import httpx._transports.default",
        "9: ._pool",
        "9: ._transport",
        "10: ._network_backend",
        "11: getattr(..., '_mounts')",
        "14: Client._init_proxy_transport overrides a private hook",
        "15: Client uses self._transport",
    ]


def test_public_names_and_our_own_attributes_pass() -> None:
    public = """
import httpcore
import httpx

class Transport(httpx.BaseTransport):
    def __init__(self, pool):
        self._httpcore_pool = pool

    def handle_request(self, request):
        return self._httpcore_pool.handle_request(request)

client = httpx.Client(transport=Transport(httpcore.ConnectionPool()), mounts={})
"""
    assert violations(ast.parse(public), library_private_names(), set()) == []
