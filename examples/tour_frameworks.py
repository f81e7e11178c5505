"""The framework half of the tour behind `make demo`: LangChain and LlamaIndex calls.

`examples/tour.py` calls :func:`framework_steps` after its `memories_client` calls. Every
step prints the answer, the token usage and the dollar cost (from the catalog's prices). The
same code runs against the real API (``base_url=None``; ``MEMORIES_API_KEY`` set) and against
the bundled emulator (``base_url`` is the emulator's URL).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel, Field

# The docs' own sample media, publicly fetchable by the service.
VIDEO_URL = "https://storage.googleapis.com/memories-test-data/test_1min.mp4"
IMAGE_URL = "https://storage.googleapis.com/memories-test-data/gun5.png"
GEMINI = "gemini:gemini-2.5-flash"
NOVA = "nova:us.amazon.nova-lite-v1:0"
QWEN = "qwen:qwen3-vl-plus"
GPT = "gpt:gpt-4o"


class Ledger(Protocol):
    """What the tour's ledger offers: add one call's cost, get a line describing it."""

    def record(self, model: str, input_tokens: int, output_tokens: int) -> str:
        """Add one call's cost; return a line describing it."""
        ...


class Shot(BaseModel):
    """One shot of a video."""

    start_second: int = Field(description="When the shot starts, in seconds from the start")
    description: str = Field(description="What the shot shows, in one sentence")


class ImageReport(BaseModel):
    """A structured description of an image."""

    setting: str = Field(description="Where the picture is set, in a few words")
    objects: list[str] = Field(description="The main objects visible")


class VideoReport(BaseModel):
    """A structured summary of a video (a nested model: a list of `Shot`)."""

    title: str = Field(description="A short title for the video")
    summary: str = Field(description="Two sentences on what happens")
    shots: list[Shot] = Field(description="The main shots, in order")


def _video_message(question: str) -> HumanMessage:
    # LangChain v1 standard content blocks: the video goes to the service by URL.
    return HumanMessage(
        content=[
            {"type": "text", "text": question},
            {"type": "video", "url": VIDEO_URL, "mime_type": "video/mp4"},
        ]
    )


def _usage_line(ledger: Ledger, model: str, message: AIMessage) -> str:
    usage = message.usage_metadata
    if usage is None:
        return "no usage reported"
    line = ledger.record(model, usage["input_tokens"], usage["output_tokens"])
    reasoning = (usage.get("output_token_details") or {}).get("reasoning")
    cached = (usage.get("input_token_details") or {}).get("cache_read")
    extra = [f"{n} {name}" for name, n in (("reasoning", reasoning), ("cached", cached)) if n]
    return f"{line} (of which {', '.join(extra)})" if extra else line


