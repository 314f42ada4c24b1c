"""The embedded server's prompt cache: several prompt prefixes kept, without the logits matrix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from agent.llm.llama_server import PromptCache, load_state, save_state


def _state(ids: tuple[int, ...], size: int = 100) -> object:
    from llama_cpp.llama import LlamaState

    return LlamaState(input_ids=np.array(ids, dtype=np.intc), scores=np.empty((0, 4), dtype=np.single),
                      n_tokens=len(ids), llama_state=b"\0" * size, llama_state_size=size, seed=1)


def test_cache_finds_the_longest_shared_prefix_and_counts() -> None:
    cache = PromptCache(capacity_bytes=1000)
    a, b = _state((1, 2, 3)), _state((1, 2, 3, 4, 5))
    cache[(1, 2, 3)] = a  # type: ignore[assignment]
    cache[(1, 2, 3, 4, 5)] = b  # type: ignore[assignment]
    assert cache[(1, 2, 3, 4, 9)] is b
    assert cache.stats()["last_resumed_tokens"] == 4
    assert cache[(1, 2, 7)] in (a, b)
    with pytest.raises(KeyError):
        cache[(9, 9)]
    assert cache.stats() == {"entries": 2, "bytes": 200, "capacity_bytes": 1000, "hits": 2, "misses": 1,
                             "kept": 0, "resumed": 2, "last_resumed_tokens": 0}
    cache.clear()
    assert cache.stats()["entries"] == 0 and (1, 2, 3) not in cache


def test_cache_evicts_the_least_recently_used_beyond_its_size() -> None:
    cache = PromptCache(capacity_bytes=250)
    for i in range(3):
        cache[(i, 0)] = _state((i, 0))  # type: ignore[assignment]
    assert cache.stats()["entries"] == 2 and (0, 0) not in cache and (2, 0) in cache


@pytest.fixture(scope="module")
def llama(repo_root: Path) -> Iterator[object]:
    from llama_cpp import Llama

    from agent.llm.models import MODELS, assemble

    path = assemble(MODELS["qwen2.5-0.5b"], repo_root / ".livehost" / "models", progress=False)
    model = Llama(model_path=str(path), n_ctx=512, n_threads=1, n_threads_batch=2, logits_all=False, verbose=False)
    yield model
    model.close()


@pytest.mark.llm
def test_a_state_saved_without_logits_resumes_the_same_prompt(llama: object) -> None:
    from llama_cpp import Llama

    assert isinstance(llama, Llama)
    prefix = llama.tokenize(b"The capital of France is Paris. The capital of Italy is")

    def greedy() -> str:
        return str(llama.create_completion(prefix, max_tokens=4, temperature=0.0)["choices"][0]["text"])  # type: ignore[index]

    llama.reset()
    expected = greedy()
    state = save_state(llama)
    assert state.scores.size == 0 and state.n_tokens >= len(prefix)
    assert state.llama_state_size == len(state.llama_state)

    llama.reset()
    llama.eval(llama.tokenize(b"Something else entirely, to overwrite the context."))
    load_state(llama, state)
    assert list(llama.input_ids[: len(prefix)]) == prefix
    assert greedy() == expected


@pytest.mark.llm
async def test_embedded_server_resumes_a_product_asked_about_before(repo_root: Path, tmp_path: Path) -> None:
    import httpx

    from agent.clock import LoopClock
    from agent.llm.client import OpenAiLlm
    from agent.llm.models import MODELS, assemble
    from agent.llm.server import EmbeddedLlmServer
    from agent.ports import ChatMessage
    from agent.settings import EmbeddedLlmSettings

    path = assemble(MODELS["qwen2.5-0.5b"], repo_root / ".livehost" / "models", progress=False)
    srv = EmbeddedLlmServer(path, EmbeddedLlmSettings(port=0), LoopClock(), tmp_path / "llm.log")
    await srv.start()
    llm = OpenAiLlm(srv.base_url, "local")
    stats_url = srv.base_url.removesuffix("/v1") + "/livehost/prompt_cache"
    try:
        system = ChatMessage("system", "You are the host of a live shopping stream.")
        facts = "<facts>\n" + "".join(f"Product: Mug {i}\nPrice: {10 + i} EUR\n" for i in range(8)) + "</facts>\n"
        # a reply its reader stops early: llama-cpp-python itself never saves such a one
        tokens = llm.stream([system, ChatMessage("user", facts + "Describe them all.")], max_tokens=64)
        async for _ in tokens:
            break
        await tokens.aclose()  # type: ignore[attr-defined]
        async for _ in llm.stream([system, ChatMessage("user", "Hi")], max_tokens=1):  # something else
            pass
        async for _ in llm.stream([system, ChatMessage("user", facts + "Which is cheapest?")], max_tokens=1):
            pass
        async with httpx.AsyncClient() as client:
            stats = (await client.get(stats_url)).json()
            assert stats["enabled"] and stats["kept"] >= 1, stats
            assert stats["resumed"] >= 1 and stats["last_resumed_tokens"] > 120, stats  # system prompt and facts
            cleared = (await client.delete(stats_url)).json()
            assert cleared["entries"] == 0
    finally:
        await llm.aclose()
        await srv.stop()
