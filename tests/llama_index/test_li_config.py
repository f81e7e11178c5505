"""Construction, metadata, serialisation and secrets."""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import re

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.constants import DEFAULT_CONTEXT_WINDOW

from llama_index_memories import MemoriesMultiModal
from memories_client import MemoriesInputError
from memories_emulator import Emulator

SECRET = "sk-mavi-super-secret-0123"


def test_defaults() -> None:
    llm = MemoriesMultiModal(api_key="k")
    assert llm.model == "gemini:gemini-2.5-flash"
    assert llm.family == "gemini"
    assert llm.max_retries == 2


@pytest.mark.parametrize(
    ("model", "full"),
    [
        ("gemini-2.5-pro", "gemini:gemini-2.5-pro"),
        ("gemini:gemini-2.5-pro", "gemini:gemini-2.5-pro"),
        ("us.amazon.nova-pro-v1:0", "nova:us.amazon.nova-pro-v1:0"),
        ("nova:us.amazon.nova-lite-v1:0", "nova:us.amazon.nova-lite-v1:0"),
        ("gemini:gemini-9-new", "gemini:gemini-9-new"),
        ("qwen3-vl-plus", "qwen:qwen3-vl-plus"),
        ("gpt:gpt-4o", "gpt:gpt-4o"),
    ],
)
def test_model_ids_are_normalised(model: str, full: str) -> None:
    assert MemoriesMultiModal(model=model, api_key="k").model == full


@pytest.mark.parametrize("model", ["mystery-model", "", "claude:sonnet"])
def test_unsupported_models_are_refused(model: str) -> None:
    with pytest.raises(MemoriesInputError):
        MemoriesMultiModal(model=model, api_key="k")


@pytest.mark.parametrize(
    "options",
    [{"temperature": 3}, {"top_p": 1.5}, {"max_tokens": 0}, {"presence_penalty": -3}],
)
def test_bad_options_fail_at_construction(options: dict[str, object]) -> None:
    with pytest.raises(MemoriesInputError):
        MemoriesMultiModal(api_key="k", **options)


def test_metadata_per_family() -> None:
    gemini = MemoriesMultiModal(model="gemini-2.5-pro", api_key="k", max_tokens=2048).metadata
    assert gemini.context_window == 1_048_576
    assert gemini.num_output == 2048
    assert gemini.is_chat_model is True
    assert gemini.is_function_calling_model is False
    assert gemini.model_name == "gemini:gemini-2.5-pro"
    nova = MemoriesMultiModal(model="us.amazon.nova-pro-v1:0", api_key="k").metadata
    assert nova.context_window == 300_000
    assert nova.num_output == 1000  # the documented service default
    assert nova.is_function_calling_model is True


def test_context_window_for_unknown_ids() -> None:
    assert (
        MemoriesMultiModal(model="gemini:x-new", api_key="k").metadata.context_window
        == DEFAULT_CONTEXT_WINDOW
    )
    llm = MemoriesMultiModal(model="gemini:x-new", api_key="k", context_window=500_000)
    assert llm.metadata.context_window == 500_000


def test_class_name_contains_multi() -> None:
    assert "multi" in MemoriesMultiModal.class_name()


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch, emu: Emulator) -> None:
    monkeypatch.setenv("MEMORIES_API_KEY", SECRET)
    llm = MemoriesMultiModal(base_url=emu.base_url)
    assert llm.api_key is not None
    assert llm.api_key.get_secret_value() == SECRET
    llm.chat([ChatMessage(role="user", content="hi")])


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch, emu: Emulator) -> None:
    monkeypatch.setenv("MEMORIES_BASE_URL", emu.base_url)
    MemoriesMultiModal(api_key="k").chat([ChatMessage(role="user", content="hi")])
    assert len(emu.requests) == 1


def test_secrets_stay_out_of_serialisation_and_repr() -> None:
    llm = MemoriesMultiModal(api_key=SECRET, default_headers={"X-Proxy-Token": "proxy-secret"})
    for text in (
        repr(llm),
        str(llm),
        json.dumps(llm.to_dict(), default=str),
        llm.to_json(),
        json.dumps(llm.to_payload(), default=str),
        llm.model_dump_json(),
    ):
        assert SECRET not in text
        assert "proxy-secret" not in text
    assert "api_key" not in llm.to_dict()
    assert llm.to_dict()["class_name"] == "memories_multi_modal_llm"


