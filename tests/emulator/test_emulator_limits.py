"""The emulator's own limits: it answers what it cannot parse with 400, keeps a bounded log,
and refuses fault delays no test means to ask for."""

from __future__ import annotations

import httpx
import pytest

from memories_emulator import Emulator
from memories_emulator.faults import FaultSpecError, parse_fault

BODY = {
    "model": "gemini:gemini-2.5-flash",
    "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
}


def test_a_body_nested_too_deep_is_a_400_not_a_500() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with Emulator() as emu:
        response = httpx.post(
            f"{emu.base_url}/vu/chat/completions",
            content=deep,
            headers={"Authorization": "k", "Content-Type": "application/json"},
        )
    assert response.status_code == 400  # clients do not retry it


def test_the_request_log_keeps_only_the_newest() -> None:
    with Emulator(max_recorded=3) as emu, httpx.Client() as client:
        for n in range(5):
            body = {
                **BODY,
                "messages": [{"role": "user", "content": [{"type": "text", "text": f"m{n}"}]}],
            }
            client.post(
                f"{emu.base_url}/vu/chat/completions", json=body, headers={"Authorization": "k"}
            )
        texts = [r.body["messages"][0]["content"][0]["text"] for r in emu.requests]
    assert texts == ["m2", "m3", "m4"]


@pytest.mark.parametrize(
    "spec", ["slow:1e300", "slow:3601", "429:retry_after=1e9", "slow:-1", "slow:nan"]
)
def test_fault_delays_beyond_an_hour_or_not_finite_are_refused(spec: str) -> None:
    with pytest.raises(FaultSpecError, match="between 0 and 3600"):
        parse_fault(spec)


def test_max_recorded_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_recorded"):
        Emulator(max_recorded=0)
