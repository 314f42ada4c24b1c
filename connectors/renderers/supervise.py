"""Keep a renderer's connection alive: the shared retry policy (agent.toolbox.backoff), never giving up.

A dropped peer (VTube Studio restarted, OBS closed) must never end the show, so transport and protocol
errors are retried forever; only a :class:`FatalError` (wrong password, access denied by the user) stops
the loop, because retrying it would just repeat the failure (or pop up the same dialog again).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from websockets.exceptions import WebSocketException

from agent.errors import FatalError, RetryableError
from agent.ports import Clock
from agent.toolbox.backoff import Backoff, Session, retry_forever

log = logging.getLogger(__name__)

RETRYABLE: tuple[type[BaseException], ...] = (OSError, TimeoutError, WebSocketException, RetryableError)


class AuthError(FatalError):
    """The peer refused our credentials; the user has to fix the setting (or click Allow) first."""


def renderer_backoff(initial_s: float, max_s: float) -> Backoff:
    """Renderers retry on a fixed doubling (no jitter): one peer, on this machine or the LAN."""
    return Backoff(initial_s=initial_s, max_s=max_s, jitter=0.0)


async def supervise(name: str, session: Callable[[], Awaitable[bool]], clock: Clock,
                    backoff: Backoff) -> FatalError | None:
    """Run ``session`` again and again until it raises a fatal error, which is returned (not raised).

    ``session`` returns True if it got as far as a working connection (which resets the backoff).
    """

    async def attempt(s: Session) -> bool:
        if await session():
            s.healthy()
        log.info("renderer connection ended", extra={"renderer": name})
        return True

    try:
        await retry_forever(attempt, name=name, clock=clock, backoff=backoff, retryable=RETRYABLE,
                            subject="renderer", message="renderer connection failed")
    except FatalError as exc:
        log.error("renderer stopped", extra={"renderer": name, "reason": str(exc)})
        return exc
    return None
