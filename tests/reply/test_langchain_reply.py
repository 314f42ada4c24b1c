"""The reply chain with a LangChain chat model behind the Llm port: the guards above the port judge its
rephrasing exactly as they judge the OpenAI path's (tests/reply/test_writer.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

pytest.importorskip("langchain_core", reason="the langchain extra is not installed: pip install -e '.[langchain]'")

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage  # noqa: E402

from agent.clock import LoopClock, VirtualClock  # noqa: E402
from agent.knowledge.base import KnowledgeBase  # noqa: E402
from agent.llm.langchain import LangChainLlm  # noqa: E402
from agent.settings import LlmSettings  # noqa: E402
from testkit.fake_chat import HangingChatModel  # noqa: E402
from testkit.scripted_llm import ScriptedLlmServer  # noqa: E402

from .conftest import collect, make_writer  # noqa: E402

QUESTION = "What is the cashmere scarf made of? Which material?"


def _fake(*replies: str) -> LangChainLlm:
    return LangChainLlm(GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies])), LoopClock())


async def test_a_faithful_rephrasing_from_a_fake_chat_model_is_spoken(sample_kb: KnowledgeBase,
                                                                      repo_root: Path) -> None:
    w = make_writer(sample_kb, repo_root, _fake("It is made of 100% Mongolian cashmere."))
    said, out = await collect(w, QUESTION)
    assert said == ["ana, the Cashmere Scarf:", "It is made of 100% Mongolian cashmere."]
    assert out.source == "llm" and out.attribute == "material"


async def test_an_unfaithful_rephrasing_from_a_fake_chat_model_is_not_spoken(sample_kb: KnowledgeBase,
                                                                             repo_root: Path) -> None:
    w = make_writer(sample_kb, repo_root, _fake("It is made of 80% cashmere."))
    said, out = await collect(w, QUESTION)
    assert "80%" not in " ".join(said) and said[-1] == "Material: 100% Mongolian cashmere."
    assert out.source == "facts" and "number" in out.rejected[0][1]


async def test_openai_through_langchain_rephrases_over_the_wire(sample_kb: KnowledgeBase, repo_root: Path,
                                                                scripted: ScriptedLlmServer) -> None:
    scripted.say("It is made of 100% Mongolian cashmere.")
    llm = LangChainLlm.from_settings(LlmSettings(provider="langchain", model="openai:scripted",
                                                 base_url=scripted.base_url), LoopClock())
    said, out = await collect(make_writer(sample_kb, repo_root, llm), QUESTION)
    assert said[-1] == "It is made of 100% Mongolian cashmere." and out.source == "llm"
    assert scripted.records[0].body["max_tokens"] == 60  # the paraphraser's cap, sent as llama.cpp reads it


async def test_a_hanging_langchain_model_costs_only_the_rephrasing_on_virtual_time(sample_kb: KnowledgeBase,
                                                                                    repo_root: Path) -> None:
    clock = VirtualClock()
    driver = asyncio.ensure_future(clock.run())
    model = HangingChatModel()
    try:
        w = make_writer(sample_kb, repo_root, LangChainLlm(model, clock, timeout_s=3600.0,
                                                           first_token_timeout_s=3600.0),
                        timeout_s=600.0, clock=clock)
        said, out = await collect(w, QUESTION)
    finally:
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)
    assert said[-1] == "Material: 100% Mongolian cashmere." and out.source == "facts"
    assert model.started == 1 and 600.0 <= clock.now() < 3600.0
