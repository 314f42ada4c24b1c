"""Triage as the show uses it: the decider, the reply queue, the thanks aggregator and the output check,
built from settings over one banned-topic store and one stats object."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from agent.moderation.store import TopicStore
from agent.moderation.strikes import Strikes
from agent.onscreen import OnScreen
from agent.ports import Clock
from agent.settings import Settings
from agent.triage.queue import VerdictQueue
from agent.triage.stats import TriageStats
from agent.triage.thanks import ThanksAggregator
from agent.triage.triage import Triage
from agent.vectors import PhraseVectors


@dataclass
class TriageParts:
    triage: Triage
    queue: VerdictQueue
    thanks: ThanksAggregator
    topics: TopicStore
    stats: TriageStats
    strikes: Strikes

    def output_check(self, text: str) -> str | None:
        """The banned-topic lists applied to what the host is about to say: the topic, or None."""
        m = self.topics.check_output(text)
        return None if m is None else m.topic

    def dropped_json(self) -> Iterator[dict[str, Any]]:
        for verdict, reason in self.queue.dropped:
            for e in verdict.events:
                yield {"user": e.user.name, "text": e.text, "t": round(e.time, 3), "reason": reason}


def build_triage(settings: Settings, clock: Clock, *, vectors: PhraseVectors | None = None,
                 negatives: Sequence[str] = (), on_screen: OnScreen | None = None) -> TriageParts:
    """``vectors`` turns the semantic layer on (see :mod:`agent.moderation.screen`); ``negatives`` are the
    shop's ordinary questions, which it must never take for a banned topic; questions about the product
    ``on_screen`` go first."""
    t = settings.triage
    stats = TriageStats()
    topics = TopicStore(
        settings.path(t.banned_topics_dir), settings.data_dir, clock, vectors=vectors if t.semantic else None,
        negatives=negatives, embedding_threshold=t.embedding_threshold,
    )
    strikes = Strikes(clock, after=t.mute_after, window_s=t.mute_window_s, mute_s=t.mute_s)
    triage = Triage(t, topics, clock, stats=stats, default_language=settings.show.default_language, strikes=strikes,
                    on_screen=on_screen)
    queue = VerdictQueue(t, clock, stats=stats)
    thanks = ThanksAggregator(t, clock, stats=stats)
    return TriageParts(triage, queue, thanks, topics, stats, strikes)
