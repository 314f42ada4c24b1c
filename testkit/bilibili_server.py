"""A local Bilibili live server: room_init/getDanmuInfo over HTTP and the danmaku WebSocket protocol.

It checks what a real server checks (auth first, token validity) and lets a test push frames, drop
connections and watch heartbeats. Two WebSocket ports appear in ``host_list`` so host rotation shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from connectors.platforms.bilibili_codec import Op, Ver, compress, decode, encode
from connectors.platforms.ingress import serve_app

REAL_ROOM = 5_440_000
# The WBI keys and the salt they mix to, from the published example (bilibili-API-collect, wbi.md).
WBI_IMG = "https://i0.hdslb.com/bfs/wbi/7cd084941338484aae1ad9425b84077c.png"
WBI_SUB = "https://i0.hdslb.com/bfs/wbi/4932caff0ff746eab6f01bf08b70ac45.png"
WBI_MIXIN = "ea1db124af3c7062474693fa704f4ff8"


def wbi_ok(query: dict[str, str]) -> bool:
    """Check ``w_rid`` as the server does: md5 of the other parameters, sorted and %-encoded, + the salt."""
    rest = sorted((k, v) for k, v in query.items() if k != "w_rid")
    text = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in rest) + WBI_MIXIN
    return "wts" in query and hashlib.md5(text.encode()).hexdigest() == query.get("w_rid")


def command(cmd: str, **fields: Any) -> dict[str, Any]:
    return {"cmd": cmd, **fields}


def danmu(uid: int, name: str, text: str, ts_ms: int = 1_700_000_000_000, suffix: str = "") -> dict[str, Any]:
    meta: list[Any] = [0, 1, 25, 16777215, ts_ms, 0, 0, "abc", 0, 0, 0, "", 0, "{}", "{}"]
    meta.append({"extra": json.dumps({"id_str": f"id-{uid}-{ts_ms}"})})
    return {"cmd": "DANMU_MSG" + suffix, "info": [meta, text, [uid, name, 0, 0, 0, 10000, 1, ""]]}


def frame(*cmds: dict[str, Any], ver: int = Ver.JSON) -> bytes:
    """Commands as the server sends them: one packet each, optionally batched in one compressed packet."""
    packets = b"".join(encode(Op.COMMAND, c, ver=Ver.JSON, seq=0) for c in cmds)
    return packets if ver == Ver.JSON else compress(packets, ver)


class FakeBilibili:
    def __init__(self, tokens: tuple[str, ...] = ("tok-1",), ws_ports: int = 2, *, require_wbi: bool = False,
                 nav: bool = True) -> None:
        self.require_wbi = require_wbi  # answer -352 (risk control) to an unsigned or badly signed call
        self.nav = nav  # serve the nav API (the WBI keys)
        self.signed_calls = 0
        self.tokens = list(tokens)  # getDanmuInfo hands them out in turn; the last one repeats
        self.valid = {t for t in tokens if not t.startswith("bad")}
        self.ws_count = ws_ports
        self.ws_ports: list[int] = []
        self.http_port = 0
        self.auths: list[dict[str, Any]] = []
        self.auth_ports: list[int] = []
        self.heartbeats = 0
        self.info_calls = 0
        self.live: list[ServerConnection] = []
        self.silent = False  # stop answering heartbeats (a half-dead connection)
        self._authed = asyncio.Condition()

    # HTTP API -------------------------------------------------------------------------------------------
    async def _room_init(self, request: Request) -> JSONResponse:
        if request.query_params.get("id") == "404":
            return JSONResponse({"code": 60004, "msg": "room not found"})
        return JSONResponse({"code": 0, "data": {"room_id": REAL_ROOM, "short_id": 0}})

    async def _nav(self, request: Request) -> JSONResponse:
        if not self.nav:
            return JSONResponse({"code": -404, "message": "not found"}, 404)
        return JSONResponse({"code": -101, "message": "账号未登录", "ttl": 1,
                             "data": {"isLogin": False, "wbi_img": {"img_url": WBI_IMG, "sub_url": WBI_SUB}}})

    async def _danmu_info(self, request: Request) -> JSONResponse:
        assert request.query_params.get("id") == str(REAL_ROOM)
        signed = wbi_ok(dict(request.query_params))
        self.signed_calls += signed
        if self.require_wbi and not signed:
            return JSONResponse({"code": -352, "message": "-352", "data": {"v_voucher": "voucher_x"}})
        token = self.tokens[min(self.info_calls, len(self.tokens) - 1)]
        self.info_calls += 1
        hosts = [{"host": "127.0.0.1", "port": p, "ws_port": p, "wss_port": p} for p in self.ws_ports]
        return JSONResponse({"code": 0, "data": {"token": token, "host_list": hosts}})

    # WebSocket ------------------------------------------------------------------------------------------
    async def _handler(self, ws: ServerConnection) -> None:
        first = await ws.recv()
        assert isinstance(first, bytes)
        (auth,) = list(decode(first))
        assert auth.op == Op.AUTH
        body = auth.json()
        self.auths.append(body)
        self.auth_ports.append(ws.local_address[1])
        if body.get("key") not in self.valid or body.get("roomid") != REAL_ROOM:
            await ws.send(encode(Op.AUTH_REPLY, {"code": -101}, ver=Ver.CONTROL))
            return
        await ws.send(encode(Op.AUTH_REPLY, {"code": 0}, ver=Ver.CONTROL))
        self.live.append(ws)
        async with self._authed:
            self._authed.notify_all()
        try:
            async for msg in ws:
                assert isinstance(msg, bytes)
                for p in decode(msg):
                    if p.op == Op.HEARTBEAT:
                        self.heartbeats += 1
                        if not self.silent:
                            await ws.send(encode(Op.HEARTBEAT_REPLY, (1234).to_bytes(4, "big")))
        except ConnectionClosed:
            pass
        finally:
            self.live.remove(ws)

    async def wait_sessions(self, n: int, within_s: float = 4.0) -> None:
        """Until ``n`` sessions in all have authenticated."""
        async with asyncio.timeout(within_s), self._authed:
            await self._authed.wait_for(lambda: self.sessions >= n)

    @property
    def sessions(self) -> int:
        return sum(1 for a in self.auths if a.get("key") in self.valid)

    async def send(self, data: bytes) -> None:
        for ws in list(self.live):
            await ws.send(data)

    async def drop(self) -> None:
        """Cut every connection without a close handshake, as a crashed server or a lost network does."""
        for ws in list(self.live):
            ws.transport.abort()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeBilibili]:
        app = Starlette(routes=[
            Route("/room/v1/Room/room_init", self._room_init),
            Route("/xlive/web-room/v1/index/getDanmuInfo", self._danmu_info),
            Route("/x/web-interface/nav", self._nav),
        ])
        async with contextlib.AsyncExitStack() as stack:
            for _ in range(self.ws_count):
                server = await stack.enter_async_context(serve(self._handler, "127.0.0.1", 0, compression=None))
                self.ws_ports.append(server.sockets[0].getsockname()[1])
            self.http_port = await stack.enter_async_context(serve_app(app))
            yield self

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"
