"""Nova tool calling through toolConfig; FunctionAgent; Gemini refuses tools clearly."""

from __future__ import annotations

import inspect

import pytest
from llama_index.core.agent.workflow import FunctionAgent, ReActAgent
from llama_index.core.base.llms.types import ChatMessage, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.tools import FunctionTool

from llama_index_memories import MemoriesMultiModal
from memories_client import MemoriesInputError
from memories_emulator import Emulator


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


def shout(text: str) -> str:
    """Upper-case some text."""
    return text.upper()


TOOLS = [FunctionTool.from_defaults(multiply), FunctionTool.from_defaults(shout)]


def _config(emu: Emulator) -> dict[str, object]:
    return emu.requests[-1].body["extra_body"]["metadata"]["toolConfig"]


def test_chat_with_tools(nova: MemoriesMultiModal, emu: Emulator) -> None:
    response = nova.chat_with_tools(TOOLS, user_msg="please shout this")
    (block,) = [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]
    assert block.tool_name == "shout"
    assert block.tool_kwargs == {"text": "example text"}
    assert response.message.additional_kwargs["tool_calls"][0]["function"]["name"] == "shout"
    (selection,) = nova.get_tool_calls_from_response(response)
    assert selection == ToolSelection(
        tool_id=block.tool_call_id, tool_name="shout", tool_kwargs={"text": "example text"}
    )
    config = _config(emu)
    assert [t["toolSpec"]["name"] for t in config["tools"]] == ["multiply", "shout"]
    assert config["tools"][0]["toolSpec"]["inputSchema"]["json"]["required"] == ["a", "b"]
    assert "toolChoice" not in config
    assert emu.requests[-1].body["messages"][-1]["content"][0]["text"] == "please shout this"


def test_tool_required_and_tool_choice(nova: MemoriesMultiModal, emu: Emulator) -> None:
    nova.chat_with_tools(TOOLS, user_msg="hello", tool_required=True)
    assert _config(emu)["toolChoice"] == {"any": {}}
    response = nova.chat_with_tools(TOOLS, user_msg="hello", tool_choice="multiply")
    assert _config(emu)["toolChoice"] == {"tool": {"name": "multiply"}}
    # "hello" names no numbers: the emulator's own, which differ by argument name.
    assert nova.get_tool_calls_from_response(response)[0].tool_kwargs == {"a": 52, "b": 56}
    nova.chat_with_tools(
        TOOLS, user_msg="hello", tool_choice={"type": "function", "function": {"name": "shout"}}
    )
    assert _config(emu)["toolChoice"] == {"tool": {"name": "shout"}}
    nova.chat_with_tools(TOOLS, user_msg="hello", tool_choice="none")
    assert "extra_body" not in emu.requests[-1].body


def test_unknown_tool_choice_is_refused(nova: MemoriesMultiModal, emu: Emulator) -> None:
    with pytest.raises(MemoriesInputError, match="tool_choice"):
        nova.chat_with_tools(TOOLS, user_msg="hello", tool_choice="divide")
    assert emu.requests == []


async def test_async_and_streaming_tools(nova: MemoriesMultiModal) -> None:
    response = await nova.achat_with_tools(TOOLS, user_msg="multiply it")
    assert nova.get_tool_calls_from_response(response)[0].tool_name == "multiply"
    chunks = list(nova.stream_chat_with_tools(TOOLS, user_msg="multiply it"))
    assert nova.get_tool_calls_from_response(chunks[-1])[0].tool_name == "multiply"
    assert chunks[-1].raw["usage"]["completion_tokens"] > 0
    stream = await nova.astream_chat_with_tools(TOOLS, user_msg="shout it")
    last = [c async for c in stream][-1]
    assert nova.get_tool_calls_from_response(last)[0].tool_name == "shout"


def test_no_tool_call(nova: MemoriesMultiModal) -> None:
    response = nova.chat([ChatMessage(role="user", content="hi")])
    assert nova.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="at least one tool call"):
        nova.get_tool_calls_from_response(response)


