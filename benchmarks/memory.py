"""Large media: peak memory added by one call with a 20 MB image, as a multiple of its size.

Each case runs in a fresh subprocess (twice: once under ``tracemalloc`` for the Python-level
peak, once without it for the peak RSS), measured from building the message to getting the
response. A sink transport answers after consuming the request body chunk by chunk, as
httpx's socket transport writes it, so the network is not measured. (httpx.MockTransport would
first join a streamed body into one bytes object, a copy no real transport makes.) The image bytes given "as bytes" already exist before the measurement; a "path" is read
during it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _canned as canned
import httpx
import psutil
from _peak import peak_blocks
from _report import Section, Target, fmt, table

PAYLOAD = 20 * 1024 * 1024
PNG_HEAD = b"\x89PNG\r\n\x1a\n"
TARGET = 3.0
QUESTION = "Describe this image."


def make_image(size: int) -> bytes:
    """PNG-signed random bytes (random, so nothing along the way can compress them)."""
    return PNG_HEAD + os.urandom(size - len(PNG_HEAD))


class _SinkTransport(httpx.BaseTransport):
    """Consumes the request body chunk by chunk, as the socket transport writes it."""

    def __init__(self, answer: bytes = canned.GEMINI_BYTES) -> None:
        self.answer = answer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for _chunk in request.stream:  # type: ignore[union-attr]
            pass
        return httpx.Response(200, headers=canned.JSON_HEADERS, content=self.answer)


def sink_client(answer: bytes = canned.GEMINI_BYTES) -> httpx.Client:
    """A client whose transport reads the whole request body, then answers ``answer``."""
    return httpx.Client(transport=_SinkTransport(answer))


def core_case(source: str) -> Callable[[Any], object]:
    from memories_client import MemoriesClient, Message, media_from_bytes, media_from_path

    client = MemoriesClient(
        api_key=canned.API_KEY, base_url=canned.BASE_URL, http_client=sink_client()
    )

    def call(image: Any) -> object:
        part = media_from_bytes(image) if source == "bytes" else media_from_path(image)
        return client.chat(model=canned.GEMINI_MODEL, messages=[Message.user(QUESTION, part)])

    return call


def langchain_case(source: str) -> Callable[[Any], object]:
    import _contenders as con
    from langchain_core.messages import HumanMessage

    model = con.chat_memories_gemini(http_client=sink_client())

    def call(image: Any) -> object:
        block = {"type": "image", "base64": image, "mime_type": "image/png"}
        message = HumanMessage(content=[{"type": "text", "text": QUESTION}, block])
        return model.invoke([message])

    return call


def llama_case(source: str) -> Callable[[Any], object]:
    import _contenders as con
    from llama_index.core.llms import ChatMessage, ImageBlock, TextBlock

    llm = con.memories_multimodal(http_client=sink_client())

    def call(image: Any) -> object:
        if source == "block":  # built before the measurement: LlamaIndex's own cost excluded
            block = image
        else:
            block = ImageBlock(image=image) if source == "bytes" else ImageBlock(path=image)
        message = ChatMessage(role="user", blocks=[TextBlock(text=QUESTION), block])
        return llm.chat([message])

    return call


CASES: dict[str, tuple[Callable[[str], Callable[[Any], object]], str]] = {
    "core MemoriesClient, bytes": (core_case, "bytes"),
    "core MemoriesClient, path": (core_case, "path"),
    "ChatMemoriesGemini, bytes": (langchain_case, "bytes"),
    "ChatMemoriesGemini, base64 str": (langchain_case, "base64"),
    "MemoriesMultiModal, bytes": (llama_case, "bytes"),
    # The same, with the ImageBlock built before measuring: what remains is this package's cost
    # (building ImageBlock(image=bytes) alone base64-encodes and decodes the image in LlamaIndex).
    "MemoriesMultiModal, prebuilt ImageBlock from bytes": (llama_case, "block"),
    "MemoriesMultiModal, path": (llama_case, "path"),
}


def _inputs(source: str, directory: Path, size: int) -> Any:
    image = make_image(size)
    if source == "path":
        path = directory / f"image-{size}.png"
        path.write_bytes(image)
        return path
    if source == "base64":
        import base64

        return base64.b64encode(image).decode("ascii")
    if source == "block":
        from llama_index.core.llms import ImageBlock

        return ImageBlock(image=image)
    return image


def child(name: str, mode: str, directory: str) -> dict[str, float]:
    """Run one case in this (fresh) process and return the bytes it added at its peak."""
    builder, source = CASES[name]
    call = builder(source)
    call(_inputs(source, Path(directory), 4096))  # warm-up: imports, pools, caches
    image = _inputs(source, Path(directory), PAYLOAD)
    if mode == "tracemalloc":
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        call(image)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {"added": peak - base}
    base = psutil.Process().memory_info().rss
    call(image)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"added": max(0, peak - base)}


def run_child(name: str, mode: str, directory: str) -> tuple[float | None, str | None]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, mode, directory],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        return None, (done.stderr.strip().splitlines() or ["failed"])[-1][:160]
    return float(json.loads(done.stdout.strip().splitlines()[-1])["added"]), None


def run(*, quick: bool = False) -> Section:
    section = Section("3. Large media: peak memory added by a call with a 20 MB image")
    section.lines += [
        f"Payload {PAYLOAD / 2**20:.0f} MiB of PNG-signed random bytes (base64 on the wire: "
        f"{PAYLOAD * 4 / 3 / 2**20:.1f} MiB). One call per fresh process, after a warm-up call "
        "with a 4 KiB image. Multiples are of the raw payload; a body that carries the image as "
        "base64 is 1.33x by itself.",
        "",
    ]
    rows, problems = [], []
    with tempfile.TemporaryDirectory() as directory:
        for name in CASES:
            traced, why = run_child(name, "tracemalloc", directory)
            rss, why_rss = run_child(name, "rss", directory)
            if why or why_rss:
                problems.append(f"- {name} not measured: {why or why_rss}")
            x_traced = traced / PAYLOAD if traced is not None else None
            x_rss = rss / PAYLOAD if rss is not None else None
            rows.append(
                [
                    name,
                    fmt(traced / 2**20 if traced is not None else None, " MiB", 1),
                    fmt(x_traced, "x", 2),
                    fmt(rss / 2**20 if rss is not None else None, " MiB", 1),
                    fmt(x_rss, "x", 2),
                ]
            )
            if not name.startswith("core"):
                met = None if x_traced is None else x_traced <= TARGET
                section.targets.append(
                    Target(
                        f"20 MB image, {name}: added peak memory",
                        f"<= {TARGET:.0f}x payload",
                        f"{fmt(x_traced, 'x', 2)} (tracemalloc), {fmt(x_rss, 'x', 2)} (RSS)",
                        met,
                    )
                )
    section.lines += table(
        ["case", "tracemalloc peak added", "x payload", "RSS peak added", "x payload"], rows
    )
    if problems:
        section.lines += ["", *problems]
    return section


def explain_child(name: str, directory: str) -> list[str]:
    """Markdown rows: the blocks alive at the peak of one call of a case (see ``_peak``)."""
    builder, source = CASES[name]
    call = builder(source)
    call(_inputs(source, Path(directory), 4096))
    image = _inputs(source, Path(directory), PAYLOAD)
    return peak_blocks(lambda: call(image), PAYLOAD)


def explain(names: list[str]) -> list[str]:
    """Peak-allocation profiles of some cases, each in a fresh process."""
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as directory:
        for name in names:
            done = subprocess.run(
                [sys.executable, __file__, "--explain", name, directory],
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            body = (
                done.stdout.strip().splitlines()
                if done.returncode == 0
                else [f"(profile failed: {done.stderr.strip().splitlines()[-1:]})"]
            )
            lines += [f"#### Memory at the peak: {name}", "", *body, ""]
    return lines


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3], sys.argv[4])))
    elif len(sys.argv) == 4 and sys.argv[1] == "--explain":
        print("\n".join(explain_child(sys.argv[2], sys.argv[3])))
    else:
        result = run(quick=True)
        print("\n".join(result.lines))
        for t in result.targets:
            print(t)
