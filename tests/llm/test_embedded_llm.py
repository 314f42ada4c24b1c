"""The embedded llama.cpp server: assembled from the PyPI chunk packages, started, streamed, stopped."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from agent.clock import LoopClock
from agent.llm.client import OpenAiLlm
from agent.llm.models import MODELS, assemble
from agent.llm.server import EmbeddedLlmServer
from agent.reply.writer import ReplyOutcome
from agent.settings import EmbeddedLlmSettings

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


async def test_embedded_model_rephrasing_is_spoken_only_when_faithful(server: EmbeddedLlmServer, repo_root: Path,
                                                                      tmp_path: Path) -> None:
    """The real embedder and the real 0.5B model, every fact rephrased: what reaches speech holds against the
    sheet, whether the model's sentence was kept or the sheet's own words were said instead."""
    from agent.app.compose import open_runtime
    from agent.app.evaluate import wrong_claims
    from agent.settings import load_settings

    shop = tmp_path / "shop"  # the sample shop, with the glossary a shop writes for its Chinese viewers
    shutil.copytree(repo_root / "knowledge", shop)
    (shop / "glossary.toml").write_text('[words]\n"橡木" = ["oak"]\n"边桌" = ["side table"]\n', encoding="utf-8")
    settings = load_settings(repo_root / "settings.toml", overrides={
        "show.data_dir": str(tmp_path / "data"), "reply.paraphrase": "always", "llm.base_url": "",
        "knowledge.paths": [str(shop)]})
    llm = OpenAiLlm(server.base_url, "local")
    try:
        async with open_runtime(settings, LoopClock(), llm=llm) as rt:
            for question in ("What is the cashmere scarf made of?", "Le pull en mérinos, c'est quelle laine ?",
                             "橡木边桌怎么保养？"):
                plan = await rt.writer.plan(question, ["ana"], "en" if question[0] == "W" else
                                            ("fr" if question[0] == "L" else "zh"), None)
                out = ReplyOutcome()
                said = " ".join([s async for s in rt.writer.stream(plan, out)])
                assert said and out.source in ("llm", "facts"), out
                assert wrong_claims(said.replace("ana", " "), question, plan.products, ()) == [], (said, out)
    finally:
        await llm.aclose()