def test_single_tool_call_unless_parallel_allowed(nova: MemoriesMultiModal) -> None:
    from llama_index.core.base.llms.types import ChatResponse

    response = ChatResponse(
        message=ChatMessage(
            role="assistant",
            blocks=[
                ToolCallBlock(tool_call_id="1", tool_name="a", tool_kwargs={}),
                ToolCallBlock(tool_call_id="2", tool_name="b", tool_kwargs={}),
            ],
            additional_kwargs={"tool_calls": [{"id": "1"}, {"id": "2"}]},
        )
    )
    kept = nova._validate_chat_with_tools_response(response, TOOLS)
    assert [s.tool_id for s in nova.get_tool_calls_from_response(kept)] == ["1"]
    assert kept.message.additional_kwargs["tool_calls"] == [{"id": "1"}]


def test_predict_and_call(nova: MemoriesMultiModal) -> None:
    result = nova.predict_and_call(TOOLS, user_msg="What is multiply(3, 3)?")
    assert result.response == "9"


def test_full_tool_round_trip(nova: MemoriesMultiModal, emu: Emulator) -> None:
    history = [ChatMessage(role="user", content="multiply with a = 3 and b = 3")]
    response = nova.chat_with_tools(TOOLS, chat_history=history)
    (call,) = nova.get_tool_calls_from_response(response)
    result = multiply(**call.tool_kwargs)
    history += [
        response.message,
        ChatMessage(
            role="tool", content=str(result), additional_kwargs={"tool_call_id": call.tool_id}
        ),
    ]
    final = nova.chat_with_tools(TOOLS, chat_history=history)
    assert final.message.content == f"Emulated answer from {nova.model}: the tool returned: 9"
    wire = emu.requests[-1].body["messages"]
    assert wire[1]["tool_calls"][0]["id"] == call.tool_id
    assert wire[2] == {"role": "tool", "tool_call_id": call.tool_id, "content": "9"}


@pytest.mark.parametrize("streaming", [True, False])
async def test_function_agent_with_a_nova_tool_call(
    nova: MemoriesMultiModal, emu: Emulator, streaming: bool
) -> None:
    agent = FunctionAgent(tools=[TOOLS[0]], llm=nova, streaming=streaming)
    output = await agent.run(user_msg="Use multiply on a: 3 and b: 3")
    assert str(output) == f"Emulated answer from {nova.model}: the tool returned: 9"
    assert output.tool_calls[0].tool_name == "multiply"
    assert output.tool_calls[0].tool_output.content == "9"
    assert len(emu.requests) == 2


async def test_react_agent_works_on_gemini(gemini: MemoriesMultiModal) -> None:
    # ReAct needs no native tools, so it is the agent for Gemini models; the emulator's answer
    # is not ReAct-formatted, which the agent takes as the final answer.
    agent = ReActAgent(tools=[TOOLS[0]], llm=gemini)
    output = await agent.run(user_msg="hello")
    assert "Emulated answer" in str(output)


@pytest.mark.parametrize(
    "call",
    ["chat_with_tools", "stream_chat_with_tools", "achat_with_tools", "astream_chat_with_tools"],
)
async def test_gemini_tool_methods_raise_clearly(
    gemini: MemoriesMultiModal, emu: Emulator, call: str
) -> None:
    async def run() -> None:
        result = getattr(gemini, call)(TOOLS, user_msg="hi")
        if inspect.isawaitable(result):
            await result

    with pytest.raises(MemoriesInputError, match="tool calling is not supported for Gemini models"):
        await run()
    assert emu.requests == []


def test_gemini_refuses_tools_passed_to_chat(gemini: MemoriesMultiModal) -> None:
    with pytest.raises(MemoriesInputError, match="tool calling is not supported"):
        gemini.chat([ChatMessage(role="user", content="hi")], tools=TOOLS)
