"""Run the bridge userscript in a (logged-in) Chromium with Playwright and forward events to livehost.

Use it where a userscript manager is not an option, or to run unattended:

    LIVEHOST_BRIDGE_TOKEN=... python -m connectors.bridge_userscript.forwarder \\
        --platform taobao --url https://... --bridge ws://127.0.0.1:8791/bridge/ws --user-data-dir ~/.lh-chrome

Events go from the page to Python through an exposed binding (so the page's CSP cannot block them), then
over one WebSocket to the bridge, reconnecting with backoff if livehost restarts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from agent.clock import LoopClock
from agent.clock import timeout as clock_timeout
from agent.ports import Clock
from agent.toolbox.backoff import Backoff, Session, retry_forever
from agent.toolbox.tasks import cancel_and_wait
from connectors.platforms.reconnect import RETRYABLE

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
USERSCRIPT = HERE / "livehost-bridge.user.js"
SELECTORS = HERE / "selectors.json"


def default_selectors(platform: str) -> dict[str, str]:
    table: dict[str, dict[str, str]] = json.loads(SELECTORS.read_text(encoding="utf-8"))
    return table[platform]


async def _send_all(queue: asyncio.Queue[dict[str, Any]], bridge_url: str, token: str, clock: Clock,
                    backoff: Backoff, rng: random.Random) -> None:
    """Drain the queue into the bridge; an event is dropped only after the bridge acknowledged it."""
    sep = "&" if "?" in bridge_url else "?"

    async def deliver(session: Session) -> bool:
        async with connect(f"{bridge_url}{sep}token={token}", ping_interval=20) as ws:
            session.healthy()
            while True:
                event = await queue.get()
                await ws.send(json.dumps(event, ensure_ascii=False))
                await ws.recv()
                queue.task_done()

    await retry_forever(deliver, name="bridge", clock=clock, backoff=backoff, retryable=RETRYABLE, rng=rng,
                        subject="target", message="bridge connection lost; retrying")


async def forward(url: str, platform: str, bridge_url: str, token: str, *,
                  selectors: Mapping[str, str] | None = None, room: str = "",
                  executable_path: str = "/usr/bin/chromium", headless: bool = True,
                  user_data_dir: str | None = None, limit: int = 0, stop: asyncio.Event | None = None,
                  clock: Clock | None = None) -> int:
    """Open ``url``, forward its new comments until ``stop`` is set or ``limit`` events went out."""
    from playwright.async_api import async_playwright  # heavy: only when the forwarder runs

    clock = clock or LoopClock()
    stop = stop or asyncio.Event()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent = 0
    config = {"platform": platform, "room": room, "selectors": dict(selectors or default_selectors(platform))}

    async def on_event(event: dict[str, Any]) -> None:
        nonlocal sent
        await queue.put(event)
        sent += 1
        if limit and sent >= limit:
            stop.set()

    sender = asyncio.create_task(_send_all(queue, bridge_url, token, clock, Backoff(0.2, 5.0), random.Random()))
    try:
        async with async_playwright() as pw:
            if user_data_dir:
                context = await pw.chromium.launch_persistent_context(
                    user_data_dir, executable_path=executable_path, headless=headless)
            else:
                browser = await pw.chromium.launch(executable_path=executable_path, headless=headless)
                context = await browser.new_context()
            await context.expose_function("__livehostForward", on_event)
            await context.add_init_script(f"window.__livehostConfig = {json.dumps(config)};")
            await context.add_init_script(path=str(USERSCRIPT))
            page = await context.new_page()
            await page.goto(url)
            await stop.wait()
            if sent:
                async with clock_timeout(clock, 5):
                    await queue.join()  # what was read reaches the bridge
            await context.close()
    finally:
        await cancel_and_wait(sender)
    return sent


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--platform", required=True, help="taobao, kuaishou, jd (names the selector set)")
    p.add_argument("--url", required=True, help="the live page to read")
    p.add_argument("--bridge", default="ws://127.0.0.1:8791/bridge/ws", help="livehost bridge WebSocket URL")
    p.add_argument("--token-env", default="LIVEHOST_BRIDGE_TOKEN", help="variable holding the bridge token")
    p.add_argument("--selectors", help="JSON file {list, item, user, text, gift} overriding the defaults")
    p.add_argument("--room", default="")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--user-data-dir", help="a Chromium profile where you are logged in")
    p.add_argument("--headful", action="store_true")
    args = p.parse_args(argv)
    token = os.environ.get(args.token_env, "")
    if not token:
        p.error(f"set {args.token_env}")
    selectors = json.loads(Path(args.selectors).read_text(encoding="utf-8")) if args.selectors else None
    asyncio.run(forward(args.url, args.platform, args.bridge, token, selectors=selectors, room=args.room,
                        executable_path=args.chromium, headless=not args.headful,
                        user_data_dir=args.user_data_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
