"""What would fix each missed target: the changes outside ``benchmarks/``, with their evidence.

Written from the profiles this suite prints (the tables under "Profiles"); each entry is shown
only while its target is missed.
"""

from __future__ import annotations

OVERHEAD = """\
**Per-call overhead above the LangChain floor (text only).** Done since the first run: the core
reads non-streamed answers in one `send`, guards its debug line, caches `resolve_model`; the
LangChain layer builds the instance's request settings once (cached, rebuilt when a field
changes) and builds its result dicts once. Text went from 1.29x to about 1.23x the floor; media
meets the target (about 1.18x). The split below ("invoke vs `_generate` alone") shows LangChain's
own machinery costs the same for both models, so what is left is inside `_generate`, about 10 us
over the 1.2x line, nearly all of it the core client (the "core/(a)" ratio, about 28 us over raw
httpx): `Dialect.validate` + `build_body` + `json.dumps` (~8 us), `parse_completion` (~6 us) and
`httpx.Client.send` bookkeeping. The send path itself is at parity with a raw `httpx` post of
the same bytes and headers (measured: 81 us vs 82 us with a MockTransport). What would close the
rest, both in `memories_client`:

- `dialects/base.py`, `parse_completion`: a fast path for the two documented shapes (a `text`
  or `message.content` string and int usage) before the general tolerant parser. ~3 us.
- `client.py`, `prepare`: the LangChain layer validates its instance settings when they change,
  and the core validates them again on every call; a request flag meaning "sampling fields
  already checked" would skip `check_sampling`/`normalize_stop` per call. ~2-3 us.

Both trade clarity for microseconds on a path where the network costs milliseconds, so they are
left for now. The ChatOpenAI ratio (text 0.33x against 0.3x) moves with the same changes.
The machine was otherwise idle for the final run; single ratios still move by about +-5%.
"""

MEMORY = """\
**Large media.** Done since the first run: inline media of 256 KB or more is no longer copied
into the body: the body is serialised around a placeholder and the base64 is streamed into its
place (`memories_client/_body.py`), base64 is encoded into one exactly-sized buffer (the stdlib
encoder over-allocates to about 2x), a file's bytes are released before the text copy, and base64
that the caller already holds as bytes (LlamaIndex blocks) is sent as it is. The core now peaks
at 2.67x (bytes) and 2.83x (path), LangChain with base64 text at about 1.5x.

The two rows still over 3x are spent outside this package, before or around our code:

- ChatMemoriesGemini with raw `bytes` in a `base64` block: LangChain's standard block takes base64
  *text*. Given bytes, langchain-core itself (`BaseChatModel.invoke` -> `_normalize_messages` ->
  `langchain_core/messages/block_translators/openai.py`) builds `f"data:{mime};base64,{data}"`,
  the *repr* of 20 MB (2.87x), before our converter runs. Pass base64 text (the "base64 str" row,
  about 1.5x); the repr is an upstream bug.
- MemoriesMultiModal with `ImageBlock(image=bytes)`: building the block base64-encodes the image
  and guesses its type in LlamaIndex, and LlamaIndex's callback decorator re-validates the
  messages for its start event on every `chat`, which decodes and re-encodes the image again
  (`llama_index/core/base/llms/types.py`, `image_to_base64`; the `base64.py:58` and
  `base64.py:88` blocks in the profile). With the block built before the call ("prebuilt" row),
  what remains is that re-validation (2.33x) plus about 0.67x of ours, right at the 3x line; our
  converter makes no copy of the image. Avoiding the re-validation would mean skipping
  LlamaIndex's own event machinery, which we do not do.
"""

IMPORT = """\
**Import time.** `import langchain_core` alone only runs the package's `__init__`; any chat model
must import `langchain_core.language_models` (the "BaseChatModel" row), which is several times
dearer. `import langchain_memories` imports its classes eagerly, so it pays for BaseChatModel,
`memories_client` (httpx, pydantic) and its own modules. Changes, all outside benchmarks/:

- `langchain_memories/__init__.py`: export `ChatMemoriesGemini`, `ChatMemoriesNova` and the
  callback through a module-level `__getattr__` (PEP 562) that imports `gemini` / `nova` on first
  access. Then `import langchain_memories` costs about as much as `import langchain_core` (target met), and the
  class import costs BaseChatModel plus `memories_client`.
- `langchain_memories/callbacks.py` (imported by the package `__init__`): its module-level
  `from langchain_core.tracers.context import register_configure_hook` pulls in
  `langsmith.run_helpers` -> `langsmith.client` (and with it `requests`, `rich`, `click`,
  `tenacity`), about 250 ms cumulative in `-X importtime`, none of which BaseChatModel needs.
  Import the cost callback lazily (PEP 562 `__getattr__` for `get_memories_callback`), so the
  hook is registered when the callback is first used. Expected: the class import drops from about
  1.17x to about 1.05x of BaseChatModel.
- `memories_client/__init__.py` / `memories_client/_http.py`: `_http` costs ~75 ms cumulative
  (httpx itself ~60 ms, unavoidable); `schema` (1,150 lines) and `jsonout` are imported eagerly
  although only structured output needs them. Import them from the Gemini dialect on first use.
"""

THROUGHPUT_NOTE = """\
**Context for async throughput.** At concurrency 64 every client here, raw httpx included, is
limited by httpcore 1.0.9's connection pool: `AsyncConnectionPool._assign_requests_to_connections`
scans every connection for every queued request (`is_idle` / `has_expired` ~2 million calls per
300 requests in cProfile), which costs milliseconds of CPU per call and makes concurrency 64
slower than concurrency 8. This is upstream (encode/httpcore#1035, fixed in the pydantic/httpx2
fork) and affects raw httpx and our clients equally, so the ratio target is met; users who run
large async batches get more from `max_concurrency` around 8-16 than from 64.
"""
