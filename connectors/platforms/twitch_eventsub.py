"""Twitch EventSub over WebSocket: welcome -> create subscriptions over Helix in time -> notifications.

``room`` is the broadcaster's user id; ``user_id`` the token's user (defaults to the broadcaster);
``endpoint`` the WebSocket URL and ``helix_url`` the subscriptions API. The token (``token_env``) needs
``user:read:chat`` (plus ``bits:read`` and ``moderator:read:followers`` for cheers and follows).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random

import httpx
from websockets.asyncio.client import ClientConnection, connect

from agent.clock import timeout
from agent.errors import FatalError, ProtocolError
from agent.ports import Clock
from agent.settings import PlatformSettings
from connectors.platforms.options import TwitchEventSubOptions, env_secret
from connectors.platforms.reconnect import Session, reconnect_forever
from connectors.platforms.source import PumpSource
from connectors.platforms.twitch_eventsub_events import SUBSCRIPTIONS, to_event

log = logging.getLogger(__name__)
DEFAULT_WS = "wss://eventsub.wss.twitch.tv/ws?keepalive_timeout_seconds=30"
MALFORMED = (KeyError, TypeError, ValueError, IndexError, AttributeError)


class TwitchEventSubSource(PumpSource):
    options: TwitchEventSubOptions

    def __init__(self, settings: PlatformSettings | TwitchEventSubOptions, clock: Clock, *,
                 rng: random.Random | None = None) -> None:
        opts = TwitchEventSubOptions.of(settings)
        super().__init__("twitch", opts, clock, rng=rng)
        if not opts.room:
            raise FatalError("platforms.twitch_eventsub.room: the broadcaster user id is required")
        self.url = opts.endpoint or DEFAULT_WS
        self.helix_url = opts.helix_url
        self.user_id = opts.user_id or opts.room
        self.types = opts.subscriptions
        self.subscribe_deadline_s = opts.subscribe_deadline_s
        self.welcome_timeout_s = opts.welcome_timeout_s
        self.keepalive_grace_s = opts.keepalive_grace_s
        self.rate_limit_wait_s = opts.rate_limit_wait_s
        self.close_timeout_s = opts.close_timeout_s
        self.http_timeout_s = opts.http_timeout_s
        self._token = env_secret(opts.token_env).removeprefix("oauth:")
        self._client_id = opts.client_id or env_secret(opts.client_id_env)
        if not self._token or not self._client_id:
            raise FatalError("platforms.twitch_eventsub: set the token and client id variables "
                             "(token_env, client_id_env)")
        self._keepalive_s = 30.0
        self._last_rx = 0.0
        self.revoked: list[str] = []

    async def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self._token}", "Client-Id": self._client_id}
        async with httpx.AsyncClient(timeout=self.http_timeout_s, headers=headers) as http:
            self._http = http
            await reconnect_forever(self._session, name=self.name, clock=self.clock, backoff=self.backoff,
                                    rng=self.rng, watch=self.link)

    async def _open(self, url: str) -> tuple[ClientConnection, str]:
        """Connect and read ``session_welcome``; returns the connection and its session id."""
        ws = await connect(url, close_timeout=self.close_timeout_s, ping_interval=None, max_size=2**22)
        try:
            async with timeout(self.clock, self.welcome_timeout_s):
                msg = json.loads(await ws.recv())
            if msg["metadata"]["message_type"] != "session_welcome":
                raise ProtocolError("eventsub: first message was not session_welcome")
            session = msg["payload"]["session"]
            self._keepalive_s = float(session.get("keepalive_timeout_seconds") or 30)
            self._last_rx = self.clock.now()
            return ws, str(session["id"])
        except BaseException:
            await ws.close()
            raise

    async def _session(self, session: Session) -> bool:
        ws, session_id = await self._open(self.url)
        try:
            async with timeout(self.clock, self.subscribe_deadline_s):
                await self._subscribe_all(session_id)
            session.healthy()
            while True:
                reconnect_url = await self._read(ws)
                if reconnect_url is None:
                    return True
                new, _ = await self._open(reconnect_url)  # subscriptions carry over: no new POSTs
                old, ws = ws, new
                await old.close()
                await self._read(old)  # what the old connection still had buffered
        finally:
            await ws.close()

    async def _subscribe_all(self, session_id: str) -> None:
        for sub_type in self.types:
            version, keys = SUBSCRIPTIONS[sub_type]
            condition = {k: (self.user_id if k in ("user_id", "moderator_user_id") else self.room) for k in keys}
            body = {"type": sub_type, "version": version, "condition": condition,
                    "transport": {"method": "websocket", "session_id": session_id}}
            while True:
                r = await self._http.post(self.helix_url, json=body)
                if r.status_code == 429:
                    log.warning("helix rate limit; waiting", extra={"platform": self.name, "type": sub_type})
                    await self.clock.sleep(self.rate_limit_wait_s)
                    continue
                break
            if r.status_code in (401, 403):
                raise FatalError(f"twitch: subscription {sub_type} refused (HTTP {r.status_code}); "
                                 "check the token's scopes and the client id")
            if r.status_code not in (200, 202, 409):
                raise ProtocolError(f"twitch: subscription {sub_type} failed (HTTP {r.status_code})")

    async def _read(self, ws: ClientConnection) -> str | None:
        """Read until the connection ends (None) or the server asks us to move (the new URL)."""
        watchdog = asyncio.create_task(self._watchdog(ws))
        try:
            async for frame in ws:
                self._last_rx = self.clock.now()
                url = await self._message(frame)
                if url:
                    return url
        finally:
            watchdog.cancel()
            await asyncio.gather(watchdog, return_exceptions=True)
        return None

    async def _watchdog(self, ws: ClientConnection) -> None:
        """No message (not even a keepalive) within the keepalive timeout means the connection is dead."""
        while True:
            limit = self._keepalive_s + self.keepalive_grace_s
            left = limit - (self.clock.now() - self._last_rx)
            if left <= 0:
                log.warning("eventsub keepalive missed; reconnecting", extra={"platform": self.name})
                await ws.close(1000, "keepalive missed")
                return
            await self.clock.sleep(left)

    async def _message(self, frame: str | bytes) -> str | None:
        try:
            msg = json.loads(frame)
            kind = msg["metadata"]["message_type"]
            if kind == "notification":
                event = to_event(msg, self.room, self.clock.now())
                if event is not None:
                    await self._emit(event)
            elif kind == "session_reconnect":
                return str(msg["payload"]["session"]["reconnect_url"])
            elif kind == "revocation":
                sub = msg["payload"]["subscription"]
                self.revoked.append(str(sub["type"]))
                log.warning("eventsub subscription revoked",
                            extra={"platform": self.name, "type": sub["type"], "status": sub.get("status")})
        except MALFORMED as exc:
            log.warning("malformed message; skipped",
                        extra={"platform": self.name, "reason": type(exc).__name__, "chars": len(frame)})
        return None
