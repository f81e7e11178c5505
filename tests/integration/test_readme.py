"""Every Python example in the README runs, in order, against the emulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from memories_client.emulator import Emulator

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_readme_has_the_setup_commands_first() -> None:
    first_block = re.search(r"```bash\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert first_block is not None
    lines = first_block.group(1).splitlines()
    assert lines[0].startswith("make demo") and lines[1].startswith("make test")


def test_readme_python_examples_run(
    memories_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMORIES_API_KEY", "readme-test-key")
    monkeypatch.setenv("MEMORIES_BASE_URL", memories_emulator.base_url)
    blocks = python_blocks()
    assert len(blocks) >= 4
    namespace: dict[str, object] = {"__name__": "readme"}
    from langchain_memories import ChatMemoriesGemini

    namespace["ChatMemoriesGemini"] = ChatMemoriesGemini  # the emulator block reuses it
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"README.md python block {i}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"README python block {i} failed: {exc!r}\n{block}")
