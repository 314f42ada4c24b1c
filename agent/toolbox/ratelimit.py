"""Sliding-window rate limits on the injected clock.

:class:`RateLimiter` paces one caller (a platform's API: exceeding its limit gets a client banned), waiting
for a free slot; :class:`KeyedRateLimiter` answers at once, per key (a viewer's comments per minute), and
keeps a bounded number of keys so a chat storm costs O(1) per event.
"""

from __future__ import annotations

from collections import OrderedDict

from agent.ports import Clock


class Window:
    """The times of the last ``calls`` acquisitions within ``per_s`` seconds."""

    __slots__ = ("calls", "per_s", "stamps")

    def __init__(self, calls: int, per_s: float) -> None:
        if calls < 1 or per_s <= 0:
            raise ValueError("calls must be >= 1 and per_s > 0")
        self.calls = calls
        self.per_s = per_s
        self.stamps: list[float] = []  # a short list (``calls`` at most): a chat storm holds thousands

    def wait_time(self, now: float) -> float:
        """Seconds until a slot is free (0: free now)."""
        while self.stamps and now - self.stamps[0] >= self.per_s:
            del self.stamps[0]
        if len(self.stamps) < self.calls:
            return 0.0
        return self.per_s - (now - self.stamps[0])

    def take(self, now: float) -> bool:
        """Use a slot if one is free now."""
        if self.wait_time(now) > 0:
            return False
        self.stamps.append(now)
        return True


class RateLimiter:
    """At most ``calls`` acquisitions in any ``per_s`` window; :meth:`acquire` waits for a free slot."""

    def __init__(self, calls: int, per_s: float, clock: Clock) -> None:
        self._window = Window(calls, per_s)
        self._clock = clock

    def wait_time(self) -> float:
        return self._window.wait_time(self._clock.now())

    async def acquire(self) -> None:
        while (wait := self.wait_time()) > 0:
            await self._clock.sleep(wait)
        self._window.stamps.append(self._clock.now())


class KeyedRateLimiter:
    """At most ``calls`` per key in any ``per_s`` window; the least recently seen keys beyond ``max_keys``
    are forgotten."""

    def __init__(self, calls: int, per_s: float, clock: Clock, *, max_keys: int = 50_000) -> None:
        Window(calls, per_s)  # the same checks on the arguments
        self.calls = calls
        self.per_s = per_s
        self.clock = clock
        self.max_keys = max_keys
        self._windows: OrderedDict[str, Window] = OrderedDict()

    def allow(self, key: str) -> bool:
        now = self.clock.now()
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = Window(self.calls, self.per_s)
            if len(self._windows) > self.max_keys:
                self._windows.popitem(last=False)
        else:
            self._windows.move_to_end(key)
        self._forget_idle(now)
        return window.take(now)

    def _forget_idle(self, now: float) -> None:
        """Keys seen longest ago whose window holds nothing recent any more are forgotten (a flood's viewers
        do not stay in memory for the rest of the day)."""
        for _ in range(2):  # a little at a time: O(1) per call
            oldest = next(iter(self._windows.values()))
            if len(self._windows) == 1 or (oldest.stamps and now - oldest.stamps[-1] < self.per_s):
                return
            self._windows.popitem(last=False)
