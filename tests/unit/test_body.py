"""Large inline media is streamed into the body, not copied; the bytes are the same either way."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from memories_client import ChatRequest, MemoriesClient, Message, RetryPolicy, media_from_bytes
from memories_client._body import SPLICE_MIN_CHARS, SplicedBody, encode_body, with_placeholders
from memories_client.dialects import GeminiDialect, NovaDialect

PNG = bytes.fromhex("89504e470d0a1a0a") + bytes(SPLICE_MIN_CHARS)  # base64 above the threshold


@pytest.mark.parametrize("dialect", [GeminiDialect(), NovaDialect()], ids=["gemini", "nova"])
def test_spliced_body_equals_the_plain_body(dialect: GeminiDialect | NovaDialect) -> None:
    model = (
        "gemini-2.5-flash"
        if isinstance(dialect, GeminiDialect)
        else "nova:us.amazon.nova-lite-v1:0"
    )
    request = ChatRequest(
        model=model,
        messages=[Message.user("two", media_from_bytes(PNG), "images", media_from_bytes(PNG[:-1]))],
    )
    slim, inline = with_placeholders(request)
    assert len(inline) == 2
    spliced = encode_body(dialect.build_body(slim), inline)
    assert isinstance(spliced, SplicedBody)
    joined = b"".join(spliced)
    assert spliced.length == len(joined)
    plain = json.dumps(dialect.build_body(request), ensure_ascii=False, separators=(",", ":"))
    assert joined == plain.encode()
    assert b"".join(spliced) == joined  # re-iterable, so a retry resends the same bytes


def test_small_bodies_stay_plain_bytes() -> None:
    request = ChatRequest(
        model="gemini-2.5-flash", messages=[Message.user("hi", media_from_bytes(PNG[:100]))]
    )
    slim, inline = with_placeholders(request)
    assert inline == {} and slim is request
    assert isinstance(encode_body(GeminiDialect().build_body(slim), inline), bytes)


def test_client_sends_the_spliced_body_with_content_length_and_retries() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = request.read()
        assert int(request.headers["content-length"]) == len(body)
        assert "transfer-encoding" not in request.headers
        seen.append(body)
        if len(seen) == 1:
            return httpx.Response(503, json={"msg": "busy"})
        return httpx.Response(
            200, json={"choices": [{"text": "ok", "index": 0}], "status": "completed"}
        )

    client = MemoriesClient(
        api_key="k",
        base_url="http://127.0.0.1:9",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        retry_policy=RetryPolicy(max_retries=1, initial_delay=0.001),
    )
    request = ChatRequest(
        model="gemini-2.5-flash", messages=[Message.user("x", media_from_bytes(PNG))]
    )
    assert client.chat(request).text == "ok"
    assert len(seen) == 2 and seen[0] == seen[1]
    assert (
        json.loads(seen[0])["messages"][0]["content"][1]["file_uri"] == media_from_bytes(PNG).data
    )


def test_base64_held_as_bytes_is_kept_as_bytes_and_streamed_uncopied() -> None:
    from memories_client import media_from_base64

    b64 = base64.b64encode(PNG)
    part = media_from_base64(b64)
    assert part.data is b64 or part.data == b64
    assert isinstance(part.data, bytes) and part.mime_type == "image/png"
    assert part.b64_text() == b64.decode()
    request = ChatRequest(model="nova:us.amazon.nova-lite-v1:0", messages=[Message.user("x", part)])
    slim, inline = with_placeholders(request)
    spliced = encode_body(NovaDialect().build_body(slim), inline)
    assert isinstance(spliced, SplicedBody)
    assert any(piece is part.data for piece in spliced.pieces)  # the caller's bytes, not a copy
    plain = json.dumps(NovaDialect().build_body(request), separators=(",", ":")).encode()
    assert b"".join(spliced) == plain


def test_invalid_base64_bytes_are_refused() -> None:
    from memories_client import MemoriesInputError, media_from_base64

    with pytest.raises(MemoriesInputError, match="not valid base64"):
        media_from_base64(b"\xff\xfe not ascii", mime_type="image/png")
    with pytest.raises(MemoriesInputError, match="not valid base64"):
        media_from_base64(b"@@@@", mime_type="image/png")
