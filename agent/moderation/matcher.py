"""Compiled banned-topic rules: one object answers "does this text touch a banned topic, and why?".

Everything is indexed at build time so a check costs a few dict look-ups per token: Latin keywords are
looked up only at token starts (and must end at a token end, so "skill" never matches "kill"), Chinese
keywords are looked up by each of their characters (which also finds homophone spellings that keep one
character), and regex patterns run only when a literal they need is present (:mod:`gate`). Example phrases
are matched by meaning, by the semantic layer (:mod:`semantic`), not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from agent.language import HAN, HAN_CHARS
from agent.moderation.gate import GatedPatterns
from agent.moderation.normalize import Normalizer, Views, skeleton, word_form
from agent.moderation.pinyin import PinyinTable
from agent.moderation.topics import Topic
from agent.ports import ShopWords

_MIXED_TOKEN = re.compile(f"[a-z0-9{HAN_CHARS}]+")
MIN_PINYIN = 4
SHORT = 3  # Latin keywords this short match whole words only


@dataclass(frozen=True, slots=True)
class Match:
    """Why a text was matched: the topic, the kind of rule and the rule's own text."""

    topic: str
    rule: str  # keyword | homophone | pinyin | pattern | meaning
    matched: str
    score: float = 1.0
    category: str = "banned"  # the topic file's category: banned | spam | injection

    def label(self) -> str:
        return f"{self.topic}:{self.rule}:{self.matched}"


@dataclass(frozen=True, slots=True)
class _Latin:
    skel: str
    prefix: bool
    topic: str
    rule: str
    text: str
    plain: str = ""  # ``skel`` with 'l' kept


@dataclass(frozen=True, slots=True)
class _Han:
    word: str
    offset: int
    topic: str
    toneless: bool
    homophones: bool = True


# Characters that carry grammar, not meaning: a keyword like "能治吗" has one meaningful character, and its
# homophones ("能吃吗", "能拆吗") are everyday questions. Such keywords match only as written.
_FUNCTION_HAN = frozenset("能吗么嘛的了是有不吧呢啊会可以要想很都也就这那个你我他她它们在和与或")


