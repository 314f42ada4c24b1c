"""Moderation on material it was not shaped on: block rates on the held-out sets, false blocks on real chat,
unsafe or off-scope text spoken on off-scope and harmful questions, triage throughput and the semantic check's
added latency. Results: bench/results/moderation.json.

    .venv/bin/python bench/moderation_bench.py [--no-ask] [--events 100000]

- Held-out sets (evals/moderation/heldout*.jsonl, written apart from the lists and before the code): each line
  goes through triage (word lists) and the semantic screen exactly as ``livehost moderate`` runs them.
- A second held-out pair (heldout2*.jsonl: 132 banned, 120 allowed), written by a writer who saw only
  TOPICS.md, after the code and never used to change it: reported apart (``held_out_2_*``).
- Real benign chat: the Douyin comments and YouTube messages in ../shared/fixtures (the project did not write
  them; they are development material, never used to choose a threshold).
- Off-scope and harmful questions (evals/moderation/heldout_offscope.jsonl) through the same code as
  ``livehost ask`` (agent.app.commands.answer_one, in-process so the embedded LLM starts once), with the embedded
  model: a reply counts as unsafe or off-scope free text when its words came from the LLM (``source`` llm)
  or it says one of the line's forbidden strings.
- The development sets are reported beside, for reference: thresholds were chosen on them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.modsets import SETS, Line, read_set, real_chat, settings, stack, verdict  # noqa: E402

LANGS = ("en", "fr", "zh")


def rates(triage: Any, screen: Any, lines: list[Line]) -> dict[str, Any]:
    """Block rate per language and per topic (or false-block rate, for sets that must pass)."""
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_topic: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    layers: Counter[str] = Counter()
    failures = []
    for i, line in enumerate(lines):
        v = verdict(triage, screen, line.text, i)
        blocked = v["action"] == "block"
        by_lang[line.lang or "?"][0] += int(blocked)
        by_lang[line.lang or "?"][1] += 1
        if line.topic:
            by_topic[line.topic][line.lang][0] += int(blocked)
            by_topic[line.topic][line.lang][1] += 1
        if blocked:
            layers["meaning" if "(meaning)" in v["reason"] else "decoded" if "(decoded words)" in v["reason"]
                   else "words"] += 1
        if blocked != line.block:
            failures.append({"lang": line.lang, "topic": line.topic, "trick": line.trick, "text": line.text,
                             "verdict": v["reason"]})
    total = [sum(v[0] for v in by_lang.values()), sum(v[1] for v in by_lang.values())]
    key = "block_rate" if (lines and lines[0].block) else "false_block_rate"
    out: dict[str, Any] = {
        "n": total[1],
        key: round(total[0] / total[1], 4) if total[1] else None,
        "by_language": {k: {"n": b, key: round(a / b, 4)} for k, (a, b) in sorted(by_lang.items())},
        "blocked_by": dict(layers),
    }
    if by_topic:
        out["by_topic"] = {t: {lang: round(a / b, 3) for lang, (a, b) in sorted(v.items())}
                           for t, v in sorted(by_topic.items())}
    out["failures"] = failures
    return out


def semantic_latency(screen: Any, lines: list[Line]) -> dict[str, Any]:
    """The semantic check per comment: with its own embedding (a comment shown on the overlay, nobody asked
    the same before), and when retrieval already embedded the question (an answered comment)."""
    own, shared = [], []
    for line in lines:
        screen.cache._items.clear()  # every comment new: no cached vector
        t0 = time.perf_counter()
        screen.match(line.text)
        own.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        screen.match(line.text)
        shared.append((time.perf_counter() - t0) * 1000)

    def q(xs: list[float], p: float) -> float:
        s = sorted(xs)
        return round(s[min(len(s) - 1, int(p * len(s)))], 2)

    return {"n": len(lines), "own_embedding_ms": {"p50": q(own, 0.5), "p95": q(own, 0.95), "max": q(own, 1.0)},
            "vector_shared_with_retrieval_ms": {"p50": q(shared, 0.5), "p95": q(shared, 0.95)},
            "threads": 1}


def triage_throughput(events: int) -> dict[str, Any]:
    """bench/triage_bench.py's mix through triage with every list on, with and without the text cache."""
    import subprocess

    out: dict[str, Any] = {}
    for cache in ("4096", "0"):
        n = events if cache != "0" else events // 4
        subprocess.run([sys.executable, str(ROOT / "bench" / "triage_bench.py"), "--events", str(n),
                        "--text-cache", cache, "--out", f"/tmp/livehost-triage-{cache}.json"],
                       capture_output=True, text=True, check=True)
        data = json.loads(Path(f"/tmp/livehost-triage-{cache}.json").read_text())
        out["text_cache_on" if cache != "0" else "text_cache_off"] = {
            k: data[k] for k in ("events", "events_per_s", "events_per_cpu_s", "latency_us")}
    return out


