"""A room's events on a Redis stream: keys, encoding, publishing, the consumer group, reading, acknowledging.

Keys of room ``R`` (``R`` is the room's name):

- ``livehost:room:R:events``: the stream; each entry's field ``event`` holds one event as JSON, in the chat-log
  format (what ``livehost listen --json`` prints and the replay source reads back, platform message id kept);
- ``livehost:room:R:handled``: the ids of the events handled (a set, expiring ``handled_ttl_s`` after the last);
- ``livehost:room:R:stats``: counters (``handled``: handlings committed, ``skipped``: deliveries of events
  already handled, ``undecodable``: entries that were not an event);
- ``livehost:room:R:lease``: which worker holds the room (:mod:`connectors.rooms.lease`).

An event's handled id is its de-duplication key (platform, room, platform message id), so the same platform
message published twice (a connector's at-least-once delivery, a relay restarted) is handled once; an event
without a message id is known by its stream entry id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError, WatchError
from redis.exceptions import TimeoutError as RedisTimeoutError

from agent.events import Event
from agent.settings import RoomsSettings

log = logging.getLogger(__name__)

# What a lost broker looks like: retried with backoff. Anything else is a bug and surfaces.
RETRYABLE: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, OSError)

FIELD = "event"
AUTOCLAIM_COUNT = 100


def open_client(settings: RoomsSettings) -> aioredis.Redis:
    """A client on ``rooms.redis_url`` (connections are made on first use). A command's socket wait is bounded
    by the broker's own read block plus the lease time, so a silent network cannot hang a worker."""
    return aioredis.Redis.from_url(settings.redis_url, decode_responses=True,
                                   socket_timeout=settings.block_ms / 1000 + settings.lease_s,
                                   socket_connect_timeout=settings.lease_s)


@dataclass(frozen=True, slots=True)
class RoomKeys:
    room: str

    @property
    def prefix(self) -> str:
        return f"livehost:room:{self.room}"

    @property
    def events(self) -> str:
        return f"{self.prefix}:events"

    @property
    def handled(self) -> str:
        return f"{self.prefix}:handled"

    @property
    def stats(self) -> str:
        return f"{self.prefix}:stats"

    @property
    def lease(self) -> str:
        return f"{self.prefix}:lease"


@dataclass(frozen=True, slots=True)
class Entry:
    """One stream entry: its id, its event (None when the entry is not one) and when it was published (Unix
    seconds on the broker's clock: the id's milliseconds)."""

    stream_id: str
    event: Event | None

    @property
    def published(self) -> float:
        return int(self.stream_id.partition("-")[0]) / 1000

    @property
    def handled_id(self) -> str:
        if self.event is not None and self.event.message_id:
            return self.event.key
        return f"stream:{self.stream_id}"


def encode_event(event: Event) -> dict[str, str]:
    """The entry's fields: the event as one JSON object in the chat-log format."""
    return {FIELD: json.dumps(event.to_dict(), ensure_ascii=False)}


def decode_event(fields: Mapping[str, str]) -> Event:
    """The event of an entry; ``ValueError`` (or ``KeyError``/``TypeError``) naming what is wrong."""
    raw = fields.get(FIELD)
    if raw is None:
        raise ValueError(f"entry has no '{FIELD}' field")
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("an event must be a JSON object")
    return Event.from_dict(data)


def _entry(stream_id: str, fields: Mapping[str, str] | None) -> Entry:
    try:
        return Entry(stream_id, decode_event(fields or {}))
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("room stream entry is not an event", extra={"stream_id": stream_id, "error": str(exc)[:200]})
        return Entry(stream_id, None)


