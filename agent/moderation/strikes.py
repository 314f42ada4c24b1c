"""Viewers who keep posting banned content are muted for a while, as a Douyin or Bilibili moderator would.

A strike is a comment blocked for a banned topic, an injection attempt or spam. ``after`` strikes within
``window_s`` mute the viewer for ``mute_s`` seconds of the show clock, counted per platform and user id (the
same name on two platforms is two people). While muted, nothing the viewer sends is answered, thanked or shown.
Memory stays bounded: strikes older than the window are forgotten, and at most ``max_viewers`` are tracked.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass

from agent.ports import Clock

Key = tuple[str, str]  # (platform, user id)


@dataclass(frozen=True, slots=True)
class Muted:
    platform: str
    user: str
    until: float
    strikes: int


class Strikes:
    def __init__(self, clock: Clock, *, after: int = 3, window_s: float = 600.0, mute_s: float = 600.0,
                 max_viewers: int = 10_000) -> None:
        self.clock = clock
        self.after = after
        self.window_s = window_s
        self.mute_s = mute_s
        self.max_viewers = max_viewers
        self._strikes: OrderedDict[Key, deque[float]] = OrderedDict()
        self._muted: dict[Key, Muted] = {}

    def strike(self, platform: str, user: str) -> Muted | None:
        """Count one strike; returns the mute when this strike mutes the viewer (``after`` 0: never)."""
        if self.after <= 0:
            return None
        now = self.clock.now()
        key = (platform, user)
        times = self._strikes.pop(key, None) or deque()
        times.append(now)
        while times and times[0] < now - self.window_s:
            times.popleft()
        self._strikes[key] = times
        while len(self._strikes) > self.max_viewers:
            self._strikes.popitem(last=False)
        if len(times) >= self.after:
            mute = Muted(platform, user, now + self.mute_s, len(times))
            self._muted[key] = mute
            times.clear()
            return mute
        return None

    def muted(self, platform: str, user: str) -> Muted | None:
        """The viewer's mute while it lasts (a dict look-up per event)."""
        if not self._muted:
            return None
        key = (platform, user)
        m = self._muted.get(key)
        if m is None:
            return None
        if self.clock.now() >= m.until:
            del self._muted[key]
            return None
        return m

    def flagged(self, platform: str, user: str) -> bool:
        """Blocked at least once within the window, or muted: such a viewer is never named on air (a spammer
        follows to hear their name said)."""
        if self.muted(platform, user) is not None:
            return True
        times = self._strikes.get((platform, user))
        return times is not None and bool(times) and times[-1] >= self.clock.now() - self.window_s

    def mute(self, platform: str, user: str, seconds: float | None = None) -> Muted:
        """A moderator's mute (console)."""
        m = Muted(platform, user, self.clock.now() + (self.mute_s if seconds is None else seconds), 0)
        self._muted[(platform, user)] = m
        return m

    def unmute(self, platform: str, user: str) -> bool:
        self._strikes.pop((platform, user), None)
        return self._muted.pop((platform, user), None) is not None

    def active(self) -> list[Muted]:
        now = self.clock.now()
        return sorted((m for m in self._muted.values() if m.until > now), key=lambda m: m.until)
