"""Every public constructor argument of every entry point reaches the wire, changes behaviour,
or is refused.

The parameters are enumerated from the classes themselves (``model_fields`` and the core
clients' signatures), so a new argument fails this test until it has a probe below that proves
what it does. The probes run against a small recording server on loopback, not the emulator:
the server only records what arrived, so it cannot share the client's idea of the API.
Arguments that belong to LangChain or LlamaIndex themselves (callbacks, caches, prompt hooks)
are honoured by those frameworks; the test checks that list against the base classes.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock, VideoBlock
from llama_index.core.llms.function_calling import FunctionCallingLLM

import memories_client as mc
from langchain_memories import (
    ChatMemoriesGemini,
    ChatMemoriesGPT,
    ChatMemoriesNova,
    ChatMemoriesQwen,
)
from llama_index_memories import MemoriesMultiModal
from memories_client._client_base import _BaseClient
from memories_client.dialects import Dialect, GeminiDialect, NovaDialect
from memories_client.integration import ClientOptions

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
    "RU5ErkJggg=="
)


@dataclass
class Seen:
    """One request as it arrived."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Recorder:
    """A loopback server that records requests and answers like the service (or misbehaves)."""

    seen: list[Seen] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str) -> tuple[int, bytes, float]:
        text = "x" * 5000 if path.endswith("/big") else "probe answer"
        body = {
            "id": "resp_1",
            "object": "completion",
            "status": "completed",
            "model": "gemini:gemini-2.5-flash",
            "choices": [{"index": 0, "text": text, "finish_reason": "stop"}],
            "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
        }
        status = 503 if path.endswith("/flaky") else 200
        delay = 2.0 if path.endswith("/slow") else 0.0
        return status, json.dumps(body).encode(), delay


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    rec = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            raw = self.rfile.read(length)
            rec.seen.append(
                Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(raw))
            )
            status, payload, delay = rec.answer(self.path)
            time.sleep(delay)
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    rec.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.server.daemon_threads = True
    threading.Thread(target=rec.server.serve_forever, daemon=True).start()
    yield rec
    rec.server.shutdown()


# -- how each entry point is built and called ------------------------------------------------


@dataclass(frozen=True)
class Entry:
    name: str
    build: Callable[..., Any]
    call: Callable[[Any], Any]
    acall: Callable[[Any], Any]
    params: frozenset[str]
    framework: frozenset[str] = frozenset()


def _core_params() -> frozenset[str]:
    names = set(inspect.signature(mc.MemoriesClient.__init__).parameters)
    names |= set(inspect.signature(_BaseClient.__init__).parameters)
    return frozenset(names - {"self", "settings"})


def _message(image: bool) -> list[mc.Message]:
    parts = [mc.media_from_base64(PNG, "image/png")] if image else []
    return [mc.Message.user("probe", *parts)]


def _core_call(kwargs: dict[str, Any], *, image: bool = False) -> Any:
    model = kwargs.pop("__model", "gemini:gemini-2.5-flash")
    with mc.MemoriesClient(**kwargs) as client:
        return client.chat(model=model, messages=_message(image))


async def _core_acall(kwargs: dict[str, Any]) -> Any:
    async with mc.AsyncMemoriesClient(**kwargs) as client:
        return await client.chat(model="gemini:gemini-2.5-flash", messages=_message(False))


def _lc_message(image: bool) -> list[HumanMessage]:
    content: list[Any] = [{"type": "text", "text": "probe"}]
    if image:
        content.append({"type": "image", "base64": PNG, "mime_type": "image/png"})
    return [HumanMessage(content=content)]


def _lc_message_with_video() -> list[HumanMessage]:
    b64 = base64.b64encode(bytes(64)).decode()
    return [
        HumanMessage(content=["probe", {"type": "video", "base64": b64, "mime_type": "video/mp4"}])
    ]


