"""The first offline run: the emulator says what to paste, and a loopback base URL needs no key.

A new user without a key starts ``python -m memories_emulator``, pastes the lines it
prints, and their first call answers; without the emulator, the missing-key error says both
ways forward (the key variable, or the command that starts the emulator).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import memories_client as mc
from langchain_memories import ChatMemoriesGemini
from memories_emulator import Emulator

REPO = Path(__file__).resolve().parents[2]

FIRST_CALL = (
    "from langchain_memories import ChatMemoriesGemini\n"
    "print(ChatMemoriesGemini().invoke('Hello').text)\n"
)


def _start(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "memories_emulator", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    return process, [process.stdout.readline().rstrip("\n") for _ in range(3)]


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=10)
    if process.stdout:
        process.stdout.close()


def test_the_printed_lines_pasted_into_a_shell_make_the_first_call_answer() -> None:
    process, printed = _start("--port", "0")
    try:
        base_url = printed[0].removeprefix("memories.ai emulator listening on ")
        assert base_url.startswith("http://127.0.0.1:")
        assert printed[2] == f"export MEMORIES_BASE_URL={base_url}"
        # A shell with no key at all: run the printed lines, then the first call.
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORIES_")}
        script = "\n".join([*printed[1:], f'"{sys.executable}" -c "$FIRST_CALL"'])
        result = subprocess.run(
            ["bash", "-c", script],
            env={**env, "FIRST_CALL": FIRST_CALL},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Emulated answer from gemini:gemini-2.5-flash")
    finally:
        _stop(process)


def test_an_emulator_with_its_own_key_says_to_set_it_without_printing_it() -> None:
    process, printed = _start("--port", "0", "--api-key", "emu-secret")
    try:
        assert "--api-key" in printed[1]
        assert printed[2].startswith("export MEMORIES_BASE_URL=http://127.0.0.1:")
        assert "emu-secret" not in "\n".join(printed)
    finally:
        _stop(process)


def test_a_loopback_base_url_needs_no_key(memories_emulator: Emulator) -> None:
    memories_emulator.reset()
    llm = ChatMemoriesGemini(base_url=memories_emulator.base_url)
    assert llm.invoke("Hello").text.startswith("Emulated answer")
    assert [r.status for r in memories_emulator.requests] == [200]  # an empty key gets a 401
    localhost = memories_emulator.base_url.replace("127.0.0.1", "localhost")
    with mc.MemoriesClient(base_url=localhost) as client:
        request = mc.ChatRequest(model="gemini-2.5-flash", messages=[mc.Message.user("Hi")])
        assert client.chat(request).text.startswith("Emulated answer")


@pytest.mark.parametrize("base_url", [None, "https://api.example.com/v2", "http://10.0.0.1:8765"])
def test_a_remote_base_url_without_a_key_says_which_variables_and_how_to_go_offline(
    base_url: str | None,
) -> None:
    with pytest.raises(mc.MemoriesInputError) as info:
        mc.MemoriesClient(base_url=base_url)
    message = str(info.value)
    for needed in (
        "MEMORIES_API_KEY=",
        "python -m memories_emulator",
        "MEMORIES_BASE_URL=http://127.0.0.1:8765",
    ):
        assert needed in message
