"""What the `memories_client` logger says, as docs/CONFIGURATION.md's "Logging and proxies" section states.

INFO for each retry, DEBUG for each answered request, sync and async alike; no header or body
(the key and the media stay out of logs: tests/reliability/test_secrets.py checks every logger).
"""

from __future__ import annotations

import logging

import pytest

from memories_client import AsyncMemoriesClient, MemoriesClient, Message
from memories_emulator import Emulator

KEY = "sk-logging-test-key-123"


def _records(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "memories_client"]


def test_sync_logs_one_debug_line_per_answer_and_info_per_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="memories_client")
    with (
        Emulator(fault="503;times=1") as emu,
        MemoriesClient(api_key=KEY, base_url=emu.base_url, max_retries=1) as client,
    ):
        client.chat(model="gemini-2.5-flash", messages=[Message.user("Secret media text")])
        url = f"{emu.base_url}/vu/chat/completions"
    records = _records(caplog)
    assert [level for level, _ in records] == [logging.INFO, logging.DEBUG]
    assert "ServerError" in records[0][1] and "retry 1/1" in records[0][1]
    assert records[1][1].startswith(f"POST {url} -> 200 in ")
    assert not any(KEY in m or "Secret media text" in m for _, m in records)


async def test_async_logs_the_same_lines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="memories_client")
    with Emulator(fault="503;times=1") as emu:
        client = AsyncMemoriesClient(api_key=KEY, base_url=emu.base_url, max_retries=1)
        await client.chat(model="gemini-2.5-flash", messages=[Message.user("Secret media text")])
        await client.aclose()
        url = f"{emu.base_url}/vu/chat/completions"
    records = _records(caplog)
    assert [level for level, _ in records] == [logging.INFO, logging.DEBUG]
    assert records[1][1].startswith(f"POST {url} -> 200 in ")
    assert not any(KEY in m or "Secret media text" in m for _, m in records)
