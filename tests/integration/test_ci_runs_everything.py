"""The two loops: `make test` is quick, and CI still runs the whole suite at full strength.

`make test` (the inner loop, the README's test command) leaves out the tests marked ``long`` and
runs those marked ``fuzz`` with fewer examples; `make test-full` runs exactly those two groups at
full strength; `.ci/run` runs `make test`, then `make test-full`, then `make test-lowest`. These
tests read what the Makefile would run (``make -n``), so a change to a recipe that lets a test
fall between the two loops, or a fuzz run that forgets its marker, fails here.
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The markers that decide which loop a test runs in (pyproject.toml registers them).
LOOP_MARKERS = ("long", "fuzz")
# Each fuzz module and the variable that sizes its runs (tests/RELIABILITY.md gives the defaults).
SIZED = {
    "test_fuzz_inputs.py": "RELIABILITY_FUZZ_EXAMPLES",
    "test_fuzz_responses.py": "RELIABILITY_RESPONSE_EXAMPLES",
}
# The ones make test shortens (the others keep their full count in both loops).
SHORTENED = {"test_fuzz_inputs.py"}


def pytest_command(target: str) -> list[str]:
    """The words of the one pytest command `make -n <target>` prints (variables assigned first)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_WORKERS", "PYTEST_ARGS")}
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.replace("\\\n", " ")
    (line,) = [line for line in dry.splitlines() if re.search(r"/pytest\s", line)]
    return shlex.split(line)


def assignments(words: list[str]) -> dict[str, str]:
    """The ``NAME=value`` words before the command itself."""
    found = {}
    for word in itertools.takewhile(lambda w: re.fullmatch(r"[A-Z_]+=.*", w), words):
        name, value = word.split("=", 1)
        found[name] = value
    return found


def marker_expression(words: list[str]) -> str | None:
    """The ``-m`` expression of a pytest command (None: every test)."""
    expressions = [words[i + 1] for i, word in enumerate(words) if word == "-m"]
    assert len(expressions) <= 1, words
    return expressions[0] if expressions else None


def selects(expression: str | None, markers: set[str]) -> bool:
    """Whether ``-m expression`` selects a test carrying ``markers`` (pytest's boolean rules)."""
    if expression is None:
        return True
    words = re.findall(r"\w+|[()]", expression)
    unknown = set(words) - {"and", "or", "not", "(", ")", *LOOP_MARKERS}
    assert not unknown, f"-m {expression!r} uses markers this test does not know: {unknown}"
    namespace = {name: name in markers for name in LOOP_MARKERS}
    return bool(eval(expression, {"__builtins__": {}}, namespace))  # only the names above


def fuzz_default(module: str, variable: str) -> int:
    source = (REPO / "tests" / "reliability" / module).read_text()
    found = re.search(rf'"{variable}", "(\d+)"', source)
    assert found, f"{module} no longer reads {variable} with a default"
    return int(found.group(1))


def test_ci_runs_the_readme_command_then_the_rest_at_full_strength() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    commands = re.findall(r"^make [\w-]+$", ci, flags=re.MULTILINE)
    assert commands == ["make test", "make test-full", "make test-lowest"]
    # A sizing variable left in CI's environment would shorten the full-strength fuzz runs.
    unset = re.search(r"^unset (.*RELIABILITY.*) \|\| true$", ci, flags=re.MULTILINE)
    assert unset is not None and set(SIZED.values()) <= set(unset.group(1).split())
    assert ci.index("unset RELIABILITY") < ci.index("\nmake test\n")


def test_the_two_loops_together_run_every_test_and_every_fuzz_run_in_full() -> None:
    quick, full = pytest_command("pytest"), pytest_command("test-full")
    quick_m, full_m = marker_expression(quick), marker_expression(full)
    for markers in map(set, itertools.chain.from_iterable(
        itertools.combinations(LOOP_MARKERS, n) for n in range(len(LOOP_MARKERS) + 1)
    )):  # fmt: skip
        in_quick, in_full = selects(quick_m, markers), selects(full_m, markers)
        assert in_quick or in_full, f"a test marked {markers or 'nothing'} runs in neither loop"
        if in_quick and "fuzz" in markers:
            assert in_full, "a fuzz run shortened in make test must run in full in make test-full"
    assert not selects(quick_m, {"long"}), "make test is the inner loop: long tests wait for CI"
    # make test shortens the fuzz runs; make test-full leaves them at the modules' defaults.
    quick_env, full_env = assignments(quick), assignments(full)
    for module, variable in SIZED.items():
        if module in SHORTENED:
            assert 0 < int(quick_env[variable]) < fuzz_default(module, variable)
        else:  # its runs are not marked fuzz (see below), so make test-full would not run them
            assert variable not in quick_env
        assert variable not in full_env
    # The lowest set is checked on the whole suite, at full strength.
    lowest = pytest_command("test-lowest")
    assert marker_expression(lowest) is None
    assert not set(assignments(lowest)) & set(SIZED.values())


@pytest.mark.parametrize("module", sorted(SIZED))
def test_the_fuzz_runs_make_test_shortens_and_only_those_are_marked_fuzz(module: str) -> None:
    # A test whose body runs a property under FUZZ (the settings sized by the variable) in a
    # module make test shortens must carry the marker, or make test-full would never run it
    # at its full count; in a module make test does not shorten, the marker would only run it
    # twice.
    tree = ast.parse((REPO / "tests" / "reliability" / module).read_text())
    sized, marked = set(), set()
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        if any(
            isinstance(inner, ast.FunctionDef)
            and any(isinstance(d, ast.Name) and d.id == "FUZZ" for d in inner.decorator_list)
            for inner in ast.walk(node)
        ):
            sized.add(node.name)
        if any(ast.unparse(d) == "pytest.mark.fuzz" for d in node.decorator_list):
            marked.add(node.name)
    assert sized, f"{module} runs no property under FUZZ any more"
    assert marked == (sized if module in SHORTENED else set())


def test_the_only_sized_runs_are_the_fuzz_modules() -> None:
    # Another module sized by an environment variable would need the same marker and a check.
    readers = {
        path.name
        for path in (REPO / "tests").rglob("test_*.py")
        if re.search(r'environ\.get\("RELIABILITY_\w+_EXAMPLES"', path.read_text())
    }
    assert readers == set(SIZED)


def test_every_loop_runs_two_workers_per_core_that_steal_work() -> None:
    # Many tests wait on loopback servers and timeouts: one worker per core would leave it idle.
    for target in ("pytest", "test-full", "test-lowest"):
        words = pytest_command(target)
        assert words[words.index("-n") + 1] == str(2 * (os.cpu_count() or 1)), target
        assert words[words.index("--dist") + 1] == "worksteal", target


def test_the_docs_name_both_loops_and_the_quick_counts() -> None:
    readme = (REPO / "README.md").read_text()
    assert re.search(r"^make test-full +# .*CI", readme, flags=re.MULTILINE)
    development = (REPO / "docs" / "DEVELOPMENT.md").read_text()
    assert "make test-full" in development
    reliability = " ".join((REPO / "tests" / "RELIABILITY.md").read_text().split())
    quick = assignments(pytest_command("pytest"))
    for module in SHORTENED:
        variable = SIZED[module]
        assert f"`{variable}={quick[variable]}` examples" in reliability, variable
