"""The behaviour table of docs/ARCHITECTURE.md, row by row, against real calls of both layers.

Each row of "One rule, one answer in both layers" names a case and the answer both layers must
give. Every row is run here through LangChain and LlamaIndex (each by every entry point that
reaches the rule), against the emulator, and what the service was sent is read back from the
request bodies; the answer each path gives must be the table's. A case the table lists and this
file cannot run fails, and so does a case this file runs that the table does not list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from llama_index.core.llms import ChatMessage, ImageBlock, TextBlock
from llama_index.core.tools import FunctionTool

from langchain_memories import (
    ChatMemoriesGemini,
    ChatMemoriesGPT,
    ChatMemoriesNova,
    ChatMemoriesQwen,
    MemoriesVideoLoader,
)
from llama_index_memories import MemoriesMultiModal, MemoriesVideoReader
from memories_client import MemoriesInputError, UnsupportedFeatureError
from memories_emulator import Emulator

DOC = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"
SECTION = "## One rule, one answer in both layers"
NOVA = "nova:us.amazon.nova-lite-v1:0"
GEMINI = "gemini:gemini-2.5-flash"
VIDEO = "https://storage.googleapis.com/bucket/clip.mp4"
SHOT = "https://storage.googleapis.com/bucket/shot.png"

Call = Callable[[], object]


def _table() -> dict[str, str]:
    """Case id -> the answer column, from the section's Markdown table."""
    text = DOC.read_text()
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    rows = re.findall(r"^\| `([\w-]+)`:[^|]*\|[^|]*\| (.+?) \|$", section, flags=re.MULTILINE)
    return dict(rows)


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class Wire:
    """The emulator, and the JSON bodies that reached it."""

    def __init__(self, emulator: Emulator) -> None:
        self.base_url = emulator.base_url
        self.bodies: list[dict[str, Any]] = []

    def client(self) -> httpx.Client:
        def record(request: httpx.Request) -> None:
            self.bodies.append(json.loads(request.read()))

        return httpx.Client(event_hooks={"request": [record]})

    def lc(self, cls: type[Any], **kwargs: Any) -> Any:
        return cls(api_key="k", base_url=self.base_url, http_client=self.client(), **kwargs)

    def li(self, model: str, **kwargs: Any) -> MemoriesMultiModal:
        return MemoriesMultiModal(
            model, api_key="k", base_url=self.base_url, http_client=self.client(), **kwargs
        )

    def answer(self, call: Call, judge: Callable[[dict[str, Any]], str]) -> str:
        """What one path answered: the refusal, or ``judge`` of the body it sent."""
        self.bodies.clear()
        try:
            call()
        except MemoriesInputError as exc:
            kind = type(exc).__name__
            for core in (UnsupportedFeatureError, MemoriesInputError):
                if isinstance(exc, core):
                    kind = core.__name__
                    break
            return f"`{kind}`, " + ("nothing sent" if not self.bodies else "after sending")
        assert self.bodies, "the call answered without sending anything"
        return judge(self.bodies[-1])


@pytest.fixture(scope="module")
def wire() -> Iterator[Wire]:
    with Emulator() as emulator:
        yield Wire(emulator)


def _metadata(body: dict[str, Any]) -> dict[str, Any]:
    return dict((body.get("extra_body") or {}).get("metadata") or {})


def _tools_sent(body: dict[str, Any]) -> str:
    return "sent with tools" if "toolConfig" in _metadata(body) else "sent without tools"


def _scene_request(body: dict[str, Any]) -> str:
    metadata = _metadata(body)
    if "toolConfig" in metadata:
        return "asked with a forced tool"
    if {"responseSchema", "response_format"} & set(metadata):
        return "asked with a response schema"
    return f"asked with neither: {sorted(metadata)}"


def _where_the_image_went(body: dict[str, Any]) -> str:
    messages = body["messages"]

    def has(message: dict[str, Any], needle: str) -> bool:
        return needle in json.dumps(message["content"])

    text_at = [i for i, m in enumerate(messages) if has(m, "screenshot taken")]
    image_at = [i for i, m in enumerate(messages) if has(m, SHOT)]
    follows = len(text_at) == len(image_at) == 1 and image_at[0] == text_at[0] + 1
    if follows and messages[image_at[0]]["role"] == "user":
        return "the text in the tool result, the image in a user message after it"
    return f"text in {text_at}, image in {image_at} of {[m['role'] for m in messages]}"


# -- the paths each case runs, per layer -----------------------------------------------------


def _tool_choice_paths(
    wire: Wire, tools: bool, choice: str | None, family: str = "nova"
) -> dict[str, Call]:
    lc = wire.lc(ChatMemoriesNova) if family == "nova" else wire.lc(ChatMemoriesGemini)
    li = wire.li(NOVA if family == "nova" else GEMINI)
    lc_tools = [add] if tools else []
    li_tools = [FunctionTool.from_defaults(add)] if tools else []
    user = ChatMessage(role="user", content="Add 1 and 2.")
    return {
        "LangChain invoke(tools=, tool_choice=)": lambda: lc.invoke(
            "Add 1 and 2.", tools=lc_tools, tool_choice=choice
        ),
        "LangChain bind_tools": lambda: lc.bind_tools(lc_tools, tool_choice=choice).invoke(
            "Add 1 and 2."
        ),
        "LlamaIndex chat(tools=, tool_choice=)": lambda: li.chat(
            [user], tools=li_tools, tool_choice=choice
        ),
        "LlamaIndex chat_with_tools": lambda: li.chat_with_tools(
            li_tools, chat_history=[user], tool_choice=choice
        ),
    }


