"""``memories_client._transport``: httpcore's errors become httpx's, as httpx's transport does;
a tool that replaces httpx's transport (vcrpy) sees the sync client's requests."""

from __future__ import annotations

import httpcore
import httpx
import pytest
from loopback import gemini_completion

from memories_client import MemoriesClient, Message
from memories_client._transport import _as_httpx_errors, httpx_transport_replaced

# httpcore's pool retries this one itself; it never reaches a transport (nor does httpx map it).
INTERNAL = {"ConnectionNotAvailable"}
ERRORS = sorted(
    name
    for name in httpcore.__all__
    if isinstance(getattr(httpcore, name), type)
    and issubclass(getattr(httpcore, name), Exception)
    and name not in INTERNAL
)


@pytest.mark.parametrize("name", ERRORS)
def test_each_httpcore_error_becomes_httpx_error_of_the_same_name(name: str) -> None:
    cause = getattr(httpcore, name)("what happened")
    with pytest.raises(httpx.TransportError) as raised, _as_httpx_errors():
        raise cause
    assert type(raised.value) is getattr(httpx, name)
    assert str(raised.value) == "what happened"
    assert raised.value.__cause__ is cause


def test_other_errors_pass_through() -> None:
    with pytest.raises(KeyError), _as_httpx_errors():
        raise KeyError("not a transport error")


def test_a_replaced_httpx_transport_sees_the_sync_clients_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What vcrpy does while a cassette is in use: the sync client must go through it.
    seen: list[str] = []

    def recorded(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json=gemini_completion("from the cassette"))

    assert not httpx_transport_replaced()
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", recorded)
    assert httpx_transport_replaced()
    with MemoriesClient(api_key="k", base_url="http://127.0.0.1:9", max_retries=0) as client:
        answer = client.chat(model="gemini-2.5-flash", messages=[Message.user("hi")])
    assert answer.text == "from the cassette"
    assert seen == ["http://127.0.0.1:9/vu/chat/completions"]
