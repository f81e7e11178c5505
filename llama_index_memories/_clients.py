"""Lazily created core clients, one sync client and one async client per event loop.

One job: hand the LLM a :class:`memories_client.MemoriesClient` / :class:`AsyncMemoriesClient`
built from its current settings, without any network call or client creation in ``__init__``.

Why per event loop: an ``httpx.AsyncClient`` is bound to the loop it first ran on. LlamaIndex
users call ``achat`` from ``asyncio.run`` more than once, from Jupyter's loop and from worker
threads, each with its own loop; one shared async client would fail there with "Event loop is
closed". A caller-supplied ``async_http_client`` is used as given (its loop is the caller's
business).

Why a settings key: fields such as ``base_url`` or ``timeout`` may be changed after the first
call; the client is rebuilt when they differ from those it was built with.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from memories_client import AsyncMemoriesClient, MemoriesClient

__all__ = ["ClientCache", "ClientSettings"]


@dataclass(frozen=True)
class ClientSettings:
    """What a core client is built from (compared to decide whether to rebuild it)."""

    api_key: SecretStr | None
    base_url: str | None
    timeout: float | None
    total_timeout: float | None
    max_retries: int
    default_headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(
        cls,
        *,
        api_key: SecretStr | None,
        base_url: str | None,
        timeout: float | None,
        total_timeout: float | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
    ) -> ClientSettings:
        """Settings from the LLM's fields."""
        headers = tuple((default_headers or {}).items())
        return cls(api_key, base_url, timeout, total_timeout, max_retries, headers)

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for the core clients' constructors."""
        return {
            "base_url": self.base_url,
            "timeout": self.timeout,
            "total_timeout": self.total_timeout,
            "max_retries": self.max_retries,
            "default_headers": dict(self.default_headers),
        }


class ClientCache:
    """The core clients of one LLM instance."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sync: tuple[ClientSettings, httpx.Client | None, MemoriesClient] | None = None
        self._shared_async: tuple[ClientSettings, httpx.AsyncClient, AsyncMemoriesClient] | None = (
            None
        )
        self._by_loop: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[ClientSettings, AsyncMemoriesClient]
        ] = weakref.WeakKeyDictionary()

    def __getstate__(self) -> dict[str, object]:
        # Open connection pools cannot cross a process boundary: a pickled LLM (Ray, Dask,
        # multiprocessing) starts with no clients and builds its own on first use.
        return {}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__()  # type: ignore[misc]

    def sync(self, settings: ClientSettings, http_client: httpx.Client | None) -> MemoriesClient:
        """The sync client for these settings (built on first use, rebuilt if they changed)."""
        cached = self._sync
        if cached is not None and cached[0] == settings and cached[1] is http_client:
            return cached[2]
        with self._lock:
            cached = self._sync
            if cached is not None and cached[0] == settings and cached[1] is http_client:
                return cached[2]
            client = MemoriesClient(settings.api_key, http_client=http_client, **settings.kwargs())
            if cached is not None:
                # Not closed now: a stream in another thread may still be reading from it.
                cached[2].release()
            self._sync = (settings, http_client, client)
            return client

    def async_(
        self, settings: ClientSettings, http_client: httpx.AsyncClient | None
    ) -> AsyncMemoriesClient:
        """The async client for these settings and the running event loop."""
        if http_client is not None:
            shared = self._shared_async
            if shared is None or shared[0] != settings or shared[1] is not http_client:
                client = AsyncMemoriesClient(
                    settings.api_key, http_client=http_client, **settings.kwargs()
                )
                self._shared_async = shared = (settings, http_client, client)
            return shared[2]
        loop = asyncio.get_running_loop()
        entry = self._by_loop.get(loop)
        if entry is None or entry[0] != settings:
            # A replaced client of this loop is dropped, not closed: a stream may still use it.
            entry = (settings, AsyncMemoriesClient(settings.api_key, **settings.kwargs()))
            self._by_loop[loop] = entry
        return entry[1]

    def close(self) -> None:
        """Close the sync client's connection pool (a caller-supplied client is left open)."""
        with self._lock:
            if self._sync is not None:
                self._sync[2].close()
                self._sync = None

    async def aclose(self) -> None:
        """Close the running loop's async client (a caller-supplied client is left open)."""
        entry = self._by_loop.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            await entry[1].aclose()
