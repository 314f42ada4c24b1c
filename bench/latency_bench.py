"""Reply latency: comment in -> first guarded sentence -> first audio, p50/p95.

Runs the real chain (triage-free: the questions are product questions) with real retrieval (sample shop),
the real guards and real espeak-ng, against (a) a scripted OpenAI-compatible server with 0 ms first-token
delay, which measures the pipeline's own overhead, and (b) the embedded llama.cpp model, started as the app
starts it. Each question is answered twice: streamed (first audio as soon as the first guarded clause is
spoken) and sequentially (whole reply, then whole TTS: the baseline), each from the same server state (see
``Bench.reset``) and, for the embedded model, with the same sampling seed, so both runs usually say the same
reply (``streamed_and_sequential_same_text`` counts them). The LLM's own time to its first clause is
recorded too. Results: bench/results/latency.json.

Two question sets:

- ``QUESTIONS`` (sections ``scripted_0ms``, ``embedded_qwen2.5_0.5b``, ``..._product_on_screen``): short
  price questions; the small model mostly answers them in one sentence.
- ``MULTI_QUESTIONS`` (section ``multi_sentence``): one comment per product of the sample shop, in English,
  French and Chinese, each asking two things ("What is it made of? And which sizes do you have?"), so that
  replies naturally run to two sentences or more. Each is asked in three situations:

  - ``on_screen``: the product asked about is on screen (its facts are in the warmed prompt prefix);
  - ``off_screen_first_ask``: no product on screen (as in the short sections) and nobody asked about this
    one before, so the server must read its facts (~200 tokens, at ~100 tokens a second on 2 cores);
  - ``off_screen_asked_before``: as above, but another viewer asked about the same product earlier, and
    other requests (a warm-up) went through the server since, as happens all through a show.

  Each reports ``n``, how many replies had two sentences or more (counted on the spoken text), and for
  those the median speedup (sequential time to first audio / streamed time to first audio) and p50/p95 of
  both; ``replies`` lists every pair. The scripted server gives the same situations a fixed reply.

Each section records ``load_avg`` (``os.getloadavg()`` before and after; the benchmark's own server and
speech keep it at about 1.3 on 2 cores) and ``other_processes_cpu_cores`` (CPU cores other processes kept
busy meanwhile, from /proc): anything else running on the machine shows in the numbers.

    .venv/bin/python bench/latency_bench.py [--n 6] [--multi-n 12] [--only short|multi] [--no-embedded]
                                            [--first-chunk phrase|clause|sentence]

``--n``: questions per short section (cycling through ``QUESTIONS``); ``--multi-n``: comments per
multi-sentence situation (cycling through ``MULTI_QUESTIONS``); ``--only``: run one question set and keep
the other's results in the file; ``--first-chunk``: how soon a reply starts speaking (``speech.first_chunk``,
default "phrase"; recorded in the file). The default run takes about 8 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from agent.guards.sentences import FirstChunk

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

# (product id, question): one per product, EN/FR/ZH in turn, each two questions in one comment, so that the
# answer takes two sentences. The Chinese ones leave the price out: the small model writes EUR prices as 元,
# the grounding guard rejects that, and the reply becomes the one-sentence fact reply.
MULTI_QUESTIONS = [
    ("cashmere-scarf", "What is the cashmere scarf made of? And which colours are left?"),
    ("wool-throw-blanket", "Combien coûte le plaid en laine ? Et comment le laver ?"),
    ("stoneware-mug-set", "马克杯套装是什么材质的？能用洗碗机吗？"),
    ("linen-shirt", "What is the linen shirt made of? And which sizes do you have?"),
    ("merino-crew-jumper", "Le pull en mérinos, c'est quelle laine ? Et quelles tailles avez-vous ?"),
    ("oak-side-table", "橡木边桌是什么木头做的？怎么保养？"),
    ("wax-canvas-tote", "How big is the waxed canvas tote? And what is it made of?"),
    ("beeswax-candle", "La bougie en cire d'abeille, c'est quelle cire ? Et elle dure combien d'heures ?"),
    ("organic-cotton-tee", "有机棉T恤是什么面料？怎么洗？"),
    ("rattan-pendant-lamp", "What is the rattan pendant lamp made of? And is the bulb included?"),
    ("leather-belt", "La ceinture en cuir, c'est quel cuir ? Et quelles longueurs avez-vous ?"),
    ("linen-bedding-set", "亚麻床品套装是什么材质？怎么洗？"),
]
# what an earlier viewer asked about the same product ("asked before")
PRIME_QUESTION = "Is the {title} a good gift?"
# a grounded two-sentence reply for any product (no numbers, so the guards pass it for every question)
SCRIPTED_MULTI_REPLY = "It is one of my favourite pieces in the shop, and it sells fast. Have a look at the sheet."
SITUATIONS = ("on_screen", "off_screen_first_ask", "off_screen_asked_before")


def pct(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))] * 1000, 1)


def p50_p95(values: Sequence[float]) -> dict[str, float | None]:
    return {"p50": pct(values, 50), "p95": pct(values, 95)}


def load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Noise:
    """What else ran on the machine during a section: ``os.getloadavg()`` before and after (the benchmark's
    own server and speech count in it: about 1.3 on 2 cores), and the CPU cores other processes kept busy
    on average (from /proc: the machine's busy time less this process's and its children's)."""

    def __init__(self) -> None:
        self.load0 = load_avg()
        self.t0 = time.perf_counter()
        self.cpu0 = cpu_seconds()

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {"load_avg": {"before": self.load0, "after": load_avg()}}
        cpu1 = cpu_seconds()
        if self.cpu0 is not None and cpu1 is not None:
            busy, own = cpu1[0] - self.cpu0[0], cpu1[1] - self.cpu0[1]
            out["other_processes_cpu_cores"] = round(max(0.0, busy - own) / (time.perf_counter() - self.t0), 2)
        return out


def cpu_seconds() -> tuple[float, float] | None:
    """(CPU seconds the machine was busy, CPU seconds of this process and its children) from /proc."""
    try:
        hz = os.sysconf("SC_CLK_TCK")
        user, nice, system, _idle, _iowait, irq, softirq, steal = (
            int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
        own, me = 0, os.getpid()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command name
            except OSError:
                continue  # gone meanwhile
            if int(stat.parent.name) == me or int(fields[1]) == me:
                own += int(fields[11]) + int(fields[12])  # utime, stime
        return (user + nice + system + irq + softirq + steal) / hz, own / hz
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Row:
    """One question asked twice from the same server state: streamed, then sequential."""

    product: str
    language: str
    first_sentence: float
    first_audio: float
    sequential: float
    llm_first_token: float  # the prompt's uncached part read, plus one token
    llm_clause: float
    llm_total: float  # the streamed reply, written and guarded
    chunks: int
    sentences: int
    same_text: bool
    source: str
    rejected: list[list[str]]  # [sentence, guard's reason] of every sentence the guards stopped
    reply: str

    @property
    def speedup(self) -> float:
        return self.sequential / self.first_audio


class Bench:
    """The real reply chain (writer, guards, espeak-ng) against one LLM server."""

    def __init__(self, llm: Any, kb: Any, base_url: str, first_chunk: FirstChunk = "phrase") -> None:
        from agent.clock import LoopClock
        from agent.metrics import Metrics
        from agent.prompts import PromptStore
        from agent.reply.writer import ReplyWriter
        from agent.settings import LlmSettings, ShowSettings
        from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer

        self.llm = llm
        self.kb = kb
        self.base_url = base_url
        clock = LoopClock()
        self.lib = EspeakLibrary()
        self.tts = EspeakSynthesizer(self.lib, {"en": "en-us", "fr": "fr", "zh": "cmn"})
        self.writer = ReplyWriter(llm=llm, retriever=kb, prompts=PromptStore(ROOT / "prompts"), show=ShowSettings(),
                                  llm_settings=LlmSettings(timeout_s=60, first_token_timeout_s=30), clock=clock,
                                  metrics=Metrics(clock), first_chunk=first_chunk)

    async def start(self) -> None:
        # warm up as the app does: page the model in and cache the fixed instructions
        await self.writer.warm(None, timeout_s=120)

    def close(self) -> None:
        self.lib.close()

    async def reset(self, shown: Any, asked_before: Any = None) -> None:
        """Put the server in the state a live show would be in when the comment arrives.

        The previous reply was about another comment: only the prompt prefix (fixed instructions, plus the
        product on screen when there is one) is warm, as the show's warm-up on a product change leaves it.
        ``asked_before``: a product another viewer asked about earlier (that reply is made here, and its
        prompt is cached as the server caches any reply's).

        A server with a prompt cache (several prompt prefixes kept) has it emptied once the server is idle
        (the warm-up waits for a reply that is still being generated), so that the streamed and the
        sequential run of a pair find exactly the same cache and context.
        """
        await self.writer.warm(shown)
        await clear_cache(self.base_url)
        if asked_before is not None:
            await self.reply(PRIME_QUESTION.format(title=asked_before.title), shown, user="bo")
            await self.writer.warm(shown)

    async def reply(self, question: str, shown: Any, user: str = "ana") -> list[str]:
        from agent.language import detect_language

        plan = await self.writer.plan(question, [user], detect_language(question), shown)
        return [s async for s in self.writer.stream(plan)]

    async def pair(self, question: str, shown: Any, reset: Callable[[], Awaitable[None]],
                   product: str = "") -> Row:
        from agent.guards.sentences import split_sentences
        from agent.language import detect_language
        from agent.reply.writer import ReplyOutcome

        lang = detect_language(question)
        await self.kb.search(question, 3)  # the query embedding is then cached for both runs alike
        await reset()
        t0 = time.perf_counter()
        plan = await self.writer.plan(question, ["ana"], lang, shown)
        if product:
            assert plan.decision == "answer" and plan.products[0].id == product, (question, plan.products)
        out = ReplyOutcome()
        audio_iter = self.tts.synthesize(self.writer.stream(plan, out), lang)
        first = await anext(audio_iter)
        first_audio = time.perf_counter() - t0
        assert first.duration > 0
        async for _ in audio_iter:
            pass

        await reset()
        t0 = time.perf_counter()
        plan = await self.writer.plan(question, ["ana"], lang, shown)
        text = [s async for s in self.writer.stream(plan)]
        audios = [await self.tts.say(s, lang) for s in text]
        assert audios
        sequential = time.perf_counter() - t0

        spoken = " ".join(out.sentences)
        return Row(
            product=product or (plan.products[0].id if plan.products else ""),
            language=lang,
            first_sentence=out.timings.get("first_sentence", 0.0),
            first_audio=first_audio,
            sequential=sequential,
            llm_first_token=out.timings.get("first_token", 0.0),
            llm_clause=out.timings.get("llm_first_clause", out.timings.get("first_sentence", 0.0)),
            llm_total=out.timings.get("total", 0.0),
            chunks=len(out.sentences),
            sentences=len(split_sentences(spoken)),
            same_text=text == out.sentences,
            source=out.source,
            rejected=[list(r) for r in out.rejected],
            reply=spoken,
        )

    async def short_section(self, n: int, on_screen: bool = False) -> dict[str, Any]:
        """The short price questions (the original sections; their keys are kept)."""
        noise = Noise()
        rows = []
        for i in range(n):
            q = QUESTIONS[i % len(QUESTIONS)]
            kb_hits = await self.kb.search(q, 3)  # the query embedding is cached for both runs alike
            assert kb_hits
            shown = kb_hits[0].product if on_screen else None  # the question is about the product on screen

            async def reset(shown: Any = shown) -> None:
                await self.reset(shown)

            rows.append(await self.pair(q, shown, reset))
        return summary(rows, noise, chunk_keys=True)

    async def multi_section(self, n: int, situation: str) -> dict[str, Any]:
        """The multi-sentence questions in one situation (see the module docstring)."""
        noise = Noise()
        stats0 = await cache_stats(self.base_url) or {}
        products = {p.id: p for p in self.kb.products()}
        rows = []
        for i in range(n):
            pid, q = MULTI_QUESTIONS[i % len(MULTI_QUESTIONS)]
            product = products[pid]
            # Off screen means nothing on screen: with another product on screen, retrieval currently ranks
            # that product above the one the question names, and the question is refused or misread.
            shown = product if situation == "on_screen" else None
            before = product if situation == "off_screen_asked_before" else None

            async def reset(shown: Any = shown, before: Any = before) -> None:
                await self.reset(shown, before)

            rows.append(await self.pair(q, shown, reset, product=pid))
        result = summary(rows, noise)
        stats1 = await cache_stats(self.base_url)
        if stats1 is not None and stats1.get("enabled"):  # lookups in this section, setup and prime included
            result["server_prompt_cache"] = {k: stats1[k] - stats0.get(k, 0) for k in ("resumed", "kept")}
        return result


def summary(rows: list[Row], noise: Noise, chunk_keys: bool = False) -> dict[str, Any]:
    first_sentence = [r.first_sentence for r in rows]
    first_audio = [r.first_audio for r in rows]
    sequential = [r.sequential for r in rows]
    llm_clause = [r.llm_clause for r in rows]
    ratios = [r.first_audio / r.llm_clause for r in rows if r.llm_clause > 0]
    multi = [r for r in rows if r.sentences >= 2]
    out: dict[str, Any] = {
        "n": len(rows),
        "first_guarded_sentence_ms": p50_p95(first_sentence),
        "comment_to_first_audio_ms": p50_p95(first_audio),
        "sequential_baseline_ms": p50_p95(sequential),
        "llm_first_clause_ms": p50_p95(llm_clause),
        "llm_first_token_ms": p50_p95([r.llm_first_token for r in rows]),
    }
    if chunk_keys:
        chunky = [r.speedup for r in rows if r.chunks >= 2]
        out["replies_with_2_or_more_chunks"] = len(chunky)
        out["ratio_first_audio_to_llm_first_clause_p50"] = round(statistics.median(ratios), 3) if ratios else None
        out["speedup_vs_sequential_median_2plus_chunks"] = round(statistics.median(chunky), 2) if chunky else None
    out.update({
        "ratio_first_audio_to_llm_first_clause_p50": round(statistics.median(ratios), 3) if ratios else None,
        "replies_with_2_or_more_sentences": len(multi),
        "speedup_vs_sequential_2plus_sentences": {
            "median": round(statistics.median(r.speedup for r in multi), 2) if multi else None,
            "min": round(min(r.speedup for r in multi), 2) if multi else None,
            "max": round(max(r.speedup for r in multi), 2) if multi else None,
        },
        "comment_to_first_audio_ms_2plus_sentences": p50_p95([r.first_audio for r in multi]),
        "sequential_baseline_ms_2plus_sentences": p50_p95([r.sequential for r in multi]),
        "streamed_and_sequential_same_text": sum(r.same_text for r in rows),
        **noise.result(),
        "replies": [
            {k: round(v * 1000) if isinstance(v, float) else v for k, v in asdict(r).items()}
            | {"speedup": round(r.speedup, 2)}
            for r in rows
        ],
    })
    return out


async def cache_stats(base_url: str) -> dict[str, Any] | None:
    """The embedded server's prompt-cache counters, when it has a prompt cache (None otherwise)."""
    import httpx

    try:
        async with httpx.AsyncClient(timeout=5) as c:
            r = await c.get(base_url.removesuffix("/v1") + "/livehost/prompt_cache")
    except httpx.HTTPError:
        return None
    return r.json() if r.status_code == 200 else None


async def clear_cache(base_url: str) -> None:
    """Empty the embedded server's prompt cache, when it has one, so that both paths start alike."""
    import httpx

    try:
        async with httpx.AsyncClient(timeout=5) as c:
            await c.delete(base_url.removesuffix("/v1") + "/livehost/prompt_cache")
    except httpx.HTTPError:
        pass


async def run_server(llm: Any, kb: Any, base_url: str, sections: dict[str, Callable[[Bench], Awaitable[Any]]],
                     results: dict[str, Any], first_chunk: FirstChunk) -> None:
    bench = Bench(llm, kb, base_url, first_chunk)
    await bench.start()
    try:
        for key, run in sections.items():
            t0 = time.perf_counter()
            print(f"latency_bench: {key} ...", file=sys.stderr, flush=True)
            value = await run(bench)
            *path, last = key.split("/")
            node = results
            for part in path:
                node = node.setdefault(part, {})
            node[last] = value
            print(f"latency_bench: {key} done in {time.perf_counter() - t0:.0f} s, load {load_avg()}",
                  file=sys.stderr, flush=True)
    finally:
        bench.close()


def multi_runner(n: int, situation: str) -> Callable[[Bench], Awaitable[Any]]:
    return lambda b: b.multi_section(n, situation)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=6, help="questions per short section")
    ap.add_argument("--multi-n", type=int, default=len(MULTI_QUESTIONS), help="questions per multi-sentence situation")
    ap.add_argument("--only", choices=("short", "multi"), help="run one question set")
    ap.add_argument("--no-embedded", action="store_true", help="scripted server only")
    ap.add_argument("--first-chunk", choices=("phrase", "clause", "sentence"), default="phrase",
                    help="how soon a reply starts speaking (speech.first_chunk)")
    args = ap.parse_args()
    first_chunk = cast("FirstChunk", args.first_chunk)
    short, multi = args.only in (None, "short"), args.only in (None, "multi")

    from agent.knowledge.base import KnowledgeBase
    from agent.llm.client import OpenAiLlm
    from agent.settings import KnowledgeSettings
    from tests.fakes.scripted_llm import Script, ScriptedLlmServer

    out = ROOT / "bench" / "results" / "latency.json"
    # a partial run (--only, --no-embedded) updates its own sections and keeps the others
    results: dict[str, Any] = json.loads(out.read_text()) if out.exists() and (args.only or args.no_embedded) else {}
    results |= {"machine": "2 cores, no GPU", "questions": QUESTIONS, "load_avg_start": load_avg(),
                "first_chunk": args.first_chunk}
    if multi:
        results.setdefault("multi_sentence", {})["questions"] = [q for _, q in MULTI_QUESTIONS]
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(KnowledgeSettings(), [ROOT / "knowledge"], tmp, currency="EUR")
        kb.sync()
        for reply, key in ((SCRIPTED_REPLY, "scripted_0ms"), (SCRIPTED_MULTI_REPLY, "multi_sentence/scripted_0ms")):
            if (key == "scripted_0ms" and not short) or (key != "scripted_0ms" and not multi):
                continue
            server = ScriptedLlmServer(Script([w + " " for w in reply.split(" ")]))
            await server.start()
            llm = OpenAiLlm(server.base_url, "scripted")
            if key == "scripted_0ms":
                await run_server(llm, kb, server.base_url, {key: lambda b: b.short_section(args.n)}, results,
                                 first_chunk)
            else:
                await run_server(llm, kb, server.base_url, {
                    f"{key}/{s}": multi_runner(args.multi_n, s) for s in SITUATIONS
                }, results, first_chunk)
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
            # a fixed seed: the streamed and the sequential run of a pair sample the same reply
            llm = OpenAiLlm(srv.base_url, "local", seed=7)
            sections: dict[str, Callable[[Bench], Awaitable[Any]]] = {}
            if short:
                sections["embedded_qwen2.5_0.5b"] = lambda b: b.short_section(args.n)
                sections["embedded_qwen2.5_0.5b_product_on_screen"] = lambda b: b.short_section(args.n, True)
            if multi:
                for s in SITUATIONS:
                    sections[f"multi_sentence/embedded_qwen2.5_0.5b/{s}"] = multi_runner(args.multi_n, s)
            await run_server(llm, kb, srv.base_url, sections, results, first_chunk)
            await llm.aclose()
            await srv.stop()
    results["load_avg_end"] = load_avg()
    results["multi_sentence_headline"] = headline(results)
    results["wall_s"] = round(time.perf_counter() - t_start)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "multi_sentence"}, indent=2, ensure_ascii=False))


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """The multi-sentence numbers in short, without the per-reply rows, and pooled over the situations."""
    out: dict[str, Any] = {}
    for server, sections in results.get("multi_sentence", {}).items():
        if server == "questions":
            continue
        pooled = []
        for situation, r in sections.items():
            out[f"{server}/{situation}"] = {k: v for k, v in r.items() if k != "replies"}
            pooled += [row["speedup"] for row in r.get("replies", []) if row["sentences"] >= 2]
        if pooled:
            out[f"{server}/all_situations"] = {
                "replies_with_2_or_more_sentences": len(pooled),
                "speedup_vs_sequential_2plus_sentences_median": round(statistics.median(pooled), 2),
                "share_at_least_2x": round(sum(x >= 2 for x in pooled) / len(pooled), 2),
            }
    return out


if __name__ == "__main__":
    asyncio.run(main())
