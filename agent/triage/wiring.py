"""Triage as the show uses it: the decider, the reply queue, the thanks aggregator and the output check,
built from settings over one banned-topic store and one stats object."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from agent.clock import Clock
from agent.moderation.store import TopicStore
from agent.moderation.strikes import Strikes
from agent.settings import Settings
from agent.triage.queue import VerdictQueue
from agent.triage.stats import TriageStats
from agent.triage.thanks import ThanksAggregator
from agent.triage.triage import Showing, Triage
from agent.vectors import PhraseVectors


@dataclass
class TriageParts:
    triage: Triage
    queue: VerdictQueue
    thanks: ThanksAggregator
    topics: TopicStore
    stats: TriageStats
    strikes: Strikes

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


def build_triage(settings: Settings, clock: Clock, *, vectors: PhraseVectors | None = None,
                 negatives: Sequence[str] = ()) -> TriageParts:
    """``vectors`` turns the semantic layer on (see :mod:`agent.moderation.screen`); ``negatives`` are the
    shop's ordinary questions, which it must never take for a banned topic."""
    t = settings.triage
    stats = TriageStats()
    topics = TopicStore(
        settings.path(t.banned_topics_dir), settings.data_dir, clock, vectors=vectors if t.semantic else None,
        negatives=negatives, embedding_threshold=t.embedding_threshold,
    )
    strikes = Strikes(clock, after=t.mute_after, window_s=t.mute_window_s, mute_s=t.mute_s)
    triage = Triage(t, topics, clock, stats=stats, default_language=settings.show.default_language, strikes=strikes)
    queue = VerdictQueue(t, clock, stats=stats)
    thanks = ThanksAggregator(t, clock, stats=stats)
    return TriageParts(triage, queue, thanks, topics, stats, strikes)
