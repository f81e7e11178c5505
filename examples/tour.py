"""The tour behind `make demo`: a few real calls, with answers, token usage and dollar cost.

First the framework-free core client (one question to each model family: a Gemini video, a
Nova image, a Qwen video with thinking on, a GPT image in JSON mode), then LangChain (video,
image, a streamed answer, structured output, a thinking budget, Qwen and GPT) and LlamaIndex (a
chat with a VideoBlock); see tour_frameworks.py.

With MEMORIES_API_KEY set it talks to the real memories.ai service; without it, it starts the
bundled emulator on a free local port and runs the same calls offline. It says which.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tour_frameworks import framework_steps

from memories_client import ChatRequest, MediaPart, MemoriesClient, Message, media_from_url
from memories_client.catalog import try_estimate_cost

# The docs' own sample media, publicly fetchable by the service.
VIDEO_URL = "https://storage.googleapis.com/memories-test-data/test_1min.mp4"
IMAGE_URL = "https://storage.googleapis.com/memories-test-data/gun5.png"
GEMINI = "gemini:gemini-2.5-flash"
NOVA = "nova:us.amazon.nova-lite-v1:0"
QWEN = "qwen:qwen3-vl-plus"
GPT = "gpt:gpt-4o"


@contextmanager
def backend() -> Iterator[tuple[str | None, str]]:
    """Yield (base_url, label): the real service with a key, the emulator without."""
    if os.environ.get("MEMORIES_API_KEY"):
        yield None, "the REAL memories.ai API (MEMORIES_API_KEY is set; calls cost money)"
        return
    from memories_emulator import Emulator

    with Emulator() as emu:
        os.environ["MEMORIES_API_KEY"] = "emulator-key"
        try:
            yield emu.base_url, f"the bundled EMULATOR at {emu.base_url} (no MEMORIES_API_KEY set)"
        finally:
            os.environ.pop("MEMORIES_API_KEY", None)


class Ledger:
    """Totals tokens and dollars over the tour."""

    def __init__(self) -> None:
        self.total = Decimal(0)
        self.unpriced = 0

    def record(self, model: str, input_tokens: int, output_tokens: int) -> str:
        """Add one call's cost; return a line describing it."""
        cost = try_estimate_cost(model, input_tokens, output_tokens)
        if cost is None:
            self.unpriced += 1
            return f"{input_tokens} in / {output_tokens} out tokens, price unknown"
        self.total += cost
        return f"{input_tokens} in / {output_tokens} out tokens, ${cost:.6f}"


def step(title: str, fn: Callable[[], Any]) -> Any:
    print(f"\n== {title}")
    started = time.perf_counter()
    result = fn()
    print(f"   ({(time.perf_counter() - started) * 1000:.0f} ms)")
    return result


def short(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def core_steps(base_url: str | None, ledger: Ledger) -> None:
    video = media_from_url(VIDEO_URL)
    image = media_from_url(IMAGE_URL, mime_type="image/png")
    with MemoriesClient(base_url=base_url) as client:

        def ask(model: str, *parts: str | MediaPart, **options: Any) -> Callable[[], None]:
            def run() -> None:
                answer = client.chat(
                    ChatRequest(model=model, messages=[Message.user(*parts)], **options)
                )
                usage = answer.usage
                print("   answer:", short(answer.text))
                if usage:
                    line = ledger.record(model, usage.input_tokens, usage.output_tokens)
                    extra = [
                        f"{value} {name}"
                        for name, value in (
                            ("reasoning", usage.reasoning_tokens),
                            ("cached", usage.cached_tokens),
                        )
                        if value
                    ]
                    print("   usage: ", line + (f" (of which {', '.join(extra)})" if extra else ""))

            return run

        step(
            f"memories_client: a video question to {GEMINI} (/vu)",
            ask(GEMINI, "Summarise this video in two sentences.", video, max_tokens=300),
        )
        step(
            f"memories_client: an image question to {NOVA} (/iu)",
            ask(NOVA, "What is in this image?", image, max_tokens=200),
        )
        step(
            f"memories_client: a video question to {QWEN} with thinking on (thinking_budget=256)",
            ask(QWEN, "How many scenes are there? Answer briefly.", video, thinking_budget=256),
        )
        step(
            f"memories_client: an image question to {GPT} (/iu) in JSON mode",
            ask(
                GPT,
                'Describe this image as JSON: {"objects": [...], "setting": "..."}.',
                image,
                response_mime_type="application/json",
                max_tokens=300,
            ),
        )


def main() -> int:
    ledger = Ledger()
    with backend() as (base_url, label):
        print(f"memories-integrations tour, using {label}")
        core_steps(base_url, ledger)
        framework_steps(base_url, ledger, step, short)
    print(
        f"\nTotal estimated cost: ${ledger.total:.6f}"
        + (f" ({ledger.unpriced} calls without a catalogued price)" if ledger.unpriced else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
