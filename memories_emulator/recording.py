"""Record real exchanges once, replay them offline: vcrpy settings that keep secrets out.

`vcrpy <https://vcrpy.readthedocs.io>`_ (and `pytest-recording
<https://github.com/kiwicom/pytest-recording>`_, its pytest face, which langchain-tests uses)
records HTTP exchanges into YAML *cassettes* and replays them. :func:`vcr_config` gives the
settings that make a cassette of memories.ai traffic safe to commit and replayable anywhere:

* **keys removed**: the ``Authorization`` header (raw key or ``Bearer``), ``X-Api-Key``,
  ``Api-Key``, cookies, and key-like query parameters are replaced by ``REDACTED``;
* **signed URLs unsigned**: signature, credential and token query parameters of signed URLs
  (``X-Goog-Signature``, ``X-Amz-Signature``, ``X-Amz-Credential``, ``Signature``, ...) are
  replaced by ``REDACTED`` wherever they occur: request URLs, request bodies (a video sent by
  signed URL) and response bodies (the upload endpoint hands them out). Replay stays
  consistent: the replayed upload answer carries the redacted URL, which the client then
  sends, which is what was recorded;
* **matched on what the request says**, not where it went: method, path, query and body (JSON
  compared as JSON), so a cassette recorded against the real service, or an emulator on
  another port, replays against any base URL; a multipart upload's random boundary is fixed.

Needs the ``recording`` extra (``pip install 'memories-integrations[recording]'``).

Example:
    >>> config = vcr_config(cassette_library_dir="tests/cassettes")
    >>> config["record_mode"], config["match_on"]
    ('once', ['method', 'path', 'query', 'body'])
    >>> scrub_text('{"url": "https://s.test/a.mp4?X-Goog-Signature=abc123&x=1"}')
    '{"url": "https://s.test/a.mp4?X-Goog-Signature=REDACTED&x=1"}'
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "REDACTED",
    "SECRET_HEADERS",
    "SIGNATURE_PARAMETERS",
    "scrub_request",
    "scrub_response",
    "scrub_text",
    "vcr_config",
]

REDACTED = "REDACTED"
"""What a removed secret reads in a cassette."""

SECRET_HEADERS = (
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "cookie",
)
"""Request headers replaced by :data:`REDACTED` (any capitalisation)."""

SIGNATURE_PARAMETERS = (
    "X-Goog-Signature",
    "X-Goog-Credential",
    "X-Amz-Signature",
    "X-Amz-Credential",
    "X-Amz-Security-Token",
    "Signature",
    "sig",
    "api_key",
    "apikey",
    "key",
    "token",
    "access_token",
)
"""Query parameters (signed-URL signatures, keys and tokens) replaced wherever they occur."""

_NAMES = "|".join(re.escape(name) for name in SIGNATURE_PARAMETERS)
_VALUE = r"""([^&\s"'<>\\]+)"""
_PARAMETER = re.compile(rf"(?<=[?&;])({_NAMES})={_VALUE}", re.IGNORECASE)
# Also the escaped form a URL takes inside JSON ("\u0026" for "&").
_ESCAPED = re.compile(rf"(?<=\\u0026)({_NAMES})={_VALUE}", re.IGNORECASE)
_BOUNDARY = re.compile(r"boundary=(\"?)([^\";\s]+)\1", re.IGNORECASE)
_FIXED_BOUNDARY = "memories-cassette-boundary"


def scrub_text(text: str) -> str:
    """``text`` with the values of signature, credential, key and token parameters redacted.

    Example:
        >>> scrub_text("https://b.s3.test/v.mp4?X-Amz-Credential=AK%2F1&X-Amz-Signature=ff")
        'https://b.s3.test/v.mp4?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED'
    """
    text = _PARAMETER.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    return _ESCAPED.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


def _scrub_body(body: Any) -> Any:
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:  # binary (a video upload): only the multipart headers matter
            return re.sub(
                rb"(?<=[?&])(X-Goog-Signature|X-Amz-Signature|Signature)=[^&\s\"']+",
                lambda m: m.group(1) + b"=" + REDACTED.encode(),
                body,
            )
        return scrub_text(text).encode("utf-8")
    if isinstance(body, str):
        return scrub_text(body)
    return body


def scrub_request(request: Any) -> Any:
    """Vcrpy's ``before_record_request``: redact the URL and body, fix a multipart boundary.

    vcrpy applies it before recording *and* before matching, so a replayed request is
    compared in the same redacted form.

    Example:
        >>> class R:  # a stand-in for vcr.request.Request
        ...     uri, body, headers = "https://x.test/a?sig=1", b"{}", {}
        >>> scrub_request(R()).uri
        'https://x.test/a?sig=REDACTED'
    """
    request.uri = scrub_text(request.uri)
    body = _scrub_body(request.body)
    for name, value in list(request.headers.items()):
        found = _BOUNDARY.search(value) if name.lower() == "content-type" else None
        if found is not None and isinstance(body, bytes):
            # httpx picks a random boundary per upload: fixed, the same upload matches on replay.
            body = body.replace(found.group(2).encode(), _FIXED_BOUNDARY.encode())
            request.headers[name] = value.replace(found.group(2), _FIXED_BOUNDARY)
    request.body = body
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Vcrpy's ``before_record_response``: redact signed URLs in the body; drop ``Set-Cookie``.

    Example:
        >>> scrub_response({"headers": {"Set-Cookie": ["s=1"]},
        ...                 "body": {"string": b'{"signed_url": "https://x.test/u?sig=9"}'}})
        {'headers': {}, 'body': {'string': b'{"signed_url": "https://x.test/u?sig=REDACTED"}'}}
    """
    headers = response.get("headers")
    if isinstance(headers, dict):
        for name in [name for name in headers if name.lower() == "set-cookie"]:
            del headers[name]
    body = response.get("body")
    if isinstance(body, dict) and "string" in body:
        body["string"] = _scrub_body(body["string"])
    return response


def vcr_config(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``vcr.VCR(...)`` / ``use_cassette``, or pytest-recording's fixture.

    Args:
        overrides: Settings to add or replace (``cassette_library_dir``, ``record_mode``...).

    Returns:
        ``record_mode="once"`` (record when the cassette is missing, else only replay), the
        redacting filters and hooks, matching on method, path, query and body, and decoded
        (uncompressed) bodies so cassettes can be read and checked.

    Example:
        >>> vcr_config(record_mode="none")["record_mode"]
        'none'
    """
    config: dict[str, Any] = {
        "record_mode": "once",
        "filter_headers": [(name, REDACTED) for name in SECRET_HEADERS],
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "match_on": ["method", "path", "query", "body"],
        "decode_compressed_response": True,
    }
    config.update(overrides)
    return config
