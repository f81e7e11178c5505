"""The live LangChain suites (tests/live/test_lc_standard_live.py) keep the offline flags and
follow MEMORIES_BASE_URL, so ``pytest -m live`` with the emulator's URL runs them offline."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests

from memories_emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
LIVE = ROOT / "tests" / "live" / "test_lc_standard_live.py"


def _live_module() -> object:
    spec = importlib.util.spec_from_file_location("_lc_standard_live", LIVE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _flags(cls: type) -> dict[str, object]:
    names = [
        n
        for n, v in vars(ChatModelIntegrationTests).items()
        if isinstance(v, property) and (n.startswith(("supports_", "has_", "returns_")))
    ]
    instance = cls()
    return {n: getattr(instance, n) for n in names} | {
        "model": instance.chat_model_params["model"],
        "class": instance.chat_model_class,
    }


@pytest.mark.parametrize("family", ["Gemini", "Nova", "Qwen", "GPT"])
def test_the_live_suites_have_the_offline_flags(family: str) -> None:
    live = _live_module()
    live_cls = getattr(live, f"TestLive{family}")
    offline_cls = next(
        base for base in live_cls.__mro__ if base.__name__.endswith(f"{family}Integration")
    )
    assert _flags(live_cls) == _flags(offline_cls)


@pytest.mark.long  # a whole pytest session of LangChain's suites: make test-full and CI
def test_the_live_suites_run_against_the_emulator_named_by_the_environment() -> None:
    with Emulator(api_key="live-suite-key") as emu:
        env = {
            **os.environ,
            "MEMORIES_API_KEY": "live-suite-key",
            "MEMORIES_BASE_URL": emu.base_url,
        }
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-m",
                "live",
                str(LIVE),
                "-p",
                "no:randomly",
                "-k",
                "Gemini and (test_invoke or test_stream or test_usage_metadata)",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=False,
            timeout=300,
        )
        sent = len(emu.requests)
    assert result.returncode == 0, result.stdout[-2000:]
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed is not None and int(passed.group(1)) >= 3, result.stdout[-2000:]
    assert sent > 0
