"""Triage: one decision per event — answer, thank, ignore or block — with the reason, in microseconds.

Order matters: banned topics and injection attempts are blocked first (whatever else the comment is),
then spam and per-user floods are ignored, and only then is the comment classified for answering. Gifts,
follows, joins and likes become THANK verdicts for :class:`agent.triage.thanks.ThanksAggregator`.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import dataclass

from agent.events import Event, EventKind
from agent.language import detect_language
from agent.moderation.matcher import Match
from agent.moderation.quotes import unquoted
from agent.moderation.store import TopicSet, TopicStore
from agent.moderation.strikes import Strikes
from agent.moderation.wording import ShopWording
from agent.onscreen import OnScreen
from agent.ports import Clock
from agent.product import Product
from agent.settings import TriageSettings
from agent.toolbox.dedup import Deduper
from agent.toolbox.ratelimit import KeyedRateLimiter
from agent.triage.classify import (
    PRIORITY_CHITCHAT,
    PRIORITY_GREETING,
    PRIORITY_ON_SCREEN,
    PRIORITY_OTHER,
    PRIORITY_PRODUCT,
    Classified,
    Kind,
    classify,
    title_words,
)
from agent.triage.injection import detect_injection
from agent.triage.stats import TriageStats
from agent.verdict import TOPIC_CATEGORY, Action, Category, Verdict

log = logging.getLogger(__name__)

_URL = re.compile(r"https?://|www\.|\b[a-z0-9-]{2,}\.(com|net|org|cn|ly|io|me|gg|xyz|top|vip|shop)(/|\b)")
MAX_LEN = 400
TEXT_CACHE = 4096
_WHAT = {"banned": "banned topic", "spam": "spam", "injection": "injection attempt"}

# Verdict fields decided by the text alone: (action, category, reason, matched, topic) / (..., priority).
_Stop = tuple[Action, Category, str, tuple[str, ...], str]
_Answer = tuple[Action, Category, str, int]


@dataclass(slots=True)
class _Facts:
    """What one comment's text says on its own, for one version of the banned topics.

    Chat repeats itself ("price?", "666", "多少钱"), so these are kept per identical text in a bounded LRU
    owned by :class:`Triage`; only the rate limit, de-duplication and the on-screen product stay per event.
    ``answer`` memoizes the classification for the last title words / showing flag it was computed with.
    """

    lang: str
    norm: str
    stop: _Stop | None
    words: frozenset[str] | None = None
    showing: bool = False
    answer: _Answer | None = None


class Triage:
    """Decides about every event. Construct once per show; ``decide`` is synchronous and cheap.

    ``text_cache``: how many distinct comment texts to remember the text-only analysis of (0: none).
    """

    def __init__(
        self,
        settings: TriageSettings,
        topics: TopicStore,
        clock: Clock,
        *,
        on_screen: OnScreen | None = None,
        stats: TriageStats | None = None,
        default_language: str = "en",
        text_cache: int = TEXT_CACHE,
        strikes: Strikes | None = None,
    ) -> None:
        self.settings = settings
        self.topics = topics
        self.clock = clock
        self.on_screen = on_screen
        self.stats = stats if stats is not None else TriageStats()
        self.default_language = default_language
        self.strikes = strikes
        self._limiter = KeyedRateLimiter(settings.user_rate_per_min, 60.0, clock)
        self._dedup = Deduper(10_000)
        self._titles: dict[str, frozenset[str]] = {}
        self._cache_size = max(0, text_cache)
        self._facts: OrderedDict[str, _Facts] = OrderedDict()
        self._facts_for: TopicSet | None = None
        self._shop_for: ShopWording | None = None
        self._rate_reason = f"rate limit: more than {settings.user_rate_per_min} comments a minute"

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
        text = event.text
        comment = event.kind is EventKind.COMMENT
        facts: _Facts | None = None
        if not text:
            lang = self.default_language
        elif comment and not text.isspace():
            facts = self._facts_of(text)
            lang = facts.lang
        else:
            lang = detect_language(text, self.default_language)
        if event.message_id and self._dedup.seen(event.key):
            return Verdict(Action.IGNORE, Category.SPAM, "duplicate delivery of the same message", (event,),
                           language=lang)
        if self.strikes is not None:
            muted = self.strikes.muted(event.platform, event.user.id)
            if muted is not None:
                left = muted.until - self.clock.now()
                return Verdict(Action.IGNORE, Category.MUTED, f"viewer muted for {left:.0f} s more (repeated banned "
                               "content)", (event,), language=lang)
        if not comment:
            return self._social(event, lang)
        if facts is None:
            return Verdict(Action.IGNORE, Category.SPAM, "empty comment", (event,), language=lang)
        stop = facts.stop
        if stop is not None:
            if stop[0] is Action.BLOCK and self.strikes is not None:
                self.strikes.strike(event.platform, event.user.id)
            return Verdict(stop[0], stop[1], stop[2], (event,), matched=stop[3], topic=stop[4], language=lang)
        if not self._limiter.allow(event.user.id):
            return Verdict(Action.IGNORE, Category.SPAM, self._rate_reason, (event,), language=lang)
        return self._answerable(event, facts)

    def _facts_of(self, text: str) -> _Facts:
        """The text-only analysis of ``text``, from the LRU when this topic set has seen it before."""
        live = self.topics.live
        cache = self._facts
        if live is not self._facts_for or self.topics.shop is not self._shop_for:
            cache.clear()  # a reload or a catalog sync changed the rules: forget the verdicts made under the old
            self._facts_for, self._shop_for = live, self.topics.shop
        facts = cache.get(text)
        if facts is not None:
            cache.move_to_end(text)
            return facts
        facts = self._study(text, live)
        if self._cache_size and len(text) <= MAX_LEN:  # long texts are rare and would pin memory
            cache[text] = facts
            if len(cache) > self._cache_size:
                cache.popitem(last=False)
        return facts

    def _study(self, text: str, live: TopicSet) -> _Facts:
        """Banned topics, then injection, then spam: the first one found stops the comment."""
        lang = detect_language(text, self.default_language)
        judged = unquoted(text) or text  # quoted to condemn: judged without the quoted words
        views = self.topics.normalizer.views(judged[: MAX_LEN * 2])
        m = live.comments.match_views(views, self.topics.shop)
        if m is not None:
            stop: _Stop = (Action.BLOCK, TOPIC_CATEGORY[m.category], f"{_WHAT[m.category]} '{m.topic}' ({m.rule})",
                           (m.label(),), m.topic)
            return _Facts(lang, views.norm, stop)
        inj = detect_injection(views.norm, judged, views.tri)
        if inj is not None:
            stop = (Action.BLOCK, Category.INJECTION, f"injection attempt ({inj.rule})",
                    (f"injection:{inj.rule}:{inj.matched}",), "")
            return _Facts(lang, views.norm, stop)
        spam = self._spam(views.norm, text)
        if spam is not None:
            return _Facts(lang, views.norm, (spam[0], Category.SPAM, spam[1], (), ""))
        return _Facts(lang, views.norm, None)

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

    def _answerable(self, event: Event, facts: _Facts) -> Verdict:
        showing = self.on_screen.product if self.on_screen is not None else None
        words: frozenset[str] = frozenset()
        if showing is not None:
            words = self._titles.get(showing.id) or self._title_words(showing)
        shown = showing is not None
        ans = facts.answer
        if ans is None or facts.showing is not shown or not (facts.words is words or facts.words == words):
            ans = facts.answer = _answer(classify(facts.norm, words, shown))
            facts.words = words
            facts.showing = shown
        return Verdict(ans[0], ans[1], ans[2], (event,), priority=ans[3], language=facts.lang)

    def _title_words(self, showing: Product) -> frozenset[str]:
        words = title_words(showing.title)
        if len(self._titles) > 10_000:
            self._titles.clear()
        self._titles[showing.id] = words
        return words


def _answer(c: Classified) -> _Answer:
    """The verdict fields for a comment that passed every filter, from its classification."""
    if c.kind is Kind.PRODUCT:
        if c.on_screen:
            return Action.ANSWER, Category.PRODUCT_QUESTION, f"on-screen product: {c.why}", PRIORITY_ON_SCREEN
        return Action.ANSWER, Category.PRODUCT_QUESTION, f"product question: {c.why}", PRIORITY_PRODUCT
    if c.kind is Kind.QUESTION:
        return Action.ANSWER, Category.OTHER_QUESTION, c.why, PRIORITY_OTHER
    if c.kind is Kind.GREETING:
        return Action.ANSWER, Category.CHITCHAT, c.why, PRIORITY_GREETING
    if c.kind is Kind.NOISE:
        return Action.IGNORE, Category.CHITCHAT, c.why, 0
    return (Action.ANSWER, Category.CHITCHAT, f"{c.why} (answered lightly when the queue is quiet)",
            PRIORITY_CHITCHAT)
