"""Agent loops end to end against the emulator (``create_agent``, a LangGraph graph)."""

from __future__ import annotations

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_memories import ChatMemoriesGemini, ChatMemoriesNova, get_memories_callback
from memories_emulator import Emulator

calls: list[int] = []


@tool
def count_people(minute: int) -> str:
    """Count the people visible at a minute of the video."""
    calls.append(minute)
    return f"{minute + 4} people are visible"


def _check_loop(messages: list[object]) -> None:
    kinds = [type(m).__name__ for m in messages]
    assert kinds == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"], kinds
    ai_call, tool_result, final = messages[1], messages[2], messages[3]
    assert isinstance(ai_call, AIMessage)
    assert ai_call.tool_calls[0]["name"] == "count_people"
    assert ai_call.tool_calls[0]["args"] == {"minute": 3}
    assert isinstance(tool_result, ToolMessage)
    assert tool_result.content == "7 people are visible"
    assert isinstance(final, AIMessage)
    assert "7 people are visible" in final.text
    assert not final.tool_calls


def test_create_agent_loop_with_nova_tool(emulator: Emulator) -> None:
    calls.clear()
    llm = ChatMemoriesNova(api_key="test", base_url=emulator.base_url)
    agent = create_agent(llm, tools=[count_people], system_prompt="You watch videos.")
    with get_memories_callback() as cb:
        state = agent.invoke({"messages": [HumanMessage("How many people at minute 3?")]})
    _check_loop(state["messages"])
    assert calls == [3]
    assert cb.successful_requests == 2
    first, second = emulator.requests
    assert "toolConfig" in first.body["extra_body"]["metadata"]
    assert [m["role"] for m in second.body["messages"]] == ["system", "user", "assistant", "tool"]


async def test_agent_streams_tokens_async(emulator: Emulator) -> None:
    # LangGraph's message streaming drives the model through astream (callbacks per token).
    calls.clear()
    llm = ChatMemoriesNova(api_key="test", base_url=emulator.base_url)
    agent = create_agent(llm, tools=[count_people])
    tokens: list[str] = []
    async for chunk, _meta in agent.astream(
        {"messages": [HumanMessage("Use count_people for minute 3.")]}, stream_mode="messages"
    ):
        if isinstance(chunk, AIMessage) and isinstance(chunk.content, str):
            tokens.append(chunk.content)
    assert calls == [3]
    assert "7 people are visible" in "".join(tokens)


def test_create_agent_structured_response_with_gemini(emulator: Emulator) -> None:
    class Report(BaseModel):
        summary: str
        people: int

    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    agent = create_agent(llm, tools=[], response_format=Report)
    state = agent.invoke({"messages": [HumanMessage("Summarise the video.")]})
    assert isinstance(state["structured_response"], Report)
    metadata = emulator.requests[-1].body["extra_body"]["metadata"]
    assert metadata["responseSchema"]["properties"]["people"]["type"] == "INTEGER"


def test_gemini_accepts_the_bind_tools_call_older_agents_make(emulator: Emulator) -> None:
    # langchain 1.0-1.2's create_agent binds `bind_tools([], strict=True, response_format=...)`
    # for a native structured-output model (our lowest supported set runs that code path).
    llm = ChatMemoriesGemini(api_key="test", base_url=emulator.base_url)
    schema = {
        "type": "json_schema",
        "json_schema": {
            "name": "Report",
            "schema": {
                "type": "object",
                "properties": {"people": {"type": "integer"}},
                "required": ["people"],
            },
        },
    }
    llm.bind_tools([], strict=True, response_format=schema).invoke("How many people?")
    metadata = emulator.requests[-1].body["extra_body"]["metadata"]
    assert metadata["responseSchema"]["properties"]["people"]["type"] == "INTEGER"
    assert "strict" not in metadata


class Scene(BaseModel):
    """What the video shows."""

    summary: str
    people: int


def test_nova_profile_sends_agents_to_the_tool_strategy() -> None:
    # The API documents no native structured output for Nova (only prompted JSON), so the
    # profile says so, as ChatBedrockConverse's does, and create_agent uses ToolStrategy.
    profile = ChatMemoriesNova(api_key="test").profile
    assert profile is not None and profile["structured_output"] is False


def test_create_agent_with_nova_tools_and_response_format(emulator: Emulator) -> None:
    calls.clear()
    llm = ChatMemoriesNova(api_key="test", base_url=emulator.base_url)
    agent = create_agent(llm, tools=[count_people], response_format=Scene)
    with get_memories_callback() as cb:
        state = agent.invoke({"messages": [HumanMessage("How many people at minute 3?")]})
    assert isinstance(state["structured_response"], Scene)
    assert calls == [3]
    kinds = [type(m).__name__ for m in state["messages"]]
    assert kinds == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage", "ToolMessage"]
    assert state["messages"][3].tool_calls[0]["name"] == "Scene"
    # Both turns forced a tool call, the one after the tool result included.
    configs = [r.body["extra_body"]["metadata"]["toolConfig"] for r in emulator.requests]
    assert [c["toolChoice"] for c in configs] == [{"any": {}}, {"any": {}}]
    assert [t["toolSpec"]["name"] for t in configs[0]["tools"]] == ["count_people", "Scene"]
    assert cb.successful_requests == 2


async def test_create_agent_with_nova_response_format_async_and_no_tools(
    emulator: Emulator,
) -> None:
    llm = ChatMemoriesNova(api_key="test", base_url=emulator.base_url)
    agent = create_agent(llm, tools=[], response_format=Scene)
    state = await agent.ainvoke({"messages": [HumanMessage("Describe the lobby video.")]})
    # The emulator's number for a field called "people" (numbers vary by field name).
    assert state["structured_response"] == Scene(summary="example summary", people=2)
    [request] = emulator.requests
    assert request.body["extra_body"]["metadata"]["toolConfig"]["toolChoice"] == {"any": {}}
