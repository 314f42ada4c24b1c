"""Counters for everything triage decides, for the console and the metrics endpoint."""

from __future__ import annotations

from collections import Counter

from agent.verdict import Action, Category, Verdict, drop_code

# Enum ``.value`` goes through a descriptor; a dict look-up per verdict is several times cheaper.
_ACTION = {a: a.value for a in Action}
_CATEGORY = {c: c.value for c in Category}


class TriageStats:
    """Counts verdicts by action, category and topic, drops by reason code, merges and thank-you windows.

    One instance per show, passed to :class:`Triage`, the queue and the thanks aggregator; counting is a
    few dict increments so it never shows up in the throughput budget.
    """

    def __init__(self) -> None:
        self.events = 0
        self.actions: Counter[str] = Counter()
        self.categories: Counter[str] = Counter()
        self.topics: Counter[str] = Counter()
        self.drops: Counter[str] = Counter()
        self.merged = 0
        self.thanks_windows = 0

    def count(self, verdict: Verdict) -> None:
        self.events += len(verdict.events)
        self.actions[_ACTION[verdict.action]] += 1
        self.categories[_CATEGORY[verdict.category]] += 1
        if verdict.topic:
            self.topics[verdict.topic] += 1

    def drop(self, verdict: Verdict, reason: str) -> None:
        self.drops[drop_code(reason)] += 1

    def merge(self) -> None:
        self.merged += 1

    def thanks(self) -> None:
        self.thanks_windows += 1

    def snapshot(self) -> dict[str, object]:
        return {
            "events": self.events,
            "by_action": dict(self.actions),
            "by_category": dict(self.categories),
            "by_topic": dict(self.topics),
            "drops": dict(self.drops),
            "merged": self.merged,
            "thanks_windows": self.thanks_windows,
        }
