"""Events a second through Redis Streams, the way rooms use them: publish, read through the consumer group,
check the handled set, commit (XACK + SADD in one transaction) — for 1, 4 and 16 rooms at once.

    .venv/bin/python bench/rooms_bench.py [--events 5000]

Starts its own redis-server (Debian's, no persistence) on a free port. A worker runs one room's show (one
process per room, as `livehost run --room NAME`); this measures the broker path alone, not the show behind it
(bench/rehearse_bench.py and bench/soak_bench.py measure that). Results: bench/results/rooms.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.events import Event  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def one_room(client: Any, room: str, n: int) -> tuple[float, float]:
    from connectors.rooms.stream import RoomStream

    stream = RoomStream(client, room)
    await stream.ensure_group()
    t0 = time.perf_counter()
    for i in range(n):
        await stream.publish(Event.from_dict({"t": i, "type": "comment", "user": f"u{i % 300}",
                                              "text": f"how much is item {i % 50}?", "id": f"{room}:{i}"}))
    t1 = time.perf_counter()
    done = 0
    while done < n:
        entries = await stream.read("bench", count=64, block_ms=100)
        handled = await stream.handled_among(entries)
        for e in entries:
            if e.handled_id not in handled:
                await stream.commit(e)
            done += 1
    return t1 - t0, time.perf_counter() - t1


async def run(rooms: int, n: int, url: str) -> dict[str, Any]:
    import redis.asyncio as aioredis

    client = aioredis.from_url(url, decode_responses=True)
    try:
        t0 = time.perf_counter()
        parts = await asyncio.gather(*(one_room(client, f"bench-{rooms}-{r}", n) for r in range(rooms)))
        wall = time.perf_counter() - t0
    finally:
        await client.aclose()
    total = rooms * n
    return {"rooms": rooms, "events": total, "wall_s": round(wall, 2), "events_per_s": round(total / wall),
            "publish_per_s_per_room": round(n / max(p for p, _ in parts)),
            "consume_per_s_per_room": round(n / max(c for _, c in parts))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=5000, help="events per room")
    args = ap.parse_args()
    server = shutil.which("redis-server")
    if server is None:
        sys.exit("redis-server is not installed (scripts/setup.sh --test installs it)")
    port = free_port()
    with tempfile.TemporaryDirectory() as d:
        proc = subprocess.Popen([server, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", d],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"redis://127.0.0.1:{port}/0"
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        sys.exit("redis-server did not start")
                    time.sleep(0.05)
            rows = [asyncio.run(run(k, args.events, url)) for k in (1, 4, 16)]
        finally:
            proc.terminate()
            proc.wait()
    out = {"events_per_room": args.events, "runs": rows,
           "note": "one core, client and redis-server on the same machine; one show per worker process"}
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "rooms.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
