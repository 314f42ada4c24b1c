"""Retry with exponential backoff and jitter, on the injected clock: one policy for every connection the
show keeps (platforms, renderers, the browser bridge) and every request it repeats.

A session that got as far as a working connection calls :meth:`Session.healthy`, which resets the backoff:
a connection that drops after an hour retries quickly, one that cannot even authenticate backs off further
each time. A :class:`agent.errors.FatalError` (wrong password, access denied) is never retried.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from agent.errors import FatalError, RetryableError
from agent.ports import Clock, LinkWatch

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before retry ``attempt`` (0-based): exponential, capped, minus up to ``jitter`` of itself."""

    initial_s: float = 1.0
    max_s: float = 60.0
    factor: float = 2.0
    jitter: float = 0.5
    max_failures: int = 0  # consecutive failures before giving up; 0: never

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        base = min(self.max_s, self.initial_s * self.factor ** min(attempt, 64))
        if not self.jitter:
            return base
        return base * (1.0 - self.jitter * (rng or random.Random()).random())


class Session:
    """One connection attempt; the connector calls :meth:`healthy` once it is authenticated and reading."""

    __slots__ = ("number", "ok", "_watch")

    def __init__(self, number: int, watch: LinkWatch | None = None) -> None:
        self.number = number
        self.ok = False
        self._watch = watch

    def healthy(self) -> None:
        if not self.ok and self._watch is not None:
            self._watch.up()
        self.ok = True


async def retry_forever(
    attempt_once: Callable[[Session], Awaitable[bool]],
    *,
    name: str,
    clock: Clock,
    backoff: Backoff,
    retryable: tuple[type[BaseException], ...],
    rng: random.Random | None = None,
    subject: str = "platform",
    message: str = "connection ended; reconnecting after backoff",
    watch: LinkWatch | None = None,
) -> None:
    """Run ``attempt_once`` again and again until it returns False (done) or raises a :class:`FatalError`
    (raised) or an error outside ``retryable`` (a bug: raised). ``subject`` names the log field that carries
    ``name``; ``backoff.max_failures`` consecutive failures end it with a :class:`RetryableError`. ``watch``
    hears each connection go up (:meth:`Session.healthy`) and down (before each retry)."""
    failures = 0
    number = 0
    while True:
        session = Session(number, watch)
        number += 1
        error = detail = ""
        try:
            if not await attempt_once(session):
                return
        except FatalError:
            raise
        except retryable as exc:
            error, detail = type(exc).__name__, str(exc)[:200]
        if watch is not None:
            watch.down(error)
        if session.ok:
            failures = 0
        if backoff.max_failures and failures >= backoff.max_failures:
            raise RetryableError(f"{name}: gave up after {failures} failed connection attempts")
        delay = backoff.delay(failures, rng)
        failures += 1
        log.warning(message, extra={subject: name, "error": error, "detail": detail, "delay_s": round(delay, 3),
                                    "attempt": failures})
        await clock.sleep(delay)
