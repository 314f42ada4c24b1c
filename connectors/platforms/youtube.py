"""YouTube Live chat by polling the Data API v3 (liveChatMessages.list).

``room`` is the video id (its ``activeLiveChatId`` is looked up) unless ``live_chat_id`` is set;
``endpoint`` is the API base. Polls wait at least the server's ``pollingIntervalMillis`` and at least what
keeps the daily quota (``daily_quota`` units, ``poll_cost`` each) alive for ``show_hours``.
"""

from __future__ import annotations

import logging
import random
from typing import Any

import httpx

from agent.errors import FatalError, ProtocolError
from agent.ports import Clock
from agent.settings import PlatformSettings
from connectors.platforms.options import YouTubeOptions, env_secret
from connectors.platforms.quota import QuotaBudget
from connectors.platforms.reconnect import Session, reconnect_forever
from connectors.platforms.source import PumpSource
from connectors.platforms.youtube_events import CHAT_ENDED, to_event

log = logging.getLogger(__name__)
MALFORMED = (KeyError, TypeError, ValueError, AttributeError)
ENDED_REASONS = frozenset({"liveChatEnded", "liveChatDisabled", "liveChatNotFound"})


class YouTubeSource(PumpSource):
    options: YouTubeOptions

    def __init__(self, settings: PlatformSettings | YouTubeOptions, clock: Clock, *,
                 rng: random.Random | None = None) -> None:
        opts = YouTubeOptions.of(settings)
        super().__init__("youtube", opts, clock, rng=rng)
        self.api = (opts.endpoint or "https://www.googleapis.com/youtube/v3").rstrip("/")
        self.live_chat_id = opts.live_chat_id
        if not (self.live_chat_id or opts.room):
            raise FatalError("platforms.youtube: set room (the video id) or live_chat_id")
        self._key = env_secret(opts.api_key_env)
        self._oauth = env_secret(opts.oauth_token_env)
        if not (self._key or self._oauth):
            raise FatalError("platforms.youtube: set the API key (api_key_env) or OAuth token (oauth_token_env)")
        self.max_results = opts.max_results
        self.skip_backlog = opts.skip_backlog
        self.min_interval_s = opts.min_interval_s
        self.http_timeout_s = opts.http_timeout_s
        self.quota = QuotaBudget(opts.daily_quota, opts.poll_cost, clock, spread_s=opts.show_hours * 3600.0)
        self._page_token = ""
        self._first = True
        self.polls = 0

    async def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self._oauth}"} if self._oauth else {}
        async with httpx.AsyncClient(timeout=self.http_timeout_s, headers=headers) as http:
            self._http = http
            await reconnect_forever(self._session, name=self.name, clock=self.clock, backoff=self.backoff,
                                    rng=self.rng, watch=self.link)

    async def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """One API call, charged to the quota; waits for the quota to refill when it is spent."""
        while not self.quota.charge():
            wait = self.quota.until_reset()
            log.warning("youtube quota spent; waiting for the daily reset",
                        extra={"platform": self.name, "wait_s": round(wait, 1)})
            await self.clock.sleep(wait)
        if self._key:
            params = {**params, "key": self._key}
        r = await self._http.get(f"{self.api}{path}", params=params)
        if r.status_code == 200:
            body = r.json()
            if not isinstance(body, dict):
                raise ProtocolError("youtube answered a non-object")
            return body
        reason = _reason(r)
        if reason == "quotaExceeded":
            self.quota.used = self.quota.units  # the platform says so; trust it over our count
            raise ProtocolError("youtube quota exceeded")
        if reason in ENDED_REASONS or r.status_code == 404:
            raise _Ended(reason)
        if r.status_code in (401, 403) and reason != "rateLimitExceeded":
            raise FatalError(f"youtube refused the request (HTTP {r.status_code}, {reason or 'no reason'})")
        raise ProtocolError(f"youtube HTTP {r.status_code} ({reason})")

    async def _resolve(self) -> None:
        body = await self._get("/videos", {"part": "liveStreamingDetails", "id": self.room})
        items = body.get("items") or []
        chat = items[0].get("liveStreamingDetails", {}).get("activeLiveChatId") if items else None
        if not chat:
            raise FatalError(f"youtube video {self.room}: no active live chat")
        self.live_chat_id = str(chat)

    async def _session(self, session: Session) -> bool:
        try:
            if not self.live_chat_id:
                await self._resolve()
            while True:
                params = {"liveChatId": self.live_chat_id, "part": "id,snippet,authorDetails",
                          "maxResults": self.max_results}
                if self._page_token:
                    params["pageToken"] = self._page_token
                body = await self._get("/liveChat/messages", params)
                self.polls += 1
                session.healthy()
                if not await self._page(body):
                    return False
                wait = max(float(body.get("pollingIntervalMillis") or 0) / 1000.0, self.quota.interval(),
                           self.min_interval_s)
                await self.clock.sleep(wait)
        except _Ended as ended:
            log.warning("youtube live chat ended", extra={"platform": self.name, "reason": str(ended)})
            return False

    async def _page(self, body: dict[str, Any]) -> bool:
        """Emit a page's events; False once the chat has ended."""
        self._page_token = str(body.get("nextPageToken") or self._page_token)
        backlog, self._first = self._first and self.skip_backlog, False
        ended = bool(body.get("offlineAt"))
        for item in body.get("items") or []:
            try:
                if item["snippet"]["type"] == CHAT_ENDED:
                    ended = True
                    continue
                event = to_event(item, self.room or self.live_chat_id, self.clock.now())
            except MALFORMED as exc:
                log.warning("malformed chat item; skipped", extra={"platform": self.name,
                                                                   "reason": type(exc).__name__})
                continue
            if event is not None and not backlog:
                await self._emit(event)
        return not ended


class _Ended(Exception):
    """The chat is over (ended, disabled, not found): stop polling."""


def _reason(r: httpx.Response) -> str:
    try:
        errors = r.json()["error"]["errors"]
        return str(errors[0].get("reason", ""))
    except (ValueError, KeyError, IndexError, TypeError):
        return ""
