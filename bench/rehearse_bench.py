"""Rehearse a long show on virtual time and check its continuity: script sentences repeated or skipped,
replies cut mid-sentence, comment-to-first-audio. Results: bench/results/rehearse.json.

    .venv/bin/python bench/rehearse_bench.py [--minutes 60] [--llm scripted|embedded]

The chat mixes the demo's questions with the real Douyin comments in ../shared/fixtures/livechat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_log(path: Path, minutes: int) -> int:
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
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    return len(lines)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--llm", choices=("scripted", "embedded"), default="scripted")
    args = ap.parse_args()

    from agent.app.rehearse import rehearse
    from agent.settings import load_settings
    from testkit.scripted_llm import Script, ScriptedLlmServer

    with tempfile.TemporaryDirectory() as tmp:
        chat = Path(tmp) / "chat.jsonl"
        events = make_log(chat, args.minutes)
        overrides: dict[str, object] = {"show.data_dir": str(ROOT / ".livehost")}
        server = None
        if args.llm == "scripted":
            server = ScriptedLlmServer(Script(["Thanks for asking! ", "Have a look at the card on screen."]))
            await server.start()
            overrides["llm.base_url"] = server.base_url
        settings = load_settings(ROOT / "settings.toml", overrides=overrides)
        t0 = time.perf_counter()
        report = await rehearse(settings, chat=str(chat), duration=args.minutes * 60.0)
        wall = time.perf_counter() - t0
        if server is not None:
            await server.stop()
    s = report["summary"]
    result = {"minutes": args.minutes, "llm": args.llm, "events": events, "wall_s": round(wall, 1), **s,
              "drop_reasons": sorted({d["reason"].split(":")[0] for d in report["dropped"]})}
    out = ROOT / "bench" / "results" / f"rehearse-{args.llm}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
