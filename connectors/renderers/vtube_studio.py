"""VTube Studio renderer: lip-syncs a Live2D model and triggers expression hotkeys over the public API.

The audio itself is not sent to VTube Studio: play it locally (the overlay page in OBS, or any player)
and this renderer moves the model's mouth from the same chunks, on the same show clock. The mouth
parameter is injected at a steady rate even when idle (value 0), because VTube Studio hands a parameter
back to face tracking once injections stop.

The first connection asks VTube Studio for a plugin token (the user clicks "Allow" once); the token is
kept in ``token_file`` (or given in the ``token_env`` variable) and reused on every later connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import os
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from agent.clock import LoopClock
from agent.clock import timeout as clock_timeout
from agent.errors import FatalError, ProtocolError
from agent.ports import Clock
from agent.render import AudioChunk, RenderEvent, UtteranceEnded, UtteranceStarted
from agent.settings import Settings
from agent.toolbox.tasks import cancel_and_wait
from connectors.renderers.lipsync import MouthTrack
from connectors.renderers.options import VtsConfig
from connectors.renderers.supervise import AuthError, renderer_backoff, supervise

log = logging.getLogger(__name__)

API_NAME = "VTubeStudioPublicAPI"
API_VERSION = "1.0"
USER_DENIED = 50  # APIError id when the user refuses the plugin


class VtsApiError(ProtocolError):
    """VTube Studio answered with an APIError."""

    def __init__(self, error_id: int, message: str) -> None:
        super().__init__(f"VTube Studio APIError {error_id}: {message}")
        self.error_id = error_id


class _Link:
    """Request/response matching over one connection; ``cast`` sends without waiting for the answer. Waits
    for answers are bounded on ``clock``."""

    def __init__(self, ws: ClientConnection, clock: Clock) -> None:
        self._ws = ws
        self._clock = clock
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def _envelope(self, message_type: str, data: Mapping[str, Any]) -> tuple[str, str]:
        rid = f"livehost-{next(self._ids)}"
        msg = {"apiName": API_NAME, "apiVersion": API_VERSION, "requestID": rid,
               "messageType": message_type, "data": dict(data)}
        return rid, json.dumps(msg)

    async def call(self, message_type: str, data: Mapping[str, Any], wait_s: float | None) -> dict[str, Any]:
        rid, text = self._envelope(message_type, data)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        try:
            await self._ws.send(text)
            async with clock_timeout(self._clock, wait_s):
                reply = await fut
        finally:
            self._pending.pop(rid, None)
        body = reply.get("data") or {}
        if reply.get("messageType") == "APIError":
            raise VtsApiError(int(body.get("errorID", -1)), str(body.get("message", "")))
        return dict(body)

    async def cast(self, message_type: str, data: Mapping[str, Any]) -> None:
        await self._ws.send(self._envelope(message_type, data)[1])

    async def read_loop(self) -> None:
        """Route replies to their callers until the connection closes; then fail whoever still waits."""
        try:
            async for raw in self._ws:
                try:
                    reply = json.loads(raw)
                except ValueError:
                    log.warning("vtube studio sent non-JSON", extra={"size": len(raw)})
                    continue
                fut = self._pending.get(str(reply.get("requestID", "")))
                if fut is not None and not fut.done():
                    fut.set_result(reply)
                elif reply.get("messageType") == "APIError":
                    data = reply.get("data") or {}
                    log.warning("vtube studio error", extra={"error_id": data.get("errorID"),
                                                             "detail": str(data.get("message", ""))[:200]})
        except ConnectionClosed:
            pass
        finally:
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(ProtocolError("VTube Studio connection closed"))


class VtubeStudioRenderer:
    """Drives a VTube Studio model: mouth from audio levels, expressions from utterance kinds."""

    name = "vtube_studio"

    def __init__(self, config: VtsConfig, clock: Clock | None = None) -> None:
        self.config = config
        self._clock: Clock = clock if clock is not None else LoopClock()
        self._track = MouthTrack()
        self._hotkeys: deque[str] = deque(maxlen=4)
        self._task: asyncio.Task[FatalError | None] | None = None
        self.ready = asyncio.Event()
        self.sessions = 0  # successful authentications so far
        self.failed: FatalError | None = None

    # ---- Renderer interface ------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is None:
            backoff = renderer_backoff(self.config.backoff_initial_s, self.config.backoff_max_s)
            self._task = asyncio.create_task(
                supervise(self.name, self._session, self._clock, backoff), name="vtube-studio"
            )
            self._task.add_done_callback(self._stopped)

    async def send(self, event: RenderEvent) -> None:
        if isinstance(event, AudioChunk):
            self._track.add(event)
        elif isinstance(event, UtteranceStarted):
            hotkey = self.config.expressions.get(event.kind)
            if hotkey:
                self._hotkeys.append(hotkey)
        elif isinstance(event, UtteranceEnded) and event.interrupted:
            self._track.cut(event.utterance_id)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            await cancel_and_wait(task)
        self.ready.clear()

    def _stopped(self, task: asyncio.Task[FatalError | None]) -> None:
        if not task.cancelled():
            self.failed = task.result()

    # ---- one connection ----------------------------------------------------------------------------
    async def _session(self) -> bool:
        async with clock_timeout(self._clock, self.config.request_timeout_s):
            ws = await connect(self.config.url, open_timeout=None)
        async with ws:
            link = _Link(ws, self._clock)
            reader = asyncio.create_task(link.read_loop())
            ticker: asyncio.Task[None] | None = None
            try:
                await self._authenticate(link)
                hotkeys = await self._hotkey_ids(link)
                self._hotkeys.clear()
                self.sessions += 1
                self.ready.set()
                log.info("vtube studio connected", extra={"url": self.config.url, "hotkeys": len(hotkeys)})
                ticker = asyncio.create_task(self._tick(link, hotkeys))
                await asyncio.wait({reader, ticker}, return_when=asyncio.FIRST_COMPLETED)
                if ticker.done() and ticker.exception() is not None:
                    raise ticker.exception()  # type: ignore[misc]
            finally:
                self.ready.clear()
                for task in (reader, ticker):
                    if task is not None:
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                            await task
        return True

    async def _authenticate(self, link: _Link) -> None:
        plugin = {"pluginName": self.config.plugin_name, "pluginDeveloper": self.config.plugin_developer}
        timeout = self.config.request_timeout_s
        token = self._load_token()
        if token:
            reply = await link.call("AuthenticationRequest", {**plugin, "authenticationToken": token}, timeout)
            if reply.get("authenticated"):
                return
            log.warning("vtube studio rejected the stored token", extra={"reason": reply.get("reason", "")})
            self._forget_token()
        try:
            # No timeout: VTube Studio answers only once the user has clicked Allow or Deny.
            granted = await link.call("AuthenticationTokenRequest", plugin, None)
        except VtsApiError as exc:
            if exc.error_id == USER_DENIED:
                raise AuthError("VTube Studio: the user denied access to the plugin") from exc
            raise
        token = str(granted.get("authenticationToken", ""))
        if not token:
            raise ProtocolError("VTube Studio sent no authenticationToken")
        self._save_token(token)
        reply = await link.call("AuthenticationRequest", {**plugin, "authenticationToken": token}, timeout)
        if not reply.get("authenticated"):
            raise AuthError(f"VTube Studio refused a fresh token: {reply.get('reason', '')}")

    async def _hotkey_ids(self, link: _Link) -> dict[str, str]:
        """Resolve the configured hotkey names (or IDs) against the loaded model."""
        if not self.config.expressions:
            return {}
        reply = await link.call("HotkeysInCurrentModelRequest", {}, self.config.request_timeout_s)
        known: dict[str, str] = {}
        for hk in reply.get("availableHotkeys", []):
            known[str(hk.get("name", ""))] = str(hk.get("hotkeyID", ""))
            known[str(hk.get("hotkeyID", ""))] = str(hk.get("hotkeyID", ""))
        wanted = set(self.config.expressions.values())
        missing = sorted(wanted - known.keys())
        if missing:
            log.warning("vtube studio model lacks hotkeys", extra={"missing": missing})
        return {name: known[name] for name in wanted if name in known}

    async def _tick(self, link: _Link, hotkeys: Mapping[str, str]) -> None:
        """Inject the mouth value every 1/rate_hz seconds of the show clock; fire queued hotkeys first."""
        period = 1.0 / self.config.rate_hz
        param = self.config.mouth_parameter
        t0 = self._clock.now()
        k = 0
        while True:
            while self._hotkeys:
                hotkey_id = hotkeys.get(self._hotkeys.popleft())
                if hotkey_id:
                    await link.cast("HotkeyTriggerRequest", {"hotkeyID": hotkey_id})
            now = self._clock.now()
            value = round(self._track.level(now), 3)
            await link.cast(
                "InjectParameterDataRequest",
                {"faceFound": False, "mode": "set", "parameterValues": [{"id": param, "value": value}]},
            )
            k += 1
            if t0 + k * period < now:  # fell behind (a stall): skip the missed ticks, keep the phase
                k = math.ceil((now - t0) / period)
            await self._clock.sleep(t0 + k * period - now)

    # ---- token storage -----------------------------------------------------------------------------
    def _load_token(self) -> str:
        from_env = os.environ.get(self.config.token_env, "") if self.config.token_env else ""
        if from_env:
            return from_env
        path = Path(self.config.token_file)
        return path.read_text(encoding="utf-8").strip() if path.is_file() else ""

    def _save_token(self, token: str) -> None:
        path = Path(self.config.token_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(token)
        log.info("vtube studio token stored", extra={"path": str(path)})

    def _forget_token(self) -> None:
        Path(self.config.token_file).unlink(missing_ok=True)


def create(options: Mapping[str, Any], *, settings: Settings, clock: Clock) -> VtubeStudioRenderer:
    """Registry factory: ``token_file`` defaults to the show's data_dir; a relative one is read against the
    settings file's folder."""
    return VtubeStudioRenderer(VtsConfig.of(options, settings), clock)
