"""Uploads of a 1 GiB local video: peak memory growth, throughput, and once per content hash.

Run with ``.venv/bin/python benchmarks/uploads.py --write`` to measure and put its rows and
section into ``benchmarks/RESULTS.md`` (``make bench`` runs it with the others); not part of
``make test``. Everything runs on loopback:

* the memories.ai uploader against the emulator, in its own process, keeping only the size and
  hash of what it receives (so the server's work does not share the measured process);
* the S3 uploader against moto's S3 server, in its own process.

The file is made sparse in a temporary directory (a 1 GiB hole after an MP4 header: no disk
space, no write time) and deleted afterwards. Each upload runs in a fresh process that first
uploads a 1 MiB warm-up file (imports, pools), then measures the peak RSS growth
(``ru_maxrss``) over the 1 GiB upload, then uploads the same file again to show the second
upload is a cache hit (no bytes sent).
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _report import Section, Target, fmt, table

SIZE = 1 << 30
TARGET_MB = 50
MP4_HEAD = bytes(4) + b"ftypmp42"


def sparse_video(directory: Path, size: int, name: str) -> Path:
    """An MP4-signed file of ``size`` bytes, all but the header a hole (sparse)."""
    path = directory / name
    with path.open("wb") as fh:
        fh.write(MP4_HEAD + os.urandom(64))  # distinct content per file: distinct hashes
        fh.truncate(size)
    return path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, endpoint: str, big: str, small: str) -> dict[str, Any]:
    """In a fresh process: warm up, then upload ``big`` twice; peak RSS growth and timings."""
    import httpx

    from memories_client.uploads import MemoriesAssetUploader, S3Uploader

    sent: list[int] = []
    if kind == "memories":
        hook = {"request": [lambda r: sent.append(1) if "/_storage/" in r.url.path else None]}
        uploader: Any = MemoriesAssetUploader(
            api_key="bench",
            base_url=endpoint,
            poll_interval=0.05,
            timeout=600,
            http_client=httpx.Client(timeout=600, event_hooks=hook),
        )
    else:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            config=Config(signature_version="s3v4"),
        )
        client.create_bucket(Bucket="bench")
        client.meta.events.register(
            "before-call.s3.*",
            lambda model, **_: (
                sent.append(1) if model.name in ("PutObject", "UploadPart") else None
            ),
        )
        uploader = S3Uploader("bench", client=client)
    uploader.upload(Path(small))
    sent.clear()
    base = _rss_mb()
    started = time.perf_counter()
    url = uploader.upload(Path(big))
    took = time.perf_counter() - started
    growth = _rss_mb() - base
    requests_first = len(sent)
    started = time.perf_counter()
    again = uploader.upload(Path(big))
    took_again = time.perf_counter() - started
    return {
        "growth_mb": growth,
        "seconds": took,
        "again_seconds": took_again,
        "same_url": again == url,
        "requests_first": requests_first,
        "requests_again": len(sent) - requests_first,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_EMULATOR = """
import sys, time
from memories_emulator import Emulator
with Emulator(port=int(sys.argv[1])) as emu:
    emu.app.upload_store.keep_content = False
    print(emu.base_url, flush=True)
    sys.stdin.read()
