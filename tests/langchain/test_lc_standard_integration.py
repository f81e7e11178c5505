"""The langchain-tests standard integration suite, for the four chat models, against the emulator.

The emulator (``memories_emulator``) speaks the documented API on loopback. The suites
download a PNG and a PDF inside some tests; ``local_downloads`` answers those URLs from
``tests/data/langchain/``. Every feature the API has is switched on.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_memories import (
    ChatMemoriesGemini,
    ChatMemoriesGPT,
    ChatMemoriesNova,
    ChatMemoriesQwen,
)
from memories_emulator import Emulator


def _invoke(llm: BaseChatModel, prompt: Any, stream: bool) -> AIMessage:
    """The answer to ``prompt``, invoked or streamed and merged."""
    if not stream:
        result = llm.invoke(prompt)
        assert isinstance(result, AIMessage)
        return result
    full = None
    for chunk in llm.stream(prompt):
        full = chunk if full is None else full + chunk
    assert isinstance(full, AIMessage)
    return full


class _EmulatorBacked(ChatModelIntegrationTests):
    """Points every model the suite builds at the session emulator."""

    base_url = ""

    @pytest.fixture(autouse=True)
    def _use_emulator(self, memories_emulator: Emulator, local_downloads: None) -> None:
        # Autouse fixtures run before the suite's `model` fixture, which reads
        # chat_model_params; a property cannot take fixtures, so the URL goes via the class.
        type(self).base_url = memories_emulator.base_url

    def _params(self, model: str) -> dict[str, Any]:
        return {"model": model, "api_key": "test", "base_url": self.base_url, "max_retries": 0}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_video_inputs(self) -> bool:
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def enable_vcr_tests(self) -> bool:
        # test_stream_time replays its committed cassette (tests/langchain/cassettes/), recorded
        # against the emulator with memories_emulator.recording.vcr_config().
        return True


class _NoTools:
    # The docs show tools for Nova only; bind_tools raises a clear error.
    @property
    def has_tool_calling(self) -> bool:
        return False

    @property
    def has_tool_choice(self) -> bool:
        return False


class TestChatMemoriesGeminiIntegration(_NoTools, _EmulatorBacked):
    @property
    def chat_model_class(self) -> type[ChatMemoriesGemini]:
        return ChatMemoriesGemini

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return self._params("gemini-2.5-flash")

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "gemini-2.5-pro"

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        return {"invoke": ["reasoning_output"], "stream": ["reasoning_output"]}

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        llm = ChatMemoriesGemini(**self.chat_model_params, thinking_budget=1024)
        return _invoke(llm, "Explain the plot of a short film in three sentences.", stream)


class TestChatMemoriesNovaIntegration(_EmulatorBacked):
    @property
    def chat_model_class(self) -> type[ChatMemoriesNova]:
        return ChatMemoriesNova

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return self._params("us.amazon.nova-lite-v1:0")

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "us.amazon.nova-pro-v1:0"


class TestChatMemoriesQwenIntegration(_NoTools, _EmulatorBacked):
    @property
    def chat_model_class(self) -> type[ChatMemoriesQwen]:
        return ChatMemoriesQwen

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return self._params("qwen3-vl-plus")

    @property
    def model_override_value(self) -> str:
        return "qwen3-vl-flash"

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        return {"invoke": ["reasoning_output"], "stream": ["reasoning_output"]}

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        llm = ChatMemoriesQwen(**self.chat_model_params, enable_thinking=True)
        return _invoke(llm, "Explain the plot of a short film in three sentences.", stream)


class TestChatMemoriesGPTIntegration(_NoTools, _EmulatorBacked):
    @property
    def chat_model_class(self) -> type[ChatMemoriesGPT]:
        return ChatMemoriesGPT

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return self._params("gpt-4o")

    @property
    def supports_video_inputs(self) -> bool:
        # GPT is served on the image endpoint only; video is refused before sending.
        return False

    @property
    def model_override_value(self) -> str:
        return "gpt-4.1-mini"

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        details = ["cache_read_input", "reasoning_output"]
        return {"invoke": details, "stream": details}

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        # OpenAI reports reasoning tokens on every answer (0 for a non-reasoning model).
        llm = ChatMemoriesGPT(**self.chat_model_params)
        return _invoke(llm, "Explain the plot of a short film in three sentences.", stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        # A long earlier turn is what OpenAI's prompt cache serves on the next one (the
        # emulator reports it in 128-token steps from 1024 tokens on).
        llm = ChatMemoriesGPT(**self.chat_model_params)
        history = [
            SystemMessage("You summarise films. " + "Background notes. " * 400),
            HumanMessage("Name a short film."),
            AIMessage("The Red Balloon."),
            HumanMessage("Explain its plot in three sentences."),
        ]
        result = _invoke(llm, history, stream)
        assert result.usage_metadata is not None
        assert result.usage_metadata["input_token_details"]["cache_read"] >= 1024
        return result
