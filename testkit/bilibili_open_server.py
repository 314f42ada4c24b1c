"""A local Bilibili open platform: signed ``/v2/app/*`` over HTTP and the danmaku WebSocket.

It checks what the real platform checks: the HMAC-SHA256 signature over the ``x-bili-*`` headers, the body's
md5, nonce reuse, the identity code and app id, the game id on heartbeat/end, and the auth body on the
WebSocket. Verification is written independently of the connector so that a signing bug shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from agent.ports import Clock
from connectors.platforms.bilibili_codec import Op, decode, encode
from connectors.platforms.ingress import serve_app
from testkit.bilibili_server import frame  # same framing as the web danmaku

__all__ = ["FakeBilibiliOpen", "command", "frame"]

ROOM_ID = 7_734_200
BAD_SIGNATURE = 4002
REPLAYED_NONCE = 4004
BAD_CODE = 7007
GAME_GONE = 7003


def command(cmd: str, **data: Any) -> dict[str, Any]:
    return {"cmd": f"LIVE_OPEN_PLATFORM_{cmd}", "data": data}


class FakeBilibiliOpen:
    def __init__(self, key_id: str, key_secret: str, app_id: int, code: str, clock: Clock | None = None) -> None:
        self.key_id = key_id
        self.key_secret = key_secret
        self.app_id = app_id
        self.code = code
        self.clock = clock
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every well-signed call: (path, body)
        self.rejected: list[tuple[str, int]] = []
        self.heartbeat_times: list[float] = []
        self.games: list[str] = []
        self.live_game = ""
        self.auths: list[str] = []
        self.ws_heartbeats = 0
        self.live: list[ServerConnection] = []
        self.ws_port = 0
        self.http_port = 0
        self._nonces: set[str] = set()

    # HTTP API -------------------------------------------------------------------------------------------
    def _signature_ok(self, request: Request, body: bytes) -> int:
        h = request.headers
        bili = sorted((k.lower(), v) for k, v in h.items() if k.lower().startswith("x-bili-"))
        text = "\n".join(f"{k}:{v}" for k, v in bili)
        want = hmac.new(self.key_secret.encode(), text.encode(), hashlib.sha256).hexdigest()
        if (h.get("x-bili-accesskeyid") != self.key_id or h.get("x-bili-signature-method") != "HMAC-SHA256"
                or h.get("x-bili-signature-version") != "1.0" or not h.get("x-bili-timestamp", "").isdigit()
                or h.get("x-bili-content-md5") != hashlib.md5(body).hexdigest()
                or not hmac.compare_digest(h.get("authorization", ""), want)
                or len(bili) != 6):
            return BAD_SIGNATURE
        nonce = h.get("x-bili-signature-nonce", "")
        if not nonce or nonce in self._nonces:
            return REPLAYED_NONCE
        self._nonces.add(nonce)
        return 0

    async def _checked(self, request: Request, handle: Callable[[dict[str, Any]], dict[str, Any] | int]
                       ) -> JSONResponse:
        body = await request.body()
        code = self._signature_ok(request, body)
        if code == 0:
            payload = json.loads(body)
            self.calls.append((request.url.path, payload))
            result = handle(payload)
            if isinstance(result, int):
                code = result
            else:
                return JSONResponse({"code": 0, "message": "0", "data": result})
        self.rejected.append((request.url.path, code))
        return JSONResponse({"code": code, "message": "refused", "data": {}})

    def _start(self, p: dict[str, Any]) -> dict[str, Any] | int:
        if p.get("code") != self.code or p.get("app_id") != self.app_id:
            return BAD_CODE
        game = f"game-{len(self.games) + 1}"
        self.games.append(game)
        self.live_game = game
        auth = json.dumps({"roomid": ROOM_ID, "key": f"key-{game}", "protover": 2})
        return {"game_info": {"game_id": game},
                "websocket_info": {"auth_body": auth, "wss_link": [f"ws://127.0.0.1:{self.ws_port}/sub"]},
                "anchor_info": {"room_id": ROOM_ID, "uname": "Anchor", "open_id": "anchor-1"}}

    def _heartbeat(self, p: dict[str, Any]) -> dict[str, Any] | int:
        if self.clock is not None:
            self.heartbeat_times.append(self.clock.now())
        return {} if p.get("game_id") == self.live_game and self.live_game else GAME_GONE

    def _end(self, p: dict[str, Any]) -> dict[str, Any] | int:
        if p.get("game_id") != self.live_game or p.get("app_id") != self.app_id:
            return GAME_GONE
        self.live_game = ""
        return {}

    def paths(self, path: str) -> list[dict[str, Any]]:
        return [body for p, body in self.calls if p == path]

    def expire(self) -> None:
        """The platform forgets the game, as after missed heartbeats."""
        self.live_game = ""

    # WebSocket ------------------------------------------------------------------------------------------
    async def _handler(self, ws: ServerConnection) -> None:
        first = await ws.recv()
        assert isinstance(first, bytes)
        (auth,) = list(decode(first))
        assert auth.op == Op.AUTH
        body = auth.body.decode()
        self.auths.append(body)
        if not self.live_game or json.loads(body).get("key") != f"key-{self.live_game}":
            await ws.send(encode(Op.AUTH_REPLY, {"code": -101}))
            return
        await ws.send(encode(Op.AUTH_REPLY, {"code": 0}))
        self.live.append(ws)
        try:
            async for msg in ws:
                assert isinstance(msg, bytes)
                for p in decode(msg):
                    if p.op == Op.HEARTBEAT:
                        self.ws_heartbeats += 1
                        await ws.send(encode(Op.HEARTBEAT_REPLY, (1).to_bytes(4, "big")))
        except ConnectionClosed:
            pass
        finally:
            self.live.remove(ws)

    async def wait_for(self, cond: Callable[[], bool], within_s: float = 4.0) -> None:
        async with asyncio.timeout(within_s):
            while not cond():
                await asyncio.sleep(0.005)

    async def send(self, data: bytes) -> None:
        for ws in list(self.live):
            await ws.send(data)

    async def drop(self) -> None:
        """Cut every connection without a close handshake."""
        for ws in list(self.live):
            ws.transport.abort()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeBilibiliOpen]:
        app = Starlette(routes=[
            Route("/v2/app/start", functools.partial(self._checked, handle=self._start), methods=["POST"]),
            Route("/v2/app/heartbeat", functools.partial(self._checked, handle=self._heartbeat), methods=["POST"]),
            Route("/v2/app/end", functools.partial(self._checked, handle=self._end), methods=["POST"]),
        ])
        async with contextlib.AsyncExitStack() as stack:
            server = await stack.enter_async_context(serve(self._handler, "127.0.0.1", 0, compression=None))
            self.ws_port = server.sockets[0].getsockname()[1]
            self.http_port = await stack.enter_async_context(serve_app(app))
            yield self

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"
