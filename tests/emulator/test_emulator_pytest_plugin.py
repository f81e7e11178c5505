"""The pytest plugin's fixtures, found the way users get them: through the entry point only."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import httpx
import pytest
from emulator_testlib import KEY, gemini_body

from memories_emulator import Emulator, Reply

_seen: list[Emulator] = []


def _ask(emulator: Emulator) -> httpx.Response:
    return httpx.post(
        f"{emulator.base_url}/vu/chat/completions",
        json=gemini_body(),
        headers={"Authorization": KEY},
    )


def test_the_plugin_is_an_installed_entry_point() -> None:
    [plugin] = [ep for ep in entry_points(group="pytest11") if "memories" in ep.name]
    assert plugin.name == plugin.value == "memories_emulator.pytest_plugin"


def test_session_fixture_is_running(memories_emulator: Emulator) -> None:
    assert memories_emulator.requests == []
    assert _ask(memories_emulator).status_code == 200
    assert len(memories_emulator.requests) == 1
    # Left behind on purpose: the next test must not see any of it.
    memories_emulator.queue(Reply(text="left over"))
    memories_emulator.fault = "503"
    memories_emulator.set_video_duration("https://x.test/a.mp4", 10)
    _seen.append(memories_emulator)


def test_session_fixture_is_shared_and_clean(memories_emulator: Emulator) -> None:
    assert memories_emulator is _seen[0]
    assert memories_emulator.requests == []
    assert memories_emulator.script.pending == 0
    assert memories_emulator.fault is None
    assert memories_emulator.script.video_duration("https://x.test/a.mp4") is None
    response = _ask(memories_emulator)
    assert response.status_code == 200
    assert response.json()["choices"][0]["text"].startswith("Emulated answer from")


def test_function_fixture_is_fresh(memories_emulator_fn: Emulator) -> None:
    assert memories_emulator_fn is not _seen[0]
    assert memories_emulator_fn.requests == []
    memories_emulator_fn.fault = "503;times=1"
    assert _ask(memories_emulator_fn).status_code == 503
    assert _ask(memories_emulator_fn).status_code == 200


def test_env_fixture_points_the_environment_at_the_emulator(
    memories_emulator_env: Emulator,
) -> None:
    from langchain_memories import ChatMemoriesGemini

    assert os.environ["MEMORIES_BASE_URL"] == memories_emulator_env.base_url
    memories_emulator_env.queue(Reply(text="from the environment"))
    llm = ChatMemoriesGemini(model="gemini-2.5-flash")  # no key, no URL: the environment's
    assert llm.invoke("Hi").text == "from the environment"


def test_fn_env_fixture_points_at_its_own_emulator(memories_emulator_fn_env: Emulator) -> None:
    assert os.environ["MEMORIES_BASE_URL"] == memories_emulator_fn_env.base_url
    assert os.environ["MEMORIES_API_KEY"]


@pytest.mark.long  # a pytest session of its own: make test-full and CI
@pytest.mark.parametrize("old_line", [False, True], ids=["no-setup", "old-pytest_plugins-line"])
def test_a_users_project_gets_the_fixtures_without_any_setup(
    tmp_path: Path, old_line: bool
) -> None:
    """A test file with no setup finds every fixture; an old ``pytest_plugins`` line is harmless."""
    if old_line:
        (tmp_path / "conftest.py").write_text(
            'pytest_plugins = ["memories_emulator.pytest_plugin"]\n'
        )
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import httpx
            from memories_emulator import Reply

            def test_scripted(memories_emulator):
                memories_emulator.queue(Reply(text="scripted"))
                body = {"model": "gemini:gemini-2.5-flash", "messages": [
                    {"role": "user", "content": [{"type": "text", "text": "Hi"}]}]}
                response = httpx.post(memories_emulator.base_url + "/vu/chat/completions",
                                      json=body, headers={"Authorization": "k"})
                assert response.json()["choices"][0]["text"] == "scripted"

            def test_env(memories_emulator_env):
                import os
                assert os.environ["MEMORIES_BASE_URL"] == memories_emulator_env.base_url
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


@pytest.mark.long
def test_the_plugin_can_be_switched_off(tmp_path: Path) -> None:
    (tmp_path / "test_off.py").write_text("def test_x(memories_emulator):\n    pass\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:memories_emulator.pytest_plugin",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert "fixture 'memories_emulator' not found" in result.stdout
