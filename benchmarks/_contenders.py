"""Builds the models each benchmark compares, each wired to a canned-response transport.

Our own models are imported lazily, so the benchmarks of the other parts still run (and say what
is missing) while a framework package is unavailable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import _canned as canned
from _floors import FloorChatModel, FloorLLM, raw_post

from memories_client import MemoriesClient

Call = Callable[[], Any]


def langchain_messages(case: str) -> list[Any]:
    from langchain_core.messages import HumanMessage

    return [HumanMessage(content=canned.langchain_content(case))]


def llama_messages(case: str) -> list[Any]:
    from llama_index.core.llms import ChatMessage, ImageBlock, TextBlock, VideoBlock

    blocks: list[Any] = [TextBlock(text=canned.QUESTION)]
    if case == "media":
        blocks += [ImageBlock(url=canned.IMAGE_URL), VideoBlock(url=canned.VIDEO_URL)]
    return [ChatMessage(role="user", blocks=blocks)]


def chat_memories_gemini(base_url: str = canned.BASE_URL, **kwargs: Any) -> Any:
    from langchain_memories import ChatMemoriesGemini

    return ChatMemoriesGemini(
        model=canned.GEMINI_MODEL, api_key=canned.API_KEY, base_url=base_url, **kwargs
    )


def memories_multimodal(base_url: str = canned.BASE_URL, **kwargs: Any) -> Any:
    from llama_index_memories import MemoriesMultiModal

    return MemoriesMultiModal(
        model=canned.GEMINI_MODEL, api_key=canned.API_KEY, base_url=base_url, **kwargs
    )


def chat_openai(**kwargs: Any) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model="gpt-4o-mini",
        api_key=canned.API_KEY,
        base_url=canned.OPENAI_BASE_URL,
        max_retries=0,
        **kwargs,
    )


def raw_call(case: str) -> Call:
    client, body = canned.mock_client(canned.GEMINI_BYTES), canned.gemini_body(case)
    return lambda: raw_post(client, canned.GEMINI_URL, body)["choices"][0]["text"]


def langchain_floor_call(case: str) -> Call:
    model = FloorChatModel(
        client=canned.mock_client(canned.GEMINI_BYTES),
        url=canned.GEMINI_URL,
        body=canned.gemini_body(case),
    )
    messages = langchain_messages(case)
    return lambda: model.invoke(messages).content


def llama_floor_call(case: str) -> Call:
    llm = FloorLLM(
        canned.mock_client(canned.GEMINI_BYTES),
        url=canned.GEMINI_URL,
        body=canned.gemini_body(case),
    )
    messages = llama_messages(case)
    return lambda: llm.chat(messages).message.content


def core_call(case: str) -> Call:
    client = MemoriesClient(
        api_key=canned.API_KEY,
        base_url=canned.BASE_URL,
        http_client=canned.mock_client(canned.GEMINI_BYTES),
    )
    request = canned.core_request(case)
    return lambda: client.chat(request).text


def langchain_call(case: str) -> Call:
    model = chat_memories_gemini(http_client=canned.mock_client(canned.GEMINI_BYTES))
    messages = langchain_messages(case)
    return lambda: model.invoke(messages).content


def llama_call(case: str) -> Call:
    llm = memories_multimodal(http_client=canned.mock_client(canned.GEMINI_BYTES))
    messages = llama_messages(case)
    return lambda: llm.chat(messages).message.content


def openai_call(case: str) -> Call:
    from langchain_core.messages import HumanMessage

    model = chat_openai(http_client=canned.mock_client(canned.OPENAI_BYTES))
    messages = [HumanMessage(content=canned.openai_content(case))]
    return lambda: model.invoke(messages).content


def try_build(builder: Callable[[str], Call], case: str) -> tuple[Call | None, str | None]:
    """Build a contender and check it answers; on failure return why instead."""
    try:
        call = builder(case)
        answer = call()
    except Exception as exc:  # reported in RESULTS.md
        return None, f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
    if answer != canned.ANSWER:
        return None, f"wrong answer: {str(answer)[:80]!r}"
    return call, None
