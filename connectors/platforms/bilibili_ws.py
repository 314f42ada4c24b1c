"""What Bilibili's web danmaku and its open platform share once connected: the packet framing over one
WebSocket, heartbeats with idle detection, and commands decoded into events. Each subclass supplies its
own command mapping (``convert``) and its own way of getting a WebSocket address and auth body."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from websockets.asyncio.client import ClientConnection

from agent.clock import timeout
from agent.errors import ProtocolError
from agent.events import Event
from connectors.platforms.bilibili_codec import Op, Packet, decode, encode
from connectors.platforms.source import PumpSource

log = logging.getLogger(__name__)

MALFORMED = (ProtocolError, KeyError, IndexError, TypeError, ValueError)


class AuthRefused(ProtocolError):
    """The server refused the auth packet (a stale token or auth body): fetch a new one and retry."""


class BilibiliWsSource(PumpSource):
    """Subclasses implement ``convert`` and set, in ``__init__``: ``room``, ``heartbeat_s``, ``idle_timeout_s``,
    ``_last_rx`` and ``heartbeat_replies``."""

    room: str
    auth_timeout_s: float
    heartbeat_s: float
    idle_timeout_s: float
    _last_rx: float
    heartbeat_replies: int

    async def _auth(self, ws: ClientConnection, body: bytes | str | Mapping[str, Any], what: str) -> None:
        """Send the auth packet (op 7), wait for its reply (op 8), then handle what came with it.

        A refused auth raises :class:`AuthRefused`; the caller drops whatever token it used.
        """
        await ws.send(encode(Op.AUTH, body))
        async with timeout(self.clock, self.auth_timeout_s):
            frame = await ws.recv()
        if isinstance(frame, str):
            raise ProtocolError("auth reply was a text frame")
        packets = list(decode(frame))
        reply = next((p for p in packets if p.op == Op.AUTH_REPLY), None)
        if reply is None:
            raise ProtocolError("no auth reply")
        code = reply.json().get("code")
        if code != 0:
            raise AuthRefused(f"{what} auth refused (code {code})")
        self._last_rx = self.clock.now()
        for p in packets:
            if p is not reply:
                await self._packet(p)

    def convert(self, msg: Mapping[str, Any], room: str, now: float) -> Event | None:
        """One command (``{"cmd": ...}``) as an event, or None for commands that are not viewer events."""
        raise NotImplementedError

    async def _heartbeat(self, ws: ClientConnection) -> None:
        """Heartbeat every ``heartbeat_s``; drop a connection silent for ``idle_timeout_s``."""
        while True:
            await ws.send(encode(Op.HEARTBEAT, b""))
            await self.clock.sleep(self.heartbeat_s)
            if self.clock.now() - self._last_rx > self.idle_timeout_s:
                log.warning("connection silent; reconnecting", extra={"platform": self.name})
                await ws.close(4000, "idle")
                return

    async def _frame(self, frame: bytes | str) -> None:
        self._last_rx = self.clock.now()
        if isinstance(frame, str):
            log.warning("text frame; skipped", extra={"platform": self.name, "chars": len(frame)})
            return
        try:
            for p in decode(frame):
                await self._packet(p)
        except ProtocolError as exc:
            log.warning("malformed frame; skipped",
                        extra={"platform": self.name, "bytes": len(frame), "reason": str(exc)})

    async def _packet(self, p: Packet) -> None:
        if p.op == Op.HEARTBEAT_REPLY:
            self.heartbeat_replies += 1
            return
        if p.op != Op.COMMAND:
            return
        try:
            event = self.convert(p.json(), self.room, self.clock.now())
        except MALFORMED as exc:
            log.warning("malformed command; skipped",
                        extra={"platform": self.name, "reason": type(exc).__name__, "bytes": len(p.body)})
            return
        if event is not None:
            await self._emit(event)
