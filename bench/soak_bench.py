"""A 24-hour show on virtual time, with a flash-sale burst: memory, queues, tasks and latency, hour by hour.

    .venv/bin/python bench/soak_bench.py [--hours 24] [--burst-at-h 12] [--burst-rate 10000] [--burst-s 60]
                                         [--answer-within-s S --out soak-S.json]

The chat is bench/rehearse_bench.py's ``hour`` log (demo questions, greetings, gifts and spam mixed with real
Douyin comments, about 1,100 events an hour) replayed hour after hour, with, at ``--burst-at-h``, a flash sale of
``--burst-rate`` comments a second for ``--burst-s`` seconds (purchase questions in three languages and chatter
from 20,000 viewers), generated as the show reads them so the log itself takes no memory. The LLM is the
scripted OpenAI-compatible server (testkit/scripted_llm.py), the real pipeline otherwise (triage, moderation,
retrieval, guards, espeak-ng, the director), on virtual time charged with the real compute.

Each hour it records the resident memory (peak of samples every virtual minute), the asyncio tasks alive, the
reply queue and director backlog (peak), the comments seen, and the comment-to-first-audio latency of the
replies that started in that hour. The idle baseline is ``--idle-hours`` hours (4) with one question a minute,
each question at a random moment of its minute (seeded), its percentiles over all of them (a question at the
same second of every minute meets the script at one phase, and one hour's 50 replies make a p95 of the
3rd-slowest). Results:
bench/results/soak.json. Compared: each hour's p95 with the idle room's (target <= 2x), the last hour's peak
memory with the first's (target within 10%), tasks at the start and the end (no leak), the queues' peaks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rehearse_bench import CHATTER, SALE, hour_log, rss_mib  # noqa: E402

from agent.events import Event  # noqa: E402
from agent.metrics import percentile  # noqa: E402
from agent.ports import Clock  # noqa: E402

HOUR = 3600.0


class SoakSource:
    """An EventSource: the hour log again every hour, and the burst, made as they are due."""

    name = "soak"

    def __init__(self, clock: Clock, hours: int, burst_at_h: float | None, rate: int, burst_s: float,
                 idle: bool = False) -> None:
        self._clock = clock
        self._hours = hours
        self._burst_at = None if burst_at_h is None else burst_at_h * HOUR
        self._rate = rate
        self._burst_s = burst_s
        self._closed = False
        self._jitter_s = 50.0 if idle else 0.0  # an idle room's question comes at any moment of its minute
        if idle:
            questions = [e for e in hour_log(60) if e.get("type") == "comment" and "?" in e.get("text", "")]
            self._hour = [{**q, "t": float(i * 60 + 5)} for i, q in enumerate(questions[:60])]
        else:
            self._hour = hour_log(60)

    async def events(self) -> AsyncIterator[Event]:
        origin = self._clock.now()
        rng, when = random.Random(5), random.Random(6)
        for h in range(self._hours):
            burst_done = self._burst_at is None or not (h * HOUR <= self._burst_at < (h + 1) * HOUR)
            for n, line in enumerate(self._hour):
                t = h * HOUR + line["t"] + when.uniform(0.0, self._jitter_s)  # 0 without jitter
                if not burst_done and self._burst_at is not None and t >= self._burst_at:
                    async for e in self._burst(origin, rng):
                        yield e
                    burst_done = True
                if (wait := origin + t - self._clock.now()) > 0:
                    await self._clock.sleep(wait)
                if self._closed:
                    return
                yield Event.from_dict({**line, "t": self._clock.now(), "id": f"h{h}:{n}"})
            if not burst_done:
                async for e in self._burst(origin, rng):
                    yield e

    async def _burst(self, origin: float, rng: random.Random) -> AsyncIterator[Event]:
        assert self._burst_at is not None
        tick = 0.01
        per_tick = max(1, round(self._rate * tick))
        for k in range(round(self._burst_s / tick)):
            due = origin + self._burst_at + k * tick
            if (wait := due - self._clock.now()) > 0:
                await self._clock.sleep(wait)
            for j in range(per_tick):
                text = rng.choice(SALE) if rng.random() < 0.7 else rng.choice(CHATTER)
                yield Event.from_dict({"t": self._clock.now(), "type": "comment", "user": f"fan{rng.randrange(20000)}",
                                       "text": text, "id": f"b{k}:{j}"})

    async def aclose(self) -> None:
        self._closed = True


async def run(hours: int, burst_at_h: float | None, rate: int, burst_s: float, idle: bool = False,
              answer_within_s: float | None = None) -> dict[str, Any]:
    from agent.app.compose import open_runtime, open_show
    from agent.clock import VirtualClock
    from agent.settings import load_settings
    from testkit.scripted_llm import Script, ScriptedLlmServer

    server = ScriptedLlmServer(Script(["Thanks for asking! ", "Have a look at the card on screen."]))
    await server.start()
    settings = load_settings(ROOT / "settings.toml", overrides={
        "show.data_dir": str(ROOT / ".livehost"), "llm.base_url": server.base_url, "knowledge.watch": False,
        **({} if answer_within_s is None else {"show.answer_within_s": answer_within_s})})
    clock = VirtualClock.charging_real_time()
    driver = asyncio.ensure_future(clock.run())
    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    try:
        async with open_runtime(settings, clock, busy=clock) as rt:
            source = SoakSource(clock, hours, burst_at_h, rate, burst_s, idle)
            async with open_show(rt, sources=[source], renderers=[], busy=clock) as show:
                latencies: list[tuple[float, float]] = []  # (start, latency) of the replies of the hour
                every: list[float] = []  # every reply's latency, all hours

                def said(entry: Any) -> None:
                    if entry.kind == "reply" and entry.latency is not None:
                        latencies.append((entry.start, entry.latency))
                        every.append(entry.latency)

                show.director.listen(said=said)

                async def sample() -> None:
                    seen = 0
                    for h in range(hours):
                        peak = {"rss_mib": 0.0, "reply_queue": 0, "director_pending": 0}
                        for _ in range(60):
                            await clock.sleep(60.0)
                            peak["rss_mib"] = max(peak["rss_mib"], rss_mib())
                            peak["reply_queue"] = max(peak["reply_queue"], len(rt.triage.queue.waiting()))
                            peak["director_pending"] = max(peak["director_pending"], len(show.director.pending))
                        lat = [la for start, la in latencies if h * HOUR <= start < (h + 1) * HOUR]
                        latencies[:] = [x for x in latencies if x[0] >= (h + 1) * HOUR]
                        comments = show.stats.comments_seen
                        rows.append({
                            "hour": h, **{k: round(v, 1) for k, v in peak.items()},
                            "tasks": len(asyncio.all_tasks()), "comments": comments - seen, "replies": len(lat),
                            "p50_ms": _ms(percentile(lat, 50)), "p95_ms": _ms(percentile(lat, 95)),
                            "timeline_kept": len(show.director.state.timeline), "wall_s": round(
                                time.perf_counter() - t0, 1)})
                        seen = comments
                        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)

                sampler = asyncio.ensure_future(sample())
                await show.run(hours * HOUR + 1.0)
                await sampler
    finally:
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)
        await server.stop()
    return {"hours": rows, "wall_s": round(time.perf_counter() - t0, 1), "replies": len(every),
            "p50_ms": _ms(percentile(every, 50)), "p95_ms": _ms(percentile(every, 95))}


def _ms(v: float | None) -> float | None:
    return None if v is None else round(v * 1000, 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--burst-at-h", type=float, default=12.0)
    ap.add_argument("--burst-rate", type=int, default=10_000)
    ap.add_argument("--burst-s", type=float, default=60.0)
    ap.add_argument("--idle-hours", type=int, default=4)
    ap.add_argument("--answer-within-s", type=float, default=None, help="instead of settings.toml's (both runs)")
    ap.add_argument("--out", default="soak.json", help="file name in bench/results/")
    args = ap.parse_args()
    idle = asyncio.run(run(args.idle_hours, None, 0, 0.0, idle=True, answer_within_s=args.answer_within_s))
    soak = asyncio.run(run(args.hours, args.burst_at_h, args.burst_rate, args.burst_s,
                           answer_within_s=args.answer_within_s))
    rows = soak["hours"]
    idle_p95 = idle["p95_ms"]
    worst = max((r["p95_ms"] or 0.0) for r in rows)
    first, last = rows[0]["rss_mib"], rows[-1]["rss_mib"]
    out = {
        "settings": vars(args), "idle_room": {k: idle[k] for k in ("replies", "p50_ms", "p95_ms", "hours")},
        "hours": rows, "wall_s": soak["wall_s"],
        "headline": {
            "idle_p95_ms": idle_p95, "worst_hour_p95_ms": worst,
            "worst_p95_vs_idle": None if not idle_p95 else round(worst / idle_p95, 2),
            "burst_hour_p95_ms": next((r["p95_ms"] for r in rows if r["hour"] == int(args.burst_at_h)), None),
            "first_hour_peak_rss_mib": first, "last_hour_peak_rss_mib": last,
            "last_vs_first_rss": round(last / first, 3) if first else None,
            "tasks_first_last": [rows[0]["tasks"], rows[-1]["tasks"]],
            "peak_reply_queue": max(r["reply_queue"] for r in rows),
            "peak_director_pending": max(r["director_pending"] for r in rows),
        },
    }
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / args.out).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(out["headline"], indent=2))


if __name__ == "__main__":
    main()
