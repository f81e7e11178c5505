"""The API key never leaks, and a key bound for plain http to a remote host is warned about.

Leak detection is stricter than "the whole key is absent": any run of 8 characters of the key's
secret part (after the public ``sk-mavi-`` prefix) counts, because truncated reprs (pydantic's
``input_value=...``) show a prefix or a suffix of a value rather than all of it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import traceback
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps
from langchain_core.messages import HumanMessage
from langchain_core.tracers.context import collect_runs
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.llms import ChatMessage
from reliability_support import (
    FRAMEWORK_SURFACES,
    GEMINI,
    MODES,
    NOVA,
    Surface,
    build,
    call,
    frame_locals,
)

from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from llama_index_memories import MemoriesMultiModal
from memories_client import (
    AsyncMemoriesClient,
    ChatRequest,
    InsecureBaseURLWarning,
    MemoriesClient,
    MemoriesError,
    Message,
)
from memories_emulator import Emulator

pytestmark = pytest.mark.usefixtures("async_transport")  # async calls on httpx and aiohttp

SECRET = "sk-mavi-q7Zx2Vb9Lk4Rt8Wm3Np6Hs1Jd5Fg0Ce"
_TAIL = SECRET[len("sk-mavi-") :]
_WINDOWS = {_TAIL[i : i + 8] for i in range(len(_TAIL) - 7)}


def leaked(text: str) -> bool:
    """True if ``text`` shows the key, or any 8 consecutive characters of its secret part."""
    return any(window in text for window in _WINDOWS)


def assert_clean(*texts: Any) -> None:
    for text in texts:
        shown = text if isinstance(text, str) else repr(text)
        assert not leaked(shown), f"the API key leaked into: {shown[:400]!r}"


def error_texts(error: BaseException) -> Iterator[str]:
    """Everything a log line or a traceback could show of an error, its causes included."""
    yield str(error)
    yield repr(error)
    yield "".join(traceback.format_exception(type(error), error, error.__traceback__))
    seen: BaseException | None = error
    while seen is not None:
        yield repr(vars(seen)) if hasattr(seen, "__dict__") else repr(seen)
        seen = seen.__cause__ or seen.__context__
    if isinstance(error, MemoriesError):
        yield repr(pickle.loads(pickle.dumps(error)).__dict__)


def lc_models() -> list[Any]:
    return [
        ChatMemoriesGemini(model=GEMINI, api_key=SECRET, thinking_budget=0, temperature=0.1),
        ChatMemoriesNova(model=NOVA, api_key=SECRET, max_tokens=10, stop=["x"]),
    ]


# --------------------------------------------------------------------------- static views


@pytest.mark.parametrize("model", lc_models(), ids=["gemini", "nova"])
def test_langchain_views_of_a_model(model: Any) -> None:
    serialized = dumpd(model)
    assert serialized["kwargs"]["api_key"] == {
        "lc": 1,
        "type": "secret",
        "id": ["MEMORIES_API_KEY"],
    }
    assert_clean(
        repr(model),
        str(model),
        dumps(model),
        dumps(model, pretty=True),
        json.dumps(serialized),
        model.to_json(),
        model.model_dump_json(),
        model.model_dump(),
        model._get_ls_params(),
        model._get_ls_params(stop=["y"], temperature=0.5),
        model._identifying_params,
        model.asdict() if hasattr(model, "asdict") else model.dict(),
        repr(model.bind(stop=["z"])),
        repr(model.with_retry()),
    )
    # What LangSmith is sent: the tracer's view of a run (serialized model, invocation params).
    assert_clean(model._get_invocation_params(stop=["y"]))


def test_llama_index_views_of_a_model() -> None:
    for model in (GEMINI, NOVA):
        llm = MemoriesMultiModal(model=model, api_key=SECRET, temperature=0.2, max_tokens=5)
        assert_clean(
            repr(llm),
            str(llm),
            llm.to_dict(),
            llm.to_json(),
            llm.to_payload() if hasattr(llm, "to_payload") else "",
            llm.model_dump(),
            llm.model_dump_json(),
            llm.metadata,
            llm.metadata.model_dump_json(),
        )


def test_core_client_views() -> None:
    sync = MemoriesClient(api_key=SECRET, base_url="http://127.0.0.1:9")
    asynchronous = AsyncMemoriesClient(api_key=SECRET, base_url="http://127.0.0.1:9")
    assert_clean(repr(sync), str(sync), repr(asynchronous), str(asynchronous))
    sync.close()


@pytest.mark.parametrize("cache", [None, "file"])
def test_an_uploader_is_not_pickled_with_its_key(cache: str | None, tmp_path: Any) -> None:
    from memories_client.uploads import FileUploadCache, MemoriesAssetUploader

    store = FileUploadCache(tmp_path / "urls.json") if cache else None
    uploader = MemoriesAssetUploader(api_key=SECRET, base_url="http://127.0.0.1:9", cache=store)
    # The key sits in the uploader's request headers; a pickle would carry it to disk or
    # another process, so pickling is refused, saying what to do instead.
    with pytest.raises(TypeError, match=r"cannot be pickled.*FileUploadCache") as info:
        pickle.dumps(uploader)
    for text in error_texts(info.value):
        assert_clean(text)


@pytest.mark.parametrize(
    "factory",
    [
        pytest.param(
            lambda: ChatMemoriesGemini(model=NOVA, api_key=SECRET),
            id="lc-gemini-wrong-family",
        ),
        pytest.param(
            lambda: ChatMemoriesNova(model=GEMINI, api_key=SECRET),
            id="lc-nova-wrong-family",
        ),
        pytest.param(
            lambda: ChatMemoriesGemini(model=GEMINI, api_key=SECRET, temperature=7), id="lc-field"
        ),
        pytest.param(
            lambda: MemoriesMultiModal(stop=[""], api_key=SECRET),
            id="llama-stop",
        ),
        pytest.param(
            lambda: MemoriesMultiModal(model=GEMINI, thinking_budget=-9, api_key=SECRET),
            id="llama-thinking",
        ),
    ],
)
def test_construction_errors_do_not_echo_the_key(factory: Any) -> None:
    # The key is passed last: pydantic's truncated input_value repr then shows its end.
    with pytest.raises(ValueError) as info:
        factory()
    for text in error_texts(info.value):
        assert_clean(text)


# --------------------------------------------------------------------------- live calls


class _RunRecorder(BaseCallbackHandler):
    """Keeps everything a LangChain tracer (LangSmith included) is handed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.seen.append(repr(serialized))
        self.seen.append(repr(kwargs))

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.seen.append(repr(response))

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.seen.append(repr(error))


