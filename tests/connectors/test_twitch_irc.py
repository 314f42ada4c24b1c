"""Twitch IRC connector against the local tmi fake, plus the IRC line parser."""

from __future__ import annotations

import logging
import random

import pytest

from agent.clock import LoopClock, VirtualClock
from agent.errors import FatalError
from agent.events import EventKind
from agent.toolbox.ratelimit import RateLimiter
from connectors.platforms.irc import escape_tag, format_line, parse_line, unescape_tag
from connectors.platforms.twitch_irc import TwitchIrcSource
from testkit.twitch_server import FakeTwitchIrc, privmsg, usernotice
from tests.connectors.helpers import make_settings, nothing_more, take


def source(fake: FakeTwitchIrc, **kw: object) -> TwitchIrcSource:
    s = make_settings(room=str(kw.pop("room", "shop")), endpoint=fake.url, **kw)
    return TwitchIrcSource(s, LoopClock(), rng=random.Random(1))


def test_tag_escapes_round_trip_and_parse() -> None:
    raw = r"a\sb\:c\\d\re\nf\x\\"
    assert unescape_tag(raw) == "a b;c\\d\re\nfx\\"
    assert unescape_tag("end\\") == "end"
    assert unescape_tag(escape_tag("semi; space \\ cr\r")) == "semi; space \\ cr\r"
    line = parse_line(r"@display-name=Ann\sB;id=1 :ann!ann@ann.tmi.twitch.tv PRIVMSG #shop :hi :) there")
    assert line.command == "PRIVMSG" and line.params == ("#shop", "hi :) there")
    assert line.tags["display-name"] == "Ann B" and line.nick == "ann"
    assert parse_line("PING :tmi.twitch.tv").trailing == "tmi.twitch.tv"
    assert parse_line(format_line("PRIVMSG", "#c", "x y", tags={"k": "v;w"})).tags["k"] == "v;w"


async def test_anonymous_login_and_every_kind_batched_in_frames() -> None:
    async with FakeTwitchIrc().running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_for(lambda: fake.joined == ["#shop"])
            assert fake.received[0] == "CAP REQ :twitch.tv/tags twitch.tv/commands"
            assert fake.logins[0]["nick"].startswith("justinfan") and "pass" not in fake.logins[0]
            await fake.send(
                privmsg("shop", "ann", "is the red one; in stock?", "m1", **{"display-name": "Ann B"}),
                privmsg("shop", "bob", "Cheer100 great stream", "m2", bits="100"),
                usernotice("shop", "cy", "m3", "resub", "3 months!", sub_plan="2000", cumulative_months="3"),
                usernotice("shop", "dee", "m4", "subgift", recipient_display_name="Ed", sub_plan="1000"),
            )
            await fake.send(
                usernotice("shop", "fay", "m5", "submysterygift", mass_gift_count="5", sub_plan="1000"),
                usernotice("shop", "gus", "m6", "raid", viewerCount="42", displayName="Gus"),
                usernotice("shop", "hal", "m7", "bitsbadgetier"),  # not an event
                privmsg("shop", "ivy", "\x01ACTION waves\x01", "m8"),
            )
            evs = await take(src, 7)
            assert [e.kind for e in evs] == [EventKind.COMMENT, EventKind.GIFT, EventKind.GIFT, EventKind.GIFT,
                                             EventKind.GIFT, EventKind.JOIN, EventKind.COMMENT]
            a = evs[0]
            assert (a.user.name, a.user.id, a.text, a.message_id, a.room) == (
                "Ann B", "u-ann", "is the red one; in stock?", "m1", "shop")
            assert a.sent_at == pytest.approx(1_700_000_000.123)
            assert evs[1].gift is not None and (evs[1].gift.count, evs[1].gift.value) == (100, 1.0)
            assert evs[2].text == "3 months!" and evs[2].gift is not None and evs[2].gift.value == 9.99
            assert evs[3].extra["recipient"] == "Ed"
            assert evs[4].gift is not None and evs[4].gift.count == 5
            assert evs[5].count == 42 and evs[5].user.name == "Gus"
            assert evs[6].text == "waves"
        finally:
            await src.aclose()


async def test_oauth_login_and_bad_token_is_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeTwitchIrc(valid_token="goodtoken").running() as fake:
        monkeypatch.setenv("TW_TOKEN", "oauth:goodtoken")
        src = source(fake, nick="ShopBot", token_env="TW_TOKEN")
        try:
            src.start()
            await fake.wait_for(lambda: bool(fake.joined))
            assert fake.logins[0] == {"pass": "oauth:goodtoken", "nick": "shopbot"}
        finally:
            await src.aclose()
        monkeypatch.setenv("TW_TOKEN", "wrong")
        bad = source(fake, nick="ShopBot", token_env="TW_TOKEN")
        with pytest.raises(FatalError):
            await take(bad, 1)
        await bad.aclose()


async def test_ping_pong_both_ways() -> None:
    async with FakeTwitchIrc().running() as fake:
        src = source(fake, ping_s=0.05)
        try:
            src.start()
            await fake.wait_for(lambda: bool(fake.joined))
            await fake.send("PING :tmi.twitch.tv")
            await fake.wait_for(lambda: "tmi.twitch.tv" in fake.pongs)
            await fake.wait_for(lambda: fake.received.count("PING :tmi.twitch.tv") >= 2)
        finally:
            await src.aclose()


async def test_reconnect_notice_and_drop_resume_without_duplicates() -> None:
    async with FakeTwitchIrc().running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.joined) == 1)
            await fake.send(privmsg("shop", "ann", "first", "m1"), ":tmi.twitch.tv RECONNECT")
            assert [e.text for e in await take(src, 1)] == ["first"]
            await fake.wait_for(lambda: len(fake.joined) == 2)
            await fake.drop()
            await fake.wait_for(lambda: len(fake.joined) == 3)
            await fake.send(privmsg("shop", "ann", "first", "m1"), privmsg("shop", "bob", "second", "m2"))
            assert [e.text for e in await take(src, 1)] == ["second"]
            await nothing_more(src)
        finally:
            await src.aclose()


async def test_malformed_lines_are_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    async with FakeTwitchIrc().running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_for(lambda: bool(fake.joined))
            await fake.send("@only-tags=1", privmsg("shop", "bob", "x", "m1", bits="lots"),
                            "PRIVMSG", privmsg("shop", "ann", "fine", "m2"))
            assert [e.text for e in await take(src, 1)] == ["fine"]
            assert len(fake.logins) == 1
            skipped = [r for r in caplog.records if r.getMessage() == "malformed line; skipped"]
            assert len(skipped) == 3
            assert all(r.levelno == logging.WARNING for r in skipped)
        finally:
            await src.aclose()


async def test_several_channels_and_join_rate_limit_on_virtual_clock() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(2, 10.0, clock)
    await limiter.acquire()
    await limiter.acquire()
    assert limiter.wait_time() == pytest.approx(10.0)
    clock.advance(4.0)
    assert limiter.wait_time() == pytest.approx(6.0)
    clock.advance(6.0)
    await limiter.acquire()
    async with FakeTwitchIrc().running() as fake:
        src = source(fake, room="a,#B,c", join_limit=2, join_window_s=0.1)
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.joined) == 3)
            assert fake.joined == ["#a", "#b", "#c"]
        finally:
            await src.aclose()
