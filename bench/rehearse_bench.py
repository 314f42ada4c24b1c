"""A busy room on virtual time: how fast and how much the host answers, and what the script keeps.

    .venv/bin/python bench/rehearse_bench.py [--scenario hour|dev|other|burst|all] [--minutes 60]
                                            [--llm scripted|embedded]

Scenarios (each rehearsed in its own process, so its peak memory is its own):
- ``hour``: the demo chat's questions, greetings, gifts and spam, repeated, mixed with the real Douyin
  comments in ../shared/fixtures/livechat (about 1,100 events an hour);
- ``other``: a different hour the policies were not tuned on: the held-out moderation set's benign lines
  (evals/moderation/heldout_benign.jsonl: shop questions and chat in three languages, 225 lines), arriving at
  random (Poisson, one every 3.5 s on average) from 400 viewers, with a gift every 40 s;
- ``dev``: as ``other``, from the development set's lines instead (evals/moderation/dev_benign.jsonl and
  dev_chat.jsonl, 510 lines, seed 13): what the queue's and director's policies may be tuned on, with ``hour``;
- ``burst``: the first ten minutes of the hour log with a flash sale at minute 5: 200 comments a second for a
  minute (12,000 comments from 3,000 viewers: purchase questions in English, French and Chinese, many asking
  the same thing in other words, and chatter).
The LLM is the scripted OpenAI-compatible server (testkit/scripted_llm.py: it answers at once) or the embedded
model. Results: bench/results/rehearse-<llm>.json. The scripted figures were also what the director's and the
queue's policies were tuned on (the hour log); see the closing notes for what that leaves out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BURST_AT, BURST_S, BURST_RATE, BURST_USERS = 300.0, 60.0, 200, 3000
# Flash-sale questions about the sample shop, in three languages; several ask the same thing in other words.
SALE = [
    "price?", "how much?", "how much is the linen shirt?", "what's the price of the linen shirt", "多少钱",
    "亚麻衬衫多少钱？", "c'est combien ?", "combien coûte la chemise en lin ?", "still in stock?", "还有货吗",
    "is the cashmere scarf still available?", "il reste des écharpes ?", "what sizes?", "有什么尺码",
    "quelles tailles ?", "which sizes does the linen shirt come in", "how do I buy?", "怎么买", "链接在哪",
    "does it ship to france?", "包邮吗", "la livraison est gratuite ?",
]
CHATTER = ["哈哈哈", "666", "来了来了", "wow", "love it", "trop bien", "主播好", "first time here", "冲冲冲"]


def hour_log(minutes: int) -> list[dict[str, Any]]:
    demo = [json.loads(x) for x in (ROOT / "demo" / "chat.jsonl").read_text().splitlines() if x.strip()]
    live = ROOT.parent / "shared" / "fixtures" / "livechat" / "subset.json"
    douyin = [c for pairs in json.loads(live.read_text()).values() for c, _ in pairs] if live.exists() else []
    span = demo[-1]["t"] + 10
    lines, n = [], 0
    while n * span < minutes * 60:
        for e in demo:
            lines.append({**e, "t": round(n * span + e["t"], 1)})
        for i, text in enumerate(douyin[n % 5 :: 5]):
            lines.append({"t": round(n * span + 3 + i * 9.7, 1), "type": "comment", "user": f"dy{i}", "text": text})
        n += 1
    lines = [x for x in lines if x["t"] < minutes * 60]
    lines.sort(key=lambda x: x["t"])
    return lines


def other_log(minutes: int, files: tuple[str, ...] = ("heldout_benign",), seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    lines = [json.loads(x)["text"] for f in files for x in (ROOT / "evals" / "moderation" / f"{f}.jsonl")
             .read_text(encoding="utf-8").splitlines() if x.strip()]
    out: list[dict[str, Any]] = []
    t = 2.0
    while t < minutes * 60:
        out.append({"t": round(t, 2), "type": "comment", "user": f"u{rng.randrange(400)}", "text": rng.choice(lines)})
        t += rng.expovariate(1 / 3.5)
    out += [{"t": float(g), "type": "gift", "user": f"g{g}", "gift": {"name": "rose", "count": 1, "value": 0.1}}
            for g in range(20, minutes * 60, 40)]
    return sorted(out, key=lambda x: x["t"])


def dev_log(minutes: int) -> list[dict[str, Any]]:
    """As ``other``, from the moderation development set's shop questions, hard negatives and chat."""
    return other_log(minutes, ("dev_benign", "dev_chat"), seed=13)