def _tool_result_paths(wire: Wire) -> dict[str, Call]:
    lc = wire.lc(ChatMemoriesNova)
    li = wire.li(NOVA)
    lc_history = [
        HumanMessage("Take a screenshot."),
        AIMessage("", tool_calls=[{"id": "c1", "name": "shoot", "args": {}}]),
        ToolMessage(
            content=[
                {"type": "text", "text": "screenshot taken"},
                {"type": "image", "url": SHOT},
            ],
            tool_call_id="c1",
        ),
    ]
    li_history = [
        ChatMessage(role="user", content="Take a screenshot."),
        ChatMessage(
            role="assistant",
            content="",
            additional_kwargs={
                "tool_calls": [{"id": "c1", "function": {"name": "shoot", "arguments": "{}"}}]
            },
        ),
        ChatMessage(
            role="tool",
            blocks=[TextBlock(text="screenshot taken"), ImageBlock(url=SHOT)],
            additional_kwargs={"tool_call_id": "c1"},
        ),
    ]
    return {
        "LangChain invoke": lambda: lc.invoke(lc_history),
        "LlamaIndex chat": lambda: li.chat(li_history),
    }


LOADER_MODELS = {
    "gemini": (ChatMemoriesGemini, "gemini:gemini-2.5-flash"),
    "qwen": (ChatMemoriesQwen, "qwen:qwen3-vl-plus"),
    "nova": (ChatMemoriesNova, NOVA),
    "gpt": (ChatMemoriesGPT, "gpt:gpt-4o"),
}


def _loader_paths(wire: Wire, family: str) -> dict[str, Call]:
    lc_class, model = LOADER_MODELS[family]
    return {
        "LangChain MemoriesVideoLoader": lambda: MemoriesVideoLoader(
            [VIDEO], llm=wire.lc(lc_class)
        ).load(),
        "LlamaIndex MemoriesVideoReader": lambda: MemoriesVideoReader(llm=wire.li(model)).load_data(
            [VIDEO]
        ),
    }


def _extra_body_paths(wire: Wire, extra_body: dict[str, Any]) -> dict[str, Call]:
    # Models are built inside each path: a refused extra_body fails when the model is built.
    gemini = "gemini:gemini-2.5-flash"
    user = [ChatMessage(role="user", content="Hi")]
    return {
        "LangChain field": lambda: wire.lc(
            ChatMemoriesGemini, thinking_budget=0, extra_body=extra_body
        ).invoke("Hi"),
        "LangChain invoke(extra_body=)": lambda: wire.lc(
            ChatMemoriesGemini, thinking_budget=0
        ).invoke("Hi", extra_body=extra_body),
        "LlamaIndex field": lambda: wire.li(gemini, thinking_budget=0, extra_body=extra_body).chat(
            user
        ),
        "LlamaIndex chat(extra_body=)": lambda: wire.li(gemini, thinking_budget=0).chat(
            user, extra_body=extra_body
        ),
    }


def _where_seed_went(body: dict[str, Any]) -> str:
    metadata = _metadata(body)
    if body.get("seed") == 3 and "seed" not in metadata:
        return "`seed` at the top level of the body"
    if metadata.get("seed") == 3 and "thinking_config" in metadata and "seed" not in body:
        return "`seed` in `extra_body.metadata`, beside `thinking_config`"
    return f"top level {sorted(body)}, metadata {sorted(metadata)}"


CASES: dict[str, Callable[[Wire], tuple[dict[str, Call], Callable[[dict[str, Any]], str]]]] = {
    "choice-any-without-tools": lambda w: (_tool_choice_paths(w, False, "any"), _tools_sent),
    "choice-name-without-tools": lambda w: (_tool_choice_paths(w, False, "add"), _tools_sent),
    "choice-auto-without-tools": lambda w: (_tool_choice_paths(w, False, "auto"), _tools_sent),
    "choice-none-with-tools": lambda w: (_tool_choice_paths(w, True, "none"), _tools_sent),
    "tools-on-gemini": lambda w: (_tool_choice_paths(w, True, None, "gemini"), _tools_sent),
    "no-tools-on-gemini": lambda w: (_tool_choice_paths(w, False, None, "gemini"), _tools_sent),
    "tool-result-image": lambda w: (_tool_result_paths(w), _where_the_image_went),
    "loader-gemini": lambda w: (_loader_paths(w, "gemini"), _scene_request),
    "loader-qwen": lambda w: (_loader_paths(w, "qwen"), _scene_request),
    "loader-nova": lambda w: (_loader_paths(w, "nova"), _scene_request),
    "loader-gpt": lambda w: (_loader_paths(w, "gpt"), _scene_request),
    "extra-body-key": lambda w: (_extra_body_paths(w, {"seed": 3}), _where_seed_went),
    "extra-body-nested": lambda w: (
        _extra_body_paths(w, {"extra_body": {"metadata": {"seed": 3}}}),
        _where_seed_went,
    ),
    "extra-body-metadata-key": lambda w: (
        _extra_body_paths(w, {"thinking_config": {"thinking_budget": 0}}),
        _where_seed_went,
    ),
}


def test_the_table_lists_exactly_the_cases_run_here() -> None:
    assert sorted(_table()) == sorted(CASES)


@pytest.mark.parametrize("case", sorted(_table()))
def test_both_layers_give_the_tables_answer(wire: Wire, case: str) -> None:
    expected = _table()[case]
    paths, judge = CASES[case](wire)
    answers = {path: wire.answer(call, judge) for path, call in paths.items()}
    assert answers == dict.fromkeys(paths, expected)