def _li_message(image: bool) -> list[ChatMessage]:
    blocks: list[Any] = [TextBlock(text="probe")]
    if image:
        blocks.append(ImageBlock(image=PNG.encode(), image_mimetype="image/png"))
    return [ChatMessage(role="user", blocks=blocks)]


LC_FRAMEWORK = frozenset(BaseChatModel.model_fields)
LI_FRAMEWORK = frozenset(FunctionCallingLLM.model_fields)

ENTRIES = [
    Entry(
        "MemoriesClient",
        build=lambda **kw: dict(kw),
        call=lambda kw: _core_call(dict(kw)),
        acall=lambda kw: _core_acall(dict(kw)),
        params=_core_params(),
    ),
    Entry(
        "ChatMemoriesGemini",
        build=ChatMemoriesGemini,
        call=lambda m: m.invoke(_lc_message(False)),
        acall=lambda m: m.ainvoke(_lc_message(False)),
        params=frozenset(ChatMemoriesGemini.model_fields),
        framework=LC_FRAMEWORK,
    ),
    Entry(
        "ChatMemoriesNova",
        build=ChatMemoriesNova,
        call=lambda m: m.invoke(_lc_message(False)),
        acall=lambda m: m.ainvoke(_lc_message(False)),
        params=frozenset(ChatMemoriesNova.model_fields),
        framework=LC_FRAMEWORK,
    ),
    *(
        Entry(
            cls.__name__,
            build=cls,
            call=lambda m: m.invoke(_lc_message(False)),
            acall=lambda m: m.ainvoke(_lc_message(False)),
            params=frozenset(cls.model_fields),
            framework=LC_FRAMEWORK,
        )
        for cls in (ChatMemoriesQwen, ChatMemoriesGPT)
    ),
    Entry(
        "MemoriesMultiModal",
        build=MemoriesMultiModal,
        call=lambda m: m.chat(_li_message(False)),
        acall=lambda m: m.achat(_li_message(False)),
        params=frozenset(MemoriesMultiModal.model_fields),
        framework=LI_FRAMEWORK,
    ),
]


def _call_with_image(entry: Entry, target: Any) -> Any:
    if entry.name == "MemoriesClient":
        kw = dict(target)
        if "dialects" in kw and "nova" in kw["dialects"]:
            kw["__model"] = "nova:us.amazon.nova-lite-v1:0"
        return _core_call(kw, image=True)
    if entry.name == "MemoriesMultiModal":
        return target.chat(_li_message(True))
    return target.invoke(_lc_message(True))


# -- the probes: what each setting must do ---------------------------------------------------

Probe = Callable[[Entry, Recorder], None]


def _run(entry: Entry, rec: Recorder, **kw: Any) -> Seen:
    kw.setdefault("api_key", "probe-key")
    kw.setdefault("base_url", rec.base_url)
    kw.setdefault("max_retries", 0)
    before = len(rec.seen)
    entry.call(entry.build(**kw))
    assert len(rec.seen) == before + 1
    return rec.seen[-1]


def _fails(entry: Entry, rec: Recorder, **kw: Any) -> mc.MemoriesError:
    kw.setdefault("api_key", "probe-key")
    kw.setdefault("base_url", rec.base_url)
    with pytest.raises(mc.MemoriesError) as info:
        entry.call(entry.build(**kw))
    return info.value


def _both(path: str) -> dict[str, str]:
    # Nova sends text-only requests to /iu, Gemini everything to /vu.
    return {"vu": path, "iu": path}


def _metadata(seen: Seen) -> dict[str, Any]:
    return dict(seen.body.get("extra_body", {}).get("metadata", {}))


def _body_field(name: str, value: Any, sent: Any = None) -> Probe:
    def probe(entry: Entry, rec: Recorder) -> None:
        assert _run(entry, rec, **{name: value}).body[name] == (value if sent is None else sent)

    return probe


