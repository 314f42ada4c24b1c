"""OBS renderer: shows the host's current sentence in an OBS text source through OBS WebSocket v5.

Useful when the stream is composed in OBS without the overlay page (or in addition to it). Each
:class:`~agent.render.AudioChunk` sets the caption as it starts playing; the end of the utterance clears
it. Captions wait in a short queue, so a slow or restarting OBS never holds the show up.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import logging
import os
from collections import deque
from collections.abc import Mapping
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from agent.clock import LoopClock
from agent.clock import timeout as clock_timeout
from agent.errors import FatalError, ProtocolError
from agent.ports import Clock
from agent.render import AudioChunk, RenderEvent, UtteranceEnded
from agent.settings import Settings
from agent.toolbox.tasks import cancel_and_wait
from connectors.renderers.options import ObsConfig
from connectors.renderers.supervise import AuthError, renderer_backoff, supervise

log = logging.getLogger(__name__)

SUBPROTOCOL = Subprotocol("obswebsocket.json")
RPC_VERSION = 1
OP_HELLO, OP_IDENTIFY, OP_IDENTIFIED, OP_REQUEST, OP_RESPONSE = 0, 1, 2, 6, 7
CLOSE_AUTH_FAILED = 4009


def auth_response(password: str, salt: str, challenge: str) -> str:
    """The v5 authentication string: base64(sha256(base64(sha256(password + salt)) + challenge))."""
    secret = base64.b64encode(hashlib.sha256((password + salt).encode()).digest()).decode()
    return base64.b64encode(hashlib.sha256((secret + challenge).encode()).digest()).decode()


class ObsRenderer:
    """Sets a text input's ``text`` to the sentence being spoken. Every wait on OBS is bounded on ``clock``
    (the show's; the loop's when none is given)."""

    name = "obs"

    def __init__(self, config: ObsConfig, clock: Clock | None = None) -> None:
        self.config = config
        self._clock: Clock = clock if clock is not None else LoopClock()
        self._captions: deque[str] = deque(maxlen=config.queue_size)
        self._wake = asyncio.Event()
        self._ids = itertools.count(1)
        self._task: asyncio.Task[FatalError | None] | None = None
        self.ready = asyncio.Event()
        self.sessions = 0
        self.failed: FatalError | None = None

    # ---- Renderer interface ------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is None:
            backoff = renderer_backoff(self.config.backoff_initial_s, self.config.backoff_max_s)
            self._task = asyncio.create_task(supervise(self.name, self._session, self._clock, backoff), name="obs")
            self._task.add_done_callback(self._stopped)

    async def send(self, event: RenderEvent) -> None:
        if isinstance(event, AudioChunk):
            self._caption(event.audio.text)
        elif isinstance(event, UtteranceEnded) and self.config.clear_on_end:
            self._caption("")

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            await cancel_and_wait(task)
        self.ready.clear()

    def _caption(self, text: str) -> None:
        self._captions.append(text)
        self._wake.set()

    def _stopped(self, task: asyncio.Task[FatalError | None]) -> None:
        if not task.cancelled():
            self.failed = task.result()

    # ---- one connection ----------------------------------------------------------------------------
    async def _session(self) -> bool:
        async with clock_timeout(self._clock, self.config.request_timeout_s):
            ws = await connect(self.config.url, subprotocols=[SUBPROTOCOL], open_timeout=None)
        async with ws:
            try:
                await self._identify(ws)
            except ConnectionClosed as exc:
                if exc.rcvd is not None and exc.rcvd.code == CLOSE_AUTH_FAILED:
                    raise AuthError(f"OBS rejected the password from ${self.config.password_env}") from exc
                raise
            self.sessions += 1
            self.ready.set()
            log.info("obs connected", extra={"url": self.config.url})
            if len(self._captions) > 1:  # after an outage only the newest caption is worth showing
                latest = self._captions[-1]
                self._captions.clear()
                self._captions.append(latest)
            try:
                await self._pump(ws)
            finally:
                self.ready.clear()
        return True

    async def _identify(self, ws: ClientConnection) -> None:
        timeout = self.config.request_timeout_s
        async with clock_timeout(self._clock, timeout):
            hello = json.loads(await ws.recv())
        if hello.get("op") != OP_HELLO:
            raise ProtocolError(f"OBS: expected Hello (op 0), got op {hello.get('op')}")
        identify: dict[str, Any] = {"rpcVersion": RPC_VERSION, "eventSubscriptions": 0}
        challenge = (hello.get("d") or {}).get("authentication")
        if challenge:
            password = os.environ.get(self.config.password_env, "") if self.config.password_env else ""
            if not password:
                raise AuthError(f"OBS asks for a password: set ${self.config.password_env}")
            identify["authentication"] = auth_response(password, challenge["salt"], challenge["challenge"])
        await ws.send(json.dumps({"op": OP_IDENTIFY, "d": identify}))
        async with clock_timeout(self._clock, timeout):
            reply = json.loads(await ws.recv())
        if reply.get("op") != OP_IDENTIFIED:
            raise ProtocolError(f"OBS: expected Identified (op 2), got op {reply.get('op')}")

    async def _pump(self, ws: ClientConnection) -> None:
        """Send queued captions one request at a time; return when the connection closes."""
        closed = asyncio.create_task(ws.wait_closed())
        try:
            while True:
                while not self._captions:
                    self._wake.clear()
                    woke = asyncio.create_task(self._wake.wait())
                    try:
                        await asyncio.wait({woke, closed}, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        await cancel_and_wait(woke)
                    if closed.done():
                        return
                text = self._captions[0]
                await self._request(ws, "SetInputSettings", {
                    "inputName": self.config.caption_input, "inputSettings": {"text": text}, "overlay": True,
                })
                if self._captions and self._captions[0] == text:
                    self._captions.popleft()
        finally:
            await cancel_and_wait(closed)

    async def _request(self, ws: ClientConnection, request_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """One op 6 request; waits for its op 7 (events and other replies are skipped)."""
        rid = f"livehost-{next(self._ids)}"
        await ws.send(json.dumps({"op": OP_REQUEST, "d": {
            "requestType": request_type, "requestId": rid, "requestData": dict(data)}}))
        async with clock_timeout(self._clock, self.config.request_timeout_s):
            while True:
                msg = json.loads(await ws.recv())
                d = msg.get("d") or {}
                if msg.get("op") == OP_RESPONSE and d.get("requestId") == rid:
                    break
        status = d.get("requestStatus") or {}
        if not status.get("result"):
            log.warning("obs request failed", extra={"request": request_type, "code": status.get("code"),
                                                     "comment": str(status.get("comment", ""))[:200]})
        return dict(d.get("responseData") or {})


def create(options: Mapping[str, Any], *, settings: Settings, clock: Clock) -> ObsRenderer:
    """Registry factory: ``options`` is the ``[renderers.obs]`` table."""
    return ObsRenderer(ObsConfig.of(options, settings), clock)
