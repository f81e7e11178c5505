"""The docs site: ``mkdocs build --strict`` from docs/ and the docstrings, and what a browser shows.

The strict build runs in ``make test-full`` and CI: a broken link or ``#section``, a reference mkdocstrings
cannot resolve, a docstring it cannot parse, or a page of docs/ missing from ``nav`` fails it.
``make docs-check`` also runs the browser test: headless Chromium (Debian's ``chromium``) opens the
built API page of ``ChatMemoriesGemini`` and its parameters must be on the rendered page. That
test runs only when ``MEMORIES_DOCS_BROWSER`` names the browser, as the Makefile sets it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BROWSER = os.environ.get("MEMORIES_DOCS_BROWSER")
# The flags that let Chromium run headless in a container, offline and without a profile.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Each build renders every page and the API reference: make test-full and CI, not make test.
pytestmark = pytest.mark.long
GEMINI_PARAMETERS = ["model", "thinking_budget", "response_schema", "response_mime_type"]


def build(site: Path, config: Path = REPO / "mkdocs.yml") -> subprocess.CompletedProcess[str]:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    return subprocess.run(
        [str(mkdocs), "build", "--strict", "--config-file", str(config), "--site-dir", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if built := os.environ.get("MEMORIES_DOCS_SITE"):
        return REPO / built  # `make docs-check`: the site `make docs` just built, strictly
    out = tmp_path_factory.mktemp("site")
    result = build(out)
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == []
    return out


def gemini_section(html: str) -> str:
    start = html.index('id="langchain_memories.ChatMemoriesGemini"')
    return html[start : html.index('id="langchain_memories.ChatMemoriesNova"', start)]


def test_the_site_builds_strictly_with_every_page(site: Path) -> None:
    nav = (REPO / "mkdocs.yml").read_text()
    for page in sorted((REPO / "docs").glob("*.md")):
        assert f": {page.name}" in nav, f"{page.name} is not in mkdocs.yml's nav"
        built = site / ("index.html" if page.stem == "index" else f"{page.stem}/index.html")
        assert built.exists(), page.name


def test_the_api_reference_is_read_from_the_docstrings(site: Path) -> None:
    html = (site / "api" / "langchain" / "index.html").read_text()
    section = gemini_section(html)
    for name in GEMINI_PARAMETERS:
        assert f"<code>{name}</code>" in section, name
    assert "1,000 tokens" in section  # the service's max_tokens default, with the parameters
    core = (site / "api" / "core" / "index.html").read_text()
    assert 'id="memories_client.MemoriesClient"' in core
    assert 'id="llama_index_memories.MemoriesMultiModal"' in (
        (site / "api" / "llamaindex" / "index.html").read_text()
    )


def test_a_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    # A copy of docs/ with one broken link, built with the project's configuration.
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    shutil.copy(REPO / "mkdocs_hooks.py", tmp_path)
    config = (REPO / "mkdocs.yml").read_text().replace("paths: [.]", f"paths: [{REPO}]")
    (tmp_path / "mkdocs.yml").write_text(config)
    with (tmp_path / "docs" / "ERRORS.md").open("a") as page:
        page.write("\n[gone](NO_SUCH_PAGE.md#nowhere)\n")
    result = build(tmp_path / "site", tmp_path / "mkdocs.yml")
    assert result.returncode != 0
    assert "NO_SUCH_PAGE.md" in result.stderr


@pytest.mark.skipif(not BROWSER, reason="make docs-check sets MEMORIES_DOCS_BROWSER")
def test_browser_renders_the_parameters_of_chat_memories_gemini(site: Path) -> None:
    page = (site / "api" / "langchain" / "index.html").as_uri()
    with tempfile.TemporaryDirectory(prefix="memories-chromium-") as profile:
        result = subprocess.run(
            [BROWSER, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    section = gemini_section(dom)
    assert re.search(r"Parameters:", section)
    rendered = [name for name in GEMINI_PARAMETERS if f"<code>{name}</code>" in section]
    print(f"\nChromium rendered ChatMemoriesGemini's parameters: {', '.join(rendered)}")
    assert rendered == GEMINI_PARAMETERS
