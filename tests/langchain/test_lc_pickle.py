"""Models pickle (Ray, Dask, Spark and multiprocessing ship them to workers) and work there."""

from __future__ import annotations

import multiprocessing
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage
from pydantic import BaseModel

from langchain_memories import (
    ChatMemoriesGemini,
    ChatMemoriesGPT,
    ChatMemoriesNova,
    ChatMemoriesQwen,
)
from memories_emulator import Emulator

SECRET = "sk-mavi-pickled-key-42"


def _answer(blob: bytes) -> str:
    """Runs in a worker process: unpickle a model and call it."""
    model = pickle.loads(blob)
    return str(model.invoke("Hello from a worker").text)


def test_pickle_round_trip_drops_clients(emulator: Emulator) -> None:
    llm = ChatMemoriesGemini(
        api_key=SECRET,
        base_url=emulator.base_url,
        thinking_budget=0,
        http_client=httpx.Client(),
    )
    llm.invoke("warm up")  # creates the cached client
    clone = pickle.loads(pickle.dumps(llm))
    assert clone.http_client is None  # an injected pool does not cross processes
    assert clone.api_key is not None and clone.api_key.get_secret_value() == SECRET
    assert clone.thinking_budget == 0
    assert clone.invoke("again").text.startswith("Emulated answer")
    assert llm.invoke("original still works").text  # the original keeps its client


def test_pickled_model_runs_in_a_spawned_process(emulator: Emulator) -> None:
    blob = pickle.dumps(ChatMemoriesNova(api_key=SECRET, base_url=emulator.base_url))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        text = pool.apply(_answer, (blob,))
    assert text.startswith("Emulated answer from nova:")
    assert "Hello from a worker" in text


def test_pickled_model_runs_in_a_fresh_interpreter(emulator: Emulator, tmp_path: Path) -> None:
    llm = ChatMemoriesGemini(api_key=SECRET, base_url=emulator.base_url)
    llm.invoke("use it first")
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(llm))
    script = textwrap.dedent(
        f"""
        import pickle, pathlib
        model = pickle.loads(pathlib.Path({str(path)!r}).read_bytes())
        print(model.invoke("from a subprocess").text)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert 'Question: "from a subprocess"' in done.stdout
    assert SECRET not in done.stdout + done.stderr


async def test_pickle_after_async_use(emulator: Emulator) -> None:
    llm = ChatMemoriesNova(api_key=SECRET, base_url=emulator.base_url)
    await llm.ainvoke("async first")
    clone = pickle.loads(pickle.dumps(llm))
    assert (await clone.ainvoke("async again")).text


# -- structured-output chains ------------------------------------------------------------------
# with_structured_output used to wrap local functions (and LangChain's RunnablePassthrough.assign,
# whose parametrized RunnableParallel class pickle cannot find by name): cloudpickle coped, the
# standard library's pickle (multiprocessing, Celery) did not.


class Scene(BaseModel):
    """A module-level schema: pickle stores classes by reference."""

    summary: str
    people: int | None = None


STRUCTURED = [
    (cls, method, include_raw)
    for cls, methods in (
        (ChatMemoriesGemini, ("json_schema", "json_mode")),
        (ChatMemoriesNova, ("function_calling", "json_mode")),
        (ChatMemoriesQwen, ("json_schema", "json_mode")),
        (ChatMemoriesGPT, ("json_mode",)),
    )
    for method in methods
    for include_raw in (False, True)
]


@pytest.mark.parametrize(
    ("cls", "method", "include_raw"),
    STRUCTURED,
    ids=[f"{c.__name__}-{m}-{'raw' if r else 'parsed'}" for c, m, r in STRUCTURED],
)
def test_structured_output_chains_pickle_with_the_standard_library(
    emulator: Emulator, cls: Any, method: str, include_raw: bool
) -> None:
    llm = cls(api_key=SECRET, base_url=emulator.base_url)
    chain = llm.with_structured_output(Scene, method=method, include_raw=include_raw)
    clone = pickle.loads(pickle.dumps(chain))
    answers = [clone.invoke("Describe the scene."), chain.invoke("Describe the scene.")]
    if include_raw:
        assert [a["parsing_error"] for a in answers] == [None, None]
        assert all(isinstance(a["raw"], AIMessage) for a in answers)
        answers = [a["parsed"] for a in answers]
    assert isinstance(answers[0], Scene)
    assert answers[0] == answers[1]  # the same answer as the original's
    assert len(emulator.requests) == 2


def _structured_answer(blob: bytes) -> str:
    """Runs in a worker process: unpickle a structured-output chain and call it."""
    chain = pickle.loads(blob)
    return repr(chain.invoke("How many people?")["parsed"])


def test_a_structured_output_chain_runs_in_a_spawned_process(emulator: Emulator) -> None:
    llm = ChatMemoriesNova(api_key=SECRET, base_url=emulator.base_url)
    blob = pickle.dumps(llm.with_structured_output(Scene, include_raw=True))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        text = pool.apply(_structured_answer, (blob,))
    assert text.startswith("Scene(summary=")
