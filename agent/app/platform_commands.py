"""``livehost listen``: print what connectors receive, as JSON lines or plain text, to try a platform out."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TextIO

from agent.clock import LoopClock
from agent.events import Event
from agent.settings import PlatformSettings, Settings
from connectors.platforms.merge import merge_sources
from connectors.platforms.registry import create_source, names


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("listen", help="print the live events of one or more platforms",
                              description=__doc__)
    p.add_argument("--platform", action="append", required=True, metavar="NAME",
                   help=f"platform to read (repeat to merge several): {', '.join(names())}")
    p.add_argument("--room", help="room / channel / video id (overrides settings)")
    p.add_argument("--endpoint", help="server URL (overrides settings; point at a local fake to test)")
    p.add_argument("--json", action="store_true", help="one JSON object per line (Event.to_dict())")
    p.add_argument("--limit", type=int, default=0, help="exit after N events (0: run until interrupted)")
    p.set_defaults(func=listen)


def platform_settings(settings: Settings, name: str, room: str | None, endpoint: str | None) -> PlatformSettings:
    """The ``[platforms.NAME]`` section with the command-line overrides applied."""
    base = settings.platforms.get(name) or PlatformSettings()
    update: dict[str, Any] = {"enabled": True}
    if room is not None:
        update["room"] = room
    if endpoint is not None:
        update["endpoint"] = endpoint
    return base.model_copy(update=update)


def format_event(event: Event, as_json: bool) -> str:
    if as_json:
        return json.dumps(event.to_dict(), ensure_ascii=False)
    what = event.text
    if event.gift is not None:
        what = f"{event.gift.name} x{event.gift.count} ({event.gift.value:g} {event.gift.currency}) {what}".strip()
    elif event.count != 1:
        what = f"x{event.count} {what}".strip()
    return f"[{event.platform}:{event.room}] {event.kind.value:<7} {event.user.name}: {what}"


async def run_listen(settings: Settings, platforms: Sequence[str], room: str | None, endpoint: str | None,
                     as_json: bool, limit: int, out: TextIO) -> int:
    clock = LoopClock()
    start = clock.now()
    sources = [create_source(n, platform_settings(settings, n, room, endpoint), clock) for n in platforms]
    stream = merge_sources(sources)
    seen = 0
    try:
        async for event in stream:
            # t counts from the start of listening, so a recording replays as it is (livehost demo --chat)
            event = replace(event, time=event.time - start)
            out.write(format_event(event, as_json) + "\n")
            out.flush()
            seen += 1
            if limit and seen >= limit:
                break
    finally:
        await stream.aclose()
    return 0


def listen(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(run_listen(settings, args.platform, args.room, args.endpoint, args.json, args.limit,
                                  sys.stdout))
