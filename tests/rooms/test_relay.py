"""``livehost relay``: a room's platform events onto its stream, in the chat-log format, retried while the
broker is unreachable."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError

from agent.clock import LoopClock
from agent.events import Event, EventKind, User
from agent.toolbox.backoff import Backoff
from connectors.rooms.relay import relay
from connectors.rooms.stream import RoomStream, decode_event
from tests.rooms.workers import livehost, stop_all, write_settings

CHAT = [
    {"t": 0.0, "type": "comment", "user": "ana", "text": "How much is the linen shirt?", "id": "p-1"},
    {"t": 0.1, "type": "gift", "user": "bo", "gift": {"name": "rose", "count": 2, "value": 0.2}},
    {"t": 0.2, "type": "comment", "user": "cy", "text": "hello!"},
]


async def published(client: aioredis.Redis, key: str) -> list[Event]:
    entries: Any = await client.xrange(key)
    return [decode_event(fields) for _, fields in entries]


class Listed:
    name = "listed"

    def __init__(self, events: list[Event]) -> None:
        self._events = events

    async def events(self) -> AsyncIterator[Event]:
        for e in self._events:
            yield e

    async def aclose(self) -> None:
        return None


async def test_the_relay_command_publishes_a_rooms_platform_events_with_their_message_ids(
        tmp_path: Path, redis_url: str, client: aioredis.Redis) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text("\n".join(json.dumps(c) for c in CHAT), encoding="utf-8")
    settings = write_settings(tmp_path / "relay", redis_url=redis_url,
                              extra=f'[platforms.replay]\nenabled = true\nlog = "{chat}"\nspeed = 20.0\n'
                                    "loop = false\n")
    log = tmp_path / "relay.log"
    proc = await livehost(settings, "relay", "--room", "shop1", log=log)
    try:
        assert await asyncio.wait_for(proc.wait(), 60) == 0, log.read_text()
    finally:
        await stop_all([proc], grace_s=5.0)
    assert json.loads(log.read_text().strip().splitlines()[-1]) == {"room": "shop1", "published": 3}
    events = await published(client, "livehost:room:shop1:events")
    assert [(e.kind, e.user.name, e.text, e.message_id) for e in events] == [
        (EventKind.COMMENT, "ana", "How much is the linen shirt?", "p-1"),  # the platform's id, kept
        (EventKind.GIFT, "bo", "", "chat.jsonl:2"),
        (EventKind.COMMENT, "cy", "hello!", "chat.jsonl:3"),
    ]
    assert events[1].gift is not None and events[1].gift.count == 2
    assert [g["name"] for g in await client.xinfo_groups("livehost:room:shop1:events")] == ["livehost"]


async def test_the_relay_publishes_the_same_event_again_after_the_broker_comes_back(
        client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    stream = RoomStream(client, "shop1")
    publish = stream.publish
    failures = [2]

    async def flaky(event: Event) -> str:
        if failures[0]:
            failures[0] -= 1
            raise RedisConnectionError("connection refused")
        return await publish(event)

    monkeypatch.setattr(stream, "publish", flaky)
    events = [Event(EventKind.COMMENT, User("u", "u"), text=f"q{n}", message_id=f"m{n}") for n in (1, 2)]
    stats = await relay([Listed(events)], stream, LoopClock(), backoff=Backoff(initial_s=0.01, jitter=0.0))
    assert stats.published == 2
    assert [e.message_id for e in await published(client, stream.keys.events)] == ["m1", "m2"]
    assert [r.getMessage() for r in caplog.records].count("room stream unreachable; reconnecting after backoff") == 2
