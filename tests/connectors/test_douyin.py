"""Douyin push ingress, fed by the fake Douyin pusher; task start/stop against the fake task API."""

from __future__ import annotations

from typing import Any

import pytest

from agent.clock import LoopClock
from agent.errors import ConfigError
from agent.events import EventKind
from connectors.platforms.douyin import DouyinSource
from connectors.platforms.douyin_events import signature, verify
from testkit.douyin_server import DEADLINE_S, FakeDouyin, comment, fansclub, gift, like
from tests.connectors.helpers import make_settings, nothing_more, take

SECRET = "s3cret"


def test_signature_matches_the_published_example() -> None:
    headers = {"x-timestamp": "456789", "x-nonce-str": "123456", "x-roomid": "268", "x-msg-type": "user_group"}
    body = "abc123你好".encode()
    assert signature(headers, body, "123abc") == "GAkalGmhzqlUGQO/TgvMug=="
    assert verify({**headers, "x-signature": "GAkalGmhzqlUGQO/TgvMug=="}, body, "123abc")
    assert not verify({**headers, "x-signature": "GAkalGmhzqlUGQO/TgvMug=="}, body + b"!", "123abc")


def source(monkeypatch: pytest.MonkeyPatch, **kw: object) -> DouyinSource:
    monkeypatch.setenv("DY_SECRET", SECRET)
    s = make_settings(room="268", port=0, secret_env="DY_SECRET", **kw)
    return DouyinSource(s, LoopClock())


async def test_every_kind_signed_batches_and_fast_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    src = source(monkeypatch)
    fake = FakeDouyin()
    try:
        url = f"http://127.0.0.1:{await src.ready()}/douyin/push"
        push: dict[str, Any] = {"room": "268", "secret": SECRET}
        assert await fake.push(url, "live_comment", [comment("c1", "o1", "小王", "有大码吗"),
                                                     comment("c2", "o2", "Li", "多少钱")], **push) == 200
        assert await fake.push(url, "live_gift", [gift("g1", "o3", "Zhao", "gift-abc", 2, 990)], **push) == 200
        assert await fake.push(url, "live_like", [like("l1", "o4", "Qian", 15)], **push) == 200
        await fake.push(url, "live_fansclub", [fansclub("f1", "o5", "Sun", 2), fansclub("f2", "o6", "Z", 1)],
                        **push)
        evs = await take(src, 5)
        assert [e.kind for e in evs] == [EventKind.COMMENT, EventKind.COMMENT, EventKind.GIFT, EventKind.LIKE,
                                         EventKind.FOLLOW]
        c = evs[0]
        assert (c.text, c.user.name, c.user.id, c.message_id, c.room, c.platform) == (
            "有大码吗", "小王", "o1", "c1", "268", "douyin")
        assert c.sent_at == pytest.approx(1_700_000_000.123)
        g = evs[2].gift
        assert g is not None and (g.count, g.value, g.currency) == (2, 9.9, "CNY")
        assert evs[3].count == 15
        assert all(status == 200 and secs < DEADLINE_S for status, secs in fake.answers)
    finally:
        await src.aclose()


async def test_redelivered_batches_are_deduplicated(monkeypatch: pytest.MonkeyPatch) -> None:
    src = source(monkeypatch)
    fake = FakeDouyin()
    try:
        url = f"http://127.0.0.1:{await src.ready()}/douyin/push"
        await fake.push(url, "live_comment", [comment("c1", "o1", "A", "hi")], room="268", secret=SECRET,
                        duplicate=True)
        await fake.push(url, "live_comment", [comment("c1", "o1", "A", "hi"), comment("c2", "o1", "A", "yo")],
                        room="268", secret=SECRET)
        assert [e.text for e in await take(src, 2)] == ["hi", "yo"]
        await nothing_more(src)
        assert len(fake.answers) == 3
    finally:
        await src.aclose()


async def test_bad_signature_other_room_and_malformed(monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    src = source(monkeypatch)
    fake = FakeDouyin()
    try:
        url = f"http://127.0.0.1:{await src.ready()}/douyin/push"
        assert await fake.push(url, "live_comment", [comment("c1", "o", "A", "x")], room="268",
                               secret="wrong") == 403
        assert await fake.push(url, "live_comment", [comment("c2", "o", "A", "x")], room="999",
                               secret=SECRET) == 200
        assert await fake.push(url, "live_comment", None, room="268", secret=SECRET, raw=b"{nope") == 400
        assert await fake.push(url, "live_comment", [{"msg_id": "c3"}, comment("c4", "o", "A", "ok")],
                               room="268", secret=SECRET) == 200
        assert [e.text for e in await take(src, 1)] == ["ok"]
        assert src.rejected == 1
        logged = {r.getMessage() for r in caplog.records}
        assert {"push with a bad signature; refused", "malformed push body; skipped",
                "malformed push message; skipped", "push for another room; ignored"} <= logged
        assert not any(SECRET in r.getMessage() or SECRET in str(r.__dict__) for r in caplog.records)
    finally:
        await src.aclose()


async def test_tasks_start_and_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeDouyin().running() as fake:
        monkeypatch.setenv("DY_TOKEN", "at-1")
        src = source(monkeypatch, endpoint=fake.endpoint, app_id="tt-app", access_token_env="DY_TOKEN",
                     msg_types="live_comment,live_gift")
        await src.ready()
        for _ in range(200):
            if len(fake.started) == 2:
                break
            await LoopClock().sleep(0.01)
        assert [t["msg_type"] for t in fake.started] == ["live_comment", "live_gift"]
        assert fake.started[0] == {"roomid": "268", "appid": "tt-app", "msg_type": "live_comment"}
        await src.aclose()
        assert [t["msg_type"] for t in fake.stopped] == ["live_comment", "live_gift"]


async def test_missing_secret_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVEHOST_DOUYIN_SECRET", raising=False)
    with pytest.raises(ConfigError):
        DouyinSource(make_settings(room="1"), LoopClock())
