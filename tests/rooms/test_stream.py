"""A room's stream on a real Redis: the event format, the consumer group, acknowledgement after handling, the
take-over of a dead worker's unacknowledged events, and never handling an event twice."""

from __future__ import annotations

import json
import time
from pathlib import Path

import redis.asyncio as aioredis

from agent.app.platform_commands import format_event
from agent.clock import VirtualClock
from agent.events import Event, EventKind, Gift, User
from connectors.platforms.replay import read_log
from connectors.rooms.source import RoomSource
from connectors.rooms.stream import Entry, RoomStream, decode_event, encode_event

ROOM = "r1"


def comment(n: int, text: str = "How much is the linen shirt?", room: str = ROOM) -> Event:
    return Event(EventKind.COMMENT, User(f"u{n}", f"viewer{n}"), platform="tiktok", room=room, text=f"{text} #{n}",
                 message_id=f"m{n}", time=float(n))


def source(stream: RoomStream, clock: VirtualClock, consumer: str = "w1", held: list[bool] | None = None,
           lease_s: float = 10.0, wall: float | None = None) -> RoomSource:
    flag = held if held is not None else [True]
    return RoomSource(stream, lambda: flag[0], clock, consumer=consumer, lease_s=lease_s, block_ms=50,
                      wall=time.time if wall is None else (lambda: wall))


async def pending(stream: RoomStream) -> int:
    return int((await stream.client.xpending(stream.keys.events, stream.group))["pending"])


async def left_idle(stream: RoomStream, consumer: str, entries: list[Entry], ms: int = 60_000) -> None:
    """``entries``, read by ``consumer``, as if unacknowledged for ``ms`` (XCLAIM's IDLE): a dead worker's events
    are old enough to take over without the test waiting, and however fast the next call comes."""
    await stream.client.xclaim(stream.keys.events, stream.group, consumer, 0, [e.stream_id for e in entries],
                               idle=ms)


async def handled(stream: RoomStream) -> set[str]:
    return {str(m) for m in await stream.client.smembers(stream.keys.handled)}


def test_an_event_keeps_every_field_through_the_stream_in_the_chat_log_format(tmp_path: Path) -> None:
    event = Event(EventKind.GIFT, User("42", "Ana"), platform="bilibili", room="123", text="for you",
                  gift=Gift("rose", 5, 0.5, "CNY"), message_id="b-77", time=12.5, sent_at=1_700_000_000.25,
                  extra={"medal": "fan"})
    fields = encode_event(event)
    assert decode_event(fields) == event and decode_event(fields).extra == {"medal": "fan"}
    # the same line `livehost listen --json` prints, and what the replay source reads back
    assert json.loads(fields["event"]) == json.loads(format_event(event, True))
    log = tmp_path / "chat.jsonl"
    log.write_text(fields["event"] + "\n", encoding="utf-8")
    assert read_log(log) == [event]


def test_an_entry_is_known_by_its_platform_message_id_or_else_by_its_stream_id() -> None:
    assert Entry("1700000000123-0", comment(1)).handled_id == "tiktok:r1:m1"
    anonymous = Event(EventKind.LIKE, User("u", "u"), room=ROOM)
    assert Entry("1700000000123-4", anonymous).handled_id == "stream:1700000000123-4"
    assert Entry("1700000000123-4", None).published == 1_700_000_000.123


async def test_the_worker_acknowledges_an_event_only_when_it_asks_for_the_next_one(
        client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM)
    for n in (1, 2):
        await stream.publish(comment(n))
    src = source(stream, VirtualClock())
    events = src.events()
    first = await anext(events)
    assert first.text == "How much is the linen shirt? #1" and first.message_id == "m1"
    assert await pending(stream) == 2 and await handled(stream) == set()  # being handled: not acknowledged
    second = await anext(events)
    assert second.message_id == "m2"
    assert await handled(stream) == {"tiktok:r1:m1"} and await pending(stream) == 1
    await src.aclose()  # a clean stop acknowledges the last one handled
    assert await handled(stream) == {"tiktok:r1:m1", "tiktok:r1:m2"} and await pending(stream) == 0
    assert await stream.stats() == {"handled": 2}
    assert await client.ttl(stream.keys.handled) > 86_000
    await events.aclose()


async def test_an_event_published_twice_is_handled_once(client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM)
    for n in (1, 1, 2):  # the platform delivered m1 twice; the relay published both
        await stream.publish(comment(n))
    src = source(stream, VirtualClock())
    events = src.events()
    got = [(await anext(events)).message_id, (await anext(events)).message_id]
    await src.aclose()
    await events.aclose()
    assert got == ["m1", "m2"]
    assert await stream.stats() == {"handled": 2, "skipped": 1} and await pending(stream) == 0


