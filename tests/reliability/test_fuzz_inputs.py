"""Bad input, fuzzed: every input either becomes a request the emulator accepts, or is refused.

For each target, hypothesis generates inputs mixing valid and broken pieces (wrong types,
missing fields, huge strings, invalid base64, bad data URIs, unknown MIME types, nested
garbage). The model sends through an ``httpx.MockTransport`` that records the request. Then:

* if the call raised, the error is a ``ValueError`` (``MemoriesInputError`` or pydantic's
  ``ValidationError``) whose message names the field, and no request was sent;
* if it did not, the recorded request passes the emulator's own validation (run in-process:
  the same function its HTTP endpoint calls), so the service would not reject it either.

``TypeError``, ``KeyError``, ``AttributeError`` and friends fail the test at once.

Input classes of the bugs this suite found (the tests at the end, now fixed) are kept out of the
fuzzed targets *only while the bug is present*: each exclusion probes the current code, so a bug
that came back would be tallied and its own test would fail.
"""

from __future__ import annotations

import base64
import functools
import os
from collections.abc import Callable
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from llama_index.core.base.llms.types import (
    AudioBlock,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from reliability_support import GEMINI, KEY, NOVA, Capture, emulator_verdict

from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from llama_index_memories import MemoriesMultiModal
from memories_client import (
    APITimeoutError,
    ChatRequest,
    MemoriesClient,
    MemoriesInputError,
    Message,
    RetryPolicy,
    ToolCall,
    media_from_url,
)

EXAMPLES = int(os.environ.get("RELIABILITY_FUZZ_EXAMPLES", "2000"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.nested_given,
    ],
)
FORBIDDEN = (TypeError, KeyError, AttributeError, IndexError, AssertionError, LookupError)

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(24)
JPEG = b"\xff\xd8\xff\xe0" + bytes(28)
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(20)
PDF = b"%PDF-1.4\n" + bytes(20)
HUGE_TEXT = "x" * 1_500_000
HUGE_B64 = base64.b64encode(PNG + bytes(1_200_000)).decode()


# --------------------------------------------------------------------------- outcome check


_OURS = ("/memories_client/", "/langchain_memories/", "/llama_index_memories/")


def _reached_our_code(error: BaseException) -> bool:
    """True if any frame of the traceback is in our packages (not only in the framework)."""
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename.replace("\\", "/")
        if any(part in filename for part in _OURS):
            return True
        tb = tb.tb_next
    return False


def _innermost_ours(error: BaseException) -> str:
    """The file of the innermost traceback frame inside our packages ('' if none)."""
    found = ""
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename.replace("\\", "/")
        if any(part in filename for part in _OURS):
            found = filename
        tb = tb.tb_next
    return found


def run_and_check(capture: Capture, send: Callable[[], Any], fields: tuple[str, ...]) -> str:
    """Run ``send``; check the error or the recorded request.

    Returns "ok" (sent, and the emulator accepts it), "refused" (a ValueError naming the
    field), "upstream" (LangChain/LlamaIndex itself refused the input before our code ran;
    their behaviour is not under test here, e.g. langchain-core's ``_normalize_messages``
    raising ``TypeError`` on ``{"type": []}``) or "known:<bug>" (an outcome of a reported bug
    that is still present; see :func:`known_bug`).
    """
    capture.clear()
    timed_out = False
    try:
        send()
    except APITimeoutError:
        # A valid but tiny `timeout` (a few ms): the wall-clock deadline can pass while even a
        # mock answer is read, on every attempt. The request went out, so it is judged below
        # like any sent one.
        if not capture.requests:
            raise
        timed_out = True
    except Exception as exc:
        bug = known_bug(exc, None)
        if bug is not None:
            return f"known:{bug}"
        if isinstance(exc, FORBIDDEN):
            if not _reached_our_code(exc):
                assert capture.requests == []
                return "upstream"
            raise
        if not isinstance(exc, ValueError):
            raise
        message = str(exc)
        assert capture.requests == [], f"refused after sending a request: {message}"
        # pydantic's ValidationError names the field: it is checked below like ours.
        upstream = not isinstance(exc, MemoriesInputError) and not _reached_our_code(exc)
        if upstream and type(exc).__name__ != "ValidationError":
            return "upstream"
        assert any(field in message for field in fields), (
            f"the error does not name the field (one of {fields}): {message[:300]}"
        )
        return "refused"
    assert len(capture.requests) == 1 or timed_out, f"{len(capture.requests)} requests for one call"
    verdict = emulator_verdict(capture.requests[0], capture.bodies[0])
    if verdict is not None:
        bug = known_bug(None, verdict)
        if bug is not None:
            return f"known:{bug}"
    assert verdict is None, (
        f"the client sent a request the emulator rejects: {verdict}\n"
        f"body: {capture.bodies[0][:600]!r}"
    )
    return "ok"


def tally(outcomes: dict[str, int], outcome: str) -> None:
    outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if outcome.startswith("known:"):
        KNOWN_COUNTS[outcome[6:]] = KNOWN_COUNTS.get(outcome[6:], 0) + 1


# --------------------------------------------------------------------------- known bugs


def _core_sends(request: ChatRequest) -> bool:
    """True if the core client sends ``request`` (instead of refusing it)."""
    capture = Capture()
    client = MemoriesClient(
        api_key=KEY, base_url="http://127.0.0.1:9", http_client=capture.client, max_retries=0
    )
    try:
        client.chat(request)
    except Exception:
        return False
    return True


@functools.cache
def bug_blank_text_sent() -> bool:
    return _core_sends(ChatRequest(model=GEMINI, messages=[Message.user(" \n\t")]))


@functools.cache
def bug_surrogates_crash() -> bool:
    try:
        _core_sends(ChatRequest(model=GEMINI, messages=[Message.user("a\ud800")]))
    except UnicodeEncodeError:
        return True
    return False


@functools.cache
def bug_nova_tool_history_without_tools_sent() -> bool:
    call = ToolCall("call_1", "lookup", {"q": "x"})
    history = [Message.user("q"), Message.assistant("", [call]), Message.tool("call_1", "r")]
    return _core_sends(ChatRequest(model=NOVA, messages=history))


@functools.cache
def bug_llama_wrong_type_crash() -> bool:
    block = ImageBlock.model_construct(path=[], image=None, url=None, image_mimetype=None)
    llm = MemoriesMultiModal(model=GEMINI, api_key=KEY, http_client=Capture().client)
    try:
        llm.chat([ChatMessage(role="user", blocks=[block])])
    except TypeError:
        return True
    except Exception:
        return False
    return False


@functools.cache
def bug_orphan_tool_result_sent() -> bool:
    history = [Message.user("q"), Message.tool("call_9", "r")]
    return _core_sends(ChatRequest(model=NOVA, messages=history))


@functools.cache
def bug_lc_tool_content_crash() -> bool:
    message = ToolMessage("x", tool_call_id="call_1")
    message.content = [b"raw"]
    model = ChatMemoriesNova(model=NOVA, api_key=KEY, http_client=Capture().client)
    try:
        model.invoke([HumanMessage("q"), message])
    except TypeError:
        return True
    except Exception:
        return False
    return False


@functools.cache
def bug_url_without_host_sent() -> bool:
    try:
        media_from_url("https://", mime_type="image/png")
    except MemoriesInputError:
        return False
    return True


@functools.cache
def bug_mime_grammar_mismatch() -> bool:
    try:
        media_from_url("https://x.test/a", mime_type="image/a!b")
    except MemoriesInputError:
        return False
    return True


@functools.cache
def bug_n_over_8_sent() -> bool:
    return _core_sends(ChatRequest(model=GEMINI, messages=[Message.user("x")], n=9))


def known_bug(error: BaseException | None, verdict: str | None) -> str | None:
    """The reported bug this outcome is a symptom of, if that bug is still present.

    Each probe re-checks the current code once per session, so a fixed bug stops excusing
    its symptoms and the fuzz guards against its return.
    """
    if isinstance(error, UnicodeEncodeError) and "surrogates" in str(error):
        return "lone-surrogates" if bug_surrogates_crash() else None
    if isinstance(error, TypeError) and _innermost_ours(error).endswith(
        "llama_index_memories/_convert.py"
    ):
        return "llama-wrong-typed-field" if bug_llama_wrong_type_crash() else None
    if isinstance(error, TypeError) and "is not JSON serializable" in str(error):
        return "lc-tool-content-not-json" if bug_lc_tool_content_crash() else None
    if verdict is None:
        return None
    if "Model input cannot be empty" in verdict:
        return "blank-user-text" if bug_blank_text_sent() else None
    if "toolConfig must be provided" in verdict:
        return "nova-tool-history" if bug_nova_tool_history_without_tools_sent() else None
    if "mime_type must be a MIME type" in verdict or "data URI media type" in verdict:
        return "mime-grammar" if bug_mime_grammar_mismatch() else None
    if "is not a valid URL" in verdict:
        return "url-without-host" if bug_url_without_host_sent() else None
    if "tool_call_id" in verdict:
        return "orphan-tool-result" if bug_orphan_tool_result_sent() else None
    if "n must be an integer between 1 and 8" in verdict:
        return "n-over-8" if bug_n_over_8_sent() else None
    return None


# --------------------------------------------------------------------------- strategies

garbage = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.binary(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\n\t ", "What happens?", "\u200b", "a\x00b", HUGE_TEXT]),
)
urls = st.one_of(
    st.sampled_from(
        [
            "https://storage.googleapis.com/b/clip.mp4",
            "https://x.test/a.png",
            "https://x.test/a.JPG?sig=1#frag",
            "gs://bucket/video.mov",
            "http://x.test/doc.pdf",
            "https://x.test/notes.txt",
            "https://x.test/no-extension",
            "https://x.test/song.mp3",
            "https://x.test/a.exe",
            "https://x.test/a.webm",
            "https://",
            "https:///a.png",
            "ftp://x.test/a.png",
            "file:///etc/passwd",
            "/etc/passwd",
            "javascript:alert(1)",
            "",
            "   ",
            "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==",
            "data:image/png;base64,!!!notbase64",
            "data:image/png,rawtext",
            "data:;base64,iVBORw0KGgo=",
            "data:video/mp4;base64,AAAAGGZ0eXBtcDQy",
            "data:application/pdf;base64,JVBERi0xLjQK",
            "data:audio/mpeg;base64,SUQz",
            "data:text/plain;base64,aGk=",
            "data:image/png;base64,",
            "DATA:IMAGE/PNG;BASE64,iVBORw0KGgo=",
            "data:image/a!b;base64,iVBORw0KGgo=",
            "data:foo;base64,iVBORw0KGgo=",
        ]
    ),
    st.builds(lambda s: f"https://x.test/{s}", st.text(max_size=15)),
    st.text(max_size=30),
)
b64s = st.one_of(
    st.builds(lambda b: base64.b64encode(b).decode(), st.sampled_from([PNG, JPEG, MP4, PDF])),
    st.builds(lambda b: base64.b64encode(b).decode(), st.binary(min_size=1, max_size=40)),
    st.builds(lambda b: base64.urlsafe_b64encode(PNG + b).decode(), st.binary(max_size=10)),
    st.sampled_from(["", "====", "a", "ab=", "!!!!", "iVBORw0KGgo", " iVBO Rw0K Ggo= ", HUGE_B64]),
    st.text(max_size=30),
)
mimes = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "image/png",
            "image/jpeg",
            "video/mp4",
            "video/quicktime",
            "application/pdf",
            "text/plain",
            "audio/mpeg",
            "application/octet-stream",
            "image/svg+xml",
            "IMAGE/PNG",
            "image",
            "video/",
            "",
            "text/html; charset=utf-8",
            "image/x-icon",
            "x/y",
        ]
    ),
    st.text(max_size=15),
)
BLOCK_TYPES = [
    "text",
    "image",
    "video",
    "file",
    "image_url",
    "video_url",
    "input_file",
    "media",
    "audio",
    "input_audio",
    "input_text",
    "text-plain",
    "reasoning",
    "tool_call",
    "thinking",
    "document",
    None,
]


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, strategy, garbage)


