"""Token and dollar totals for memories.ai calls: :func:`get_memories_callback`.

Like ``get_openai_callback``: everything run inside the ``with`` block (sync, async, streamed,
batched, inside chains and agents) is counted once per model call, per model, with the price
from the catalog's tiers. The tier is chosen per request by its prompt size (Gemini 2.5 Pro
costs more for a request over 200K input tokens), so totals are exact even when some requests
cross the threshold and others do not.

LangChain's own ``get_usage_metadata_callback()`` works with these models too (it reads
``usage_metadata`` and ``response_metadata["model_name"]``); this one adds requests and dollars.

An answer served from LangChain's LLM cache (``set_llm_cache(...)``) sent no request and cost
nothing: it is counted in ``cache_hits`` and ``cached_tokens``, never in the requests, tokens or
dollars that were billed.

Example:
    >>> from memories_emulator import Emulator
    >>> from langchain_memories import ChatMemoriesGemini, get_memories_callback
    >>> with Emulator() as emu, get_memories_callback() as cb:
    ...     llm = ChatMemoriesGemini(api_key="test", base_url=emu.base_url)
    ...     _ = llm.invoke("Hello")
    >>> cb.successful_requests, cb.total_tokens > 0, cb.total_cost > 0
    (1, True, True)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, LLMResult

import memories_client.integration as kit
from langchain_memories._outputs import PROVIDER

__all__ = ["MemoriesCallbackHandler", "ModelUsage", "get_memories_callback"]


@dataclass
class ModelUsage:
    """Totals for one model.

    Attributes:
        requests: model calls counted (requests the service answered and billed).
        input_tokens / output_tokens / total_tokens: summed token counts of those calls.
        cost: dollars, from the catalog's price tiers (None when the catalog has no price for
            this model; its tokens are still counted).
        cache_hits: answers served from LangChain's LLM cache (no request, no charge).
        cached_tokens: the total tokens those cached answers had cost when first asked.

    Example:
        >>> ModelUsage(requests=1, input_tokens=10, output_tokens=2, total_tokens=12).cost
        Decimal('0')
    """

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cost: Decimal | None = field(default_factory=Decimal)
    cache_hits: int = 0
    cached_tokens: int = 0


class MemoriesCallbackHandler(BaseCallbackHandler):
    """Collects requests, tokens and dollars of memories.ai model calls; thread-safe.

    Attributes:
        successful_requests: model calls that finished (cache hits excluded).
        prompt_tokens / completion_tokens / total_tokens: token totals over all models.
        cache_hits / cached_tokens: answers served from LangChain's LLM cache and the tokens
            they stand for; neither is in the totals above nor charged.
        by_model: :class:`ModelUsage` per model name (as in ``response_metadata``).

    Example:
        >>> handler = MemoriesCallbackHandler()
        >>> handler.total_cost
        0.0
    """

    raise_error: bool = False

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.successful_requests = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.total_tokens = 0
        self.cache_hits = 0
        self.cached_tokens = 0
        self.by_model: dict[str, ModelUsage] = {}
        self._cost = Decimal(0)
        # The handler of the get_memories_callback block around this one's, if any.
        self._enclosing: MemoriesCallbackHandler | None = None

    @property
    def total_cost_exact(self) -> Decimal:
        """Dollars over all priced models, as an exact ``Decimal``."""
        return self._cost

    @property
    def total_cost(self) -> float:
        """Dollars over all priced models (``float``, like ``get_openai_callback``)."""
        return float(self._cost)

    @property
    def unpriced_models(self) -> list[str]:
        """Models whose calls were counted but have no catalogued price."""
        return sorted(name for name, usage in self.by_model.items() if usage.cost is None)

    def __repr__(self) -> str:
        return (
            f"Tokens Used: {self.total_tokens}\n"
            f"\tPrompt Tokens: {self.prompt_tokens}\n"
            f"\tCompletion Tokens: {self.completion_tokens}\n"
            f"Successful Requests: {self.successful_requests}\n"
            f"Cache Hits: {self.cache_hits} ({self.cached_tokens} tokens, not charged)\n"
            f"Total Cost (USD): ${self._cost}"
        )

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Count one finished call (streamed calls end once too, with the whole message)."""
        if not response.generations or not response.generations[0]:
            return
        # The first generation carries the request's usage; with n > 1 the others repeat it.
        generation = response.generations[0][0]
        if not isinstance(generation, ChatGeneration) or not isinstance(
            generation.message, AIMessage
        ):
            return
        message = generation.message
        metadata = message.response_metadata
        if metadata.get("model_provider") != PROVIDER:
            return  # another provider's model in the same chain
        model = str(metadata.get("model_name") or "unknown")
        usage = message.usage_metadata
        if usage and usage.get("total_cost") == 0:
            # langchain-core marks an answer replayed from the LLM cache with total_cost=0
            # (our models never set total_cost): no request was sent and nothing is billed.
            self._count_cache_hit(model, int(usage["total_tokens"]))
            return
        inp = int(usage["input_tokens"]) if usage else 0
        out = int(usage["output_tokens"]) if usage else 0
        total = int(usage["total_tokens"]) if usage else 0
        cost = kit.try_estimate_cost(model, inp, out) if usage else Decimal(0)
        for handler in self._with_enclosing():
            handler._add_request(model, inp, out, total, cost)

    def _with_enclosing(self) -> Iterator[MemoriesCallbackHandler]:
        # This block's handler, then those of the blocks around it, innermost first: only the
        # innermost is attached to a run (one context variable), and it counts for them all.
        handler: MemoriesCallbackHandler | None = self
        while handler is not None:
            yield handler
            handler = handler._enclosing

    def _add_request(
        self, model: str, inp: int, out: int, total: int, cost: Decimal | None
    ) -> None:
        with self._lock:
            self.successful_requests += 1
            self.prompt_tokens += inp
            self.completion_tokens += out
            self.total_tokens += total
            entry = self.by_model.setdefault(model, ModelUsage())
            entry.requests += 1
            entry.input_tokens += inp
            entry.output_tokens += out
            entry.total_tokens += total
            if cost is None:
                entry.cost = None
            elif entry.cost is not None:
                entry.cost += cost
            if cost is not None:
                self._cost += cost

    def _count_cache_hit(self, model: str, tokens: int) -> None:
        for handler in self._with_enclosing():
            with handler._lock:
                handler.cache_hits += 1
                handler.cached_tokens += tokens
                entry = handler.by_model.setdefault(model, ModelUsage())
                entry.cache_hits += 1
                entry.cached_tokens += tokens

    def __copy__(self) -> MemoriesCallbackHandler:
        # Callback managers copy their handlers; the totals must stay in one object.
        return self

    def __deepcopy__(self, memo: Any) -> MemoriesCallbackHandler:
        return self


