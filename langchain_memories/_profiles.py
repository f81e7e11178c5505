"""Model profiles (``model.profile``): what each family can take and do, from the catalog.

LangChain reads profiles to choose strategies (``create_agent`` picks native structured output
when ``structured_output`` is true, summarisation middleware reads ``max_input_tokens``). The
facts come from ``memories_client``'s catalog: the family's input kinds and the model's context
window and output limit where the catalog knows them (an uncatalogued id simply has no window).

Example:
    >>> profile_for("gemini-2.5-flash", "gemini")["video_inputs"]
    True
    >>> profile_for("us.amazon.nova-lite-v1:0", "nova")["tool_calling"]
    True
"""

from __future__ import annotations

from langchain_core.language_models.model_profile import ModelProfile

import memories_client as mc
import memories_client.integration as kit

__all__ = ["profile_for"]


def profile_for(model: str, family: str) -> ModelProfile:
    """The profile of ``model`` served by the ``family`` chat class.

    Args:
        model: the model id, with or without its family prefix.
        family: ``"gemini"``, ``"nova"``, ``"qwen"`` or ``"gpt"``.

    Returns:
        A :class:`~langchain_core.language_models.model_profile.ModelProfile` dict.
    """
    family_info = kit.FAMILIES[family]
    kinds = family_info.input_kinds
    tools = family == "nova"  # the docs show toolConfig for Nova only
    profile: ModelProfile = {
        "text_inputs": True,
        "image_inputs": "image" in kinds,
        "image_url_inputs": "image" in kinds,
        "video_inputs": "video" in kinds,
        "pdf_inputs": "document" in kinds,
        "audio_inputs": False,
        "text_outputs": True,
        "image_outputs": False,
        "audio_outputs": False,
        "video_outputs": False,
        "tool_calling": tools,
        "tool_choice": tools,
        "tool_call_streaming": False,
        # Tool results carrying images are re-sent as a user message (the core's
        # with_tool_media; the tool-result-image row of docs/ARCHITECTURE.md's table).
        "image_tool_message": tools,
        "pdf_tool_message": False,
        # "Native" structured output here means what the API can enforce itself: Gemini's
        # responseSchema. Nova has none documented (only prompted JSON), so it says False, as
        # ChatBedrockConverse does for Nova: create_agent(response_format=...) then uses its
        # tool strategy (the schema as a forced tool, parsed from the call's arguments) rather
        # than hoping for bare JSON text next to tool calls.
        "structured_output": family != "nova",
        "reasoning_output": False,
        "temperature": True,
    }
    try:
        info = mc.model_info(model, family)
    except mc.MemoriesInputError:
        return profile
    if info.context_window is not None:
        profile["max_input_tokens"] = info.context_window
    if info.max_output_tokens is not None:
        profile["max_output_tokens"] = info.max_output_tokens
    return profile
