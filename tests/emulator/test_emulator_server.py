"""Running the emulator: recording, inspection endpoints, connections, lifecycle and the CLI."""

from __future__ import annotations

import ast
import importlib
import json
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from emulator_testlib import KEY, gemini_body, nova_body

import memories_client
import memories_emulator as emulator_package
from memories_emulator import Emulator, RecordedRequest, create_app

Post = Callable[..., httpx.Response]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- recording


def test_requests_are_recorded_with_the_key_redacted(post: Post, emulator: Emulator) -> None:
    body = gemini_body()
    post(body, "/serve/api/v2/vu/chat/completions", headers={"X-Trace": "t1"})
    post({"model": "gemini-2.5-flash", "messages": []})
    post(body, headers={"X-Emulator-Fault": "429"})
    first, second, third = emulator.requests
    assert isinstance(first, RecordedRequest)
    assert first.path == "/serve/api/v2/vu/chat/completions"
    assert first.body == body
    assert first.headers["authorization"] == "<redacted>"
    assert first.headers["x-trace"] == "t1"
    assert first.headers["content-type"] == "application/json"
    assert KEY not in json.dumps(first.to_dict())
    assert (first.fault, first.status) == (None, 200)
    assert (second.fault, second.status) == (None, 400)
    assert (third.fault, third.status) == ("429", 429)


def test_non_json_bodies_are_recorded_as_none(http: httpx.Client, emulator: Emulator) -> None:
    http.post("/vu/chat/completions", content=b"\x00garbage")
    [recorded] = emulator.requests
    assert recorded.body is None
    assert recorded.status == 415


def test_requests_property_returns_a_copy(post: Post, emulator: Emulator) -> None:
    post(gemini_body())
    emulator.requests.clear()
    assert len(emulator.requests) == 1


def test_inspection_endpoints(post: Post, http: httpx.Client, emulator: Emulator) -> None:
    post(nova_body(), "/iu/chat/completions")
    listed = http.get("/_emulator/requests")
    assert listed.status_code == 200
    assert listed.headers["x-request-id"].startswith("emu-")
    [entry] = listed.json()
    assert entry == emulator.requests[0].to_dict()
    assert set(entry) == {"path", "headers", "body", "fault", "status"}
    assert entry["headers"]["authorization"] == "<redacted>"
    assert http.post("/_emulator/reset").json() == {"reset": True}
    assert emulator.requests == []
    assert http.get("/_emulator/requests").json() == []
    assert http.get("/_emulator/health").json() == {"status": "ok"}


def test_connections_opened_counts_tcp_connections(emulator: Emulator) -> None:
    with httpx.Client(base_url=emulator.base_url, headers={"Authorization": KEY}) as client:
        for _ in range(5):
            client.post("/vu/chat/completions", json=gemini_body())
    assert emulator.connections_opened == 1
    for _ in range(2):
        httpx.post(
            f"{emulator.base_url}/vu/chat/completions",
            json=gemini_body(),
            headers={"Authorization": KEY},
        )
    assert emulator.connections_opened == 3
    emulator.reset()
    assert emulator.connections_opened == 0


