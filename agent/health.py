"""What the show depends on, and whether it can go on: a registry of named checks (the LLM, speech, the
knowledge store, each platform), each saying ok, degraded or down with a detail. The composition wing
registers the checks; ``/healthz`` serves :meth:`Health.report`.

A check is a plain or async callable returning a :class:`Status`. It runs with a timeout on the injected
clock (no answer in time: down) and may be cached for a few seconds, so a busy health endpoint costs the
dependencies nothing. The show cannot go on when a check marked critical is down.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from agent.clock import timeout
from agent.ports import Clock

log = logging.getLogger(__name__)


class State(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Status:
    state: State
    detail: str = ""

    @classmethod
    def ok(cls, detail: str = "") -> Status:
        return cls(State.OK, detail)

    @classmethod
    def degraded(cls, detail: str) -> Status:
        return cls(State.DEGRADED, detail)

    @classmethod
    def down(cls, detail: str) -> Status:
        return cls(State.DOWN, detail)


Check = Callable[[], Status | Awaitable[Status]]


@dataclass
class _Entry:
    check: Check
    critical: bool
    cache_s: float
    last: Status | None = None
    at: float = float("-inf")


class Health:
    def __init__(self, clock: Clock, *, timeout_s: float = 2.0) -> None:
        self._clock = clock
        self._timeout_s = timeout_s
        self._checks: dict[str, _Entry] = {}

    def add(self, name: str, check: Check, *, critical: bool = False, cache_s: float = 0.0) -> None:
        """Register ``check`` under ``name`` (a second one with the same name replaces the first)."""
        self._checks[name] = _Entry(check, critical, cache_s)

    @property
    def names(self) -> list[str]:
        return list(self._checks)

    async def status(self, name: str) -> Status:
        """One check's status now (or as cached); a check that raises or does not answer in time is down."""
        entry = self._checks[name]
        now = self._clock.now()
        if entry.last is not None and now - entry.at < entry.cache_s:
            return entry.last
        try:
            async with timeout(self._clock, self._timeout_s):
                got = entry.check()
                status = await got if inspect.isawaitable(got) else got
        except TimeoutError:
            status = Status.down(f"no answer within {self._timeout_s:g} s")
        except Exception as exc:  # noqa: BLE001 - a failing check is a down dependency, not a failing endpoint
            status = Status.down(f"check failed: {type(exc).__name__}")
        if not isinstance(status, Status):
            status = Status.down("check returned no status")
        if entry.last is not None and entry.last.state is not status.state:
            log.info("dependency state changed", extra={"dependency": name, "state": status.state.value,
                                                        "detail": status.detail})
        entry.last, entry.at = status, self._clock.now()
        return status

    async def report(self) -> dict[str, Any]:
        """``{"ok", "status", "checks": {name: {"status", "detail", "critical"}}}``; ``ok`` is False when a
        critical check is down (the show cannot go on), ``status`` the worst state of all."""
        checks: dict[str, dict[str, Any]] = {}
        worst = State.OK
        ok = True
        names = list(self._checks)
        statuses = await asyncio.gather(*(self.status(n) for n in names))  # each in its own task, at once
        for name, s in zip(names, statuses, strict=True):
            entry = self._checks[name]
            checks[name] = {"status": s.state.value, "detail": s.detail, "critical": entry.critical}
            if s.state is State.DOWN:
                worst = State.DOWN
                ok = ok and not entry.critical
            elif s.state is State.DEGRADED and worst is State.OK:
                worst = State.DEGRADED
        return {"ok": ok, "status": worst.value, "checks": checks}

    async def can_go_on(self) -> bool:
        return bool((await self.report())["ok"])
