"""Reply latency: comment in -> first audio, and the whole reply, p50/p95, on the real chain.

Every question goes through what the show runs for a product question: the question's vector, scope,
retrieval, the sold-here decision, the attribute asked, the sheet fact (or the sheet's fields), the
optional LLM rephrasing with its checks, and espeak-ng for the speech. First audio is the moment the first
sentence has been synthesized; the whole reply is every sentence written and synthesized one after the
other. Built as ``livehost ask`` builds it (agent/app.py), on the sample shop.

Sections:
- ``scripted_0ms``: a scripted OpenAI-compatible server answering at once, every fact rephrased
  (``reply.paraphrase = "always"``): the pipeline's own overhead, LLM path included.
- ``embedded_default``: the embedded Qwen2.5 0.5B with the default settings (``paraphrase = "auto"``, which
  for the embedded model says the sheet's own words): what a show on embedded defaults does.
- ``embedded_paraphrase_always``: the embedded model rephrasing every fact (first audio is then the
  acknowledgement naming the viewer and the product, said while the model writes).
Each in two situations: the product asked about is on screen, or nothing is. Results: bench/results/latency.json.

    .venv/bin/python bench/latency_bench.py [--n 12] [--no-embedded]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (product id, question): one per product of the sample shop, EN/FR/ZH in turn, attributes of every kind.
QUESTIONS = [
    ("cashmere-scarf", "What is the cashmere scarf made of?"),
    ("wool-throw-blanket", "Combien coûte le plaid en laine ?"),
    ("stoneware-mug-set", "马克杯套装能用洗碗机吗？"),
    ("linen-shirt", "Which sizes does the linen shirt come in?"),
    ("merino-crew-jumper", "Le pull en mérinos, c'est quelle laine ?"),
    ("oak-side-table", "橡木边桌怎么保养？"),
    ("wax-canvas-tote", "How big is the waxed canvas tote?"),
    ("beeswax-candle", "La bougie en cire d'abeille dure combien d'heures ?"),
    ("organic-cotton-tee", "有机棉T恤多少钱？"),
    ("rattan-pendant-lamp", "Is the bulb included with the rattan pendant lamp?"),
    ("leather-belt", "La ceinture en cuir, c'est quel cuir ?"),
    ("linen-bedding-set", "亚麻床品套装怎么洗？"),
]
SITUATIONS = ("on_screen", "off_screen")


def pct(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))], 1)


async def measure(rt: Any, synth: Any, product_id: str, question: str, on_screen: bool) -> dict[str, Any]:
    from agent.language import detect_language
    from agent.reply.writer import ReplyOutcome

    language = detect_language(question, "en")
    product = rt.knowledge.get(product_id) if on_screen else None
    t0 = time.perf_counter()
    plan = await rt.writer.plan(question, ["ana"], language, product)
    out = ReplyOutcome()
    first_audio = None
    said = []
    async for sentence in rt.writer.stream(plan, out):
        said.append(sentence)
        await synth.say(sentence, language)
        if first_audio is None:
            first_audio = (time.perf_counter() - t0) * 1000
    total = (time.perf_counter() - t0) * 1000
    return {"product": product_id, "question": question, "language": language, "decision": plan.decision,
            "first_audio_ms": round(first_audio or total, 1), "reply_ms": round(total, 1), "source": out.source,
            "sentences": len(said), "reply": " ".join(said), "rejected": [list(r) for r in out.rejected]}


def section(rows: list[dict[str, Any]]) -> dict[str, Any]:
    first = [r["first_audio_ms"] for r in rows]
    total = [r["reply_ms"] for r in rows]
    sources: dict[str, int] = {}
    for r in rows:
        sources[r["source"]] = sources.get(r["source"], 0) + 1
    return {"n": len(rows), "comment_to_first_audio_ms": {"p50": pct(first, 50), "p95": pct(first, 95)},
            "whole_reply_ms": {"p50": pct(total, 50), "p95": pct(total, 95)}, "sources": sources,
            "load_avg_after": [round(x, 2) for x in os.getloadavg()], "replies": rows}


async def run(settings: Any, llm: Any, n: int) -> dict[str, Any]:
    from agent.app.compose import open_runtime
    from agent.clock import LoopClock
    from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer

    lib = EspeakLibrary()
    synth = EspeakSynthesizer(lib, dict(settings.speech.voices))
    out: dict[str, Any] = {}
    try:
        async with open_runtime(settings, LoopClock(), llm=llm) as rt:
            for situation in SITUATIONS:
                rows = []
                for i in range(n):
                    pid, q = QUESTIONS[i % len(QUESTIONS)]
                    rows.append(await measure(rt, synth, pid, q, situation == "on_screen"))
                out[situation] = section(rows)
    finally:
        lib.close()
    return out


async def main() -> None:
    from agent.llm.client import OpenAiLlm
    from agent.settings import load_settings
    from testkit.scripted_llm import Script, ScriptedLlmServer

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=12, help="questions per situation")
    ap.add_argument("--no-embedded", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "latency.json"))
    args = ap.parse_args()
    base = load_settings(ROOT / "settings.toml")
    results: dict[str, Any] = {"machine": {"cores": os.cpu_count(), "load_avg_start": list(os.getloadavg())},
                               "questions": [q for _, q in QUESTIONS]}
    started = time.perf_counter()

    server = ScriptedLlmServer(Script(["It is exactly as the sheet says."]))
    await server.start()
    llm = OpenAiLlm(server.base_url, "scripted")
    try:
        always = base.model_copy(update={"reply": base.reply.model_copy(update={"paraphrase": "always"})})
        results["scripted_0ms"] = await run(always, llm, args.n)
    finally:
        await llm.aclose()
        await server.stop()
    if not args.no_embedded:
        results["embedded_default"] = await run(base, None, args.n)
        always = base.model_copy(update={"reply": base.reply.model_copy(update={"paraphrase": "always"})})
        results["embedded_paraphrase_always"] = await run(always, None, args.n)
    results["wall_s"] = round(time.perf_counter() - started, 1)
    results["headline"] = {f"{name}/{situation}": {k: results[name][situation][k] for k in
                                                   ("n", "comment_to_first_audio_ms", "whole_reply_ms", "sources")}
                           for name in ("scripted_0ms", "embedded_default", "embedded_paraphrase_always")
                           if name in results for situation in SITUATIONS}
    await asyncio.to_thread(Path(args.out).write_text, json.dumps(results, indent=1, ensure_ascii=False) + "\n",
                            "utf-8")
    print(json.dumps(results["headline"], indent=1, ensure_ascii=False))
    medians = [v["comment_to_first_audio_ms"]["p50"] for v in results["headline"].values()]
    print("median of the section medians:", statistics.median([m for m in medians if m is not None]))


if __name__ == "__main__":
    asyncio.run(main())