class _EventRecorder(BaseEventHandler):
    """Keeps every LlamaIndex instrumentation event (what observability integrations get)."""

    seen: list[str] = []

    @classmethod
    def class_name(cls) -> str:
        return "_EventRecorder"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.seen.append(repr(event))
        self.seen.append(event.model_dump_json())


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG: httpx, httpcore, ours, the frameworks'."""
    names = ("", "httpx", "httpcore", "memories_client", "langchain_memories")
    names += ("llama_index_memories", "langchain_core", "llama_index", "asyncio")
    levels = {name: logging.getLogger(name).level for name in names}
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("surface", FRAMEWORK_SURFACES, ids=str)
def test_real_calls_keep_the_key_out_of_logs_errors_and_traces(
    emu: Emulator, debug_logs: pytest.LogCaptureFixture, surface: Surface, mode: str
) -> None:
    recorder = _RunRecorder()
    events = _EventRecorder()
    events.seen = []
    dispatcher = get_dispatcher()
    dispatcher.add_event_handler(events)
    try:
        for fault in (None, "503;times=1", "drop;times=1", "401", "400", "errored", "drop"):
            target = build(surface, emu, fault, max_retries=1, api_key=SECRET)
            if surface.name.startswith("lc-"):
                target = target.with_config(callbacks=[recorder])
            try:
                with collect_runs() as runs:
                    call(surface, target, mode)
            except MemoriesError as error:
                for text in error_texts(error):
                    assert_clean(text)
                # What an error tracker records of a failed call: every frame's locals (httpx's,
                # the framework's, ours), causes included. (A constructor's frames hold the
                # caller's own keyword arguments, so construction errors are not walked.)
                for _, _, shown in frame_locals(error, skip=__file__):
                    assert_clean(shown)
            for run in runs.traced_runs:
                assert_clean(run.model_dump_json())
        # Something was logged (the suite would pass vacuously if logging were off).
        assert any(r.name.startswith(("httpx", "httpcore")) for r in debug_logs.records)
        assert any(r.name.startswith("memories_client") for r in debug_logs.records)
        assert_clean(debug_logs.text, *(r.getMessage() for r in debug_logs.records))
        assert_clean(*recorder.seen, *events.seen)
    finally:
        dispatcher.event_handlers.remove(events)


