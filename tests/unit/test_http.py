from __future__ import annotations

import json
import logging
import pickle
import warnings

import httpx
import pytest

from memories_client import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ChatRequest,
    InsecureBaseURLWarning,
    InsufficientCreditsError,
    MemoriesClient,
    MemoriesInputError,
    Message,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    ToolSpec,
)
from memories_client._http import error_from_response, parse_retry_after

KEY = "sk-mavi-very-secret-key-123"


def mock_client(handler: object, **kw: object) -> MemoriesClient:
    return MemoriesClient(
        api_key=KEY,
        base_url="http://127.0.0.1:9",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),  # type: ignore[arg-type]
        retry_policy=RetryPolicy(max_retries=kw.pop("max_retries", 2), initial_delay=0.001),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


REQ = ChatRequest(model="gemini-2.5-flash", messages=[Message.user("hi")])
OK = {"id": "resp_1", "status": "completed", "choices": [{"text": "ok", "index": 0}]}


@pytest.mark.parametrize(
    ("status", "body", "cls", "message"),
    [
        (401, {"code": 401, "msg": "Invalid API key"}, AuthenticationError, "Invalid API key"),
        (403, {"code": 403, "msg": "IP not allowed"}, AuthenticationError, "IP not allowed"),
        (
            402,
            {"code": 402, "msg": "Insufficient balance"},
            InsufficientCreditsError,
            "Insufficient",
        ),
        (400, {"code": 400, "msg": "Request has exceeded the limit."}, BadRequestError, "exceeded"),
        (
            415,
            {"error": {"code": "unsupported", "message": "bad media"}},
            BadRequestError,
            "bad media",
        ),
        (422, {"detail": [{"loc": ["body"], "msg": "x"}]}, BadRequestError, "loc"),
        (404, "Not Found", NotFoundError, "Not Found"),
        (429, {"code": 429, "msg": "rate"}, RateLimitError, "rate"),
        (503, "<html>busy</html>", ServerError, "busy"),
    ],
)
def test_error_mapping(status: int, body: object, cls: type, message: str) -> None:
    content = (json.dumps(body) if not isinstance(body, str) else body).encode()
    err = error_from_response(
        status, httpx.Headers({"x-request-id": "rq-9", "retry-after": "2"}), content
    )
    assert type(err) is cls
    assert err.status == status and err.request_id == "rq-9"
    assert message in (err.server_message or "")
    assert f"HTTP {status}" in str(err) and "rq-9" in str(err)


def test_retry_after_parsing() -> None:
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("garbage") is None
    # A date in the past, a negative or a NaN value: normal backoff, not an immediate retry.
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
    assert parse_retry_after("-5") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after("0") == 0.0


def test_retries_429_then_succeeds_and_honours_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr("memories_client._client.time.sleep", sleeps.append)
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) < 3:
            return httpx.Response(429, headers={"Retry-After": "0.25"}, json={"msg": "slow"})
        return httpx.Response(200, json=OK)

    assert mock_client(handler).chat(REQ).text == "ok"
    assert len(seen) == 3 and sleeps == [0.25, 0.25]


def test_max_retries_zero_is_one_attempt() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503, json={"msg": "down"})

    with pytest.raises(ServerError):
        mock_client(handler, max_retries=0).chat(REQ)
    assert len(seen) == 1


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={"msg": "no"})

    with pytest.raises(Exception):
        mock_client(handler, max_retries=3).chat(REQ)
    assert len(seen) == 1


def test_connection_errors_are_retried_then_typed() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ConnectError("refused")

    with pytest.raises(APIConnectionError):
        mock_client(handler, max_retries=2).chat(REQ)
    assert len(seen) == 3


def test_too_long_retry_after_is_not_waited_for() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(429, headers={"Retry-After": "3600"}, json={"msg": "later"})

    with pytest.raises(RateLimitError) as info:
        mock_client(handler, max_retries=3).chat(REQ)
    assert len(seen) == 1 and info.value.retry_after == 3600
    assert "not retried: the server asked to wait 3600 s" in str(info.value)


def test_input_errors_raise_before_any_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may be sent")

    client = mock_client(handler)
    for bad in (
        {"temperature": 2.5},
        {"top_p": -0.1},
        {"n": 0},
        {"max_tokens": 0},
        {"stop": [""]},
        {"messages": []},
        {"messages": [Message.system("only system")]},
        {"model": "nova:us.amazon.nova-lite-v1:0", "thinking_budget": 10},
        {"model": "qwen:qwen3-vl-plus", "thinking_budget": 0},
        {"model": "gpt:gpt-4o", "tools": [ToolSpec("f", "f", {"type": "object"})]},
        {"model": "gpt:gpt-4o", "endpoint": "vu"},
    ):
        with pytest.raises(MemoriesInputError):
            client.chat(REQ.replace(**bad))


