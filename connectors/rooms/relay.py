"""The relay: a room's platform connectors feed its stream (``livehost relay --room NAME``).

Each event is published as the chat-log line ``livehost listen --json`` prints (``t`` counted from the start
of the relay, the platform message id kept). While the broker is unreachable the relay retries the same event
with backoff (agent.toolbox.backoff), and the connectors wait behind it: nothing read is dropped.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, replace

from agent.events import Event
from agent.ports import Clock, EventSource
from agent.toolbox.backoff import Backoff, Session, retry_forever
from connectors.platforms.merge import merge_sources
from connectors.rooms.stream import RETRYABLE, RoomStream

log = logging.getLogger(__name__)


@dataclass
class RelayStats:
    published: int = 0


async def relay(sources: Sequence[EventSource], stream: RoomStream, clock: Clock, *,
                backoff: Backoff | None = None, rng: random.Random | None = None,
                stats: RelayStats | None = None) -> RelayStats:
    """Publish every event of ``sources`` to ``stream`` until they all end (or the task is cancelled)."""
    stats = stats if stats is not None else RelayStats()
    start = clock.now()
    events: AsyncGenerator[Event, None] = merge_sources(sources)
    current: Event | None = None

    async def publish_all(session: Session) -> bool:
        nonlocal current
        await stream.ensure_group()
        while True:
            if current is None:
                try:
                    event = await anext(events)
                except StopAsyncIteration:
                    return False
                current = replace(event, time=event.time - start)
            await stream.publish(current)
            current = None
            stats.published += 1
            session.healthy()

    try:
        await retry_forever(publish_all, name=stream.keys.room, clock=clock,
                            backoff=backoff or Backoff(initial_s=0.5, max_s=30.0), retryable=RETRYABLE, rng=rng,
                            subject="room", message="room stream unreachable; reconnecting after backoff")
    finally:
        await events.aclose()
    return stats