MAYBE_TEXTS = _maybe(texts)
SHORT_TEXT = st.text(max_size=10)
OPT_ID = st.one_of(st.none(), st.text(max_size=5))
TOOL_NAMES = st.sampled_from(["lookup", "x"])
TOOL_KWARGS = st.one_of(st.just({}), st.just({"q": 1}), st.text(max_size=10))
RAW_BYTES = st.one_of(st.sampled_from([PNG, JPEG, MP4, PDF]), st.binary(max_size=30))
PATHS = st.sampled_from(["/nonexistent/x.png", "/etc", "/dev/null"])
LLAMA_KINDS = st.sampled_from(["text", "image", "video", "document", "audio", "thinking", "tool"])
SOURCES = st.sampled_from(["url", "bytes", "b64text", "path", "none", "garbage"])
LLAMA_ROLES = st.sampled_from(["system", "assistant", "tool", "developer", "model"])
LC_KINDS = st.sampled_from(["system", "ai", "ai_tools", "tool"])
CALL_IDS = st.sampled_from(["call_1", "zz", ""])


lc_blocks = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(BLOCK_TYPES), st.text(max_size=10), garbage)},
    optional={
        "text": _maybe(texts),
        "url": _maybe(urls),
        "base64": _maybe(b64s),
        "data": _maybe(b64s),
        "mime_type": _maybe(mimes),
        "source_type": _maybe(st.sampled_from(["url", "base64", "id", "text"])),
        "image_url": _maybe(st.one_of(urls, st.fixed_dictionaries({"url": _maybe(urls)}))),
        "video_url": _maybe(st.one_of(urls, st.fixed_dictionaries({"url": _maybe(urls)}))),
        "file_uri": _maybe(st.one_of(urls, b64s)),
        "file": _maybe(
            st.fixed_dictionaries(
                {}, optional={"file_data": _maybe(urls), "filename": texts, "file_id": texts}
            )
        ),
        "source": _maybe(
            st.fixed_dictionaries(
                {"type": _maybe(st.sampled_from(["base64", "url", "file"]))},
                optional={"data": _maybe(b64s), "media_type": _maybe(mimes), "url": _maybe(urls)},
            )
        ),
        "file_id": texts,
        "id": texts,
        "extras": garbage,
    },
)
lc_content = st.one_of(
    texts, st.lists(st.one_of(lc_blocks, lc_blocks, lc_blocks, texts, garbage), max_size=4)
)


