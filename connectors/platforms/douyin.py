"""Douyin official live data push: an HTTP ingress that Douyin POSTs signed JSON batches to.

Douyin wants a 2xx within 2 s and retries otherwise (at least once, so duplicates happen): the handler
verifies, queues without waiting and answers; de-duplication on ``msg_id`` happens in the queue.
``endpoint`` is the task API base; ``host``/``port``/``path`` are where we listen (put HTTPS in front).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agent.errors import ConfigError
from agent.ports import Clock
from agent.settings import PlatformSettings
from connectors.platforms.douyin_events import to_event, verify
from connectors.platforms.douyin_tasks import DouyinTasks
from connectors.platforms.ingress import serve_app
from connectors.platforms.options import DouyinOptions, env_secret
from connectors.platforms.reconnect import Session, reconnect_forever
from connectors.platforms.source import PumpSource

log = logging.getLogger(__name__)
MALFORMED = (KeyError, TypeError, ValueError, AttributeError)


class DouyinSource(PumpSource):
    options: DouyinOptions

    def __init__(self, settings: PlatformSettings | DouyinOptions, clock: Clock, *,
                 rng: random.Random | None = None) -> None:
        opts = DouyinOptions.of(settings)
        super().__init__("douyin", opts, clock, rng=rng)
        self.api = opts.endpoint or "https://webcast.bytedance.com"
        self.host = opts.host
        self.port = opts.port
        self.path = opts.path
        self.app_id = opts.app_id
        self.msg_types = opts.msg_types
        self.max_body = opts.max_body_bytes
        self.verify = opts.verify_signature
        self._secret = env_secret(opts.secret_env)
        self._token = env_secret(opts.access_token_env)
        self.start_tasks = bool(self.app_id and self._token) if opts.start_tasks is None else opts.start_tasks
        if self.verify and not self._secret:
            raise ConfigError("platforms.douyin: the app secret variable (secret_env) is unset; "
                              "set it or verify_signature = false (tests only)")
        if self.start_tasks and not (self.app_id and self._token and opts.room):
            raise ConfigError("platforms.douyin: start_tasks needs room, app_id and access_token_env")
        self._ready = asyncio.Event()
        self._started: list[str] = []
        self.rejected = 0

    async def ready(self) -> int:
        """Start the ingress if needed and wait until it listens; returns the bound port."""
        self.start()
        await self._ready.wait()
        return self.port

    async def _run(self) -> None:
        app = Starlette(routes=[Route(self.path, self._push, methods=["POST"])])
        async with serve_app(app, self.host, self.port, close_timeout_s=self.options.close_timeout_s) as port:
            self.port = port
            self._ready.set()
            self.link.up()  # listening: the platform pushes to us
            if self.start_tasks:
                await reconnect_forever(self._start_tasks, name=self.name, clock=self.clock,
                                        backoff=self.backoff, rng=self.rng)
            await asyncio.Event().wait()  # serve until closed

    async def _start_tasks(self, session: Session) -> bool:
        async with httpx.AsyncClient(timeout=self.options.http_timeout_s) as http:
            tasks = DouyinTasks(http, self.api, self.app_id, self.room, self._token)
            for t in self.msg_types:
                if t not in self._started:
                    self._started.append(t)  # stopped on close even if the answer never came
                    await tasks.start(t)
        return False

    async def _cleanup(self) -> None:
        if not self._started:
            return
        try:
            async with httpx.AsyncClient(timeout=5.0) as http:
                tasks = DouyinTasks(http, self.api, self.app_id, self.room, self._token)
                for t in self._started:
                    await tasks.stop(t)
        except (httpx.HTTPError, OSError) as exc:
            log.warning("douyin task stop failed", extra={"platform": self.name, "error": type(exc).__name__})
        self._started.clear()

    async def _push(self, request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > self.max_body:
            return JSONResponse({"err_no": 413, "err_msg": "too large"}, 413)
        headers = {k.lower(): v for k, v in request.headers.items()}
        if self.verify and not verify(headers, body, self._secret):
            self.rejected += 1
            log.warning("push with a bad signature; refused", extra={"platform": self.name})
            return JSONResponse({"err_no": 403, "err_msg": "bad signature"}, 403)
        room = headers.get("x-roomid", "")
        if self.room and room != self.room:
            log.warning("push for another room; ignored", extra={"platform": self.name, "roomid": room})
            return JSONResponse({"err_no": 0, "err_msg": "ignored"})
        msg_type = headers.get("x-msg-type", "")
        try:
            batch = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            log.warning("malformed push body; skipped", extra={"platform": self.name, "bytes": len(body)})
            return JSONResponse({"err_no": 400, "err_msg": "not JSON"}, 400)
        now = self.clock.now()
        for message in batch if isinstance(batch, list) else [batch]:
            try:
                event = to_event(msg_type, message, room, now)
            except MALFORMED as exc:
                log.warning("malformed push message; skipped",
                            extra={"platform": self.name, "msg_type": msg_type, "reason": type(exc).__name__})
                continue
            if event is not None:
                self._offer(event)
        return JSONResponse({"err_no": 0, "err_msg": "success"})
