"""ThanksAggregator: one THANK verdict per window, biggest gifts first."""

from __future__ import annotations

import asyncio

from agent.clock import VirtualClock
from agent.events import Event, EventKind, Gift, User
from agent.settings import TriageSettings
from agent.triage.stats import TriageStats
from agent.triage.thanks import ThanksAggregator
from agent.verdict import Action, Category, Verdict


def _thank(kind: EventKind, user: str, gift: Gift | None = None, count: int = 1) -> Verdict:
    e = Event(kind, User(user, user), gift=gift, count=count)
    cat = Category.GIFT if kind is EventKind.GIFT else Category.SOCIAL
    return Verdict(Action.THANK, cat, kind.value, (e,))


def test_one_thank_you_per_window_with_biggest_gifts_first() -> None:
    clock = VirtualClock()
    stats = TriageStats()
    agg = ThanksAggregator(TriageSettings(thanks_window_s=8.0), clock, stats=stats)
    agg.add(_thank(EventKind.LIKE, "a", count=30))
    agg.add(_thank(EventKind.GIFT, "b", Gift("rose", 1, 1.0)))
    agg.add(_thank(EventKind.FOLLOW, "c"))
    agg.add(_thank(EventKind.GIFT, "d", Gift("rocket", 1, 50.0)))
    agg.add(_thank(EventKind.LIKE, "e", count=12))
    clock.advance(7.9)
    assert agg.poll() is None
    clock.advance(0.2)
    v = agg.poll()
    assert v is not None and v.action is Action.THANK and v.category is Category.GIFT
    assert [e.user.id for e in v.events] == ["d", "b", "c", "a", "e"]
    assert "42 likes" in v.reason and "2 gifts" in v.reason and "1 follows" in v.reason
    assert agg.poll() is None
    assert stats.thanks_windows == 1


def test_social_only_window_is_category_social_and_capped() -> None:
    clock = VirtualClock()
    agg = ThanksAggregator(TriageSettings(thanks_window_s=5.0), clock, max_events=10)
    for i in range(100):
        agg.add(_thank(EventKind.JOIN, f"u{i}"))
    clock.advance(5.0)
    v = agg.poll()
    assert v is not None and v.category is Category.SOCIAL
    assert len(v.events) == 10 and "100 joins" in v.reason


async def test_next_waits_on_the_clock_for_the_window() -> None:
    clock = VirtualClock()
    agg = ThanksAggregator(TriageSettings(thanks_window_s=8.0), clock)
    agg.add(_thank(EventKind.FOLLOW, "a"))
    task = asyncio.create_task(agg.next())
    await asyncio.sleep(0)
    assert not task.done()
    clock.advance(8.0)
    v = await asyncio.wait_for(task, 1.0)
    assert v.events[0].user.id == "a"