@st.composite
def lc_messages(draw: st.DrawFn) -> list[Any]:
    """1-4 LangChain messages, at least one HumanMessage; content set by assignment too.

    Assigning ``message.content`` after construction is not validated by LangChain, which is
    how garbage (ints, nested lists) reaches a converter in real code.
    """
    out: list[Any] = []
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(LC_KINDS)
        if kind == "system":
            msg: Any = SystemMessage("Be brief.")
        elif kind == "ai":
            msg = AIMessage("Earlier answer.")
        elif kind == "ai_tools":
            msg = AIMessage("", tool_calls=[{"name": "lookup", "args": {"q": "x"}, "id": "call_1"}])
        else:
            msg = ToolMessage("result", tool_call_id=draw(CALL_IDS))
        if draw(st.booleans()):
            msg.content = draw(lc_content)
        out.append(msg)
    human = HumanMessage("placeholder")
    human.content = draw(lc_content)
    out.insert(draw(st.integers(0, len(out))), human)
    return out


def _lc_model(cls: type[Any], capture: Capture) -> Any:
    model = GEMINI if cls is ChatMemoriesGemini else NOVA
    return cls(model=model, api_key=KEY, http_client=capture.client, max_retries=0)


LC_FIELDS = ("messages", "content", "block")


@pytest.mark.fuzz
@pytest.mark.parametrize("cls", [ChatMemoriesGemini, ChatMemoriesNova], ids=["gemini", "nova"])
def test_langchain_messages_and_blocks(cls: type[Any]) -> None:
    capture = Capture()
    model = _lc_model(cls, capture)
    outcomes: dict[str, int] = {}

    @FUZZ
    @given(lc_messages())
    def fuzz(messages: list[Any]) -> None:
        tally(outcomes, run_and_check(capture, lambda: model.invoke(messages), LC_FIELDS))

    fuzz()
    FUZZ_COUNTS[f"langchain-{cls.__name__}"] = sum(outcomes.values())
    assert outcomes.get("ok", 0) > EXAMPLES // 50, outcomes  # the fuzz reaches valid requests


