"""Browser bridge: the ingress (WebSocket and HTTP, token, malformed input), and the userscript run by
the Playwright forwarder in headless Chromium against static pages that mimic the live comment lists."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from agent.clock import LoopClock
from agent.errors import ConfigError
from agent.events import EventKind
from connectors.bridge_userscript.forwarder import forward
from connectors.platforms.bridge import BridgeSource
from tests.connectors.helpers import make_settings, nothing_more, take

PAGES = Path(__file__).resolve().parents[1] / "fixtures_bridge"
TOKEN = "bridge-t0ken"


def source(monkeypatch: pytest.MonkeyPatch, **kw: object) -> BridgeSource:
    monkeypatch.setenv("BRIDGE_TOKEN", TOKEN)
    return BridgeSource(make_settings(port=0, token_env="BRIDGE_TOKEN", **kw), LoopClock())


async def test_websocket_ingress_token_dedupe_and_malformed(monkeypatch: pytest.MonkeyPatch) -> None:
    src = source(monkeypatch, platforms="taobao,jd")
    try:
        port = await src.ready()
        with pytest.raises(InvalidStatus):
            async with connect(f"ws://127.0.0.1:{port}/bridge/ws?token=wrong"):
                pass
        async with connect(f"ws://127.0.0.1:{port}/bridge/ws?token={TOKEN}") as ws:
            c = {"type": "comment", "platform": "taobao", "user": "小红", "user_id": "u1", "text": "有S码吗",
                 "id": "tb-1", "t": 999}
            await ws.send(json.dumps(c))
            assert json.loads(await ws.recv()) == {"accepted": 1, "skipped": 0}
            await ws.send(json.dumps([c, {"type": "gift", "platform": "jd", "user": "B", "id": "jd-1",
                                          "gift": {"name": "花", "count": 2, "value": 0}}]))
            assert json.loads(await ws.recv()) == {"accepted": 2, "skipped": 0}
            await ws.send("{nope")
            assert json.loads(await ws.recv()) == {"accepted": 0, "skipped": 1}
            await ws.send(json.dumps([{"type": "comment", "user": "x", "text": " "},
                                      {"type": "comment", "platform": "myspace", "user": "x", "text": "y"},
                                      {"type": "comment", "platform": "jd", "user": "C", "text": "still"}]))
            assert json.loads(await ws.recv()) == {"accepted": 1, "skipped": 2}
        evs = await take(src, 3)
        assert [(e.kind, e.platform, e.user.name) for e in evs] == [
            (EventKind.COMMENT, "taobao", "小红"), (EventKind.GIFT, "jd", "B"), (EventKind.COMMENT, "jd", "C")]
        assert evs[0].time != 999  # receive time on our clock, not the sender's
        await nothing_more(src)
    finally:
        await src.aclose()


async def test_http_ingress(monkeypatch: pytest.MonkeyPatch) -> None:
    src = source(monkeypatch, platform="kuaishou")
    try:
        port = await src.ready()
        url = f"http://127.0.0.1:{port}/bridge/events"
        async with httpx.AsyncClient() as http:
            assert (await http.post(url, json={"user": "a", "text": "x"})).status_code == 401
            r = await http.post(url, json={"user": "a", "text": "hi"}, headers={"X-Livehost-Token": TOKEN})
            assert r.json() == {"accepted": 1, "skipped": 0}
            r = await http.post(url, content=b"[1]", headers={"Authorization": f"Bearer {TOKEN}"})
            assert r.status_code == 400
        (e,) = await take(src, 1)
        assert (e.platform, e.text) == ("kuaishou", "hi")  # the bridge's platform is the default
    finally:
        await src.aclose()


def test_token_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVEHOST_BRIDGE_TOKEN", raising=False)
    with pytest.raises(ConfigError):
        BridgeSource(make_settings(), LoopClock())


EXPECTED = {
    "taobao": [("comment", "小红", "这件有S码吗"), ("gift", "阿明", "小心心 3"), ("comment", "Lily", "包邮吗?")],
    "kuaishou": [("comment", "一只猫", "主播好"), ("gift", "大鹅", "棒棒糖 2"), ("comment", "一只猫", "链接在哪")],
    "jd": [("comment", "京东用户A", "有优惠券吗"), ("comment", "京东用户B", "什么时候发货"),
           ("comment", "京东用户C", "保修多久")],
}


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists(),
                    reason="needs Debian's chromium")
@pytest.mark.parametrize("platform", ["taobao", "kuaishou", "jd"])
async def test_forwarder_reads_live_page_in_headless_chromium(monkeypatch: pytest.MonkeyPatch,
                                                              platform: str) -> None:
    src = source(monkeypatch)
    try:
        port = await src.ready()
        page = (PAGES / f"{platform}.html").as_uri()
        sent = await asyncio.wait_for(
            forward(page, platform, f"ws://127.0.0.1:{port}/bridge/ws", TOKEN, room="r1", limit=3), 20)
        assert sent == 3
        evs = await take(src, 3)
        got = [(e.kind.value, e.user.name, e.text or f"{e.gift.name} {e.gift.count}" if e.gift else e.text)
               for e in evs]
        assert got == EXPECTED[platform]  # backlog skipped, names without the trailing colon
        assert {e.platform for e in evs} == {platform} and {e.room for e in evs} == {"r1"}
        assert all(e.message_id for e in evs)
    finally:
        await src.aclose()
