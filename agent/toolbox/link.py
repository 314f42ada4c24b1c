"""A kept connection's state (a platform's), for the health check: connected or not, since when, how often
it was lost, the last error and the last event heard. It is a :class:`agent.ports.LinkWatch` (the retry loop
tells it) and passes what it hears on to other watches (the metrics)."""

from __future__ import annotations

from agent.ports import Clock, LinkWatch


class Link:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.connected = False
        self.ended = False  # the source stopped for good (gave up, or closed)
        self.since: float = _now(clock)
        self.reconnects = 0
        self.last_error = ""
        self.last_event: float | None = None
        self._watches: list[LinkWatch] = []

    def watch(self, watch: LinkWatch) -> None:
        self._watches.append(watch)

    def up(self) -> None:
        self.connected, self.since = True, _now(self._clock)
        for w in self._watches:
            w.up()

    def down(self, error: str) -> None:
        self.connected, self.since = False, _now(self._clock)
        self.reconnects += 1
        self.last_error = error
        for w in self._watches:
            w.down(error)

    def end(self, error: str = "") -> None:
        """The source will not reconnect (it gave up, or it was closed)."""
        self.connected, self.ended, self.since = False, True, _now(self._clock)
        if error:
            self.last_error = error

    def heard(self) -> None:
        """An event came in."""
        self.last_event = _now(self._clock)


def _now(clock: Clock) -> float:
    """``clock.now()``, or 0 outside a running loop (a source may be built before the show's loop runs)."""
    try:
        return clock.now()
    except RuntimeError:
        return 0.0