def test_input_errors_do_not_echo_the_key(emu: Emulator) -> None:
    bad_lc = HumanMessage(content=[{"type": "image", "base64": "not base64!!"}])
    bad_llama = ChatMessage(role="user", blocks=[])
    for model in lc_models():
        with pytest.raises(ValueError) as info:
            model.invoke([bad_lc])
        for text in error_texts(info.value):
            assert_clean(text)
    llm = MemoriesMultiModal(model=NOVA, api_key=SECRET, base_url=emu.base_url)
    with pytest.raises(ValueError) as info:
        llm.chat([bad_llama], temperature=9)
    for text in error_texts(info.value):
        assert_clean(text)


def test_a_wrong_key_rejected_by_the_server_is_not_echoed() -> None:
    with Emulator(api_key="the-right-key") as emu:
        for model in lc_models():
            model = model.model_copy(update={"base_url": emu.base_url, "max_retries": 0})
            with pytest.raises(MemoriesError) as info:
                model.invoke("hi")
            assert getattr(info.value, "status", None) == 401
            for text in error_texts(info.value):
                assert_clean(text)


# --------------------------------------------------------------------------- insecure base URL


def _ok(request: httpx.Request) -> httpx.Response:
    body = {"id": "resp_1", "status": "completed", "choices": [{"index": 0, "text": "ok"}]}
    return httpx.Response(200, json=body, headers={"x-request-id": "r1"})


def _mock_clients() -> tuple[httpx.Client, httpx.AsyncClient]:
    return (
        httpx.Client(transport=httpx.MockTransport(_ok)),
        httpx.AsyncClient(transport=httpx.MockTransport(_ok)),
    )


def _call_everywhere(base_url: str) -> None:
    """One sync and one async call through every surface, on mock transports."""
    sync, asynchronous = _mock_clients()
    request = ChatRequest(model=GEMINI, messages=[Message.user("hi")])
    MemoriesClient(api_key=SECRET, base_url=base_url, http_client=sync).chat(request)

    async def core_async() -> None:
        client = AsyncMemoriesClient(api_key=SECRET, base_url=base_url, http_client=asynchronous)
        await client.chat(request)

    asyncio.run(core_async())
    for cls in (ChatMemoriesGemini, ChatMemoriesNova):
        model = cls(api_key=SECRET, base_url=base_url, http_client=sync)
        model.invoke("hi")
        model = cls(api_key=SECRET, base_url=base_url, http_async_client=asynchronous)
        asyncio.run(model.ainvoke("hi"))
    llm = MemoriesMultiModal(api_key=SECRET, base_url=base_url, http_client=sync)
    llm.complete("hi")
    llm = MemoriesMultiModal(api_key=SECRET, base_url=base_url, http_async_client=asynchronous)
    asyncio.run(llm.acomplete("hi"))


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.example.com/serve/api/v2",
        "http://10.0.0.7:8080",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "HTTP://API.EXAMPLE.COM",
    ],
)
def test_plain_http_to_a_remote_host_warns_on_every_surface(base_url: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _call_everywhere(base_url)
    insecure = [w for w in caught if issubclass(w.category, InsecureBaseURLWarning)]
    # At least one warning per surface (core sync/async, Gemini, Nova, LlamaIndex).
    assert len(insecure) >= 5, [str(w.message) for w in caught]
    for w in insecure:
        assert_clean(str(w.message))
        assert "https" in str(w.message)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://mavi-backend.memories.ai/serve/api/v2",
        "http://127.0.0.1:8765",
        "http://localhost:8765",
        "http://[::1]:8765",
        "http://127.5.6.7",
    ],
)
def test_https_and_loopback_do_not_warn(base_url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", InsecureBaseURLWarning)
        _call_everywhere(base_url)
