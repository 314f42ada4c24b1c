"""Replays a JSONL chat log in real time (or faster), on the show's clock.

One event a line: ``{"t": 12.5, "type": "comment", "user": "ana", "text": "..."}``; ``t`` is seconds from
the start; gifts carry ``"gift": {"name", "count", "value"}``. A line that does not parse is logged with its
line number and skipped; the replay goes on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

from agent.errors import InputError
from agent.events import Event
from agent.ports import Clock
from agent.settings import PlatformSettings
from connectors.platforms.options import ReplayOptions

log = logging.getLogger(__name__)


def read_log(path: Path, strict: bool = False) -> list[Event]:
    """Parse a chat log. With ``strict`` the first bad line raises :class:`InputError` (file, line, field)."""
    events: list[Event] = []
    timed_by_platform: list[int] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(str(path), None, None, f"cannot read chat log: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("a line must be a JSON object")
            event = Event.from_dict(data)
        except (ValueError, KeyError, TypeError) as exc:
            if strict:
                raise InputError(str(path), n, None, str(exc)) from exc
            log.warning("chat log line skipped", extra={"file": str(path), "line": n, "error": str(exc)})
            continue
        if not event.message_id:
            event = replace(event, message_id=f"{path.name}:{n}")
        if "t" not in data and "time" not in data and event.sent_at is not None:
            timed_by_platform.append(len(events))
        events.append(event)
    if timed_by_platform:  # a recorded log with platform times only: seconds from the earliest of them
        first = min(events[i].sent_at or 0.0 for i in timed_by_platform)
        for i in timed_by_platform:
            events[i] = replace(events[i], time=(events[i].sent_at or first) - first)
    events.sort(key=lambda e: e.time)
    return events


class ReplaySource:
    """An :class:`agent.ports.EventSource` over a chat log; ``time`` is restamped on the show clock."""

    name = "replay"

    def __init__(self, path: Path, clock: Clock, speed: float = 1.0, loop: bool = False,
                 events: list[Event] | None = None) -> None:
        self._events = events if events is not None else read_log(path)
        self._clock = clock
        self._speed = speed
        self._loop = loop
        self._closed = False
        self.path = path

    @classmethod
    def from_settings(cls, settings: PlatformSettings | ReplayOptions, clock: Clock) -> ReplaySource:
        """Registry factory: ``[platforms.replay]`` with ``log`` (or ``endpoint``), ``speed`` and ``loop``."""
        opts = ReplayOptions.of(settings)
        log_path = opts.log or opts.endpoint or "demo/chat.jsonl"
        return cls(Path(log_path), clock, speed=opts.speed, loop=opts.loop)

    async def events(self) -> AsyncIterator[Event]:
        round_no = 0
        span = (self._events[-1].time + 5.0) if self._events else 0.0
        origin = self._clock.now()
        while not self._closed and self._events:
            for e in self._events:
                due = origin + (round_no * span + e.time) / self._speed
                wait = due - self._clock.now()
                if wait > 0:
                    await self._clock.sleep(wait)
                if self._closed:
                    return
                mid = e.message_id if round_no == 0 else f"{e.message_id}#{round_no}"
                yield replace(e, time=self._clock.now(), message_id=mid)
            if not self._loop:
                return
            round_no += 1

    async def aclose(self) -> None:
        self._closed = True
