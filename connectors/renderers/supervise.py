"""Keep a renderer's connection alive: reconnect with capped backoff on the injected clock.

A dropped peer (VTube Studio restarted, OBS closed) must never end the show, so transport and protocol
errors are retried forever; only a :class:`FatalError` (wrong password, access denied by the user) stops
the loop, because retrying it would just repeat the failure (or pop up the same dialog again).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from websockets.exceptions import WebSocketException

from agent.errors import FatalError, RetryableError
from agent.ports import Clock

log = logging.getLogger(__name__)

RETRYABLE: tuple[type[BaseException], ...] = (OSError, TimeoutError, WebSocketException, RetryableError)


class AuthError(FatalError):
    """The peer refused our credentials; the user has to fix the setting (or click Allow) first."""


@dataclass(frozen=True, slots=True)
class Backoff:
    initial_s: float = 0.5
    max_s: float = 15.0
    factor: float = 2.0

    def next(self, delay: float) -> float:
        return min(self.max_s, max(self.initial_s, delay * self.factor))


async def supervise(
    name: str,
    session: Callable[[], Awaitable[bool]],
    clock: Clock,
    backoff: Backoff,
) -> FatalError | None:
    """Run ``session`` again and again until it raises a fatal error, which is returned (not raised).

    ``session`` returns True if it got as far as a working connection (which resets the backoff).
    """
    delay = backoff.initial_s
    while True:
        try:
            established = await session()
            if established:
                delay = backoff.initial_s
            log.info("renderer connection ended", extra={"renderer": name})
        except FatalError as exc:
            log.error("renderer stopped", extra={"renderer": name, "reason": str(exc)})
            return exc
        except RETRYABLE as exc:
            log.warning(
                "renderer connection failed",
                extra={"renderer": name, "error": type(exc).__name__, "detail": str(exc)[:200]},
            )
        await clock.sleep(delay)
        delay = backoff.next(delay)
