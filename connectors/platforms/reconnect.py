"""Reconnect with exponential backoff and jitter, and deadlines, all on the injected clock.

Every connector loses its connection sooner or later; doing the retry policy once keeps them consistent and
lets tests drive it with a seeded random source and short delays.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from websockets.exceptions import WebSocketException

from agent.errors import FatalError, RetryableError
from agent.ports import Clock
from connectors.platforms.options import SourceOptions

log = logging.getLogger(__name__)
T = TypeVar("T")

# What a lost connection looks like; anything else is a bug and is allowed to surface.
RETRYABLE: tuple[type[BaseException], ...] = (
    RetryableError,
    OSError,
    EOFError,
    TimeoutError,
    WebSocketException,
    httpx.HTTPError,
)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before retry ``attempt`` (0-based): exponential, capped, minus up to ``jitter`` of itself."""

    initial_s: float = 1.0
    max_s: float = 60.0
    factor: float = 2.0
    jitter: float = 0.5
    max_failures: int = 0  # consecutive failures before giving up; 0: never

    def delay(self, attempt: int, rng: random.Random) -> float:
        base = min(self.max_s, self.initial_s * self.factor ** min(attempt, 64))
        return base * (1.0 - self.jitter * rng.random())

    @classmethod
    def from_settings(cls, options: SourceOptions) -> Backoff:
        """The ``backoff_*`` and ``max_failures`` keys of a connector's table."""
        return cls(
            initial_s=options.backoff_initial_s,
            max_s=options.backoff_max_s,
            factor=options.backoff_factor,
            jitter=options.backoff_jitter,
            max_failures=options.max_failures,
        )


class Session:
    """One connection attempt; the connector calls :meth:`healthy` once it is authenticated and reading."""

    __slots__ = ("number", "ok")

    def __init__(self, number: int) -> None:
        self.number = number
        self.ok = False

    def healthy(self) -> None:
        self.ok = True


async def reconnect_forever(
    connect: Callable[[Session], Awaitable[bool]],
    *,
    name: str,
    clock: Clock,
    backoff: Backoff,
    rng: random.Random,
) -> None:
    """Run ``connect`` again and again until it returns False (done) or raises a :class:`FatalError`.

    A session that reached :meth:`Session.healthy` resets the backoff, so a connection that drops after an
    hour retries quickly, while one that cannot even authenticate backs off further each time.
    """
    attempt = 0
    number = 0
    while True:
        session = Session(number)
        number += 1
        error: str = ""
        try:
            if not await connect(session):
                return
        except FatalError:
            raise
        except RETRYABLE as exc:
            error = type(exc).__name__
        if session.ok:
            attempt = 0
        if backoff.max_failures and attempt >= backoff.max_failures:
            raise RetryableError(f"{name}: gave up after {attempt} failed connection attempts")
        delay = backoff.delay(attempt, rng)
        attempt += 1
        log.warning(
            "connection ended; reconnecting after backoff",
            extra={"platform": name, "error": error, "delay_s": round(delay, 3), "attempt": attempt},
        )
        await clock.sleep(delay)


async def within(clock: Clock, seconds: float, aw: Awaitable[T]) -> T:
    """Await ``aw`` but raise :class:`TimeoutError` after ``seconds`` on ``clock`` (not the loop's timer)."""
    work: asyncio.Future[T] = asyncio.ensure_future(aw)
    timer: asyncio.Future[None] = asyncio.ensure_future(clock.sleep(seconds))
    both: set[asyncio.Future[Any]] = {work, timer}
    try:
        await asyncio.wait(both, return_when=asyncio.FIRST_COMPLETED)
    finally:
        timer.cancel()
        if not work.done():
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)
        await asyncio.gather(timer, return_exceptions=True)
    if work.cancelled():
        raise TimeoutError(f"no answer within {seconds} s")
    return work.result()