async def test_a_new_worker_takes_over_the_events_a_dead_worker_read_but_never_acknowledged(
        client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM)
    await stream.ensure_group()
    for n in (1, 2, 3):
        await stream.publish(comment(n))
    read = await stream.read("dead", count=2, block_ms=10)
    assert [e.event.message_id for e in read if e.event] == ["m1", "m2"]
    # not yet idle for the lease time: still the dead worker's
    assert await stream.autoclaim("w2", min_idle_ms=60_000) == []
    await left_idle(stream, "dead", read)
    src = source(stream, VirtualClock(), consumer="w2", lease_s=10.0)
    events = src.events()
    got = [(await anext(events)).message_id for _ in range(3)]
    await src.aclose()
    await events.aclose()
    assert got == ["m1", "m2", "m3"]  # the claimed ones first, then the new one
    assert await handled(stream) == {"tiktok:r1:m1", "tiktok:r1:m2", "tiktok:r1:m3"} and await pending(stream) == 0
    assert [c["name"] for c in await client.xinfo_consumers(stream.keys.events, stream.group)] == ["w2"]


async def test_an_event_handled_but_not_acknowledged_is_skipped_after_takeover(client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM)
    await stream.ensure_group()
    for n in (1, 2):
        await stream.publish(comment(n))
    [entry] = await stream.read("dead", count=1, block_ms=10)
    # the state a worker leaves when its handling of m1 is on record but its acknowledgement never came
    await client.sadd(stream.keys.handled, entry.handled_id)
    await left_idle(stream, "dead", [entry])
    src = source(stream, VirtualClock(), consumer="w2", lease_s=10.0)
    events = src.events()
    assert (await anext(events)).message_id == "m2"  # m1 is not handled again
    await src.aclose()
    await events.aclose()
    assert await pending(stream) == 0 and await stream.stats() == {"handled": 1, "skipped": 1}


async def test_a_worker_that_lost_the_room_stops_reading_and_leaves_its_event_to_the_next(
        client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM)
    for n in (1, 2):
        await stream.publish(comment(n))
    held = [True]
    src = source(stream, VirtualClock(), held=held)
    events = src.events()
    assert (await anext(events)).message_id == "m1"
    held[0] = False  # another worker holds the room now
    assert [e async for e in events] == []
    await src.aclose()
    # m1 (and m2, read in the same batch) wait for the new holder's claim
    assert await handled(stream) == set() and await pending(stream) == 2


async def test_nothing_is_read_while_the_worker_does_not_hold_the_room(client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM)
    await stream.publish(comment(1))
    src = source(stream, VirtualClock(), held=[False])
    assert [e async for e in src.events()] == []
    assert await client.exists(stream.keys.handled) == 0 and await client.xinfo_groups(stream.keys.events) == []


async def test_an_event_that_waited_in_the_stream_reaches_the_show_as_old_as_it_is(
        client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM)
    await stream.publish(comment(1))
    clock = VirtualClock(start=1000.0)
    server_now = await stream.server_time()
    src = source(stream, clock, wall=server_now + 30.0)  # this machine's clock reads 30 s after the broker's
    events = src.events()
    event = await anext(events)
    await src.aclose()
    await events.aclose()
    assert 999.0 < event.time <= 1000.0  # the offset to the broker's clock is measured: only the real wait counts


async def test_an_entry_that_is_not_an_event_is_acknowledged_and_left_out(client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM)
    await client.xadd(stream.keys.events, {"event": "{not json"})
    await stream.publish(comment(2))
    src = source(stream, VirtualClock())
    events = src.events()
    assert (await anext(events)).message_id == "m2"
    await src.aclose()
    await events.aclose()
    assert await stream.stats() == {"handled": 1, "undecodable": 1} and await pending(stream) == 0


async def test_a_room_stream_is_trimmed_to_about_its_maximum_length(client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM, maxlen=100)
    for n in range(1000):
        await stream.publish(comment(n))
    assert 100 <= await client.xlen(stream.keys.events) < 1000


async def test_a_worker_stalled_past_its_lease_does_not_acknowledge_what_the_new_holder_owns(
        client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM)
    for n in (1, 2):
        await stream.publish(comment(n))
    await client.set(stream.keys.lease, "w1", px=30_000)
    src = RoomSource(stream, lambda: True, VirtualClock(), consumer="w1", lease_s=10.0, block_ms=50,
                     fence=(stream.keys.lease, "w1"))
    events = src.events()
    assert (await anext(events)).message_id == "m1"
    await client.set(stream.keys.lease, "w2", px=30_000)  # w1 stalled; its lease expired and w2 took the room
    assert [e async for e in events] == []  # w1 reads no more
    assert await handled(stream) == set() and await pending(stream) == 2  # m1 and m2 are left to w2's claim
    [entry, _] = await stream.autoclaim("w2", min_idle_ms=0)
    assert await stream.commit(entry, (stream.keys.lease, "w2"))  # the holder's own commit goes through
    assert await handled(stream) == {"tiktok:r1:m1"}


async def test_a_stream_lost_with_its_group_is_made_again_and_reading_goes_on(client: aioredis.Redis) -> None:
    stream = RoomStream(client, ROOM)
    await stream.publish(comment(1))
    src = source(stream, VirtualClock())
    events = src.events()
    assert (await anext(events)).message_id == "m1"
    await client.delete(stream.keys.events)  # the broker restarted without persistence
    await stream.publish(comment(2))
    assert (await anext(events)).message_id == "m2"
    await src.aclose()
    await events.aclose()
    assert await handled(stream) == {"tiktok:r1:m1", "tiktok:r1:m2"}
