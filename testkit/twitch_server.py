"""Local Twitch servers: IRC chat over WebSocket, and EventSub WebSocket with its Helix subscription API.

The IRC fake checks the login sequence (CAP, PASS, NICK, JOIN) and answers like tmi.twitch.tv; the EventSub
fake sends session_welcome, expects subscriptions created over HTTP within its deadline (else closes 4003),
sends keepalives, and can move a client with session_reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from connectors.platforms.ingress import serve_app
from connectors.platforms.irc import format_line, parse_line, split_frame
from testkit.changes import Changes


class FakeTwitchIrc:
    def __init__(self, valid_token: str = "goodtoken") -> None:
        self.valid_token = valid_token
        self.port = 0
        self.received: list[str] = []
        self.logins: list[dict[str, str]] = []
        self.joined: list[str] = []
        self.live: list[ServerConnection] = []
        self.pongs: list[str] = []
        self.changes = Changes()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def _handler(self, ws: ServerConnection) -> None:
        login: dict[str, str] = {}
        try:
            async for frame in ws:
                for raw in split_frame(str(frame)):
                    self.received.append(raw)
                    line = parse_line(raw)
                    if line.command == "CAP":
                        await ws.send(":tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands")
                    elif line.command == "PASS":
                        login["pass"] = line.params[0]
                    elif line.command == "NICK":
                        login["nick"] = line.params[0]
                        if "pass" in login and login["pass"] != f"oauth:{self.valid_token}":
                            await ws.send(":tmi.twitch.tv NOTICE * :Login authentication failed")
                            return
                        nick = login["nick"]
                        welcome = [f":tmi.twitch.tv {n} {nick} :-" for n in ("001", "002", "003", "004", "375")]
                        await ws.send("\r\n".join([*welcome, f":tmi.twitch.tv 376 {nick} :>"]) + "\r\n")
                        self.logins.append(login)
                        self.live.append(ws)
                    elif line.command == "JOIN":
                        channel = line.params[0]
                        self.joined.append(channel)
                        nick = login.get("nick", "")
                        await ws.send(f":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN {channel}\r\n"
                                      f"@emote-only=0;room-id=1 :tmi.twitch.tv ROOMSTATE {channel}\r\n")
                    elif line.command == "PING":
                        await ws.send(f":tmi.twitch.tv PONG tmi.twitch.tv :{line.trailing}")
                    elif line.command == "PONG":
                        self.pongs.append(line.trailing)
                    await self.changes.notify()
        except ConnectionClosed:
            pass
        finally:
            if ws in self.live:
                self.live.remove(ws)

    async def wait_for(self, predicate: Any, within_s: float = 4.0) -> None:
        await self.changes.wait_for(predicate, within_s)

    async def send(self, *lines: str) -> None:
        """Lines in one frame, CRLF-separated, as tmi batches them."""
        for ws in list(self.live):
            await ws.send("\r\n".join(lines) + "\r\n")

    async def drop(self) -> None:
        for ws in list(self.live):
            ws.transport.abort()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeTwitchIrc]:
        async with serve(self._handler, "127.0.0.1", 0, compression=None) as server:
            self.port = server.sockets[0].getsockname()[1]
            yield self


def privmsg(channel: str, user: str, text: str, msg_id: str, **tags: str) -> str:
    all_tags = {"badge-info": "", "badges": "", "color": "#1E90FF", "display-name": user.title(),
                "emotes": "", "id": msg_id, "mod": "0", "room-id": "1", "subscriber": "0",
                "tmi-sent-ts": "1700000000123", "user-id": f"u-{user}", **tags}
    return format_line("PRIVMSG", f"#{channel}", text, tags=all_tags, prefix=f"{user}!{user}@{user}.tmi.twitch.tv")


def usernotice(channel: str, user: str, msg_id: str, notice: str, text: str = "", **params: str) -> str:
    tags = {"display-name": user.title(), "login": user, "user-id": f"u-{user}", "id": msg_id,
            "msg-id": notice, "system-msg": f"{user} did {notice}", "tmi-sent-ts": "1700000000456",
            **{f"msg-param-{k.replace('_', '-')}": v for k, v in params.items()}}
    args = (f"#{channel}", text) if text else (f"#{channel}",)
    return format_line("USERNOTICE", *args, tags=tags, prefix="tmi.twitch.tv")


class FakeEventSub:
    """EventSub WebSocket plus ``POST /helix/eventsub/subscriptions``."""

    def __init__(self, token: str = "user-token", client_id: str = "client-1", keepalive_s: int = 10,
                 subscribe_deadline_s: float = 2.0) -> None:
        self.token = token
        self.client_id = client_id
        self.keepalive_s = keepalive_s
        self.deadline_s = subscribe_deadline_s
        self.ws_port = 0
        self.http_port = 0
        self.subscriptions: list[dict[str, Any]] = []
        self.sessions: dict[str, ServerConnection] = {}
        self.welcomed: list[str] = []
        self.rate_limited = 0  # answer the next N subscription requests with 429
        self.send_keepalives = True
        self.changes = Changes()

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}/ws"

    @property
    def helix_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/helix/eventsub/subscriptions"

    async def _notify(self) -> None:
        await self.changes.notify()

    async def wait_for(self, predicate: Any, within_s: float = 4.0) -> None:
        await self.changes.wait_for(predicate, within_s)

    @staticmethod
    def envelope(message_type: str, payload: dict[str, Any], sub_type: str = "",
                 message_id: str = "") -> dict[str, Any]:
        meta = {"message_id": message_id or str(uuid.uuid4()), "message_type": message_type,
                "message_timestamp": "2026-11-25T12:00:00.123456789Z"}
        if sub_type:
            meta |= {"subscription_type": sub_type, "subscription_version": "1"}
        return {"metadata": meta, "payload": payload}

    def _welcome(self, session_id: str, kind: str = "session_welcome", url: str | None = None) -> str:
        session = {"id": session_id, "status": "connected" if kind == "session_welcome" else "reconnecting",
                   "connected_at": "2026-11-25T12:00:00Z", "keepalive_timeout_seconds": self.keepalive_s,
                   "reconnect_url": url}
        return json.dumps(self.envelope(kind, {"session": session}))

    async def _ws(self, ws: ServerConnection) -> None:
        session_id = f"sess-{len(self.welcomed) + 1}"
        moved = ws.request is not None and "moved" in ws.request.path
        self.sessions[session_id] = ws
        await ws.send(self._welcome(session_id))
        self.welcomed.append(session_id)
        await self._notify()
        try:
            if not moved:
                async with asyncio.timeout(self.deadline_s):
                    while not any(s["transport"]["session_id"] == session_id for s in self.subscriptions):
                        if ws.state is not State.OPEN:
                            return
                        await asyncio.sleep(0.01)
        except TimeoutError:
            await ws.close(4003, "connection unused")
            return
        try:
            while True:
                try:
                    async with asyncio.timeout(self.keepalive_s / 2):
                        msg = await ws.recv()
                    await ws.close(4001, "client sent inbound traffic")  # clients must not send
                    del msg
                    return
                except TimeoutError:
                    if self.send_keepalives:
                        await ws.send(json.dumps(self.envelope("session_keepalive", {})))
        except ConnectionClosed:
            pass
        finally:
            self.sessions.pop(session_id, None)
            await self._notify()

    async def _subscribe(self, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {self.token}" or \
                request.headers.get("client-id") != self.client_id:
            return JSONResponse({"error": "Unauthorized", "status": 401, "message": "invalid token"}, 401)
        if self.rate_limited > 0:
            self.rate_limited -= 1
            return JSONResponse({"error": "Too Many Requests", "status": 429}, 429,
                                headers={"Ratelimit-Reset": "0", "Ratelimit-Remaining": "0"})
        body = await request.json()
        sub = {"id": str(uuid.uuid4()), "status": "enabled", "type": body["type"], "version": body["version"],
               "condition": body["condition"], "transport": body["transport"], "cost": 0}
        self.subscriptions.append(sub)
        await self._notify()
        return JSONResponse({"data": [sub], "total": len(self.subscriptions), "total_cost": 0,
                             "max_total_cost": 10}, 202)

    async def notify(self, sub_type: str, event: dict[str, Any], message_id: str = "") -> str:
        """Send a notification to every live session; returns its message id (for re-delivery)."""
        env = self.envelope("notification", {"subscription": {"type": sub_type, "version": "1"}, "event": event},
                            sub_type, message_id)
        for ws in list(self.sessions.values()):
            await ws.send(json.dumps(env))
        return str(env["metadata"]["message_id"])

    async def send_raw(self, text: str) -> None:
        for ws in list(self.sessions.values()):
            await ws.send(text)

    async def move(self) -> None:
        """``session_reconnect``: tell the live sessions to move to a new URL."""
        for sid, ws in list(self.sessions.items()):
            await ws.send(self._welcome(sid, "session_reconnect", f"ws://127.0.0.1:{self.ws_port}/ws?moved=1"))

    async def revoke(self, sub_type: str) -> None:
        sub = {"id": "x", "status": "authorization_revoked", "type": sub_type, "version": "1", "condition": {}}
        for ws in list(self.sessions.values()):
            await ws.send(json.dumps(self.envelope("revocation", {"subscription": sub}, sub_type)))

    async def drop(self) -> None:
        for ws in list(self.sessions.values()):
            ws.transport.abort()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeEventSub]:
        app = Starlette(routes=[Route("/helix/eventsub/subscriptions", self._subscribe, methods=["POST"])])
        async with serve(self._ws, "127.0.0.1", 0, compression=None) as server, serve_app(app) as http_port:
            self.ws_port = server.sockets[0].getsockname()[1]
            self.http_port = http_port
            yield self
