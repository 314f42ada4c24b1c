"""Twitch EventSub connector against the local EventSub + Helix fake."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from agent.clock import LoopClock
from agent.errors import FatalError
from agent.events import EventKind
from connectors.platforms.twitch_eventsub import TwitchEventSubSource
from connectors.platforms.twitch_eventsub_events import parse_time
from testkit.twitch_server import FakeEventSub
from tests.connectors.helpers import make_settings, nothing_more, take

CHAT = {"broadcaster_user_id": "100", "chatter_user_id": "7", "chatter_user_login": "ann",
        "chatter_user_name": "Ann", "message_id": "cm-1", "message": {"text": "is it waterproof?"},
        "message_type": "text", "cheer": None}
RESUB = {"broadcaster_user_id": "100", "chatter_user_id": "8", "chatter_user_name": "Bo", "chatter_is_anonymous":
         False, "notice_type": "resub", "system_message": "Bo resubscribed", "message": {"text": "love it"},
         "resub": {"cumulative_months": 4, "sub_tier": "2000", "is_prime": False}}
GIFTS = {"chatter_user_id": "9", "chatter_user_name": "Cy", "notice_type": "community_sub_gift",
         "community_sub_gift": {"id": "g", "total": 3, "sub_tier": "1000"}}
RAID = {"chatter_user_id": "10", "chatter_user_name": "Dee", "notice_type": "raid",
        "raid": {"user_id": "10", "user_name": "Dee", "user_login": "dee", "viewer_count": 25}}
CHEER = {"is_anonymous": False, "user_id": "11", "user_login": "ed", "user_name": "Ed", "message": "Cheer50 hi",
         "bits": 50}
FOLLOW = {"user_id": "12", "user_login": "fay", "user_name": "Fay", "followed_at": "2026-11-25T12:00:01.5Z"}


def source(fake: FakeEventSub, monkeypatch: pytest.MonkeyPatch, **kw: object) -> TwitchEventSubSource:
    monkeypatch.setenv("TW_ES_TOKEN", "user-token")
    monkeypatch.setenv("TW_ES_CLIENT", "client-1")
    s = make_settings(room="100", endpoint=fake.ws_url, helix_url=fake.helix_url, token_env="TW_ES_TOKEN",
                      client_id_env="TW_ES_CLIENT", **kw)
    return TwitchEventSubSource(s, LoopClock(), rng=random.Random(2))


def test_nanosecond_timestamps_parse() -> None:
    assert parse_time("2026-11-25T12:00:00.123456789Z") == pytest.approx(1795608000.123456)
    assert parse_time("garbage") is None


async def test_welcome_subscribe_and_every_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeEventSub().running() as fake:
        src = source(fake, monkeypatch)
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.subscriptions) == 4)
            chat = fake.subscriptions[0]
            assert chat["type"] == "channel.chat.message"
            assert chat["condition"] == {"broadcaster_user_id": "100", "user_id": "100"}
            assert chat["transport"] == {"method": "websocket", "session_id": "sess-1"}
            assert fake.subscriptions[3]["version"] == "2"
            cases: list[tuple[str, dict[str, Any]]] = [
                ("channel.chat.message", CHAT), ("channel.chat.notification", RESUB),
                ("channel.chat.notification", GIFTS), ("channel.chat.notification", RAID),
                ("channel.cheer", CHEER), ("channel.follow", FOLLOW)]
            for sub_type, ev in cases:
                await fake.notify(sub_type, ev)
            evs = await take(src, 6)
            assert [e.kind for e in evs] == [EventKind.COMMENT, EventKind.GIFT, EventKind.GIFT, EventKind.JOIN,
                                             EventKind.GIFT, EventKind.FOLLOW]
            assert evs[0].text == "is it waterproof?" and evs[0].user.name == "Ann"
            assert evs[0].extra["chat_message_id"] == "cm-1" and evs[0].sent_at is not None
            assert evs[1].text == "love it" and evs[1].gift is not None and evs[1].gift.value == 9.99
            assert evs[2].gift is not None and evs[2].gift.count == 3
            assert evs[3].count == 25
            assert evs[4].gift is not None and evs[4].gift.value == 0.5
            assert evs[5].sent_at == pytest.approx(1795608001.5)
        finally:
            await src.aclose()


async def test_redelivery_is_deduplicated_and_bad_messages_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeEventSub().running() as fake:
        src = source(fake, monkeypatch, subscriptions="channel.chat.message")
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.subscriptions) == 1)
            mid = await fake.notify("channel.chat.message", CHAT)
            await fake.notify("channel.chat.message", CHAT, message_id=mid)
            await fake.send_raw("{broken")
            await fake.send_raw(json.dumps(fake.envelope("notification", {"event": {}}, "channel.chat.message")))
            await fake.notify("channel.chat.message", {**CHAT, "message": {"text": "next"}})
            assert [e.text for e in await take(src, 2)] == ["is it waterproof?", "next"]
            await nothing_more(src)
            assert len(fake.welcomed) == 1
        finally:
            await src.aclose()


async def test_session_reconnect_moves_without_resubscribing(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeEventSub().running() as fake:
        src = source(fake, monkeypatch, subscriptions="channel.chat.message")
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.subscriptions) == 1)
            await fake.move()
            await fake.wait_for(lambda: "sess-2" in fake.sessions and "sess-1" not in fake.sessions)
            await fake.notify("channel.chat.message", CHAT)
            assert len(await take(src, 1)) == 1
            assert len(fake.subscriptions) == 1
            await fake.revoke("channel.chat.message")
            await nothing_more(src)
            assert src.revoked == ["channel.chat.message"]
        finally:
            await src.aclose()


async def test_missed_keepalive_and_drop_reconnect_and_resubscribe(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeEventSub(keepalive_s=1)
    async with fake.running():
        src = source(fake, monkeypatch, subscriptions="channel.cheer", keepalive_grace_s=-0.8)
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.subscriptions) == 1)
            fake.send_keepalives = False  # the watchdog fires after 0.2 s
            await fake.wait_for(lambda: len(fake.subscriptions) == 2)
            fake.send_keepalives = True
            await fake.drop()
            await fake.wait_for(lambda: len(fake.subscriptions) == 3)
            assert [s["transport"]["session_id"] for s in fake.subscriptions] == ["sess-1", "sess-2", "sess-3"]
        finally:
            await src.aclose()


async def test_subscribe_rate_limit_then_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeEventSub(subscribe_deadline_s=0.3)
    fake.rate_limited = 2
    async with fake.running():
        src = source(fake, monkeypatch, subscriptions="channel.cheer", rate_limit_wait_s=0.02)
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.subscriptions) == 1)
            assert fake.rate_limited == 0
        finally:
            await src.aclose()


async def test_bad_token_is_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeEventSub(token="other").running() as fake:
        src = source(fake, monkeypatch)
        with pytest.raises(FatalError):
            await take(src, 1)
        await src.aclose()
