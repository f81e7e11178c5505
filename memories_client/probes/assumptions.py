"""Every assumption the package makes about the service, each with a stable id.

``docs/API_FACTS.md`` ("Assumptions, by id") lists the same ids; a test keeps the two lists and
the probes that judge them in step. Each assumption says what the package does if the service
contradicts it: the setting that adapts the client (``adapt``), or that nothing needs changing.

Example:
    >>> from memories_client.probes.assumptions import ASSUMPTIONS
    >>> ASSUMPTIONS["PATH-ILM"].adapt
    'paths={"iu": "/ilm/chat/completions"} (MemoriesClient, ChatMemories*, MemoriesMultiModal)'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ASSUMPTIONS", "Assumption"]


@dataclass(frozen=True, slots=True)
class Assumption:
    """One thing the package assumes about the service.

    Attributes:
        id: stable, upper-case, e.g. ``PATH-IU``; reports and docs refer to it.
        statement: what is assumed, in one sentence.
        source: where it comes from (``DOC``, ``OBS``, ``INF`` as in ``docs/API_FACTS.md``).
        adapt: what to change if the service contradicts it.
    """

    id: str
    statement: str
    source: str
    adapt: str


_NOTHING = "nothing to change: the package already handles both; please send the report"

_ALL = (
    # -- connection and paths -------------------------------------------------------------------
    Assumption(
        "BASE-URL",
        "The API answers at https://mavi-backend.memories.ai/serve/api/v2.",
        "DOC",
        "base_url= (or MEMORIES_BASE_URL)",
    ),
    Assumption(
        "AUTH-RAW",
        "The key is sent raw in Authorization, with no 'Bearer' prefix.",
        "DOC",
        'auth_scheme="bearer"',
    ),
    Assumption(
        "AUTH-BEARER",
        "Authorization: Bearer <key> is accepted too (the emulator accepts it; the package "
        "sends the raw key).",
        "INF",
        'keep auth_scheme="raw" (the default)',
    ),
    Assumption(
        "PATH-VU",
        "POST /vu/chat/completions answers text and video calls.",
        "DOC",
        'paths={"vu": "/chat/completions"} if PATH-BARE held',
    ),
    Assumption(
        "PATH-IU",
        "POST /iu/chat/completions answers image calls (the prose of every image page).",
        "DOC",
        'paths={"iu": "/ilm/chat/completions"} if PATH-ILM held',
    ),
    Assumption(
        "PATH-ILM",
        "POST /ilm/chat/completions answers image calls too (the curl samples).",
        "DOC",
        'paths={"iu": "/ilm/chat/completions"} (MemoriesClient, ChatMemories*, MemoriesMultiModal)',
    ),
    Assumption(
        "PATH-BARE",
        "POST /chat/completions (no prefix) answers video-understanding calls (the Nova and "
        "Qwen VLM curl samples).",
        "DOC",
        'paths={"vu": "/chat/completions"} if PATH-VU is contradicted',
    ),
    # -- models ------------------------------------------------------------------------------------
    Assumption(
        "MODEL-IDS",
        "The models the run uses (by default the catalog's cheapest of each family) are served "
        "today.",
        "DOC",
        "pick another id with --model FAMILY=ID (and model= in your code); send us the report",
    ),
    Assumption(
        "MODEL-PREFIX",
        "A model id without its family prefix (gemini:, nova:, ...) is refused.",
        "DOC",
        _NOTHING + " (ids are always sent with their prefix)",
    ),
    Assumption(
        "NOVA-ID-ALIAS",
        "Nova ids without 'us.' (nova:amazon.nova-lite-v1:0) are served as well as the 'us.' ones.",
        "DOC",
        "use the us.amazon.* ids (the catalog's defaults)",
    ),
    # -- response shapes and usage -----------------------------------------------------------------
    Assumption(
        "SHAPE-COMPLETION",
        "Gemini and Qwen answer object 'completion' with the text in choices[].text.",
        "DOC",
        _NOTHING + " (both answer shapes are parsed)",
    ),
    Assumption(
        "SHAPE-CHAT",
        "Nova and GPT answer object 'chat.completion' with the text in choices[].message.content.",
        "DOC",
        _NOTHING + " (both answer shapes are parsed)",
    ),
    Assumption(
        "GEMINI-NO-FINISH",
        "Gemini's choices carry no finish_reason (the documented example has none).",
        "DOC",
        _NOTHING + " (finish_reason is passed through when present)",
    ),
    Assumption(
        "USAGE-GEMINI",
        "Gemini usage is usage.input_tokens / output_tokens / total_tokens.",
        "DOC",
        _NOTHING + " (every known usage spelling is read)",
    ),
    Assumption(
        "USAGE-NOVA",
        "Nova usage is usage.prompt_tokens / output_token (singular) / total_tokens.",
        "DOC",
        _NOTHING + " (every known usage spelling is read)",
    ),
    Assumption(
        "USAGE-QWEN",
        "Qwen answers carry usage with Gemini's keys (the documented example is cut off).",
        "INF",
        _NOTHING + " (a missing usage is reported as None, not made up)",
    ),
    Assumption(
        "USAGE-GPT",
        "GPT usage is OpenAI's: prompt_tokens, completion_tokens and the *_details objects.",
        "DOC",
        _NOTHING + " (every known usage spelling is read)",
    ),
    Assumption(
        "REASONING-USAGE",
        "A thinking model's usage reports its reasoning tokens.",
        "INF",
        _NOTHING + " (reasoning tokens are optional; output_tokens is what is billed)",
    ),
    # -- errors ------------------------------------------------------------------------------------
    Assumption(
        "ERR-BAD-KEY",
        "A wrong key is answered with HTTP 401.",
        "DOC",
        _NOTHING + " (every status maps to a typed error)",
    ),
    Assumption(
        "ERR-ENVELOPE",
        "HTTP errors carry the {code, msg, data} envelope, code equal to the HTTP status.",
        "DOC",
        _NOTHING + " (the envelope, {error: {...}} and plain text are all read)",
    ),
    Assumption(
        "ERR-BAD-MODEL",
        "An unknown model id of a known family is refused with an HTTP 4xx.",
        "INF",
        _NOTHING + " (an HTTP-200 error body is read too)",
    ),
    Assumption(
        "ERR-200-ERRORED",
        "A media URL the backend cannot fetch gives HTTP 200 with status 'errored' and "
        "error {code, message}.",
        "OBS",
        _NOTHING + " (errored bodies and HTTP errors both raise typed errors)",
    ),
    Assumption(
        "RETRY-AFTER",
        "A 429 carries a Retry-After header.",
        "INF",
        "RetryPolicy(...) sets the backoff used when Retry-After is absent",
    ),
    # -- Gemini ------------------------------------------------------------------------------------
    Assumption(
        "GEMINI-IMAGE",
        "Gemini reads an image URL sent as an input_file part (file_uri + mime_type).",
        "DOC",
        "nothing configurable: send us the report",
    ),
    Assumption(
        "GEMINI-VIDEO",
        "Gemini reads a public video URL sent as an input_file part.",
        "DOC",
        "nothing configurable: send us the report",
    ),
    Assumption(
        "GEMINI-STRING-REFUSED",
        "A bare-string user content on /vu is refused ('Model input cannot be empty').",
        "OBS",
        _NOTHING + " (user content is always sent as an array)",
    ),
    Assumption(
        "GEMINI-VIDEO-BASE64",
        "Gemini refuses base64 video.",
        "DOC",
        "upload local videos (MemoriesAssetUploader, S3Uploader) instead of inlining them",
    ),
    Assumption(
        "EXTRA-BODY-LITERAL",
        "Options sent in a literal extra_body.metadata object are honoured.",
        "DOC",
        "none yet (send us the report); the emulator also accepts a top-level metadata",
    ),
    Assumption(
        "GEMINI-SCHEMA",
        "Gemini's responseSchema (uppercase types) gives a JSON answer with the required keys.",
        "DOC",
        "response_mime_type='application/json' without a schema, or prompted JSON",
    ),
    Assumption(
        "GEMINI-JSON-FENCE",
        "Gemini wraps JSON answers in ```json fences even in JSON mode.",
        "OBS",
        _NOTHING + " (fences are stripped before parsing)",
    ),
    Assumption(
        "GEMINI-THINKING",
        "Gemini takes extra_body.metadata.thinking_config.thinking_budget.",
        "DOC",
        "leave thinking_budget unset",
    ),
    # -- Nova --------------------------------------------------------------------------------------
    Assumption(
        "NOVA-IMAGE",
        "Nova reads image_url parts written as objects {url: ...}.",
        "OBS",
        "nothing configurable yet: send us the report",
    ),
    Assumption(
        "NOVA-VIDEO",
        "Nova reads video_url parts written as objects {url: ...} on /vu.",
        "OBS",
        "nothing configurable yet: send us the report",
    ),
    Assumption(
        "NOVA-TOOLS",
        "Nova takes Bedrock-style extra_body.metadata.toolConfig and answers with a tool call.",
        "DOC",
        "prompted JSON instead of tools (send us the report)",
    ),
    Assumption(
        "NOVA-TOOL-SHAPE",
        "Nova returns a tool call as OpenAI choices[].message.tool_calls (not Bedrock toolUse).",
        "INF",
        _NOTHING + " (both the OpenAI and the Bedrock shape are parsed)",
    ),
    # -- Qwen --------------------------------------------------------------------------------------
    Assumption(
        "QWEN-TEXT-STRING",
        "Qwen takes a text-only user message as a plain string.",
        "OBS",
        "QwenDialect(text_as_string=False)",
    ),
    Assumption(
        "QWEN-PARTS-DASHSCOPE",
        "Qwen reads DashScope parts {image: url} (the default part_style).",
        "INF",
        'QwenDialect(part_style="typed") or part_style="openai", whichever held',
    ),
    Assumption(
        "QWEN-PARTS-TYPED",
        "Qwen reads typed parts {type: image, image: url}.",
        "INF",
        'keep part_style="dashscope" or use "openai", whichever held',
    ),
    Assumption(
        "QWEN-PARTS-OPENAI",
        "Qwen reads OpenAI parts {type: image_url, image_url: {url}}.",
        "INF",
        'keep part_style="dashscope" or use "typed", whichever held',
    ),
    Assumption(
        "QWEN-VIDEO",
        "Qwen reads a video URL sent as a DashScope part {video: url} on /vu.",
        "INF",
        'QwenDialect(part_style="typed" or "openai"), whichever held for images',
    ),
    Assumption(
        "QWEN-JSON-SCHEMA",
        "Qwen takes response_format json_schema inside extra_body.metadata and answers JSON.",
        "DOC",
        "prompted JSON (leave response_schema unset)",
    ),
    Assumption(
        "QWEN-THINKING",
        "Qwen takes enable_thinking and thinking_budget in extra_body.metadata.",
        "DOC",
        "leave enable_thinking and thinking_budget unset",
    ),
    # -- GPT ---------------------------------------------------------------------------------------
    Assumption(
        "GPT-IMAGE",
        "GPT reads OpenAI image_url objects {url: ...} on the image endpoint.",
        "DOC",
        "nothing configurable: send us the report",
    ),
    Assumption(
        "GPT-MAX-TOKENS",
        "GPT models take max_tokens (OpenAI's reasoning models want max_completion_tokens).",
        "DOC",
        "leave max_tokens unset and pass extra_body={'max_completion_tokens': N}",
    ),
    Assumption(
        "GPT-JSON-MODE",
        "GPT takes a top-level response_format {type: json_object} and answers JSON.",
        "DOC",
        "prompted JSON (leave response_mime_type unset)",
    ),
    Assumption(
        "GPT-STREAM-NO-USAGE",
        "A GPT stream carries no usage unless stream_options asks for it (as OpenAI does).",
        "INF",
        "GPTDialect(stream_usage=True) when you need usage from GPT streams",
    ),
    Assumption(
        "GPT-STREAM-OPTIONS",
        "GPT takes stream_options {include_usage: true} and then streams usage.",
        "INF",
        "keep GPTDialect(stream_usage=False) (the default)",
    ),
    # -- streaming ---------------------------------------------------------------------------------
    Assumption(
        "STREAM-SSE",
        "stream: true answers Server-Sent Events (text/event-stream, 'data:' lines).",
        "INF",
        _NOTHING + " (SSE, NDJSON and a plain JSON answer are all read)",
    ),
    Assumption(
        "STREAM-DONE",
        "A stream ends with 'data: [DONE]'.",
        "INF",
        _NOTHING + " (a finish_reason or status 'completed' ends a stream too)",
    ),
    Assumption(
        "STREAM-TEXT-SHAPE",
        "Streamed text is in choices[].text (Gemini, Qwen) or choices[].delta.content (Nova, GPT).",
        "INF",
        _NOTHING + " (delta, text, message and {token} chunks are all read)",
    ),
    Assumption(
        "STREAM-USAGE",
        "Gemini, Nova and Qwen streams carry usage without being asked.",
        "INF",
        _NOTHING + " (usage is read from whichever chunk carries it; else it stays None)",
    ),
    # -- assets ------------------------------------------------------------------------------------
    Assumption(
        "ASSET-SIGNED-URL",
        "An uploaded asset is referenced in a chat call by its signed URL.",
        "OBS",
        "MemoriesAssetUploader(reference=callable) builds another URL from the asset",
    ),
)

ASSUMPTIONS: dict[str, Assumption] = {a.id: a for a in _ALL}
"""Every assumption by id, in the order of the report."""
