"""Every Python example in docs/LLAMAINDEX.md runs, offline, against the emulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from memories_client.emulator import Emulator

DOC = Path(__file__).resolve().parents[2] / "docs" / "LLAMAINDEX.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_doc_has_examples() -> None:
    assert len(BLOCKS) >= 6
    first = BLOCKS[0].strip().splitlines()
    assert len(first) <= 10  # the README's "LlamaIndex in ten lines"


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_doc_example_runs(
    code: str, emu: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MEMORIES_API_KEY", "sk-docs-example")
    monkeypatch.setenv("MEMORIES_BASE_URL", emu.base_url)
    exec(compile(code, str(DOC), "exec", dont_inherit=True), {"__name__": "__docs__"})
    assert emu.requests, "the example made no request"
    assert all(r.status == 200 for r in emu.requests)
    assert "sk-docs-example" not in capsys.readouterr().out
