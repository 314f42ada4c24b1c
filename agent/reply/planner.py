"""What a reply will be, decided before anything is said: deflect (out of scope), refuse (not sold here), or
answer an attribute of one product.

    question -> its vector (shared with retrieval) -> scope and retrieval: deflect? -> sold here? -> attribute

A question the scope would deflect by meaning is still answered when it names a product by its own words
(:meth:`Planner.names_product`), unless it is of a kind always deflected (harmful).

"Sold here" is decided from the best match's keyword score (its words are the catalog's own), a sure
cosine, or a middling cosine that stands out from the runner-up; a question that asks whether the shop
*has* a thing ("do you sell phone cases?", "有没有猫砂？") must name it in words the catalog uses, or be a very
close match by meaning. The thresholds are settings, chosen on development shops (bench/calibrate.py).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agent.knowledge import segment
from agent.knowledge.reference import GENERIC_TERMS
from agent.language import HAN_RUN, has_han, majority_language
from agent.metrics import Metrics
from agent.ports import Clock, Hit, Retriever, Vector
from agent.product import Product
from agent.reply.attributes import asked, cued, measures
from agent.reply.head import head_of, inside_phrase, mentions, name_words, owns, owns_all, phrase_about
from agent.reply.parts import asks_something, question_parts
from agent.reply.scope import ScopeDecision, ScopeStore

# "Do you sell / have X?" in EN, FR, ZH: the shop must carry X itself, not something near it.
_EXISTENCE = re.compile(
    r"\b(?:do|does) (?:you|u|the shop|this shop|your shop|you guys) (?:sell|have|carry|stock|do|offer)\b"
    r"|\b(?:have|do) you (?:got|have) (?:any|a|an)\b|\bgot any\b|^any \w+|\bis there (?:a|an|any)\b|\bare there any\b"
    r"|\bvous (?:avez|vendez|faites|proposez)\b|\bvous auriez\b|\bil y a (?:des|un|une)\b|\bt'as (?:des|un|une)\b"
    r"|\bavez-vous\b|\bvendez-vous\b|有没有|有没|(?:^|你们|店里|这里|家)有(?!什么|多少|几|哪)[^，。？?]{1,12}(?:吗|嘛)"
    r"|卖不卖|有卖|有得卖|能买到|卖[^，。？?]{1,12}(?:吗|嘛)|有吗|有嘛",
    re.IGNORECASE,
)


# "How many ... do you have?" asks a quantity of something the shop has, not whether it has it.
_QUANTITY = re.compile(r"\bhow (?:many|much)\b|\bcombien\b|多少|几", re.IGNORECASE)
_CLAUSE = re.compile(r"[?？。!！;；]+")
# "Still have it in size 9?", "还有吗", "il en reste ?": whether some is left of a thing the shop has (stock).
_STILL = re.compile(r"\bstill (?:have|got|sell|in stock)\b|\bany left\b|\bencore\b|\breste\b|还有|还剩|还卖",
                    re.IGNORECASE)


def asks_existence(question: str) -> bool:
    """Does the question ask whether the shop has a thing ("do you sell X?", "有扫地机器人吗？多少钱？"), rather
    than how many it has ("how many do you have left?") or whether some is still left ("黑色S码还有吗")? Each
    clause on its own: a price asked after the existence question does not make it a quantity question."""
    return any(_EXISTENCE.search(c) and not _QUANTITY.search(c) and not _STILL.search(c)
               for c in _CLAUSE.split(question))


# The thing asked for comes before these: "replacement wheels | for the scooter", "un couvercle | pour la cocotte".
_HEAD_CUT = re.compile(r"\s(?:for|of|with|to fit|that fits|pour|de la|du|des|de|avec|qui va avec)\s", re.IGNORECASE)


# Kinds of question deflected even when they name a product: "could the axe hurt someone" is no use the
# host should describe. The others (health, personal, how-to...) are about the product once it is named.
ALWAYS_DEFLECTED = frozenset({"harmful"})


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a question that asks two things ("... and how much is it?"), with what it asks."""

    question: str
    attributes: tuple[str, ...]
    vector: Vector | None


@dataclass(frozen=True, slots=True)
class ReplyPlan:
    """What a reply will be about, decided before the LLM or the templates are used."""

    decision: str  # "answer" | "refuse" | "deflect"
    question: str
    users: tuple[str, ...]
    language: str
    hits: tuple[Hit, ...]
    on_screen: Product | None
    recent: tuple[str, ...] = ()
    scope: ScopeDecision | None = None
    attributes: tuple[str, ...] = ()
    vector: Vector | None = None
    second: Part | None = None  # another thing the same question asks, answered after the first

    @property
    def products(self) -> tuple[Product, ...]:
        return tuple(h.product for h in self.hits)

    @property
    def product(self) -> Product | None:
        return self.hits[0].product if self.hits else None

    @property
    def addressee(self) -> str:
        names = list(self.users[:3])
        return names[0] if len(names) == 1 else ", ".join(names)