# --------------------------------------------------------------------------- LlamaIndex blocks


def _construct(cls: type[Any], validated: bool, **fields: Any) -> Any:
    """A block built normally (LlamaIndex validates it) or, as after an assignment, not."""
    if validated:
        try:
            return cls(**fields)
        except Exception:  # LlamaIndex refused it itself: not ours to test
            return cls.model_construct(**fields)
    return cls.model_construct(**fields)


@st.composite
def llama_block(draw: st.DrawFn) -> Any:
    kind = draw(LLAMA_KINDS)
    validated = draw(st.booleans())
    source = draw(SOURCES)
    fields: dict[str, Any] = {}
    if kind == "text":
        return _construct(TextBlock, validated, text=draw(MAYBE_TEXTS))
    if kind == "thinking":
        return ThinkingBlock(content=draw(SHORT_TEXT))
    if kind == "tool":
        return ToolCallBlock(
            tool_call_id=draw(OPT_ID),
            tool_name=draw(TOOL_NAMES),
            tool_kwargs=draw(TOOL_KWARGS),
        )
    data_field, mime_field, cls = {
        "image": ("image", "image_mimetype", ImageBlock),
        "video": ("video", "video_mimetype", VideoBlock),
        "document": ("data", "document_mimetype", DocumentBlock),
        "audio": ("audio", "format", AudioBlock),
    }[kind]
    if source == "url":
        fields["url"] = draw(urls)
    elif source == "bytes":
        fields[data_field] = draw(RAW_BYTES)
    elif source == "b64text":
        fields[data_field] = draw(b64s).encode("utf-8", "surrogatepass")
    elif source == "path":
        fields["path"] = draw(PATHS)
    elif source == "garbage":
        fields[draw(st.sampled_from([data_field, "url", "path"]))] = draw(garbage)
    if kind != "audio" and draw(st.booleans()):
        fields[mime_field] = draw(mimes)
    return _construct(cls, validated, **fields)


