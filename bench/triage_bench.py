"""Triage throughput and added latency on a realistic live-commerce mix, on one core.

Mix: mostly benign chat (real Douyin/YouTube lines plus shop chat), product questions, gifts, likes,
follows and joins, and some banned-topic and injection attempts from the adversarial test sets. Every
event goes through ``Triage.decide`` with all matching on (keywords, homophones, pinyin, patterns,
example similarity, injection rules) and then to the queue or the thanks aggregator, like the show does.

    .venv/bin/python bench/triage_bench.py [--events 200000] [--out bench/results/triage.json]
                                           [--text-cache 4096]

Chat repeats itself, so triage remembers the text-only analysis of recent distinct texts; the mix draws
from a few thousand distinct lines, so most comments hit that cache. ``--text-cache 0`` turns it off and
measures the worst case, where every comment is new.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.clock import VirtualClock  # noqa: E402
from agent.events import Event, EventKind, Gift, User  # noqa: E402
from agent.moderation.store import TopicStore  # noqa: E402
from agent.settings import TriageSettings  # noqa: E402
from agent.triage.queue import VerdictQueue  # noqa: E402
from agent.triage.stats import TriageStats  # noqa: E402
from agent.triage.thanks import ThanksAggregator  # noqa: E402
from agent.triage.triage import TEXT_CACHE, Triage  # noqa: E402
from agent.verdict import Action  # noqa: E402

DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared" / "fixtures"


def _texts() -> dict[str, list[str]]:
    benign = [s.strip() for s in (DATA / "benign_shop_chat.txt").read_text(encoding="utf-8").splitlines() if s]
    live = SHARED / "livechat" / "subset.json"
    if live.exists():
        for pairs in json.loads(live.read_text(encoding="utf-8")).values():
            benign.extend(p[0] for p in pairs)
    banned = [json.loads(s)["text"] for s in (DATA / "adversarial_banned.jsonl").read_text("utf-8").splitlines()]
    inj = [json.loads(s)["text"] for s in (DATA / "adversarial_injection.jsonl").read_text("utf-8").splitlines()]
    questions = [t for t in benign if "?" in t or "？" in t or "吗" in t or "多少" in t]
    return {"benign": benign, "question": questions, "banned": banned, "injection": inj}


def _mix(n: int, seed: int = 7) -> list[Event]:
    rng = random.Random(seed)
    texts = _texts()
    kinds = ["benign"] * 55 + ["question"] * 15 + ["gift"] * 8 + ["social"] * 12 + ["banned"] * 7 + ["injection"] * 3
    out: list[Event] = []
    for i in range(n):
        k = rng.choice(kinds)
        user = User(f"u{rng.randrange(5000)}", f"viewer{i % 997}")
        t = i / 20_000
        if k == "gift":
            g = Gift(rng.choice(["rose", "rocket", "heart"]), rng.randint(1, 5), rng.choice([0.1, 1.0, 10.0, 50.0]))
            out.append(Event(EventKind.GIFT, user, gift=g, time=t, message_id=str(i)))
        elif k == "social":
            kind = rng.choice([EventKind.LIKE, EventKind.LIKE, EventKind.FOLLOW, EventKind.JOIN])
            out.append(Event(kind, user, count=rng.randint(1, 20) if kind is EventKind.LIKE else 1, time=t,
                             message_id=str(i)))
        else:
            text = rng.choice(texts[k])
            if rng.random() < 0.3:
                text = f"{text} {rng.choice(['!', '!!', ' 😀', ' lol', ' 哈哈', ''])}"
            out.append(Event(EventKind.COMMENT, user, text=text, time=t, message_id=str(i)))
    return out


def _quantiles(ns: list[int]) -> dict[str, float]:
    ns = sorted(ns)
    q = statistics.quantiles(ns, n=1000)
    return {
        "mean": round(sum(ns) / len(ns) / 1000, 2),
        "p50": round(q[499] / 1000, 2),
        "p99": round(q[989] / 1000, 2),
        "p999": round(q[998] / 1000, 2),
        "max": round(ns[-1] / 1000, 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "triage.json"))
    ap.add_argument("--text-cache", type=int, default=TEXT_CACHE, help="distinct texts remembered (0: off)")
    args = ap.parse_args()

    events = _mix(args.events)
    clock = VirtualClock()
    settings = TriageSettings(user_rate_per_min=6)
    with tempfile.TemporaryDirectory() as data_dir:
        t0 = time.perf_counter()
        store = TopicStore(ROOT / "prompts" / "banned_topics", Path(data_dir), clock)
        load_s = time.perf_counter() - t0
        stats = TriageStats()
        triage = Triage(settings, store, clock, stats=stats, text_cache=args.text_cache)
        queue = VerdictQueue(settings, clock, stats=stats)
        thanks = ThanksAggregator(settings, clock, stats=stats)
        for e in events[:2000]:  # warm caches (pinyin readings), as a running show would have
            triage.decide(e)
        lat: list[int] = []
        cpu_lat: list[int] = []
        perf = time.perf_counter_ns
        cpu = time.thread_time_ns
        start = time.perf_counter()
        cpu_start = time.process_time()
        for e in events:
            a = perf()
            c = cpu()
            if e.time > clock.now():
                clock.advance(e.time - clock.now())  # follow the stream's own time line
            v = triage.decide(e)
            if v.action is Action.ANSWER:
                queue.push(v)
                if len(queue) > settings.queue_size // 2:
                    queue.get_nowait()
            elif v.action is Action.THANK:
                thanks.add(v)
                thanks.poll()
            cpu_lat.append(cpu() - c)
            lat.append(perf() - a)
        elapsed = time.perf_counter() - start
        cpu_elapsed = time.process_time() - cpu_start
    result = {
        "events": len(events),
        "events_per_s": round(len(events) / elapsed),
        "events_per_cpu_s": round(len(events) / cpu_elapsed),
        "latency_us": _quantiles(lat),
        "cpu_latency_us": _quantiles(cpu_lat),
        "note": "wall numbers include time the OS gave other processes; cpu_* count only this thread's CPU time",
        "topics_load_s": round(load_s, 3),
        "text_cache": args.text_cache,
        "distinct_texts": len({e.text for e in events if e.text}),
        "mix": "55% chat, 15% questions, 8% gifts, 12% likes/follows/joins, 7% banned, 3% injection",
        "stats": stats.snapshot(),
        "python": sys.version.split()[0],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    keys = ("events", "events_per_s", "events_per_cpu_s", "latency_us", "cpu_latency_us", "topics_load_s",
            "text_cache", "distinct_texts")
    print(json.dumps({k: result[k] for k in keys}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
