"""Douyin push tasks: ask Douyin to start (and stop) pushing a room's messages to our ingress.

One task per message type. Start failures with a platform error code are fatal (wrong app, room not
mounted); transport failures are retried by the caller's reconnect policy.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from agent.errors import FatalError, ProtocolError

log = logging.getLogger(__name__)


class DouyinTasks:
    def __init__(self, http: httpx.AsyncClient, api: str, app_id: str, room: str, access_token: str) -> None:
        self._http = http
        self._api = api.rstrip("/")
        self._app_id = app_id
        self._room = room
        self._token = access_token

    async def _call(self, action: str, msg_type: str) -> dict[str, Any]:
        r = await self._http.post(
            f"{self._api}/api/live_data/task/{action}",
            json={"roomid": self._room, "appid": self._app_id, "msg_type": msg_type},
            headers={"access-token": self._token},
        )
        if r.status_code == 429 or r.status_code >= 500:
            raise ProtocolError(f"douyin task {action}: HTTP {r.status_code}")
        r.raise_for_status()
        body = r.json()
        if not isinstance(body, dict):
            raise ProtocolError(f"douyin task {action}: answer is not an object")
        return body

    async def start(self, msg_type: str) -> str:
        """Start pushing ``msg_type``; returns the task id."""
        body = await self._call("start", msg_type)
        if body.get("err_no", 0) != 0:
            raise FatalError(f"douyin task start {msg_type} refused (err_no {body.get('err_no')}: "
                             f"{body.get('err_msg', '')})")
        task_id = str((body.get("data") or {}).get("task_id", ""))
        log.info("douyin push task started", extra={"msg_type": msg_type, "task_id": task_id})
        return task_id

    async def stop(self, msg_type: str) -> None:
        body = await self._call("stop", msg_type)
        if body.get("err_no", 0) != 0:
            log.warning("douyin task stop refused", extra={"msg_type": msg_type, "err_no": body.get("err_no")})
