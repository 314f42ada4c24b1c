"""A local TikTok LIVE: the sign server's ``/webcast/fetch/``, the live page, and the webcast push WebSocket.

Frames are written with a small protobuf encoder of its own from the field numbers in the protocol notes
(``WebcastPushFrame``, ``ProtoMessageFetchResult``, the message types), not with TikTokLive's classes, so a
client that disagrees with the wire format fails here. The WebSocket checks what the real one needs: the
signed route parameters, cursor and cookie from the sign step; it counts heartbeats, enter-room frames and
acks (by ``log_id``), answers heartbeats, and lets a test push messages, send garbage, or drop connections.
"""

from __future__ import annotations

import contextlib
import gzip
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from connectors.platforms.ingress import serve_app
from testkit.changes import Changes

ROOM_ID = 7_300_000_000_000_000_001
UNIQUE_ID = "demo.shop"

# protobuf wire format -------------------------------------------------------------------------------------


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int64 is ten bytes of two's complement
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb(*fields: tuple[int, Any]) -> bytes:
    """Encode ``(number, value)`` pairs: int/bool -> varint, str/bytes -> length-delimited."""
    out = bytearray()
    for num, value in fields:
        if value is None:
            continue
        if isinstance(value, bool | int):
            out += _varint(num << 3) + _varint(int(value))
        else:
            data = value.encode() if isinstance(value, str) else bytes(value)
            out += _varint(num << 3 | 2) + _varint(len(data)) + data
    return bytes(out)


