"""The embedded LLM server killed mid-show (``kill -9``): it is started again on the same port, the replies made
meanwhile say the sheet's own words, and once it is back the replies are the model's again.

First with a stand-in child (the scripted OpenAI-compatible server run as a process through
``llm.embedded.command``), then with the real embedded model (marked ``llm``: about 30 s)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path

import pytest

from agent.clock import LoopClock
from agent.knowledge.base import KnowledgeBase
from agent.knowledge.embedding import HashEmbedder
from agent.llm.client import OpenAiLlm
from agent.llm.models import MODELS, assemble
from agent.llm.server import EmbeddedLlmServer, free_port
from agent.reply.writer import ReplyOutcome, ReplyWriter
from agent.settings import EmbeddedLlmSettings, KnowledgeSettings
from agent.toolbox.backoff import Backoff
from tests.reply.conftest import collect, make_writer

QUESTION = "What is the cashmere scarf made of? Which material?"
FACT = "Material: 100% Mongolian cashmere."
STAND_IN = ("{python}", "-m", "testkit.scripted_llm", "--host", "{host}", "--port", "{port}",
            "--reply", "It is made of 100% Mongolian cashmere.")


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> KnowledgeBase:
    base = KnowledgeBase(KnowledgeSettings(embedding="hash"), [repo_root / "knowledge"],
                         tmp_path_factory.mktemp("kb"), embedder=HashEmbedder())
    base.sync()
    return base


async def until(condition: object, within_s: float) -> None:
    async with asyncio.timeout(within_s):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.05)


async def kill_and_wait_restart(server: EmbeddedLlmServer, writer: ReplyWriter,
                                within_s: float) -> tuple[ReplyOutcome, list[str]]:
    """SIGKILL the child; ask while it is down; wait for the restart. Returns the reply made meanwhile."""
    pid = server.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    await until(lambda: not server.running, 5.0)
    said, meanwhile = await collect(writer, QUESTION)
    await until(lambda: server.restarts == 1 and server.running, within_s)
    assert server.pid != pid
    return meanwhile, said


async def test_a_killed_llm_child_is_restarted_on_the_same_port_and_replies_come_back(
        tmp_path: Path, repo_root: Path, kb: KnowledgeBase, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    restarted: list[int] = []
    settings = EmbeddedLlmSettings(port=free_port(), command=STAND_IN)
    server = EmbeddedLlmServer(Path("unused.gguf"), settings, LoopClock(), tmp_path / "llm.log",
                               backoff=Backoff(initial_s=0.5, max_s=2.0, jitter=0.0),
                               on_restart=lambda: restarted.append(1))
    await server.start()
    llm = OpenAiLlm(server.base_url, "local")
    try:
        writer = make_writer(kb, repo_root, llm)
        said, before = await collect(writer, QUESTION)
        assert before.source == "llm" and said[-1] == "It is made of 100% Mongolian cashmere."
        meanwhile, said = await kill_and_wait_restart(server, writer, 20.0)
        assert meanwhile.source == "facts" and said[-1] == FACT and not meanwhile.rejected
        said, after = await collect(writer, QUESTION)  # the same client, the same base_url
        assert after.source == "llm" and said[-1] == "It is made of 100% Mongolian cashmere."
    finally:
        await llm.aclose()
        await server.stop()
    assert restarted == [1] and not server.running
    messages = [r.getMessage() for r in caplog.records]
    assert "embedded LLM server exited" in messages and "embedded LLM server restarted" in messages
    exited = next(r for r in caplog.records if r.getMessage() == "embedded LLM server exited")
    assert exited.__dict__["returncode"] == -signal.SIGKILL
    assert "paraphrase skipped" in messages


async def test_a_stop_while_the_llm_child_starts_leaves_no_process(tmp_path: Path) -> None:
    settings = EmbeddedLlmSettings(port=free_port(), command=(*STAND_IN, "--start-delay", "30"))
    server = EmbeddedLlmServer(Path("unused.gguf"), settings, LoopClock(), tmp_path / "llm.log")
    starting = asyncio.ensure_future(server.start())
    await until(lambda: server.running, 10.0)
    pid = server.pid
    assert pid is not None
    starting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await starting
    assert not server.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped: gone, not a zombie nor an orphan


@pytest.mark.llm
async def test_the_real_embedded_model_killed_mid_show_comes_back_and_writes_again(
        tmp_path: Path, repo_root: Path, kb: KnowledgeBase) -> None:
    model = assemble(MODELS["qwen2.5-0.5b"], repo_root / ".livehost" / "models", progress=False)
    server = EmbeddedLlmServer(model, EmbeddedLlmSettings(port=0), LoopClock(), tmp_path / "llm.log",
                               backoff=Backoff(initial_s=0.5, max_s=2.0, jitter=0.0))
    await server.start()
    llm = OpenAiLlm(server.base_url, "local")
    try:
        writer = make_writer(kb, repo_root, llm, timeout_s=60.0)
        _, before = await collect(writer, QUESTION)
        assert before.source == "llm" or before.rejected  # the model wrote a sentence (spoken or not)
        meanwhile, said = await kill_and_wait_restart(server, writer, 120.0)
        assert meanwhile.source == "facts" and said[-1] == FACT and not meanwhile.rejected
        _, after = await collect(writer, QUESTION)
        assert after.source == "llm" or after.rejected  # written by the model again
    finally:
        await llm.aclose()
        await server.stop()