def test_concurrent_requests_are_all_recorded(emulator: Emulator) -> None:
    def call(i: int) -> None:
        httpx.post(
            f"{emulator.base_url}/vu/chat/completions",
            json=gemini_body(temperature=i / 10),
            headers={"Authorization": KEY, "X-Emulator-Fault": "slow:0.05"},
        )

    threads = [threading.Thread(target=call, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.body["temperature"] for r in emulator.requests) == [i / 10 for i in range(8)]


# --------------------------------------------------------------------------- lifecycle


def test_lifecycle() -> None:
    emu = Emulator()
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.base_url
    assert "stopped" in repr(emu)
    assert emu.start() is emu
    assert emu.start() is emu  # idempotent
    assert emu.running
    assert repr(emu) == f"Emulator({emu.base_url})"
    assert httpx.get(f"{emu.base_url}/_emulator/health").status_code == 200
    emu.stop()
    emu.stop()  # safe twice
    assert not emu.running
    with emu:  # restartable
        assert httpx.get(f"{emu.base_url}/_emulator/health").status_code == 200


def test_fixed_port_and_port_in_use() -> None:
    port = free_port()
    with Emulator(port=port) as emu:
        assert emu.port == port
        assert emu.base_url == f"http://127.0.0.1:{port}"
        with pytest.raises(OSError):
            Emulator(port=port).start()


def test_create_app_runs_under_another_asgi_server() -> None:
    from starlette.testclient import TestClient

    app = create_app(api_key="k")
    with TestClient(app) as client:
        response = client.post(
            "/vu/chat/completions", json=gemini_body(), headers={"Authorization": "k"}
        )
        assert response.status_code == 200
        assert response.headers["x-request-id"].startswith("emu-")
    assert len(app.emulator_state.requests) == 1


# --------------------------------------------------------------------------- packaging


CLIENT_PACKAGES = ("memories_client", "langchain_memories", "llama_index_memories")


def test_emulator_is_independent_of_the_client() -> None:
    # The emulator must judge the client, so it may not share the client's understanding.
    package_dir = Path(emulator_package.__file__).parent
    for path in package_dir.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.partition(".")[0] not in CLIENT_PACKAGES, (path.name, name)


def test_importing_memories_client_does_not_import_the_emulator() -> None:
    code = (
        "import sys, memories_client\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'memories_emulator']\n"
        "assert 'starlette' not in sys.modules and 'uvicorn' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=30)


def test_the_old_path_inside_the_client_is_gone_without_an_alias() -> None:
    # docs/EMULATOR.md: "Moved to memories_emulator", and the core ships no copy of it.
    with pytest.raises(ModuleNotFoundError) as raised:
        importlib.import_module("memories_client.emulator")
    assert raised.value.name == "memories_client.emulator"
    assert not (Path(memories_client.__file__).parent / "emulator").exists()


def test_running_the_emulator_imports_nothing_of_the_client() -> None:
    # The whole ASGI app and server, the CLI and the pytest plugin, in a fresh interpreter.
    code = (
        "import sys\n"
        "import memories_emulator.__main__, memories_emulator.pytest_plugin\n"
        "from memories_emulator import Emulator, create_app\n"
        "with Emulator() as emu:\n"
        "    pass\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {CLIENT_PACKAGES!r}]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=30)


# --------------------------------------------------------------------------- command line


@contextmanager
def command_line(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``python -m memories_emulator`` on a free port, with its first line checked."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "memories_emulator", "--port", str(port), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line == f"memories.ai emulator listening on http://127.0.0.1:{port}"
        yield process, f"http://127.0.0.1:{port}/vu/chat/completions"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()


def test_command_line_serves_until_interrupted() -> None:
    with command_line("--api-key", "k") as (process, url):
        response = httpx.post(url, json=gemini_body(), headers={"Authorization": "k"}, timeout=10)
        assert response.status_code == 200
        assert response.json()["status"] == "completed"
        wrong = httpx.post(url, json=gemini_body(), headers={"Authorization": "other"}, timeout=10)
        assert wrong.status_code == 401
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--fault", "teapot", "unknown fault kind 'teapot'"),
        ("--script", {"queue": [{"txet": "typo"}]}, "unknown reply keys ['txet']"),
        ("--script", None, "cannot read the script"),
    ],
    ids=["fault", "script", "missing-script"],
)
def test_command_line_refuses_bad_settings(
    tmp_path: Path, option: str, value: object, message: str
) -> None:
    if option == "--script":
        path = tmp_path / "script.json"
        if value is not None:
            path.write_text(json.dumps(value))
        value = str(path)
    result = subprocess.run(
        [sys.executable, "-m", "memories_emulator", option, str(value)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert message in result.stderr


def test_command_line_serves_a_script_file(tmp_path: Path) -> None:
    script = tmp_path / "replies.json"
    script.write_text(json.dumps({"queue": [{"text": "scripted from the command line"}]}))
    with command_line("--script", str(script)) as (_, url):
        first, second = (
            httpx.post(url, json=gemini_body(), headers={"Authorization": KEY}, timeout=10)
            for _ in range(2)
        )
        assert first.json()["choices"][0]["text"] == "scripted from the command line"
        assert second.json()["choices"][0]["text"].startswith("Emulated answer from")