LLAMA_BLOCKS_2 = st.lists(llama_block(), max_size=2)
LLAMA_BLOCKS_4 = st.lists(llama_block(), max_size=4)


@st.composite
def llama_messages(draw: st.DrawFn) -> list[Any]:
    out: list[Any] = []
    for _ in range(draw(st.integers(0, 2))):
        role = draw(LLAMA_ROLES)
        blocks = draw(LLAMA_BLOCKS_2) if draw(st.booleans()) else None
        kwargs = {"tool_call_id": "call_1"} if role == "tool" and draw(st.booleans()) else {}
        msg = ChatMessage(role=role, content="context", additional_kwargs=kwargs)
        if blocks is not None:
            msg = _message(role, blocks, kwargs)
        out.append(msg)
    user = _message("user", draw(LLAMA_BLOCKS_4), {})
    out.insert(draw(st.integers(0, len(out))), user)
    return out


def _message(role: str, blocks: list[Any], kwargs: dict[str, Any]) -> Any:
    try:
        return ChatMessage(role=role, blocks=blocks, additional_kwargs=kwargs)
    except Exception:  # a block LlamaIndex cannot even re-validate
        return ChatMessage.model_construct(
            role=MessageRole(role), blocks=blocks, additional_kwargs=kwargs
        )


LLAMA_FIELDS = ("messages", "blocks", "Block", "block")


@pytest.mark.fuzz
@pytest.mark.parametrize("model", [GEMINI, NOVA], ids=["gemini", "nova"])
def test_llama_index_blocks(model: str) -> None:
    capture = Capture()
    llm = MemoriesMultiModal(model=model, api_key=KEY, http_client=capture.client, max_retries=0)
    outcomes: dict[str, int] = {}

    @FUZZ
    @given(llama_messages())
    def fuzz(messages: list[Any]) -> None:
        tally(outcomes, run_and_check(capture, lambda: llm.chat(messages), LLAMA_FIELDS))

    fuzz()
    FUZZ_COUNTS[f"llama-index-{model.split(':')[0]}"] = sum(outcomes.values())
    assert outcomes.get("ok", 0) > EXAMPLES // 50, outcomes


# --------------------------------------------------------------------------- model ids, params

