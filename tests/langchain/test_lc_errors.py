"""Every core error surfaces as a class that is also the matching langchain-core exception."""

from __future__ import annotations

import pickle
import time
from typing import Any

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

import memories_client as mc
from langchain_memories import (
    ChatMemoriesGemini,
    ChatMemoriesNova,
    MemoriesAuthenticationError,
    MemoriesBadRequestError,
    MemoriesConnectionError,
    MemoriesInsufficientCreditsError,
    MemoriesMalformedResponseError,
    MemoriesModelError,
    MemoriesRateLimitError,
    MemoriesServerError,
    MemoriesStreamInterruptedError,
    MemoriesTimeoutError,
)
from langchain_memories._errors import to_langchain_error
from memories_emulator import Emulator


def faulty(emu: Emulator, fault: str, *, cls: type[Any] = ChatMemoriesGemini, **kw: Any) -> Any:
    return cls(
        api_key="test",
        base_url=emu.base_url,
        max_retries=kw.pop("max_retries", 0),
        default_headers={"X-Emulator-Fault": fault},
        **kw,
    )


@pytest.mark.parametrize(
    ("fault", "ours", "core", "langchain"),
    [
        ("429:retry_after=0.05", MemoriesRateLimitError, mc.RateLimitError, ModelRateLimitError),
        ("401", MemoriesAuthenticationError, mc.AuthenticationError, ModelAuthenticationError),
        (
            "402",
            MemoriesInsufficientCreditsError,
            mc.InsufficientCreditsError,
            ModelPermissionDeniedError,
        ),
        ("400", MemoriesBadRequestError, mc.BadRequestError, ModelInvalidRequestError),
        ("500", MemoriesServerError, mc.ServerError, ModelAPIError),
        ("503", MemoriesServerError, mc.ServerError, ModelAPIError),
        ("errored", MemoriesModelError, mc.ModelError, ModelAPIError),
        ("empty_choices", MemoriesModelError, mc.ModelError, ModelAPIError),
        ("malformed", MemoriesMalformedResponseError, mc.MalformedResponseError, ModelAPIError),
        ("drop", MemoriesConnectionError, mc.APIConnectionError, ModelConnectionError),
    ],
)
def test_faults_map_to_langchain_types(
    emulator: Emulator,
    fault: str,
    ours: type[Exception],
    core: type[Exception],
    langchain: type[Exception],
) -> None:
    with pytest.raises(ours) as info:
        faulty(emulator, fault).invoke("hi")
    error = info.value
    assert isinstance(error, core)
    assert isinstance(error, langchain)
    assert isinstance(error, ModelError)
    assert type(error.__cause__) is core  # raised `from` the core error
    if isinstance(error, mc.MemoriesAPIError):
        cause = error.__cause__
        assert isinstance(cause, mc.MemoriesAPIError)
        assert error.status == cause.status
        assert error.code == cause.code
        assert error.server_message == cause.server_message
        assert error.request_id == cause.request_id
        assert str(error) == str(cause)


async def test_async_faults_map_too(emulator: Emulator) -> None:
    with pytest.raises(MemoriesServerError):
        await faulty(emulator, "502").ainvoke("hi")
    with pytest.raises(MemoriesRateLimitError) as info:
        await faulty(emulator, "429:retry_after=0.05", cls=ChatMemoriesNova).ainvoke("hi")
    assert info.value.retry_after == pytest.approx(0.05)


def test_rate_limit_keeps_retry_after(emulator: Emulator) -> None:
    with pytest.raises(MemoriesRateLimitError) as info:
        faulty(emulator, "429:retry_after=0.05").invoke("hi")
    assert info.value.retry_after == pytest.approx(0.05)
    assert info.value.status == 429
    assert ModelRateLimitError.is_retryable


def test_retries_honour_retry_after(emulator: Emulator) -> None:
    llm = faulty(emulator, "429:retry_after=0.2;times=2", max_retries=2)
    started = time.perf_counter()
    answer = llm.invoke("hi")
    elapsed = time.perf_counter() - started
    assert answer.text.startswith("Emulated answer")
    assert [r.status for r in emulator.requests] == [429, 429, 200]
    assert elapsed >= 0.4


def test_max_retries_zero_means_one_attempt(emulator: Emulator) -> None:
    with pytest.raises(MemoriesServerError):
        faulty(emulator, "503;times=1", max_retries=0).invoke("hi")
    assert len(emulator.requests) == 1


def test_server_errors_are_retried(emulator: Emulator) -> None:
    answer = faulty(emulator, "500:retry_after=0;times=2", max_retries=2).invoke("hi")
    assert answer.text
    assert len(emulator.requests) == 3


def test_timeout_maps_to_model_timeout(emulator: Emulator) -> None:
    with pytest.raises(MemoriesTimeoutError) as info:
        faulty(emulator, "slow:2", timeout=0.2).invoke("hi")
    assert isinstance(info.value, ModelTimeoutError)
    assert isinstance(info.value, TimeoutError)


def test_stream_cut_is_an_interrupted_stream(emulator: Emulator) -> None:
    llm = faulty(emulator, "stream_cut", cls=ChatMemoriesNova)
    with pytest.raises(MemoriesStreamInterruptedError) as info:
        list(llm.stream("Write me a long story about a cat and a dog."))
    assert isinstance(info.value, ModelConnectionError)
    assert isinstance(info.value, mc.StreamInterruptedError)


async def test_stream_error_event(emulator: Emulator) -> None:
    llm = faulty(emulator, "stream_error")
    with pytest.raises(ModelError):
        async for _ in llm.astream("Write me a long story."):
            pass


def test_input_errors_stay_value_errors(emulator: Emulator) -> None:
    with pytest.raises(mc.MemoriesInputError) as info:
        faulty(emulator, "500").invoke("hi", temperature=5)
    assert isinstance(info.value, ValueError)
    assert not isinstance(info.value, ModelError)
    assert emulator.requests == []


def test_mapped_errors_pickle() -> None:
    core = mc.RateLimitError("slow down", status=429, code=429, request_id="r1", retry_after=2.0)
    mapped = to_langchain_error(core)
    clone = pickle.loads(pickle.dumps(mapped))
    assert type(clone) is MemoriesRateLimitError
    assert (clone.status, clone.request_id, clone.retry_after) == (429, "r1", 2.0)
    assert to_langchain_error(mapped) is mapped


def test_403_is_permission_denied() -> None:
    mapped = to_langchain_error(mc.AuthenticationError("no", status=403))
    assert isinstance(mapped, ModelPermissionDeniedError)
    assert isinstance(mapped, mc.AuthenticationError)


@pytest.mark.parametrize("stop", [True, 5, 1.5, {"a": 1}, [1], ["ok", None], ""])
@pytest.mark.parametrize("cls", ["ChatMemoriesGemini", "ChatMemoriesNova"])
def test_a_wrong_stop_is_an_input_error_naming_stop_before_anything_else(
    cls: str, stop: object
) -> None:
    import langchain_memories
    from memories_client import MemoriesInputError

    # Port 9 (discard) on loopback: a request that got out would fail with a connection error.
    llm = getattr(langchain_memories, cls)(api_key="test", base_url="http://127.0.0.1:9")
    with pytest.raises(MemoriesInputError, match="stop"):
        llm.invoke("hi", stop=stop)  # type: ignore[arg-type]
    with pytest.raises(MemoriesInputError, match="stop"):
        list(llm.stream("hi", stop=stop))  # type: ignore[arg-type]
