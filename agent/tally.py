"""What became of the viewers' product questions: answered (alone or with others) and how fast, or not.

The show records each product question as triage lets it through (``asked``), each reply with the comments it
answers (``replied``) and each comment the screen stopped (``blocked``); the summary then reads the director's
timeline for when each reply started. Questions count as one *distinct* question when they share a merge key
(the same words, folded) within ``merge_window_s`` of each other, or were answered by the same reply.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

from agent.director.director import TimelineEntry
from agent.events import Event
from agent.metrics import percentile
from agent.triage.flood import merge_key

MAX_QUESTIONS = 200_000  # a day of a busy room; older questions leave the tally first


class QuestionTally:
    def __init__(self, merge_window_s: float) -> None:
        self._window = merge_window_s
        self._asked: deque[tuple[str, float, str]] = deque(maxlen=MAX_QUESTIONS)  # (event key, time, merge key)
        self._blocked: set[str] = set()
        self._replies: dict[str, tuple[tuple[str, float], ...]] = {}  # utterance id -> (event key, time)...

    def asked(self, event: Event) -> None:
        self._asked.append((event.key, event.time, merge_key(event.text)))

    def blocked(self, event: Event) -> None:
        self._blocked.add(event.key)

    def replied(self, utterance_id: str, events: Sequence[Event]) -> None:
        self._replies[utterance_id] = tuple((e.key, e.time) for e in events)
        while len(self._replies) > MAX_QUESTIONS:
            self._replies.pop(next(iter(self._replies)))

    def joined(self, utterance_id: str, event: Event) -> None:
        """``event`` asked what the reply ``utterance_id`` (not started yet) answers: it counts as answered by it."""
        self._replies[utterance_id] = (*self._replies.get(utterance_id, ()), (event.key, event.time))

    def summary(self, started: dict[str, float]) -> dict[str, Any]:
        """``started``: utterance id -> when that reply's first audio played (replies never started absent)."""
        latencies: list[float] = []
        answered: dict[str, str] = {}  # event key -> utterance id
        for uid, asked in self._replies.items():
            start = started.get(uid)
            if start is None:
                continue
            for key, t in asked:
                answered.setdefault(key, uid)
                latencies.append(start - t)
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        last: dict[str, tuple[float, str]] = {}  # merge key -> (time, event key) of its latest question
        questions = [q for q in self._asked if q[0] not in self._blocked]
        for key, t, mkey in questions:
            find(key)
            prev = last.get(mkey)
            if prev is not None and t - prev[0] <= self._window:
                parent[find(key)] = find(prev[1])
            last[mkey] = (t, key)
        by_reply: dict[str, str] = {}
        for key, uid in answered.items():
            if key in parent:
                first = by_reply.setdefault(uid, key)
                parent[find(key)] = find(first)
        groups = {find(q[0]) for q in questions}
        answered_groups = {find(k) for k in answered if k in parent}
        return {
            "product_questions": len(questions),
            "distinct_product_questions": len(groups),
            "distinct_product_questions_answered": len(answered_groups),
            "distinct_answered_share": round(len(answered_groups) / len(groups), 3) if groups else None,
            "answered_comment_to_first_audio_ms": {
                "n": len(latencies),
                "p50": _ms(percentile(latencies, 50)),
                "p95": _ms(percentile(latencies, 95)),
            },
        }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def airtime_share(timeline: Sequence[TimelineEntry], kind: str) -> float | None:
    """The share of the airtime that went to ``kind`` (script, reply...)."""
    total = sum(t.end - t.start for t in timeline)
    return None if total <= 0 else round(sum(t.end - t.start for t in timeline if t.kind == kind) / total, 3)
