"""The semantic look at a comment that is about to be answered or shown on the broadcast.

Triage's word lists run on every event at chat speed; meaning costs an embedding (~15-40 ms on one core), so it
runs only where it must: before a reply is planned, and before a comment goes to the overlay's chat feed. The
comment's vector is the one retrieval uses for the same text (one shared :class:`QueryCache`), so an answered
question pays for one embedding, not two. Obfuscated text ("g 4 m b l i n g", "怎 么 做") is embedded as a
reader decodes it. A match counts as a strike against the viewer (see :mod:`strikes`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace

from agent.events import Event
from agent.language import han_count
from agent.metrics import Metrics
from agent.moderation.matcher import Match
from agent.moderation.normalize import readable
from agent.moderation.quotes import unquoted
from agent.moderation.store import TopicStore
from agent.moderation.strikes import Muted, Strikes
from agent.ports import Clock, Embedder, Vector
from agent.vectors import QueryCache

log = logging.getLogger(__name__)
_LATIN = re.compile(r"[A-Za-z]")


class Screen:
    def __init__(self, topics: TopicStore, embedder: Embedder, clock: Clock, *, cache: QueryCache | None = None,
                 strikes: Strikes | None = None, metrics: Metrics | None = None) -> None:
        self.topics = topics
        self.embedder = embedder
        self.clock = clock
        self.cache = cache if cache is not None else QueryCache()
        self.strikes = strikes
        self.metrics = metrics

    def text_for(self, text: str) -> str:
        """What is embedded: the comment itself, or its decoded form when it hides words (spaced or masked
        letters, leetspeak, emoji), without the words it quotes to condemn them."""
        text = unquoted(text) or text
        norm = self.topics.normalizer.fold(text)
        decoded = self.topics.unmask(readable(norm))
        return text if decoded == " ".join(norm.split()) else decoded

    def vector(self, text: str) -> Vector:
        return self._embedded(self.text_for(text))

    def _embedded(self, key: str) -> Vector:
        """The vector of what :meth:`text_for` gave, from the cache shared with retrieval when it is there."""
        vec = self.cache.get(key)
        if vec is None:
            vec = self.embedder.embed_query(key)
            self.cache.put(key, vec)
        return vec

    def match(self, text: str) -> Match | None:
        """Synchronous check (CLI, benchmarks); the show uses :meth:`check`. A comment that hides its words
        ("k i l l", "c0k3", "🔫") is read by the word lists and patterns again as decoded (triage read it as
        typed), then by meaning."""
        if not text or text.isspace():
            return None
        key = self.text_for(text)  # decoded once: read by the lists, then embedded
        if key != text and (m := self.topics.match(key)) is not None:
            return replace(m, rule=f"decoded {m.rule}")
        if too_short_to_mean(key):
            return None
        return self.topics.meaning(self._embedded(key))

    async def check(self, text: str, event: Event | None = None) -> Match | None:
        """The semantic verdict, computed off the event loop; a match is a strike against ``event``'s viewer."""
        t0 = self.clock.now()
        working = getattr(self.clock, "working", None)  # virtual time must not run ahead of the embedding
        if working is not None:
            with working():
                m = await asyncio.to_thread(self.match, text)
        else:
            m = await asyncio.to_thread(self.match, text)
        if self.metrics is not None:
            self.metrics.observe("semantic_check", self.clock.now() - t0)
            if m is not None:
                self.metrics.count(f"semantic_block.{m.topic}")
        if m is not None and event is not None:
            self.strike(event)
        return m

    def strike(self, event: Event) -> Muted | None:
        if self.strikes is None:
            return None
        mute = self.strikes.strike(event.platform, event.user.id)
        if mute is not None:
            log.info("viewer muted", extra={"platform": event.platform, "user": event.user.name,
                                            "until": round(mute.until, 1)})
        return mute


def too_short_to_mean(text: str) -> bool:
    """One or two Chinese characters and nothing else ("路过", "来了", "好看"): the embedder's vector of so little
    text lands near anything, so only the word lists judge it (they hold the two-character words that matter)."""
    return 0 < han_count(text) <= 2 and _LATIN.search(text) is None
