"""LiveTalking renderer: a realistic digital human (lip-synced video) speaks the host's sentences.

LiveTalking synthesizes and lip-syncs on its own, so it receives text, one sentence per
:class:`~agent.render.AudioChunk`, in ``echo`` mode (it repeats the text verbatim, no LLM of its own). The
WebRTC session is opened by LiveTalking's own page; its ``sessionid`` goes in the settings. Requests are
queued and sent by one worker, so a slow or restarting LiveTalking never blocks the show; transport
errors are retried with backoff on the show clock.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from agent.errors import ProtocolError
from agent.ports import Clock
from agent.render import AudioChunk, RenderEvent, UtteranceEnded
from agent.settings import Settings
from agent.toolbox.tasks import cancel_and_wait
from connectors.renderers.options import LiveTalkingConfig
from connectors.renderers.supervise import renderer_backoff

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Job:
    route: str
    body: dict[str, Any]
    utterance_id: str = ""


class _Rejected(Exception):
    """LiveTalking understood the request and said no: retrying the same request will not help."""


class LiveTalkingRenderer:
    name = "livetalking"

    def __init__(self, config: LiveTalkingConfig, clock: Clock) -> None:
        self.config = config
        self._clock = clock
        self._jobs: deque[_Job] = deque(maxlen=config.queue_size)
        self._wake = asyncio.Event()
        self._interrupt_next = False
        self._http: httpx.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None
        self.delivered = 0

    # ---- Renderer interface ------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is not None:
            return
        headers = {}
        token = os.environ.get(self.config.token_env, "") if self.config.token_env else ""
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.AsyncClient(base_url=self.config.base_url, timeout=self.config.timeout_s,
                                       headers=headers)
        self._task = asyncio.create_task(self._worker(), name="livetalking")

    async def send(self, event: RenderEvent) -> None:
        sid = self.config.sessionid
        if isinstance(event, AudioChunk) and event.audio.text.strip():
            body = {"sessionid": sid, "type": self.config.mode, "text": event.audio.text,
                    "interrupt": self._interrupt_next}
            self._interrupt_next = False
            self._push(_Job(self.config.human_route, body, event.utterance_id))
        elif isinstance(event, UtteranceEnded) and event.interrupted:
            # Unsent sentences of the cut utterance are dropped; the avatar is silenced now, and the
            # next sentence also carries interrupt=true in case this LiveTalking ignores /interrupt_talk.
            kept = [j for j in self._jobs if j.utterance_id != event.utterance_id]
            self._jobs.clear()
            self._jobs.extend(kept)
            self._interrupt_next = True
            self._push(_Job(self.config.interrupt_route, {"sessionid": sid}))

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            await cancel_and_wait(task)
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def is_speaking(self) -> bool:
        """Whether the digital human is talking right now (False when LiveTalking cannot be reached)."""
        if self._http is None:
            return False
        try:
            data = await self._post(self.config.is_speaking_route, {"sessionid": self.config.sessionid})
        except (httpx.HTTPError, ProtocolError, _Rejected):
            return False
        return bool(data)

    # ---- delivery ----------------------------------------------------------------------------------
    def _push(self, job: _Job) -> None:
        if len(self._jobs) == self._jobs.maxlen:
            log.warning("livetalking queue full, dropping oldest", extra={"queued": len(self._jobs)})
        self._jobs.append(job)
        self._wake.set()

    async def _worker(self) -> None:
        backoff = renderer_backoff(self.config.backoff_initial_s, self.config.backoff_max_s)
        failures = 0
        while True:
            while not self._jobs:
                self._wake.clear()
                await self._wake.wait()
            job = self._jobs[0]
            try:
                await self._post(job.route, job.body)
                self.delivered += 1
                failures = 0
            except _Rejected as exc:
                log.warning("livetalking rejected a request", extra={"route": job.route, "detail": str(exc)})
            except (httpx.HTTPError, ProtocolError) as exc:
                delay = backoff.delay(failures)
                failures += 1
                log.warning("livetalking unreachable, will retry",
                            extra={"route": job.route, "error": type(exc).__name__, "retry_in_s": delay})
                await self._clock.sleep(delay)
                continue
            if self._jobs and self._jobs[0] is job:
                self._jobs.popleft()

    async def _post(self, route: str, body: Mapping[str, Any]) -> Any:
        """POST JSON; returns the reply's ``data``. 5xx and garbage are retryable, 4xx and code!=0 not."""
        assert self._http is not None
        resp = await self._http.post(route, json=dict(body))
        if resp.status_code >= 500:
            raise ProtocolError(f"LiveTalking {route}: HTTP {resp.status_code}")
        if resp.status_code >= 400:
            raise _Rejected(f"HTTP {resp.status_code}")
        try:
            reply = resp.json()
        except ValueError as exc:
            raise ProtocolError(f"LiveTalking {route}: reply is not JSON") from exc
        if not isinstance(reply, dict) or reply.get("code") != 0:
            raise _Rejected(str(reply)[:200])
        return reply.get("data")


def create(options: Mapping[str, Any], *, settings: Settings, clock: Clock) -> LiveTalkingRenderer:
    """Registry factory: ``options`` is the ``[renderers.livetalking]`` table."""
    return LiveTalkingRenderer(LiveTalkingConfig.of(options, settings), clock)
