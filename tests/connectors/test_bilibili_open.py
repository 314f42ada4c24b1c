"""Bilibili open-platform connector against the local fake: signed HTTP calls, real sockets and framing."""

from __future__ import annotations

import hashlib
import hmac
import logging
import random

import pytest

from agent.clock import LoopClock, VirtualClock
from agent.errors import ConfigError, FatalError
from agent.events import EventKind
from agent.ports import Clock
from connectors.platforms.bilibili_codec import Ver, encode
from connectors.platforms.bilibili_open import BilibiliOpenSource
from connectors.platforms.bilibili_open_api import sign_headers, string_to_sign
from connectors.platforms.registry import create_source
from testkit.bilibili_open_server import ROOM_ID, FakeBilibiliOpen, command, frame
from tests.connectors.helpers import make_settings, nothing_more, take

KEY_ID, SECRET, APP_ID, CODE = "ak-1", "sk-very-secret", 1_650_000_001, "IDCODE42"
WALL = 1_700_000_000.0

DM = command("DM", open_id="o-1", uid=0, uname="Ann", msg="多少钱?", msg_id="m-1", timestamp=1_700_000_001,
             room_id=ROOM_ID)
GIFT = command("SEND_GIFT", open_id="o-2", uname="Gifter", gift_name="小花花", gift_num=3, price=100, paid=True,
               msg_id="m-2", timestamp=1_700_000_002)
FREE = command("SEND_GIFT", open_id="o-3", uname="Free", gift_name="辣条", gift_num=5, price=100, paid=False,
               msg_id="m-3", timestamp=1_700_000_003)
SC = command("SUPER_CHAT", open_id="o-4", uname="SC", message="有M码吗", rmb=30, message_id=99,
             start_time=1_700_000_004)
GUARD = command("GUARD", user_info={"open_id": "o-5", "uname": "Captain"}, guard_level=3, guard_num=1,
                guard_unit="月", price=198_000, msg_id="m-5", timestamp=1_700_000_005)
LIKE = command("LIKE", open_id="o-6", uname="Liker", like_text="为主播点赞了", like_count=12, msg_id="m-6",
               timestamp=1_700_000_006)
ENTER = command("LIVE_ROOM_ENTER", open_id="o-7", uname="Visitor", timestamp=1_700_000_007, room_id=ROOM_ID)


def source(fake: FakeBilibiliOpen, monkeypatch: pytest.MonkeyPatch, clock: Clock | None = None,
           secret: str = SECRET, **kw: object) -> BilibiliOpenSource:
    monkeypatch.setenv("BO_KEY_ID", KEY_ID)
    monkeypatch.setenv("BO_KEY_SECRET", secret)
    kw.setdefault("heartbeat_s", 0.05)
    s = make_settings(endpoint=fake.endpoint, code=CODE, app_id=APP_ID, key_id_env="BO_KEY_ID",
                      key_secret_env="BO_KEY_SECRET", **kw)
    return BilibiliOpenSource(s, clock or LoopClock(), rng=random.Random(5), wall=lambda: WALL)


def test_signature_covers_exactly_the_six_bili_headers() -> None:
    body = b'{"game_id":"g"}'
    h = sign_headers(body, "id", "key", timestamp=1_700_000_000, nonce="n-1")
    assert string_to_sign(h) == (
        f"x-bili-accesskeyid:id\nx-bili-content-md5:{hashlib.md5(body).hexdigest()}\n"
        "x-bili-signature-method:HMAC-SHA256\nx-bili-signature-nonce:n-1\n"
        "x-bili-signature-version:1.0\nx-bili-timestamp:1700000000")
    want = hmac.new(b"key", string_to_sign(h).encode(), hashlib.sha256).hexdigest()
    assert h["Authorization"] == want


async def test_signed_start_every_kind_heartbeats_and_end_on_close(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeBilibiliOpen(KEY_ID, SECRET, APP_ID, CODE).running() as fake:
        src = source(fake, monkeypatch)
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.live) == 1)
            assert fake.paths("/v2/app/start") == [{"code": CODE, "app_id": APP_ID}]
            await fake.send(frame(DM))
            await fake.send(frame(GIFT, FREE, SC, ver=Ver.ZLIB))
            await fake.send(frame(GUARD, LIKE, ENTER, command("INTERACTION_END", game_id="x"), ver=Ver.BROTLI))
            evs = await take(src, 7)
            assert [e.kind for e in evs] == [EventKind.COMMENT, EventKind.GIFT, EventKind.GIFT, EventKind.GIFT,
                                             EventKind.GIFT, EventKind.LIKE, EventKind.JOIN]
            c = evs[0]
            assert (c.user.id, c.user.name, c.text, c.platform, c.room, c.message_id, c.sent_at) == (
                "o-1", "Ann", "多少钱?", "bilibili_open", str(ROOM_ID), "m-1", 1_700_000_001.0)
            gifts = [(e.gift.name, e.gift.count, e.gift.value) for e in evs[1:5] if e.gift is not None]
            assert gifts == [("小花花", 3, 0.3), ("辣条", 5, 0.0), ("Super Chat", 1, 30.0), ("舰长", 1, 198.0)]
            assert evs[3].text == "有M码吗" and evs[3].message_id == "sc-99"
            assert evs[4].user.name == "Captain" and evs[4].extra["guard_level"] == 3
            assert evs[5].count == 12 and evs[6].user.id == "o-7"
            await nothing_more(src, 0.2)
            assert fake.ws_heartbeats >= 2 and src.heartbeat_replies >= 2
            assert fake.auths[0] == '{"roomid": 7734200, "key": "key-game-1", "protover": 2}'
        finally:
            await src.aclose()
        assert fake.paths("/v2/app/end") == [{"app_id": APP_ID, "game_id": "game-1"}]
        assert fake.rejected == [] and fake.live_game == ""
    leaked = [r for r in caplog.records if SECRET in str(r.__dict__) or CODE in str(r.__dict__)]
    assert leaked == []