"""


def _server(kind: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    if kind == "memories":
        cmd = [sys.executable, "-c", _EMULATOR, str(port)]
    else:
        cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, endpoint
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the {kind} server did not start")


def measure(kind: str, directory: Path) -> dict[str, Any]:
    big = sparse_video(directory, SIZE, f"{kind}-big.mp4")
    small = sparse_video(directory, 1 << 20, f"{kind}-small.mp4")
    proc, endpoint = _server(kind)
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, endpoint, str(big), str(small)],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.terminate()
        proc.wait(10)
        big.unlink()
        small.unlink()
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(*, quick: bool = False) -> Section:
    section = Section("7. Uploads: a 1 GiB local video, peak memory growth")
    section.lines += [
        f"A sparse {SIZE / 2**30:.0f} GiB MP4-signed file in a temporary directory (deleted "
        "after), uploaded in a fresh process after a 1 MiB warm-up upload; peak RSS growth "
        "(`ru_maxrss`) over the upload. The servers run in their own processes on loopback: the "
        "emulator (memories.ai signed-URL upload, keeping only size and hash) and moto's S3 "
        "server. The second upload of the same file is a cache hit: no bytes are sent.",
        "",
    ]
    rows = []
    labels = {"memories": "MemoriesAssetUploader (emulator)", "s3": "S3Uploader (moto server)"}
    with tempfile.TemporaryDirectory(prefix="memories-upload-bench-") as tmp:
        for kind, label in labels.items():
            try:
                r = measure(kind, Path(tmp))
            except Exception as exc:
                rows.append([label, "n/a", "n/a", "n/a", f"not measured: {exc}"[:80]])
                section.targets.append(
                    Target(
                        f"1 GiB upload, {label}: peak memory growth",
                        f"< {TARGET_MB} MB",
                        "n/a",
                        None,
                    )
                )
                continue
            rows.append(
                [
                    label,
                    fmt(r["growth_mb"], " MB", 1),
                    fmt(r["seconds"], " s", 1),
                    fmt(SIZE / 2**20 / r["seconds"], " MiB/s", 0),
                    f"{r['again_seconds'] * 1000:.0f} ms, {r['requests_again']} data requests"
                    + ("" if r["same_url"] else " (a different URL!)"),
                ]
            )
            once = r["same_url"] and r["requests_again"] == 0
            section.targets.append(
                Target(
                    f"1 GiB upload, {label}: peak memory growth, once per content hash",
                    f"< {TARGET_MB} MB; second upload sends nothing",
                    f"{r['growth_mb']:.1f} MB; second upload: {r['requests_again']} data requests",
                    r["growth_mb"] < TARGET_MB and once,
                )
            )
    section.lines += table(
        ["uploader", "peak RSS growth", "time", "throughput", "same file again"], rows
    )
    return section


RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN, END = "<!-- uploads:begin -->", "<!-- uploads:end -->"
ROW_PREFIX = "| 1 GiB upload, "


def write(section: Section) -> None:
    """Put this benchmark's target rows and section into RESULTS.md, replacing earlier ones."""
    import datetime as dt

    from _report import verdict

    lines = [line for line in RESULTS.read_text().splitlines() if not line.startswith(ROW_PREFIX)]
    text = "\n".join(lines)
    if BEGIN in text:
        text = text[: text.index(BEGIN)].rstrip() + text[text.index(END) + len(END) :]
    lines = text.rstrip().splitlines()
    rows = [f"| {t.name} | {t.goal} | {t.measured} | {verdict(t.met)} |" for t in section.targets]
    first_section = next(i for i, line in enumerate(lines) if line.startswith("## 1."))
    last_row = max(i for i, line in enumerate(lines[:first_section]) if line.startswith("| "))
    lines[last_row + 1 : last_row + 1] = rows
    ends = ("| met |", "| **missed** |", "| not measured |")
    table_rows = [line for line in lines[:first_section] if line.rstrip().endswith(ends)]
    met = sum(line.rstrip().endswith("| met |") for line in table_rows)
    lines = [
        f"## Targets: {met} of {len(table_rows)} met" if line.startswith("## Targets:") else line
        for line in lines
    ]
    when = f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}"
    block = [
        "",
        BEGIN,
        f"## {section.title}",
        "",
        f"Measured by `python benchmarks/uploads.py --write` ({when}), apart from the run above.",
        "",
        *section.lines,
        END,
    ]
    RESULTS.write_text("\n".join(lines + block) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        print(json.dumps(child(*sys.argv[2:6])))
    else:
        result = run()
        print("\n".join(result.lines))
        for target in result.targets:
            print(target)
        if "--write" in sys.argv:
            write(result)
            print(f"wrote {RESULTS}")
