"""The shapes every benchmark returns, and the Markdown they become."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Target:
    """One target of the issue: what was asked, what was measured, and whether it was met.

    ``met`` is None when the target could not be measured (a component is missing).
    """

    name: str
    goal: str
    measured: str
    met: bool | None


@dataclass
class Section:
    """One benchmark's results: Markdown body lines, targets, and analysis for missed ones."""

    title: str
    lines: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    analysis: list[str] = field(default_factory=list)


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def verdict(met: bool | None) -> str:
    """A short word for a target's state."""
    return {True: "met", False: "**missed**", None: "not measured"}[met]


def fmt(value: float | None, unit: str = "", digits: int = 0) -> str:
    """A number for a table (``n/a`` when missing)."""
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def ratio(num: float | None, den: float | None) -> float | None:
    """num / den, or None when either is missing."""
    if num is None or den is None or den == 0:
        return None
    return num / den


def write_marked_block(doc: Path, name: str, body: str, *, heading: str) -> None:
    """Replace the text between ``<!-- name:begin -->`` and ``<!-- name:end -->`` in ``doc``.

    Without the markers, the block is appended under ``heading``. The body is inserted as it is
    (no regex replacement: table cells hold backslash escapes).
    """
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    current = doc.read_text() if doc.exists() else ""
    block = f"{begin}\n{body}\n{end}"
    if begin in current and end in current:
        head, _, rest = current.partition(begin)
        _, _, tail = rest.partition(end)
        doc.write_text(head + block + tail)
    else:
        doc.write_text(current.rstrip() + f"\n\n{heading}\n\n" + block + "\n")
