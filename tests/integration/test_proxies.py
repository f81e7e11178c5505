"""The clients the package creates honour httpx's proxy variables (docs/CONFIGURATION.md).

They hand httpx a transport of their own (for the deadline, and for many calls at once), which
turns off httpx's reading of ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY``;
``memories_client._transport`` reads them instead and mounts a transport per proxy. A loopback
server plays the proxy: a request for ``http://memories.invalid`` (a name that never resolves)
can only be answered through it. Each test runs on the sync client, the async one, and the
async one with ``async_transport="aiohttp"``.
"""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import json
import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from loopback import ScriptedServer, gemini_completion, http_response

from memories_client import (
    APIConnectionError,
    AsyncMemoriesClient,
    InsecureBaseURLWarning,
    MemoriesClient,
    MemoriesInputError,
    Message,
)
from memories_client._transport import environment_proxies

VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
ANSWER = http_response(
    200, {"content-type": "application/json"}, json.dumps(gemini_completion("via")).encode()
)


@pytest.fixture(autouse=True)
def _no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def proxy() -> Iterator[ScriptedServer]:
    server = ScriptedServer(lambda head, body: ANSWER)
    try:
        yield server
    finally:
        server.close()


def _sync_chat(base_url: str) -> str:
    with MemoriesClient(api_key="k", base_url=base_url, max_retries=0) as client:
        return client.chat(model="gemini-2.5-flash", messages=[Message.user("hi")]).text


def _async_chat(base_url: str, transport: str) -> str:
    async def run() -> str:
        async with AsyncMemoriesClient(
            api_key="k", base_url=base_url, max_retries=0, async_transport=transport
        ) as client:
            answer = await client.chat(model="gemini-2.5-flash", messages=[Message.user("hi")])
            return answer.text

    return asyncio.run(run())


CHATS: dict[str, Callable[[str], str]] = {
    "sync": _sync_chat,
    "async": lambda url: _async_chat(url, "httpx"),
    "aiohttp": lambda url: _async_chat(url, "aiohttp"),
}


@pytest.fixture(params=sorted(CHATS))
def chat(request: pytest.FixtureRequest) -> Callable[[str], str]:
    return CHATS[request.param]


def _remote(chat: Callable[[str], str]) -> str:
    with pytest.warns(InsecureBaseURLWarning):
        return chat("http://memories.invalid")


def test_http_proxy_carries_the_request(
    chat: Callable[[str], str], proxy: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
    assert _remote(chat) == "via"
    assert proxy.heads[0].startswith(b"POST http://memories.invalid/vu/chat/completions ")


# httpx-aiohttp passes the credentials as aiohttp's deprecated proxy_auth (the only way aiohttp
# sends them to a forwarding proxy).
@pytest.mark.filterwarnings("ignore:.*(proxy_auth|BasicAuth).*:DeprecationWarning")
def test_the_proxy_gets_the_credentials_of_its_url(
    chat: Callable[[str], str], proxy: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALL_PROXY", proxy.base_url.replace("://", "://user:s3cret@"))
    assert _remote(chat) == "via"
    credentials = b"\r\nproxy-authorization: basic " + base64.b64encode(b"user:s3cret")
    assert re.search(re.escape(credentials), proxy.heads[0], re.IGNORECASE)


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*", "http://127.0.0.1"])
def test_no_proxy_hosts_go_direct(
    chat: Callable[[str], str], no_proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScriptedServer(lambda head, body: ANSWER) as server:
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
        with pytest.raises(APIConnectionError):
            chat(server.base_url)  # through the dead proxy: the variable is read
        monkeypatch.setenv("NO_PROXY", no_proxy)
        assert chat(server.base_url) == "via"


def test_an_unknown_proxy_scheme_is_refused_as_httpx_refuses_it(
    chat: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "ftp://proxy:21")
    with pytest.raises(ValueError, match="Unknown scheme for proxy URL"):
        httpx.Client()
    with pytest.raises(ValueError, match="Unknown scheme for proxy URL"):
        chat("https://memories.invalid")


@pytest.mark.skipif(importlib.util.find_spec("socksio") is not None, reason="socksio installed")
@pytest.mark.parametrize("surface", ["sync", "async"])
def test_a_socks_proxy_without_socksio_says_what_to_install(
    surface: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:9")
    with pytest.raises(ImportError, match="socksio"):
        CHATS[surface]("https://memories.invalid")


def test_aiohttp_refuses_a_socks_proxy_before_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:9")
    with pytest.raises(MemoriesInputError, match="HTTP proxies only"):
        CHATS["aiohttp"]("https://memories.invalid")


ENVIRONMENTS: dict[str, dict[str, str]] = {
    "none": {},
    "http": {"HTTP_PROXY": "http://proxy:3128"},
    "no scheme": {"HTTPS_PROXY": "proxy:3128"},
    "lower case": {"https_proxy": "http://low:1", "all_proxy": "socks5://s:1080"},
    "every kind of no_proxy": {
        "ALL_PROXY": "http://proxy:3128",
        "NO_PROXY": " example.com, .internal,10.0.0.1,192.168.0.0/16,::1,LOCALHOST,"
        "http://plain.test,,",
    },
    "star": {"HTTP_PROXY": "http://proxy:3128", "NO_PROXY": "a.test,*"},
}


@pytest.mark.parametrize("environment", ENVIRONMENTS.values(), ids=ENVIRONMENTS.keys())
def test_the_environment_is_read_as_httpx_reads_it(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The copy of httpx's rules is kept true against httpx itself (a test may look inside it).
    from httpx._utils import get_environment_proxies

    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert environment_proxies() == get_environment_proxies()
