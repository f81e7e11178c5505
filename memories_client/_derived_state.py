"""Values a framework model derives from its fields: when they are forgotten, and pickling.

Both framework models are pydantic models that keep a few derived values in their
``__dict__`` (``functools.cached_property``): the checked :class:`ClientOptions` and the full
model id, made once per field state; their :class:`ClientCache` (the connection pools); and, on
LangChain, langchain-core's own ``_serialized`` (``dumpd(model)``, cached on the first call and
then used for the LLM cache's key and every tracer's ``serialized`` payload). A derived value
that outlives the fields it came from is a silent bug: a changed ``temperature`` that the LLM
cache does not see serves the old answer. :class:`DerivedState` makes the options and the
client pools (``_client_options``, ``_clients``, ``_sync_client()``, ``_async_client()``) for
both layers, and forgets what was derived:

* values made from the fields (``_FROM_FIELDS``) when any field is set, on copy, shallow or
  deep (``model_copy(update=...)`` writes the new values after copying) and when pickled;
* the instance's own resources (``_OWN``: the client pools) on copy and when pickled, so a copy
  gets clients of its own;
* fields that cannot cross a process boundary (``_NOT_PICKLED``: the user's ``httpx`` clients,
  an uploader) are ``None`` in a pickle, and the unpickled model opens its own clients.

Pickling never changes the model that is pickled: the state is a copy. (pydantic hands out the
instance's own dictionaries, and LlamaIndex's ``BaseComponent.__getstate__`` deletes the values
that do not pickle from them, so the original lost its ``http_client``.)

Example:
    >>> from langchain_memories import ChatMemoriesGemini
    >>> llm = ChatMemoriesGemini(api_key="k")
    >>> llm._serialized["kwargs"]["model"]
    'gemini-2.5-flash'
    >>> llm.model = "gemini-2.5-pro"
    >>> llm._serialized["kwargs"]["model"]
    'gemini-2.5-pro'
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
from pydantic import BaseModel
from typing_extensions import Self

from memories_client._async_client import AsyncMemoriesClient
from memories_client._client import MemoriesClient
from memories_client._client_cache import ClientCache
from memories_client._options import ClientOptions

__all__ = ["DerivedState"]

if TYPE_CHECKING:
    _PydanticModel = BaseModel  # what it is mixed into, for the type checker
else:
    _PydanticModel = object  # a plain mixin at run time: the framework's model class follows it


class DerivedState(_PydanticModel):
    """Mixed into a pydantic model before its framework base class; see the module docstring.

    Example:
        >>> from llama_index_memories import MemoriesMultiModal
        >>> import pickle
        >>> mm = MemoriesMultiModal(api_key="k")
        >>> clone = pickle.loads(pickle.dumps(mm))
        >>> clone.model == mm.model, clone._clients is mm._clients
        (True, False)
    """

    if TYPE_CHECKING:
        http_client: httpx.Client | None
        http_async_client: httpx.AsyncClient | None

    _FROM_FIELDS: ClassVar[tuple[str, ...]] = ("_client_options",)
    """Cached values made from the field values (forgotten when a field is set); a model
    that caches more extends it (``(*DerivedState._FROM_FIELDS, "_serialized")``)."""
    _OWN: ClassVar[tuple[str, ...]] = ("_clients",)
    """The instance's own resources, such as its client pools (never shared with a copy)."""
    _NOT_PICKLED: ClassVar[tuple[str, ...]] = ("http_client", "http_async_client", "uploader")
    """Fields sent as ``None`` in a pickle: connection pools and locks cannot cross a process
    boundary, and an uploader may hold a boto3 client or a lock. The unpickled model opens
    its own clients."""

    @cached_property
    def _client_options(self) -> ClientOptions:
        """The checked connection options, made once per field state."""
        return ClientOptions.from_settings(self.__dict__)

    @cached_property
    def _clients(self) -> ClientCache:
        """The model's client pools, created on first use."""
        return ClientCache()

    def _sync_client(self) -> MemoriesClient:
        return self._clients.sync(self._client_options, self.http_client)

    def _async_client(self) -> AsyncMemoriesClient:
        return self._clients.async_(self._client_options, self.http_async_client)

    def _forget(self, names: tuple[str, ...]) -> None:
        for name in names:
            self.__dict__.pop(name, None)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in type(self).model_fields:
            self._forget(self._FROM_FIELDS)

    def __copy__(self) -> Self:
        # model_copy(update=...) copies, then writes the new values straight into __dict__
        # (no __setattr__): the copy derives everything afresh.
        copied = super().__copy__()
        copied._forget((*self._FROM_FIELDS, *self._OWN))
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        # pydantic 2.11 (the lowest admitted) makes model_copy(update=..., deep=True) a deep
        # copy, then writes the new values: the copied derived values would describe the old.
        copied = super().__deepcopy__(memo)
        copied._forget((*self._FROM_FIELDS, *self._OWN))
        return copied

    def __getstate__(self) -> dict[Any, Any]:
        # pydantic's own state (not a framework's override, which may edit it), copied: the
        # dictionaries pydantic returns are the instance's own.
        state = dict(BaseModel.__getstate__(self))
        fields = {
            name: None if name in self._NOT_PICKLED else value
            for name, value in state["__dict__"].items()
            if name not in self._FROM_FIELDS and name not in self._OWN
        }
        state["__dict__"] = fields
        for key in ("__pydantic_private__", "__pydantic_extra__"):
            if state.get(key) is not None:
                state[key] = dict(state[key])
        if state.get("__pydantic_fields_set__") is not None:
            state["__pydantic_fields_set__"] = set(state["__pydantic_fields_set__"])
        return state
