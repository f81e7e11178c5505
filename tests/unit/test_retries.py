"""Retry decisions: when an attempt is repeated, how long the client waits, and what a failure says.

The backoff's range, when ``Retry-After`` is honoured, explained or ignored, the errors built
from error pages and transport failures (type, message, request id, ``retry_after``), and the
``total_timeout`` rule for the sync and async clients, through ``RetryPolicy`` and the
clients over an ``httpx.MockTransport``. A wrong decision here retries what should fail (the
user pays for each attempt) or gives up on what would have worked.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from memories_client import (
    APIConnectionError,
    APITimeoutError,
    AsyncMemoriesClient,
    BadRequestError,
    ChatRequest,
    MemoriesAPIError,
    MemoriesClient,
    MemoriesInputError,
    Message,
    RateLimitError,
    RetryPolicy,
    ServerError,
    StreamInterruptedError,
)

REQ = ChatRequest(model="gemini-2.5-flash", messages=[Message.user("hi")])
OK = {"id": "resp_1", "status": "completed", "choices": [{"text": "ok", "index": 0}]}
BASE = "http://127.0.0.1:9"


def client(
    handler: Callable[[httpx.Request], httpx.Response], *, max_retries: int = 0, **kw: object
) -> MemoriesClient:
    return MemoriesClient(
        api_key="k",
        base_url=BASE,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        retry_policy=RetryPolicy(max_retries=max_retries, initial_delay=0.001),
        **kw,  # type: ignore[arg-type]
    )


def error_of(response: httpx.Response) -> MemoriesAPIError:
    with pytest.raises(MemoriesAPIError) as info:
        client(lambda request: response).chat(REQ)
    return info.value


# -- the backoff ------------------------------------------------------------------------------


@pytest.mark.parametrize("attempt", [0, 1, 2, 4])
def test_backoff_doubles_with_full_jitter_between_half_and_all_of_it(attempt: int) -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=100.0)
    base = 2.0**attempt
    delays = [policy.delay(attempt, ServerError("x")) for _ in range(400)]
    assert all(base / 2 <= d <= base for d in delays)
    # the jitter spans the range: some waits near each end
    assert min(delays) < base * 0.6 and max(delays) > base * 0.9


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=5.0)
    delays = [policy.delay(10, ServerError("x")) for _ in range(200)]
    assert all(2.5 <= d <= 5.0 for d in delays) and max(delays) > 4.5


@pytest.mark.parametrize(("retry_after", "delay"), [(0.0, 0.0), (0, 0.0), (2.5, 2.5), (7, 7.0)])
def test_a_server_wait_is_taken_as_given(retry_after: float, delay: float) -> None:
    assert RetryPolicy().delay(1, RateLimitError("x", retry_after=retry_after)) == delay


@pytest.mark.parametrize("retry_after", [-1.0, None, "3"])
def test_an_unusable_server_wait_falls_back_to_backoff(retry_after: object) -> None:
    error = RateLimitError("x", retry_after=retry_after)  # type: ignore[arg-type]
    assert 0.25 <= RetryPolicy(initial_delay=0.5).delay(0, error) <= 0.5


@pytest.mark.parametrize("max_retries", [-1, True, "2", 1.0])
def test_max_retries_must_be_a_whole_number(max_retries: object) -> None:
    with pytest.raises(MemoriesInputError) as info:
        RetryPolicy(max_retries=max_retries)  # type: ignore[arg-type]
    assert str(info.value) == f"max_retries must be an integer >= 0, got {max_retries!r}"


# -- when to retry ----------------------------------------------------------------------------


def test_a_stream_cut_mid_answer_is_not_retried() -> None:
    policy = RetryPolicy(max_retries=3)
    assert not policy.should_retry(0, StreamInterruptedError("cut", partial_text="ab"))
    assert policy.should_retry(0, APIConnectionError("refused"))
    assert policy.should_retry(0, APITimeoutError("slow"))
    assert not policy.should_retry(0, BadRequestError("bad", status=400))


def test_a_server_wait_at_the_cap_is_still_waited_for() -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    assert policy.should_retry(0, RateLimitError("x", retry_after=60.0))
    assert not policy.should_retry(0, RateLimitError("x", retry_after=60.5))


LONG_WAIT_NOTE = (
    " (not retried: the server asked to wait 3600 s, longer than the 60 s this client waits; "
    "pass retry_policy=RetryPolicy(max_retry_after=...) to wait longer)"
)


def test_a_refused_long_wait_is_explained() -> None:
    error = RateLimitError("slow down", retry_after=3600.0)
    RetryPolicy(max_retries=2).explain_refusal(0, error)
    assert error.message == "slow down" + LONG_WAIT_NOTE


def test_nothing_is_explained_when_the_wait_was_not_the_reason() -> None:
    policy = RetryPolicy(max_retries=2, max_retry_after=60.0)
    last = RateLimitError("slow down", retry_after=3600.0)
    policy.explain_refusal(2, last)  # retries were used up anyway
    at_cap = RateLimitError("slow down", retry_after=60.0)
    policy.explain_refusal(0, at_cap)
    not_retryable = BadRequestError("bad")
    not_retryable.retry_after = 3600.0  # type: ignore[attr-defined]
    policy.explain_refusal(0, not_retryable)
    no_wait = ServerError("down")
    policy.explain_refusal(0, no_wait)
    assert [e.message for e in (last, at_cap, not_retryable, no_wait)] == [
        "slow down",
        "slow down",
        "bad",
        "down",
    ]


# -- errors from error pages ------------------------------------------------------------------


def test_an_error_page_becomes_a_typed_error_with_everything_the_server_said() -> None:
    err = error_of(
        httpx.Response(
            503,
            headers={"x-request-id": "hdr-1", "retry-after": "7"},
            json={"id": "resp_1", "code": "busy", "msg": "overloaded"},
        )
    )
    assert type(err) is ServerError
    assert err.message == (
        "memories.ai answered HTTP 503: overloaded. The service failed; this was retried. "
        "Try again later."
    )
    assert (err.status, err.code, err.server_message, err.request_id) == (
        503,
        "busy",
        "overloaded",
        "hdr-1",
    )
    assert err.body == {"id": "resp_1", "code": "busy", "msg": "overloaded"}
    assert err.retry_after == 7.0  # type: ignore[attr-defined]


def test_an_error_page_without_a_message_says_the_status() -> None:
    err = error_of(httpx.Response(400, content=b""))
    assert type(err) is BadRequestError
    assert (err.message, err.body, err.server_message) == (
        "memories.ai answered HTTP 400",
        None,
        None,
    )
    err = error_of(httpx.Response(503, content=b""))
    assert err.message == (
        "memories.ai answered HTTP 503. The service failed; this was retried. Try again later."
    )


def test_the_request_id_comes_from_either_header_or_else_the_body() -> None:
    assert error_of(httpx.Response(500, headers={"request-id": "r2"}, json={})).request_id == "r2"
    assert error_of(httpx.Response(500, json={"id": "resp_3"})).request_id == "resp_3"
    with_both = httpx.Response(500, headers={"x-request-id": "hdr"}, json={"id": "resp_3"})
    assert error_of(with_both).request_id == "hdr"
    assert error_of(httpx.Response(500, json={"id": 5})).request_id is None


def test_an_error_page_that_is_not_utf8_is_still_read() -> None:
    err = error_of(httpx.Response(502, content=b"\xff\xfe bad gateway"))
    assert type(err) is ServerError
    assert err.server_message == "\ufffd\ufffd bad gateway"


def test_an_http_date_retry_after_is_read_as_seconds_from_now() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    err = error_of(httpx.Response(429, headers={"retry-after": when}, json={"msg": "later"}))
    assert isinstance(err, RateLimitError)
    assert err.retry_after is not None and 25 <= err.retry_after <= 31


def test_a_429_without_retry_after_has_none() -> None:
    err = error_of(httpx.Response(429, json={"msg": "later"}))
    assert isinstance(err, RateLimitError) and err.retry_after is None


# -- transport failures -----------------------------------------------------------------------


def test_transport_failures_are_typed_and_say_what_to_do() -> None:
    url = f"{BASE}/vu/chat/completions"

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(APITimeoutError) as timeout:
        client(slow).chat(REQ)
    assert str(timeout.value) == (
        f"the request to {url} timed out (ReadTimeout); raise timeout= for long videos, or retry"
    )
    with pytest.raises(APIConnectionError) as connection:
        client(refused).chat(REQ)
    assert str(connection.value) == (
        f"could not talk to {url}: ConnectError: refused. Check base_url and the network"
    )


# -- total_timeout ----------------------------------------------------------------------------

BUSY = {"msg": "busy"}
PASS_NOTE = " (not retried: waiting 10.0 s would pass total_timeout=5 s)"
BUSY_MESSAGE = (
    "memories.ai answered HTTP 503: busy. The service failed; this was retried. Try again later."
)


def test_a_wait_past_total_timeout_is_not_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("memories_client._client.time.sleep", slept.append)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503, headers={"retry-after": "10"}, json=BUSY)

    with pytest.raises(ServerError) as info:
        client(handler, max_retries=3, total_timeout=5).chat(REQ)
    assert info.value.message == BUSY_MESSAGE + PASS_NOTE
    assert len(seen) == 1 and slept == []


def test_a_wait_within_total_timeout_is_taken_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    slept: list[float] = []
    monkeypatch.setattr("memories_client._client.time.sleep", slept.append)
    answers = [httpx.Response(503, headers={"retry-after": "1.5"}, json=BUSY)]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop() if answers else httpx.Response(200, json=OK)

    caplog.set_level(logging.INFO, logger="memories_client")
    assert client(handler, max_retries=2, total_timeout=60).chat(REQ).text == "ok"
    assert slept == [1.5]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        "memories.ai request failed (ServerError); retry 1/2 in 1.50s"
    ]


def trickle(request: httpx.Request) -> httpx.Response:
    """An answer whose second half arrives after 0.5 s."""

    def body() -> Iterator[bytes]:
        yield b'{"choices": [{"text": "o'
        time.sleep(0.5)
        yield b'k"}]}'

    return httpx.Response(200, content=body())


@pytest.mark.parametrize(
    ("timeout", "total_timeout"),
    [(0.2, None), (0.2, 30), (30, 0.2)],
    ids=["attempt", "both", "call"],
)
def test_a_slow_answer_ends_at_the_nearer_deadline(
    timeout: float, total_timeout: float | None
) -> None:
    slow = client(trickle, timeout=timeout, total_timeout=total_timeout)
    with pytest.raises(APITimeoutError):
        slow.chat(REQ)


@pytest.mark.parametrize("timeout", [5, httpx.Timeout(None)], ids=["seconds", "none"])
def test_a_slow_answer_within_the_deadlines_arrives(timeout: float | httpx.Timeout) -> None:
    assert client(trickle, timeout=timeout, total_timeout=30).chat(REQ).text == "ok"
    assert client(trickle, timeout=timeout).chat(REQ).text == "ok"


async def test_the_async_client_keeps_total_timeout_between_attempts() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503, headers={"retry-after": "10"}, json=BUSY)

    async with AsyncMemoriesClient(
        api_key="k",
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        retry_policy=RetryPolicy(max_retries=3, initial_delay=0.001),
        total_timeout=5,
    ) as aclient:
        with pytest.raises(ServerError) as info:
            await aclient.chat(REQ)
    assert info.value.message == BUSY_MESSAGE + PASS_NOTE
    assert len(seen) == 1


async def test_the_async_client_ends_an_attempt_at_total_timeout() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3)
        return httpx.Response(200, json=OK)

    async with AsyncMemoriesClient(
        api_key="k",
        base_url=BASE,
        timeout=30,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        retry_policy=RetryPolicy(max_retries=0),
        total_timeout=0.3,
    ) as aclient:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await aclient.chat(REQ)
    assert time.monotonic() - started < 2
