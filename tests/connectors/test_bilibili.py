"""Bilibili connector against the local fake server: real sockets, real framing, short intervals."""

from __future__ import annotations

import logging
import random

import pytest

from agent.clock import LoopClock
from agent.errors import FatalError
from agent.events import EventKind
from connectors.platforms import bilibili_wbi as wbi
from connectors.platforms.bilibili import BilibiliSource
from connectors.platforms.bilibili_codec import Ver, encode
from testkit.bilibili_server import REAL_ROOM, WBI_MIXIN, FakeBilibili, command, danmu, frame, wbi_ok
from tests.connectors.helpers import make_settings, nothing_more, take

GIFT = command("SEND_GIFT", data={"uid": 7, "uname": "Gifter", "giftName": "小心心", "num": 3, "price": 100,
                                  "total_coin": 300, "coin_type": "gold", "tid": "t-1", "timestamp": 1_700_000_001})
SC = command("SUPER_CHAT_MESSAGE", data={"id": 99, "uid": 8, "price": 30, "message": "这个有M码吗",
                                          "user_info": {"uname": "SC"}, "start_time": 1_700_000_002})
GUARD = command("GUARD_BUY", data={"uid": 9, "username": "Captain", "guard_level": 3, "num": 1,
                                   "price": 198000, "gift_name": "舰长", "start_time": 1_700_000_003})
ENTER = command("INTERACT_WORD", data={"uid": 10, "uname": "Visitor", "msg_type": 1, "timestamp": 1_700_000_004})
FOLLOW = command("INTERACT_WORD", data={"uid": 11, "uname": "Fan", "msg_type": 2, "timestamp": 1_700_000_005})
LIKE = command("LIKE_INFO_V3_CLICK", data={"uid": 12, "uname": "Liker", "like_text": "为主播点赞了"})


def source(fake: FakeBilibili, **kw: object) -> BilibiliSource:
    s = make_settings(room="21", endpoint=fake.endpoint, ws_scheme="ws", heartbeat_s=0.05, **kw)
    return BilibiliSource(s, LoopClock(), rng=random.Random(3))


async def test_auth_heartbeat_and_every_kind_in_plain_zlib_and_brotli_frames() -> None:
    async with FakeBilibili().running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_sessions(1)
            assert fake.auths[0]["roomid"] == REAL_ROOM and fake.auths[0]["key"] == "tok-1"
            assert fake.auths[0]["protover"] == 3
            await fake.send(frame(danmu(1, "Ann", "多少钱?", suffix=":4:0:2:2:2:0")))
            await fake.send(frame(GIFT, SC, GUARD, ver=Ver.ZLIB))
            await fake.send(frame(ENTER, FOLLOW, LIKE, command("ONLINE_RANK_COUNT", data={}), ver=Ver.BROTLI))
            evs = await take(src, 7)
            assert [e.kind for e in evs] == [EventKind.COMMENT, EventKind.GIFT, EventKind.GIFT, EventKind.GIFT,
                                             EventKind.JOIN, EventKind.FOLLOW, EventKind.LIKE]
            c = evs[0]
            assert (c.user.id, c.user.name, c.text, c.platform, c.room) == ("1", "Ann", "多少钱?", "bilibili", "21")
            assert c.message_id == "id-1-1700000000000" and c.sent_at == 1_700_000_000.0
            g = evs[1].gift
            assert g is not None and (g.name, g.count, g.value, g.currency) == ("小心心", 3, 0.3, "CNY")
            assert evs[2].text == "这个有M码吗" and evs[2].gift is not None and evs[2].gift.value == 30.0
            assert evs[3].gift is not None and evs[3].gift.value == 198.0
            assert evs[6].user.name == "Liker"
            await nothing_more(src, 0.2)  # heartbeats flow meanwhile
            assert fake.heartbeats >= 2 and src.heartbeat_replies >= 2
        finally:
            await src.aclose()