PARAMS = ("temperature", "max_tokens", "top_p", "frequency_penalty", "presence_penalty", "n")
model_ids = st.one_of(
    st.sampled_from(
        [
            "gemini-2.5-flash",
            "gemini:gemini-2.5-pro",
            "gemini:brand-new-model",
            "nova:us.amazon.nova-lite-v1:0",
            "us.amazon.nova-pro-v1:0",
            "nova:future-nova",
            "qwen:qwen2.5-vl-72b-instruct",
            "gpt:gpt-4o",
            "gemini:",
            "nova:",
            "gemini: ",
            " gemini:gemini-2.5-flash ",
            "GEMINI:gemini-2.5-flash",
            "gemini:gemini-2.5-flash\n",
            "unknown-model",
            ":",
            "",
            "  ",
            "gemini:\u200b",
            "gemini:a b",
        ]
    ),
    st.builds(lambda p, s: p + s, st.sampled_from(["gemini:", "nova:", "qwen:", ""]), st.text()),
    garbage,
)
values = st.one_of(
    st.none(),
    st.floats(0, 2),
    st.integers(1, 8),
    st.integers(-5, 5),
    st.integers(-(2**64), 2**64),
    st.floats(),
    st.booleans(),
    st.text(max_size=5),
    st.sampled_from(["0.5", "1", [], {}, [0.5], 1j]),
)
stops = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.lists(st.text(max_size=5), max_size=3),
    st.tuples(st.text(max_size=3)),
    garbage,
)
param_sets = st.fixed_dictionaries(
    {},
    optional={
        **dict.fromkeys(PARAMS, values),
        "stop": stops,
        "thinking_budget": values,
    },
)
ALL_FIELDS = ("model", *PARAMS, "stop", "thinking_budget", "timeout", "max_retries", "api_key")


def _clean_family_params(params: dict[str, Any], family: str) -> dict[str, Any]:
    if family == "nova":
        params = {k: v for k, v in params.items() if k != "thinking_budget"}
    return params


@pytest.mark.fuzz
@pytest.mark.parametrize("cls", [ChatMemoriesGemini, ChatMemoriesNova], ids=["gemini", "nova"])
def test_langchain_model_ids_and_parameters(cls: type[Any]) -> None:
    capture = Capture()
    family = "gemini" if cls is ChatMemoriesGemini else "nova"
    outcomes: dict[str, int] = {}

    @FUZZ
    @given(
        model=model_ids,
        at_init=param_sets,
        per_call=param_sets,
        timeout=st.one_of(st.none(), st.floats(), st.integers(-1, 5), st.text(max_size=3)),
        max_retries=st.one_of(st.integers(-2, 3), st.none(), st.floats(), st.text(max_size=2)),
    )
    def fuzz(
        model: Any,
        at_init: dict[str, Any],
        per_call: dict[str, Any],
        timeout: Any,
        max_retries: Any,
    ) -> None:
        at_init = _clean_family_params(at_init, family)
        per_call = _clean_family_params(per_call, family)
        extra: dict[str, Any] = {}
        if timeout is not None:
            extra["timeout"] = timeout
        if max_retries is not None:
            extra["max_retries"] = max_retries

        def send() -> Any:
            llm = cls(model=model, api_key=KEY, http_client=capture.client, **at_init, **extra)
            return llm.invoke("What happens?", **per_call)

        tally(outcomes, run_and_check(capture, send, ALL_FIELDS))

    fuzz()
    FUZZ_COUNTS[f"langchain-params-{family}"] = sum(outcomes.values())
    # A floor against a vacuous run, not a rate to hold: Hypothesis mixes constants from every
    # loaded module of the project into the values it draws, so the share of valid parameter
    # sets moves with unrelated code (between 0.6% and 1.7% for Nova so far).
    assert outcomes.get("ok", 0) > EXAMPLES // 200, outcomes