def probe_model(entry: Entry, rec: Recorder) -> None:
    if entry.name == "MemoriesClient":  # the model is per request in the core
        return
    model = {
        "ChatMemoriesNova": "us.amazon.nova-pro-v1:0",
        "ChatMemoriesQwen": "qwen-vl-max",
        "ChatMemoriesGPT": "gpt-4.1",
    }.get(entry.name, "gemini-2.5-pro")
    assert _run(entry, rec, model=model).body["model"].endswith(model)


def probe_api_key(entry: Entry, rec: Recorder) -> None:
    assert _run(entry, rec, api_key="sk-probe-1").headers["authorization"] == "sk-probe-1"


def probe_auth_scheme(entry: Entry, rec: Recorder) -> None:
    seen = _run(entry, rec, api_key="sk-probe-2", auth_scheme="bearer")
    assert seen.headers["authorization"] == "Bearer sk-probe-2"


def probe_base_url(entry: Entry, rec: Recorder) -> None:
    assert _run(entry, rec, base_url=rec.base_url + "/prefix").path.startswith("/prefix/")


def probe_paths(entry: Entry, rec: Recorder) -> None:
    assert _run(entry, rec, paths=_both("/custom/chat")).path == "/custom/chat"


def probe_default_headers(entry: Entry, rec: Recorder) -> None:
    assert _run(entry, rec, default_headers={"X-Probe": "on"}).headers["x-probe"] == "on"


def probe_timeout(entry: Entry, rec: Recorder) -> None:
    error = _fails(entry, rec, timeout=httpx.Timeout(0.2), paths=_both("/x/slow"), max_retries=0)
    assert "timed out" in str(error)


def probe_total_timeout(entry: Entry, rec: Recorder) -> None:
    error = _fails(entry, rec, total_timeout=0.2, paths=_both("/x/slow"), max_retries=0)
    assert "timed out" in str(error)


def probe_max_retries(entry: Entry, rec: Recorder) -> None:
    before = len(rec.seen)
    _fails(entry, rec, max_retries=1, paths=_both("/x/flaky"))
    assert len(rec.seen) == before + 2


def probe_retry_policy(entry: Entry, rec: Recorder) -> None:
    before = len(rec.seen)
    policy = mc.RetryPolicy(max_retries=2, initial_delay=0.01)
    _fails(entry, rec, retry_policy=policy, paths=_both("/x/flaky"))
    assert len(rec.seen) == before + 3


def probe_max_response_bytes(entry: Entry, rec: Recorder) -> None:
    error = _fails(entry, rec, max_response_bytes=1000, paths=_both("/x/big"), max_retries=0)
    assert "max_response_bytes" in str(error)


def probe_options(entry: Entry, rec: Recorder) -> None:
    options = ClientOptions(
        api_key="sk-probe-3", base_url=rec.base_url, paths={"vu": "/opt/chat"}, max_retries=0
    )
    before = len(rec.seen)
    _core_call({"options": options})
    assert rec.seen[before].path == "/opt/chat"
    assert rec.seen[before].headers["authorization"] == "sk-probe-3"


def probe_dialects(entry: Entry, rec: Recorder) -> None:
    # The opposite of each family's default inline form must show on the wire.
    if entry.name == "ChatMemoriesNova":
        dialects: dict[str, Dialect] = {"nova": NovaDialect(inline_format="raw")}
    else:
        dialects = {"gemini": GeminiDialect(inline_format="data_uri")}
    target = entry.build(api_key="k", base_url=rec.base_url, max_retries=0, dialects=dialects)
    _call_with_image(entry, target)
    sent = json.dumps(rec.seen[-1].body["messages"])
    assert ("data:image/png;base64," in sent) == (entry.name != "ChatMemoriesNova")
    assert PNG[:20] in sent


def probe_http_client(entry: Entry, rec: Recorder) -> None:
    hooked: list[str] = []
    with httpx.Client(event_hooks={"request": [lambda r: hooked.append(str(r.url))]}) as http:
        _run(entry, rec, http_client=http)
    assert hooked and hooked[0].startswith(rec.base_url)


