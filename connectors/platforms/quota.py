"""A platform's daily API quota, spread over the hours a show runs (on the injected clock)."""

from __future__ import annotations

from agent.ports import Clock


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
