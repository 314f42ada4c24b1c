"""A local stand-in for VTube Studio's public WebSocket API: auth token flow, hotkeys, parameter injection.

It records every request it receives so tests can assert on order and rate, and it can drop all
connections (as when VTube Studio is restarted) while staying up for the reconnect.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

API = "VTubeStudioPublicAPI"


@dataclass
class FakeVts:
    allow: bool = True  # does the "user" click Allow on the token popup?
    token: str = "vts-token-1"
    hotkeys: tuple[tuple[str, str], ...] = (("Smile", "hk-smile"), ("Wave", "hk-wave"))
    valid_tokens: set[str] = field(default_factory=set)
    received: list[dict[str, Any]] = field(default_factory=list)
    tokens_issued: int = 0
    _server: Server | None = None
    _conns: set[ServerConnection] = field(default_factory=set)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        assert self._server is not None
        port = next(iter(self._server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}"

    def of_type(self, message_type: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("messageType") == message_type]

    def mouth_values(self) -> list[float]:
        return [m["data"]["parameterValues"][0]["value"] for m in self.of_type("InjectParameterDataRequest")]

    async def start(self, port: int = 0) -> None:
        self._server = await serve(self._handle, "127.0.0.1", port)

    async def drop(self) -> None:
        """Close every client connection abruptly-ish (1001 going away), keep listening."""
        for ws in list(self._conns):
            await ws.close(1001, "VTube Studio restarting")

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def wait_for(self, cond: Callable[[], bool], limit_s: float = 3.0) -> None:
        """Wait (in real time) until ``cond()`` holds after some request arrived."""
        async with asyncio.timeout(limit_s):
            while not cond():
                self._changed.clear()
                await self._changed.wait()

    async def _handle(self, ws: ServerConnection) -> None:
        self._conns.add(ws)
        authed = False
        try:
            async for raw in ws:
                msg = json.loads(raw)
                self.received.append(msg)
                self._changed.set()
                reply_type, data, authed = self._answer(msg, authed)
                await ws.send(json.dumps({
                    "apiName": API, "apiVersion": "1.0", "timestamp": len(self.received),
                    "requestID": msg.get("requestID", ""), "messageType": reply_type, "data": data,
                }))
        except ConnectionClosed:
            pass
        finally:
            self._conns.discard(ws)
            self._changed.set()

    def _answer(self, msg: dict[str, Any], authed: bool) -> tuple[str, dict[str, Any], bool]:
        if msg.get("apiName") != API or msg.get("apiVersion") != "1.0" or "requestID" not in msg:
            return "APIError", {"errorID": 1, "message": "bad envelope"}, authed
        kind = str(msg.get("messageType", ""))
        data = msg.get("data") or {}
        reply = kind.removesuffix("Request") + "Response"
        if kind == "AuthenticationTokenRequest":
            if not data.get("pluginName") or not data.get("pluginDeveloper"):
                return "APIError", {"errorID": 3, "message": "plugin name missing"}, authed
            if not self.allow:
                return "APIError", {"errorID": 50, "message": "User has denied API access"}, authed
            self.tokens_issued += 1
            self.valid_tokens.add(self.token)
            return reply, {"authenticationToken": self.token}, authed
        if kind == "AuthenticationRequest":
            ok = data.get("authenticationToken") in self.valid_tokens
            return reply, {"authenticated": ok, "reason": "ok" if ok else "Token invalid"}, ok
        if not authed:
            return "APIError", {"errorID": 8, "message": "Plugin is not authenticated"}, authed
        if kind == "HotkeysInCurrentModelRequest":
            hks = [{"name": n, "type": "ToggleExpression", "hotkeyID": i, "file": "", "description": "",
                    "keyCombination": [], "onScreenButtonID": -1} for n, i in self.hotkeys]
            return reply, {"modelLoaded": True, "modelName": "Fake", "modelID": "m1",
                           "availableHotkeys": hks}, authed
        if kind == "HotkeyTriggerRequest":
            if data.get("hotkeyID") not in {i for _, i in self.hotkeys}:
                return "APIError", {"errorID": 102, "message": "hotkey not found"}, authed
            return reply, {"hotkeyID": data["hotkeyID"]}, authed
        if kind == "InjectParameterDataRequest":
            values = data.get("parameterValues") or []
            if data.get("mode") != "set" or not all(0.0 <= float(v.get("value", -1)) <= 1.0 for v in values):
                return "APIError", {"errorID": 453, "message": "bad parameter values"}, authed
            return reply, {}, authed
        return "APIError", {"errorID": 2, "message": f"unknown request {kind}"}, authed
