"""The framework floors: the smallest LangChain and LlamaIndex models that do the raw call.

Each posts pre-built bytes with ``httpx``, decodes the JSON and wraps the answer in the
framework's own result type with usage. Whatever they cost above raw httpx is what the
framework's ``invoke`` / ``chat`` machinery costs; a real integration cannot go below it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
from _canned import API_KEY
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from llama_index.core.llms import (
    CompletionResponse,
    CompletionResponseGen,
    CustomLLM,
    LLMMetadata,
)
from llama_index.core.llms.callbacks import llm_completion_callback
from pydantic import ConfigDict, PrivateAttr

HEADERS = {
    "Authorization": API_KEY,
    "Content-Type": "application/json",
    "Accept": "application/json",
    "User-Agent": "memories-integrations/bench",
}


def raw_post(client: httpx.Client, url: str, body: bytes) -> dict[str, Any]:
    """The physical limit: post the bytes, decode the JSON."""
    response = client.post(url, content=body, headers=HEADERS)
    response.raise_for_status()
    parsed: dict[str, Any] = json.loads(response.content)
    return parsed


class FloorChatModel(BaseChatModel):
    """The smallest BaseChatModel: raw post, then an AIMessage with usage."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    client: httpx.Client
    url: str
    body: bytes

    @property
    def _llm_type(self) -> str:
        return "bench-floor"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        answer = raw_post(self.client, self.url, self.body)
        usage = answer["usage"]
        message = AIMessage(
            content=answer["choices"][0]["text"],
            usage_metadata={
                "input_tokens": usage["input_tokens"],
                "output_tokens": usage["output_tokens"],
                "total_tokens": usage["total_tokens"],
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])


class FloorLLM(CustomLLM):
    """The smallest LlamaIndex CustomLLM: raw post, then a CompletionResponse with usage."""

    url: str
    body: bytes
    _client: httpx.Client = PrivateAttr()

    def __init__(self, client: httpx.Client, **data: Any) -> None:
        super().__init__(**data)
        self._client = client

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="bench-floor")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        answer = raw_post(self._client, self.url, self.body)
        usage = answer["usage"]
        raw = {
            **answer,
            "usage": {
                "prompt_tokens": usage["input_tokens"],
                "completion_tokens": usage["output_tokens"],
                "total_tokens": usage["total_tokens"],
            },
        }
        return CompletionResponse(text=answer["choices"][0]["text"], raw=raw)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        response = self.complete(prompt, formatted=formatted, **kwargs)

        def gen() -> Iterator[CompletionResponse]:
            yield response

        return gen()
