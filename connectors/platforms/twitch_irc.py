"""Twitch chat over IRC on WebSocket: anonymous (``justinfan``) or OAuth login, tags, cheers, subs, raids.

``room`` is the channel login (several may be given, comma-separated); ``endpoint`` the WebSocket URL.
Sub values are the list prices of the tiers (USD), a bit counts as 0.01 USD: estimates, for triage only.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from agent.clock import timeout
from agent.errors import FatalError, ProtocolError
from agent.events import Event, EventKind, Gift, User
from agent.ports import Clock
from agent.settings import PlatformSettings
from agent.toolbox.ratelimit import RateLimiter
from connectors.platforms.irc import Line, parse_line, split_frame
from connectors.platforms.options import TwitchIrcOptions, env_secret
from connectors.platforms.reconnect import Session, reconnect_forever
from connectors.platforms.source import PumpSource

log = logging.getLogger(__name__)
TIER_USD = {"Prime": 4.99, "1000": 4.99, "2000": 9.99, "3000": 24.99}
USD_PER_BIT = 0.01
AUTH_FAILED = ("Login authentication failed", "Improperly formatted auth", "Invalid NICK")


def _user(tags: Mapping[str, str], nick: str = "") -> User:
    login = tags.get("login") or nick
    return User(id=tags.get("user-id") or login, name=tags.get("display-name") or login)


def _sent_at(tags: Mapping[str, str]) -> float | None:
    ts = tags.get("tmi-sent-ts", "")
    return int(ts) / 1000.0 if ts.isdigit() else None


def _privmsg(line: Line, now: float) -> Event:
    channel = line.params[0].lstrip("#")
    text = line.trailing
    if text.startswith("\x01ACTION ") and text.endswith("\x01"):
        text = text[8:-1]
    tags = line.tags
    base: dict[str, Any] = {"user": _user(tags, line.nick), "platform": "twitch", "room": channel, "text": text,
            "message_id": tags.get("id", ""), "time": now, "sent_at": _sent_at(tags)}
    bits = int(tags.get("bits", "0") or 0)
    if bits > 0:
        return Event(kind=EventKind.GIFT, gift=Gift("Bits", bits, round(bits * USD_PER_BIT, 2), "USD"), **base)
    return Event(kind=EventKind.COMMENT, **base)


def _usernotice(line: Line, now: float) -> Event | None:
    tags = line.tags
    kind = tags.get("msg-id", "")
    channel = line.params[0].lstrip("#")
    plan = tags.get("msg-param-sub-plan", "1000")
    price = TIER_USD.get(plan, 4.99)
    base: dict[str, Any] = {"user": _user(tags, line.nick), "platform": "twitch", "room": channel,
            "message_id": tags.get("id", ""), "time": now, "sent_at": _sent_at(tags)}
    extra: dict[str, Any] = {"system_msg": tags.get("system-msg", ""), "notice": kind}
    if kind in ("sub", "resub"):
        extra["months"] = tags.get("msg-param-cumulative-months", "1")
        return Event(kind=EventKind.GIFT, gift=Gift(f"sub {plan}", 1, price, "USD"), text=line.trailing
                     if len(line.params) > 1 else "", extra=extra, **base)
    if kind in ("subgift", "anonsubgift"):
        extra["recipient"] = tags.get("msg-param-recipient-display-name", "")
        return Event(kind=EventKind.GIFT, gift=Gift(f"gift sub {plan}", 1, price, "USD"), extra=extra, **base)
    if kind in ("submysterygift", "anonsubmysterygift"):
        n = int(tags.get("msg-param-mass-gift-count", "1") or 1)
        return Event(kind=EventKind.GIFT, gift=Gift(f"gift sub {plan}", n, round(n * price, 2), "USD"),
                     extra=extra, **base)
    if kind == "raid":
        viewers = int(tags.get("msg-param-viewerCount", "1") or 1)
        user = User(id=tags.get("user-id", ""), name=tags.get("msg-param-displayName") or tags.get("login", ""))
        return Event(kind=EventKind.JOIN, count=viewers, extra=extra, **{**base, "user": user})
    return None


def to_event(line: Line, now: float) -> Event | None:
    """The event an IRC line carries, or None. Raises ``ValueError``/``IndexError`` on a malformed one."""
    if line.command == "PRIVMSG":
        return _privmsg(line, now)
    if line.command == "USERNOTICE":
        return _usernotice(line, now)
    return None


class TwitchIrcSource(PumpSource):
    """Reads Twitch chat of one or more channels; read-only unless a token is configured."""

    options: TwitchIrcOptions

    def __init__(self, settings: PlatformSettings | TwitchIrcOptions, clock: Clock, *,
                 rng: random.Random | None = None) -> None:
        opts = TwitchIrcOptions.of(settings)
        super().__init__("twitch", opts, clock, rng=rng)
        self.channels = [c.strip().lstrip("#").lower() for c in opts.room.split(",") if c.strip()]
        if not self.channels:
            raise FatalError("platforms.twitch.room: the channel login is required")
        self.url = opts.endpoint or "wss://irc-ws.chat.twitch.tv:443"
        self._token = env_secret(opts.token_env).removeprefix("oauth:")
        self.nick = opts.nick.lower()
        if not self._token or not self.nick:
            self.nick = f"justinfan{self.rng.randint(10000, 99999)}"
            self._token = ""
        self.ping_s = opts.ping_s
        self.idle_timeout_s = opts.idle_timeout_s
        self.auth_timeout_s = opts.auth_timeout_s
        self.open_timeout_s = opts.http_timeout_s  # the WebSocket's opening handshake is an HTTP request
        self.close_timeout_s = opts.close_timeout_s
        self._joins = RateLimiter(opts.join_limit, opts.join_window_s, clock)
        self._last_rx = 0.0

    async def _run(self) -> None:
        await reconnect_forever(self._session, name=self.name, clock=self.clock, backoff=self.backoff,
                                rng=self.rng, watch=self.link)

    async def _session(self, session: Session) -> bool:
        async with connect(self.url, open_timeout=self.open_timeout_s, close_timeout=self.close_timeout_s,
                           ping_interval=None) as ws:
            await ws.send("CAP REQ :twitch.tv/tags twitch.tv/commands")
            if self._token:
                await ws.send(f"PASS oauth:{self._token}")
            await ws.send(f"NICK {self.nick}")
            async with timeout(self.clock, self.auth_timeout_s):
                await self._welcome(ws)
            for channel in self.channels:
                await self._joins.acquire()
                await ws.send(f"JOIN #{channel}")
            session.healthy()
            self._last_rx = self.clock.now()
            keepalive = asyncio.create_task(self._keepalive(ws))
            try:
                async for frame in ws:
                    self._last_rx = self.clock.now()
                    if not await self._frame(ws, frame):
                        return True  # RECONNECT: the server is going away
            finally:
                keepalive.cancel()
                await asyncio.gather(keepalive, return_exceptions=True)
        return True

    async def _welcome(self, ws: ClientConnection) -> None:
        """Read until 001 (logged in); a failed login is fatal, as retrying cannot fix a bad token."""
        async for frame in ws:
            for raw in split_frame(str(frame)):
                line = parse_line(raw)
                if line.command == "001":
                    return
                if line.command == "PING":
                    await ws.send(f"PONG :{line.trailing}")
                if line.command == "NOTICE" and any(m in line.trailing for m in AUTH_FAILED):
                    raise FatalError("twitch: login refused; check the token and nick settings")
        raise ProtocolError("twitch closed the connection during login")

    async def _keepalive(self, ws: ClientConnection) -> None:
        while True:
            await self.clock.sleep(self.ping_s)
            if self.clock.now() - self._last_rx > self.idle_timeout_s:
                log.warning("connection silent; reconnecting", extra={"platform": self.name})
                await ws.close(1000, "idle")
                return
            await ws.send("PING :tmi.twitch.tv")

    async def _frame(self, ws: ClientConnection, frame: str | bytes) -> bool:
        """Handle every line of a frame; False when the server asks us to reconnect."""
        if isinstance(frame, bytes):
            frame = frame.decode("utf-8", "replace")
        go_on = True
        for raw in split_frame(frame):
            try:
                line = parse_line(raw)
                if line.command == "PING":
                    await ws.send(f"PONG :{line.trailing}")
                    continue
                if line.command == "RECONNECT":
                    go_on = False
                    continue
                event = to_event(line, self.clock.now())
            except (ProtocolError, ValueError, IndexError) as exc:
                log.warning("malformed line; skipped",
                            extra={"platform": self.name, "reason": type(exc).__name__, "chars": len(raw)})
                continue
            if event is not None:
                await self._emit(event)
        return go_on
