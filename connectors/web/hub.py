"""Fan-out of JSON messages to WebSocket clients, without ever letting one client slow the show down.

Each client gets its own bounded queue and writer task. ``publish`` only appends to those queues, so it
never awaits: a slow client first loses its oldest non-audio messages (captions and cards are superseded
anyway), and if its queue is full of audio it is disconnected (skipping speech would garble it; the page
reconnects and resumes with the next chunk).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

log = logging.getLogger(__name__)

UNDROPPABLE = frozenset({"audio", "hello", "utterance_end"})


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message, serialized once for every client."""

    type: str
    text: str

    @property
    def droppable(self) -> bool:
        return self.type not in UNDROPPABLE

    @classmethod
    def of(cls, message: Mapping[str, Any]) -> Outgoing:
        return cls(str(message.get("type", "")), json.dumps(message, ensure_ascii=False, separators=(",", ":")))


class ClientQueue:
    """A bounded per-client mailbox; ``offer`` never blocks."""

    def __init__(self, limit: int) -> None:
        self.limit = max(2, limit)
        self.items: deque[Outgoing] = deque()
        self.kicked = False
        self.dropped = 0
        self._wake = asyncio.Event()

    def offer(self, msg: Outgoing) -> None:
        if self.kicked:
            return
        if len(self.items) >= self.limit:
            victim = next((m for m in self.items if m.droppable), None)
            if victim is None:
                self.kicked = True
                self._wake.set()
                return
            self.items.remove(victim)
            self.dropped += 1
        self.items.append(msg)
        self._wake.set()

    async def get(self) -> Outgoing | None:
        """The next message, or None once this client has been kicked for being too slow."""
        while not self.items and not self.kicked:
            self._wake.clear()
            await self._wake.wait()
        if self.kicked:
            return None
        return self.items.popleft()


class Broadcaster:
    """Holds the connected clients, the greeting and the latest message of each "sticky" type."""

    def __init__(
        self,
        hello: Mapping[str, Any],
        *,
        sticky: Iterable[str] = ("product", "state"),
        queue_size: int = 64,
    ) -> None:
        self._hello = Outgoing.of({"type": "hello", **hello})
        self._sticky_types = tuple(sticky)
        self._latest: dict[str, Outgoing] = {}
        self._clients: set[ClientQueue] = set()
        self._queue_size = queue_size

    @property
    def client_count(self) -> int:
        return len(self._clients)

    def publish(self, message: Mapping[str, Any]) -> None:
        """Queue ``message`` for every client. Never blocks."""
        msg = Outgoing.of(message)
        if msg.type in self._sticky_types:
            self._latest[msg.type] = msg
        for client in list(self._clients):
            client.offer(msg)
            if client.kicked:
                self._clients.discard(client)
                log.warning("overlay client too slow, disconnecting", extra={"dropped": client.dropped})

    def greeting(self) -> list[Outgoing]:
        """What a new client gets first: hello, then the latest sticky messages (in their declared order)."""
        return [self._hello, *(self._latest[t] for t in self._sticky_types if t in self._latest)]

    async def serve(self, ws: WebSocket) -> None:
        """The WebSocket endpoint: greet, then stream until the client leaves or is kicked."""
        await ws.accept()
        client = ClientQueue(self._queue_size)
        for msg in self.greeting():
            client.offer(msg)
        self._clients.add(client)
        log.info("overlay client connected", extra={"clients": len(self._clients)})
        writer = asyncio.create_task(self._write(ws, client))
        reader = asyncio.create_task(self._read(ws))
        try:
            await asyncio.wait({writer, reader}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._clients.discard(client)
            for task in (writer, reader):
                task.cancel()
            for task in (writer, reader):
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError, OSError):
                    await task
            log.info("overlay client disconnected", extra={"clients": len(self._clients)})

    @staticmethod
    async def _write(ws: WebSocket, client: ClientQueue) -> None:
        while (msg := await client.get()) is not None:
            await ws.send_text(msg.text)

    @staticmethod
    async def _read(ws: WebSocket) -> None:
        """Drain (and ignore) what the page sends, to notice when it goes away."""
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