class RoomStream:
    """One room's stream and its consumer group, on ``client``."""

    def __init__(self, client: aioredis.Redis, room: str, *, group: str = "livehost", maxlen: int = 100_000,
                 handled_ttl_s: int = 86_400) -> None:
        if not room:
            raise ValueError("a room needs a name")
        self.client = client
        self.keys = RoomKeys(room)
        self.group = group
        self._maxlen = maxlen
        self._ttl = handled_ttl_s

    @classmethod
    def of(cls, client: aioredis.Redis, room: str, settings: RoomsSettings) -> RoomStream:
        return cls(client, room, group=settings.group, maxlen=settings.stream_maxlen,
                   handled_ttl_s=settings.handled_ttl_s)

    async def publish(self, event: Event) -> str:
        """Append ``event`` (the stream is trimmed to about ``maxlen`` entries); returns its entry id."""
        fields: Any = encode_event(event)
        return str(await self.client.xadd(self.keys.events, fields, maxlen=self._maxlen, approximate=True))

    async def ensure_group(self) -> None:
        """Create the room's consumer group (and stream) unless it exists. It starts at the stream's beginning,
        so nothing published before the first worker came is missed."""
        try:
            await self.client.xgroup_create(self.keys.events, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read(self, consumer: str, *, count: int, block_ms: int) -> list[Entry]:
        """New entries for ``consumer`` (delivered to no one before), waiting at most ``block_ms``."""
        reply = await self.client.xreadgroup(self.group, consumer, {self.keys.events: ">"}, count=count,
                                             block=block_ms)
        return [_entry(sid, fields) for _, entries in _streams(reply) for sid, fields in entries]

    async def autoclaim(self, consumer: str, *, min_idle_ms: int) -> list[Entry]:
        """Take over every entry delivered to another consumer (a worker gone) and not acknowledged for
        ``min_idle_ms``; entries trimmed away meanwhile are dropped from the pending list by the broker."""
        claimed: list[Entry] = []
        cursor = "0-0"
        while True:
            reply = await self.client.xautoclaim(self.keys.events, self.group, consumer, min_idle_ms,
                                                 start_id=cursor, count=AUTOCLAIM_COUNT)
            cursor, entries = str(reply[0]), reply[1]
            claimed += [_entry(sid, fields) for sid, fields in entries if sid]
            if len(reply) > 2 and reply[2]:
                log.warning("room events trimmed before they were handled",
                            extra={"room": self.keys.room, "lost": len(reply[2])})
            if cursor == "0-0":
                return claimed

    async def handled_among(self, entries: Sequence[Entry]) -> set[str]:
        """The handled ids of ``entries`` that are handled already."""
        if not entries:
            return set()
        ids = [e.handled_id for e in entries]
        found = await self.client.smismember(self.keys.handled, ids)
        return {i for i, yes in zip(ids, found, strict=True) if yes}

    async def commit(self, entry: Entry, fence: tuple[str, str] | None = None) -> bool:
        """``entry`` was handled: acknowledge it and remember its id, in one transaction (MULTI). With ``fence``
        (the lease's key and this worker's token) only while the lease is this worker's (WATCHed: a renewal or a
        takeover in between retries the check); False, and nothing written, when it is not. A worker stalled
        past its lease thus leaves the event to the one that took the room over."""
        async with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    if fence is not None:
                        await pipe.watch(fence[0])
                        if await pipe.get(fence[0]) != fence[1]:
                            log.warning("room event left to the worker that took the room over",
                                        extra={"room": self.keys.room, "event": entry.handled_id})
                            return False
                        pipe.multi()
                    pipe.xack(self.keys.events, self.group, entry.stream_id)
                    pipe.sadd(self.keys.handled, entry.handled_id)
                    pipe.expire(self.keys.handled, self._ttl)
                    pipe.hincrby(self.keys.stats, "handled", 1)
                    pipe.expire(self.keys.stats, self._ttl)
                    _, added, *_ = await pipe.execute()
                    break
                except WatchError:
                    continue
        if not added:
            log.warning("room event handled twice", extra={"room": self.keys.room, "event": entry.handled_id})
        return True

    async def skip(self, entry: Entry, reason: str) -> None:
        """Acknowledge an entry that is not handled (``reason``: "skipped", already handled; "undecodable")."""
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.xack(self.keys.events, self.group, entry.stream_id)
            pipe.hincrby(self.keys.stats, reason, 1)
            pipe.expire(self.keys.stats, self._ttl)
            await pipe.execute()

    async def server_time(self) -> float:
        """The broker's clock (Unix seconds), which stamps entry ids."""
        seconds, micros = await self.client.time()
        return int(seconds) + int(micros) / 1_000_000

    async def prune_consumers(self, keep: str) -> int:
        """Forget the group's consumers (workers gone) that hold no pending entry; returns how many."""
        gone = 0
        for c in await self.client.xinfo_consumers(self.keys.events, self.group):
            if c["name"] != keep and int(c["pending"]) == 0:
                gone += int(await self.client.xgroup_delconsumer(self.keys.events, self.group, c["name"]) >= 0)
        return gone

    async def stats(self) -> dict[str, int]:
        raw = await self.client.hgetall(self.keys.stats)
        return {str(k): int(v) for k, v in raw.items()}


def _streams(reply: Any) -> list[tuple[str, list[tuple[str, Mapping[str, str] | None]]]]:
    """XREADGROUP's reply (RESP2) as ``[(stream, [(id, fields)])]``; None when the wait ran out."""
    return [(str(k), list(v)) for k, v in reply or []]
