"""No committed cassette holds a key or a signed URL's signature."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from memories_emulator.recording import REDACTED, SECRET_HEADERS, SIGNATURE_PARAMETERS

TESTS = Path(__file__).resolve().parents[1]
CASSETTES = sorted(
    path
    for pattern in ("*.yaml", "*.yml")
    for path in TESTS.rglob(pattern)
    if "cassettes" in path.relative_to(TESTS).parts
)
_SIGNED = re.compile(
    r"(?:[?&;]|\\u0026)(" + "|".join(map(re.escape, SIGNATURE_PARAMETERS)) + r")=([^&\s\"'\\]+)",
    re.IGNORECASE,
)
_KEY_SHAPES = re.compile(r"\b(sk-[A-Za-z0-9_-]{8,}|AKIA[0-9A-Z]{16})")


def leaks(text: str) -> list[str]:
    """What in a cassette's text looks like a key or a signature."""
    found: list[str] = []
    cassette = yaml.safe_load(text) or {}
    for interaction in cassette.get("interactions", []):
        headers = interaction.get("request", {}).get("headers", {}) or {}
        for name, values in headers.items():
            if name.lower() in SECRET_HEADERS:
                found += [f"{name}: {v}" for v in values if v not in (REDACTED, "PLACEHOLDER")]
    found += [m.group(0) for m in _SIGNED.finditer(text) if m.group(2) != REDACTED]
    found += _KEY_SHAPES.findall(text)
    return found


def test_there_are_committed_cassettes() -> None:
    assert CASSETTES, "expected the langchain-tests cassettes under tests/langchain/cassettes/"


@pytest.mark.parametrize("path", CASSETTES, ids=[p.name for p in CASSETTES])
def test_a_committed_cassette_holds_no_key_or_signature(path: Path) -> None:
    assert leaks(path.read_text()) == []


def test_the_check_finds_what_it_looks_for() -> None:
    dirty = """
interactions:
- request:
    headers:
      Authorization: [sk-mavi-0123456789abcdef]
    uri: https://x.test/_storage/re_1?X-Goog-Expires=93600&X-Goog-Signature=9f8e7d
  response:
    body: {string: '{"signed_url": "https://b.s3.test/v?X-Amz-Signature=abc\\\\u0026X-Amz-Credential=AKIAABCDEFGHIJKLMNOP"}'}
"""
    found = leaks(dirty)
    assert "Authorization: sk-mavi-0123456789abcdef" in found
    assert "&X-Goog-Signature=9f8e7d" in found
    assert "?X-Amz-Signature=abc" in found
    assert "AKIAABCDEFGHIJKLMNOP" in found
