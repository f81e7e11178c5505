"""docs/LANGCHAIN.md stays true: the video in a ChatPromptTemplate, and the feature table."""

from __future__ import annotations

from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

import langchain_memories
from langchain_memories import ChatMemoriesGemini
from memories_emulator import Emulator

CLIP = "https://storage.googleapis.com/memories-test-data/test_1min.mp4"


def test_a_templated_video_url_reaches_the_request(memories_emulator: Emulator) -> None:
    memories_emulator.reset()
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "You describe videos for a film archive, in {language}."),
            (
                "user",
                [{"type": "text", "text": "{question}"}, {"type": "video", "url": "{video_url}"}],
            ),
        ]
    )
    assert set(prompt.input_variables) == {"language", "question", "video_url"}
    chain = prompt | ChatMemoriesGemini(base_url=memories_emulator.base_url, thinking_budget=0)
    answer = chain.invoke(
        {"language": "English", "question": "What happens in this video?", "video_url": CLIP}
    )
    assert "1 video(s)" in answer.text
    (request,) = memories_emulator.requests
    system, user = request.body["messages"]
    assert system["content"] == "You describe videos for a film archive, in English."
    assert {"type": "text", "text": "What happens in this video?"} in user["content"]
    assert [p for p in user["content"] if p.get("type") == "input_file"] == [
        {"type": "input_file", "file_uri": CLIP, "mime_type": "video/mp4"}
    ]


def test_the_page_shows_this_template() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "LANGCHAIN.md").read_text()
    chaining = page.split("## Chaining\n", 1)[1].split("\n## ", 1)[0]
    assert '{"type": "video", "url": "{video_url}"}' in chaining
    assert "ChatPromptTemplate.from_messages" in chaining


def test_the_pages_feature_table_matches_each_models_profile() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "LANGCHAIN.md").read_text()
    table = page.split("### Model features\n", 1)[1].strip().split("\n\n", 1)[0].splitlines()
    header = [c.strip() for c in table[0].strip("|").split("|")]
    columns = {
        "Tool calling": "tool_calling",
        "Image input": "image_inputs",
        "Video input": "video_inputs",
        "PDF input": "pdf_inputs",
        "Audio input": "audio_inputs",
    }
    assert len(table[2:]) == 4
    for row in table[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        cls = getattr(langchain_memories, cells[0].strip("`"))
        profile = cls(api_key="k").profile
        for column, key in columns.items():
            said = cells[header.index(column)].split()[0] == "yes"
            assert said == profile[key], (cells[0], column)
