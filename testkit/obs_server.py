"""A local stand-in for OBS WebSocket v5: Hello/Identify with challenge auth, requests and close codes."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol


def expected_auth(password: str, salt: str, challenge: str) -> str:
    """Written independently of the renderer, from the protocol description."""
    step1 = hashlib.sha256(password.encode() + salt.encode()).digest()
    step2 = hashlib.sha256(base64.b64encode(step1) + challenge.encode()).digest()
    return base64.b64encode(step2).decode()


@dataclass
class FakeObs:
    password: str | None = None
    salt: str = "c2FsdHNhbHQ="
    challenge: str = "Y2hhbGxlbmdl"
    inputs: dict[str, dict[str, Any]] = field(default_factory=lambda: {"livehost captions": {"text": ""}})
    received: list[dict[str, Any]] = field(default_factory=list)
    close_codes: list[int] = field(default_factory=list)
    _server: Server | None = None
    _conns: set[ServerConnection] = field(default_factory=set)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"ws://127.0.0.1:{next(iter(self._server.sockets)).getsockname()[1]}"

    def requests(self, request_type: str | None = None) -> list[dict[str, Any]]:
        return [m["d"] for m in self.received
                if m.get("op") == 6 and (request_type is None or m["d"]["requestType"] == request_type)]

    def captions(self) -> list[str]:
        return [r["requestData"]["inputSettings"]["text"] for r in self.requests("SetInputSettings")]

    async def start(self) -> None:
        self._server = await serve(self._handle, "127.0.0.1", 0, subprotocols=[Subprotocol("obswebsocket.json")])

    async def drop(self) -> None:
        for ws in list(self._conns):
            await ws.close(1001, "OBS closing")

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def wait_for(self, cond: Callable[[], bool], limit_s: float = 3.0) -> None:
        async with asyncio.timeout(limit_s):
            while not cond():
                self._changed.clear()
                await self._changed.wait()

    def _note(self, msg: dict[str, Any]) -> None:
        self.received.append(msg)
        self._changed.set()

    async def _handle(self, ws: ServerConnection) -> None:
        if ws.subprotocol != "obswebsocket.json":
            await ws.close(4000, "subprotocol required")
            return
        self._conns.add(ws)
        try:
            hello: dict[str, Any] = {"obsWebSocketVersion": "5.5.0", "rpcVersion": 1}
            if self.password is not None:
                hello["authentication"] = {"challenge": self.challenge, "salt": self.salt}
            await ws.send(json.dumps({"op": 0, "d": hello}))
            identify = json.loads(await ws.recv())
            self._note(identify)
            if identify.get("op") != 1 or identify["d"].get("rpcVersion") != 1:
                await self._close(ws, 4006, "Identify expected")
                return
            if self.password is not None:
                want = expected_auth(self.password, self.salt, self.challenge)
                if identify["d"].get("authentication") != want:
                    await self._close(ws, 4009, "Authentication failed.")
                    return
            await ws.send(json.dumps({"op": 2, "d": {"negotiatedRpcVersion": 1}}))
            async for raw in ws:
                msg = json.loads(raw)
                self._note(msg)
                if msg.get("op") == 6:
                    await ws.send(json.dumps({"op": 7, "d": self._answer(msg["d"])}))
        except ConnectionClosed:
            pass
        finally:
            self._conns.discard(ws)
            self._changed.set()

    async def _close(self, ws: ServerConnection, code: int, reason: str) -> None:
        self.close_codes.append(code)
        await ws.close(code, reason)

    def _answer(self, d: dict[str, Any]) -> dict[str, Any]:
        base = {"requestType": d.get("requestType"), "requestId": d.get("requestId")}
        data = d.get("requestData") or {}
        if d.get("requestType") == "SetInputSettings":
            name = data.get("inputName")
            if name not in self.inputs:
                return base | {"requestStatus": {"result": False, "code": 600, "comment": "No source was found"}}
            if data.get("overlay", True):
                self.inputs[name].update(data.get("inputSettings") or {})
            else:
                self.inputs[name] = dict(data.get("inputSettings") or {})
            return base | {"requestStatus": {"result": True, "code": 100}}
        return base | {"requestStatus": {"result": False, "code": 204, "comment": "unknown request type"}}
