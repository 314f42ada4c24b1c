"""Browser bridge ingress for platforms without a public comment API (Taobao Live, Kuaishou, JD).

A userscript or the Playwright forwarder (``connectors/bridge_userscript``) reads the live page in the
streamer's logged-in browser and sends normalized events (``Event.to_dict`` form) here, over a WebSocket
(``/bridge/ws?token=...``) or ``POST /bridge/events`` (header ``X-Livehost-Token``). The token keeps other
local pages from injecting chat. One bridge serves several platforms: each event names its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import json
import logging
import random
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from agent.errors import ConfigError
from agent.events import Event
from agent.ports import Clock
from agent.settings import PlatformSettings
from connectors.platforms.ingress import serve_app
from connectors.platforms.options import BridgeOptions, env_secret
from connectors.platforms.source import PumpSource

log = logging.getLogger(__name__)
MALFORMED = (KeyError, TypeError, ValueError, AttributeError)
POLICY_VIOLATION = 1008


class BridgeSource(PumpSource):
    options: BridgeOptions

    def __init__(self, settings: PlatformSettings | BridgeOptions, clock: Clock, *,
                 rng: random.Random | None = None) -> None:
        opts = BridgeOptions.of(settings)
        super().__init__(opts.platform, opts, clock, rng=rng)
        self.host = opts.host
        self.port = opts.port
        self.platforms = opts.platforms  # accepted platform names; empty: any
        self.max_message = opts.max_message_bytes
        self._token = env_secret(opts.token_env)
        if not self._token:
            raise ConfigError("platforms.bridge: the bridge token variable (token_env) is unset")
        self._ready = asyncio.Event()
        self.accepted = 0
        self.skipped = 0

    async def ready(self) -> int:
        """Start listening if needed; returns the bound port."""
        self.start()
        await self._ready.wait()
        return self.port

    async def _run(self) -> None:
        app = Starlette(routes=[WebSocketRoute("/bridge/ws", self._ws),
                                Route("/bridge/events", self._post, methods=["POST"])])
        async with serve_app(app, self.host, self.port, close_timeout_s=self.options.close_timeout_s) as port:
            self.port = port
            self._ready.set()
            self.link.up()  # listening: the platform pushes to us
            await asyncio.Event().wait()

    def _authorized(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self._token)

    def ingest(self, text: str | bytes) -> tuple[int, int]:
        """Queue the events in one message (an object or a list); returns (accepted, skipped)."""
        try:
            data: Any = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError):
            log.warning("malformed bridge message; skipped", extra={"platform": self.name, "chars": len(text)})
            self.skipped += 1
            return 0, 1
        ok = bad = 0
        now = self.clock.now()
        for item in data if isinstance(data, list) else [data]:
            try:
                event = Event.from_dict(item, platform=self.name, room=self.room)
                if self.platforms and event.platform not in self.platforms:
                    raise ValueError("field 'platform': not accepted by this bridge")
            except MALFORMED as exc:
                log.warning("malformed bridge event; skipped",
                            extra={"platform": self.name, "reason": str(exc)[:200]})
                bad += 1
                continue
            self._offer(dataclasses.replace(event, time=now))
            ok += 1
        self.accepted += ok
        self.skipped += bad
        return ok, bad

    async def _ws(self, ws: WebSocket) -> None:
        if not self._authorized(ws.query_params.get("token")):
            log.warning("bridge connection with a bad token; refused", extra={"platform": self.name})
            await ws.close(code=POLICY_VIOLATION)
            return
        await ws.accept()
        try:
            while True:
                msg = await ws.receive()
                if msg["type"] == "websocket.disconnect":
                    return
                text = msg.get("text") or msg.get("bytes") or b""
                if len(text) > self.max_message:
                    ok, bad = 0, 1
                else:
                    ok, bad = self.ingest(text)
                await ws.send_json({"accepted": ok, "skipped": bad})
        except WebSocketDisconnect:
            return

    async def _post(self, request: Request) -> JSONResponse:
        auth = request.headers.get("x-livehost-token") or request.headers.get("authorization", "").removeprefix(
            "Bearer ")
        if not self._authorized(auth):
            return JSONResponse({"error": "bad token"}, 401)
        body = await request.body()
        if len(body) > self.max_message:
            return JSONResponse({"error": "too large"}, 413)
        ok, bad = self.ingest(body)
        return JSONResponse({"accepted": ok, "skipped": bad}, 200 if ok or not bad else 400)