def framework_steps(
    base_url: str | None,
    ledger: Ledger,
    step: Callable[[str, Callable[[], Any]], Any],
    short: Callable[[str], str],
) -> None:
    """Run the LangChain and LlamaIndex steps of the tour.

    Args:
        base_url: The API base URL (the emulator's), or None for the real service.
        ledger: Totals the cost; ``record(model, input_tokens, output_tokens)`` returns a line.
        step: ``step(title, fn)`` prints a header, runs ``fn()`` and prints its time.
        short: Shortens a text for printing.
    """
    from llama_index.core.llms import ChatMessage, TextBlock, VideoBlock

    from langchain_memories import (
        ChatMemoriesGemini,
        ChatMemoriesGPT,
        ChatMemoriesNova,
        ChatMemoriesQwen,
    )
    from llama_index_memories import MemoriesMultiModal

    # thinking_budget=0: no thinking unless a step asks for it, so max_tokens caps the answer
    # alone (Gemini counts thinking tokens against max_tokens).
    gemini = ChatMemoriesGemini(model=GEMINI, base_url=base_url, max_tokens=300, thinking_budget=0)
    roomy = gemini.model_copy(update={"max_tokens": 2000})  # for JSON and for thinking
    nova = ChatMemoriesNova(model=NOVA, base_url=base_url, max_tokens=200)

    def video_question() -> None:
        answer = gemini.invoke([_video_message("What happens in this video? Two sentences.")])
        print("   answer:", short(answer.text))
        print("   usage: ", _usage_line(ledger, GEMINI, answer))

    def image_question() -> None:
        message = HumanMessage(
            content=[
                {"type": "text", "text": "What is in this image? One sentence."},
                {"type": "image", "url": IMAGE_URL, "mime_type": "image/png"},
            ]
        )
        answer = nova.invoke([message])
        print("   answer:", short(answer.text))
        print("   usage: ", _usage_line(ledger, NOVA, answer))

    def streamed() -> None:
        full = None
        pieces = 0
        print("   stream: ", end="", flush=True)
        for chunk in gemini.stream([_video_message("Describe the opening scene.")]):
            pieces += 1
            print(chunk.text, end="", flush=True)
            full = chunk if full is None else full + chunk
        print(f"\n   ({pieces} chunks; usage arrives on the last one)")
        if full is not None:
            print("   usage: ", _usage_line(ledger, GEMINI, full))

    def structured() -> None:
        reporter = roomy.with_structured_output(VideoReport, include_raw=True)
        result = reporter.invoke([_video_message("Report on this video.")])
        report = result["parsed"]
        if report is None:
            print("   could not parse the answer:", result["parsing_error"])
        else:
            print("   title:  ", short(report.title))
            print("   summary:", short(report.summary))
            for shot in report.shots[:3]:
                print(f"   shot at {shot.start_second:>3}s: {short(shot.description)}")
        print("   usage: ", _usage_line(ledger, GEMINI, result["raw"]))

    def thinking() -> None:
        answer = roomy.invoke(
            [_video_message("How many distinct scenes are there? Answer with a number.")],
            thinking_budget=1024,
        )
        print("   answer:", short(answer.text))
        print("   usage: ", _usage_line(ledger, GEMINI, answer))

    def qwen_thinking() -> None:
        qwen = ChatMemoriesQwen(model=QWEN, base_url=base_url, max_tokens=300)
        answer = qwen.invoke(
            [_video_message("What is the most surprising moment? One sentence.")],
            enable_thinking=True,
            thinking_budget=512,
        )
        print("   answer:", short(answer.text))
        print("   usage: ", _usage_line(ledger, QWEN, answer))

    def gpt_structured() -> None:
        gpt = ChatMemoriesGPT(model=GPT, base_url=base_url, max_tokens=300)
        reporter = gpt.with_structured_output(ImageReport, include_raw=True)
        message = HumanMessage(
            content=[
                {"type": "text", "text": "Describe this image."},
                {"type": "image", "url": IMAGE_URL, "mime_type": "image/png"},
            ]
        )
        result = reporter.invoke([message])
        report = result["parsed"]
        if report is None:
            print("   could not parse the answer:", result["parsing_error"])
        else:
            print("   setting:", short(report.setting))
            print("   objects:", short(", ".join(report.objects)))
        print("   usage: ", _usage_line(ledger, GPT, result["raw"]))

    def llama_index_video() -> None:
        llm = MemoriesMultiModal(model=GEMINI, base_url=base_url, max_tokens=300, thinking_budget=0)
        message = ChatMessage(
            role="user",
            blocks=[
                VideoBlock(url=VIDEO_URL, video_mimetype="video/mp4"),
                TextBlock(text="List three objects you see in this video."),
            ],
        )
        response = llm.chat([message])
        print("   answer:", short(response.message.content or ""))
        usage = (response.raw or {}).get("usage") or {}
        if usage:
            line = ledger.record(GEMINI, usage["prompt_tokens"], usage["completion_tokens"])
            print("   usage: ", line)

    step(f"LangChain: a video question to ChatMemoriesGemini ({GEMINI})", video_question)
    step(f"LangChain: an image question to ChatMemoriesNova ({NOVA})", image_question)
    step("LangChain: a streamed answer (ChatMemoriesGemini.stream)", streamed)
    step("LangChain: structured output into a nested Pydantic model", structured)
    step("LangChain: a thinking budget (thinking_budget=1024)", thinking)
    step(f"LangChain: ChatMemoriesQwen ({QWEN}) with thinking switched on", qwen_thinking)
    step(f"LangChain: structured output from ChatMemoriesGPT ({GPT}) on an image", gpt_structured)
    step("LlamaIndex: MemoriesMultiModal.chat with a VideoBlock", llama_index_video)
