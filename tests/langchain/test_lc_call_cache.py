"""Per-call request building sees every change of the instance's settings.

Also: the result conversion's shape, and that importing the package is cheap (lazy names).
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage

import memories_client as mc
from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova
from langchain_memories._outputs import chat_result
from memories_emulator import Emulator


def gemini(emu: Emulator, **kwargs: Any) -> ChatMemoriesGemini:
    return ChatMemoriesGemini(api_key="test", base_url=emu.base_url, max_retries=0, **kwargs)


def _metadata(body: dict[str, Any]) -> dict[str, Any]:
    return dict(body.get("extra_body", {}).get("metadata", {}))


# -- the cached base request -------------------------------------------------------------------


def test_assignment_rebuilds_the_request(emulator: Emulator) -> None:
    llm = gemini(emulator, temperature=0.5)
    llm.invoke("one")
    llm.temperature = 0.1
    llm.invoke("two")
    llm.model = "gemini-2.5-pro"
    answer = llm.invoke("three")
    bodies = [r.body for r in emulator.requests]
    assert [b["temperature"] for b in bodies] == [0.5, 0.1, 0.1]
    assert [b["model"] for b in bodies] == [
        "gemini:gemini-2.5-flash",
        "gemini:gemini-2.5-flash",
        "gemini:gemini-2.5-pro",
    ]
    assert answer.response_metadata["model_name"] == "gemini-2.5-pro"


def test_connection_settings_changed_after_a_call_take_effect(emulator: Emulator) -> None:
    llm = gemini(emulator)
    llm.invoke("one")
    llm.paths = {"vu": "/moved/chat"}
    with pytest.raises(mc.NotFoundError):  # the emulator serves the documented paths only
        llm.invoke("two")
    llm.paths = None
    llm.invoke("three")
    assert [r.path for r in emulator.requests][-1].endswith("/vu/chat/completions")


def test_model_copy_has_its_own_settings(emulator: Emulator) -> None:
    llm = gemini(emulator, thinking_budget=0)
    llm.invoke("one")  # builds the original's cache, which model_copy copies along
    copy = llm.model_copy(update={"max_tokens": 7, "thinking_budget": 64})
    copy.invoke("two")
    llm.invoke("three")
    first, second, third = (r.body for r in emulator.requests)
    assert "max_tokens" not in first and "max_tokens" not in third
    assert second["max_tokens"] == 7
    budgets = [_metadata(b)["thinking_config"]["thinking_budget"] for b in (first, second, third)]
    assert budgets == [0, 64, 0]


def test_per_call_overrides_do_not_stick(emulator: Emulator) -> None:
    llm = gemini(emulator, temperature=0.5, thinking_budget=8)
    llm.invoke("one", temperature=0.2, thinking_budget=0, stop=["END"])
    llm.invoke("two")
    first, second = (r.body for r in emulator.requests)
    assert (first["temperature"], first["stop"]) == (0.2, ["END"])
    assert second["temperature"] == 0.5
    assert "stop" not in second
    assert _metadata(second)["thinking_config"]["thinking_budget"] == 8


def test_in_place_changes_of_mutable_fields_are_seen(emulator: Emulator) -> None:
    schema: dict[str, Any] = {"type": "object", "properties": {"a": {"type": "string"}}}
    llm = gemini(emulator, stop=["A"], response_schema=schema)
    llm.invoke("one")
    assert llm.stop is not None and llm.response_schema is not None
    llm.stop.append("B")
    llm.response_schema["properties"]["b"] = {"type": "integer"}
    llm.invoke("two")
    first, second = (r.body for r in emulator.requests)
    assert (first["stop"], second["stop"]) == (["A"], ["A", "B"])
    assert set(_metadata(first)["responseSchema"]["properties"]) == {"a"}
    assert set(_metadata(second)["responseSchema"]["properties"]) == {"a", "b"}


def test_an_unpickled_model_sends_the_same_settings(emulator: Emulator) -> None:
    llm = ChatMemoriesNova(api_key="test", base_url=emulator.base_url, temperature=0.3)
    llm.invoke("one")
    clone = pickle.loads(pickle.dumps(llm))
    clone.invoke("two")
    assert [r.body["temperature"] for r in emulator.requests] == [0.3, 0.3]


def test_identifying_params_follow_the_settings() -> None:
    llm = ChatMemoriesGemini(api_key="test", base_url="http://127.0.0.1:9", thinking_budget=0)
    params = llm._identifying_params
    assert params == {
        "model": "gemini-2.5-flash",
        "base_url": "http://127.0.0.1:9",
        "thinking_budget": 0,
    }
    params["model"] = "changed by a caller"  # a copy: the model is not touched
    llm.top_p = 0.5
    assert llm._identifying_params["model"] == "gemini-2.5-flash"
    assert llm._identifying_params["top_p"] == 0.5


def test_a_bad_per_call_model_still_fails_before_any_request(emulator: Emulator) -> None:
    llm = gemini(emulator)
    llm.invoke("fine")
    with pytest.raises(mc.MemoriesInputError):
        llm.invoke("hi", model="nova:us.amazon.nova-lite-v1:0")
    assert len(emulator.requests) == 1


# -- LangChain's LLM cache and tracers ------------------------------------------------------------
# langchain-core caches dumpd(model) as ``_serialized`` on the first call and makes the LLM cache's
# key and every tracer's ``serialized`` payload from it: a setting changed after that call, or a
# model_copy(update=...), used to hit the old entry (the copy even reported the old model).


class SerializedRecorder(BaseCallbackHandler):
    """Records the ``serialized`` payload a tracer receives on each chat-model start."""

    def __init__(self) -> None:
        self.kwargs: list[dict[str, Any]] = []

    def on_chat_model_start(self, serialized: dict[str, Any], *args: Any, **kw: Any) -> None:
        self.kwargs.append(dict(serialized["kwargs"]))


@pytest.mark.usefixtures("llm_cache")
async def test_a_changed_setting_is_a_cache_miss_and_traced(emulator: Emulator) -> None:
    tracer = SerializedRecorder()
    llm = gemini(emulator, callbacks=[tracer])
    llm.invoke("hi")
    llm.invoke("hi")  # the same settings: served from the cache
    assert len(emulator.requests) == 1
    llm.temperature = 0.7
    llm.invoke("hi")
    llm.thinking_budget = 512
    await llm.ainvoke("hi")
    llm.max_tokens = 9
    list(llm.stream("hi"))
    bodies = [r.body for r in emulator.requests]
    assert len(bodies) == 4
    assert [b.get("temperature") for b in bodies] == [None, 0.7, 0.7, 0.7]
    assert _metadata(bodies[2])["thinking_config"]["thinking_budget"] == 512
    assert bodies[3]["max_tokens"] == 9
    traced = [
        (k.get("temperature"), k.get("thinking_budget"), k.get("max_tokens")) for k in tracer.kwargs
    ]
    assert traced == [
        (None, None, None),
        (None, None, None),
        (0.7, None, None),
        (0.7, 512, None),
        (0.7, 512, 9),
    ]


@pytest.mark.usefixtures("llm_cache")
def test_a_copy_with_another_model_is_a_cache_miss_and_reports_its_model(
    emulator: Emulator,
) -> None:
    tracer = SerializedRecorder()
    flash = gemini(emulator, callbacks=[tracer])
    assert flash.invoke("hi").response_metadata["model_name"] == "gemini-2.5-flash"
    pro = flash.model_copy(update={"model": "gemini-2.5-pro"})
    answer = pro.invoke("hi")
    assert answer.response_metadata["model_name"] == "gemini-2.5-pro"
    deep = flash.model_copy(update={"temperature": 0.2}, deep=True)
    deep.invoke("hi")
    again = flash.invoke("hi")  # the original's own entry is still there, and still its own
    assert again.response_metadata["model_name"] == "gemini-2.5-flash"
    assert [r.body["model"] for r in emulator.requests] == [
        "gemini:gemini-2.5-flash",
        "gemini:gemini-2.5-pro",
        "gemini:gemini-2.5-flash",
    ]
    assert emulator.requests[2].body["temperature"] == 0.2
    traced = [(k["model"], k.get("temperature")) for k in tracer.kwargs]
    flash_traced, pro_traced = ("gemini-2.5-flash", None), ("gemini-2.5-pro", None)
    assert traced == [flash_traced, pro_traced, flash_traced]
    # A deep copy has a deep copy of the callbacks too (with what they had recorded so far).
    assert isinstance(deep.callbacks, list)
    deep_tracer = deep.callbacks[0]
    assert isinstance(deep_tracer, SerializedRecorder) and deep_tracer is not tracer
    assert len(deep_tracer.kwargs) == 3
    assert (deep_tracer.kwargs[-1]["model"], deep_tracer.kwargs[-1]["temperature"]) == (
        "gemini-2.5-flash",
        0.2,
    )


@pytest.mark.usefixtures("llm_cache")
def test_an_in_place_change_is_sent_but_not_in_the_cache_key(emulator: Emulator) -> None:
    # docs/LANGCHAIN.md says so: assign a new value for the cache to see it.
    llm = gemini(emulator, stop=["A"])
    llm.invoke("hi")
    assert llm.stop is not None
    llm.stop.append("B")
    llm.invoke("hi")  # the key made before the change: served from the cache
    llm.stop = ["A", "B"]
    llm.invoke("hi")
    assert [r.body["stop"] for r in emulator.requests] == [["A"], ["A", "B"]]


# -- result conversion ---------------------------------------------------------------------------


def test_chat_result_shape_with_choices_reasoning_tools_and_ids() -> None:
    completion = mc.Completion(
        id="resp_1",
        model="nova:us.amazon.nova-lite-v1:0",
        choices=(
            mc.Choice(index=0, text="first", finish_reason="stop", reasoning="thought"),
            mc.Choice(
                index=1,
                text="",
                finish_reason="tool_calls",
                tool_calls=(mc.ToolCall("c1", "add", {"a": 1}),),
            ),
        ),
        usage=mc.Usage(10, 5, 15, reasoning_tokens=2),
        request_id="req_9",
    )
    result = chat_result(completion, "us.amazon.nova-lite-v1:0")
    first, second = (g.message for g in result.generations)
    assert isinstance(first, AIMessage) and isinstance(second, AIMessage)
    assert first.content == "first"
    assert first.additional_kwargs == {"reasoning_content": "thought"}
    assert first.tool_calls == []
    assert second.additional_kwargs == {}
    assert second.tool_calls == [{"name": "add", "args": {"a": 1}, "id": "c1", "type": "tool_call"}]
    expected_usage = {
        "input_tokens": 10,
        "output_tokens": 5,
        "total_tokens": 15,
        "output_token_details": {"reasoning": 2},
    }
    assert first.usage_metadata == second.usage_metadata == expected_usage
    assert first.response_metadata == {
        "model_name": "us.amazon.nova-lite-v1:0",
        "model_provider": "memories",
        "finish_reason": "stop",
        "id": "resp_1",
        "request_id": "req_9",
    }
    assert second.response_metadata["finish_reason"] == "tool_calls"
    assert result.llm_output == {
        "token_usage": {
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "total_tokens": 15,
            "reasoning_tokens": 2,
        },
        "model_name": "us.amazon.nova-lite-v1:0",
        "model_provider": "memories",
        "id": "resp_1",
    }


def test_chat_result_without_usage_or_request_id() -> None:
    completion = mc.Completion(
        id="resp_1",
        model="gemini:gemini-2.5-flash",
        choices=(mc.Choice(index=0, text="hi", finish_reason="stop"),),
        request_id="resp_1",
    )
    result = chat_result(completion, "gemini-2.5-flash")
    message = result.generations[0].message
    assert isinstance(message, AIMessage)
    assert message.usage_metadata is None
    assert "request_id" not in message.response_metadata
    assert result.llm_output is not None and result.llm_output["token_usage"] == {}


# -- import cost ---------------------------------------------------------------------------------


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.strip()


def test_importing_the_package_imports_no_framework() -> None:
    code = (
        "import sys, langchain_memories\n"
        "heavy = ('langchain_core', 'memories_client', 'httpx', 'langsmith')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(heavy)}))"
    )
    assert _run(code) == "[]"


def test_the_callback_hook_is_imported_on_first_use() -> None:
    code = (
        "import sys\n"
        "from langchain_memories import ChatMemoriesGemini, get_memories_callback\n"
        "print('langchain_core.tracers.context' in sys.modules)\n"
        "with get_memories_callback() as cb:\n"
        "    pass\n"
        "print('langchain_core.tracers.context' in sys.modules)"
    )
    assert _run(code).split() == ["False", "True"]


def test_lazy_names_resolve_and_unknown_names_raise() -> None:
    import langchain_memories

    for name in langchain_memories.__all__:
        assert getattr(langchain_memories, name).__name__ == name
    assert set(langchain_memories.__all__) <= set(dir(langchain_memories))
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        langchain_memories.Nope  # noqa: B018
