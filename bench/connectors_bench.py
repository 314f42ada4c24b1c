"""Events per second each connector decodes on one core, from recorded frames (no sockets).

Measures the pure decode path: framing, decompression, JSON and mapping to Event (and signature
verification for Douyin). Results go to bench/results/connectors.json.

    .venv/bin/python bench/connectors_bench.py [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.platforms import bilibili_codec as bc  # noqa: E402
from connectors.platforms import bilibili_events, douyin_events, twitch_eventsub_events, twitch_irc  # noqa: E402
from connectors.platforms import youtube_events as yt  # noqa: E402
from connectors.platforms.irc import parse_line, split_frame  # noqa: E402
from connectors.platforms.tiktok_events import decode as tiktok_decode  # noqa: E402
from connectors.platforms.tiktok_events import read_push_frame  # noqa: E402
from testkit.bilibili_server import command, danmu, frame  # noqa: E402
from testkit.douyin_server import comment  # noqa: E402
from testkit.tiktok_server import chat, fetch_result, gift, push_frame  # noqa: E402
from testkit.twitch_server import FakeEventSub, privmsg, usernotice  # noqa: E402
from testkit.youtube_server import fixture_page  # noqa: E402

BATCH = 20


def bilibili() -> tuple[Callable[[], int], str]:
    cmds = [danmu(i, f"user{i}", f"多少钱 {i}", suffix=":4:0:2:2:2:0") for i in range(BATCH - 2)]
    cmds += [command("SEND_GIFT", data={"uid": 1, "uname": "g", "giftName": "小心心", "num": 1, "price": 100,
                                        "coin_type": "gold", "tid": "t"}),
             command("INTERACT_WORD", data={"uid": 2, "uname": "v", "msg_type": 1, "timestamp": 1})]
    data = frame(*cmds, ver=bc.Ver.BROTLI)

    def run() -> int:
        n = 0
        for p in bc.decode(data):
            if bilibili_events.to_event(p.json(), "1", 0.0) is not None:
                n += 1
        return n
    return run, f"one brotli frame of {BATCH} commands ({len(data)} bytes)"


def twitch_irc_() -> tuple[Callable[[], int], str]:
    lines = [privmsg("shop", f"u{i}", f"is the red one in stock? {i}", f"id{i}") for i in range(BATCH - 1)]
    lines.append(usernotice("shop", "s", "sid", "resub", "yay", sub_plan="1000", cumulative_months="3"))
    text = "\r\n".join(lines) + "\r\n"

    def run() -> int:
        return sum(1 for raw in split_frame(text) if twitch_irc.to_event(parse_line(raw), 0.0) is not None)
    return run, f"one frame of {BATCH} tagged IRC lines"


def twitch_eventsub() -> tuple[Callable[[], int], str]:
    ev = {"chatter_user_id": "7", "chatter_user_login": "ann", "chatter_user_name": "Ann", "message_id": "m",
          "message": {"text": "is it waterproof?"}}
    msgs = [json.dumps(FakeEventSub.envelope("notification", {"subscription": {"type": "channel.chat.message"},
                                                              "event": ev}, "channel.chat.message"))
            for _ in range(BATCH)]

    def run() -> int:
        return sum(1 for m in msgs if twitch_eventsub_events.to_event(json.loads(m), "1", 0.0) is not None)
    return run, f"{BATCH} notification messages"


def douyin() -> tuple[Callable[[], int], str]:
    body = json.dumps([comment(f"c{i}", f"o{i}", "小王", "有大码吗") for i in range(BATCH)],
                      ensure_ascii=False).encode()
    headers = {"x-nonce-str": "n", "x-timestamp": "1", "x-roomid": "268", "x-msg-type": "live_comment"}
    headers["x-signature"] = douyin_events.signature(headers, body, "secret")

    def run() -> int:
        assert douyin_events.verify(headers, body, "secret")
        return sum(1 for m in json.loads(body) if douyin_events.to_event("live_comment", m, "268", 0.0))
    return run, f"one signed push batch of {BATCH} comments"


def youtube() -> tuple[Callable[[], int], str]:
    pages = [json.dumps(fixture_page(name, i)) for i, name in enumerate(("TextMessage", "SuperChat",
                                                                          "NewSponsor"))]

    def run() -> int:
        return sum(1 for p in pages for item in json.loads(p)["items"] if yt.to_event(item, "v", 0.0))
    return run, "the three recorded liveChatMessages.list responses"


def tiktok() -> tuple[Callable[[], int], str]:
    import gzip

    msgs = [chat(i, i, f"user{i}", f"is the red one in stock? {i}") for i in range(BATCH - 1)]
    msgs.append(gift(99, 1, "g", "Rose", 1, 5, end=True))
    data = push_frame(1, "msg", gzip.compress(fetch_result(msgs, need_ack=True)), {"compress_type": "gzip"})

    def run() -> int:
        _, response = read_push_frame(data)
        assert response is not None
        return sum(1 for m in response.messages if tiktok_decode(m.method, bytes(m.payload), "r", 0.0))
    return run, f"one gzip push frame of {BATCH} webcast messages ({len(data)} bytes)"


def measure(fn: Callable[[], int], seconds: float) -> dict[str, Any]:
    fn()  # warm-up
    events = calls = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        events += fn()
        calls += 1
    return {"events_per_s": round(events / elapsed), "events": events, "seconds": round(elapsed, 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "connectors.json"))
    args = ap.parse_args()
    results: dict[str, Any] = {}
    for name, make in [("bilibili", bilibili), ("twitch_irc", twitch_irc_), ("twitch_eventsub", twitch_eventsub),
                       ("douyin", douyin), ("youtube", youtube), ("tiktok", tiktok)]:
        fn, what = make()
        results[name] = {"input": what, **measure(fn, args.seconds)}
        print(f"{name:16} {results[name]['events_per_s']:>9,} events/s  ({what})")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"python": platform.python_version(), "machine": platform.machine(),
                               "one_core": True, "results": results}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
