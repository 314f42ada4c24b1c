"""TikTok connector (TikTokLive underneath) against a local sign server and webcast push server."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import logging
import random

import pytest

from agent.app.platform_commands import run_listen
from agent.clock import LoopClock
from agent.errors import FatalError
from agent.events import EventKind
from agent.settings import Settings
from connectors.platforms.tiktok import TikTokSource
from connectors.platforms.tiktok_events import Control, decode
from testkit.tiktok_server import (
    ROOM_ID,
    UNIQUE_ID,
    FakeTikTok,
    chat,
    control,
    fetch_result,
    gift,
    like,
    member,
    pb,
    push_frame,
    social,
    viewers,
)
from tests.connectors.helpers import make_settings, nothing_more, take


def source(fake: FakeTikTok, room: str = "@" + UNIQUE_ID, **kw: object) -> TikTokSource:
    s = make_settings(**{"room": room, "endpoint": fake.endpoint, "idle_timeout_s": 5.0, **kw})
    return TikTokSource(s, LoopClock(), rng=random.Random(5))


async def test_sign_enter_room_and_every_kind_with_acks_and_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEHOST_TIKTOK_SIGN_API_KEY", "k-123")
    async with FakeTikTok(api_key="k-123").running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_sessions(1)
            assert fake.page_calls == 1  # the room id came from the creator's live page
            assert fake.sign_calls[0]["room_id"] == str(ROOM_ID) and fake.sign_calls[0]["client"] == "ttlive-python"
            conn = fake.live[0]
            assert conn.entered == [ROOM_ID] and "ttwid=tw-1" in conn.cookie
            assert conn.query["compress"] == "gzip" and conn.query["internal_ext"] == "ext-1"
            log_id = await fake.push(
                chat(11, 7, "Ann", "How much is the scarf?", "ann01"),
                gift(12, 8, "Bo", "Rose", 1, 3, end=False),  # a streak in progress: not yet
                gift(13, 8, "Bo", "Rose", 1, 5, end=True),  # the streak's end: one gift of 5
                gift(14, 9, "Cy", "Galaxy", 1000, 1, end=False, streakable=False),
                like(15, 10, "Di", 15),
                member(16, 11, "Ed"),
                social(17, 12, "Fi", 1),
                social(18, 13, "Gu", 3),  # a share: no event kind
                viewers(19, 321),  # viewer counts: not an event
            )
            await fake.push(chat(20, 14, "Hu", "没压缩的帧"), compress=False)
            evs = await take(src, 7)
            assert [e.kind for e in evs] == [EventKind.COMMENT, EventKind.GIFT, EventKind.GIFT, EventKind.LIKE,
                                             EventKind.JOIN, EventKind.FOLLOW, EventKind.COMMENT]
            c = evs[0]
            assert (c.user.id, c.user.name, c.text, c.platform, c.room) == ("7", "Ann", "How much is the scarf?",
                                                                            "tiktok", UNIQUE_ID)
            assert c.message_id == "11" and c.sent_at == 1_764_000_000.0 and c.extra["unique_id"] == "ann01"
            rose, galaxy = evs[1].gift, evs[2].gift
            assert rose is not None and (rose.name, rose.count, rose.value, rose.currency) == ("Rose", 5, 5.0, "coins")
            assert galaxy is not None and (galaxy.count, galaxy.value) == (1, 1000.0)
            assert evs[3].count == 15 and evs[6].text == "没压缩的帧"
            await fake.wait_for(lambda: log_id in fake.acks and fake.heartbeats >= 2)
        finally:
            await src.aclose()


async def test_numeric_room_id_skips_the_live_page() -> None:
    async with FakeTikTok().running() as fake:
        src = source(fake, room=str(ROOM_ID))
        try:
            src.start()
            await fake.wait_sessions(1)
            assert fake.page_calls == 0 and fake.live[0].entered == [ROOM_ID]
        finally:
            await src.aclose()


async def test_history_is_skipped_on_join_and_reconnect_fills_the_gap_without_duplicates() -> None:
    old = chat(1, 5, "Old", "asked before we joined")
    async with FakeTikTok(history=[old]).running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_sessions(1)
            await fake.push(chat(11, 7, "Ann", "first"))
            assert [e.text for e in await take(src, 1)] == ["first"]
            await fake.drop()
            # while we were away: 11 again (at-least-once) and 12 (missed); the sign step hands them over
            fake.history = [old, chat(11, 7, "Ann", "first"), chat(12, 7, "Ann", "missed while away")]
            await fake.wait_sessions(2)
            assert len(fake.sign_calls) == 2  # signed URLs expire: every reconnect signs again
            await fake.push(chat(12, 7, "Ann", "missed while away"), chat(13, 7, "Ann", "after"))
            assert [e.text for e in await take(src, 2)] == ["missed while away", "after"]
            await nothing_more(src)
        finally:
            await src.aclose()


async def test_malformed_frames_and_payloads_are_logged_and_skipped_connection_kept(
        caplog: pytest.LogCaptureFixture) -> None:
    async with FakeTikTok().running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_sessions(1)
            with caplog.at_level(logging.WARNING, logger="connectors.platforms.tiktok"):
                await fake.send_raw(b"\x0a\xff\xff\xff")  # not a push frame
                bad_gzip = push_frame(5, "msg", b"not gzip at all", {"compress_type": "gzip"})
                await fake.send_raw(bad_gzip)
                await fake.push(("WebcastChatMessage", b"\xff" * 11), chat(30, 7, "Ann", "still here"))
                evs = await take(src, 1)
            assert evs[0].text == "still here"
            assert src.malformed == 3 and fake.sessions == 1 and len(fake.live) == 1
            assert sum("skipped" in r.getMessage() for r in caplog.records) == 3
        finally:
            await src.aclose()


async def test_sign_rate_limit_waits_then_connects() -> None:
    async with FakeTikTok().running() as fake:
        fake.rate_limit_next = 2
        src = source(fake)
        try:
            src.start()
            await fake.wait_sessions(1)
            assert len(fake.sign_calls) == 3
        finally:
            await src.aclose()


async def test_silent_connection_is_closed_by_the_watchdog_and_reconnected() -> None:
    async with FakeTikTok(ping_interval_s=5.0).running() as fake:
        src = source(fake, idle_timeout_s=0.3)
        try:
            src.start()
            await fake.wait_sessions(1)
            fake.silent = True
            await fake.wait_sessions(2)
            assert src.connections == 2
        finally:
            await src.aclose()


async def test_stream_end_ends_the_event_stream() -> None:
    async with FakeTikTok().running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_sessions(1)
            await fake.push(chat(40, 7, "Ann", "bye"), control(41, 3))
            agen = src.events()
            assert (await anext(agen)).text == "bye"
            with pytest.raises(StopAsyncIteration):
                async with asyncio.timeout(4):
                    await anext(agen)
            assert src.ended
        finally:
            await src.aclose()


async def test_unknown_creator_is_fatal() -> None:
    async with FakeTikTok().running() as fake:
        src = source(fake, room="@nobody_here")
        try:
            with pytest.raises(FatalError, match="nobody_here"):
                await take(src, 1)
        finally:
            await src.aclose()


def test_missing_room_is_a_config_error() -> None:
    with pytest.raises(FatalError, match="room"):
        TikTokSource(make_settings(room=""), LoopClock())


def test_decoder_reads_the_wire_format_of_the_protocol_notes() -> None:
    method, payload = chat(1, 2, "Nina", "Prix ?")
    ev = decode(method, payload, "r", 3.0)
    assert ev is not None and not isinstance(ev, Control) and (ev.text, ev.time) == ("Prix ?", 3.0)
    assert decode(*control(2, 3), "r", 0.0) is Control.ENDED
    assert decode(*control(2, 1), "r", 0.0) is None  # paused is not the end
    assert decode("WebcastLinkMicBattle", pb((1, b"")), "r", 0.0) is None
    # a gzip ProtoMessageFetchResult round-trips through the fake's encoder
    assert gzip.decompress(gzip.compress(fetch_result([chat(1, 2, "x", "y")]))).startswith(b"\x0a")


async def test_listen_prints_tiktok_events_as_jsonl() -> None:
    async with FakeTikTok().running() as fake:
        out = io.StringIO()

        async def feed() -> None:
            await fake.wait_sessions(1)
            await fake.push(chat(50, 7, "Ann", "hello"), like(51, 8, "Bo", 3))

        task = asyncio.create_task(feed())
        settings = Settings()
        await asyncio.wait_for(run_listen(settings, ["tiktok"], str(ROOM_ID), fake.endpoint, True, 2, out), 10)
        await task
        lines = [json.loads(x) for x in out.getvalue().splitlines()]
        assert [(d["type"], d["platform"], d["room"]) for d in lines] == [
            ("comment", "tiktok", str(ROOM_ID)), ("like", "tiktok", str(ROOM_ID))]
        assert lines[0]["text"] == "hello" and lines[1]["count"] == 3
