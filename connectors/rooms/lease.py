"""A room's lease: the one worker that may read a room holds ``livehost:room:{NAME}:lease`` in Redis.

Claimed with ``SET key token NX PX lease``, renewed every ``lease_s/3`` (on the injected clock) by a script
that extends the key only while it still holds this worker's token (compare and set), and released on stop by
one that deletes it only then (compare and delete): a worker never extends or frees a lease another worker
has taken. A worker that dies stops renewing; its lease expires after ``lease_s`` (Redis's own PX) and a
waiting worker takes the room over.

The worker counts its lease as held until ``lease_s`` after it *sent* the last successful claim or renewal,
which is never later than Redis lets the key live: when it can no longer renew (the broker is unreachable)
it stops reading before another worker can have taken over.
"""

from __future__ import annotations

import logging
import math
import os
import random
import secrets
import socket

import redis.asyncio as aioredis

from agent.clock import timeout
from agent.ports import Clock
from agent.toolbox.backoff import Backoff
from connectors.rooms.stream import RETRYABLE

log = logging.getLogger(__name__)

RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""

RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


def new_token() -> str:
    """A worker's token: host and process (so an operator sees who holds a room) and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(6)}"


class Lease:
    """One worker's claim on one room."""

    def __init__(self, client: aioredis.Redis, key: str, *, lease_s: float, clock: Clock, token: str | None = None,
                 poll_s: float | None = None, backoff: Backoff | None = None,
                 rng: random.Random | None = None) -> None:
        if lease_s <= 0:
            raise ValueError("lease_s must be positive")
        self.client = client
        self.key = key
        self.lease_s = lease_s
        self.token = token or new_token()
        self._clock = clock
        self._ms = max(1, round(lease_s * 1000))
        self._poll = poll_s if poll_s is not None else lease_s / 10
        self._backoff = backoff or Backoff(initial_s=min(1.0, lease_s / 10), max_s=max(lease_s / 3, 0.01))
        self._rng = rng
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)
        self._until = -math.inf  # on the clock: the lease is surely ours before this

    @property
    def held(self) -> bool:
        return self._clock.now() < self._until

    async def holder(self) -> str | None:
        """The token of the worker holding the room now, if any."""
        value = await self.client.get(self.key)
        return None if value is None else str(value)

    async def try_claim(self) -> bool:
        """Claim the room if no one holds it."""
        sent = self._clock.now()
        if await self.client.set(self.key, self.token, nx=True, px=self._ms):
            self._until = sent + self.lease_s
            return True
        return False

    async def acquire(self) -> None:
        """Wait, polling on the clock, until the room is ours (at most ``poll_s`` after its lease is freed or
        expires); while the broker is unreachable, retry with backoff."""
        failures = 0
        while True:
            try:
                if await self.try_claim():
                    return
                left_ms = int(await self.client.pttl(self.key))
                failures = 0
            except RETRYABLE as exc:
                delay = self._backoff.delay(failures, self._rng)
                failures += 1
                log.warning("room lease: broker unreachable; retrying after backoff",
                            extra={"lease": self.key, "error": type(exc).__name__, "delay_s": round(delay, 3)})
                await self._clock.sleep(delay)
                continue
            # -2: freed between the two commands (claim again now); -1: a key without expiry (not ours to touch)
            wait = self._poll if left_ms == -1 else min(self._poll, max(left_ms, 0) / 1000)
            await self._clock.sleep(wait)

    async def renew(self) -> bool:
        """Extend the lease if this worker still holds it; False (and no longer held) when another one does."""
        sent = self._clock.now()
        if int(await self._renew(keys=[self.key], args=[self.token, self._ms])):
            self._until = sent + self.lease_s
            return True
        self._until = -math.inf
        return False

    async def keep(self) -> None:
        """Renew every ``lease_s/3`` while held; return once the lease is lost: another worker holds the room,
        or no renewal got through before it expired."""
        every = self.lease_s / 3
        failures = 0
        while True:
            delay = every if not failures else min(every, self._backoff.delay(failures - 1, self._rng))
            await self._clock.sleep(min(delay, max(0.0, self._until - self._clock.now())))
            left = self._until - self._clock.now()
            if left <= 0:
                log.warning("room lease expired before it could be renewed", extra={"lease": self.key})
                return
            try:
                async with timeout(self._clock, left):
                    renewed = await self.renew()
            except RETRYABLE as exc:  # TimeoutError (ours or the socket's) is an OSError
                failures += 1
                log.warning("room lease renewal failed; retrying",
                            extra={"lease": self.key, "error": type(exc).__name__, "attempt": failures})
                continue
            if not renewed:
                log.warning("room lease taken over by another worker", extra={"lease": self.key})
                return
            failures = 0

    async def release(self) -> bool:
        """Free the room (only if this worker still holds it) so a waiting worker takes it over at once."""
        self._until = -math.inf
        return bool(int(await self._release(keys=[self.key], args=[self.token])))
