"""Per-call overhead, in process, no network: every client answered by the same MockTransport.

Contenders, per case (text only; text + one image URL + one video URL):
(a) raw ``httpx.Client.post`` of our exact request bytes + ``json.loads`` (the physical limit);
(b) the LangChain floor and the LlamaIndex floor (see ``_floors``); (c) ``ChatMemoriesGemini
.invoke``; (d) ``MemoriesMultiModal.chat``; (e) ``ChatOpenAI.invoke`` with an OpenAI-shaped
answer of the same size; plus the core ``MemoriesClient.chat`` for diagnosis.
"""

from __future__ import annotations

import _canned as canned
import _contenders as con
from _profile import profile_calls
from _report import Section, Target, fmt, ratio, table
from _timing import interleaved, median_us

CONTENDERS = {
    "(a) raw httpx + json.loads": con.raw_call,
    "(b) LangChain floor": con.langchain_floor_call,
    "(b-LI) LlamaIndex floor": con.llama_floor_call,
    "core MemoriesClient.chat": con.core_call,
    "(c) ChatMemoriesGemini.invoke": con.langchain_call,
    "(d) MemoriesMultiModal.chat": con.llama_call,
    "(e) ChatOpenAI.invoke": con.openai_call,
}
A, B, BLI, CORE, C, D, E = CONTENDERS
# LangChain: within 1.2x of the floor; LlamaIndex, whose own machinery is lighter, within 1.1x.
FLOOR_TARGET, LI_FLOOR_TARGET, OPENAI_TARGET = 1.2, 1.1, 0.3


def measure(case: str, *, rounds: int, block: int) -> tuple[dict[str, float], dict[str, str]]:
    """Median microseconds per call of every contender that could be built."""
    calls, missing = {}, {}
    for name, builder in CONTENDERS.items():
        call, why = con.try_build(builder, case)
        if call is None:
            missing[name] = why or "unavailable"
        else:
            calls[name] = call
    samples = interleaved(calls, rounds=rounds, block=block)
    return {name: median_us(s) for name, s in samples.items()}, missing


def _targets(case: str, us: dict[str, float]) -> list[Target]:
    c_b, d_b = ratio(us.get(C), us.get(B)), ratio(us.get(D), us.get(BLI))
    c_e = ratio(us.get(C), us.get(E))

    def target(name: str, goal: float, value: float | None) -> Target:
        met = None if value is None else value <= goal
        return Target(f"{name}, {case}", f"<= {goal}x", fmt(value, "x", 2), met)

    return [
        target("Per call (c)/(b): ChatMemoriesGemini vs LangChain floor", FLOOR_TARGET, c_b),
        target("Per call (d)/(b-LI): MemoriesMultiModal vs LlamaIndex floor", LI_FLOOR_TARGET, d_b),
        target("Per call (c)/(e): ChatMemoriesGemini vs ChatOpenAI", OPENAI_TARGET, c_e),
    ]


def run(*, quick: bool = False) -> Section:
    rounds, block = (6, 30) if quick else (20, 50)
    section = Section("1. Per-call overhead (in process, MockTransport, no network)")
    section.lines += [
        f"Median of {rounds * block:,} calls per contender and case, contenders interleaved in "
        f"{rounds} shuffled rounds of {block} calls. Canned answer: {len(canned.GEMINI_BYTES)} "
        f"bytes (Gemini), {len(canned.OPENAI_BYTES)} bytes (OpenAI).",
        "",
    ]
    results = {case: measure(case, rounds=rounds, block=block) for case in canned.CASES}
    rows = [
        [name] + [fmt(results[case][0].get(name), digits=1) for case in canned.CASES]
        for name in CONTENDERS
    ]
    section.lines += table(["contender (median us/call)", *canned.CASES], rows)
    ratio_rows = []
    for label, num, den in (
        ("(c)/(b)", C, B),
        ("(d)/(b-LI)", D, BLI),
        ("(c)/(e)", C, E),
        ("(d)/(e)", D, E),
        # How far below ChatOpenAI the floor itself is: (c)/(e) cannot beat (b)/(e) times (c)/(b).
        ("(b)/(e)", B, E),
        ("(c)/(a)", C, A),
        ("(d)/(a)", D, A),
        ("core/(a)", CORE, A),
    ):
        ratio_rows.append(
            [label]
            + [
                fmt(ratio(results[k][0].get(num), results[k][0].get(den)), "x", 2)
                for k in canned.CASES
            ]
        )
    section.lines += ["", *table(["ratio", *canned.CASES], ratio_rows)]
    for case, (us, missing) in results.items():
        section.targets += _targets(case, us)
        for name, why in missing.items():
            section.lines.append(f"\n- {case}: {name} not measured: {why}")
    _analyse(section, quick=quick)
    return section


def _generate_split(case: str) -> list[str]:
    """Side by side: LangChain's invoke machinery vs the model's own ``_generate``."""
    from _floors import FloorChatModel

    messages = con.langchain_messages(case)
    ours = con.chat_memories_gemini(http_client=canned.mock_client(canned.GEMINI_BYTES))
    floor = FloorChatModel(
        client=canned.mock_client(canned.GEMINI_BYTES),
        url=canned.GEMINI_URL,
        body=canned.gemini_body(case),
    )
    samples = interleaved(
        {
            "ChatMemoriesGemini.invoke": lambda: ours.invoke(messages),
            "floor.invoke": lambda: floor.invoke(messages),
            "ChatMemoriesGemini._generate": lambda: ours._generate(messages),
            "floor._generate": lambda: floor._generate(messages),
        },
        rounds=10,
        block=50,
    )
    us = {name: median_us(s) for name, s in samples.items()}
    return [
        f"#### Where the LangChain excess is ({case}): invoke vs `_generate` alone, side by side",
        "",
        *table(
            ["call", "ChatMemoriesGemini us", "floor us", "difference us"],
            [
                [
                    kind,
                    fmt(us[f"ChatMemoriesGemini.{kind}"], digits=1),
                    fmt(us[f"floor.{kind}"], digits=1),
                    fmt(us[f"ChatMemoriesGemini.{kind}"] - us[f"floor.{kind}"], digits=1),
                ]
                for kind in ("invoke", "_generate")
            ],
        ),
        "",
    ]


def _analyse(section: Section, *, quick: bool) -> None:
    """Profile our model for every case where one of its targets was missed."""
    calls = 100 if quick else 400
    for case in canned.CASES:
        missed = " ".join(
            t.name for t in section.targets if t.met is False and t.name.endswith(case)
        )
        if "ChatMemoriesGemini" in missed:
            section.analysis += _generate_split(case)
        for marker, builder in (
            ("ChatMemoriesGemini", con.langchain_call),
            ("MemoriesMultiModal", con.llama_call),
        ):
            if marker not in missed:
                continue
            call, _ = con.try_build(builder, case)
            if call is not None:
                section.analysis += [f"#### cProfile: {marker} ({case})", ""]
                section.analysis += [*profile_calls(call, calls), ""]


if __name__ == "__main__":
    result = run(quick=True)
    print("\n".join(result.lines))
    for t in result.targets:
        print(t)
