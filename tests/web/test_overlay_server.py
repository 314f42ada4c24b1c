"""The overlay server and broadcaster without a browser: routes, greeting, fan-out, slow clients, shutdown."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from websockets.asyncio.client import connect

from agent.errors import ConfigError
from agent.ports import Renderer
from agent.render import ChatSeen, ProductShown, ShowState
from agent.settings import OverlaySettings
from connectors.renderers.overlay import OverlayRenderer
from connectors.web.hub import Broadcaster, ClientQueue, Outgoing
from tests.renderers.polling import until
from tests.web.tones import chunk


async def _ping(_: Request) -> PlainTextResponse:
    return PlainTextResponse("pong")


async def test_port_zero_serves_page_health_static_and_extra_routes() -> None:
    r = OverlayRenderer(OverlaySettings(port=0), show="S", extra_routes=[Route("/console/ping", _ping)])
    assert isinstance(r, Renderer)
    await r.start()
    try:
        assert r.url.startswith("http://127.0.0.1:") and not r.url.endswith(":0")
        async with httpx.AsyncClient(base_url=r.url) as http:
            assert (await http.get("/healthz")).json() == {"ok": True}
            page = await http.get("/overlay")
            assert page.status_code == 200 and "/static/overlay.js" in page.text
            assert (await http.get("/static/overlay.js")).status_code == 200
            assert (await http.get("/static/overlay.css")).status_code == 200
            assert (await http.get("/console/ping")).text == "pong"
    finally:
        await r.aclose()


async def test_new_client_gets_hello_then_latest_product_and_state() -> None:
    r = OverlayRenderer(OverlaySettings(port=0, ai_label="AI host"), show="Demo shop")
    await r.start()
    try:
        await r.send(ProductShown("p1", "Old", 1.0, "EUR"))
        await r.send(ShowState("paused"))
        await r.send(ProductShown("p2", "New", 2.5, "EUR"))
        await r.send(ChatSeen("demo", "a", "hi", "comment", "ignore", "chitchat"))  # not replayed
        async with connect(r.ws_url) as ws:
            got = [json.loads(await ws.recv()) for _ in range(3)]
            assert got[0] == {"type": "hello", "ai_label": "AI host", "show": "Demo shop"}
            assert got[1]["type"] == "product" and got[1]["product_id"] == "p2"
            assert got[2] == {"type": "state", "status": "paused"}
            c = chunk("Hello.", 0.1)
            await r.send(c)
            assert json.loads(await ws.recv()) == c.to_json()
    finally:
        await r.aclose()


async def test_broadcast_reaches_every_client_and_shutdown_is_clean() -> None:
    before = asyncio.all_tasks()
    r = OverlayRenderer(OverlaySettings(port=0))
    await r.start()
    async with connect(r.ws_url) as a, connect(r.ws_url) as b:
        for ws in (a, b):
            assert json.loads(await ws.recv())["type"] == "hello"
        await until(lambda: r.hub.client_count >= 2)
        await r.send(ShowState("playing"))
        for ws in (a, b):
            assert json.loads(await ws.recv()) == {"type": "state", "status": "playing"}
        await r.aclose()
        with pytest.raises(Exception, match="1012|closed|going away|restart"):
            await asyncio.wait_for(a.recv(), 3)
    await r.aclose()  # idempotent
    assert asyncio.all_tasks() - before == set()


async def test_busy_port_is_a_config_error() -> None:
    r = OverlayRenderer(OverlaySettings(port=0))
    await r.start()
    try:
        port = int(r.url.rsplit(":", 1)[1])
        clash = OverlayRenderer(OverlaySettings(port=port))
        with pytest.raises(ConfigError, match=str(port)):
            await clash.start()
        await clash.aclose()
    finally:
        await r.aclose()


def test_slow_client_loses_oldest_non_audio_first_then_is_kicked() -> None:
    q = ClientQueue(limit=3)
    for i in range(3):
        q.offer(Outgoing("chat", str(i)))
    q.offer(Outgoing("audio", "a0"))
    assert [m.text for m in q.items] == ["1", "2", "a0"] and q.dropped == 1
    q.offer(Outgoing("audio", "a1"))
    q.offer(Outgoing("audio", "a2"))
    assert [m.text for m in q.items] == ["a0", "a1", "a2"] and not q.kicked
    q.offer(Outgoing("audio", "a3"))
    assert q.kicked


async def test_publish_never_blocks_and_drops_kicked_clients() -> None:
    hub = Broadcaster({"ai_label": "x"}, queue_size=4)
    stuck = ClientQueue(4)
    hub._clients.add(stuck)  # a client whose writer never runs
    for i in range(10):
        hub.publish(chunk(f"s{i}", 0.02, seq=i).to_json())  # returns at once every time
    assert stuck.kicked and hub.client_count == 0
    assert await stuck.get() is None
