"""SIGKILL the worker holding a room, 20 times, while viewers keep commenting: every event is handled exactly
once and no comment is answered twice.

Two rooms, each with three ``livehost run --room`` processes (the holder and two standbys; every worker its own
data dir and on-air record), a scripted OpenAI-compatible LLM, and a publisher that puts product questions,
chit-chat and gifts, each comment with a text of its own, on both rooms' streams over time. A killer per room
waits for a worker to take the room, kills it at a random moment (seeded) of its time holding the room, and
starts a new standby. Then, from Redis: every published event's id is in the room's ``handled`` set, as many
handlings were committed as there were events (none twice), and nothing is pending; from the workers' on-air
records: no comment was answered twice. About 2 minutes on 2 idle cores, most of it the 26 workers' start-up.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from agent.events import Event, EventKind, Gift, User
from agent.records.onair import OnAirRecord
from connectors.rooms.stream import RoomStream
from testkit.scripted_llm import Script, ScriptedLlmServer
from tests.rooms.workers import livehost, stop_all, write_settings

ROOMS = ("kill-a", "kill-b")
KILLS_PER_ROOM = 10  # 20 in all
WORKERS_PER_ROOM = 3  # the holder and two standbys (a killed worker's replacement needs a while to be ready)
SEED = 20_261_130
LEASE_S = 3.0  # above the longest stall of a worker's event loop on a busy 2-core machine
ON_AIR_S = (0.2, 8.0)  # a kill lands this long after the takeover: going on air, reading, answering
PUBLISH_EVERY_S = 0.25
DRAIN_WITHIN_S = 60.0
KILLS_WITHIN_S = 360.0  # only a hung test waits this long
ANSWERED_WITHIN_S = 60.0
QUESTIONS = ("How much is the {p}", "Is the {p} in stock", "What is the {p} made of", "Does the {p} ship to Lyon")
PRODUCTS = ("linen shirt", "cashmere scarf", "leather belt", "beeswax candle", "merino jumper", "linen bedding")
CHATTER = ("hello from {c}", "love this show, greetings from {c}", "hi Mia, watching from {c}")
CITIES = ("Lyon", "Oslo", "Porto", "Quito", "Seoul", "Turin", "Accra", "Hanoi", "Lima", "Perth")


@dataclass
class Worker:
    room: str
    number: int
    proc: asyncio.subprocess.Process
    folder: Path

    @property
    def pid(self) -> int:
        return self.proc.pid


@dataclass
class Room:
    name: str
    published: list[str] = field(default_factory=list)  # message ids
    comments: list[str] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)
    kills: int = 0
    exits: int = 0  # workers that stopped on their own (lease lost), restarted too


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedLlmServer]:
    server = ScriptedLlmServer(Script(["Happy to help!"]))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def event(room: str, n: int, rng: random.Random) -> Event:
    user = User(f"{room}-u{n}", f"viewer{n}")
    mid = f"{room}-{n}"
    if n % 9 == 8:
        return Event(EventKind.GIFT, user, platform="tiktok", room=room, gift=Gift("rose", 1 + n % 3, 0.1),
                     message_id=mid)
    if n % 3 == 2:
        text = f"{rng.choice(CHATTER).format(c=rng.choice(CITIES))} ({n})"
    else:
        text = f"{rng.choice(QUESTIONS).format(p=rng.choice(PRODUCTS))}, number {n}?"
    return Event(EventKind.COMMENT, user, platform="tiktok", room=room, text=text, message_id=mid)


async def test_killing_the_worker_that_holds_a_room_20_times_loses_no_event_and_repeats_no_answer(
        tmp_path: Path, redis_url: str, client: aioredis.Redis, scripted: ScriptedLlmServer) -> None:
    rooms = {name: Room(name) for name in ROOMS}
    streams = {name: RoomStream(client, name) for name in ROOMS}
    counter = iter(range(1_000_000))

    async def start_worker(room: Room) -> None:
        n = next(counter)
        folder = tmp_path / f"{room.name}-w{n}"
        settings = write_settings(folder, redis_url=redis_url, llm_url=scripted.base_url, lease_s=LEASE_S)
        proc = await livehost(settings, "run", "--room", room.name, log=folder / "worker.log")
        room.workers.append(Worker(room.name, n, proc, folder))

    async def publish(room: Room, stop: asyncio.Event, rng: random.Random) -> None:
        n = 0
        while not stop.is_set():
            e = event(room.name, n, rng)
            await streams[room.name].publish(e)
            room.published.append(e.message_id)
            if e.text:
                room.comments.append(e.text)
            n += 1
            await asyncio.sleep(PUBLISH_EVERY_S)  # the viewers' pace, not a wait for a condition

    async def holder(room: Room) -> Worker | None:
        """The live worker holding the room now, if any (its token names its process)."""
        token = await client.get(streams[room.name].keys.lease)
        pid = int(str(token).split(":")[1]) if token else None
        return next((w for w in room.workers if w.pid == pid and w.proc.returncode is None), None)

    async def kill(room: Room, rng: random.Random) -> None:
        while room.kills < KILLS_PER_ROOM:
            w = await holder(room)
            if w is None:  # between two holders
                await asyncio.sleep(0.01)
                continue
            await asyncio.sleep(rng.uniform(*ON_AIR_S))  # a random moment of its time holding the room
            if await holder(room) is w:
                os.kill(w.pid, signal.SIGKILL)
                room.kills += 1
            else:  # it lost the room meanwhile (a stall past its lease): it stops on its own
                room.exits += 1
            await w.proc.wait()
            await start_worker(room)  # the room always has standbys

    for room in rooms.values():
        for _ in range(WORKERS_PER_ROOM):
            await start_worker(room)
    stop = asyncio.Event()
    started = time.monotonic()
    publishers = [asyncio.ensure_future(publish(r, stop, random.Random(SEED + i))) for i, r in
                  enumerate(rooms.values())]
    try:
        await asyncio.wait_for(asyncio.gather(*(kill(r, random.Random(SEED - i)) for i, r in
                                                enumerate(rooms.values()))), KILLS_WITHIN_S)
        for room in rooms.values():  # a holder that lives long enough answers: there are replies to compare
            await asyncio.wait_for(some_reply(room), ANSWERED_WITHIN_S)
        stop.set()
        await asyncio.gather(*publishers)
        for room in rooms.values():  # the last holders handle what is left
            await asyncio.wait_for(drained(streams[room.name], room), DRAIN_WITHIN_S)
    finally:
        stop.set()
        await asyncio.gather(*publishers, return_exceptions=True)
        await stop_all([w.proc for room in rooms.values() for w in room.workers])

    report = {}
    for room in rooms.values():
        stream = streams[room.name]
        handled = await client.smembers(stream.keys.handled)
        stats = await stream.stats()
        pending = int((await client.xpending(stream.keys.events, stream.group))["pending"])
        expected = {f"tiktok:{room.name}:{mid}" for mid in room.published}
        answered = Counter(c["text"] for w in room.workers for c in replies(w))
        logs = "".join((w.folder / "worker.log").read_text(errors="replace") for w in room.workers)
        report[room.name] = {
            "events_published": len(room.published), "handled": stats.get("handled", 0),
            "duplicates": stats.get("handled", 0) - len(handled), "lost": len(expected - handled),
            "pending": pending, "skipped": stats.get("skipped", 0), "kills": room.kills, "exits": room.exits,
            "comments_answered": len(answered), "replies_duplicated": sum(1 for c in answered.values() if c > 1),
            "handled_twice_warnings": logs.count("room event handled twice"),
        }
        assert handled == expected and pending == 0, report[room.name]
        assert stats["handled"] == len(room.published), report[room.name]  # no handling committed twice
        assert report[room.name]["replies_duplicated"] == 0 and report[room.name]["handled_twice_warnings"] == 0
        assert set(answered) <= set(room.comments) and len(answered) > 0, report[room.name]
    print(json.dumps({"seconds": round(time.monotonic() - started, 1), **report}))
    assert sum(r.kills for r in rooms.values()) == 2 * KILLS_PER_ROOM


async def some_reply(room: Room) -> None:
    while not any(replies(w) for w in room.workers):
        await asyncio.sleep(0.2)


async def drained(stream: RoomStream, room: Room) -> None:
    while True:
        handled = await stream.client.scard(stream.keys.handled)
        pending = int((await stream.client.xpending(stream.keys.events, stream.group))["pending"])
        if handled >= len(room.published) and pending == 0:
            return
        await asyncio.sleep(0.05)


def replies(worker: Worker) -> list[dict[str, str]]:
    """Every comment a reply of ``worker`` answered, from its on-air record."""
    path = worker.folder / "data" / "onair.sqlite3"
    if not path.exists():
        return []
    record = OnAirRecord(path, show_id="check")
    try:
        rows = record.search(kind="reply", limit=1000)
    finally:
        record.close()
    answered: list[dict[str, str]] = []
    for row in rows:
        comments: Any = row.get("comments") or ([row["comment"]] if row.get("comment") else [])
        answered += comments
    return answered
