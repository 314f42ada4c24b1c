"""Bilibili live danmaku over the web WebSocket: room info and token over HTTP, then framed packets.

``endpoint`` is the HTTP API base (``https://api.live.bilibili.com``); the WebSocket hosts come from
getDanmuInfo's ``host_list`` and are rotated on each reconnect, with room info re-fetched after repeated
failures (tokens expire). ``ws_url`` pins one WebSocket URL instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping
from http.cookies import SimpleCookie
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from agent.errors import FatalError, ProtocolError
from agent.events import Event
from agent.ports import Clock
from agent.settings import PlatformSettings
from connectors.platforms import bilibili_wbi as wbi
from connectors.platforms.bilibili_codec import auth_body
from connectors.platforms.bilibili_events import to_event
from connectors.platforms.bilibili_ws import AuthRefused, BilibiliWsSource
from connectors.platforms.options import BilibiliOptions, env_secret
from connectors.platforms.reconnect import Session, reconnect_forever

log = logging.getLogger(__name__)
DEFAULT_API = "https://api.live.bilibili.com"
DEFAULT_NAV = "https://api.bilibili.com/x/web-interface/nav"


class BilibiliSource(BilibiliWsSource):
    """Reads one Bilibili live room's danmaku, gifts, super chats, guards, entries, follows and likes."""

    def convert(self, msg: Mapping[str, Any], room: str, now: float) -> Event | None:
        return to_event(msg, room, now)

    options: BilibiliOptions

    def __init__(self, settings: PlatformSettings | BilibiliOptions, clock: Clock, *,
                 rng: random.Random | None = None, wall: Callable[[], float] = wbi.unix_now) -> None:
        opts = BilibiliOptions.of(settings)
        super().__init__("bilibili", opts, clock, rng=rng)
        if not opts.room:
            raise FatalError("platforms.bilibili.room: the live room id is required")
        self.api = (opts.endpoint or DEFAULT_API).rstrip("/")
        # The WBI keys come from the main site's nav API; a custom endpoint (a proxy, a test server) serves it too.
        self.nav_url = opts.nav_url or (DEFAULT_NAV if self.api == DEFAULT_API else self.api + "/x/web-interface/nav")
        self.wbi = opts.wbi
        self._wall = wall
        self.room_init_path = opts.room_init_path
        self.danmu_info_path = opts.danmu_info_path
        self.ws_url = opts.ws_url
        self.ws_scheme = opts.ws_scheme
        self.fallback_hosts = opts.fallback_hosts
        self.heartbeat_s = opts.heartbeat_s
        self.idle_timeout_s = opts.idle_timeout_s
        self.auth_timeout_s = opts.auth_timeout_s
        self.http_timeout_s = opts.http_timeout_s
        self.close_timeout_s = opts.close_timeout_s
        self.refresh_after = opts.refresh_after_failures
        self.uid = opts.uid
        self.user_agent = opts.user_agent
        self._cookie = env_secret(opts.cookie_env)
        jar: SimpleCookie = SimpleCookie()
        with contextlib.suppress(Exception):
            jar.load(self._cookie)
        self._buvid = jar["buvid3"].value if "buvid3" in jar else ""
        self._real_room = 0
        self._token = ""
        self._urls: list[str] = []
        self._failures = 0
        self._last_rx = 0.0
        self.heartbeat_replies = 0  # popularity packets seen; tests and diagnostics read it

    async def _run(self) -> None:
        headers = {"User-Agent": self.user_agent, "Referer": "https://live.bilibili.com/"}
        if self._cookie:
            headers["Cookie"] = self._cookie
        async with httpx.AsyncClient(timeout=self.http_timeout_s, headers=headers) as http:
            self._http = http
            await reconnect_forever(self._session, name=self.name, clock=self.clock, backoff=self.backoff,
                                    rng=self.rng, watch=self.link)

    async def _get(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        r = await self._http.get(self.api + path, params=params)
        if r.status_code == 412 or r.status_code == 429:
            raise ProtocolError(f"bilibili API throttled (HTTP {r.status_code})")
        r.raise_for_status()
        body = r.json()
        if not isinstance(body, dict):
            raise ProtocolError("bilibili API answered a non-object")
        return body

    async def _fetch_info(self) -> None:
        """Resolve the real room id and get a token and host list (the token is what expires)."""
        init = await self._get(self.room_init_path, {"id": self.room})
        if init.get("code") != 0:
            raise FatalError(f"bilibili room {self.room}: room_init refused (code {init.get('code')})")
        self._real_room = int(init["data"]["room_id"])
        params: dict[str, Any] = {"id": self._real_room, "type": 0}
        mixin = await self._wbi_mixin() if self.wbi else ""
        info = await self._get(self.danmu_info_path,
                               wbi.sign(params, mixin, int(self._wall())) if mixin else params)
        if info.get("code") == 0 and info.get("data", {}).get("host_list"):
            self._token = str(info["data"].get("token", ""))
            self._urls = [self._host_url(h) for h in info["data"]["host_list"]]
        else:
            log.warning("getDanmuInfo refused; connecting anonymously to fallback hosts",
                        extra={"platform": self.name, "code": info.get("code")})
            self._token = ""
            self._urls = [f"{self.ws_scheme}://{h}/sub" for h in self.fallback_hosts]
        if self.ws_url:
            self._urls = [self.ws_url]

    async def _wbi_mixin(self) -> str:
        """Today's WBI salt, or "" (unsigned) when the nav API cannot give one: signing is best effort."""
        try:
            r = await self._http.get(self.nav_url)
            r.raise_for_status()
            return wbi.mixin_key(*wbi.keys_from_nav(r.json()))
        except (httpx.HTTPError, ValueError, KeyError, TypeError, IndexError) as exc:
            log.info("no WBI keys; getDanmuInfo unsigned", extra={"platform": self.name,
                                                                  "reason": type(exc).__name__})
            return ""

    def _host_url(self, h: Mapping[str, Any]) -> str:
        port = h.get("wss_port" if self.ws_scheme == "wss" else "ws_port") or h.get("port")
        return f"{self.ws_scheme}://{h['host']}:{port}/sub"

    async def _session(self, session: Session) -> bool:
        try:
            if not self._urls or self._failures >= self.refresh_after:
                self._failures = 0
                await self._fetch_info()
            url = self._urls[session.number % len(self._urls)]
            async with connect(url, open_timeout=self.http_timeout_s, close_timeout=self.close_timeout_s,
                               ping_interval=None, max_size=2**23, user_agent_header=self.user_agent) as ws:
                await self._authenticate(ws)
                session.healthy()
                self._failures = 0
                beat = asyncio.create_task(self._heartbeat(ws))
                try:
                    async for frame in ws:
                        await self._frame(frame)
                finally:
                    beat.cancel()
                    await asyncio.gather(beat, return_exceptions=True)
        except FatalError:
            raise
        except Exception:
            self._failures += 1
            raise
        return True

    async def _authenticate(self, ws: ClientConnection) -> None:
        try:
            await self._auth(ws, auth_body(self._real_room, self._token, self.uid, self._buvid), "bilibili")
        except AuthRefused:
            self._urls = []  # re-fetch the token before the next try
            raise