class TopicMatcher:
    """All rules of the topics in one ``scope`` ("comments" or "output"), compiled for speed."""

    def __init__(
        self,
        topics: Iterable[Topic],
        normalizer: Normalizer,
        pinyin: PinyinTable,
        *,
        scope: str = "comments",
    ) -> None:
        self._norm = normalizer
        self._py = pinyin
        self._latin: dict[str, list[_Latin]] = {}
        self._han: dict[str, list[_Han]] = {}
        self._mixed: list[tuple[str, str, str]] = []
        self._short: dict[str, tuple[str, str]] = {}
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        self._allow: dict[str, list[str]] = {}
        self._allow_han: dict[str, list[str]] = {}
        self._allow_latin: dict[str, list[str]] = {}
        self.topics = tuple(t for t in topics if scope in t.scope and t.blocks)
        self._category = {t.name: t.category for t in self.topics}
        for t in self.topics:
            for _, kw in t.keywords:
                self._add_keyword(t.name, kw)
            self._patterns.extend((p, t.name) for _, p in t.patterns)
            self._allow[t.name] = [normalizer.fold(s) for _, s in t.allow]
            # an allowed phrase cancels a hit it overlaps; a fragment that short ("a", "中") would cancel anything
            self._allow_han[t.name] = [h for h in ("".join(HAN.findall(a)) for a in self._allow[t.name]) if len(h) >= 2]
            self._allow_latin[t.name] = [k for k in (skeleton(a) for a in self._allow[t.name]) if len(k) >= 3]
        self._gated = GatedPatterns(self._patterns)
        self._short_words = frozenset(self._short)

    def _add_keyword(self, topic: str, kw: str) -> None:
        prefix = kw.endswith("*")
        core = self._norm.fold(kw.rstrip("*").strip())
        has_han = bool(HAN.search(core))
        has_latin = any("a" <= c <= "z" or c.isdigit() for c in core)
        if has_han and has_latin:
            self._mixed.append(("".join(_MIXED_TOKEN.findall(core)).replace("l", "i"), topic, kw))
        elif has_han:
            word = "".join(HAN.findall(core))
            toneless = len(word) >= 3
            homophones = sum(1 for ch in word if ch not in _FUNCTION_HAN) >= 2
            for i, ch in enumerate(word):
                self._han.setdefault(ch, []).append(_Han(word, i, topic, toneless, homophones))
            spoken = self._py.spell(word)
            spelled = skeleton(spoken)
            if len(word) >= 2 and len(spelled) >= MIN_PINYIN:
                self._add_latin(_Latin(spelled, False, topic, "pinyin", word, skeleton(spoken, fold_l=False)))
        else:
            sk = skeleton(core)
            if len(sk) > SHORT:
                self._add_latin(_Latin(sk, prefix, topic, "keyword", kw, skeleton(core, fold_l=False)))
            elif len(sk) >= 2:
                # Short words ("kys", "vx", "sb", "sex") match only a whole word (leetspeak folded, letters
                # spelled out joined), never across words and without folding 'l' to 'i': "LED" is not "ied",
                # "if I" is not "lfi".
                self._short.setdefault(word_form(core), (topic, kw))

    def _add_latin(self, entry: _Latin) -> None:
        self._latin.setdefault(entry.skel[:3], []).append(entry)

    # -- matching -----------------------------------------------------------------------------------

    def match(self, text: str, shop: ShopWords | None = None) -> Match | None:
        """The first rule ``text`` breaks, or None. ``shop``: the shop's own wording, where a homophone of a
        list word is the shop's word ("真丝单只装" holds 丝单, which sounds like 私单), not a viewer's trick."""
        if not text:
            return None
        return self.match_views(self._norm.views(text), shop)

    def match_views(self, v: Views, shop: ShopWords | None = None) -> Match | None:
        m = (self._han_match(v, shop) or self._latin_match(v) or self._short_match(v) or self._mixed_match(v)
             or self._pattern_match(v))
        if m is None or self._category[m.topic] == m.category:
            return m
        return replace(m, category=self._category[m.topic])

    def _han_match(self, v: Views, shop: ShopWords | None) -> Match | None:
        han = v.han
        if not han:
            return None
        index = self._han
        n = len(han)
        for j, ch in enumerate(han):
            entries = index.get(ch)
            if entries is None:
                continue
            for e in entries:
                s = j - e.offset
                end = s + len(e.word)
                if s < 0 or end > n:
                    continue
                window = han[s:end]
                if window == e.word:
                    if not self._allowed_span(self._allow_han.get(e.topic, []), han, s, end):
                        return Match(e.topic, "keyword", e.word)
                elif e.homophones and self._py.sounds_alike(window, e.word, toneless=e.toneless):
                    # a sound-alike is looked for within one written run: not across "20000" in 充电宝20000毫安
                    if any(s < b < end for b in v.han_breaks) or (shop is not None and shop.covers(han, s, end)):
                        continue
                    if not self._allowed_span(self._allow_han.get(e.topic, []), han, s, end):
                        return Match(e.topic, "homophone", f"{window}~{e.word}")
        return None

    def _latin_match(self, v: Views) -> Match | None:
        lat = v.latin
        if not lat:
            return None
        index = self._latin
        ends = v.ends
        for s in v.starts:
            entries = index.get(lat[s : s + 3])
            if entries is None:
                entries = index.get(lat[s : s + 2])
                if entries is None:
                    continue
            elif len(lat) >= s + 2 and lat[s : s + 2] in index:
                entries = entries + index[lat[s : s + 2]]
            for e in entries:
                if lat.startswith(e.skel, s) and (e.prefix or s + len(e.skel) in ends):
                    if _real_l(v.plain, s, e.plain):
                        continue
                    if not self._allowed_span(self._allow_latin.get(e.topic, []), lat, s, s + len(e.skel)):
                        return Match(e.topic, e.rule, e.text)
        return None

    def _short_match(self, v: Views) -> Match | None:
        if not self._short:
            return None
        for word in v.words & self._short_words:
            topic, kw = self._short[word]
            if not self._allowed(topic, v.norm, word):
                return Match(topic, "keyword", kw)
        return None

    def _mixed_match(self, v: Views) -> Match | None:
        for skel, topic, kw in self._mixed:
            if skel in v.mixed and not self._allowed(topic, v.norm, kw):
                return Match(topic, "keyword", kw)
        return None

    def _pattern_match(self, v: Views) -> Match | None:
        for topic, m in self._gated.finditer(v.norm, v.tri):
            if not self._allowed(topic, v.norm, ""):
                return Match(topic, "pattern", m.group(0).strip())
        return None

    # -- allow-list ---------------------------------------------------------------------------------

    def _allowed(self, topic: str, norm: str, hit: str) -> bool:
        """True when an allow-listed phrase of ``topic`` present in the text contains the hit."""
        return any(phrase in norm and hit in phrase for phrase in self._allow.get(topic, ()))

    def _allowed_span(self, phrases: list[str], view: str, start: int, end: int) -> bool:
        """True when an allow-listed phrase occurs in ``view`` overlapping [start, end) ("秒杀人" vs 杀人)."""
        for phrase in phrases:
            i = view.find(phrase)
            while i >= 0:
                if i < end and start < i + len(phrase):
                    return True
                i = view.find(phrase, i + 1)
        return False


def _real_l(plain: str, start: int, word: str) -> bool:
    """Does the text write a plain 'l' where the list word has an 'i'? 'l' and 'i' are folded together for
    "kiII" (capitals I for l), but "folds" is a word of its own, not "foids"."""
    return any(c == "i" and plain[start + k : start + k + 1] == "l" for k, c in enumerate(word))