def test_round_trip_through_to_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    llm = MemoriesMultiModal(model="nova:us.amazon.nova-pro-v1:0", api_key="k", temperature=0.3)
    monkeypatch.setenv("MEMORIES_API_KEY", "from-env")
    clone = MemoriesMultiModal.from_dict(llm.to_dict())
    assert clone.model == llm.model
    assert clone.temperature == 0.3
    assert clone.api_key is not None
    assert clone.api_key.get_secret_value() == "from-env"


def test_no_network_and_no_client_in_init(emu: Emulator, httpx_pools_built: list[object]) -> None:
    built = httpx_pools_built
    llm = MemoriesMultiModal(api_key="k", base_url=emu.base_url)
    assert built == []
    assert emu.requests == []
    llm.chat([ChatMessage(role="user", content="hi")])
    assert len(built) == 1


def test_pickle_after_use(gemini: MemoriesMultiModal) -> None:
    gemini.chat([ChatMessage(role="user", content="hi")])
    clone = pickle.loads(pickle.dumps(gemini))
    assert clone.chat([ChatMessage(role="user", content="hi")]).message.content


async def test_pickling_never_changes_the_original(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    # LlamaIndex's BaseComponent.__getstate__ deleted what does not pickle (the user's httpx
    # clients, a lambda) from the dictionaries pydantic hands out: the live model's own. The
    # original's next call then raised AttributeError.
    sent: list[str] = []

    def count(request: httpx.Request) -> None:
        sent.append("sync")

    async def acount(request: httpx.Request) -> None:
        sent.append("async")

    sync_client = httpx.Client(event_hooks={"request": [count]})
    async_client = httpx.AsyncClient(event_hooks={"request": [acount]})
    llm = MemoriesMultiModal(
        api_key="k",
        base_url=emu.base_url,
        http_client=sync_client,
        http_async_client=async_client,
        messages_to_prompt=lambda messages: "a lambda does not pickle",
    )
    hi = [ChatMessage(role="user", content="hi")]
    llm.chat(hi)
    before = dict(llm.__dict__)
    with caplog.at_level(logging.WARNING):
        data = pickle.dumps(llm)
    # What does not pickle is left out of the copy, with a warning (docs/LLAMAINDEX.md); the
    # user's clients are left out without one.
    assert [r.getMessage() for r in caplog.records] == [
        "Not pickling the unpicklable messages_to_prompt"
    ]
    assert llm.__dict__ == before
    assert llm.http_client is sync_client and llm.http_async_client is async_client
    assert llm.chat(hi).message.content
    assert (await llm.achat(hi)).message.content
    assert sent == ["sync", "sync", "async"]  # still through the user's own clients
    clone = pickle.loads(data)
    assert clone.http_client is None and clone.http_async_client is None
    assert clone.model == llm.model and clone.base_url == llm.base_url
    assert clone.chat(hi).message.content
    assert sent == ["sync", "sync", "async"]  # the clone opened clients of its own
    await asyncio.to_thread(sync_client.close)
    await async_client.aclose()


def test_close_and_reuse(gemini: MemoriesMultiModal) -> None:
    gemini.chat([ChatMessage(role="user", content="hi")])
    gemini.close()
    assert gemini.chat([ChatMessage(role="user", content="hi")]).message.content


async def test_aclose(gemini: MemoriesMultiModal) -> None:
    await gemini.achat([ChatMessage(role="user", content="hi")])
    await gemini.aclose()
    assert (await gemini.achat([ChatMessage(role="user", content="hi")])).message.content


def test_chat_docstring_names_exactly_the_per_call_options() -> None:
    from llama_index_memories.base import CALL_OPTIONS

    doc = MemoriesMultiModal.chat.__doc__ or ""
    listed = doc.split("Keyword arguments override", 1)[1].split("Unknown", 1)[0]
    assert set(re.findall(r"``(\w+)``", listed)) == CALL_OPTIONS
