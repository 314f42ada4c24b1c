"""What a lost platform connection looks like, and the shared retry policy (agent.toolbox.backoff) bound to it.

Every connector loses its connection sooner or later; doing the retry policy once keeps them consistent and
lets tests drive it with a seeded random source and short delays.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

import httpx
from websockets.exceptions import WebSocketException

from agent.errors import RetryableError
from agent.ports import Clock, LinkWatch
from agent.toolbox.backoff import Backoff, Session, retry_forever
from connectors.platforms.options import SourceOptions

# What a lost connection looks like; anything else is a bug and is allowed to surface.
RETRYABLE: tuple[type[BaseException], ...] = (
    RetryableError,
    OSError,
    EOFError,
    TimeoutError,
    WebSocketException,
    httpx.HTTPError,
)


def backoff_of(options: SourceOptions) -> Backoff:
    """The ``backoff_*`` and ``max_failures`` keys of a connector's table."""
    return Backoff(initial_s=options.backoff_initial_s, max_s=options.backoff_max_s,
                   factor=options.backoff_factor, jitter=options.backoff_jitter, max_failures=options.max_failures)


async def reconnect_forever(connect: Callable[[Session], Awaitable[bool]], *, name: str, clock: Clock,
                            backoff: Backoff, rng: random.Random, watch: LinkWatch | None = None) -> None:
    """:func:`agent.toolbox.backoff.retry_forever` over a platform connection's errors; ``watch`` (the source's
    ``link``) hears each connection go up and down."""
    await retry_forever(connect, name=name, clock=clock, backoff=backoff, retryable=RETRYABLE, rng=rng,
                        watch=watch)
