"""The pieces every probe is made of: a verdict per assumption, and what a probe may use.

A :class:`Probe` sends one or a few calls (through the public client, or raw where the wire
itself is the question) and returns :class:`Finding` s: for each assumption it judges, whether
it held, was contradicted, or could not be told, with a note. A :class:`ProbeContext` gives it
the model to use, a client whose every exchange is recorded, and a raw ``post``; every answer
is read through the client's bounded reader (:func:`memories_client._limits.read_capped`).

Example:
    >>> Finding("PATH-VU", "held", "HTTP 200").verdict
    'held'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from memories_client._client import MemoriesClient
from memories_client._limits import read_capped
from memories_client.errors import MemoriesError
from memories_client.probes.wire import CAPTURE_LIMIT, Exchange
from memories_client.types import ChatRequest, Completion, StreamChunk, Usage

__all__ = ["VERDICTS", "Finding", "Probe", "ProbeContext", "Verdict"]

Verdict = Literal["held", "contradicted", "not tested"]
VERDICTS: tuple[Verdict, ...] = ("held", "contradicted", "not tested")


@dataclass(frozen=True, slots=True)
class Finding:
    """One probe's verdict on one assumption, and why."""

    assumption: str
    verdict: Verdict
    note: str = ""


@dataclass(frozen=True)
class Probe:
    """A named check against the service.

    Attributes:
        id: stable, e.g. ``gemini.image``; the report and ``docs/API_FACTS.md`` use it.
        family: the model family whose model it uses (``""`` for a probe that sends nothing).
        title: what it does, in a few words.
        checks: the assumption ids it judges.
        request: builds the request it sends for a model (its cost is estimated from it);
            ``None`` for a probe that sends nothing.
        run: sends and judges.
        calls: how many HTTP requests it makes.
        thinking: it needs a model that thinks.
    """

    id: str
    family: str
    title: str
    checks: tuple[str, ...]
    request: Callable[[str], ChatRequest] | None
    run: Callable[[ProbeContext], list[Finding]]
    calls: int = 1
    thinking: bool = False


@dataclass
class ProbeContext:
    """What a running probe may use. Built by the runner, one per probe.

    Attributes:
        model: the model the plan chose for the probe.
        request: the probe's request for that model (``None`` for a probe that sends nothing).
        exchanges: what this probe sent and received (filled by the recording transport).
        history: every exchange of the run so far, this probe's included.
        usages: the usage of every answer the probe parsed (for the budget).
    """

    model: str
    request: ChatRequest | None
    api_key: SecretStr = field(repr=False)
    base_url: str
    http_client: httpx.Client = field(repr=False)
    timeout: float
    exchanges: list[Exchange] = field(default_factory=list)
    history: Sequence[Exchange] = ()
    usages: list[Usage] = field(default_factory=list)

    @property
    def the_request(self) -> ChatRequest:
        """The probe's request (a probe that sends one always has it)."""
        assert self.request is not None
        return self.request

    def client(self, **settings: Any) -> MemoriesClient:
        """A public client on the recorded connection, without retries (each call is paid)."""
        return MemoriesClient(
            api_key=self.api_key,
            base_url=self.base_url,
            http_client=self.http_client,
            max_retries=0,
            timeout=self.timeout,
            **settings,
        )

    def chat(self, request: ChatRequest, **settings: Any) -> Completion | MemoriesError:
        """The parsed answer, or the typed error the client raised."""
        try:
            completion = self.client(**settings).chat(request)
        except MemoriesError as error:
            return error
        if completion.usage is not None:
            self.usages.append(completion.usage)
        return completion

    def stream(self, request: ChatRequest, **settings: Any) -> list[StreamChunk] | MemoriesError:
        """The streamed chunks, or the typed error the client raised."""
        try:
            chunks = list(self.client(**settings).stream(request))
        except MemoriesError as error:
            return error
        usage = next((c.usage for c in reversed(chunks) if c.usage is not None), None)
        if usage is not None:
            self.usages.append(usage)
        return chunks

    def body(self, request: ChatRequest, **settings: Any) -> dict[str, Any]:
        """The JSON body the package sends for ``request`` (to alter it for a raw probe)."""
        content = self.client(**settings).prepare(request).content
        assert isinstance(content, bytes)  # probe media are URLs: never a spliced body
        body: dict[str, Any] = json.loads(content)
        return body

    def post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        auth: Literal["raw", "bearer"] = "raw",
        key: str | None = None,
    ) -> Exchange:
        """POST ``body`` raw to ``path``; the answer is read capped and kept as evidence."""
        secret = self.api_key.get_secret_value() if key is None else key
        headers = {
            "Authorization": f"Bearer {secret}" if auth == "bearer" else secret,
            "Content-Type": "application/json",
        }
        url = self.base_url.rstrip("/") + path
        sent = len(self.exchanges)
        try:
            with self.http_client.stream(
                "POST", url, content=json.dumps(body).encode(), headers=headers
            ) as response:
                read_capped(response.iter_bytes(), CAPTURE_LIMIT)
        except httpx.HTTPError as exc:
            if len(self.exchanges) == sent:  # failed before the transport saw it
                failed = Exchange("POST", path, auth, error=f"{type(exc).__name__}: {exc}"[:300])
                self.exchanges.append(failed)
        return self.exchanges[-1]
