"""The room worker (``livehost run --room``) around a stand-in show: it goes on air only once it holds the room,
stops its show at once when another worker takes the room over, and frees the room on a clean stop."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis

from agent.app.cli import main
from agent.app.room_commands import run_room
from agent.events import Event, EventKind, User
from agent.settings import RoomsSettings, Settings
from connectors.rooms.stream import RoomStream

ROOM = "r1"


async def until(condition: Callable[[], bool], within_s: float = 10.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


def comment(n: int) -> Event:
    return Event(EventKind.COMMENT, User(f"u{n}", f"viewer{n}"), platform="tiktok", room=ROOM,
                 text=f"hello #{n}", message_id=f"m{n}")


class StandInShow:
    """``run_show``'s part in the worker: reads the source like the show (one event handled before the next is
    asked for) and runs until cancelled, or until it has seen ``stop_after`` events."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.seen: list[str] = []
        self.started = False
        self.cancelled = False
        self._stop_after = stop_after

    async def __call__(self, settings: Settings, args: argparse.Namespace,
                       make_sources: Callable[[Any], Awaitable[list[Any]]]) -> dict[str, Any]:
        [source] = await make_sources(None)  # the worker waits for the room here
        self.started = True
        try:
            async for event in source.events():
                self.seen.append(event.message_id)
                if self._stop_after is not None and len(self.seen) >= self._stop_after:
                    break
            else:
                await asyncio.Event().wait()  # the show goes on without events
        except asyncio.CancelledError:
            self.cancelled = True  # like Show.run: a cancelled show still returns its summary
        finally:
            await source.aclose()
        return {"seen": list(self.seen)}


def settings(redis_url: str) -> Settings:
    return Settings(rooms=RoomsSettings(redis_url=redis_url, lease_s=0.3, block_ms=20))


def args() -> argparse.Namespace:
    return argparse.Namespace(room=ROOM, platform=None, duration=None, knowledge=None, script=None, settings=None)


async def test_a_worker_whose_room_is_taken_over_stops_reading_and_stops_its_show(
        redis_url: str, client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM)
    await stream.publish(comment(1))
    show = StandInShow()
    worker = asyncio.ensure_future(run_room(settings(redis_url), args(), show))
    await until(lambda: show.seen == ["m1"])
    while not await client.sismember(stream.keys.handled, "tiktok:r1:m1"):  # handled: acknowledged
        await asyncio.sleep(0.005)
    await client.set(stream.keys.lease, "another-worker", px=30_000)  # it was thought dead and replaced
    summary = await asyncio.wait_for(worker, 5.0)
    assert summary["lease"] == "lost" and summary["seen"] == ["m1"] and show.cancelled
    await stream.publish(comment(2))
    assert await client.smembers(stream.keys.handled) == {"tiktok:r1:m1"}
    assert await client.get(stream.keys.lease) == "another-worker"  # the lost lease is not deleted
    groups = await client.xinfo_groups(stream.keys.events)
    assert groups[0]["lag"] == 1  # m2 is left for the new holder


async def test_a_second_worker_waits_and_takes_the_room_over_when_the_first_stops(
        redis_url: str, client: aioredis.Redis, capsys: pytest.CaptureFixture[str]) -> None:
    stream = RoomStream(client, ROOM)
    first, second = StandInShow(stop_after=1), StandInShow(stop_after=1)
    a = asyncio.ensure_future(run_room(settings(redis_url), args(), first))
    await until(lambda: first.started)
    b = asyncio.ensure_future(run_room(settings(redis_url), args(), second))
    err: list[str] = []

    def both_waited() -> bool:
        err.append(capsys.readouterr().err)
        return "".join(err).count("waiting for the room") == 2

    await until(both_waited)
    assert not second.started  # b waits while a holds the room
    await stream.publish(comment(1))
    done_a = await asyncio.wait_for(a, 5.0)  # handled m1, stopped, freed the room
    assert done_a["lease"] == "released" and done_a["events_handled"] == 1
    await stream.publish(comment(2))
    done_b = await asyncio.wait_for(b, 5.0)
    assert done_b["lease"] == "released" and done_b["seen"] == ["m2"] and done_b["worker"] != done_a["worker"]
    assert await client.exists(stream.keys.lease) == 0
    assert await client.smembers(stream.keys.handled) == {"tiktok:r1:m1", "tiktok:r1:m2"}


def test_a_room_worker_refuses_platforms_of_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--room", ROOM, "--platform", "replay"]) == 2
    assert "livehost relay --room NAME --platform P" in capsys.readouterr().err
