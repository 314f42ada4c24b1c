"""Client-side rate limits on the injected clock: exceeding a platform's limit gets a client ignored or banned."""

from __future__ import annotations

from collections import deque

from agent.ports import Clock


class RateLimiter:
    """At most ``calls`` acquisitions in any ``per_s`` window; :meth:`acquire` waits for a free slot."""

    def __init__(self, calls: int, per_s: float, clock: Clock) -> None:
        if calls < 1 or per_s <= 0:
            raise ValueError("calls must be >= 1 and per_s > 0")
        self._calls = calls
        self._per = per_s
        self._clock = clock
        self._stamps: deque[float] = deque()

    def wait_time(self) -> float:
        now = self._clock.now()
        while self._stamps and now - self._stamps[0] >= self._per:
            self._stamps.popleft()
        if len(self._stamps) < self._calls:
            return 0.0
        return self._per - (now - self._stamps[0])

    async def acquire(self) -> None:
        while (wait := self.wait_time()) > 0:
            await self._clock.sleep(wait)
        self._stamps.append(self._clock.now())


class QuotaBudget:
    """A daily quota of units (YouTube: 10,000 a day, ~5 a poll) spread over the hours a show runs.

    :meth:`interval` is the shortest gap between calls that keeps the budget for ``spread_s`` seconds;
    :meth:`charge` refuses calls once the window's units are spent, and the window resets after a day.
    """

    def __init__(self, units: int, cost: int, clock: Clock, spread_s: float, window_s: float = 86400.0) -> None:
        self.units = units
        self.cost = cost
        self._clock = clock
        self._spread = spread_s
        self._window = window_s
        self._start = clock.now()
        self.used = 0

    def interval(self) -> float:
        calls = max(1, self.units // max(1, self.cost))
        return self._spread / calls

    def _roll(self) -> None:
        if self._clock.now() - self._start >= self._window:
            self._start = self._clock.now()
            self.used = 0

    def charge(self) -> bool:
        self._roll()
        if self.used + self.cost > self.units:
            return False
        self.used += self.cost
        return True

    def until_reset(self) -> float:
        return max(0.0, self._window - (self._clock.now() - self._start))
