"""How long ``livehost report`` takes on a 24-hour show, on one core; and what the unanswered questions of an hour
look like once grouped by meaning.

    .venv/bin/python bench/report_bench.py [--hours 24] [--copies 4] [--rehearsal FILE]

1. An hour of the busy-room log (bench/rehearse_bench.py ``hour``: 1,078 events) is rehearsed on virtual time with
   the scripted LLM and the configured embedder (or ``--rehearsal``: a ``rehearse --json`` output to reuse).
2. A synthetic record is written from it: the hour's events and fates ``--copies`` times an hour (each copy
   shifted by 60/copies minutes, its viewers renamed), for ``--hours`` hours: about 100,000 events. What was said is
   repeated once an hour (one voice cannot say more); the copies' answered questions keep their latency.
3. The report is built from that file as ``livehost report`` builds it (load, figures, unanswered questions grouped
   with the configured embedder, page), on one core (CPU affinity), twice: with no vector cache (cold), then with
   the vectors of the first run (warm).

Results: bench/results/report.json (with the hour's groups: their number and a sample to read by hand).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 30.0


async def rehearse_hour(folder: Path) -> dict[str, Any]:
    from agent.app.rehearse import rehearse
    from agent.settings import load_settings
    from bench.rehearse_bench import hour_log
    from testkit.scripted_llm import Script, ScriptedLlmServer

    chat = folder / "hour.jsonl"
    chat.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in hour_log(60)), encoding="utf-8")
    server = ScriptedLlmServer(Script(["Thanks for asking! ", "Have a look at the card on screen."]))
    await server.start()
    try:
        settings = load_settings(ROOT / "settings.toml", overrides={"show.data_dir": str(ROOT / ".livehost"),
                                                                   "llm.base_url": server.base_url})
        return await rehearse(settings, chat=str(chat), duration=3600.0)
    finally:
        await server.stop()


def synthesize(report: dict[str, Any], path: Path, hours: int, copies: int) -> dict[str, int]:
    """The 24-hour record (see the module docstring), written with plain SQLite in a few transactions."""
    from agent.records.events import EVENT_COLUMNS, EVENTS_SCHEMA, FATE_COLUMNS
    from agent.records.onair import SCHEMA

    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA + EVENTS_SCHEMA)
    show, wall0, span = "day", 1.8e9, 3600.0
    conn.execute("INSERT INTO shows VALUES (?, ?, ?, ?)", (show, "Maison Lumière", "en", wall0))
    events, fates, said, seq = [], [], [], 0
    for h in range(hours):
        for c in range(copies):
            shift = h * span + c * span / copies
            tag = f"-{h}.{c}"
            for e in report["seen"]:
                seq += 1
                g = e.get("gift") or {}
                v = e["verdict"]
                user = e["user"] if c == 0 else f"{e['user']}~{c}"
                events.append((show, seq, e["t"] + shift, wall0 + e["t"] + shift, e["kind"], e["platform"], user,
                               user, e["text"], e["count"], g.get("name"), g.get("count"), g.get("value"),
                               g.get("currency"), v["action"], v["category"], v["reason"], v["topic"],
                               v["language"]))
                for f in e["fates"]:
                    detail = dict(f.get("detail") or {})
                    if "start" in detail:
                        detail["start"] += shift
                    fates.append((show, seq, f["t"] + shift, wall0 + f["t"] + shift, f["fate"], f["reason"],
                                  f["utterance_id"] + tag if f.get("utterance_id") else None, json.dumps(detail)))
            if c == 0:
                for s in report["said"]:
                    d = {**s, "start": s["start"] + shift, "end": s["end"] + shift,
                         "utterance_id": s["utterance_id"] + tag}
                    d.pop("id", None)
                    d.pop("at", None)
                    first = (d.get("comments") or [{}])[0] if d.get("comments") else (d.get("comment") or {})
                    said.append((show, wall0 + d["start"], d["start"], d["end"], d["kind"], d["text"],
                                 first.get("user", ""), first.get("text", ""), d.get("product_id") or "",
                                 d.get("product_title") or "", d.get("language") or "",
                                 json.dumps(d, ensure_ascii=False)))
    with conn:
        conn.executemany(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(EVENT_COLUMNS))})", events)
        conn.executemany(f"INSERT INTO fates ({', '.join(FATE_COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(FATE_COLUMNS))})", fates)
        conn.executemany('INSERT INTO onair (show_id, at, start, "end", kind, text, user, comment, product_id, '
                         "product_title, language, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", said)
    conn.close()
    return {"events": len(events), "fates": len(fates), "said": len(said)}


def timed_build(path: Path, out: Path, embed: Any, embedder: Any) -> dict[str, Any]:
    from agent.report.figures import build
    from agent.report.load import load_show
    from agent.report.page import render

    t0 = time.perf_counter()
    data = load_show(path)
    t1 = time.perf_counter()
    figures = build(data, embedder, embed=embed, language="en")
    t2 = time.perf_counter()
    page = render(figures)
    out.write_text(page, encoding="utf-8")
    t3 = time.perf_counter()
    return {"total_s": round(t3 - t0, 2), "load_s": round(t1 - t0, 2), "figures_s": round(t2 - t1, 2),
            "page_s": round(t3 - t2, 2), "html_mib": round(len(page.encode()) / 2**20, 1), "key": figures.key,
            "groups": len(next(s for s in figures.sections if s.key == "unanswered").table.rows)}


def hour_groups(report: dict[str, Any], embedder: Any, embed: Any) -> dict[str, Any]:
    """The unanswered questions of the rehearsed hour, grouped: how many groups, and a sample to check by hand."""
    from agent.report.groups import group_texts
    from agent.report.outcomes import UNANSWERED, by_utterance, is_question, outcome

    said = by_utterance(report["said"])
    asked = [e for e in report["seen"] if is_question(e) and outcome(e, said) in UNANSWERED]
    grouping = group_texts([e["text"] for e in asked], embedder, embed=embed)
    multi = [g for g in grouping.groups if len(g.texts) > 1]
    return {"unanswered_questions": len(asked), "distinct_texts": len({e["text"] for e in asked}),
            "groups": len(grouping.groups), "groups_of_several_wordings": len(multi), "threshold": grouping.threshold,
            "sample": [{"asked": len(g.items), "wordings": [f"{t} ({n})" for t, n in g.texts[:8]]}
                       for g in multi[:15]] + [{"asked": len(g.items), "wordings": [f"{t} ({n})" for t, n in g.texts]}
                                                for g in grouping.groups if len(g.texts) == 1][:5]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--copies", type=int, default=4, help="copies of the hour's events per hour")
    ap.add_argument("--rehearsal", default=None, help="a `rehearse --json` output of the hour log, to reuse")
    args = ap.parse_args()
    from agent.knowledge.embedding import make_embedder
    from agent.settings import load_settings
    from agent.vectors import PhraseVectors

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.rehearsal:
            report = json.loads(Path(args.rehearsal).read_text(encoding="utf-8"))
        else:
            t0 = time.perf_counter()
            report = asyncio.run(rehearse_hour(folder))
            print(f"rehearsed the hour in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            (ROOT / ".livehost").mkdir(exist_ok=True)
            (ROOT / ".livehost" / "report-bench-hour.json").write_text(json.dumps(report, ensure_ascii=False))
        record = folder / "day.sqlite3"
        sizes = synthesize(report, record, args.hours, args.copies)
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core from here on
        settings = load_settings(ROOT / "settings.toml")
        embedder = make_embedder(settings.knowledge.embedding)
        vectors = PhraseVectors(embedder, None)  # in memory: the first build embeds everything (cold)
        embedder.embed_queries(["warm the model up"])  # loading the model is not the report's work
        cold = timed_build(record, folder / "cold.html", vectors.vectors, embedder)
        warm = timed_build(record, folder / "warm.html", vectors.vectors, embedder)
        groups = hour_groups(report, embedder, vectors.vectors)
        result = {"hours": args.hours, "copies_per_hour": args.copies, **sizes,
                  "record_mib": round(record.stat().st_size / 2**20, 1), "embedder": embedder.name,
                  "cores": 1, "target_s": TARGET_S, "cold": cold, "warm": warm, "hour": groups}
    out = ROOT / "bench" / "results" / "report.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "hour"}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
