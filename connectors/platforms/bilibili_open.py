"""Bilibili official open platform ("直播开放平台"): the sanctioned way to read a room's danmaku.

A signed ``/v2/app/start`` with the streamer's identity code opens an app session (a "game") and hands
out the WebSocket links and auth body; the session lives as long as ``/v2/app/heartbeat`` arrives every
20 s, and ``/v2/app/end`` closes it. The WebSocket framing is the web danmaku's (``bilibili_codec``).

The app heartbeat runs beside the WebSocket for the source's whole life, so a WebSocket reconnect keeps the
game; a game the platform has expired is started afresh on the next connection.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from agent.errors import ConfigError, FatalError, ProtocolError
from agent.events import Event
from agent.ports import Clock
from agent.settings import PlatformSettings
from connectors.platforms.bilibili_open_api import GAME_GONE_CODES, Game, OpenApi, OpenApiError
from connectors.platforms.bilibili_open_events import to_event
from connectors.platforms.bilibili_wbi import unix_now
from connectors.platforms.bilibili_ws import AuthRefused, BilibiliWsSource
from connectors.platforms.options import BilibiliOpenOptions, env_secret
from connectors.platforms.reconnect import Session, reconnect_forever

log = logging.getLogger(__name__)


class BilibiliOpenSource(BilibiliWsSource):
    """Reads one streamer's room through an open-platform app: danmaku, gifts, super chats, guards, likes,
    entries. ``wall`` (Unix seconds) is injectable so that tests can pin the signed timestamp."""

    def convert(self, msg: Mapping[str, Any], room: str, now: float) -> Event | None:
        return to_event(msg, room, now)

    options: BilibiliOpenOptions

    def __init__(self, settings: PlatformSettings | BilibiliOpenOptions, clock: Clock, *,
                 rng: random.Random | None = None, wall: Callable[[], float] = unix_now) -> None:
        opts = BilibiliOpenOptions.of(settings)
        super().__init__("bilibili_open", opts, clock, rng=rng)
        self.api = (opts.endpoint or "https://live-open.biliapi.com").rstrip("/")
        self._code = opts.code  # the streamer's identity code: treated as a secret
        self.app_id = opts.app_id
        self._key_id = env_secret(opts.key_id_env)
        self._key_secret = env_secret(opts.key_secret_env)
        missing = [name for name, value in (("code", self._code), ("app_id", self.app_id),
                                            ("key_id_env", self._key_id), ("key_secret_env", self._key_secret))
                   if not value]
        if missing:
            raise ConfigError(f"platforms.bilibili_open: {', '.join(missing)} unset (the *_env keys name "
                              "environment variables holding the open-platform access key id and secret)")
        self.app_heartbeat_s = opts.app_heartbeat_s
        self.heartbeat_s = opts.heartbeat_s
        self.idle_timeout_s = opts.idle_timeout_s
        self.auth_timeout_s = opts.auth_timeout_s
        self.http_timeout_s = opts.http_timeout_s
        self.close_timeout_s = opts.close_timeout_s
        self._wall = wall
        self._http_api: OpenApi  # set by _run, which owns the HTTP client
        self._game: Game | None = None
        self._ws: ClientConnection | None = None
        self._last_rx = 0.0
        self.heartbeat_replies = 0  # WebSocket heartbeat replies seen; tests and diagnostics read it

    def _open_api(self, http: httpx.AsyncClient) -> OpenApi:
        return OpenApi(http, self.api, self._key_id, self._key_secret, self.app_id, self._wall)

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=self.http_timeout_s) as http:
            self._http_api = self._open_api(http)
            beat = asyncio.create_task(self._app_heartbeat(), name="bilibili_open:app-heartbeat")
            try:
                await reconnect_forever(self._session, name=self.name, clock=self.clock, backoff=self.backoff,
                                        rng=self.rng, watch=self.link)
            finally:
                beat.cancel()
                await asyncio.gather(beat, return_exceptions=True)

    async def _cleanup(self) -> None:
        """End the app session so that the room is free for the next start (the platform allows one)."""
        game, self._game = self._game, None
        if game is None:
            return
        try:
            async with httpx.AsyncClient(timeout=self.close_timeout_s) as http:
                await self._open_api(http).end(game.game_id)
        except (httpx.HTTPError, OSError, ProtocolError, FatalError) as exc:
            log.warning("bilibili open app end failed", extra={"platform": self.name, "error": type(exc).__name__})

    async def _app_heartbeat(self) -> None:
        """Keep the game alive; when the platform says it is gone, drop it and the connection riding on it."""
        while True:
            await self.clock.sleep(self.app_heartbeat_s)
            game = self._game
            if game is None:
                continue
            try:
                await self._http_api.heartbeat(game.game_id)
            except OpenApiError as exc:
                if exc.code not in GAME_GONE_CODES:
                    log.warning("app heartbeat refused", extra={"platform": self.name, "code": exc.code})
                    continue
                log.warning("app session expired; restarting it", extra={"platform": self.name, "code": exc.code})
                await self._forget(game)
            except FatalError as exc:
                log.warning("app heartbeat refused; restarting the app session",
                            extra={"platform": self.name, "reason": str(exc)})
                await self._forget(game)
            except (httpx.HTTPError, OSError, ProtocolError) as exc:
                log.warning("app heartbeat failed", extra={"platform": self.name, "error": type(exc).__name__})

    async def _forget(self, game: Game) -> None:
        if self._game is game:
            self._game = None
        ws = self._ws
        if ws is not None:
            await ws.close(4000, "game expired")

    async def _session(self, session: Session) -> bool:
        if self._game is None:
            self._game = await self._http_api.start(self._code)
        game = self._game
        if not self.room:
            self.room = game.room_id
        url = game.urls[session.number % len(game.urls)]
        async with connect(url, open_timeout=self.http_timeout_s, close_timeout=self.close_timeout_s,
                           ping_interval=None, max_size=2**23) as ws:
            await self._authenticate(ws, game)
            session.healthy()
            self._ws = ws
            beat = asyncio.create_task(self._heartbeat(ws))
            try:
                async for frame in ws:
                    await self._frame(frame)
            finally:
                self._ws = None
                beat.cancel()
                await asyncio.gather(beat, return_exceptions=True)
        return True

    async def _authenticate(self, ws: ClientConnection, game: Game) -> None:
        try:
            await self._auth(ws, game.auth_body, "bilibili open")
        except AuthRefused:
            if self._game is game:
                self._game = None  # a stale auth body: start a fresh game next time
            raise
