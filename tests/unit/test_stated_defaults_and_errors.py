"""Facts the docs state: the max_tokens default with every parameter list, the error classes.

The figures come from each family's page (docs/API_FACTS.md's request table); the warning for
an answer cut there (memories_client._truncation) and every place that lists the parameters name
them.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import memories_client as mc
from langchain_memories import (
    ChatMemoriesGemini,
    ChatMemoriesGPT,
    ChatMemoriesNova,
    ChatMemoriesQwen,
)
from llama_index_memories import MemoriesMultiModal
from memories_client.integration import SERVICE_DEFAULT_MAX_TOKENS

REPO = Path(__file__).resolve().parents[2]


def test_the_defaults_are_the_api_pages_figures() -> None:
    facts = (REPO / "docs" / "API_FACTS.md").read_text()
    row = re.search(
        r"^\| max_tokens \| integer \| no \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|", facts, re.M
    )
    assert row, "the max_tokens row of docs/API_FACTS.md moved"
    gemini, nova, qwen, gpt = (int(n) for n in row.groups())
    assert dict(SERVICE_DEFAULT_MAX_TOKENS) == {
        "gemini": gemini,
        "nova": nova,
        "qwen": qwen,
        "gpt": gpt,
    }


@pytest.mark.parametrize(
    ("cls", "family"),
    [
        (ChatMemoriesGemini, "gemini"),
        (ChatMemoriesNova, "nova"),
        (ChatMemoriesQwen, "qwen"),
        (ChatMemoriesGPT, "gpt"),
    ],
)
def test_each_langchain_class_states_its_familys_default(cls: type, family: str) -> None:
    figure = f"{SERVICE_DEFAULT_MAX_TOKENS[family]:,}"
    assert f"``max_tokens`` (unset: the service's default, {figure} tokens)" in (cls.__doc__ or "")


def test_the_core_and_llamaindex_parameter_lists_state_it() -> None:
    for doc in (mc.ChatRequest.__doc__, MemoriesMultiModal.__doc__):
        text = " ".join((doc or "").split())
        assert "1,000 tokens" in text and "Qwen 1,024" in text


@pytest.mark.parametrize(
    ("page", "stated"),
    [
        ("docs/LANGCHAIN.md", "`max_tokens` (>= 1; unset: the service's 1,000, Qwen 1,024)"),
        ("docs/LLAMAINDEX.md", "(`max_tokens`: 1,000 tokens, Qwen 1,024;"),
        (
            "docs/CONFIGURATION.md",
            "| Answer length | `max_tokens` | | unset: the service's default, 1,000 tokens (Qwen 1,024)",
        ),
        ("README.md", "is the service's default of 1,000 tokens (Qwen 1,024)"),
    ],
)
def test_each_page_listing_the_parameters_states_it(page: str, stated: str) -> None:
    text = " ".join((REPO / page).read_text().split())
    assert stated in text


def test_every_warning_and_error_docs_errors_md_names_is_a_public_class() -> None:
    page = (REPO / "docs" / "ERRORS.md").read_text()
    rows = re.findall(r"^\| `(\w+(?:Error|Warning))`(.*)$", page, flags=re.MULTILINE)
    assert {"TruncatedAnswerWarning", "PageURLWarning", "RateLimitError"} <= {n for n, _ in rows}
    for name, rest in rows:
        # At the top of memories_client, or in the module the row names.
        home = re.search(r"`(memories_client\.\w+)`", rest)
        module = importlib.import_module(home.group(1)) if home else mc
        assert name in module.__all__, name
        assert isinstance(getattr(module, name), type), name