def read_pb(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """Decode one message level into ``(number, value)`` pairs (varints and length-delimited only)."""
    i = 0

    def varint() -> int:
        nonlocal i
        shift = result = 0
        while True:
            b = data[i]
            i += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    while i < len(data):
        key = varint()
        num, wire = key >> 3, key & 7
        if wire == 0:
            yield num, varint()
        elif wire == 2:
            n = varint()
            yield num, data[i:i + n]
            i += n
        else:
            raise ValueError(f"unsupported wire type {wire}")


def _map(num: int, d: dict[str, str]) -> list[tuple[int, Any]]:
    return [(num, pb((1, k), (2, v))) for k, v in d.items()]


# messages -------------------------------------------------------------------------------------------------


def user(uid: int, nick: str, unique_id: str = "") -> bytes:
    return pb((1, uid), (3, nick), (38, unique_id or None))


def common(method: str, msg_id: int, create_ms: int = 1_764_000_000_000, display_key: str = "") -> bytes:
    text = pb((1, display_key)) if display_key else None
    return pb((1, method), (2, msg_id), (3, ROOM_ID), (4, create_ms), (8, text))


def chat(msg_id: int, uid: int, nick: str, text: str, unique_id: str = "") -> tuple[str, bytes]:
    m = "WebcastChatMessage"
    return m, pb((1, common(m, msg_id)), (2, user(uid, nick, unique_id)), (3, text))


def gift(msg_id: int, uid: int, nick: str, name: str, diamonds: int, repeat: int, end: bool,
         streakable: bool = True) -> tuple[str, bytes]:
    m = "WebcastGiftMessage"
    g = pb((5, 5655), (11, 1 if streakable else 2), (12, diamonds), (16, name))
    return m, pb((1, common(m, msg_id)), (5, repeat), (6, repeat), (7, user(uid, nick)), (9, int(end)), (15, g))


def like(msg_id: int, uid: int, nick: str, count: int) -> tuple[str, bytes]:
    m = "WebcastLikeMessage"
    return m, pb((1, common(m, msg_id)), (2, count), (3, 1000 + count), (5, user(uid, nick)))


def member(msg_id: int, uid: int, nick: str) -> tuple[str, bytes]:
    m = "WebcastMemberMessage"
    return m, pb((1, common(m, msg_id)), (2, user(uid, nick)))


def social(msg_id: int, uid: int, nick: str, action: int) -> tuple[str, bytes]:
    m = "WebcastSocialMessage"
    key = "pm_main_follow_message_viewer_2" if action == 1 else "pm_mt_guidance_share"
    return m, pb((1, common(m, msg_id, display_key=key)), (2, user(uid, nick)), (4, action))


def viewers(msg_id: int, total: int) -> tuple[str, bytes]:
    m = "WebcastRoomUserSeqMessage"
    return m, pb((1, common(m, msg_id)), (3, total))


def control(msg_id: int, action: int) -> tuple[str, bytes]:
    m = "WebcastControlMessage"
    return m, pb((1, common(m, msg_id)), (2, action))


def fetch_result(messages: list[tuple[str, bytes]], *, cursor: str = "", internal_ext: str = "",
                 push_server: str = "", route: dict[str, str] | None = None, need_ack: bool = False,
                 first: bool = False) -> bytes:
    msgs = [(1, pb((1, method), (2, payload))) for method, payload in messages]
    return pb(*msgs, (2, cursor or None), (3, 1000), (4, 1_764_000_000_000), (5, internal_ext or None),
              *_map(7, route or {}), (9, need_ack), (10, push_server or None), (11, first))


def push_frame(log_id: int, payload_type: str, payload: bytes, headers: dict[str, str] | None = None) -> bytes:
    return pb((1, log_id), (2, log_id), *_map(5, headers or {}), (6, "pb"), (7, payload_type), (8, payload))


# server ---------------------------------------------------------------------------------------------------


@dataclass
class Conn:
    ws: ServerConnection
    query: dict[str, str]
    cookie: str
    entered: list[int] = field(default_factory=list)  # room ids of im_enter_room frames


class FakeTikTok:
    def __init__(self, *, api_key: str = "", history: list[tuple[str, bytes]] | None = None,
                 ping_interval_s: float = 0.05) -> None:
        self.api_key = api_key
        self.ping_interval_s = ping_interval_s  # told to the client in the Handshake-Options header
        self.history = history or []
        self.http_port = 0
        self.ws_port = 0
        self.sign_calls: list[dict[str, str]] = []
        self.page_calls = 0
        self.rate_limit_next = 0  # answer this many sign calls with 429
        self.heartbeats = 0
        self.acks: list[int] = []
        self.live: list[Conn] = []
        self.sessions = 0
        self.silent = False  # stop answering heartbeats
        self._log_id = 100
        self.changes = Changes()

    # HTTP: sign server and live page -----------------------------------------------------------------------
    async def _fetch(self, request: Request) -> Response:
        q = dict(request.query_params)
        self.sign_calls.append(q)
        if self.api_key and request.headers.get("x-api-key") != self.api_key:
            return JSONResponse({"code": 401, "message": "bad api key"}, 401)
        if self.rate_limit_next:
            self.rate_limit_next -= 1
            return JSONResponse({"code": 429, "message": "Too many requests", "limit_label": "day"}, 429,
                                headers={"RateLimit-Remaining": "0", "RateLimit-Reset": "0"})
        if q.get("room_id") != str(ROOM_ID) or q.get("client") != "ttlive-python":
            return JSONResponse({"code": 400, "message": "room_id/client missing"}, 400)
        n = len(self.sign_calls)
        body = fetch_result(self.history, cursor=f"cursor-{n}", internal_ext=f"ext-{n}",
                            push_server=f"ws://127.0.0.1:{self.ws_port}/webcast/im/push/v2/",
                            route={"wrss": f"wrss-{n}"}, first=True)
        return Response(body, media_type="application/x-protobuf",
                        headers={"X-Set-TT-Cookie": f"ttwid=tw-{n}; Path=/; Domain=.tiktok.com"})

    async def _live_page(self, request: Request) -> Response:
        self.page_calls += 1
        if request.path_params["user"] != "@" + UNIQUE_ID:
            state: dict[str, Any] = {"LiveRoom": None}
        else:
            state = {"LiveRoom": {"liveRoomUserInfo": {"user": {"roomId": str(ROOM_ID), "uniqueId": UNIQUE_ID,
                                                                 "status": 2}}}}
        html = f'<html><script id="SIGI_STATE" type="application/json">{json.dumps(state)}</script></html>'
        return HTMLResponse(html)

    # WebSocket: the push server ----------------------------------------------------------------------------
    async def _handler(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        url = urlsplit(ws.request.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        n = len(self.sign_calls)
        cookie = ws.request.headers.get("Cookie", "")
        if (query.get("wrss") != f"wrss-{n}" or query.get("cursor") != f"cursor-{n}"
                or query.get("room_id") != str(ROOM_ID) or f"ttwid=tw-{n}" not in cookie):
            await ws.close(4001, "bad signature")
            return
        conn = Conn(ws, query, cookie)
        self.live.append(conn)
        self.sessions += 1
        await self._notify()
        try:
            async for raw in ws:
                assert isinstance(raw, bytes)
                fields = dict(read_pb(raw))
                kind = bytes(fields.get(7, b"")).decode()  # type: ignore[arg-type]
                if kind == "hb":
                    self.heartbeats += 1
                    if not self.silent:
                        await ws.send(push_frame(0, "hb", b""))
                elif kind == "ack":
                    self.acks.append(int(fields.get(2, 0)))  # type: ignore[arg-type]
                elif kind == "im_enter_room":
                    enter = dict(read_pb(bytes(fields[8])))  # type: ignore[arg-type]
                    conn.entered.append(int(enter[1]))  # type: ignore[arg-type]
                await self._notify()
        except ConnectionClosed:
            pass
        finally:
            self.live.remove(conn)
            await self._notify()

    def _handshake(self, connection: ServerConnection, request: Any, response: Any) -> Any:
        response.headers["Handshake-Options"] = f"ping-interval={self.ping_interval_s}; ping-timeout=10"
        return response

    async def _notify(self) -> None:
        await self.changes.notify()

    async def wait_for(self, predicate: Any, within_s: float = 4.0) -> None:
        await self.changes.wait_for(predicate, within_s)

    async def wait_sessions(self, n: int, within_s: float = 4.0) -> None:
        """Until ``n`` sessions in all have connected and entered the room."""
        await self.wait_for(lambda: self.sessions >= n and any(c.entered for c in self.live), within_s)

    async def push(self, *messages: tuple[str, bytes], need_ack: bool = True, compress: bool = True) -> int:
        """Send one push frame holding ``messages``; returns its log id."""
        self._log_id += 1
        body = fetch_result(list(messages), cursor=f"c{self._log_id}", internal_ext=f"ie{self._log_id}",
                            need_ack=need_ack)
        headers = {"compress_type": "gzip"} if compress else {}
        frame = push_frame(self._log_id, "msg", gzip.compress(body) if compress else body, headers)
        await self.send_raw(frame)
        return self._log_id

    async def send_raw(self, data: bytes) -> None:
        for c in list(self.live):
            await c.ws.send(data)

    async def drop(self) -> None:
        """Cut every connection without a close handshake, as a crashed server or a lost network does."""
        for c in list(self.live):
            c.ws.transport.abort()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeTikTok]:
        app = Starlette(routes=[
            Route("/webcast/fetch/", self._fetch),
            Route("/{user}/live", self._live_page),
        ])
        async with contextlib.AsyncExitStack() as stack:
            server = await stack.enter_async_context(serve(self._handler, "127.0.0.1", 0, compression=None,
                                                                 process_response=self._handshake))
            self.ws_port = server.sockets[0].getsockname()[1]
            self.http_port = await stack.enter_async_context(serve_app(app))
            yield self

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"
