"""The fault matrix over real sockets, through the framework surfaces.

Every fault the emulator can inject is sent through ``ChatMemoriesGemini``, ``ChatMemoriesNova``
and ``MemoriesMultiModal``, each sync, async, streaming and async streaming. Each case checks:

* the error type (the core class, and for LangChain also the ``langchain_core`` ``Model*Error``);
* that the server's status and message are in the error (``str`` and attributes);
* how many attempts the emulator saw (retried faults: 1 + max_retries; the rest: 1).

The same matrix for ``memories_client`` alone is in ``tests/integration/test_client_emulator.py``;
here the core surface is only used where that file has no equivalent (Retry-After per mode).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from reliability_support import (
    ALL_SURFACES,
    FRAMEWORK_SURFACES,
    MODES,
    HalfAnswerServer,
    Surface,
    build,
    call,
)

from memories_client import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    MalformedResponseError,
    MemoriesAPIError,
    MemoriesError,
    RateLimitError,
    ServerError,
    StreamInterruptedError,
)
from memories_client import (
    ModelError as CoreModelError,
)
from memories_emulator import Emulator

pytestmark = pytest.mark.usefixtures("async_transport")  # async calls on httpx and aiohttp


@dataclass(frozen=True)
class Fault:
    spec: str
    core: type[MemoriesError]
    langchain: type[ModelError]
    attempts: int  # with max_retries=2
    texts: tuple[str, ...]  # must all appear in str(error)
    status: int | None  # the error's .status
    streaming_only: bool = False

    def __str__(self) -> str:
        return self.spec


FAULTS = (
    Fault(
        "429:retry_after=0.01",
        RateLimitError,
        ModelRateLimitError,
        3,
        ("HTTP 429", "Too many requests"),
        429,
    ),
    Fault("500", ServerError, ModelAPIError, 3, ("HTTP 500", "Internal server error"), 500),
    Fault("502", ServerError, ModelAPIError, 3, ("HTTP 502", "Bad gateway"), 502),
    Fault(
        "503", ServerError, ModelAPIError, 3, ("HTTP 503", "Service temporarily unavailable"), 503
    ),
    Fault(
        "401",
        AuthenticationError,
        ModelAuthenticationError,
        1,
        ("HTTP 401", "Invalid API key"),
        401,
    ),
    Fault(
        "402",
        InsufficientCreditsError,
        ModelPermissionDeniedError,
        1,
        ("HTTP 402", "Insufficient balance"),
        402,
    ),
    Fault(
        "400",
        BadRequestError,
        ModelInvalidRequestError,
        1,
        ("HTTP 400", "Request has exceeded the limit."),
        400,
    ),
    Fault("errored", CoreModelError, ModelAPIError, 1, ("HTTP 200", "robots.txt"), 200),
    Fault("empty_choices", CoreModelError, ModelAPIError, 1, ("HTTP 200", "no choices"), 200),
    Fault(
        "malformed", MalformedResponseError, ModelAPIError, 1, ("HTTP 200", "not valid JSON"), 200
    ),
    Fault("drop", APIConnectionError, ModelConnectionError, 3, ("could not talk to",), None),
    Fault(
        "stream_cut",
        StreamInterruptedError,
        ModelConnectionError,
        1,
        ("incomplete",),
        None,
        streaming_only=True,
    ),
    Fault(
        "stream_error",
        ServerError,
        ModelAPIError,
        1,
        ("HTTP 200", "internal error mid-stream"),
        200,
        streaming_only=True,
    ),
)

CASES = [
    pytest.param(surface, mode, fault, id=f"{surface}-{mode}-{fault}")
    for surface in FRAMEWORK_SURFACES
    for mode in MODES
    for fault in FAULTS
    if mode in ("stream", "astream") or not fault.streaming_only
]


def check_error(
    error: BaseException, surface: Surface, core: type[MemoriesError], lc: type[ModelError]
) -> None:
    assert isinstance(error, core), f"{type(error).__mro__} is not a {core.__name__}"
    assert isinstance(error, MemoriesError)
    if surface.name.startswith("lc-"):
        assert isinstance(error, lc), f"{type(error).__mro__} is not a {lc.__name__}"
    # Nothing here is an input error: the request was fine, the service misbehaved.
    assert not isinstance(error, ValueError)


@pytest.mark.parametrize(("surface", "mode", "fault"), CASES)
def test_fault(emu: Emulator, surface: Surface, mode: str, fault: Fault) -> None:
    target = build(surface, emu, fault.spec, max_retries=2)
    with pytest.raises(MemoriesError) as info:
        call(surface, target, mode)
    error = info.value
    check_error(error, surface, fault.core, fault.langchain)
    text = str(error)
    for fragment in fault.texts:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    if fault.status is not None:
        assert isinstance(error, MemoriesAPIError)
        assert error.status == fault.status
        assert error.request_id  # every emulator response carries x-request-id
    if isinstance(error, MemoriesAPIError) and fault.status != 200:
        assert error.server_message and error.server_message in text
    if isinstance(error, StreamInterruptedError):
        # The partial answer is kept for the caller, and is not passed off as the answer.
        assert isinstance(error.partial_text, str) and error.partial_text
    assert len(emu.requests) == fault.attempts
    if fault.spec.startswith("429"):
        assert isinstance(error, RateLimitError) and error.retry_after == pytest.approx(0.01)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("surface", FRAMEWORK_SURFACES, ids=str)
def test_read_timeout(emu: Emulator, surface: Surface, mode: str) -> None:
    # The server would answer after 3 s; two attempts of 0.5 s must give up long before that,
    # even on a loaded machine (the margin is wide on purpose: this is not a speed test). An
    # attempt shorter than the time the in-process emulator needs to read a request under load
    # can give up before the request is recorded, so the attempts are not made shorter.
    target = build(surface, emu, "slow:3", max_retries=1, timeout=0.5)
    started = time.perf_counter()
    with pytest.raises(MemoriesError) as info:
        call(surface, target, mode)
    check_error(info.value, surface, APITimeoutError, ModelTimeoutError)
    assert "timed out" in str(info.value)
    assert time.perf_counter() - started < 3  # two short attempts, never the server's delay
    # The emulator records each request on arrival.
    deadline = time.monotonic() + 10
    while len(emu.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.05)
    assert len(emu.requests) == 2


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("surface", ALL_SURFACES, ids=str)
def test_retry_after_is_honoured(emu: Emulator, surface: Surface, mode: str) -> None:
    target = build(surface, emu, "429:retry_after=0.2;times=1", max_retries=2)
    started = time.perf_counter()
    answer = call(surface, target, mode)
    assert time.perf_counter() - started >= 0.2
    assert answer.startswith("Emulated answer")
    assert [r.status for r in emu.requests] == [429, 200]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("surface", FRAMEWORK_SURFACES, ids=str)
@pytest.mark.parametrize("fault", ["429:retry_after=0.05", "503", "drop"])
def test_max_retries_zero_is_one_attempt(
    emu: Emulator, surface: Surface, mode: str, fault: str
) -> None:
    target = build(surface, emu, fault, max_retries=0)
    with pytest.raises(MemoriesError):
        call(surface, target, mode)
    assert len(emu.requests) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("surface", FRAMEWORK_SURFACES, ids=str)
@pytest.mark.parametrize("fault", ["503;times=2", "502;times=1", "drop;times=2"])
def test_transient_faults_recover_with_the_full_answer(
    emu: Emulator, surface: Surface, mode: str, fault: str
) -> None:
    clean = call(surface, build(surface, emu, None), mode)
    emu.reset()
    answer = call(surface, build(surface, emu, fault, max_retries=2), mode)
    assert answer == clean  # the retried answer is complete, not a fragment
    times = int(fault.rsplit("=", 1)[1])
    assert len(emu.requests) == times + 1


@pytest.mark.parametrize("surface", FRAMEWORK_SURFACES, ids=str)
@pytest.mark.parametrize("fault", ["stream_cut", "stream_error"])
def test_stream_faults_through_the_non_streaming_entry_points(
    emu: Emulator, surface: Surface, fault: str
) -> None:
    """``streaming=True`` (LangChain ``invoke``) and ``stream_complete`` (LlamaIndex) raise too."""
    if surface.name.startswith("lc-"):
        model = build(surface, emu, fault, streaming=True, max_retries=0)
        from reliability_support import _lc_messages

        with pytest.raises(MemoriesError) as info:
            model.invoke(_lc_messages())
        expected_lc = ModelConnectionError if fault == "stream_cut" else ModelAPIError
        assert isinstance(info.value, expected_lc)
    else:
        llm = build(surface, emu, fault, max_retries=0)
        with pytest.raises(MemoriesError) as info:
            "".join(r.delta or "" for r in llm.stream_complete("What happens?"))
    expected = StreamInterruptedError if fault == "stream_cut" else ServerError
    assert isinstance(info.value, expected)
    assert len(emu.requests) == 1


# --------------------------------------------------------------------------- mid-body faults
# The emulator drops connections before any byte; these servers answer half and then hang up
# or stall, which is what a proxy timeout or a crashed backend does to a long video answer.


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("surface", ALL_SURFACES, ids=str)
def test_connection_dropped_mid_body(surface: Surface, mode: str) -> None:
    streaming = mode in ("stream", "astream")
    with HalfAnswerServer(body="sse" if streaming else "json", after="close") as server:
        target = surface.build(server.base_url, {}, max_retries=2)
        with pytest.raises(MemoriesError) as info:
            call(surface, target, mode)
        requests = server.requests
    check_error(info.value, surface, APIConnectionError, ModelConnectionError)
    if streaming:
        # The first bytes had arrived: not retried (the caller may have shown them), and the
        # error says the answer is incomplete instead of returning "part 0 part 1 ".
        assert isinstance(info.value, StreamInterruptedError)
        assert info.value.partial_text == "part 0 part 1 "
        assert "incomplete" in str(info.value)
        assert requests == 1
    else:
        assert not isinstance(info.value, StreamInterruptedError)
        assert requests == 3


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("surface", ALL_SURFACES, ids=str)
def test_answer_that_stalls_mid_body_times_out(surface: Surface, mode: str) -> None:
    streaming = mode in ("stream", "astream")
    with HalfAnswerServer(body="sse" if streaming else "json", after="stall") as server:
        # Attempts long enough for the server thread to count each request on a loaded machine
        # (a shorter deadline can fire before it has read one); not a speed test.
        target = surface.build(server.base_url, {}, max_retries=2, timeout=0.6)
        started = time.perf_counter()
        with pytest.raises(MemoriesError) as info:
            call(surface, target, mode)
        elapsed = time.perf_counter() - started
        requests = server.requests
    check_error(info.value, surface, APITimeoutError, ModelTimeoutError)
    assert "timed out" in str(info.value)
    assert requests == (1 if streaming else 3)
    assert elapsed < 10.0
