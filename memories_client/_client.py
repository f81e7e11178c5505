"""The sync HTTP client, :class:`MemoriesClient` (async: :mod:`memories_client._async_client`).

One request path for every caller: validate the request (before any network call), build the
family's body, POST it on a pooled ``httpx`` client, retry what is worth retrying, and parse the
answer or raise a typed error.

Example:
    >>> from memories_client import MemoriesClient, ChatRequest, Message
    >>> from memories_emulator import Emulator
    >>> with Emulator() as emu, MemoriesClient(api_key="test", base_url=emu.base_url) as client:
    ...     answer = client.chat(ChatRequest(model="gemini-2.5-flash",
    ...                                      messages=[Message.user("Say hi")]))
    >>> answer.usage.total_tokens > 0
    True
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

import httpx
from pydantic import SecretStr

from memories_client._client_base import (
    LIMITS,
    Prepared,
    _BaseClient,
    interrupted,
    is_plain_json,
    lines,
)
from memories_client._deadline import EventClock, deadline, install, until
from memories_client._http import error_from_response, transport_error
from memories_client._limits import body_of, read_error_body, read_response
from memories_client._streaming import SSEDecoder, StreamAssembler, completion_to_chunks
from memories_client.errors import MemoriesError, MemoriesInputError
from memories_client.types import ChatRequest, Completion, StreamChunk

__all__ = ["MemoriesClient"]


class MemoriesClient(_BaseClient):
    """Synchronous client for the memories.ai chat-completions API.

    Args:
        api_key: the key; defaults to ``MEMORIES_API_KEY``. Sent raw in ``Authorization``. Not
            needed when ``base_url`` is on this machine (the emulator).
        base_url: defaults to ``MEMORIES_BASE_URL``, else
            ``https://mavi-backend.memories.ai/serve/api/v2``.
        timeout: seconds (or an ``httpx.Timeout``) per attempt; default 120 s read, 10 s connect.
        max_retries: retries after the first attempt for 429, 5xx, timeouts and dropped
            connections (0 = one attempt).
        default_headers: extra headers on every request.
        paths: endpoint paths, e.g. ``{"iu": "/ilm/chat/completions"}``.
        auth_scheme: ``"raw"`` (documented) or ``"bearer"``.
        dialects: per-family dialect instances, e.g. ``{"nova": NovaDialect(inline_format="raw")}``.
        http_client: an ``httpx.Client`` to use (not closed by us); by default one pooled client
            is created on first use and reused for every call.

    Example:
        >>> from memories_client import MemoriesClient, ChatRequest, Message, media_from_url
        >>> from memories_emulator import Emulator
        >>> with Emulator() as emu:
        ...     client = MemoriesClient(api_key="k", base_url=emu.base_url)
        ...     video = media_from_url("https://storage.googleapis.com/b/clip.mp4")
        ...     c = client.chat(ChatRequest(model="gemini:gemini-2.5-flash",
        ...                                 messages=[Message.user("What happens?", video)]))
        ...     client.close()
        >>> "1 video" in c.text
        True
    """

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        http_client: httpx.Client | None = None,
        **settings: Any,
    ) -> None:
        if settings.get("async_transport", "httpx") != "httpx":
            raise MemoriesInputError(
                "async_transport applies to AsyncMemoriesClient: MemoriesClient always sends "
                "through httpx"
            )
        super().__init__(api_key, **settings)
        self._owned = http_client is None
        self._http_client = http_client
        self._pid = os.getpid()
        self._lock = threading.Lock()

    @property
    def http_client(self) -> httpx.Client:
        """The pooled ``httpx.Client`` (created on first use, and again in a forked child)."""
        if self._owned and self._pid != os.getpid():
            self._forget_parent_pool()
        client = self._http_client
        if client is None:
            with self._lock:
                client = self._http_client
                if client is None:
                    client = self._http_client = httpx.Client(limits=LIMITS)
                    install(client)
        return client

    def _forget_parent_pool(self) -> None:
        # After fork() the child holds copies of the parent's pooled sockets: using one would
        # interleave both processes' bytes and swap their answers (gunicorn --preload, Celery
        # prefork, multiprocessing). The child starts a pool of its own. The parent's client is
        # dropped, not closed: closing could send a TLS close_notify on the parent's connection.
        # The lock is replaced too, in case another thread held it at the moment of the fork.
        self._http_client = None
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def close(self) -> None:
        """Close the connection pool (only if this client created it)."""
        if self._owned and self._http_client is not None:
            self._http_client.close()
            self._http_client = None

    def release(self) -> None:
        """Close the pool once nothing uses this client any more, instead of now.

        For a caller that replaces this client (its settings changed) while another thread may
        still be reading a stream from it: the running call keeps the client alive, and the
        pool closes when the last reference goes.

        Example:
            >>> client = MemoriesClient(api_key="k")
            >>> pool = client.http_client
            >>> client.release(); del client
            >>> pool.is_closed
            True
        """
        if self._owned and self._http_client is not None:
            weakref.finalize(self, self._http_client.close)

    def __enter__(self) -> MemoriesClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(
        self, prepared: Prepared, call_deadline: float | None
    ) -> tuple[httpx.Response, bytes | bytearray | None]:
        """POST with retries. Returns the response and, unless streaming, its body."""
        attempt = 0
        while True:
            outcome = self._attempt(prepared, call_deadline)
            if not isinstance(outcome, MemoriesError):
                return outcome
            time.sleep(self._retry_delay(attempt, outcome, call_deadline))
            attempt += 1

    def _attempt(
        self, prepared: Prepared, call_deadline: float | None
    ) -> tuple[httpx.Response, bytes | bytearray | None] | MemoriesError:
        """One attempt under the attempt's deadline: the answer, or the error to judge."""
        started = time.perf_counter()
        at = self._attempt_deadline(call_deadline)
        response: httpx.Response | None = None
        try:
            with deadline(at):
                # Always streamed, so that no body is read past its limit (see _limits).
                response = self.http_client.send(
                    self._request(prepared, self.http_client), stream=True
                )
                if response.status_code < 300:
                    self._log_success(prepared, response.status_code, started)
                    if prepared.stream:
                        return response, None
                    try:
                        raw = until(response.iter_raw(), at)
                        capped = read_response(response, self.max_response_bytes, raw)
                    finally:
                        response.close()
                    return response, self._whole_answer(response, capped)
                try:  # the error page is read up to a small cap; the rest never is
                    content = read_error_body(response, until(response.iter_raw(), at))
                finally:
                    response.close()
            return error_from_response(response.status_code, response.headers, content)
        except httpx.HTTPError as exc:
            if response is not None:
                response.close()
            return transport_error(exc, prepared.url)

    def chat(self, request: ChatRequest | None = None, /, **fields: Any) -> Completion:
        """Send one request and return the parsed answer.

        Pass a :class:`ChatRequest`, or its fields as keywords (``model=..., messages=[...]``).

        Raises:
            MemoriesInputError: before any network call, for anything the API would refuse.
            MemoriesAPIError: subclasses for every failure the service reports.
            APITimeoutError, APIConnectionError: after all retries.
        """
        request = self._as_request(request, fields)
        prepared = self.prepare(request)
        response, content = self._send(prepared, self._call_deadline())
        assert content is not None
        return self._checked(request, self._parse(prepared, response, content))

    def stream(self, request: ChatRequest | None = None, /, **fields: Any) -> Iterator[StreamChunk]:
        """Stream an answer: text deltas, then one final chunk with usage and finish reason.

        Retries happen only before the first byte of the answer; a stream cut short raises
        :class:`StreamInterruptedError` (never a silently short answer).
        """
        request = self._as_request(request, fields)
        prepared = self.prepare(request, stream=True)
        call_deadline = self._call_deadline()
        response, _ = self._send(prepared, call_deadline)
        request_id = response.headers.get("x-request-id")
        try:
            if is_plain_json(response):
                # A plain answer to a stream request: the whole body within one timeout.
                raw = EventClock(self._attempt_seconds, total_at=call_deadline).chunks(
                    response.iter_raw()
                )
                try:
                    capped = read_response(response, self.max_response_bytes, raw)
                except httpx.HTTPError as exc:
                    raise transport_error(exc, prepared.url) from exc
                content = self._whole_answer(response, capped)
                completion = self._checked(request, self._parse(prepared, response, content))
                yield from completion_to_chunks(completion)
                return
            decoder, assembler = SSEDecoder(), StreamAssembler(request_id=request_id)
            try:
                clock = EventClock(self._attempt_seconds, total_at=call_deadline)
                for line in lines(body_of(response, clock.chunks(response.iter_raw()))):
                    for event in decoder.feed_line(line):
                        clock.event()
                        yield from assembler.add_event(event)
                    if assembler.ended:
                        break
                else:
                    for event in decoder.flush():
                        yield from assembler.add_event(event)
            except httpx.HTTPError as exc:
                # After the service marked the answer finished (a finish_reason), a server that
                # then idles or hangs up without [DONE] has still given the whole answer.
                if not assembler.complete:
                    raise interrupted(exc, assembler) from exc
            yield self._checked_final(request, assembler.finish())
        finally:
            response.close()