@pytest.mark.fuzz
def test_llama_index_model_ids_and_parameters() -> None:
    capture = Capture()
    outcomes: dict[str, int] = {}

    @FUZZ
    @given(
        model=model_ids,
        at_init=param_sets,
        per_call=param_sets,
        timeout=st.one_of(st.none(), st.floats(), st.integers(-1, 5), st.text(max_size=3)),
        max_retries=st.one_of(st.integers(-2, 3), st.none(), st.text(max_size=2)),
    )
    def fuzz(
        model: Any,
        at_init: dict[str, Any],
        per_call: dict[str, Any],
        timeout: Any,
        max_retries: Any,
    ) -> None:
        # LlamaIndex has no ``n`` option.
        at_init = {k: v for k, v in at_init.items() if k != "n"}
        per_call = {k: v for k, v in per_call.items() if k != "n"}
        extra: dict[str, Any] = {}
        if timeout is not None:
            extra["timeout"] = timeout
        if max_retries is not None:
            extra["max_retries"] = max_retries

        def send() -> Any:
            llm = MemoriesMultiModal(
                model=model, api_key=KEY, http_client=capture.client, **at_init, **extra
            )
            return llm.chat([ChatMessage(role="user", content="What happens?")], **per_call)

        tally(outcomes, run_and_check(capture, send, ALL_FIELDS))

    fuzz()
    FUZZ_COUNTS["llama-index-params"] = sum(outcomes.values())
    assert outcomes.get("ok", 0) > EXAMPLES // 100, outcomes


@pytest.mark.fuzz
def test_core_model_ids_and_parameters() -> None:
    capture = Capture()
    client = MemoriesClient(
        api_key=KEY,
        base_url="http://127.0.0.1:9",
        http_client=capture.client,
        retry_policy=RetryPolicy(max_retries=0),
    )
    outcomes: dict[str, int] = {}

    @FUZZ
    @given(model=model_ids, params=param_sets)
    def fuzz(model: Any, params: dict[str, Any]) -> None:
        if isinstance(model, str) and model.strip().startswith("nova"):
            params = _clean_family_params(params, "nova")
        request = ChatRequest(model=model, messages=[Message.user("What happens?")], **params)
        tally(outcomes, run_and_check(capture, lambda: client.chat(request), ALL_FIELDS))

    fuzz()
    FUZZ_COUNTS["core-params"] = sum(outcomes.values())
    assert outcomes.get("ok", 0) > EXAMPLES // 100, outcomes


FUZZ_COUNTS: dict[str, int] = {}
"""Examples run per target (read by the RELIABILITY.md figures)."""
KNOWN_COUNTS: dict[str, int] = {}
"""Examples whose outcome was the symptom of a reported, still-present bug."""


# ------------------------------------------- bugs found by this suite (fixed ones keep their test)


@pytest.mark.parametrize("text", [" ", "\n\t", ""])
def test_blank_user_text_is_refused_before_sending(text: str) -> None:
    capture = Capture()
    for cls in (ChatMemoriesGemini, ChatMemoriesNova):
        with pytest.raises(MemoriesInputError, match="messages"):
            _lc_model(cls, capture).invoke([HumanMessage(text)])
    assert capture.requests == []


@pytest.mark.parametrize("where", ["text", "stop"])
def test_lone_surrogates_are_an_input_error_naming_the_field(where: str) -> None:
    capture = Capture()
    model = _lc_model(ChatMemoriesGemini, capture)
    messages: Any = [HumanMessage("broken \ud800 text")] if where == "text" else "hi"
    options = {"stop": ["\udc80"]} if where == "stop" else {}
    with pytest.raises(MemoriesInputError) as info:
        model.invoke(messages, **options)
    assert "messages" in str(info.value) or "stop" in str(info.value)


def test_n_accepted_by_the_client_is_accepted_by_the_emulator() -> None:
    capture = Capture()
    model = _lc_model(ChatMemoriesGemini, capture)
    try:
        model.invoke("hi", n=9)
    except MemoriesInputError:
        return  # refused before sending: consistent
    assert emulator_verdict(capture.requests[0], capture.bodies[0]) is None


def test_nova_tool_history_without_bound_tools_is_not_rejected_by_the_service() -> None:
    capture = Capture()
    model = _lc_model(ChatMemoriesNova, capture)
    history = [
        HumanMessage("What is the weather in Oslo?"),
        AIMessage("", tool_calls=[{"name": "weather", "args": {"city": "Oslo"}, "id": "c1"}]),
        ToolMessage("sunny", tool_call_id="c1"),
        HumanMessage("Summarise the conversation."),
    ]
    refused: MemoriesInputError | None = None
    try:
        model.invoke(history)
    except MemoriesInputError as exc:
        refused = exc
    if refused is not None:
        assert "messages" in str(refused)
    else:
        assert emulator_verdict(capture.requests[0], capture.bodies[0]) is None