def burst_log() -> list[dict[str, Any]]:
    rng = random.Random(7)
    lines = hour_log(10)
    for i in range(int(BURST_S * BURST_RATE)):
        text = rng.choice(SALE) if rng.random() < 0.7 else rng.choice(CHATTER)
        lines.append({"t": round(BURST_AT + i / BURST_RATE, 3), "type": "comment",
                      "user": f"fan{rng.randrange(BURST_USERS)}", "text": text, "id": f"b{i}"})
    lines.sort(key=lambda x: x["t"])
    return lines


def rss_mib() -> float:
    """The process's resident memory now, in MiB (0 where /proc says nothing)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """The process's resident memory, sampled every 0.2 s of real time; ``peak`` in MiB."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.show_peak: float | None = None  # the peak while the show ran (before its record was read back)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(0.2)

    def mark(self) -> None:
        self._sample()
        self.show_peak = self.peak

    def _sample(self) -> None:
        self.peak = max(self.peak, rss_mib())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def percentile(values: list[float], q: float) -> float | None:
    from agent.metrics import percentile as p

    v = p(values, q)
    return None if v is None else round(v * 1000, 1)


async def child(scenario: str, llm: str, minutes: int) -> dict[str, Any]:
    from agent.app.rehearse import rehearse
    from agent.settings import load_settings
    from testkit.scripted_llm import Script, ScriptedLlmServer

    logs = {"hour": hour_log, "dev": dev_log, "other": other_log}
    log = logs[scenario](minutes) if scenario != "burst" else burst_log()
    length = minutes * 60.0 if scenario != "burst" else 600.0
    with tempfile.TemporaryDirectory() as tmp:
        chat = Path(tmp) / "chat.jsonl"
        chat.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in log), encoding="utf-8")
        overrides: dict[str, object] = {"show.data_dir": str(ROOT / ".livehost")}
        server = None
        if llm == "scripted":
            server = ScriptedLlmServer(Script(["Thanks for asking! ", "Have a look at the card on screen."]))
            await server.start()
            overrides["llm.base_url"] = server.base_url
        settings = load_settings(ROOT / "settings.toml", overrides=overrides)
        t0 = time.perf_counter()
        with PeakRss() as rss:
            report = await rehearse(settings, chat=str(chat), duration=length, show_ended=rss.mark)
        wall = time.perf_counter() - t0
        if server is not None:
            await server.stop()
    s = report["summary"]
    out: dict[str, Any] = {"events": len(log), "wall_s": round(wall, 1), "peak_rss_mib": round(rss.peak, 1),
                           "show_peak_rss_mib": None if rss.show_peak is None else round(rss.show_peak, 1), **s}
    if scenario == "burst":
        asked = {(x.get("user"), x.get("text")): x["t"] for x in log if x.get("type") == "comment"}
        lat = [t["start"] - asked[(c["user"], c["text"])]
               for t in report["timeline"] if t["kind"] == "reply"
               for c in t.get("comments") or ([t["comment"]] if t.get("comment") else [])
               if (c["user"], c["text"]) in asked and BURST_AT <= asked[(c["user"], c["text"])] < BURST_AT + BURST_S]
        out["burst_minute"] = {"comments": int(BURST_S * BURST_RATE), "answered": len(lat),
                               "comment_to_first_audio_ms": {"p50": percentile(lat, 50), "p95": percentile(lat, 95)}}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", choices=("hour", "dev", "other", "burst", "all"), default="all")
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--llm", choices=("scripted", "embedded"), default="scripted")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.scenario, args.llm, args.minutes)), ensure_ascii=False))
        return
    scenarios = ("hour", "dev", "other", "burst") if args.scenario == "all" else (args.scenario,)
    result: dict[str, Any] = {"llm": args.llm, "minutes": args.minutes}
    for sc in scenarios:
        cmd = [sys.executable, __file__, "--child", "--scenario", sc, "--llm", args.llm, "--minutes",
               str(args.minutes)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        result[sc] = json.loads(done.stdout.strip().splitlines()[-1])
    if "hour" in result and "burst" in result:
        result["burst_peak_memory_vs_hour"] = round(result["burst"]["peak_rss_mib"] / result["hour"]["peak_rss_mib"], 3)
        # while the shows ran (the rehearsal then reads its record back for its JSON: 12,000 comments' fates)
        result["burst_show_peak_memory_vs_hour"] = round(
            result["burst"]["show_peak_rss_mib"] / result["hour"]["show_peak_rss_mib"], 3)
    out = ROOT / "bench" / "results" / f"rehearse-{args.llm}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
