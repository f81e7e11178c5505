"""The bounded decoder (``memories_client._decoding``): slices of at most SLICE, lazily."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from memories_client import MalformedResponseError
from memories_client._decoding import SLICE, adecoded, decoded

PAYLOAD = b"0123456789abcdef" * 400_000  # 6.4 MB, packs into a few KB


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


PACKED: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "deflate-raw": _raw_deflate,
    "gzip, deflate": lambda d: zlib.compress(gzip.compress(d)),
}


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("name", sorted(PACKED))
@pytest.mark.parametrize("raw_chunk", [1, 7, 65_536, 10**9])
def test_every_slice_is_bounded_and_the_whole_decodes(name: str, raw_chunk: int) -> None:
    packed = PACKED[name](PAYLOAD)
    coding = "deflate" if name == "deflate-raw" else name
    slices = list(decoded(_pieces(packed, raw_chunk), coding))
    assert max(len(s) for s in slices) <= SLICE
    assert b"".join(slices) == PAYLOAD


def test_nothing_is_decoded_ahead_of_the_consumer() -> None:
    pulled: list[int] = []

    def raw() -> Iterator[bytes]:
        for piece in _pieces(gzip.compress(PAYLOAD), 1024):
            pulled.append(len(piece))
            yield piece

    stream = decoded(raw(), "gzip")
    first = next(stream)
    assert len(first) <= SLICE and sum(pulled) <= 1024  # one raw chunk in, one slice out


def test_the_async_decoder_gives_the_same_slices() -> None:
    packed = gzip.compress(PAYLOAD)

    async def raw() -> AsyncIterator[bytes]:
        for piece in _pieces(packed, 4096):
            yield piece

    async def collect() -> list[bytes]:
        return [piece async for piece in adecoded(raw(), "gzip")]

    slices = asyncio.run(collect())
    assert max(len(s) for s in slices) <= SLICE and b"".join(slices) == PAYLOAD


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, br", "x-snappy"])
def test_a_coding_not_asked_for_is_refused_before_reading(coding: str) -> None:
    def raw() -> Iterator[bytes]:
        raise AssertionError("read")
        yield b""  # pragma: no cover

    with pytest.raises(MalformedResponseError, match="not asked for"):
        decoded(raw(), coding)
    with pytest.raises(MalformedResponseError, match="not asked for"):
        adecoded(raw(), coding)  # type: ignore[arg-type]


@pytest.mark.parametrize("coding", ["", "identity", None, " Identity "])
def test_identity_passes_the_bytes_through(coding: str | None) -> None:
    assert list(decoded([b"ab", b"cd"], coding)) == [b"ab", b"cd"]
