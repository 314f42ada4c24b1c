"""A local stand-in for LiveTalking's HTTP API: /human, /interrupt_talk, /is_speaking (routes configurable)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.web.server import WebServer


@dataclass
class FakeLiveTalking:
    prefix: str = ""  # e.g. "/api" to check that routes are taken from settings
    sessions: set[int | str] = field(default_factory=lambda: {0})
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    speaking: bool = False
    token: str | None = None  # when set, requests need "Authorization: Bearer <token>" (a proxy in front)
    port: int = 0
    _server: WebServer | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        assert self._server is not None
        return self._server.url

    def texts(self) -> list[str]:
        return [b["text"] for path, b in self.received if path.endswith("/human")]

    async def start(self) -> None:
        p = self.prefix
        app = Starlette(routes=[
            Route(f"{p}/human", self._human, methods=["POST"]),
            Route(f"{p}/interrupt_talk", self._interrupt, methods=["POST"]),
            Route(f"{p}/is_speaking", self._is_speaking, methods=["POST"]),
        ])
        self._server = WebServer(app, "127.0.0.1", self.port)
        await self._server.start()
        self.port = self._server.port  # a restart comes back on the same port

    async def aclose(self) -> None:
        if self._server is not None:
            await self._server.aclose()
            self._server = None

    async def wait_for(self, cond: Callable[[], bool], limit_s: float = 3.0) -> None:
        async with asyncio.timeout(limit_s):
            while not cond():
                self._changed.clear()
                await self._changed.wait()

    async def _body(self, request: Request) -> dict[str, Any] | JSONResponse:
        if self.token is not None and request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"detail": "unauthorized"}, status_code=401)
        body = await request.json()
        self.received.append((request.url.path, body))
        self._changed.set()
        if body.get("sessionid") not in self.sessions:
            return JSONResponse({"code": -1, "msg": "session not found"})
        return dict(body)

    async def _human(self, request: Request) -> JSONResponse:
        body = await self._body(request)
        if isinstance(body, JSONResponse):
            return body
        if body.get("type") not in ("echo", "chat") or not isinstance(body.get("interrupt"), bool):
            return JSONResponse({"code": -1, "msg": "bad request"})
        self.speaking = True
        return JSONResponse({"code": 0, "data": "ok"})

    async def _interrupt(self, request: Request) -> JSONResponse:
        if isinstance(body := await self._body(request), JSONResponse):
            return body
        self.speaking = False
        return JSONResponse({"code": 0, "data": "ok"})

    async def _is_speaking(self, request: Request) -> JSONResponse:
        if isinstance(body := await self._body(request), JSONResponse):
            return body
        return JSONResponse({"code": 0, "data": self.speaking})
