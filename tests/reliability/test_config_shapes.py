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

import httpx
import pytest
from langchain_core.load import dumpd

from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from llama_index_memories import MemoriesMultiModal
from memories_client import (
    AsyncMemoriesClient,
    MemoriesClient,
    MemoriesInputError,
    Message,
    RetryPolicy,
)
from memories_client._http import MAX_TIMEOUT

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


# Each used to pass urlsplit (which drops TAB, CR and LF) and fail later as an untyped
# httpx.InvalidURL: at construction for the core client, at the first call for the layers.
CONTROL_CHARACTERS = {
    "tab": "\t",
    "carriage return": "\r",
    "line feed": "\n",
    "CR LF": "\r\n",
    "delete": "\x7f",
    "NUL": "\x00",
    "escape": "\x1b",
    "C1 next line": "\x85",
    "zero-width space": "\u200b",
    "space": " ",
}


@pytest.mark.parametrize("surface", [*sorted(BUILDERS), "core-async"])
@pytest.mark.parametrize("kind", sorted(CONTROL_CHARACTERS))
@pytest.mark.parametrize("where", ["host", "path"])
def test_control_characters_in_the_base_url_are_refused_when_built(
    surface: str, kind: str, where: str
) -> None:
    char = CONTROL_CHARACTERS[kind]
    url = (
        f"https://api.exa{char}mple.com/v2"
        if where == "host"
        else f"https://api.example.com/se{char}rve/v2"
    )
    build = AsyncMemoriesClient if surface == "core-async" else BUILDERS[surface]
    with pytest.raises(MemoriesInputError, match="base_url has a control, space or invisible"):
        build(api_key="k", base_url=url)


def test_a_base_url_httpx_cannot_parse_is_refused_when_built() -> None:
    # A host IDNA refuses ("⒈" maps to "1.") passes urlsplit; httpx refuses it only when the
    # URL is built.
    for build in BUILDERS.values():
        with pytest.raises(MemoriesInputError, match="not a URL httpx can use"):
            build(api_key="k", base_url="https://\u2488.example.com/v2")


ABSURD_TIMEOUTS: dict[str, object] = {
    "nan": float("nan"),
    "inf": float("inf"),
    "-inf": float("-inf"),
    "1e300": 1e300,
    "huge int": 10**400,
    "over a day": MAX_TIMEOUT + 1,
    "negative": -1.0,
    "zero": 0,
    "Timeout(nan)": httpx.Timeout(float("nan")),
    "Timeout(read=inf)": httpx.Timeout(5.0, read=float("inf")),
    "Timeout(connect=-1)": httpx.Timeout(5.0, connect=-1.0),
    "Timeout(pool=1e300)": httpx.Timeout(5.0, pool=1e300),
    "Timeout(write=0)": httpx.Timeout(5.0, write=0),
}


@pytest.mark.parametrize("surface", [*sorted(BUILDERS), "core-async"])
@pytest.mark.parametrize(
    ("setting", "kind"),
    [
        *[("timeout", kind) for kind in sorted(ABSURD_TIMEOUTS)],
        *[  # total_timeout takes seconds only
            ("total_timeout", kind)
            for kind, value in sorted(ABSURD_TIMEOUTS.items())
            if not isinstance(value, httpx.Timeout)
        ],
    ],
)
def test_non_finite_or_absurd_timeouts_are_refused_when_built(
    surface: str, setting: str, kind: str
) -> None:
    value = ABSURD_TIMEOUTS[kind]
    build = AsyncMemoriesClient if surface == "core-async" else BUILDERS[surface]
    with pytest.raises(MemoriesInputError, match=rf"{setting}\S* must be a number of seconds"):
        build(api_key="k", **{setting: value})


def test_timeouts_up_to_a_day_and_unlimited_phases_still_construct() -> None:
    assert MAX_TIMEOUT == 86_400  # the docs say "a day (86,400 s)"
    for build in [*BUILDERS.values(), AsyncMemoriesClient]:
        build(api_key="k", timeout=MAX_TIMEOUT, total_timeout=MAX_TIMEOUT)
        build(api_key="k", timeout=0.001)
        build(api_key="k", timeout=httpx.Timeout(30.0, read=None))  # httpx: no read limit


@pytest.mark.parametrize("setting", ["initial_delay", "max_delay", "max_retry_after"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0, 1e300, "2", True])
def test_retry_waits_that_are_not_seconds_are_refused_when_built(setting: str, value: Any) -> None:
    # A nan or inf wait would surface only after a failed attempt, from time.sleep.
    with pytest.raises(MemoriesInputError, match=f"RetryPolicy {setting} must be"):
        RetryPolicy(**{setting: value})
    RetryPolicy(**{setting: 0})  # no wait at all is a choice, not a mistake
    RetryPolicy(**{setting: MAX_TIMEOUT})


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
