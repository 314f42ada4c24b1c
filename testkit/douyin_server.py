"""The Douyin side of live data push: the task API and a pusher that signs and POSTs batches like Douyin.

The pusher is at-least-once, as Douyin is: it re-sends a batch when the answer is not 2xx or comes later
than the 2 s deadline, and ``duplicate=True`` re-sends one anyway (a lost acknowledgement).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.platforms.douyin_events import signature
from connectors.platforms.ingress import serve_app

DEADLINE_S = 2.0


class FakeDouyin:
    def __init__(self, access_token: str = "at-1", app_id: str = "tt-app") -> None:
        self.access_token = access_token
        self.app_id = app_id
        self.port = 0
        self.started: list[dict[str, Any]] = []
        self.stopped: list[dict[str, Any]] = []
        self.answers: list[tuple[int, float]] = []  # (status, seconds) for every push

    async def _task(self, request: Request) -> JSONResponse:
        if request.headers.get("access-token") != self.access_token:
            return JSONResponse({"err_no": 28001003, "err_msg": "access_token invalid"})
        body = await request.json()
        if body.get("appid") != self.app_id:
            return JSONResponse({"err_no": 40001, "err_msg": "bad appid"})
        if request.path_params["action"] == "start":
            self.started.append(body)
            return JSONResponse({"err_no": 0, "err_msg": "", "data": {"task_id": str(uuid.uuid4())}})
        self.stopped.append(body)
        return JSONResponse({"err_no": 0, "err_msg": "", "data": {}})

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeDouyin]:
        app = Starlette(routes=[Route("/api/live_data/task/{action}", self._task, methods=["POST"])])
        async with serve_app(app) as port:
            self.port = port
            yield self

    async def push(self, url: str, msg_type: str, messages: Any, *, room: str, secret: str,
                   raw: bytes | None = None, duplicate: bool = False, tries: int = 3,
                   nonce: str = "n0nce", timestamp: str = "1700000000") -> int:
        """POST one batch as Douyin does; returns the last HTTP status."""
        body = raw if raw is not None else json.dumps(messages, ensure_ascii=False).encode()
        headers = {"x-nonce-str": nonce, "x-timestamp": timestamp, "x-roomid": room, "x-msg-type": msg_type}
        headers["x-signature"] = signature(headers, body, secret)
        status = 0
        async with httpx.AsyncClient(timeout=DEADLINE_S) as http:
            for attempt in range(tries):
                r = await http.post(url, content=body, headers={**headers, "content-type": "application/json"})
                status = r.status_code
                self.answers.append((status, r.elapsed.total_seconds()))
                if 200 <= status < 300 and not (duplicate and attempt == 0):
                    break
                if 400 <= status < 500:
                    break
        return status


def comment(msg_id: str, openid: str, nickname: str, content: str) -> dict[str, Any]:
    return {"msg_id": msg_id, "sec_openid": openid, "content": content, "avatar_url": "https://x/a.png",
            "nickname": nickname, "timestamp": 1_700_000_000_123}


def gift(msg_id: str, openid: str, nickname: str, gift_id: str, num: int, value_fen: int) -> dict[str, Any]:
    return {"msg_id": msg_id, "sec_openid": openid, "sec_gift_id": gift_id, "gift_num": num,
            "gift_value": value_fen, "avatar_url": "", "nickname": nickname, "timestamp": 1_700_000_001}


def like(msg_id: str, openid: str, nickname: str, num: int) -> dict[str, Any]:
    return {"msg_id": msg_id, "sec_openid": openid, "like_num": num, "avatar_url": "", "nickname": nickname,
            "timestamp": 1_700_000_002}


def fansclub(msg_id: str, openid: str, nickname: str, reason: int) -> dict[str, Any]:
    return {"msg_id": msg_id, "sec_openid": openid, "avatar_url": "", "nickname": nickname,
            "timestamp": 1_700_000_003, "fansclub_reason_type": reason, "fansclub_level": 1}
