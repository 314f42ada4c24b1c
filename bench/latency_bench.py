"""Reply latency: comment in -> first guarded sentence -> first audio, p50/p95.

Runs the real chain (triage-free: the questions are product questions) with real retrieval (sample shop),
the real guards and real espeak-ng, against (a) a scripted OpenAI-compatible server with 0 ms first-token
delay, which measures the pipeline's own overhead, and (b) the embedded llama.cpp model. For each it also
measures the sequential baseline (whole reply, then whole TTS) and the LLM's own time to its first clause,
in the same run. Results: bench/results/latency.json.

    .venv/bin/python bench/latency_bench.py [--n 12] [--no-embedded]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "How much is the linen shirt?",
    "Is the waxed canvas tote on sale?",
    "C'est combien le plaid en laine ?",
    "这个马克杯套装多少钱？",
    "What sizes does the merino jumper come in?",
    "How much is the cashmere scarf?",
]
SCRIPTED_REPLY = "The Relaxed Linen Shirt is 59 EUR in white, and 64 EUR in sage. It is soft from the first wear."


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))] * 1000, 1)


async def measure(llm: Any, kb: Any, n: int, on_screen: bool = False) -> dict[str, Any]:
    from agent.clock import LoopClock
    from agent.metrics import Metrics
    from agent.ports import ChatMessage
    from agent.prompts import PromptStore
    from agent.reply.writer import ReplyOutcome, ReplyWriter
    from agent.settings import LlmSettings, ShowSettings
    from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer

    clock = LoopClock()
    lib = EspeakLibrary()
    tts = EspeakSynthesizer(lib, {"en": "en-us", "fr": "fr", "zh": "cmn"})
    prompts = PromptStore(ROOT / "prompts")
    writer = ReplyWriter(llm=llm, retriever=kb, prompts=prompts, show=ShowSettings(),
                         llm_settings=LlmSettings(timeout_s=60, first_token_timeout_s=30), clock=clock,
                         metrics=Metrics(clock))
    from agent.language import detect_language

    # warm up as the app does: page the model in and cache the fixed instructions
    from agent.reply.prompt import system_prompt

    show0 = ShowSettings()
    system = system_prompt(prompts.current, show0.host_name, show0.name, show0.reply_max_seconds)
    async for _ in llm.stream([ChatMessage("system", system), ChatMessage("user", "Hello")], max_tokens=1):
        pass
    first_sentence, first_audio, sequential, llm_clause, sentences_n = [], [], [], [], []

    async def reset(product: Any) -> None:
        # In a live show the previous reply was about another comment: only the prompt prefix (fixed
        # instructions, plus the product on screen when there is one) is cached. Put the server in that
        # state before every measured run, as the show's warm-up on a product change does.
        await writer.warm(product)

    for i in range(n):
        q = QUESTIONS[i % len(QUESTIONS)]
        lang = detect_language(q)
        kb_hits = await kb.search(q, 3)  # the query embedding is cached for both runs alike
        assert kb_hits
        shown = kb_hits[0].product if on_screen else None  # the question is about the product on screen

        await reset(shown)
        t0 = time.perf_counter()
        plan = await writer.plan(q, ["ana"], lang, shown)
        out = ReplyOutcome()
        audio_iter = tts.synthesize(writer.stream(plan, out), lang)
        first = await anext(audio_iter)
        first_audio.append(time.perf_counter() - t0)
        assert first.duration > 0
        async for _ in audio_iter:
            pass
        first_sentence.append(out.timings.get("first_sentence", 0.0))
        llm_clause.append(out.timings.get("llm_first_clause", out.timings.get("first_sentence", 0.0)))
        sentences_n.append(len(out.sentences))

        await reset(shown)
        t0 = time.perf_counter()
        plan = await writer.plan(q, ["ana"], lang, shown)
        text = [s async for s in writer.stream(plan)]
        audios = [await tts.say(s, lang) for s in text]
        assert audios
        sequential.append(time.perf_counter() - t0)
    lib.close()
    multi = [s / a for s, a, k in zip(sequential, first_audio, sentences_n, strict=True) if k >= 2]
    ratios = [a / c for a, c in zip(first_audio, llm_clause, strict=True) if c > 0]
    return {
        "n": n,
        "first_guarded_sentence_ms": {"p50": pct(first_sentence, 50), "p95": pct(first_sentence, 95)},
        "comment_to_first_audio_ms": {"p50": pct(first_audio, 50), "p95": pct(first_audio, 95)},
        "sequential_baseline_ms": {"p50": pct(sequential, 50), "p95": pct(sequential, 95)},
        "llm_first_clause_ms": {"p50": pct(llm_clause, 50), "p95": pct(llm_clause, 95)},
        "replies_with_2_or_more_chunks": len(multi),
        "ratio_first_audio_to_llm_first_clause_p50": round(statistics.median(ratios), 3) if ratios else None,
        "speedup_vs_sequential_median_2plus_chunks": round(statistics.median(multi), 2) if multi else None,
    }


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--no-embedded", action="store_true")
    args = ap.parse_args()

    from agent.knowledge.base import KnowledgeBase
    from agent.llm.client import OpenAiLlm
    from agent.settings import KnowledgeSettings
    from tests.fakes.scripted_llm import Script, ScriptedLlmServer

    results: dict[str, Any] = {"machine": "2 cores, no GPU", "questions": QUESTIONS}
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(KnowledgeSettings(), [ROOT / "knowledge"], tmp, currency="EUR")
        kb.sync()
        words = SCRIPTED_REPLY.split(" ")
        server = ScriptedLlmServer(Script([w + " " for w in words]))
        await server.start()
        llm = OpenAiLlm(server.base_url, "scripted")
        results["scripted_0ms"] = await measure(llm, kb, args.n)
        await llm.aclose()
        await server.stop()
        if not args.no_embedded:
            from agent.clock import LoopClock
            from agent.llm.models import MODELS, assemble
            from agent.llm.server import EmbeddedLlmServer
            from agent.settings import EmbeddedLlmSettings

            path = assemble(MODELS["qwen2.5-0.5b"], ROOT / ".livehost" / "models")
            srv = EmbeddedLlmServer(path, EmbeddedLlmSettings(port=0), LoopClock(), Path(tmp) / "llm.log")
            await srv.start()
            llm = OpenAiLlm(srv.base_url, "local")
            results["embedded_qwen2.5_0.5b"] = await measure(llm, kb, args.n)
            results["embedded_qwen2.5_0.5b_product_on_screen"] = await measure(llm, kb, args.n, on_screen=True)
            await llm.aclose()
            await srv.stop()
    out = ROOT / "bench" / "results" / "latency.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