@pytest.mark.parametrize("value", [[], 3, {"a": 1}, "tool-text-none"])
def test_llama_block_with_a_wrong_typed_field_is_an_input_error(value: Any) -> None:
    capture = Capture()
    llm = MemoriesMultiModal(model=NOVA, api_key=KEY, http_client=capture.client)
    if value == "tool-text-none":
        text = TextBlock(text="sunny")
        text.text = None  # type: ignore[assignment]  # not validated by LlamaIndex
        history = [
            ChatMessage(role="user", content="weather?"),
            ChatMessage(
                role="assistant",
                blocks=[ToolCallBlock(tool_call_id="c1", tool_name="f", tool_kwargs={})],
            ),
            ChatMessage(role="tool", blocks=[text], additional_kwargs={"tool_call_id": "c1"}),
        ]
    else:
        block = ImageBlock(url="https://x.test/a.png")
        block.url = None
        block.path = value  # not validated by LlamaIndex
        history = [ChatMessage(role="user", blocks=[block])]
    with pytest.raises(MemoriesInputError, match="messages"):
        llm.chat(history)
    assert capture.requests == []


@pytest.mark.parametrize(
    ("layer", "call_id"), [("llama", "call_9"), ("langchain", "call_9"), ("langchain", "")]
)
def test_orphan_tool_results_are_refused_or_replayed(layer: str, call_id: str) -> None:
    capture = Capture()
    send: Callable[[], Any]
    if layer == "llama":
        llm = MemoriesMultiModal(model=NOVA, api_key=KEY, http_client=capture.client)
        history: list[Any] = [
            ChatMessage(role="user", content="What is the weather?"),
            ChatMessage(role="tool", content="sunny", additional_kwargs={"tool_call_id": call_id}),
            ChatMessage(role="user", content="And tomorrow?"),
        ]
        send = functools.partial(llm.chat, history)
    else:
        model = _lc_model(ChatMemoriesNova, capture)
        history = [
            HumanMessage("What is the weather?"),
            ToolMessage("sunny", tool_call_id=call_id),
            HumanMessage("And tomorrow?"),
        ]
        send = functools.partial(model.invoke, history)
    refused: MemoriesInputError | None = None
    try:
        send()
    except MemoriesInputError as exc:
        refused = exc
    if refused is not None:
        assert "messages[1]" in str(refused)
    else:
        assert emulator_verdict(capture.requests[0], capture.bodies[0]) is None


def test_tool_message_with_non_json_content_is_an_input_error() -> None:
    capture = Capture()
    tool = ToolMessage("x", tool_call_id="c1")
    tool.content = [b"raw bytes"]
    history = [
        HumanMessage("q"),
        AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "c1"}]),
        tool,
    ]
    with pytest.raises(MemoriesInputError, match="messages"):
        ChatMemoriesNova(model=NOVA, api_key=KEY, http_client=capture.client).invoke(history)
    assert capture.requests == []


@pytest.mark.parametrize("url", ["https://", "https:///a.png", "gs://", "http://?x=1"])
def test_media_url_without_host_is_an_input_error(url: str) -> None:
    capture = Capture()
    model = _lc_model(ChatMemoriesGemini, capture)
    with pytest.raises(MemoriesInputError, match="messages"):
        model.invoke([HumanMessage(content=[{"type": "image", "url": url}])])
    assert capture.requests == []


@pytest.mark.parametrize("mime", ["image/a!b", "image/x#y", "video/a&b", "image/a^b"])
def test_mime_types_the_client_accepts_are_accepted_by_the_emulator(mime: str) -> None:
    capture = Capture()
    model = _lc_model(ChatMemoriesGemini, capture)
    block = {"type": "image", "url": "https://x.test/picture", "mime_type": mime}
    try:
        model.invoke([HumanMessage(content=[block])])
    except MemoriesInputError:
        return  # refused before sending: consistent
    assert emulator_verdict(capture.requests[0], capture.bodies[0]) is None
