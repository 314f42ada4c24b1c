"""The room's stream as the show's event source, read only while this worker holds the room's lease.

Each read first takes over the events a dead worker read but never acknowledged (XAUTOCLAIM, idle for at
least the lease time: their reader is gone, since the lease it held has expired), then waits for new ones
(XREADGROUP, blocking ``block_ms`` at most so the worker can stop). The show handles one event before it
asks for the next (``await show.handle(event)``); so event N is acknowledged, its XACK and the SADD of its id
into the room's ``handled`` set in one transaction, when the generator is resumed for N+1, or when the source
is closed after N (a clean stop; not when the lease is lost: the next worker owns the room then). An event
whose id is already in ``handled`` (published twice, or delivered again after a worker died between handling
and acknowledging it) is acknowledged and skipped, never handled twice.

Why acknowledge after triage (``handle``) and not after the reply has been said: ``handle`` routes the event
(the question goes to the reply queue, the gift to the thanks), and what is queued lives only in this worker's
memory. If the worker dies, its room is taken over once the lease expires, ``lease_s`` later; by then a queued
question is older than ``show.answer_within_s`` (10 s by default), and livehost never answers late: the next
worker would drop it as stale anyway. Acknowledging at triage gives each event exactly one handling, and no
reply twice, at the cost of the replies a crash interrupts, which were going to be lost either way.

Each event is stamped on the worker's clock with its real age (the broker's clock stamps entry ids), so the
show sees how long it waited in the stream and drops a question that has gone stale rather than answer it late.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections import OrderedDict, deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import replace

from redis.exceptions import ResponseError

from agent.events import Event
from agent.ports import Clock
from agent.toolbox.backoff import Backoff
from connectors.rooms.stream import RETRYABLE, Entry, RoomStream

log = logging.getLogger(__name__)

READ_COUNT = 16
REMEMBERED = 4096  # handled ids this worker keeps in memory (the same message twice within one batch)


class RoomSource:
    """An :class:`agent.ports.EventSource` over one room's stream, for consumer ``consumer`` (the worker)."""

    name = "room"

    def __init__(self, stream: RoomStream, held: Callable[[], bool], clock: Clock, *, consumer: str,
                 lease_s: float, block_ms: int = 500, count: int = READ_COUNT, fence: tuple[str, str] | None = None,
                 backoff: Backoff | None = None, rng: random.Random | None = None,
                 wall: Callable[[], float] = time.time) -> None:
        """``held``: whether this worker holds the room now; ``fence``: the lease's key and this worker's token,
        checked in the transaction that acknowledges a handled event."""
        self._stream = stream
        self._held = held
        self._clock = clock
        self.consumer = consumer
        self._min_idle_ms = max(1, round(lease_s * 1000))
        self._claim_every = lease_s / 3
        self._block_ms = block_ms
        self._count = count
        self._backoff = backoff or Backoff(initial_s=0.2, max_s=5.0)
        self._rng = rng
        self._wall = wall
        self._fence = fence
        self._closed = False
        self._pending: Entry | None = None  # yielded, its handling not yet committed
        self._done: OrderedDict[str, None] = OrderedDict()
        self._offset = 0.0  # broker clock minus this machine's wall clock
        self.handled = 0
        self.skipped = 0

    @property
    def reading(self) -> bool:
        return not self._closed and self._held()

    async def events(self) -> AsyncGenerator[Event, None]:
        batch: deque[tuple[Entry, str]] = deque()  # with why it is skipped ("" to yield it)
        failures = 0
        next_claim = -math.inf
        grouped = False
        while self.reading:
            try:
                await self._commit_pending()
                if not batch:
                    if not grouped:
                        await self._stream.ensure_group()
                    fresh: list[Entry] = []
                    if self._clock.now() >= next_claim:
                        self._offset = await self._stream.server_time() - self._wall()
                        fresh = await self._stream.autoclaim(self.consumer, min_idle_ms=self._min_idle_ms)
                        next_claim = self._clock.now() + self._claim_every
                        if not grouped:  # the workers gone whose events were all handled or claimed
                            await self._stream.prune_consumers(self.consumer)
                            grouped = True
                    if not fresh and self.reading:
                        fresh = await self._stream.read(self.consumer, count=self._count, block_ms=self._block_ms)
                    done = await self._stream.handled_among([e for e in fresh if e.event is not None])
                    batch.extend((e, "undecodable" if e.event is None else "skipped" if e.handled_id in done
                                  else "") for e in fresh)
                    failures = 0
                    continue
                entry, skip = batch[0]
                if skip or entry.handled_id in self._done:
                    await self._stream.skip(entry, skip or "skipped")
                    self.skipped += 1
                    batch.popleft()
                    continue
            except RETRYABLE as exc:
                delay = self._backoff.delay(failures, self._rng)
                failures += 1
                grouped = False
                log.warning("room stream unreachable; reconnecting after backoff",
                            extra={"room": self._stream.keys.room, "error": type(exc).__name__,
                                   "detail": str(exc)[:200], "delay_s": round(delay, 3), "attempt": failures})
                await self._clock.sleep(delay)
                continue
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                # the stream and its group are gone (a broker restarted without persistence): make them again
                log.warning("room stream had no consumer group; creating it", extra={"room": self._stream.keys.room})
                grouped = False
                batch.clear()
                continue
            batch.popleft()
            if not self.reading:
                return  # not ours any more: left pending, the next worker claims it
            self._pending = entry
            assert entry.event is not None
            yield self._stamped(entry.event, entry)

    async def aclose(self) -> None:
        """Stop reading; the last event the show took is acknowledged if this worker still holds the room."""
        self._closed = True
        if self._held():
            try:
                await self._commit_pending()
            except RETRYABLE as exc:
                log.warning("room event left unacknowledged at stop", extra={"room": self._stream.keys.room,
                                                                              "error": type(exc).__name__})

    async def _commit_pending(self) -> None:
        entry, self._pending = self._pending, None  # taken first: aclose may run while a commit is in flight
        if entry is None:
            return
        try:
            ours = await self._stream.commit(entry, self._fence)
        except BaseException:
            self._pending = entry  # retried after the reconnect
            raise
        if not ours:  # the room was taken over while this worker stalled: read no more
            self._closed = True
            return
        self.handled += 1
        self._done[entry.handled_id] = None
        while len(self._done) > REMEMBERED:
            self._done.popitem(last=False)

    def _stamped(self, event: Event, entry: Entry) -> Event:
        """``event`` timed on this worker's clock: now, less how long it has waited since it was published."""
        age = max(0.0, self._wall() + self._offset - entry.published)
        return replace(event, time=self._clock.now() - age)
