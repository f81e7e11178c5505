"""Every fault kind, `times=N`, the fault setting, and latency."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

import httpx
import pytest
from emulator_testlib import assert_error, gemini_body, nova_body, user

from memories_emulator import Emulator
from memories_emulator.faults import FaultSpecError, parse_fault

Post = Callable[..., httpx.Response]


def fault(spec: str) -> dict[str, dict[str, str]]:
    return {"headers": {"X-Emulator-Fault": spec}}


@pytest.mark.parametrize(
    ("spec", "status", "message", "retry_after"),
    [
        ("429", 429, "Too many requests", "1"),
        ("429:retry_after=0.1", 429, "Too many requests", "0.1"),
        ("500", 500, "Internal server error", None),
        ("502", 502, "Bad gateway", None),
        ("503", 503, "Service temporarily unavailable", None),
        ("503:retry_after=2", 503, "Service temporarily unavailable", "2"),
        ("401", 401, "Invalid API key", None),
        ("402", 402, "Insufficient balance", None),
        ("400", 400, "Request has exceeded the limit.", None),
        ("504", 504, "Gateway timeout", None),
        ("418", 418, "I'm a Teapot", None),
    ],
)
def test_status_faults(
    post: Post, emulator: Emulator, spec: str, status: int, message: str, retry_after: str | None
) -> None:
    response = post(gemini_body(), **fault(spec))
    assert_error(response, status, message)
    assert response.headers.get("retry-after") == retry_after
    assert response.headers["x-request-id"].startswith("emu-")
    [recorded] = emulator.requests
    assert (recorded.fault, recorded.status) == (spec, status)


def test_errored_is_http_200_with_an_error_object(post: Post) -> None:
    response = post(gemini_body(), **fault("errored"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "errored"
    assert body["object"] == "completion"
    assert body["id"].startswith("resp_")
    assert body["choices"] == []
    assert body["error"]["code"] == "media_fetch_failed"
    assert body["error"]["message"].startswith("Failed to fetch media from the URL: robots.txt")


@pytest.mark.parametrize(
    ("make", "object_"), [(gemini_body, "completion"), (nova_body, "chat.completion")]
)
def test_empty_choices_is_a_valid_body_without_choices(
    post: Post, make: Callable[..., dict[str, object]], object_: str
) -> None:
    response = post(make(), **fault("empty_choices"))
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == object_
    assert body["choices"] == []
    assert "usage" in body


def test_malformed_is_truncated_json(post: Post) -> None:
    response = post(gemini_body(), **fault("malformed"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text == '{"id": "resp_x", "choices": ['
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_drop_closes_the_connection_without_a_response(post: Post, emulator: Emulator) -> None:
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        post(gemini_body(), **fault("drop"))
    assert post(gemini_body()).status_code == 200  # the client recovers on a new connection
    assert [(r.fault, r.status) for r in emulator.requests] == [("drop", None), (None, 200)]


def test_slow_delays_the_answer(post: Post, emulator: Emulator) -> None:
    started = time.monotonic()
    response = post(gemini_body(), **fault("slow:0.3"))
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert emulator.requests[-1].fault == "slow:0.3"
    with pytest.raises(httpx.ReadTimeout):
        post(gemini_body(), timeout=0.1, **fault("slow:0.5"))


def test_times_limits_a_fault_to_the_first_attempts_of_the_same_request(post: Post) -> None:
    body = gemini_body(user("retry me"))
    statuses = [post(body, **fault("503;times=2")).status_code for _ in range(4)]
    assert statuses == [503, 503, 200, 200]
    # Another body, path or spec is another request with its own count.
    assert post(gemini_body(user("other")), **fault("503;times=2")).status_code == 503
    assert post(body, "/iu/chat/completions", **fault("503;times=2")).status_code == 503
    assert post(body, **fault("503;times=3")).status_code == 503


def test_times_works_for_every_kind(post: Post) -> None:
    body = gemini_body(user("again"))
    with pytest.raises(httpx.RemoteProtocolError):
        post(body, **fault("drop;times=1"))
    assert post(body, **fault("drop;times=1")).status_code == 200
    assert post(body, **fault("errored;times=1")).json()["status"] == "errored"
    assert post(body, **fault("errored;times=1")).json()["status"] == "completed"


def test_reset_restarts_the_counts(post: Post, emulator: Emulator) -> None:
    body = gemini_body(user("count"))
    assert post(body, **fault("500;times=1")).status_code == 500
    assert post(body, **fault("500;times=1")).status_code == 200
    emulator.reset()
    assert post(body, **fault("500;times=1")).status_code == 500


def test_fault_setting_applies_to_every_request() -> None:
    with (
        Emulator(fault="429:retry_after=0.1;times=1") as emu,
        httpx.Client(base_url=emu.base_url, headers={"Authorization": "k"}) as client,
    ):
        first = client.post("/vu/chat/completions", json=gemini_body())
        assert first.status_code == 429
        assert first.headers["retry-after"] == "0.1"
        assert client.post("/vu/chat/completions", json=gemini_body()).status_code == 200
        # A header overrides the setting for its request.
        response = client.post("/vu/chat/completions", json=gemini_body(user("x")), **fault("502"))
        assert response.status_code == 502
        emu.fault = "errored"
        assert client.post("/iu/chat/completions", json=nova_body()).json()["status"] == "errored"
        emu.fault = None
        assert client.post("/iu/chat/completions", json=nova_body()).status_code == 200
        # The inspection endpoints are never faulted.
        emu.fault = "500"
        assert client.get("/_emulator/requests").status_code == 200


def test_faults_fire_before_authentication(emulator: Emulator) -> None:
    response = httpx.post(
        f"{emulator.base_url}/vu/chat/completions",
        json={"model": "nonsense"},
        headers={"X-Emulator-Fault": "503"},
    )
    assert_error(response, 503)


def test_invalid_fault_header_is_a_400(post: Post) -> None:
    assert_error(post(gemini_body(), **fault("teapot")), 400, "invalid X-Emulator-Fault header")


@pytest.mark.parametrize(
    "spec",
    [
        "teapot",
        "600",
        "399",
        "429:retry_after=x",
        "429:wait=1",
        "slow",
        "slow:-1",
        "slow:soon",
        "drop:3",
        "503;times=0",
        "503;times=x",
        "503;tims=2",
    ],
)
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(FaultSpecError):
        parse_fault(spec)
    with pytest.raises(ValueError):  # FaultSpecError is a ValueError
        Emulator(fault=spec)


def test_spec_parsing() -> None:
    assert parse_fault("429").retry_after == 1.0
    assert parse_fault("500").retry_after is None
    spec = parse_fault(" slow:seconds=0.25 ; times=3 ")
    assert (spec.kind, spec.seconds, spec.times) == ("slow", 0.25, 3)
    assert parse_fault("stream_cut").is_stream_fault
    assert not parse_fault("drop").is_stream_fault


def test_latency_delays_every_answer(post: Post, emulator: Emulator) -> None:
    emulator.latency = 0.2
    started = time.monotonic()
    assert post(gemini_body()).status_code == 200
    assert time.monotonic() - started >= 0.2
    with pytest.raises(ValueError):
        emulator.latency = -1


def test_slow_requests_are_recorded_on_arrival(post: Post, emulator: Emulator) -> None:
    with pytest.raises(httpx.ReadTimeout):
        post(gemini_body(), timeout=0.2, **fault("slow:3"))
    # Visible at once, although the answer was still pending when the client gave up.
    [recorded] = emulator.requests
    assert (recorded.fault, recorded.status) == ("slow:3", 200)


def test_stopping_during_a_slow_answer_is_quick_and_quiet(caplog: pytest.LogCaptureFixture) -> None:
    errors: list[Exception] = []
    emu = Emulator(fault="slow:10").start()

    def call() -> None:
        try:
            httpx.post(
                f"{emu.base_url}/vu/chat/completions",
                json=gemini_body(),
                headers={"Authorization": "k"},
                timeout=10,
            )
        except httpx.HTTPError as exc:
            errors.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 5
    while not emu.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    emu.stop()
    assert time.monotonic() - started < 1.0
    thread.join(5)
    assert len(errors) == 1 and isinstance(errors[0], httpx.RemoteProtocolError)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