def test_auth_header_is_the_raw_key_or_bearer() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=OK)

    mock_client(handler).chat(REQ)
    mock_client(handler, auth_scheme="bearer").chat(REQ)
    assert seen[0].headers["authorization"] == KEY
    assert seen[1].headers["authorization"] == f"Bearer {KEY}"
    with pytest.raises(MemoriesInputError, match="Authorization"):
        mock_client(handler, default_headers={"Authorization": "x"})


def test_key_from_env_and_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEMORIES_API_KEY", raising=False)
    with pytest.raises(MemoriesInputError, match="MEMORIES_API_KEY"):
        MemoriesClient()
    monkeypatch.setenv("MEMORIES_API_KEY", KEY)
    assert "MemoriesClient" in repr(MemoriesClient(base_url="http://127.0.0.1:1"))


def test_key_never_leaks(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"code": 401, "msg": "Invalid key"})

    client = mock_client(handler)
    with pytest.raises(AuthenticationError) as info:
        client.chat(REQ)
    for text in (
        repr(client),
        str(client),
        str(info.value),
        repr(info.value),
        repr(info.value.body),
        caplog.text,
        repr(pickle.loads(pickle.dumps(info.value))),
    ):
        assert KEY not in text
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)


def test_insecure_base_url_warns_but_loopback_does_not() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MemoriesClient(api_key=KEY, base_url="http://localhost:8000")
        MemoriesClient(api_key=KEY, base_url="http://[::1]:8000")
    with pytest.warns(InsecureBaseURLWarning):
        MemoriesClient(api_key=KEY, base_url="http://api.example.com")
    with pytest.raises(MemoriesInputError):
        MemoriesClient(api_key=KEY, base_url="ftp://x")


def test_errors_survive_pickling() -> None:
    err = error_from_response(429, httpx.Headers({"retry-after": "3"}), b'{"msg":"slow"}')
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is RateLimitError
    assert (again.status, again.server_message, again.retry_after) == (429, "slow", 3.0)


def test_paths_are_overridable() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=OK)

    client = mock_client(handler, paths={"iu": "/ilm/chat/completions"})
    client.chat(ChatRequest(model="nova:us.amazon.nova-lite-v1:0", messages=[Message.user("x")]))
    assert seen[0].url.path == "/ilm/chat/completions"
    with pytest.raises(MemoriesInputError):
        mock_client(handler, paths={"xx": "/a"})


def test_settings_the_requests_are_built_from_are_read_only() -> None:
    # The URLs and headers are built once per client, so a later change could not apply:
    # it is refused instead of silently ignored.
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=OK)

    client = mock_client(handler, paths={"vu": "/v/chat"}, default_headers={"X-Team": "video"})
    with pytest.raises(AttributeError):
        client.base_url = "http://elsewhere.test"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        client.auth_scheme = "bearer"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        client.timeout = httpx.Timeout(1.0)  # type: ignore[misc]
    with pytest.raises(TypeError):
        client.paths["vu"] = "/other"  # type: ignore[index]
    with pytest.raises(TypeError):
        client.default_headers["X-Team"] = "audio"  # type: ignore[index]
    client.chat(REQ)
    assert seen[0].url == client.base_url + "/v/chat"
    assert seen[0].headers["X-Team"] == "video"
    assert seen[0].headers["Authorization"] == KEY
    assert dict(client.paths)["vu"] == "/v/chat"


def test_unknown_request_fields_are_input_errors() -> None:
    client = mock_client(lambda request: httpx.Response(200, json=OK))
    with pytest.raises(MemoriesInputError, match="invalid request fields"):
        client.chat(REQ, temprature=0.2)
    with pytest.raises(MemoriesInputError, match="invalid request fields"):
        client.chat(model="gemini-2.5-flash")


def test_a_past_or_negative_retry_after_backs_off_instead_of_hammering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []
    monkeypatch.setattr("memories_client._client.time.sleep", slept.append)

    def handler(request: httpx.Request) -> httpx.Response:
        value = "-1" if len(slept) == 0 else "Wed, 21 Oct 2015 07:28:00 GMT"
        return httpx.Response(429, headers={"Retry-After": value}, json={"msg": "later"})

    with pytest.raises(RateLimitError):
        mock_client(handler, max_retries=2).chat(REQ)
    assert len(slept) == 2 and all(s > 0 for s in slept)  # the client's own backoff, twice
