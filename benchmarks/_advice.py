"""What would fix each missed target: the changes outside ``benchmarks/``, with their evidence.

Written from the profiles this suite prints (the tables under "Profiles"); each entry is shown
only while its target is missed.
"""

from __future__ import annotations

OVERHEAD = """\
**Per-call overhead above the LangChain floor.** The split below ("invoke vs `_generate` alone")
shows that LangChain's own machinery costs the same for both models (with media it is dearer for
both: `_normalize_messages` calls `typing.get_type_hints` 5 times per call through
`langchain_core/messages/content.py:_get_data_content_block_types`), so the whole excess is inside
our `_generate`: about 50-75 us, of which the core client is about 30 us (the "core/(a)" ratio)
and the LangChain layer the rest. Measured one by one without a profiler: core
`MemoriesClient.prepare` (validate + build + `json.dumps`) ~7-9 us, `parse_completion` ~6 us,
`langchain_memories._base._prepare` ~11-14 us (`_convert.convert_messages` 3 us text, 9 us media),
`_base._result` / `_outputs.chat_result` ~20 us, `MemoriesClient._send` ~15-30 us above
`httpx.Client.post` of the same bytes. Meeting 1.2x needs about 30 us less per call:

- `memories_client/client.py`, `MemoriesClient._send`: sends with `stream=True`, then
  `response.read()` / `response.close()`, and formats a `logger.debug` line with timing
  arithmetic on every call. For non-streaming calls use `self.http_client.send(request)` (httpx
  reads and closes), and guard the debug line with `logger.isEnabledFor(logging.DEBUG)`.
  Expected: ~5-15 us.
- `langchain_memories/_base.py`, `_BaseChatMemories._prepare`: rebuilds the request fields from
  every `_SAMPLING` attribute, re-resolves the model id (`mc.resolve_model`; the core then
  resolves it 4 more times: `client.dialect`, `dialect_for`, `Dialect.validate`,
  `Dialect.build_body`) and builds a fresh `ChatRequest` per call. Cache the instance's base
  request fields once and `replace()` only per-call overrides; let the core skip re-resolving an
  already prefixed id (a dict cache in `catalog.resolve_model`). Expected: ~5-10 us.
- `langchain_memories/_outputs.py`, `chat_result`: builds `response_metadata`, a `token_usage`
  dict, `llm_output` and `usage_metadata` through several intermediate dicts. Build them from one
  usage dict. Expected: ~5-10 us.
- `memories_client/dialects/base.py`, `parse_completion` (~6 us for a 800-byte answer) checks
  every field with `isinstance` chains; a fast path for the documented shapes (a `text` or
  `message.content` string, int usage) would halve it.

The machine was shared with other jobs during the run (see the load average), which adds
noise of +-10% to single ratios; the split table is measured side by side and is the steadier
evidence.
"""

MEMORY = """\
**Large media: the copies.** The peak profiles below show the same three 1.33x blocks in every
case that goes through the core: the base64 text of the image (`memories_client/media.py`,
`media_from_bytes` / `media_from_path`: `base64.b64encode(data).decode("ascii")`), the JSON
text of the whole body (`json.dumps` in `memories_client/client.py`, `_encode`), and its UTF-8
copy (`.encode("utf-8")` in the same line). The base64 text must exist once (1.33x); the other
two are copies of it, so the core alone peaks at 4.0x.

- `memories_client/client.py`, `_encode` / `_BaseClient.prepare` / `_request`: serialise the body
  with a placeholder for each inline part, and hand httpx the body as a list of byte chunks
  (`[json_head, part_data_bytes, json_tail, ...]`, re-iterable so retries still work) with an
  explicit `Content-Length`, instead of one `bytes` made from one `str`. Base64 needs no JSON
  escaping, so the chunks are valid JSON as they are. Expected: core 4.0x -> 2.67x (base64 text
  + its ASCII bytes), or 1.33x with the next change.
- `memories_client/types.py` `MediaPart.data` and `memories_client/media.py`: keep the base64 as
  the ASCII `bytes` that `base64.b64encode` returns (no `.decode("ascii")`; accept `bytes` in
  `media_from_base64`), exposing a `str` only on demand. With the chunked body above, the data is
  then never copied: core bytes 1.33x, path 2.33x (the file's bytes live while they are encoded).
- `llama_index_memories/_convert.py`, `media_block_to_part` (line with
  `media_from_base64(bytes(data).decode("ascii"), mime)`): LlamaIndex already keeps the image as
  base64 bytes; the `.decode` makes a 1.33x copy. With `media_from_base64` accepting bytes, pass
  them as they are. Expected with the core changes: MemoriesMultiModal bytes 5.33x -> 1.33x (only
  LlamaIndex's own base64), path 4.0x -> 2.33x.
- ChatMemoriesGemini with raw `bytes` in a `base64` block: 2.87x is spent before our code runs,
  by LangChain itself: `BaseChatModel.invoke` -> `_normalize_messages` ->
  `langchain_core/messages/block_translators/openai.py` builds
  `f"data:{mime_type};base64,{base64_data}"`, which for `bytes` is the *repr* of 20 MB (about
  2.87 bytes per byte). LangChain's standard block takes base64 *text*; with a `str` LangChain's
  copy is 1.33x and, with the core changes, the total is about 2.67x. So: document base64 text as
  the way to send large inline media through LangChain (or encode bytes to base64 text once in
  our converter's docs example), and report the repr bug upstream.
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
