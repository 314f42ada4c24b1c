"""The one clock every stage reads.

Production uses the event loop's monotonic clock. Tests and ``livehost rehearse`` use :class:`VirtualClock`:
sleeps return as soon as nothing else is working, so a 30-minute show runs in a second, and (optionally)
the real compute time spent between sleeps is charged to virtual time so that latencies stay honest.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager

from agent.ports import Clock


class LoopClock:
    """The running event loop's monotonic clock (real time)."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class VirtualClock:
    """Virtual time for tests and rehearsals.

    Time moves only when :meth:`advance` is called, or, when :meth:`run` drives it, whenever every task is
    waiting (on a sleep, a queue, an event) and no work is marked busy with :meth:`working`. With
    ``charge_real`` set to a real monotonic time source, real compute time spent between sleeps is added to
    virtual time as well.
    """

    def __init__(self, start: float = 0.0, charge_real: Callable[[], float] | None = None) -> None:
        self._now = start
        self._real = charge_real
        self._real_mark = charge_real() if charge_real else 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._busy = 0
        self._changed: asyncio.Event | None = None

    @classmethod
    def charging_real_time(cls, start: float = 0.0) -> VirtualClock:
        """Virtual time that also advances by the real compute time spent between sleeps (rehearsals)."""
        return cls(start, charge_real=time.perf_counter)

    def now(self) -> float:
        if self._real is not None:
            real = self._real()
            self._now += real - self._real_mark
            self._real_mark = real
        return self._now

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self.now() + max(0.0, seconds), next(self._seq), fut))
        self._poke()
        await fut

    @contextmanager
    def working(self) -> Iterator[None]:
        """Mark real work in flight (an LLM call, a synthesis) so that the driver does not jump ahead."""
        self._busy += 1
        try:
            yield
        finally:
            self._busy -= 1
            self._poke()

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` and wake every sleeper that is due."""
        self._set(self.now() + seconds)

    @property
    def pending(self) -> int:
        return sum(1 for _, _, f in self._sleepers if not f.done())

    async def run(self, until: float | None = None) -> None:
        """Drive time: whenever the loop is idle, jump to the next sleeper. Returns at ``until`` (if set)."""
        while until is None or self.now() < until:
            await self._settle()
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # cancelled sleepers
            if not self._sleepers:
                await self._wait_change()
                continue
            target = self._sleepers[0][0]
            if until is not None and target > until:
                self._set(until)
                return
            self._set(target)

    def _set(self, t: float) -> None:
        self.now()
        self._now = max(self._now, t)
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, fut = heapq.heappop(self._sleepers)
            if not fut.done():
                fut.set_result(None)

    def _poke(self) -> None:
        if self._changed is not None:
            self._changed.set()

    async def _wait_change(self) -> None:
        self._changed = asyncio.Event()
        await self._changed.wait()
        self._changed = None

    async def _settle(self) -> None:
        """Yield until no other callback is ready and no work is marked busy."""
        loop = asyncio.get_running_loop()
        quiet = 0
        while quiet < 3:
            await asyncio.sleep(0)
            ready = len(getattr(loop, "_ready", ()))
            if ready == 0 and self._busy == 0:
                quiet += 1
            else:
                quiet = 0
                if self._busy:
                    # Real work (a socket, a thread) is in flight: let it progress in real time.
                    await asyncio.sleep(0.001)


@contextlib.asynccontextmanager
async def timeout(clock: Clock, seconds: float | None) -> AsyncIterator[None]:
    """Like :func:`asyncio.timeout`, but on ``clock``: on virtual time a hanging call times out in a test
    without a real second passing. Raises :class:`TimeoutError` when the body runs past ``seconds``."""
    if seconds is None:
        yield
        return
    task = asyncio.current_task()
    assert task is not None, "clock.timeout needs a running task"
    fired = False

    async def alarm() -> None:
        nonlocal fired
        await clock.sleep(seconds)
        fired = True
        task.cancel()

    watcher = asyncio.ensure_future(alarm())
    try:
        yield
    except asyncio.CancelledError:
        if fired and task.uncancel() == 0:
            raise TimeoutError(f"no result within {seconds:g} s") from None
        raise
    finally:
        watcher.cancel()
