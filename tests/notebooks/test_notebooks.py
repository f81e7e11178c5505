"""Run every notebook in notebooks/ top to bottom against the bundled emulator.

Each notebook starts the emulator itself when MEMORIES_API_KEY is unset, so the test only has to
unset the key and execute an in-memory copy with nbclient (the stored outputs are never
rewritten here). The kernel is this interpreter (the project's .venv): a kernelspec named
``python3`` pointing at ``sys.executable`` is written to a temporary directory put first on
JUPYTER_PATH, so no user-level or system kernelspec can substitute another Python.

To run them and keep the executed copies elsewhere, leaving the committed notebooks untouched:

    .venv/bin/python tests/notebooks/test_notebooks.py --out /tmp/notebooks   # every notebook

To refresh the outputs stored in the notebooks after editing them (offline, from the repo root):

    .venv/bin/python tests/notebooks/test_notebooks.py --write            # every notebook
    .venv/bin/python tests/notebooks/test_notebooks.py --write 02_video_rag_agent
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds per cell
KERNEL_NAME = "python3"
# Variables the notebooks read to choose between the real API and the emulator.
_BACKEND_VARS = ("MEMORIES_API_KEY", "MEMORIES_BASE_URL")


@contextmanager
def offline_kernel_env() -> Iterator[None]:
    """A ``python3`` kernelspec for this interpreter, and no key or base URL in the environment.

    The kernel inherits this process's environment, so unsetting the variables here is what
    makes the notebooks pick the emulator.
    """
    saved = {name: os.environ.get(name) for name in (*_BACKEND_VARS, "JUPYTER_PATH")}
    with tempfile.TemporaryDirectory(prefix="memories-kernels-") as tmp:
        spec_dir = Path(tmp) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (memories-integrations .venv)",
            "language": "python",
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec))
        for name in _BACKEND_VARS:
            os.environ.pop(name, None)
        os.environ["JUPYTER_PATH"] = os.pathsep.join([tmp, *filter(None, [saved["JUPYTER_PATH"]])])
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def execute(path: Path) -> nbformat.NotebookNode:
    """Execute a copy of the notebook at ``path`` (in its directory); return the copy.

    Raises:
        nbclient.exceptions.CellExecutionError: If a cell raises.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name=KERNEL_NAME,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return nb


def first_output_text(nb: nbformat.NotebookNode) -> str:
    """The text printed by the first code cell (the backend cell)."""
    cell = next(c for c in nb.cells if c.cell_type == "code")
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 4, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_outputs_come_from_the_emulator(path: Path) -> None:
    """Outputs are saved, and labelled as an emulator run (never a run with someone's key)."""
    nb = nbformat.read(path, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert any(c.get("outputs") for c in code_cells), f"{path.name} has no saved outputs"
    assert "EMULATOR" in first_output_text(nb), f"{path.name}: first output must name the backend"
    errors = [o for c in code_cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{path.name} has saved error outputs"


@pytest.mark.long  # a kernel per notebook: make test-full and CI, not make test
@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_offline(path: Path) -> None:
    with offline_kernel_env():
        nb = execute(path)
    assert "EMULATOR" in first_output_text(nb)
    check = NOTEBOOK_CHECKS.get(path.stem)
    if check is not None:
        check(nb)


def all_output_text(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook's code cells printed."""
    return "".join(
        o.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if o.output_type == "stream"
    )


def check_video_rag_agent(nb: nbformat.NotebookNode) -> None:
    """Notebook 02: the time-range question finds the scene covering 12:00-12:30 of the film."""
    text = all_output_text(nb)
    asked = text.split("USER: In the best match, what happens between 12:00 and 12:30?")[1]
    returned = asked.split("find_scenes returned:")[1].split("[model] ANSWER")[0]
    scene = "Tears of Steel: soldiers fight robots in Amsterdam, 11:40-12:14: The bridge again"
    assert scene in returned
    assert returned.count("- Tears of Steel") == 1  # that scene only, not its neighbours
    assert "find_scenes({'clip_id': 'tears', 'from_s': 720, 'to_s': 750})" in asked
    images = [
        o
        for cell in nb.cells
        if "broken_barh" in cell.source
        for o in cell.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert len(images) == 1  # the timeline of every video's scenes


NOTEBOOK_CHECKS = {"02_video_rag_agent": check_video_rag_agent}


def _as_displayed(text: str) -> str:
    """Stream text as a notebook shows it: each line keeps only what follows its last \\r.

    Progress bars (tqdm) redraw their line with carriage returns; Jupyter shows the last state,
    and storing only that keeps the saved notebook small and readable in any viewer.
    """
    lines = []
    for line in text.split("\n"):
        states = [state for state in line.split("\r") if state]
        lines.append(states[-1] if states else "")
    return "\n".join(lines)


def _merge_streams(outputs: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """Join consecutive stream outputs of the same stream, as notebook frontends display them."""
    merged: list[nbformat.NotebookNode] = []
    for output in outputs:
        if (
            output.output_type == "stream"
            and merged
            and merged[-1].output_type == "stream"
            and merged[-1].name == output.name
        ):
            merged[-1].text += output.text
        else:
            merged.append(output)
    for output in merged:
        if output.output_type == "stream":
            output.text = _as_displayed(output.text)
    return merged


def _write(names: list[str], out_dir: Path | None = None) -> int:
    """Re-execute notebooks against the emulator; store their outputs in place, or in out_dir."""
    paths = [NOTEBOOK_DIR / f"{n.removesuffix('.ipynb')}.ipynb" for n in names] or NOTEBOOKS
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    for path in paths:
        started = time.perf_counter()
        with offline_kernel_env():
            nb = execute(path)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = _merge_streams(cell.outputs)
        target = path if out_dir is None else out_dir / path.name
        nbformat.write(nb, target)
        print(f"{path.name}: {time.perf_counter() - started:.1f} s -> {target}")
    return 0


def main(args: list[str]) -> int:
    """``--write [names]`` rewrites the notebooks; ``--out DIR [names]`` writes copies to DIR."""
    if args[:1] == ["--write"]:
        return _write(args[1:])
    if args[:1] == ["--out"] and len(args) >= 2:
        return _write(args[2:], Path(args[1]))
    sys.exit(f"usage: {sys.argv[0]} --write [notebook names] | --out DIR [notebook names]")


@pytest.mark.long
def test_out_runs_a_notebook_into_another_directory_and_leaves_the_committed_one(
    tmp_path: Path,
) -> None:
    committed = NOTEBOOK_DIR / "01_langchain_quickstart.ipynb"
    before = committed.read_bytes()
    assert main(["--out", str(tmp_path), "01_langchain_quickstart"]) == 0
    assert committed.read_bytes() == before
    copy = nbformat.read(tmp_path / committed.name, as_version=4)
    assert "EMULATOR" in first_output_text(copy)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