async def test_bad_secret_fails_fatally_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeBilibiliOpen(KEY_ID, SECRET, APP_ID, CODE).running() as fake:
        src = source(fake, monkeypatch, secret="wrong")
        with pytest.raises(FatalError, match=r"refused /v2/app/start \(code 4002.*key_secret_env"):
            await take(src, 1)
        await src.aclose()
        assert fake.rejected == [("/v2/app/start", 4002)] and fake.auths == []
        assert fake.paths("/v2/app/end") == []


async def test_app_heartbeat_every_20_s_on_the_virtual_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = VirtualClock()
    async with FakeBilibiliOpen(KEY_ID, SECRET, APP_ID, CODE, clock).running() as fake:
        src = source(fake, monkeypatch, clock, heartbeat_s=30.0)
        try:
            src.start()
            await fake.wait_for(lambda: src.heartbeat_replies == 1)  # authenticated and reading
            for beats in (1, 2, 3):
                await fake.wait_for(lambda: clock.pending == 2)  # both heartbeats asleep again
                clock.advance(20.0)
                await fake.wait_for(lambda b=beats: len(fake.heartbeat_times) == b)  # type: ignore[misc]
            assert fake.heartbeat_times == [20.0, 40.0, 60.0]
            assert fake.paths("/v2/app/heartbeat") == [{"game_id": "game-1"}] * 3
            assert fake.rejected == []
        finally:
            await src.aclose()
        assert len(fake.paths("/v2/app/end")) == 1


async def test_expired_game_is_started_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeBilibiliOpen(KEY_ID, SECRET, APP_ID, CODE).running() as fake:
        src = source(fake, monkeypatch, app_heartbeat_s=0.05)
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.live) == 1)
            fake.expire()
            await fake.wait_for(lambda: len(fake.games) == 2 and len(fake.live) == 1)
            assert fake.rejected == [("/v2/app/heartbeat", 7003)]
            await fake.send(frame(DM))
            assert [e.text for e in await take(src, 1)] == ["多少钱?"]
        finally:
            await src.aclose()
        assert fake.paths("/v2/app/end") == [{"app_id": APP_ID, "game_id": "game-2"}]


async def test_drop_reconnects_keeps_the_game_and_deduplicates(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeBilibiliOpen(KEY_ID, SECRET, APP_ID, CODE).running() as fake:
        src = source(fake, monkeypatch)
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.live) == 1)
            await fake.send(frame(GIFT, DM, ver=Ver.BROTLI))
            assert len(await take(src, 2)) == 2
            await fake.drop()
            await fake.wait_for(lambda: len(fake.auths) == 2 and len(fake.live) == 1)
            await fake.send(frame(GIFT, DM, LIKE, ver=Ver.ZLIB))  # the first two are delivered again
            assert [e.kind for e in await take(src, 1)] == [EventKind.LIKE]
            await nothing_more(src)
            assert fake.games == ["game-1"]  # the WebSocket came back on the same app session
        finally:
            await src.aclose()


async def test_malformed_frames_and_commands_are_skipped(monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    async with FakeBilibiliOpen(KEY_ID, SECRET, APP_ID, CODE).running() as fake:
        src = source(fake, monkeypatch)
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.live) == 1)
            await fake.send(b"\x00\x00\x00\x40garbage")
            await fake.send(encode(5, b"x\x9c not zlib", ver=Ver.ZLIB))
            await fake.send(encode(5, b"{not json", ver=Ver.JSON))
            await fake.send(frame(command("SEND_GIFT", open_id="o-1")))  # fields missing
            await fake.send(frame({"cmd": "LIVE_OPEN_PLATFORM_DM", "data": "nope"}))
            await fake.send(frame(DM))
            assert [e.text for e in await take(src, 1)] == ["多少钱?"]
            assert len(fake.auths) == 1
            messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
            assert messages.count("malformed frame; skipped") == 2
            assert messages.count("malformed command; skipped") == 3
        finally:
            await src.aclose()


def test_missing_secrets_are_a_config_error_naming_the_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVEHOST_BILIBILI_OPEN_KEY_ID", raising=False)
    monkeypatch.delenv("LIVEHOST_BILIBILI_OPEN_KEY_SECRET", raising=False)
    with pytest.raises(ConfigError, match="key_id_env, key_secret_env"):
        create_source("bilibili_open", make_settings(code=CODE, app_id=APP_ID), LoopClock())


def test_registry_builds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEHOST_BILIBILI_OPEN_KEY_ID", KEY_ID)
    monkeypatch.setenv("LIVEHOST_BILIBILI_OPEN_KEY_SECRET", SECRET)
    src = create_source("bilibili_open", make_settings(code=CODE, app_id=APP_ID), LoopClock())
    assert isinstance(src, BilibiliOpenSource) and src.api == "https://live-open.biliapi.com"