async def test_bad_token_refetches_room_info_then_connects() -> None:
    async with FakeBilibili(tokens=("bad-1", "tok-2")).running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_sessions(1)
            assert [a["key"] for a in fake.auths] == ["bad-1", "tok-2"]
            assert fake.info_calls == 2
        finally:
            await src.aclose()


async def test_drop_reconnects_to_next_host_without_duplicates() -> None:
    async with FakeBilibili().running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_sessions(1)
            await fake.send(frame(GIFT, ver=Ver.BROTLI))
            assert len(await take(src, 1)) == 1
            await fake.drop()
            await fake.wait_sessions(2)
            assert fake.auth_ports[0] != fake.auth_ports[1]  # rotated through host_list
            await fake.send(frame(GIFT, danmu(2, "Bo", "again"), ver=Ver.ZLIB))  # the gift is re-sent
            evs = await take(src, 1)
            assert evs[0].text == "again"
            await nothing_more(src)
        finally:
            await src.aclose()


async def test_malformed_frames_are_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    async with FakeBilibili().running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_sessions(1)
            await fake.send(b"\x00\x00\x00\x40garbage")  # lengths beyond the frame
            await fake.send(encode(5, b"x\x9c not zlib", ver=Ver.ZLIB))
            await fake.send(encode(5, b"{not json", ver=Ver.JSON))
            await fake.send(frame(command("SEND_GIFT", data={"uid": 1})))  # known command, fields missing
            await fake.send(frame(danmu(3, "Cy", "still here")))
            evs = await take(src, 1)
            assert evs[0].text == "still here"
            assert fake.sessions == 1
            messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
            assert messages.count("malformed frame; skipped") == 2
            assert messages.count("malformed command; skipped") == 2
        finally:
            await src.aclose()


async def test_silent_server_is_dropped_and_reconnected() -> None:
    fake = FakeBilibili()
    fake.silent = True
    async with fake.running():
        src = source(fake, idle_timeout_s=0.12)
        try:
            src.start()
            await fake.wait_sessions(2)
        finally:
            await src.aclose()


async def test_unknown_room_is_fatal() -> None:
    async with FakeBilibili().running() as fake:
        s = make_settings(room="404", endpoint=fake.endpoint, ws_scheme="ws")
        src = BilibiliSource(s, LoopClock())
        with pytest.raises(FatalError):
            await take(src, 1)
        await src.aclose()


def test_wbi_signature_matches_the_published_example() -> None:
    mixin = wbi.mixin_key("7cd084941338484aae1ad9425b84077c", "4932caff0ff746eab6f01bf08b70ac45")
    assert mixin == WBI_MIXIN
    signed = wbi.sign({"foo": "114", "bar": "514", "zab": 1919810}, mixin, 1702204169)
    assert signed["w_rid"] == "8f6f2b5b3d485fe1886cec6a0be8c5d4" and signed["wts"] == "1702204169"
    # non-ASCII and spaces are %-encoded (upper-case hex, %20) before hashing; !'()* are dropped
    odd = wbi.sign({"foo": "one one four", "bar": "五一四", "baz": "(1919810)*"}, mixin, 1)
    assert odd["baz"] == "1919810" and wbi_ok(odd)


@pytest.mark.parametrize(("nav", "require_wbi", "signed"), [
    (True, True, 1),  # keys from the nav API: signed, so risk control lets getDanmuInfo through
    (False, False, 0),  # no keys: asked unsigned, still connects
])
async def test_room_info_is_wbi_signed_when_keys_are_available(nav: bool, require_wbi: bool, signed: int) -> None:
    async with FakeBilibili(require_wbi=require_wbi, nav=nav).running() as fake:
        src = source(fake)
        try:
            src.start()
            await fake.wait_sessions(1)
            assert fake.signed_calls == signed and fake.auths[0]["key"] == "tok-1"
        finally:
            await src.aclose()
