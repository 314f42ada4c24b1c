"""Shared fixtures: the sample shop on the hash embedder, a scripted OpenAI-compatible server, and a reply
writer wired as the app wires it (planner, fact finder, verified paraphrase) on phrase vectors held in memory.

The hash embedder has no meaning (it hashes words and trigrams): enough for these deterministic tests of the
chain, where the question shares the sheet's words. Meaning is tested with the real model in test_truthful.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agent.clock import LoopClock
from agent.guards.faithful import Faithful
from agent.knowledge.base import KnowledgeBase
from agent.knowledge.embedding import HashEmbedder
from agent.llm.client import OpenAiLlm
from agent.metrics import Metrics
from agent.ports import Clock, Llm
from agent.prompts import PromptStore
from agent.reply.facts import FactFinder
from agent.reply.paraphrase import Paraphraser
from agent.reply.planner import CatalogMatch, Planner
from agent.reply.writer import Paraphrase, ReplyOutcome, ReplyWriter
from agent.settings import KnowledgeSettings
from agent.vectors import PhraseVectors
from testkit.scripted_llm import ScriptedLlmServer


@pytest.fixture(scope="session")
def sample_kb(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> KnowledgeBase:
    kb = KnowledgeBase(KnowledgeSettings(embedding="hash"), [repo_root / "knowledge"],
                       tmp_path_factory.mktemp("kb"), currency="EUR", embedder=HashEmbedder())
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


def make_writer(kb: KnowledgeBase, repo_root: Path, llm: Llm | None = None,
                paraphrase: Paraphrase = "always", timeout_s: float = 3.0, clock: Clock | None = None,
                match: CatalogMatch | None = None) -> ReplyWriter:
    clock = clock or LoopClock()
    metrics = Metrics(clock)
    vectors = PhraseVectors(kb.embedder)
    planner = Planner(kb, clock, metrics, embed=kb.query_vector, match=match or CatalogMatch())
    finder = FactFinder(vectors, min_score=0.3)
    paraphraser = None
    if llm is not None:
        paraphraser = Paraphraser(llm, clock, Faithful(embed=None), timeout_s=timeout_s)
    return ReplyWriter(planner=planner, prompts=PromptStore(repo_root / "prompts"), clock=clock, metrics=metrics,
                       finder=finder, paraphraser=paraphraser, paraphrase=paraphrase)


@pytest.fixture
async def writer(scripted: ScriptedLlmServer, sample_kb: KnowledgeBase,
                 repo_root: Path) -> AsyncIterator[ReplyWriter]:
    llm = OpenAiLlm(scripted.base_url, "scripted")
    try:
        yield make_writer(sample_kb, repo_root, llm)
    finally:
        await llm.aclose()


async def collect(writer: ReplyWriter, question: str, user: str = "ana", language: str = "en",
                  on_screen: str | None = None) -> tuple[list[str], ReplyOutcome]:
    retriever = writer.planner._retriever
    product = retriever.get(on_screen) if on_screen else None
    plan = await writer.plan(question, [user], language, product)
    out = ReplyOutcome()
    return [s async for s in writer.stream(plan, out)], out
