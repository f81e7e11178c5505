"""The probe runner against the documented example bodies (tests/fixtures/docs/).

A small loopback server answers every chat call with the docs' own example of the model's
family, a wrong key with the documented error envelope, and the unfetchable media URL with the
observed HTTP-200 ``errored`` body. The verdicts are then the docs' word on each assumption: the
documented shapes and usage spellings hold, a plain JSON answer to a stream request contradicts
the SSE assumption, and the Qwen example (cut off before ``usage``) contradicts USAGE-QWEN.
The server also echoes the key it received into every body, which the report must not repeat.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from memories_client.probes import ASSUMPTIONS, make_plan
from memories_client.probes.cli import EXIT_OVER_BUDGET, main
from memories_client.probes.suite import UNFETCHABLE_URL

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "docs"
KEY = "sk-mavi-docs-bodies-key"
_BY_FAMILY = {
    "gemini": "gemini_vlm_response.json",
    "nova": "nova_ilm_response.json",
    "qwen": "qwen_vlm_response.json",
    "gpt": "gpt_ilm_response.json",
}


def _doc(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    body.pop("_source", None)
    return body


def _envelope(code: int, msg: str) -> dict[str, Any]:
    # The shape of error_envelope_402.json, with the status the error-codes page gives.
    body = _doc("error_envelope_402.json")
    body.update(code=code, msg=msg)
    return body


class _DocsHandler(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length", "0")))
        auth = self.headers.get("authorization", "")
        type(self).requests.append(self.path)
        try:
            model = str(json.loads(raw).get("model", ""))
        except ValueError:
            model = ""
        family = model.partition(":")[0]
        status = 200
        if auth != KEY:
            status, answer = 401, _envelope(401, "Invalid API key")
        elif UNFETCHABLE_URL.encode() in raw:
            answer = _doc("errored_200_response.json")
        elif family in _BY_FAMILY:
            answer = _doc(_BY_FAMILY[family])
        else:
            status, answer = 400, _envelope(400, "model must include a provider prefix")
        answer["echo"] = auth  # a careless server repeating the key
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def docs_server() -> Iterator[str]:
    _DocsHandler.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DocsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _run(argv: list[str], base_url: str) -> tuple[int, str]:
    lines: list[str] = []
    env = {"MEMORIES_API_KEY": KEY, "MEMORIES_BASE_URL": base_url}
    return main(argv, environ=env, out=lines.append), "\n".join(lines)


def test_the_documented_bodies_give_the_docs_verdicts(docs_server: str, tmp_path: Path) -> None:
    code, output = _run(["--out", str(tmp_path), "--max-cost", "1"], docs_server)
    assert code == 0, output
    report = json.loads((tmp_path / "report.json").read_text())
    assert all(p["status"] == "ran" for p in report["probes"])
    verdicts = {a["id"]: a["verdict"] for a in report["assumptions"]}
    assert list(verdicts) == list(ASSUMPTIONS)
    documented = {
        "SHAPE-COMPLETION": "held",
        "SHAPE-CHAT": "held",
        "GEMINI-NO-FINISH": "held",
        "USAGE-GEMINI": "held",
        "USAGE-NOVA": "held",
        "USAGE-GPT": "held",
        "USAGE-QWEN": "contradicted",
        "ERR-BAD-KEY": "held",
        "ERR-ENVELOPE": "held",
        "ERR-200-ERRORED": "held",
        "GEMINI-IMAGE": "held",
        "STREAM-SSE": "contradicted",
        # A plain answer to a stream request says nothing about streams' ends or chunks.
        "STREAM-DONE": "not tested",
        "STREAM-USAGE": "not tested",
        "AUTH-BEARER": "contradicted",
    }
    assert {aid: verdicts[aid] for aid in documented} == documented
    assert "**STREAM-SSE**" in (tmp_path / "report.md").read_text()


def test_the_key_a_server_echoes_is_not_in_the_report(docs_server: str, tmp_path: Path) -> None:
    code, output = _run(["--out", str(tmp_path), "--max-cost", "1"], docs_server)
    assert code == 0
    texts = [(tmp_path / "report.json").read_text(), (tmp_path / "report.md").read_text(), output]
    assert '"echo": "<redacted>"' in texts[0].replace('\\"', '"')
    for text in texts:
        assert KEY not in text


def test_the_budget_stops_a_run_that_costs_more_than_estimated(
    docs_server: str, tmp_path: Path
) -> None:
    # The documented Gemini answer reports 16,983 input tokens for every call, far over what a
    # short text probe is estimated at: the run starts, then stops where the budget is reached.
    plan = make_plan(families=["gemini"])
    code, _ = _run(
        ["--family", "gemini", "--max-cost", str(plan.cost), "--out", str(tmp_path)], docs_server
    )
    assert code == EXIT_OVER_BUDGET
    report = json.loads((tmp_path / "report.json").read_text())
    statuses = [p["status"] for p in report["probes"]]
    assert statuses[0] == "ran" and "skipped" in statuses
    assert report["stopped_by_budget"] is True
    ran = [p for p in report["probes"] if p["status"] == "ran"]
    assert len(_DocsHandler.requests) == sum(len(p["exchanges"]) for p in ran)
    assert all(p["exchanges"] == [] for p in report["probes"] if p["status"] == "skipped")
    assert Decimal(report["spent_estimate_usd"]) > Decimal(0)
    assert "stopped by the budget" in (tmp_path / "report.md").read_text()
