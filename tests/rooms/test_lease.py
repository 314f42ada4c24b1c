"""A room's lease on a real Redis: one holder at a time, renewed by its holder only, expiring when no longer
renewed (Redis's own PX, so short leases on real time there) and then taken over, freed on stop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError

from agent.clock import LoopClock, VirtualClock
from agent.toolbox.backoff import Backoff
from agent.toolbox.tasks import cancel_and_wait
from connectors.rooms.lease import Lease, new_token

KEY = "livehost:room:r1:lease"


async def until(condition: Callable[[], bool], within_s: float = 5.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


def test_a_token_names_the_host_and_process_of_its_worker() -> None:
    import os
    import socket

    host, pid, rand = new_token().rsplit(":", 2)
    assert host == socket.gethostname() and pid == str(os.getpid()) and len(rand) == 12
    assert new_token() != new_token()


async def test_a_claimed_room_cannot_be_claimed_by_a_second_worker_until_it_is_released(
        client: aioredis.Redis) -> None:
    clock = VirtualClock()
    a = Lease(client, KEY, lease_s=30.0, clock=clock, token="a")
    b = Lease(client, KEY, lease_s=30.0, clock=clock, token="b")
    assert await a.try_claim() and a.held
    assert not await b.try_claim() and not b.held
    assert await b.holder() == "a" and 29_000 < await client.pttl(KEY) <= 30_000
    assert await a.release() and not a.held
    assert await b.try_claim() and await a.holder() == "b"


async def test_only_the_holder_renews_and_the_lease_counts_as_held_for_lease_s_after_the_renewal_was_sent(
        client: aioredis.Redis) -> None:
    clock = VirtualClock()
    a = Lease(client, KEY, lease_s=30.0, clock=clock, token="a")
    b = Lease(client, KEY, lease_s=30.0, clock=clock, token="b")
    assert await a.try_claim()
    clock.advance(20.0)
    await client.pexpire(KEY, 10_000)  # as Redis sees it 20 s later
    assert not await b.renew() and await client.pttl(KEY) <= 10_000  # not b's lease: untouched
    assert await a.renew() and await client.pttl(KEY) > 29_000
    clock.advance(29.9)
    assert a.held
    clock.advance(0.2)
    assert not a.held  # no renewal for lease_s: counted lost even before Redis says so


async def test_a_lease_not_renewed_expires_and_a_waiting_worker_takes_the_room_over(
        client: aioredis.Redis) -> None:
    clock = LoopClock()
    a = Lease(client, KEY, lease_s=0.3, clock=clock, token="a")
    b = Lease(client, KEY, lease_s=0.3, clock=clock, token="b", poll_s=0.02)
    assert await a.try_claim()
    t0 = time.monotonic()
    await b.acquire()  # a died: it renews no more
    assert time.monotonic() - t0 >= 0.2 and b.held and await b.holder() == "b"
    assert not await a.renew() and not a.held  # a's renewal (if it came back) finds the room taken over
    assert not await a.release() and await b.holder() == "b"  # nor can it free b's lease


async def test_a_released_room_is_taken_over_at_the_next_poll_not_at_expiry(client: aioredis.Redis) -> None:
    clock = LoopClock()
    a = Lease(client, KEY, lease_s=30.0, clock=clock, token="a")
    b = Lease(client, KEY, lease_s=30.0, clock=clock, token="b", poll_s=0.05)
    assert await a.try_claim()
    tries: list[bool] = []
    claim = b.try_claim

    async def counted() -> bool:
        tries.append(await claim())
        return tries[-1]

    b.try_claim = counted  # type: ignore[method-assign]
    waiting = asyncio.ensure_future(b.acquire())
    await until(lambda: len(tries) >= 2)  # b is polling
    assert not any(tries) and not waiting.done()
    t0 = time.monotonic()
    assert await a.release()
    await waiting
    assert time.monotonic() - t0 < 5.0 and await b.holder() == "b"


async def test_the_holder_renews_every_third_of_the_lease_on_the_clock_until_another_worker_takes_over(
        client: aioredis.Redis) -> None:
    clock = VirtualClock()
    a = Lease(client, KEY, lease_s=30.0, clock=clock, token="a")
    assert await a.try_claim()
    renewals: list[float] = []
    renew = a.renew

    async def counted() -> bool:
        renewals.append(clock.now())
        return await renew()

    a.renew = counted  # type: ignore[method-assign]
    keeper = asyncio.ensure_future(a.keep())
    await until(lambda: clock.pending == 1)
    clock.advance(9.9)
    assert clock.pending == 1 and renewals == []  # the keeper still sleeps
    clock.advance(0.1)
    await until(lambda: len(renewals) == 1 and clock.pending == 1)
    assert renewals == [10.0] and a.held
    await client.set(KEY, "b", px=30_000)  # b took the room over (a was thought dead)
    clock.advance(10.0)
    await asyncio.wait_for(keeper, 5.0)  # the keeper returns: the lease is lost
    assert renewals == [10.0, 20.0] and not a.held


async def test_a_holder_that_cannot_reach_the_broker_counts_its_lease_lost_once_it_would_have_expired(
        client: aioredis.Redis) -> None:
    clock = VirtualClock()
    a = Lease(client, KEY, lease_s=30.0, clock=clock, token="a", backoff=Backoff(initial_s=1.0, jitter=0.0))
    assert await a.try_claim()
    attempts: list[float] = []

    async def unreachable() -> bool:
        attempts.append(clock.now())
        raise RedisConnectionError("connection refused")

    a.renew = unreachable  # type: ignore[method-assign]
    driver = asyncio.ensure_future(clock.run())  # no real I/O left on this path: virtual time may run freely
    try:
        await asyncio.wait_for(a.keep(), 5.0)
    finally:
        await cancel_and_wait(driver)
    assert not a.held and 29.0 <= clock.now() <= 30.0  # returned at the expiry, before anyone could take over
    assert attempts[0] == 10.0 and len(attempts) >= 4  # retried with backoff meanwhile
