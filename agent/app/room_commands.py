"""Many rooms across machines: ``livehost relay --room NAME`` publishes a room's platform events to its Redis
stream; ``livehost run --room NAME`` (:func:`cmd_run_room`) is a worker: it builds its show, waits for the
room's lease, runs the show on the room's stream while it holds the lease, and frees it on stop. Nothing here
connects to Redis unless one of these two is used. Heavy modules are imported inside handlers so
``livehost --help`` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from agent.errors import ConfigError
from agent.settings import PlatformSettings, Settings

log = logging.getLogger(__name__)

# ``run_show`` of agent.app.commands, handed over by ``livehost run`` (this module does not import it); it
# awaits the sources once the show is built
ShowRunner = Callable[[Settings, argparse.Namespace, Callable[[Any], Awaitable[list[Any]]]],
                      Awaitable[dict[str, Any]]]

LEASE_LOST_EXIT = 3  # `livehost run --room` ended because another worker took the room over


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("relay", help="publish a room's platform events to its Redis stream, for `run --room` workers")
    p.add_argument("--room", required=True, help="the room's name (its stream: livehost:room:NAME:events)")
    p.add_argument("--platform", action="append", default=None, help="only these platforms (repeatable)")
    p.set_defaults(func=cmd_relay)


def _progress(msg: str) -> None:
    print(f"livehost: {msg}", file=sys.stderr, flush=True)


def _platforms(settings: Settings, chosen: Sequence[str] | None) -> list[str]:
    names = list(chosen or [n for n, p in settings.platforms.items() if p.enabled])
    if not names:
        raise ConfigError("no platform enabled: add [platforms.NAME] with enabled = true to settings.toml "
                          "(see README, Connecting live platforms), or name one with --platform")
    return names


def cmd_relay(args: argparse.Namespace, settings: Settings) -> int:
    names = _platforms(settings, args.platform)
    published = asyncio.run(run_relay(settings, args.room, names, getattr(args, "settings", None)))
    print(json.dumps({"room": args.room, "published": published}, ensure_ascii=False))
    return 0


async def run_relay(settings: Settings, room: str, names: Sequence[str], source: str | None = None) -> int:
    """The relay until its platforms end, or Ctrl-C / SIGTERM; returns how many events it published."""
    from agent.clock import LoopClock
    from connectors.platforms.config_check import ensure_connector_settings
    from connectors.platforms.registry import create_source
    from connectors.rooms.relay import RelayStats, relay
    from connectors.rooms.stream import RoomStream, open_client

    ensure_connector_settings(settings, source)
    clock = LoopClock()
    sources = [create_source(n, settings.platforms.get(n) or PlatformSettings(enabled=True), clock) for n in names]
    stream = RoomStream.of(open_client(settings.rooms), room, settings.rooms)
    stats = RelayStats()
    stopping = asyncio.Event()
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()

    def stop() -> None:
        stopping.set()
        if task is not None:
            task.cancel()

    loop.add_signal_handler(signal.SIGTERM, stop)
    _progress(f"relaying {', '.join(names)} to {stream.keys.events}")
    try:
        await relay(sources, stream, clock, stats=stats)
    except asyncio.CancelledError:
        if not stopping.is_set():
            raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        await stream.client.aclose()
    return stats.published


def cmd_run_room(args: argparse.Namespace, settings: Settings, run_show: ShowRunner) -> int:
    """``livehost run --room NAME``: prints the show's summary with ``room``, ``worker`` and ``lease``
    ("released", or "lost": exit status 3, so a supervisor restarts the worker as a standby)."""
    if args.platform:
        raise ConfigError("run --room reads the room's stream; its platforms go to "
                          "`livehost relay --room NAME --platform P` (on any machine)")
    summary = asyncio.run(run_room(settings, args, run_show))
    print(json.dumps(summary, ensure_ascii=False))
    return LEASE_LOST_EXIT if summary.get("lease") == "lost" else 0


async def run_room(settings: Settings, args: argparse.Namespace, run_show: ShowRunner) -> dict[str, Any]:
    """A standby first: the show is built (catalog, word lists, LLM client: seconds of CPU that stall the event
    loop) before the worker waits for the room's lease, so a takeover goes on air at once and no lease is held
    through the stall. Then the show on the room's stream while the lease holds; the lease is freed on stop."""
    from agent.clock import LoopClock
    from connectors.rooms.lease import Lease
    from connectors.rooms.source import RoomSource
    from connectors.rooms.stream import RETRYABLE, RoomStream, open_client

    rooms = settings.rooms
    clock = LoopClock()
    stream = RoomStream.of(open_client(rooms), args.room, rooms)
    lease = Lease(stream.client, stream.keys.lease, lease_s=rooms.lease_s, clock=clock)
    source = RoomSource(stream, lambda: lease.held, clock, consumer=lease.token, lease_s=rooms.lease_s,
                        block_ms=rooms.block_ms, fence=(lease.key, lease.token))
    taken = asyncio.Event()

    async def room_source(_clock: Any) -> list[Any]:
        """``run_show`` asks for its sources once the show is built: wait for the room there."""
        _progress(f"room {args.room}: show ready; waiting for the room (worker {lease.token})")
        await lease.acquire()
        taken.set()
        _progress(f"room {args.room}: taken; going on air")
        return [source]

    async def keep() -> None:
        await taken.wait()
        await lease.keep()

    try:
        summary, lost = await _show_while_held(run_show(settings, args, room_source), keep())
        if lost:
            _progress(f"room {args.room}: another worker took the room over; show stopped")
        state = "lost" if lost else "released" if taken.is_set() else "never taken"
        return {"room": args.room, "worker": lease.token, "lease": state, "events_handled": source.handled,
                "events_skipped": source.skipped, **summary}
    finally:
        try:
            if taken.is_set():
                await lease.release()
        except RETRYABLE as exc:
            log.warning("room lease not released (it expires on its own)",
                        extra={"room": args.room, "error": type(exc).__name__})
        await stream.client.aclose()


async def _show_while_held(show_run: Awaitable[dict[str, Any]],
                           keep: Awaitable[None]) -> tuple[dict[str, Any], bool]:
    """Run the show while ``keep`` (the lease keeper) runs; once it returns (the lease is lost), stop the show
    at once. Returns the show's summary and whether the lease was lost."""
    from agent.toolbox.tasks import cancel_and_wait

    show = asyncio.ensure_future(show_run)
    keeper = asyncio.ensure_future(keep)
    try:
        await asyncio.wait({show, keeper}, return_when=asyncio.FIRST_COMPLETED)
        lost = not show.done()
        if lost:
            keeper.result()  # a bug in the keeper surfaces here
            log.warning("room lease lost: another worker holds the room; stopping the show")
            show.cancel()
        try:
            summary = await show
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            summary = {}  # stopped before it was on air
        return summary, lost
    finally:
        await cancel_and_wait(keeper)
        if not show.done():
            await cancel_and_wait(show)