def probe_http_async_client(entry: Entry, rec: Recorder) -> None:
    hooked: list[str] = []

    async def hook(request: httpx.Request) -> None:
        hooked.append(str(request.url))

    async def main() -> None:
        async with httpx.AsyncClient(event_hooks={"request": [hook]}) as http:
            target = entry.build(
                api_key="k", base_url=rec.base_url, max_retries=0, http_async_client=http
            )
            await entry.acall(target)

    asyncio.run(main())
    assert hooked and hooked[0].startswith(rec.base_url)


def probe_async_transport(entry: Entry, rec: Recorder) -> None:
    from memories_client import _aiohttp

    sent: list[str] = []
    real = _aiohttp.AiohttpTransport.handle_async_request

    async def counting(self: Any, request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return await real(self, request)

    _aiohttp.AiohttpTransport.handle_async_request = counting  # type: ignore[method-assign]
    try:
        target = entry.build(
            api_key="k", base_url=rec.base_url, max_retries=0, async_transport="aiohttp"
        )
        asyncio.run(entry.acall(target))
        assert sent and sent[0].startswith(rec.base_url)  # the async call went through aiohttp
        if entry.name == "MemoriesClient":
            with pytest.raises(mc.MemoriesInputError, match="applies to AsyncMemoriesClient"):
                entry.call(target)  # the sync client always uses httpx: refused, not dropped
        else:
            before = len(sent)
            _run(entry, rec, async_transport="aiohttp")  # sync calls stay on httpx
            assert len(sent) == before
    finally:
        _aiohttp.AiohttpTransport.handle_async_request = real  # type: ignore[method-assign]
    http = httpx.AsyncClient()
    given = "http_client" if entry.name == "MemoriesClient" else "http_async_client"

    def both() -> None:  # the core client refuses when built, inside the call
        asyncio.run(
            entry.acall(entry.build(api_key="k", async_transport="aiohttp", **{given: http}))
        )

    with pytest.raises(mc.MemoriesInputError, match="both given"):
        both()
    asyncio.run(http.aclose())


def probe_stop(entry: Entry, rec: Recorder) -> None:
    assert _run(entry, rec, stop=["END"]).body["stop"] == ["END"]


def probe_extra_body(entry: Entry, rec: Recorder) -> None:
    # Top-level body keys everywhere, as the OpenAI SDK's extra_body=; "metadata" is one too,
    # and the body's own extra_body object takes provider options into its metadata.
    seen = _run(entry, rec, extra_body={"probe_key": 7, "metadata": {"m": 1}})
    assert (seen.body["probe_key"], seen.body["metadata"]) == (7, {"m": 1})
    assert "probe_key" not in _metadata(seen)
    nested = {"extra_body": {"metadata": {"probe_key": 8}}}
    assert _metadata(_run(entry, rec, extra_body=nested))["probe_key"] == 8


def probe_thinking_budget(entry: Entry, rec: Recorder) -> None:
    if entry.name == "ChatMemoriesQwen":
        metadata = _metadata(_run(entry, rec, thinking_budget=128))
        assert (metadata["thinking_budget"], metadata["enable_thinking"]) == (128, True)
        return
    metadata = _metadata(_run(entry, rec, thinking_budget=128))
    assert metadata["thinking_config"] == {"thinking_budget": 128}


def probe_enable_thinking(entry: Entry, rec: Recorder) -> None:
    model = {} if entry.name == "ChatMemoriesQwen" else {"model": "qwen:qwen3-vl-plus"}
    assert _metadata(_run(entry, rec, enable_thinking=True, **model))["enable_thinking"] is True


def probe_response_schema(entry: Entry, rec: Recorder) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    seen = _run(entry, rec, response_schema=schema)
    if entry.name == "ChatMemoriesGPT":  # JSON mode, the schema in the prompt
        assert seen.body["response_format"] == {"type": "json_object"}
    elif entry.name == "ChatMemoriesQwen":
        assert _metadata(seen)["response_format"]["type"] == "json_schema"
    else:
        assert "responseSchema" in _metadata(seen)


def probe_response_mime_type(entry: Entry, rec: Recorder) -> None:
    if entry.name == "ChatMemoriesGPT":  # OpenAI wants the word JSON in the messages
        llm = entry.build(api_key="k", base_url=rec.base_url, response_mime_type="application/json")
        llm.invoke("Answer in JSON.")
        assert rec.seen[-1].body["response_format"] == {"type": "json_object"}
        return
    seen = _run(entry, rec, response_mime_type="application/json")
    if entry.name == "ChatMemoriesGPT":
        assert seen.body["response_format"] == {"type": "json_object"}
    else:
        assert _metadata(seen)["response_mime_type"] == "application/json"


def probe_streaming(entry: Entry, rec: Recorder) -> None:
    assert _run(entry, rec, streaming=True).body.get("stream") is True


def probe_stream_usage(entry: Entry, rec: Recorder) -> None:
    llm = entry.build(api_key="k", base_url=rec.base_url, max_retries=0, stream_usage=False)
    chunks = list(llm.stream(_lc_message(False)))
    assert all(c.usage_metadata is None for c in chunks)
    llm = entry.build(api_key="k", base_url=rec.base_url, max_retries=0)
    assert any(c.usage_metadata for c in llm.stream(_lc_message(False)))


class _StubUploader:
    """Hands out a fixed URL for whatever it is given (the uploaders have tests of their own)."""

    def __init__(self) -> None:
        self.uploaded: list[int] = []

    def upload(self, source: Any, mime_type: str | None = None, **_: Any) -> str:
        self.uploaded.append(len(source))
        return "https://storage.example/uploaded.mp4"

    async def aupload(self, source: Any, mime_type: str | None = None, **_: Any) -> str:
        return self.upload(source, mime_type)


def probe_uploader(entry: Entry, rec: Recorder) -> None:
    # A local video for Gemini (which takes no inline video) goes up and is sent by URL.
    uploader = _StubUploader()
    target = entry.build(api_key="k", base_url=rec.base_url, max_retries=0, uploader=uploader)
    if entry.name == "ChatMemoriesGPT":  # GPT takes no video at all: refused, not uploaded
        with pytest.raises(mc.UnsupportedFeatureError, match="video"):
            target.invoke(_lc_message_with_video())
        assert uploader.uploaded == []
        return
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(64)
    if entry.name == "MemoriesMultiModal":
        target.chat(
            [
                ChatMessage(
                    role="user",
                    blocks=[
                        TextBlock(text="probe"),
                        VideoBlock(video=video, video_mimetype="video/mp4"),
                    ],
                )
            ]
        )
    else:
        b64 = base64.b64encode(video).decode()
        content = [
            {"type": "text", "text": "probe"},
            {"type": "video", "base64": b64, "mime_type": "video/mp4"},
        ]
        target.invoke([HumanMessage(content=content)])
    assert uploader.uploaded == [len(video)]
    assert "https://storage.example/uploaded.mp4" in json.dumps(rec.seen[-1].body)


def probe_context_window(entry: Entry, rec: Recorder) -> None:
    llm = entry.build(api_key="k", context_window=4096)
    assert llm.metadata.context_window == 4096


PROBES: dict[str, Probe] = {
    "model": probe_model,
    "api_key": probe_api_key,
    "auth_scheme": probe_auth_scheme,
    "base_url": probe_base_url,
    "paths": probe_paths,
    "default_headers": probe_default_headers,
    "timeout": probe_timeout,
    "total_timeout": probe_total_timeout,
    "max_retries": probe_max_retries,
    "retry_policy": probe_retry_policy,
    "max_response_bytes": probe_max_response_bytes,
    "options": probe_options,
    "dialects": probe_dialects,
    "http_client": probe_http_client,
    "http_async_client": probe_http_async_client,
    "async_transport": probe_async_transport,
    "temperature": _body_field("temperature", 0.25),
    "max_tokens": _body_field("max_tokens", 77),
    "top_p": _body_field("top_p", 0.5),
    "frequency_penalty": _body_field("frequency_penalty", 0.5),
    "presence_penalty": _body_field("presence_penalty", -0.5),
    "n": _body_field("n", 2),
    "stop": probe_stop,
    "extra_body": probe_extra_body,
    "thinking_budget": probe_thinking_budget,
    "response_schema": probe_response_schema,
    "response_mime_type": probe_response_mime_type,
    "streaming": probe_streaming,
    "stream_usage": probe_stream_usage,
    "context_window": probe_context_window,
    "uploader": probe_uploader,
    "enable_thinking": probe_enable_thinking,
}


def _own(entry: Entry) -> list[str]:
    return sorted(entry.params - entry.framework)


CASES = [(entry, name) for entry in ENTRIES for name in _own(entry)]


@pytest.mark.parametrize(("entry", "name"), CASES, ids=[f"{e.name}.{n}" for e, n in CASES])
def test_every_argument_reaches_the_wire_or_changes_behaviour(
    recorder: Recorder, entry: Entry, name: str
) -> None:
    probe = PROBES.get(name)
    assert probe is not None, f"{entry.name}({name}=...) has no probe: prove what it does"
    probe(entry, recorder)


@pytest.mark.parametrize("entry", ENTRIES[1:], ids=lambda e: e.name)
def test_framework_arguments_are_the_frameworks_own(entry: Entry) -> None:
    # What the class does not declare itself is LangChain's or LlamaIndex's, honoured there.
    assert entry.params & entry.framework == entry.framework


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        ("temprature", "did you mean 'temperature'"),
        ("model_kwargs", "extra_body"),
        ("seed", "documents no 'seed'"),
        ("async_http_client", "http_async_client"),
    ],
)
def test_unknown_arguments_are_refused_with_a_hint(entry: Entry, wrong: str, hint: str) -> None:
    if entry.name == "MemoriesClient":
        with pytest.raises(TypeError, match=wrong):  # a plain signature: Python refuses it
            mc.MemoriesClient(api_key="k", **{wrong: 1})
        return
    with pytest.raises(mc.MemoriesInputError, match=hint):
        entry.build(api_key="k", **{wrong: 1})


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_the_same_bad_value_fails_the_same_way(entry: Entry) -> None:
    build = mc.MemoriesClient if entry.name == "MemoriesClient" else entry.build
    with pytest.raises(mc.MemoriesInputError, match="auth_scheme must be 'raw' or 'bearer'"):
        build(api_key="k", auth_scheme="Bearer")
    with pytest.raises(mc.MemoriesInputError, match=r"paths\['vu'\] must be an absolute path"):
        build(api_key="k", paths={"vu": "https://elsewhere.example/vu"})
    if entry.name != "MemoriesClient":  # sampling is per request in the core
        with pytest.raises(mc.MemoriesInputError, match="temperature must be a number"):
            build(api_key="k", temperature=5)


@pytest.mark.parametrize("entry", ENTRIES[1:], ids=lambda e: e.name)
@pytest.mark.parametrize(
    ("key", "instead"), [("thinking_config", "thinking_budget="), ("toolConfig", "tools=")]
)
def test_extra_body_keys_of_the_metadata_are_refused_when_the_model_is_built(
    entry: Entry, key: str, instead: str
) -> None:
    # Before extra_body= meant top-level keys everywhere, the models put it in the metadata.
    with pytest.raises(mc.MemoriesInputError, match=f"belongs inside .* Use {instead} instead"):
        entry.build(api_key="k", extra_body={key: {}})


@pytest.mark.parametrize("entry", ENTRIES[1:], ids=lambda e: e.name)
def test_extra_body_warns_when_it_replaces_a_named_option(recorder: Recorder, entry: Entry) -> None:
    with pytest.warns(mc.ExtraBodyWarning, match="temperature"):
        _run(entry, recorder, extra_body={"temperature": 0.1})
