"""The documentation stays true: every example runs, every link and section reference resolves.

* Every ```` ```python ```` block in the README, ``docs/*.md`` and ``notebooks/README.md`` runs
  against the emulator (``MEMORIES_API_KEY`` / ``MEMORIES_BASE_URL`` point at it), each block on
  its own, in a fresh namespace. A block that builds on the one before it says so with the line
  ``<!-- continues -->`` right above its fence, and then runs in that block's namespace.
* Every ```` ```bash ```` block passes ``bash -n`` (install and configure commands are not run).
* Every relative link in the project's Markdown files points to a file that exists, and every ``#section`` reference to a heading that exists (GitHub's anchor rules).
"""

from __future__ import annotations

import inspect
import logging
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from memories_emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_FILES = [
    REPO / "README.md",
    *sorted((REPO / "docs").glob("*.md")),
    REPO / "notebooks" / "README.md",
]
# Every Markdown file of the project (not those inside virtual environments or caches, nor in
# the copy of the tree that `make mutate` leaves in mutants/).
LINKED_FILES = sorted(
    path
    for path in REPO.rglob("*.md")
    if not any(part.startswith(".") for part in path.relative_to(REPO).parts)
    and path.relative_to(REPO).parts[0] != "mutants"
)
CONTINUES = "<!-- continues -->"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", flags=re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    path: Path
    number: int  # 1-based among the file's blocks of this language
    line: int
    code: str
    continues: bool

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def blocks(path: Path, language: str) -> list[Block]:
    text = path.read_text()
    found = []
    for match in FENCE.finditer(text):
        if match.group(1) != language:
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        found.append(
            Block(
                path=path,
                number=len(found) + 1,
                line=text.count("\n", 0, match.start()) + 1,
                code=match.group(2),
                continues=before.strip() == CONTINUES,
            )
        )
    return found


def chains() -> list[list[Block]]:
    """Python blocks grouped so that each group runs in one namespace."""
    out: list[list[Block]] = []
    for path in EXAMPLE_FILES:
        for block in blocks(path, "python"):
            if block.continues:
                assert out and out[-1][0].path == path, f"{block.name} continues nothing"
                out[-1].append(block)
            else:
                out.append([block])
    return out


CHAINS = chains()


@pytest.fixture
def isolated_globals() -> Iterator[None]:
    """Undo what examples change globally: LlamaIndex Settings, logging levels, LLM caches."""
    from langchain_core.globals import get_llm_cache, set_llm_cache
    from llama_index.core import Settings

    callback_manager = Settings._callback_manager
    llm = Settings._llm
    embed_model = Settings._embed_model
    cache = get_llm_cache()
    loggers = {name: logging.getLogger(name).level for name in ("memories_client", "httpx")}
    root_handlers = list(logging.getLogger().handlers)
    yield
    Settings._callback_manager = callback_manager
    Settings._llm = llm
    Settings._embed_model = embed_model
    set_llm_cache(cache)
    for name, level in loggers.items():
        logging.getLogger(name).setLevel(level)
    logging.getLogger().handlers[:] = root_handlers


@pytest.mark.usefixtures("isolated_globals")
@pytest.mark.parametrize("chain", CHAINS, ids=[c[0].name for c in CHAINS])
def test_python_example_runs(
    chain: list[Block],
    memories_emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    memories_emulator.reset()
    monkeypatch.setenv("MEMORIES_API_KEY", "docs-test-key")
    monkeypatch.setenv("MEMORIES_BASE_URL", memories_emulator.base_url)
    namespace: dict[str, object] = {"__name__": "docs_example"}
    for block in chain:
        try:
            exec(compile(block.code, block.name, "exec", dont_inherit=True), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{block.name} raised {exc!r}\n{block.code}")
    # An example that shows pytest tests is run as pytest would, with the emulator's fixtures:
    # the session one reset before each test, a fresh one per test, the environment set.
    for name, test in list(namespace.items()):
        if name.startswith("test_") and callable(test):
            memories_emulator.reset()
            with Emulator() as fresh, monkeypatch.context() as env:
                wanted = inspect.signature(test).parameters
                if "memories_emulator_fn_env" in wanted:
                    env.setenv("MEMORIES_BASE_URL", fresh.base_url)
                fixtures = {
                    "memories_emulator": memories_emulator,
                    "memories_emulator_env": memories_emulator,
                    "memories_emulator_fn": fresh,
                    "memories_emulator_fn_env": fresh,
                }
                test(**{arg: fixtures[arg] for arg in wanted})
    assert all(r.status == 200 for r in memories_emulator.requests)
    assert "docs-test-key" not in capsys.readouterr().out


SHELL_BLOCKS = [b for path in EXAMPLE_FILES for b in blocks(path, "bash")]


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=[b.name for b in SHELL_BLOCKS])
def test_shell_example_is_valid_bash(block: Block) -> None:
    result = subprocess.run(
        ["bash", "-n"],
        input=block.code,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{block.name}: {result.stderr}"


def test_every_example_file_has_examples() -> None:
    # A change to the fence pattern that found nothing would make the tests above vacuous.
    for name in ("README.md", "docs/EMULATOR.md", "docs/LANGCHAIN.md", "docs/LLAMAINDEX.md"):
        assert len(blocks(REPO / name, "python")) >= 3, name
    assert blocks(REPO / "notebooks" / "README.md", "bash")


# --------------------------------------------------------------------------- links


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text())
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)}


