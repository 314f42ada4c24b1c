"""The verdict queue: merging floods, priorities, staleness, bounds, and reported drops."""

from __future__ import annotations

import asyncio

import pytest

from agent.clock import VirtualClock
from agent.events import Event, EventKind, User
from agent.settings import TriageSettings
from agent.triage.flood import merge_key
from agent.triage.queue import MAX_ASKERS, VerdictQueue
from agent.triage.stats import TriageStats
from agent.verdict import Action, Category, Verdict


def _v(text: str, user: str = "ann", t: float = 0.0, priority: int = 20) -> Verdict:
    e = Event(EventKind.COMMENT, User(user, user), text=text, time=t)
    return Verdict(Action.ANSWER, Category.PRODUCT_QUESTION, "q", (e,), priority=priority)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


def _queue(clock: VirtualClock, **kw: float) -> tuple[VerdictQueue, list[tuple[Verdict, str]], TriageStats]:
    drops: list[tuple[Verdict, str]] = []
    stats = TriageStats()
    q = VerdictQueue(TriageSettings(**kw), clock, on_drop=lambda v, r: drops.append((v, r)), stats=stats)
    return q, drops, stats


def test_fifty_price_questions_become_one_verdict_for_all_viewers(clock: VirtualClock) -> None:
    q, drops, stats = _queue(clock)
    for i in range(50):
        assert q.push(_v(["price?", "Price??", "PRICE", "price ?"][i % 4], f"viewer{i}", t=i * 0.1))
    assert len(q) == 1 and drops == []
    v = q.get_nowait()
    assert v is not None and len(v.events) == 50 and len(v.users) == 50
    assert stats.merged == 49


def test_a_flash_sale_keeps_a_merged_question_bounded_and_still_ranks_it_by_all_its_askers(
        clock: VirtualClock) -> None:
    q, _, _ = _queue(clock)
    for i in range(10_000):
        q.push(_v("price?", f"fan{i}", t=i * 0.0005))
    q.push(_v("what sizes?", "ann", t=5.0))
    q.push(_v("what sizes?", "bob", t=5.0))
    v = q.get_nowait()
    assert v is not None and v.event.text == "price?" and v.event.user.name == "fan0"  # the most asked first
    assert len(v.events) == MAX_ASKERS and v.events[-1].user.name == "fan9999"  # the first and the newest kept


def test_near_duplicates_merge_but_different_questions_do_not(clock: VirtualClock) -> None:
    q, _, _ = _queue(clock)
    q.push(_v("how much is the blue dress", "a"))
    q.push(_v("how much is the blue dres", "b"))
    q.push(_v("do you ship to canada", "c"))
    assert len(q) == 2


def test_merging_stops_after_the_merge_window(clock: VirtualClock) -> None:
    q, _, _ = _queue(clock, merge_window_s=10.0)
    q.push(_v("price?", "a", t=0.0))
    q.push(_v("price?", "b", t=11.0))
    assert len(q) == 2


def test_highest_priority_first_and_fifo_within_priority(clock: VirtualClock) -> None:
    q, _, _ = _queue(clock)
    q.push(_v("chat one", priority=1))
    q.push(_v("first product question", priority=20))
    q.push(_v("on screen question", priority=30))
    q.push(_v("second product question", priority=20))
    got = [q.get_nowait() for _ in range(4)]
    assert [v.event.text for v in got if v] == ["on screen question", "first product question",
                                                "second product question", "chat one"]


def test_stale_question_is_dropped_with_reason(clock: VirtualClock) -> None:
    q, drops, stats = _queue(clock, stale_after_s=45.0)
    q.push(_v("old question", t=0.0))
    clock.advance(46.0)
    q.push(_v("fresh question", t=46.0, priority=1))
    v = q.get_nowait()
    assert v is not None and v.event.text == "fresh question"
    assert len(drops) == 1 and drops[0][0].event.text == "old question"
    assert drops[0][1].startswith("stale:") and "46.0 s" in drops[0][1]
    assert stats.snapshot()["drops"] == {"stale": 1}


def test_full_queue_displaces_lowest_priority_and_rejects_low_newcomers(clock: VirtualClock) -> None:
    q, drops, _ = _queue(clock, queue_size=2)
    q.push(_v("chat a", priority=1))
    q.push(_v("product b", priority=20))
    assert q.push(_v("product c", priority=20)) is True  # displaces "chat a"
    assert q.push(_v("chat d", priority=1)) is False
    assert [(v.event.text, r.split(":")[0]) for v, r in drops] == [("chat a", "displaced"), ("chat d", "queue_full")]
    assert len(q) == 2 and q.dropped[-1][0].event.text == "chat d"


def test_repeat_of_a_question_just_answered_is_dropped(clock: VirtualClock) -> None:
    q, drops, _ = _queue(clock)
    q.push(_v("price?", "a"))
    assert q.get_nowait() is not None
    clock.advance(3.0)
    assert q.push(_v("price", "b", t=3.0)) is False
    assert drops[0][1].startswith("duplicate:")


def test_only_answer_verdicts_are_queued(clock: VirtualClock) -> None:
    q, _, _ = _queue(clock)
    e = Event(EventKind.LIKE, User("a", "a"))
    with pytest.raises(ValueError):
        q.push(Verdict(Action.THANK, Category.SOCIAL, "like", (e,)))


async def test_get_waits_for_the_next_push(clock: VirtualClock) -> None:
    q, _, _ = _queue(clock)
    task = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    assert not task.done()
    q.push(_v("price?"))
    v = await asyncio.wait_for(task, 1.0)
    assert v.event.text == "price?"


def test_merge_key_ignores_case_punctuation_emoji_and_repeats() -> None:
    assert merge_key("Price??") == merge_key("price 😀") == merge_key("priiice")
    assert merge_key("多少钱？") == merge_key("多少钱")


def test_a_question_too_old_to_be_answered_in_time_is_not_taken_but_a_fresh_one_is(clock: VirtualClock) -> None:
    q, drops, _ = _queue(clock)
    q.push(_v("what sizes?", "ann", t=0.0, priority=30))  # more important, but asked 9 s ago
    q.push(_v("is it waterproof?", "bob", t=8.0))
    clock.advance(9.0)
    v = q.get_nowait(max_age_s=5.0)
    assert v is not None and v.event.text == "is it waterproof?"
    assert q.get_nowait(max_age_s=5.0) is None and len(q) == 1 and drops == []  # it waits to join a fresh reply
    v = q.get_nowait()
    assert v is not None and v.event.text == "what sizes?"


def test_what_still_waits_when_the_show_ends_is_dropped_with_a_reason(clock: VirtualClock) -> None:
    q, drops, stats = _queue(clock, stale_after_s=45.0)
    q.push(_v("how much is the mug?", "ann", t=0.0))
    clock.advance(50.0)
    q.push(_v("what colours does the throw come in?", "bo", t=50.0))
    assert q.close("show_ended: still waiting when the show ended") == 2
    assert len(q) == 0 and q.get_nowait() is None
    assert sorted(r.split(":")[0] for _, r in drops) == ["show_ended", "stale"]  # a stale one says so
    assert stats.drops == {"show_ended": 1, "stale": 1}
