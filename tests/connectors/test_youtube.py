"""YouTube poller against the fake Data API replaying the real recorded responses, on virtual time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from agent.clock import VirtualClock
from agent.errors import FatalError
from agent.events import EventKind
from connectors.platforms.youtube import YouTubeSource
from testkit.youtube_server import FakeYouTube, fixture, fixture_page, item, page
from tests.connectors.helpers import make_settings, take

Script = list[dict[str, Any] | tuple[int, str]]  # pages, or (status, reason) errors, in the order served


@contextlib.asynccontextmanager
async def driven(clock: VirtualClock) -> AsyncIterator[VirtualClock]:
    driver = asyncio.create_task(clock.run())
    try:
        yield clock
    finally:
        driver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await driver


def source(fake: FakeYouTube, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch, **kw: object) -> YouTubeSource:
    monkeypatch.setenv("YT_KEY", "k-1")
    kw.setdefault("room", "vid-1")
    s = make_settings(endpoint=fake.endpoint, api_key_env="YT_KEY", **kw)
    return YouTubeSource(s, clock)


async def test_replays_real_responses_skips_backlog_and_honours_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = VirtualClock()
    sticker = item("superStickerEvent", "st-1", "superStickerDetails", {
        "superStickerMetadata": {"altText": "cat"}, "amountMicros": "1990000", "currency": "USD", "tier": 1})
    milestone = item("memberMilestoneChatEvent", "ms-1", "memberMilestoneChatDetails",
                     {"userComment": "a year!", "memberMonth": 12, "memberLevelName": "VIP"})
    gifting = item("membershipGiftingEvent", "mg-1", "membershipGiftingDetails",
                   {"giftMembershipsCount": 5, "giftMembershipsLevelName": "VIP"})
    deleted = item("messageDeletedEvent", "del-1", "messageDeletedDetails", {"deletedMessageId": "x"})
    script: Script = [fixture("TextMessage"), fixture_page("SuperChat", 1), fixture_page("NewSponsor", 2),
              fixture_page("TextMessage", 3), page([sticker, milestone, gifting, deleted], "p5", 1500),
              page([item("chatEndedEvent", "end-1")], "p6")]
    fake = FakeYouTube(script, clock)
    async with fake.running(), driven(clock):
        src = source(fake, clock, monkeypatch, daily_quota=1_000_000)
        try:
            evs = await take(src, 6)
            assert [e.kind for e in evs] == [EventKind.GIFT, EventKind.GIFT, EventKind.COMMENT, EventKind.GIFT,
                                             EventKind.GIFT, EventKind.GIFT]
            sc = evs[0]
            assert sc.gift is not None and (sc.gift.value, sc.gift.currency) == (200.0, "JPY")
            assert sc.text == "888" and sc.user.name == "A" and sc.user.id == "UCZneZy3197k3ErGxVjKFZSg"
            assert sc.sent_at == 1514764800.0 and sc.platform == "youtube" and sc.room == "vid-1"
            assert evs[1].gift is not None and evs[1].gift.name == "membership"
            assert evs[2].text == "888"
            assert evs[3].gift is not None and evs[3].gift.value == 1.99
            assert evs[4].text == "a year!" and evs[5].gift is not None and evs[5].gift.count == 5
            assert [e async for e in src.events()] == []  # chatEndedEvent ends the stream
            times = [t for t, _ in fake.requests]
            waits = [b - a for a, b in zip(times, times[1:], strict=False)]
            assert waits[:5] == pytest.approx([7.3, 4.0, 7.0, 7.3, 1.5], abs=0.05)  # each page's interval
            tokens = [p.get("pageToken") for _, p in fake.requests]
            assert tokens[:3] == [None, "GPaimtHdmuUCIJi18ez1muUC", "GPaimtHdmuUCIJi18ez1muUC-1"]
            assert fake.requests[0][1]["liveChatId"] == "chat-1" and fake.video_lookups == 1
        finally:
            await src.aclose()


async def test_quota_budget_spreads_and_waits_for_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = VirtualClock()
    after = item("textMessageEvent", "m1", "textMessageDetails", {"messageText": "after reset"})
    script: Script = [page([], f"t{i}", 100) for i in range(3)]
    script.append(page([after], "t9", 100))
    fake = FakeYouTube(script, clock)
    async with fake.running(), driven(clock):
        src = source(fake, clock, monkeypatch, live_chat_id="chat-1", daily_quota=15, poll_cost=5, show_hours=1)
        try:
            evs = await take(src, 1)
            assert evs[0].text == "after reset"
            times = [t for t, _ in fake.requests]
            assert times[1] - times[0] == pytest.approx(1200.0)  # 3 polls spread over one hour
            assert times[3] >= 86400.0  # the fourth poll waited for the daily reset
        finally:
            await src.aclose()


async def test_server_errors_back_off_quota_exceeded_waits_and_malformed_skipped(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    clock = VirtualClock()
    good = item("textMessageEvent", "m2", "textMessageDetails", {"messageText": "ok"})
    script: Script = [page([], "a"), (503, "backendError"), (403, "quotaExceeded"),
              page([{"id": "bad"}, {"snippet": {"type": "textMessageEvent"}, "id": "b2"}, good], "b")]
    fake = FakeYouTube(script, clock)
    async with fake.running(), driven(clock):
        src = source(fake, clock, monkeypatch, live_chat_id="chat-1")
        try:
            assert [e.text for e in await take(src, 1)] == ["ok"]
            times = [t for t, _ in fake.requests]
            assert times[2] - times[1] < 1.0  # backoff after the 503
            assert times[3] >= 86400.0  # quotaExceeded: wait for the reset
            assert sum(r.getMessage() == "malformed chat item; skipped" for r in caplog.records) == 2
            assert not any("k-1" in str(r.__dict__) for r in caplog.records)
        finally:
            await src.aclose()


async def test_chat_not_found_ends_and_bad_key_is_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = VirtualClock()
    fake = FakeYouTube([], clock)
    async with fake.running(), driven(clock):
        src = source(fake, clock, monkeypatch, live_chat_id="other")
        assert [e async for e in src.events()] == []
        await src.aclose()
        fake.api_key = "k-2"
        bad = source(fake, clock, monkeypatch, live_chat_id="chat-1")
        with pytest.raises(FatalError):
            await take(bad, 1)
        await bad.aclose()
