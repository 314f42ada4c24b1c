"""The embedded llama.cpp server: assembled from the PyPI chunk packages, started, streamed, stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from agent.clock import LoopClock
from agent.llm.client import OpenAiLlm
from agent.llm.models import MODELS, assemble
from agent.llm.server import EmbeddedLlmServer
from agent.metrics import Metrics
from agent.prompts import PromptStore
from agent.reply.writer import ReplyOutcome, ReplyWriter
from agent.settings import EmbeddedLlmSettings, LlmSettings, ShowSettings

pytestmark = pytest.mark.llm


@pytest.fixture(scope="module")
def model_path(repo_root: Path) -> Path:
    return assemble(MODELS["qwen2.5-0.5b"], repo_root / ".livehost" / "models", progress=False)


@pytest.fixture
async def server(model_path: Path, tmp_path: Path) -> AsyncIterator[EmbeddedLlmServer]:
    srv = EmbeddedLlmServer(model_path, EmbeddedLlmSettings(port=0), LoopClock(), tmp_path / "llm.log")
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


def test_assembled_model_is_checked_and_cached(model_path: Path) -> None:
    assert model_path.stat().st_size == MODELS["qwen2.5-0.5b"].size
    assert model_path.with_suffix(".ok").read_text() == MODELS["qwen2.5-0.5b"].sha256
    again = assemble(MODELS["qwen2.5-0.5b"], model_path.parent, progress=False)
    assert again == model_path


async def test_server_streams_tokens_and_stops_on_exit(server: EmbeddedLlmServer) -> None:
    from agent.ports import ChatMessage

    llm = OpenAiLlm(server.base_url, "local")
    tokens = [t async for t in llm.stream([ChatMessage("user", "Say hello in one word.")], max_tokens=8)]
    await llm.aclose()
    assert len(tokens) >= 1 and "".join(tokens).strip()
    base = server.base_url
    await server.stop()
    with pytest.raises(httpx.HTTPError):
        async with httpx.AsyncClient(timeout=1) as c:
            await c.get(base + "/models")


async def test_a_request_arriving_mid_reply_waits_instead_of_cutting_it(server: EmbeddedLlmServer) -> None:
    # llama-cpp-python's server ends a stream early (as if complete) when another request comes in, unless
    # started with --interrupt_requests false: a warm-up on a product change would cut a reply mid-sentence
    import asyncio

    from agent.ports import ChatMessage

    llm = OpenAiLlm(server.base_url, "local")
    ask = [ChatMessage("user", "Count from 1 to 30, separated by spaces.")]
    alone = "".join([t async for t in llm.stream(ask, max_tokens=100)])
    started = asyncio.Event()

    async def reply() -> str:
        out = []
        async for t in llm.stream(ask, max_tokens=100):
            out.append(t)
            if len(out) == 3:
                started.set()
        return "".join(out)

    async def warm_up() -> None:
        await started.wait()
        async for _ in llm.stream([ChatMessage("user", "Hi")], max_tokens=1):
            pass

    together, _ = await asyncio.gather(reply(), warm_up())
    await llm.aclose()
    assert len(alone) > 20 and together == alone


async def test_embedded_model_reply_is_grounded(server: EmbeddedLlmServer, repo_root: Path, tmp_path: Path) -> None:
    from agent.knowledge.base import KnowledgeBase
    from agent.settings import KnowledgeSettings

    kb = KnowledgeBase(KnowledgeSettings(embedding="hash"), [repo_root / "knowledge"], tmp_path, currency="EUR")
    kb.sync()
    clock = LoopClock()
    llm = OpenAiLlm(server.base_url, "local")
    writer = ReplyWriter(llm=llm, retriever=kb, prompts=PromptStore(repo_root / "prompts"), show=ShowSettings(),
                         llm_settings=LlmSettings(timeout_s=30, first_token_timeout_s=20), clock=clock,
                         metrics=Metrics(clock))
    plan = await writer.plan("How much is the waxed canvas tote bag?", ["ana"], "en", kb.get("wax-canvas-tote"))
    out = ReplyOutcome()
    said = " ".join([s async for s in writer.stream(plan, out)])
    await llm.aclose()
    assert said, out
    # whatever the small model said, every claim that reached speech holds against the sheet
    from agent.guards.grounding import GroundingGuard

    assert GroundingGuard().check(said, plan.products, "en").ok
    assert "free" not in said.lower()
