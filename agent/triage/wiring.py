"""Triage as the show uses it: the decider, the reply queue, the thanks aggregator and the output check,
built from settings over one banned-topic store and one stats object."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from agent.clock import Clock
from agent.moderation.store import TopicStore
from agent.ports import Retriever
from agent.settings import Settings
from agent.triage.queue import VerdictQueue
from agent.triage.stats import TriageStats
from agent.triage.thanks import ThanksAggregator
from agent.triage.triage import Showing, Triage


@dataclass
class TriageParts:
    triage: Triage
    queue: VerdictQueue
    thanks: ThanksAggregator
    topics: TopicStore
    stats: TriageStats

    def set_on_screen(self, fn: Callable[[], Showing | None]) -> None:
        """The director tells triage which product is on screen (questions about it go first)."""
        self.triage.on_screen = fn

    def output_check(self, text: str) -> str | None:
        """The banned-topic lists applied to what the host is about to say: the topic, or None."""
        m = self.topics.check_output(text)
        return None if m is None else m.topic

    def dropped_json(self) -> Iterator[dict[str, Any]]:
        for verdict, reason in self.queue.dropped:
            for e in verdict.events:
                yield {"user": e.user.name, "text": e.text, "t": round(e.time, 3), "reason": reason}


def build_triage(settings: Settings, clock: Clock, retriever: Retriever | None = None) -> TriageParts:
    stats = TriageStats()
    topics = TopicStore(
        settings.path(settings.triage.banned_topics_dir), settings.data_dir, clock,
        threshold=settings.triage.semantic_threshold,
    )
    triage = Triage(settings.triage, topics, clock, stats=stats, default_language=settings.show.default_language)
    queue = VerdictQueue(settings.triage, clock, stats=stats)
    thanks = ThanksAggregator(settings.triage, clock, stats=stats)
    return TriageParts(triage, queue, thanks, topics, stats)