def links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text())
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.findall(r"\]\(([^)\s]+)\)", text)


@pytest.mark.parametrize("path", LINKED_FILES, ids=[str(p.relative_to(REPO)) for p in LINKED_FILES])
def test_relative_links_and_section_references_resolve(path: Path) -> None:
    broken = []
    for target in links(path):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue  # an absolute URL: not ours to check offline
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no section #{anchor} in {dest.name}")
    assert broken == [], f"{path.relative_to(REPO)}: {broken}"


def test_slug_follows_github() -> None:
    assert slug("What the API docs leave unknown, and what this package does") == (
        "what-the-api-docs-leave-unknown-and-what-this-package-does"
    )
    assert slug("`make test` and CI") == "make-test-and-ci"


# --------------------------------------------------------------------------- stated facts


@pytest.mark.parametrize(
    ("module", "variable", "stated"),
    [
        ("test_fuzz_inputs.py", "RELIABILITY_FUZZ_EXAMPLES", "2,000 examples each by default"),
        ("test_fuzz_responses.py", "RELIABILITY_RESPONSE_EXAMPLES", "1,000 examples per target by"),
    ],
)
def test_reliability_md_states_the_fuzz_defaults_the_code_uses(
    module: str, variable: str, stated: str
) -> None:
    source = (REPO / "tests" / "reliability" / module).read_text()
    default = re.search(rf'"{variable}", "(\d+)"', source)
    assert default, f"{module} no longer reads {variable} with a default"
    doc = " ".join((REPO / "tests" / "RELIABILITY.md").read_text().split())
    assert stated in doc
    assert f"{int(default.group(1)):,}" == stated.split()[0]


def test_the_documented_ci_commands_are_what_ci_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci and "\nmake test-lowest\n" in ci
    development = (REPO / "docs" / "DEVELOPMENT.md").read_text()
    assert (
        "make test-lowest   # the suite on the lowest versions pyproject.toml admits (also in CI)"
        in development
    )


def test_the_readme_is_a_front_door() -> None:
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= 160
    for page in ("LANGCHAIN", "LLAMAINDEX", "VIDEO_RAG", "EMULATOR", "CONFIGURATION", "ERRORS"):
        assert f"](docs/{page}.md)" in readme, page
    assert "make docs-check" in readme


def test_the_readme_rag_example_fails_loudly_when_every_video_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No silent empty result: with the service refusing every call, the snippet raises rather
    # than printing nothing and exiting 0.
    from memories_client import MemoriesError

    (rag,) = [c for c in CHAINS if "MemoriesVideoLoader(videos" in c[0].code]
    with Emulator(fault="401") as refusing:
        monkeypatch.setenv("MEMORIES_API_KEY", "docs-test-key")
        monkeypatch.setenv("MEMORIES_BASE_URL", refusing.base_url)
        with pytest.raises(MemoriesError):
            exec(compile(rag[0].code, rag[0].name, "exec"), {"__name__": "docs_example"})
        assert refusing.requests, "the example never called the service"


@pytest.mark.parametrize(
    "heading", ["LangChain in ten lines", "LlamaIndex in ten lines", "Video RAG in ten lines"]
)
def test_the_ten_line_examples_have_ten_lines_at_most(heading: str) -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split(f"## {heading}\n", 1)[1]
    code = FENCE.search(section)
    assert code is not None and code.group(1) == "python"
    assert len(code.group(2).strip().splitlines()) <= 10


def test_readme_has_the_setup_commands_first() -> None:
    first_block = blocks(REPO / "README.md", "bash")[0]
    lines = first_block.code.splitlines()
    assert lines[0].startswith("make demo") and lines[1].startswith("make test")
