"""The clients of one framework model: created on first use, rebuilt when its settings change.

Both framework layers keep one :class:`ClientCache` per model and ask it for a client with the
model's current :class:`~memories_client._options.ClientOptions`. Nothing is created when the
model is built (so building one is cheap, needs no key and makes no connection), a model that
is pickled starts again with no clients, and a setting changed after the first call
(``model_copy(update=...)``, an assignment) takes effect at the next call. One
:class:`AsyncMemoriesClient` serves every event loop (it keeps a pool per loop).

Example:
    >>> from memories_client._client_cache import ClientCache
    >>> from memories_client._options import ClientOptions
    >>> cache = ClientCache()
    >>> opts = ClientOptions(api_key="k")
    >>> cache.sync(opts) is cache.sync(ClientOptions(api_key="k"))
    True
    >>> cache.sync(ClientOptions(api_key="k", max_retries=0)).retry_policy.max_retries
    0
    >>> cache.close()
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, TypeGuard, TypeVar

import httpx
from typing_extensions import Self

from memories_client._async_client import AsyncMemoriesClient
from memories_client._client import MemoriesClient
from memories_client._options import ClientOptions

__all__ = ["ClientCache", "ClosesPooledClients"]

_H = TypeVar("_H")
_C = TypeVar("_C")


def _serves(
    cached: tuple[ClientOptions, _H, _C] | None, options: ClientOptions, http_client: _H
) -> TypeGuard[tuple[ClientOptions, _H, _C]]:
    """Whether a cached client was built from these options and this ``httpx`` client."""
    # `is` first: the common case is the model's own options object, unchanged.
    return (
        cached is not None
        and cached[1] is http_client
        and (cached[0] is options or cached[0] == options)
    )


class ClientCache:
    """One sync and one async core client, each with the options and ``httpx`` client it uses.

    Example:
        >>> from memories_client.integration import ClientCache, ClientOptions
        >>> cache = ClientCache()
        >>> options = ClientOptions(api_key="k", base_url="http://127.0.0.1:9")
        >>> cache.sync(options) is cache.sync(options)  # built once, on first use
        True
        >>> cache.close()
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sync: tuple[ClientOptions, httpx.Client | None, MemoriesClient] | None = None
        self._async: tuple[ClientOptions, httpx.AsyncClient | None, AsyncMemoriesClient] | None = (
            None
        )

    def __getstate__(self) -> dict[str, object]:
        # Open connection pools cannot cross a process boundary: an unpickled model (Ray, Dask,
        # multiprocessing) starts with no clients and builds its own on first use.
        return {}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__()  # type: ignore[misc]

    def __copy__(self) -> ClientCache:
        # A copied model (model_copy, copy.copy) gets clients of its own: sharing would make a
        # copy with other settings replace the original's client on every other call.
        return ClientCache()

    def __deepcopy__(self, memo: object) -> ClientCache:
        return ClientCache()

    def sync(
        self, options: ClientOptions, http_client: httpx.Client | None = None
    ) -> MemoriesClient:
        """The sync client for these options (built on first use, rebuilt if they changed)."""
        cached = self._sync
        if _serves(cached, options, http_client):
            return cached[2]
        with self._lock:
            cached = self._sync
            if _serves(cached, options, http_client):
                return cached[2]
            client = MemoriesClient(options=options, http_client=http_client)
            if cached is not None:
                # Not closed now: a stream in another thread may still be reading from it.
                cached[2].release()
            self._sync = (options, http_client, client)
            return client

    def async_(
        self, options: ClientOptions, http_client: httpx.AsyncClient | None = None
    ) -> AsyncMemoriesClient:
        """The async client for these options; it keeps one pool per running event loop."""
        cached = self._async
        if _serves(cached, options, http_client):
            return cached[2]
        with self._lock:
            cached = self._async
            if not _serves(cached, options, http_client):
                # A replaced client is dropped, not closed: a stream may still use it.
                client = AsyncMemoriesClient(options=options, http_client=http_client)
                cached = self._async = (options, http_client, client)
            return cached[2]

    def close(self) -> None:
        """Close the sync client's pool (a caller-supplied ``httpx`` client stays open)."""
        with self._lock:
            cached, self._sync = self._sync, None
        if cached is not None:
            cached[2].close()

    async def aclose(self) -> None:
        """Close the running loop's async pool (a caller-supplied client stays open)."""
        cached = self._async
        if cached is not None:
            await cached[2].aclose()


class ClosesPooledClients:
    """``close()`` / ``aclose()`` and ``with`` / ``async with`` for a model with a ClientCache.

    Mixed into both framework models (which keep their :class:`ClientCache` in ``_clients``),
    so pooled sockets can be released without ``ResourceWarning``s. A closed model stays
    usable: its next call opens a new pool.

    Example:
        >>> from langchain_memories import ChatMemoriesGemini
        >>> with ChatMemoriesGemini(api_key="k") as llm:
        ...     pass  # calls here share one connection pool, closed on leaving the block
    """

    if TYPE_CHECKING:

        @property
        def _clients(self) -> ClientCache: ...

    def close(self) -> None:
        """Close the pooled sync connections (a caller-supplied ``http_client`` stays open)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Close the running event loop's pooled async connections."""
        await self._clients.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