async def offscope(limit: int | None) -> dict[str, Any]:
    from agent.app.commands import answer_one
    from agent.app.compose import open_runtime
    from agent.clock import LoopClock

    rows = [json.loads(x) for x in (SETS / "heldout_offscope.jsonl").read_text(encoding="utf-8").splitlines()
            if x.strip()][:limit]
    s = settings()
    results = []
    async with open_runtime(s, LoopClock()) as rt:
        for i, r in enumerate(rows):
            ans = await answer_one(rt, r["question"], user=f"viewer{i}")
            reply = ans.get("reply", "")
            leaks = [f for f in r["forbid"] if f.lower() in reply.lower()]
            free_text = ans.get("source") == "llm"
            results.append({"lang": r["lang"], "kind": r["kind"], "question": r["question"],
                            "decision": ans["decision"], "source": ans.get("source", ""), "reply": reply,
                            "forbidden_said": leaks, "unsafe_or_offscope_free_text": bool(leaks or free_text)})
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        by_kind[r["kind"]][r["source"] or r["decision"]] += 1
    return {
        "n": len(results),
        "unsafe_or_offscope_free_text_spoken": sum(r["unsafe_or_offscope_free_text"] for r in results),
        "forbidden_strings_said": sum(len(r["forbidden_said"]) for r in results),
        "llm_text_spoken": sum(r["source"] == "llm" for r in results),
        "outcome_by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
        "by_language": {lang: sum(r["unsafe_or_offscope_free_text"] for r in results if r["lang"] == lang)
                        for lang in LANGS},
        "replies": results,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-ask", action="store_true", help="skip the off-scope questions through the embedded LLM")
    ap.add_argument("--ask-limit", type=int, default=None)
    ap.add_argument("--events", type=int, default=100_000, help="triage throughput events")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "moderation.json"))
    args = ap.parse_args()
    started = time.perf_counter()
    triage, screen = stack()
    assert screen is not None, "the semantic layer is off"
    result: dict[str, Any] = {"held_out": {}, "development": {}}
    for name in ("heldout", "heldout_benign", "heldout_injection", "heldout_injection_benign", "heldout2",
                 "heldout2_benign"):
        result["held_out"][name] = rates(triage, screen, read_set(name))
    result["real_benign_chat"] = rates(triage, screen, real_chat())
    project_chat = [Line(t.strip(), "", False, source="tests/data/benign_shop_chat.txt") for t in
                    (ROOT / "tests" / "data" / "benign_shop_chat.txt").read_text(encoding="utf-8").splitlines()
                    if t.strip()]
    result["project_benign_shop_chat"] = rates(triage, screen, project_chat)
    for name in ("dev", "dev_benign", "dev_chat", "dev_terse", "dev_injection", "dev_injection_benign"):
        result["development"][name] = {k: v for k, v in rates(triage, screen, read_set(name)).items()
                                       if k != "failures"}
    sample = read_set("heldout") + read_set("heldout_benign")
    result["semantic_check"] = semantic_latency(screen, sample)
    result["triage_throughput_one_core"] = triage_throughput(args.events)
    if not args.no_ask:
        result["offscope_questions_through_ask"] = asyncio.run(offscope(args.ask_limit))
    result["wall_s"] = round(time.perf_counter() - started, 1)
    ho = result["held_out"]
    result["headline"] = {
        "held_out_banned_block_rate": {lang: ho["heldout"]["by_language"][lang]["block_rate"] for lang in LANGS},
        "held_out_injection_block_rate": {lang: ho["heldout_injection"]["by_language"][lang]["block_rate"]
                                          for lang in LANGS},
        "held_out_hard_negatives_false_block_rate": ho["heldout_benign"]["false_block_rate"],
        # a second held-out pair, written after the code by a writer who saw only TOPICS.md, run once
        "held_out_2_banned_block_rate": {lang: ho["heldout2"]["by_language"][lang]["block_rate"] for lang in LANGS},
        "held_out_2_allowed_false_block_rate": ho["heldout2_benign"]["false_block_rate"],
        "held_out_injection_lookalikes_false_block_rate": ho["heldout_injection_benign"]["false_block_rate"],
        "real_benign_chat_false_block_rate": result["real_benign_chat"]["false_block_rate"],
        "unsafe_or_offscope_free_text_spoken": result.get("offscope_questions_through_ask", {}).get(
            "unsafe_or_offscope_free_text_spoken"),
        "triage_events_per_s_one_core": result["triage_throughput_one_core"]["text_cache_on"]["events_per_s"],
        "triage_events_per_s_one_core_no_cache": result["triage_throughput_one_core"]["text_cache_off"][
            "events_per_s"],
        "semantic_check_p95_ms": result["semantic_check"]["own_embedding_ms"]["p95"],
        "semantic_check_p95_ms_vector_shared": result["semantic_check"]["vector_shared_with_retrieval_ms"]["p95"],
    }
    Path(args.out).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result["headline"], indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
