"""A local YouTube Data API v3 serving liveChatMessages.list pages from the real recorded responses.

Pages are served in order, one per request; an ``int`` in the script answers that HTTP error instead (with
YouTube's error body). The shared fixtures reuse one message id and page token, so :func:`fixture_page`
can give each replayed page its own.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agent.ports import Clock
from connectors.platforms.ingress import serve_app

_REPO = Path(__file__).resolve().parents[2]
FIXTURES = next((p for p in (_REPO / "shared" / "fixtures" / "youtube", _REPO.parent / "shared" / "fixtures" /
                             "youtube") if p.exists()), _REPO / "shared" / "fixtures" / "youtube")


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"API_{name}.json").read_text(encoding="utf-8"))
    return data


def fixture_page(name: str, n: int) -> dict[str, Any]:
    page = copy.deepcopy(fixture(name))
    page["nextPageToken"] = f"{page['nextPageToken']}-{n}"
    for item in page["items"]:
        item["id"] = f"{item['id']}-{n}"
    return page


def item(kind: str, msg_id: str, details_key: str = "", details: dict[str, Any] | None = None,
         name: str = "B", channel: str = "UCb") -> dict[str, Any]:
    snippet: dict[str, Any] = {"type": kind, "liveChatId": "chat-1", "authorChannelId": channel,
                               "publishedAt": "2026-11-25T12:00:00.5Z", "hasDisplayContent": True,
                               "displayMessage": ""}
    if details_key:
        snippet[details_key] = details or {}
    return {"kind": "youtube#liveChatMessage", "id": msg_id, "snippet": snippet,
            "authorDetails": {"channelId": channel, "displayName": name}}


def page(items: list[dict[str, Any]], token: str, interval_ms: int = 2000, **extra: Any) -> dict[str, Any]:
    return {"kind": "youtube#liveChatMessageListResponse", "nextPageToken": token,
            "pollingIntervalMillis": interval_ms, "pageInfo": {"totalResults": len(items)}, "items": items,
            **extra}


def error(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": {"code": status, "message": reason,
                                   "errors": [{"reason": reason, "domain": "youtube.liveChat"}]}}, status)


class FakeYouTube:
    def __init__(self, script: list[dict[str, Any] | tuple[int, str]], clock: Clock, api_key: str = "k-1",
                 chat_id: str = "chat-1") -> None:
        self.script = list(script)
        self.clock = clock
        self.api_key = api_key
        self.chat_id = chat_id
        self.port = 0
        self.requests: list[tuple[float, dict[str, str]]] = []
        self.video_lookups = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/youtube/v3"

    async def _videos(self, request: Request) -> JSONResponse:
        self.video_lookups += 1
        if request.query_params.get("key") != self.api_key:
            return error(403, "forbidden")
        details = {"activeLiveChatId": self.chat_id, "actualStartTime": "2026-11-25T11:00:00Z"}
        return JSONResponse({"items": [{"id": request.query_params["id"], "liveStreamingDetails": details}]})

    async def _messages(self, request: Request) -> JSONResponse:
        params = dict(request.query_params)
        self.requests.append((self.clock.now(), params))
        if params.get("key") != self.api_key:
            return error(403, "forbidden")
        if params.get("liveChatId") != self.chat_id:
            return error(404, "liveChatNotFound")
        if not self.script:
            return JSONResponse(page([], params.get("pageToken", "end"), 5000))
        step = self.script.pop(0)
        if isinstance(step, tuple):
            return error(*step)
        return JSONResponse(step)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeYouTube]:
        app = Starlette(routes=[Route("/youtube/v3/videos", self._videos),
                                Route("/youtube/v3/liveChat/messages", self._messages)])
        async with serve_app(app) as port:
            self.port = port
            yield self
