"""Triage: one decision per event — answer, thank, ignore or block — with the reason, in microseconds.

Order matters: banned topics and injection attempts are blocked first (whatever else the comment is),
then spam and per-user floods are ignored, and only then is the comment classified for answering. Gifts,
follows, joins and likes become THANK verdicts for :class:`agent.triage.thanks.ThanksAggregator`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Protocol

from agent.clock import Clock
from agent.events import Event, EventKind
from agent.language import detect_language
from agent.moderation.matcher import Match
from agent.moderation.store import TopicStore
from agent.settings import TriageSettings
from agent.triage.classify import (
    PRIORITY_CHITCHAT,
    PRIORITY_GREETING,
    PRIORITY_ON_SCREEN,
    PRIORITY_OTHER,
    PRIORITY_PRODUCT,
    Kind,
    classify,
    title_words,
)
from agent.triage.flood import Deduper, RateLimiter
from agent.triage.injection import detect_injection
from agent.triage.stats import TriageStats
from agent.triage.verdict import Action, Category, Verdict

log = logging.getLogger(__name__)

_URL = re.compile(r"https?://|www\.|\b[a-z0-9-]{2,}\.(com|net|org|cn|ly|io|me|gg|xyz|top|vip|shop)(/|\b)")
MAX_LEN = 400


class Showing(Protocol):
    """The product on screen (an :class:`agent.knowledge.product.Product` fits)."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...


class Triage:
    """Decides about every event. Construct once per show; ``decide`` is synchronous and cheap."""

    def __init__(
        self,
        settings: TriageSettings,
        topics: TopicStore,
        clock: Clock,
        *,
        on_screen: Callable[[], Showing | None] | None = None,
        stats: TriageStats | None = None,
        default_language: str = "en",
    ) -> None:
        self.settings = settings
        self.topics = topics
        self.clock = clock
        self.on_screen = on_screen
        self.stats = stats if stats is not None else TriageStats()
        self.default_language = default_language
        self._limiter = RateLimiter(settings.user_rate_per_min, clock)
        self._dedup = Deduper()
        self._titles: dict[str, frozenset[str]] = {}

    def decide(self, event: Event) -> Verdict:
        self.topics.maybe_reload()
        v = self._decide(event)
        self.stats.count(v)
        return v

    def check_output(self, text: str) -> Match | None:
        """Check what the host is about to say (same banned-topic lists, output scope)."""
        return self.topics.check_output(text)

    # -- internals ----------------------------------------------------------------------------------

    def _decide(self, event: Event) -> Verdict:
        lang = detect_language(event.text, self.default_language) if event.text else self.default_language
        if event.message_id and self._dedup.seen(event.key):
            return Verdict(Action.IGNORE, Category.SPAM, "duplicate delivery of the same message", (event,),
                           language=lang)
        if event.kind is not EventKind.COMMENT:
            return self._social(event, lang)
        text = event.text
        if not text.strip():
            return Verdict(Action.IGNORE, Category.SPAM, "empty comment", (event,), language=lang)
        live = self.topics.live.comments
        views = self.topics.normalizer.views(text[: MAX_LEN * 2])
        m = live.match_views(views)
        if m is not None:
            return Verdict(Action.BLOCK, Category.BANNED, f"banned topic '{m.topic}' ({m.rule})", (event,),
                           matched=(m.label(),), topic=m.topic, language=lang)
        inj = detect_injection(views.norm, text, views.tri)
        if inj is not None:
            return Verdict(Action.BLOCK, Category.INJECTION, f"injection attempt ({inj.rule})", (event,),
                           matched=(f"injection:{inj.rule}:{inj.matched}",), language=lang)
        spam = self._spam(views.norm, text)
        if spam is not None:
            action, reason = spam
            return Verdict(action, Category.SPAM, reason, (event,), language=lang)
        if not self._limiter.allow(event.user.id):
            return Verdict(Action.IGNORE, Category.SPAM,
                           f"rate limit: more than {self.settings.user_rate_per_min} comments a minute",
                           (event,), language=lang)
        return self._answerable(event, views.norm, lang)

    def _social(self, event: Event, lang: str) -> Verdict:
        if event.kind is EventKind.GIFT:
            g = event.gift
            what = f"{g.count} x {g.name} (value {g.value:g})" if g else "a gift"
            prio = 10 + min(int(g.value if g else 0), 90)
            return Verdict(Action.THANK, Category.GIFT, f"gift: {what}", (event,), priority=prio, language=lang)
        return Verdict(Action.THANK, Category.SOCIAL, f"{event.kind.value}: thanked in the next window",
                       (event,), priority=1, language=lang)

    def _spam(self, norm: str, text: str) -> tuple[Action, str] | None:
        if _URL.search(norm):
            return Action.BLOCK, "links are not allowed in chat"
        if len(text) > MAX_LEN:
            return Action.IGNORE, f"too long ({len(text)} characters)"
        compact = norm.replace(" ", "")
        if len(compact) >= 16 and len(set(compact)) <= 3:
            return Action.IGNORE, "repeated characters"
        return None

    def _answerable(self, event: Event, norm: str, lang: str) -> Verdict:
        showing = self.on_screen() if self.on_screen is not None else None
        words: frozenset[str] = frozenset()
        if showing is not None:
            words = self._titles.get(showing.id) or self._title_words(showing)
        c = classify(norm, words, showing is not None)
        if c.kind is Kind.PRODUCT:
            if c.on_screen:
                return Verdict(Action.ANSWER, Category.PRODUCT_QUESTION, f"on-screen product: {c.why}", (event,),
                               priority=PRIORITY_ON_SCREEN, language=lang)
            return Verdict(Action.ANSWER, Category.PRODUCT_QUESTION, f"product question: {c.why}", (event,),
                           priority=PRIORITY_PRODUCT, language=lang)
        if c.kind is Kind.QUESTION:
            return Verdict(Action.ANSWER, Category.OTHER_QUESTION, c.why, (event,), priority=PRIORITY_OTHER,
                           language=lang)
        if c.kind is Kind.GREETING:
            return Verdict(Action.ANSWER, Category.CHITCHAT, c.why, (event,), priority=PRIORITY_GREETING,
                           language=lang)
        if c.kind is Kind.NOISE:
            return Verdict(Action.IGNORE, Category.CHITCHAT, c.why, (event,), language=lang)
        return Verdict(Action.ANSWER, Category.CHITCHAT, f"{c.why} (answered lightly when the queue is quiet)",
                       (event,), priority=PRIORITY_CHITCHAT, language=lang)

    def _title_words(self, showing: Showing) -> frozenset[str]:
        words = title_words(showing.title)
        if len(self._titles) > 10_000:
            self._titles.clear()
        self._titles[showing.id] = words
        return words
