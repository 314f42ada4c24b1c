"""One thank-you per window: gifts, follows, joins and likes gathered, biggest gifts first.

Thanking every like would drown the show; thanking nobody loses the audience. The aggregator collects THANK
verdicts and, once ``thanks_window_s`` has passed on the clock since the first one, returns a single
THANK verdict holding them all (capped, with the totals in its reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.events import Event, EventKind
from agent.ports import Clock
from agent.settings import TriageSettings
from agent.triage.stats import TriageStats
from agent.verdict import Action, Category, Verdict

PRIORITY_THANKS = 25
_ORDER = {EventKind.GIFT: 0, EventKind.FOLLOW: 1, EventKind.JOIN: 2, EventKind.LIKE: 3}


@dataclass(slots=True)
class _Window:
    start: float
    events: list[Event] = field(default_factory=list)
    gifts: int = 0
    gift_value: float = 0.0
    follows: int = 0
    joins: int = 0
    likes: int = 0
    language: str = "en"


class ThanksAggregator:
    """``add(verdict)`` THANK verdicts; ``poll()`` (or ``await next()``) for the window's one verdict."""

    def __init__(
        self, settings: TriageSettings, clock: Clock, *, max_events: int = 200, stats: TriageStats | None = None
    ) -> None:
        self.window_s = settings.thanks_window_s
        self.clock = clock
        self.max_events = max_events
        self.stats = stats
        self._w: _Window | None = None

    def add(self, verdict: Verdict) -> None:
        if verdict.action is not Action.THANK:
            raise ValueError(f"only THANK verdicts are aggregated, got {verdict.action.value}")
        w = self._w
        if w is None:
            w = self._w = _Window(self.clock.now(), language=verdict.language)
        for e in verdict.events:
            if e.kind is EventKind.GIFT:
                w.gifts += e.gift.count if e.gift else 1
                w.gift_value += e.gift.value if e.gift else 0.0
            elif e.kind is EventKind.FOLLOW:
                w.follows += 1
            elif e.kind is EventKind.JOIN:
                w.joins += 1
            elif e.kind is EventKind.LIKE:
                w.likes += e.count
            w.events.append(e)
        if len(w.events) > 2 * self.max_events:
            w.events.sort(key=_rank)
            del w.events[self.max_events :]

    @property
    def due_at(self) -> float | None:
        return None if self._w is None else self._w.start + self.window_s

    def poll(self) -> Verdict | None:
        """The window's verdict once it is due, else None."""
        due = self.due_at
        if due is None or self.clock.now() < due:
            return None
        return self.flush()

    def flush(self) -> Verdict | None:
        """Close the current window now (end of show, or a quiet moment worth filling)."""
        w = self._w
        self._w = None
        if w is None or not w.events:
            return None
        events = sorted(w.events, key=_rank)[: self.max_events]
        parts = []
        if w.gifts:
            parts.append(f"{w.gifts} gifts (value {w.gift_value:g})")
        for n, label in ((w.follows, "follows"), (w.joins, "joins"), (w.likes, "likes")):
            if n:
                parts.append(f"{n} {label}")
        users = len({e.user.id for e in w.events})
        if self.stats is not None:
            self.stats.thanks()
        return Verdict(
            action=Action.THANK,
            category=Category.GIFT if w.gifts else Category.SOCIAL,
            reason=f"thanks window: {', '.join(parts)} from {users} viewers",
            events=tuple(events),
            priority=PRIORITY_THANKS,
            language=w.language,
        )

    async def next(self) -> Verdict:
        """Wait on the clock until a window is due and return its verdict."""
        while True:
            due = self.due_at
            if due is None:
                await self.clock.sleep(self.window_s or 1.0)
                continue
            await self.clock.sleep(due - self.clock.now())
            v = self.poll()
            if v is not None:
                return v


def _rank(e: Event) -> tuple[int, float, int, float]:
    value = e.gift.value if e.gift else 0.0
    count = e.gift.count if e.gift else e.count
    return (_ORDER.get(e.kind, 9), -value, -count, e.time)