@dataclass(frozen=True, slots=True)
class CatalogMatch:
    """When the best match counts as what the viewer asks about (see the module docstring). A question in
    another language than the catalog's cannot share its words and sits further from it by meaning, so it
    has thresholds of its own (``cross``)."""

    min_keyword: float = 4.0
    sure_dense: float = 0.83
    min_dense: float = 0.865
    min_margin: float = 0.03
    exists_dense: float = 0.93
    # a question naming a thing the best match's name does not hold ("the oak wardrobe" -> Oak Bookshelf)
    unnamed_min_keyword: float = 100.0
    unnamed_sure_dense: float = 1.01
    cross: CatalogMatch | None = None


class Planner:
    def __init__(self, retriever: Retriever, clock: Clock, metrics: Metrics, *, scope: ScopeStore | None = None,
                 embed: Callable[[str], Vector] | None = None, match: CatalogMatch | None = None,
                 top_k: int = 3, default_language: str = "en") -> None:
        self._retriever = retriever
        self._clock = clock
        self._metrics = metrics
        self._scope = scope
        self._embed = embed
        self._match = match or CatalogMatch()
        self._k = top_k
        self._default_language = default_language
        self._catalog_lang: str | None = None

    async def plan(self, question: str, users: Sequence[str], language: str, on_screen: Product | None,
                   recent: Sequence[str] = ()) -> ReplyPlan:
        vec = await self._vector(question)
        scope = self._scope.refresh().decide(vec) if self._scope is not None and vec is not None else None
        base = dict(question=question, users=tuple(users), language=language, on_screen=on_screen,
                    recent=tuple(recent), scope=scope, vector=vec)
        t0 = self._clock.now()
        hits = await self._retriever.search(question, self._k, on_screen.id if on_screen else None)
        self._metrics.observe("retrieval", self._clock.now() - t0)
        if scope is not None and scope.deflect and not (scope.kind not in ALWAYS_DEFLECTED and hits
                                                        and self.names_product(question, hits, language)):
            return ReplyPlan("deflect", hits=(), **base)  # type: ignore[arg-type]
        if not hits or not self.sold_here(question, hits, language):
            return ReplyPlan("refuse", hits=(), **base)  # type: ignore[arg-type]
        attributes = tuple(asked(question, self._by_meaning(vec)))
        second = await self._second(question, attributes[0]) if attributes else None
        return ReplyPlan("answer", hits=(self._pick(question, hits),), attributes=attributes, second=second,
                         **base)  # type: ignore[arg-type]

    def _by_meaning(self, vec: Vector | None) -> list[str]:
        return [a for a, _ in self._scope.current.attributes(vec)] if self._scope and vec is not None else []

    async def _second(self, question: str, main: str) -> Part | None:
        """The part of a two-part question that asks something other than ``main``, if any: a part that
        names ``main`` by its cue words is the one the first answer covers; a part that asks nothing
        ("这个杯子，多少钱？") is no question of its own."""
        parts = question_parts(question)
        if len(parts) < 2 or self._embed is None:
            return None
        for part in parts:
            named = cued(part)
            # a part asks something of its own when its words name an attribute, or a measure ("功率多少？")
            if main in named or not (named or measures(part)) or not asks_something(part):
                continue
            vec = await self._vector(part)
            attributes = tuple(a for a in asked(part, self._by_meaning(vec)) if a != main and (a in named or not named))
            if attributes:
                return Part(part, attributes, vec)
        return None

    async def _vector(self, question: str) -> Vector | None:
        if self._embed is None:
            return None
        working = getattr(self._clock, "working", None)  # rehearsals: virtual time waits for the embedding
        if working is not None:
            with working():
                return await asyncio.to_thread(self._embed, question)
        return await asyncio.to_thread(self._embed, question)

    def warm(self) -> None:
        """Load what reading a question in the catalog's language needs (Chinese words), before the first one."""
        if self._catalog_language() == "zh":
            segment.warm()

    def names_product(self, question: str, hits: Sequence[Hit], language: str) -> bool:
        """Does the question name the best match by the words of its name, in the catalog's language, and no
        other match ("le grille-pain il s'arrête tout seul ?")? Then it asks about that product, whatever
        kind of question it sits nearest by meaning ("stops by itself" is no personal question)."""
        if language != self._catalog_language():
            return False
        phrase = phrase_about(question, language, hits[0].product)
        thing = head_of(phrase, language)
        return thing is not None and owns(thing, hits[0].product) and self._names_alone(phrase, thing, hits)

    def sold_here(self, question: str, hits: Sequence[Hit], language: str) -> bool:
        """Whether the best hit is what the viewer asks about, not merely the closest thing we sell."""
        top = hits[0]
        if top.on_screen:
            return True
        same = language == self._catalog_language()
        m = self._match if same or self._match.cross is None else self._match.cross
        phrase = phrase_about(question, language, top.product) if same else []
        thing = head_of(phrase, language)
        if asks_existence(question):
            # "do you have X?": X itself must be in the catalog's words, or be a sure match by meaning; "any
            # nuts in the granola?" asks what a product it names holds (and "a lid for the skillet" for a lid)
            if same:  # the catalog's own words are there to name it: only they count
                return (self._holds(question, language, hits)
                        or top.keyword >= m.min_keyword and self._names_it(question, top.product))
            return top.dense >= m.exists_dense
        if thing is not None and not owns(thing, top.product):  # another thing, unless the match is sure
            # shared words are no evidence for a thing the best match's sheet never mentions ("胡桃木衣柜" and
            # a walnut desk share 胡桃木): then only meaning decides
            return (top.dense >= m.unnamed_sure_dense
                    or top.keyword >= m.unnamed_min_keyword and mentions(thing, top.product))
        if thing is not None and self._names_alone(phrase, thing, hits):
            return True  # named by its own words, and only it is ("how much is the chair rn")
        if top.keyword >= m.min_keyword or top.dense >= m.sure_dense:
            return True
        coverage = getattr(self._retriever, "vocabulary_coverage", None)
        if coverage is not None and same:
            content, known = coverage(question)
            if content > 0 and known == 0:
                return False
        runner_up = max((h.dense for h in hits[1:]), default=0.0)
        return top.dense >= m.min_dense and top.dense - runner_up >= m.min_margin

    @staticmethod
    def _holds(question: str, language: str, hits: Sequence[Hit]) -> bool:
        """Does the question ask what the best match holds, naming it alone ("any nuts in the granola?")?"""
        inside = inside_phrase(question, language)
        head = head_of(inside, language)
        return head is not None and Planner._names_alone(inside, head, hits)

    @staticmethod
    def _names_alone(phrase: list[str], head: str, hits: Sequence[Hit]) -> bool:
        """Do the phrase's words all lie in the best match's name, and its head in no other match's name ("the
        chair", "la poêle céramique", "米粉里")?"""
        return owns_all(phrase, hits[0].product) and not any(owns(head, h.product) for h in hits[1:])

    @staticmethod
    def _names_it(question: str, p: Product) -> bool:
        """Does the thing asked for occur in the product's name, tags or category? It is the question's last
        product word ("羽毛球" in "有羽毛球吗", "cases" in "phone cases"), before a "for" or "of" that names
        what it goes with ("wheels" in "replacement wheels for the scooter", "杯套" in "保温杯的杯套")."""
        from agent.knowledge.keywords import tokenize

        own = name_words(p)
        han = "".join(HAN_RUN.findall(question))
        if han:
            for generic in sorted((w for w in GENERIC_TERMS if HAN_RUN.fullmatch(w)), key=len,
                                  reverse=True):
                han = han.replace(generic, " ")
            runs = [r for r in han.split() if len(r) >= 2]
            if runs:
                head = runs[-1][-2:]  # Chinese compounds end in their head: 羽毛球 -> 毛球, 蓝牙音箱 -> 音箱
                return head in own
        head = _HEAD_CUT.split(question, maxsplit=1)[0]
        latin = [w for w in tokenize(head) if w not in GENERIC_TERMS and w.isascii() and w.isalpha() and len(w) > 1]
        if not latin:
            return False
        last = latin[-1]  # plural stems differ ("watche" for "watches"): a catalog word it starts with counts
        return last in own or any(len(o) >= 4 and last.startswith(o) for o in own)

    def _catalog_language(self) -> str:
        """The language most product titles are written in (the catalog's own words)."""
        if self._catalog_lang is None:
            products = getattr(self._retriever, "products", lambda: ())()
            texts = [p.title + " " + p.text[:80] for p in products[:200]]
            self._catalog_lang = majority_language(texts) if texts else self._default_language
        return self._catalog_lang

    @staticmethod
    def _pick(question: str, hits: Sequence[Hit]) -> Hit:
        """The best hit, unless a runner-up's name is said more in the question and it matches the question's
        words or meaning at least as well ("la tondeuse elle se plie ?" is about the mower, whatever the hose's
        description shares with "ranger" and "place")."""
        q = question.lower()
        said = set(re.findall(r"\w{3,}", q))  # whole words ("can" is not in "canapé"); Chinese runs as written
        han = "".join(HAN_RUN.findall(q))

        def named(h: Hit) -> int:
            title = h.product.title.lower()
            words = set(re.findall(r"\w{3,}", title))
            latin = sum(1 for w in words if not has_han(w) and w in said)
            # Chinese: the longest run of the title the question writes ("充电宝" in "自带线快充充电宝": 3)
            common = max((n for run in HAN_RUN.findall(title) for n in range(min(len(run), 8), 1, -1)
                          for i in range(len(run) - n + 1) if run[i : i + n] in han), default=1)
            return latin + common - 1

        best = hits[0]
        for h in hits[1:]:
            if named(h) > named(best) and (h.keyword >= best.keyword or h.dense >= best.dense):
                best = h
        return best
