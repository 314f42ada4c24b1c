from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agent.clock import LoopClock
from agent.knowledge.base import KnowledgeBase
from agent.llm.client import OpenAiLlm
from agent.metrics import Metrics
from agent.prompts import PromptStore
from agent.reply.writer import ReplyWriter
from agent.settings import KnowledgeSettings, LlmSettings, ShowSettings
from tests.fakes.scripted_llm import ScriptedLlmServer


@pytest.fixture(scope="session")
def sample_kb(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> KnowledgeBase:
    kb = KnowledgeBase(KnowledgeSettings(embedding="hash"), [repo_root / "knowledge"],
                       tmp_path_factory.mktemp("kb"), currency="EUR")
    kb.sync()
    return kb


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedLlmServer]:
    server = ScriptedLlmServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def writer(scripted: ScriptedLlmServer, sample_kb: KnowledgeBase, repo_root: Path) -> AsyncIterator[ReplyWriter]:
    clock = LoopClock()
    llm = OpenAiLlm(scripted.base_url, "scripted")
    w = ReplyWriter(
        llm=llm, retriever=sample_kb, prompts=PromptStore(repo_root / "prompts"), show=ShowSettings(),
        llm_settings=LlmSettings(first_token_timeout_s=0.5, timeout_s=3.0, retries=1), clock=clock,
        metrics=Metrics(clock),
    )
    try:
        yield w
    finally:
        await llm.aclose()