_memories_callback_var: ContextVar[MemoriesCallbackHandler | None] = ContextVar(
    "memories_callback", default=None
)
_hook_lock = threading.Lock()
_hook_registered = False


def _register_hook() -> None:
    """Register the context variable with LangChain once, on the first ``with`` block.

    Once registered, every run started while the variable is set gets the handler, including
    runs in threads and asyncio tasks started from that context (contextvars are copied). It is
    done here rather than at import because ``langchain_core.tracers.context`` imports
    langsmith's run helpers (tenacity and more), which the chat models do not need; the
    variable is only ever set inside get_memories_callback, so nothing is missed before.
    """
    global _hook_registered
    if _hook_registered:
        return
    with _hook_lock:
        if not _hook_registered:
            from langchain_core.tracers.context import register_configure_hook

            register_configure_hook(_memories_callback_var, inheritable=True)
            _hook_registered = True


@contextmanager
def get_memories_callback() -> Iterator[MemoriesCallbackHandler]:
    """Count requests, tokens and dollars of every memories.ai call in the block.

    Blocks nest: a call inside an inner block counts in the inner block's totals and in those of
    every block around it. The block is a context variable, so it follows the context: calls
    in asyncio tasks created inside it count (even if they finish after it ends), and so do
    LangChain's own ``batch`` / ``abatch`` and parallel steps (LangChain copies the context into
    its worker threads). A plain ``threading.Thread`` or ``concurrent.futures`` executor starts
    with an empty context and is not counted: run its work with
    ``contextvars.copy_context().run(...)``, or pass ``config={"callbacks": [cb]}``. Blocks in
    different threads or tasks never see each other's calls.

    Yields:
        The :class:`MemoriesCallbackHandler` collecting the totals.

    Example:
        >>> from memories_emulator import Emulator
        >>> from langchain_memories import ChatMemoriesNova
        >>> with Emulator() as emu, get_memories_callback() as cb:
        ...     llm = ChatMemoriesNova(api_key="test", base_url=emu.base_url)
        ...     _ = list(llm.stream("Hello"))
        >>> cb.successful_requests
        1
    """
    _register_hook()
    handler = MemoriesCallbackHandler()
    handler._enclosing = _memories_callback_var.get()
    token = _memories_callback_var.set(handler)
    try:
        yield handler
    finally:
        _memories_callback_var.reset(token)
