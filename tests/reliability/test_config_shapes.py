"""Settings that would send the key elsewhere, or show a secret, are refused when built.

Keys and header values that httpx cannot encode (a zero-width space, a BOM or an accent copied
along with a key) used to escape as a ``UnicodeEncodeError`` carrying the whole key. Base URLs
with a query, a fragment or credentials, and paths with a host or port, used to send requests
(and the key) to the wrong place. Each is now a ``ValueError`` (``MemoriesInputError``, or
pydantic's ``ValidationError`` around it for LangChain) at construction that never shows the
value, on the core client and all three framework classes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.load import dumpd

from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from llama_index_memories import MemoriesMultiModal
from memories_client import MemoriesClient, Message

SECRET = "sk-mavi-SHAPES-7c1f0e9d"
BUILDERS: dict[str, Callable[..., Any]] = {
    "core": MemoriesClient,
    "langchain-gemini": ChatMemoriesGemini,
    "langchain-nova": ChatMemoriesNova,
    "llamaindex": MemoriesMultiModal,
}
BAD_KEYS = {
    "zero-width space": SECRET + "\u200b",
    "byte order mark": "\ufeff" + SECRET,
    "accent": SECRET.replace("a", "á"),
    "line break": SECRET[:6] + "\r\n" + SECRET[6:],
}


def _refused(build: Callable[..., Any], **settings: Any) -> str:
    with pytest.raises(ValueError) as info:  # MemoriesInputError, or pydantic's around it
        build(**settings)
    text = f"{info.value!s} {info.value!r}"
    assert SECRET not in text and "SHAPES" not in text
    return text


@pytest.mark.parametrize("surface", sorted(BUILDERS))
@pytest.mark.parametrize("kind", sorted(BAD_KEYS))
def test_a_key_that_cannot_be_sent_is_refused_without_showing_it(surface: str, kind: str) -> None:
    text = _refused(BUILDERS[surface], api_key=BAD_KEYS[kind])
    assert "api_key" in text and "position" in text


@pytest.mark.parametrize("surface", ["langchain-gemini", "langchain-nova", "llamaindex"])
def test_a_bad_key_from_the_environment_is_refused_too(
    surface: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMORIES_API_KEY", BAD_KEYS["zero-width space"])
    _refused(BUILDERS[surface])


@pytest.mark.parametrize("surface", sorted(BUILDERS))
@pytest.mark.parametrize(
    "headers",
    [
        {"Proxy-Authorization": f"Basic {SECRET}\u00e9"},
        {"X-Team": f"{SECRET}\nX-Injected: 1"},
        {"Bad Name": "v"},
    ],
)
def test_default_headers_that_cannot_be_sent_are_refused(
    surface: str, headers: dict[str, str]
) -> None:
    assert "default_headers" in _refused(BUILDERS[surface], api_key="k", default_headers=headers)


@pytest.mark.parametrize("surface", sorted(BUILDERS))
@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.example.com/v2?tenant=1",
        "https://api.example.com/v2#frag",
        f"https://user:{SECRET}@api.example.com/v2",
        "https://api.example.com:notaport/v2",
    ],
)
def test_base_urls_that_would_misroute_or_leak_are_refused(surface: str, base_url: str) -> None:
    assert "base_url" in _refused(BUILDERS[surface], api_key="k", base_url=base_url)


@pytest.mark.parametrize(
    "path", [":8443/vu", "//evil.example/vu", "https://evil.example/vu", "vu", "/vu?x=1"]
)
def test_paths_must_be_absolute_paths_on_the_base_url(path: str) -> None:
    with pytest.raises(ValueError, match=r"paths\['vu'\]"):
        MemoriesClient(api_key="k", base_url="http://127.0.0.1:9", paths={"vu": path})


def test_the_prepared_request_repr_never_shows_the_key() -> None:
    client = MemoriesClient(api_key=SECRET, base_url="http://127.0.0.1:9")
    prepared = client.prepare(
        client._as_request(None, {"model": "gemini-2.5-flash", "messages": [Message.user("hi")]})
    )
    assert SECRET not in repr(prepared)
    assert prepared.headers["Authorization"] == SECRET  # still sent


def test_langchain_default_headers_are_kept_out_of_repr_and_serialisation() -> None:
    llm = ChatMemoriesGemini(
        api_key="k", default_headers={"Proxy-Authorization": f"Basic {SECRET}"}
    )
    assert SECRET not in repr(llm)
    assert SECRET not in str(llm.model_dump())
    assert SECRET not in json.dumps(dumpd(llm))
    assert llm.default_headers == {"Proxy-Authorization": f"Basic {SECRET}"}  # still used


def test_good_settings_still_construct() -> None:
    for build in BUILDERS.values():
        build(
            api_key=" sk-mavi-ok ",
            base_url="https://api.example.com/serve/api/v2/",
            default_headers={"X-Team": "video analysis", "X-Trace": "a\tb"},
        )


def test_proxy_headers_stay_out_of_every_repr_and_dump() -> None:
    headers = {"Proxy-Authorization": f"Basic {SECRET}"}
    llama = MemoriesMultiModal(api_key="k", default_headers=headers)
    core = MemoriesClient(api_key="k", default_headers=headers)
    shown = [repr(llama), str(llama), llama.to_json(), str(llama.to_dict()), repr(core), str(core)]
    assert not [text for text in shown if SECRET in text]
