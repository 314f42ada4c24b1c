"""The question tally counts what a whole-show computation would, while keeping memory flat over a day."""

from __future__ import annotations

import random
from typing import Any

from agent.director.director import TimelineEntry
from agent.events import Event
from agent.metrics import percentile
from agent.tally import AirCounts, QuestionTally
from agent.triage.flood import merge_key

TEXTS = ["price?", "how much?", "多少钱", "still in stock?", "what sizes?", "c'est combien ?", "ships to france?"]


def _event(i: int, t: float, text: str) -> Event:
    return Event.from_dict({"t": t, "type": "comment", "user": f"u{i % 37}", "text": text, "id": f"m{i}"})


def _entry(uid: str, start: float, kind: str = "reply") -> TimelineEntry:
    return TimelineEntry(start, start + 3.0, kind, "text", None, False, None, uid)


def _reference(asked: list[Event], blocked: set[str], replies: dict[str, list[Event]], started: dict[str, float],
               window: float) -> dict[str, Any]:
    """The whole-show computation: chains of one merge key within the window, joined by the reply that answered
    them; a group counts when one of its questions was not blocked."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    last: dict[str, tuple[float, str]] = {}
    for e in asked:
        find(e.key)
        prev = last.get(merge_key(e.text))
        if prev is not None and 0 <= e.time - prev[0] <= window:
            parent[find(e.key)] = find(prev[1])
        last[merge_key(e.text)] = (e.time, e.key)
    answered: set[str] = set()
    latencies: list[float] = []
    for uid, events in replies.items():
        if uid not in started:
            continue
        for e in events:
            latencies.append(started[uid] - e.time)
            answered.add(e.key)
        for e in events[1:]:
            parent[find(e.key)] = find(events[0].key)
    live = {find(e.key) for e in asked if e.key not in blocked}
    return {"product_questions": sum(1 for e in asked if e.key not in blocked), "distinct_product_questions": len(live),
            "distinct_product_questions_answered": len({find(k) for k in answered} & live),
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "n": len(latencies)}


def test_tally_counts_distinct_and_answered_questions_as_the_whole_show_computation_does() -> None:
    rng = random.Random(3)
    for _ in range(20):
        tally = QuestionTally(merge_window_s=10.0, settle_s=120.0)
        asked: list[Event] = []
        blocked: set[str] = set()
        replies: dict[str, list[Event]] = {}
        started: dict[str, float] = {}
        t = 0.0
        for i in range(400):
            t += rng.expovariate(1 / 4.0)
            e = _event(i, t, rng.choice(TEXTS))
            asked.append(e)
            tally.asked(e)
            if rng.random() < 0.05:
                blocked.add(e.key)
                tally.blocked(e)
            if rng.random() < 0.3:  # a reply to a few recent questions, said a little later (or never)
                uid = f"r{i}"
                group = [x for x in asked[-6:] if rng.random() < 0.5 and x.key not in blocked] or [e]
                replies[uid] = group
                tally.replied(uid, group)
                if rng.random() < 0.8:
                    started[uid] = t + rng.uniform(0.5, 8.0)
                    tally.said(_entry(uid, started[uid]))
        got = tally.summary()
        want = _reference(asked, blocked, replies, started, 10.0)
        assert {k: got[k] for k in want if k in got} == {k: want[k] for k in want if k in got}
        assert got["distinct_product_questions"] == want["distinct_product_questions"]
        assert got["distinct_product_questions_answered"] == want["distinct_product_questions_answered"]
        lat = got["answered_comment_to_first_audio_ms"]
        assert lat["n"] == want["n"]
        for q in ("p50", "p95"):
            assert lat[q] == round(want[q] * 1000, 1)


def test_tally_memory_stays_flat_through_a_flood_and_a_day() -> None:
    tally = QuestionTally(merge_window_s=10.0, settle_s=300.0)
    t = 0.0
    for i in range(200_000):  # a flash sale: 10,000 questions a second, the same few things asked
        t += 0.0001
        tally.asked(_event(i, t, TEXTS[i % len(TEXTS)]))
    for i in range(20_000):  # then a quiet day: a question every 4 s, nearly all of them different
        t += 4.0
        tally.asked(_event(i, t, f"is the model {i} waterproof?"))
    assert len(tally._heap) < 200 and sum(len(c) for c in tally._chains.values()) < 200
    s = tally.summary()
    assert s["product_questions"] == 220_000
    assert s["distinct_product_questions"] == len(TEXTS) + 20_000


def test_air_counts_share_of_airtime_by_kind() -> None:
    air = AirCounts()
    air.said(_entry("a", 0.0, "script"))
    air.said(TimelineEntry(3.0, 4.0, "reply", "x", None, True, None, "b"))
    assert air.spoken == {"script": 1, "reply": 1} and air.whole == {"script": 1}
    assert air.share("script") == 0.75
