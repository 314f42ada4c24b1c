"""Where the sheet says it: the field or the sheet sentence that answers the attribute asked, or nothing.

Extractive first, as the truthful-answers sketch has it: a sheet's named fields (``warranty: 2 years``) and
the sentences and clauses of its description are the candidates. Each is scored by meaning against the
question (multilingual, so a French question finds a Chinese clause), plus the signals that do not depend on
the model: the field's name is the attribute's, the clause says a word about the attribute ("附赠", "livré
avec"), the question's own content words occur in it, and for measured attributes (dimensions, weight,
capacity, age) it holds a value with the right kind of unit; a question that names a measure ("how long does
it last", "combien de watts", "多少度") favours a value in that unit. An attribute only guessed by meaning
(no cue word) weighs half: it ranks, it does not decide. A field is about what its name says, and the
product's name is an answer only as the measure asked. Below ``min_score`` nothing is found and the host
says the sheet does not say, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agent.knowledge.keywords import tokenize
from agent.knowledge.reference import GENERIC_TERMS
from agent.language import FR_SAID_OF, detect_language, has_han
from agent.ports import Vector
from agent.product import Product
from agent.reply.attributes import (
    ATTRIBUTES,
    LOAD_ASKED,
    LOAD_KEY,
    LOAD_TEXT,
    Attribute,
    cued,
    measured,
)
from agent.vectors import PhraseVectors

_SENTENCE = re.compile(r"(?<=[。！？；\n])\s*|(?<=[.!?;])\s+")
_CLAUSE_MIN = 6
_AND = re.compile(r"\s(?:and|et|y|und)\s|以及", re.IGNORECASE)
_PARTS_KEPT = re.compile(r"([；;，]|,(?!\d)| / )")
_LABEL_FIRST = re.compile(r"[A-Za-z]{0,3}\d")  # a part led by a label with a digit ("5U：", "28寸", "M2")
_MAX_CANDIDATES = 60

W_KEY = 0.12  # the field's name is the attribute's
W_MARK = 0.06  # the clause says a word about the attribute
W_LEX = 0.04  # per content word of the question found in the candidate (at most 3)
W_FIRST = 0.03  # the attribute most likely asked
W_UNIT = 0.12  # the question names a measure ("combien de watts", "多少度") and the candidate holds a value in its unit
CLAUSE_SLACK = 0.08
MEASURE_MARGIN = 0.02  # one of two joined measures is said alone when it is this much nearer the question
# Attributes a sheet states in any words (no field name, marker word or unit to look for): the question's own
# words in a sentence are evidence enough.
LOOSE = frozenset({"features", "use", "compatibility", "care"})
STRUCTURED = frozenset({"price", "stock", "variants"})


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str  # as the sheet writes it ("key: value" for a field)
    key: str = ""  # the field's name, "" for a sentence of the description
    value: str = ""  # the field's value, or the sentence itself
    spec: bool = False  # the product's title or a variant's name: an answer only as a measured value ("5L")


@dataclass(frozen=True, slots=True)
class Finding:
    """What the sheet says about ``attribute`` (``candidate`` None: it does not say)."""

    attribute: str
    candidate: Candidate | None
    score: float = 0.0

    @property
    def found(self) -> bool:
        return self.candidate is not None


def clauses(sentence: str) -> list[str]:
    """A sentence cut at its commas and semicolons, never inside brackets ("（请随身携带，不可托运）"), and
    between two measures joined by "and"."""
    return [part.strip() for c in _at_commas(sentence) for part in _measures_apart(c) if part.strip()]


def _at_commas(sentence: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(sentence):
        if ch in "(（[【":
            depth += 1
        elif ch in ")）]】":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in "，,；;" and not (ch == "," and sentence[i + 1 : i + 2].isdigit()):
            out.append(sentence[start : i + 1])
            start = i + 1
    out.append(sentence[start:])
    return [c.strip() for c in out if c.strip()]


def _measures_apart(clause: str) -> list[str]:
    """Two measures joined by "and" ("keeps drinks cold 24 hours and hot 12 hours") are two clauses."""
    parts = _AND.split(clause)
    if len(parts) > 1 and all(any(ch.isdigit() for ch in p) for p in parts):
        return parts
    return [clause]


def candidates(p: Product) -> list[Candidate]:
    """Named fields, then the description's sentences, and the clauses of its long sentences."""
    out = [Candidate(f"{k}: {v}", k, v) for k, v in p.facts if str(v).strip()]
    for sentence in (s.strip() for s in _SENTENCE.split(p.text or "")):
        if len(sentence) < 4:
            continue
        out.append(Candidate(sentence, "", sentence))
        parts = [c for c in clauses(sentence) if len(c) >= _CLAUSE_MIN]
        if len(parts) > 1:
            out += [Candidate(c, "", c) for c in parts]
    out += [Candidate(v.name, "", v.name, spec=True) for v in p.variants if any(ch.isdigit() for ch in v.name)]
    out.append(Candidate(p.title, "", p.title, spec=True))  # titles often hold the spec ("5L", "28cm", "500ml")
    seen: set[str] = set()
    unique = []
    for c in out:
        if c.text not in seen:
            seen.add(c.text)
            unique.append(c)
    return unique[:_MAX_CANDIDATES]


def lexical_hits(terms: set[str], text: str) -> int:
    """How many of the question's words occur in ``text``; long words also by their first five letters, so
    "polarisées" finds "polarisés" and "washable" finds "wash"."""
    low = text.lower()
    words = set(tokenize(text))
    stems = {w[:5] for w in words if len(w) >= 5}
    return sum(1 for t in terms if t in low or t in words or (len(t) >= 5 and t[:5] in stems))


def content_terms(question: str, product: Product) -> set[str]:
    """The question's own words, minus generic shop talk and the product's name (they say what, not which)."""
    title = set(tokenize(product.title))
    return {t for t in tokenize(question) if t not in GENERIC_TERMS and t not in title and len(t) > 1}


# A yes/no question ("can I iron it?", "elle marche sur induction ?", "能放微波炉吗？") as opposed to one that
# asks for a value ("how long...", "jusqu'à quelle température", "多少"); a question mark anywhere will do when
# nothing asks for a value ("c'est lavable ? 🙏", "it folds? small flat").
_OPEN = re.compile(r"\b(?:how|what|which|where|when|why|who|combien|quel\w*|comment|où|quand|pourquoi|quoi)\b"
                   r"|多少|几|什么|哪|怎么|多久|多大|多长|多高|多重", re.IGNORECASE)
_YES_NO = re.compile(r"^\s*(?:can|could|is|are|does|do|did|will|would|should|has|have)\b|\bor (?:no|not)\b"
                     r"|\best-ce qu|\b(?:peut-on|je peux|on peut)\b|-t-(?:il|elle|on)\b|[?？]"
                     # the thing said first and taken up ("la lampe elle marche avec des piles", "c'est sans gluten")
                     r"|\b(?:il|elle|ils|elles) (?:est|sont|marche|marchent|va|vont|passe|passent|tient|tiennent)\b"
                     r"|\b" + FR_SAID_OF +
                     r"|吗|[嘛不][？?]?[^\w]*$|能不能|可不可以|是不是|有没有|会不会|行不行", re.IGNORECASE)
# The words that make a yes/no question of it, as tokenize() spells them ("does" is "doe")
_FRAME = frozenset("can could is are was doe do did will would should ha has have be ok okay fine safe est peut peux "
                   "va vont ca they them ils elles sont se au aux ai".split())  # and the pronouns that carry it
# Attributes whose answer is a value in a unit (a size, a weight, an age range): the value answers the question
# however it is worded ("ok for my 4 yr old?" against "Age: 3-8 years"); and policies, which answer whatever
# the reason given ("can I send it back if I don't like the colour?" against "free returns within 30 days").
_WHOLE = frozenset({"dimensions", "weight", "capacity", "age", "returns", "warranty"})


def leaves_out(question: str, found: Candidate, product: Product, attribute: str) -> bool:
    """Does a yes/no question ask about one specific thing that the sheet's answer does not mention? "Can I
    iron it?" against a care line that never says "iron", "do you ship to Jersey?" against a shipping line that
    names no Jersey: the line is about the topic, not the thing asked, so the honest answer is that the sheet
    does not say. The thing asked is the question's own content words (not the product's name, not shop talk);
    the words of an attribute's cue ("ship", "wash", "ça marche sur") count only when nothing more specific is
    asked. Chinese is read as character pairs, which cannot tell the topic from the thing: any pair in the line
    will do. Only read within one language: a question in another language than the sheet cannot share its
    words."""
    if attribute in STRUCTURED or _OPEN.search(question) or not _YES_NO.search(question):
        return False
    if found.key and any(ATTRIBUTES[a].keys.search(found.key) for a in _WHOLE):
        return False  # a value or a policy field answers as it is
    if not found.key and attribute in _WHOLE and attribute in cued(question):
        return False
    if has_han(question):  # Chinese terms are overlapping character pairs: any of them in the line will do
        # with the Latin words and numbers a Chinese question holds ("iPhone 16", "type-c")
        terms = {t for t in tokenize(question) if (len(t) == 2 or not has_han(t)) and t not in _FRAME}
        terms -= set(tokenize(product.title))
        return bool(terms) and lexical_hits(terms, found.text) == 0
    terms = content_terms(question, product) - _FRAME
    if not terms:
        return False
    topic = {t for a in ATTRIBUTES.values() for m in a.cues.finditer(question) for t in tokenize(m.group())}
    specific = terms - topic
    return lexical_hits(specific or terms, found.text) == 0


class FactFinder:
    def __init__(self, vectors: PhraseVectors, *, min_score: float = 0.80) -> None:
        self.vectors = vectors
        self.min_score = min_score

    def warm(self, products: Sequence[Product]) -> int:
        """Embed the candidates of ``products`` ahead of the first question (kept on disk: once per catalog
        edit), so a first ask about a product is as fast as the next. Returns how many candidates."""
        texts = [c.text for p in products for c in candidates(p)]
        self.vectors.vectors(texts)
        return len(texts)

    def find(self, product: Product, attributes: Sequence[str], question: str, qvec: Vector) -> Finding:
        """The best candidate for the attributes asked (most likely first), or nothing.

        A candidate counts only with evidence for one of the attributes: its field's name, a word the
        attribute's sentences use, a value with the attribute's unit, or the question's own words in it.
        """
        attribute = attributes[0] if attributes else "other"
        cands = candidates(product)
        if not cands:
            return Finding(attribute, None)
        matrix = self.vectors.vectors([c.text for c in cands])
        sims = matrix @ np.asarray(qvec, dtype=np.float32)
        terms = content_terms(question, product)
        # the attribute most likely asked counts fully; the next one only when its own evidence is there
        wanted = [(ATTRIBUTES[a], W_FIRST if i == 0 else -W_KEY / 2) for i, a in enumerate(attributes)
                  if a in ATTRIBUTES]
        # An attribute the question's words name is evidence; one guessed by meaning alone (no cue word) weighs
        # half, so that a wrong guess does not outrank the sentence closest to the question.
        guessed = not wanted or wanted[0][0].name not in cued(question)
        kinds, counted = measured(question)  # counted: "takes 8 pens" answers "how many pens fit", whatever "fit" cues
        asked_in = detect_language(question) if counted else ""  # a count is named in the question's language
        best, best_score = None, -9.0
        scored: list[tuple[Candidate, float]] = []
        near: dict[str, tuple[Candidate, float]] = {}  # every candidate by meaning, unit and words alone
        loose = not wanted or wanted[0][0].name in LOOSE
        bears = LOAD_ASKED.search(question) is not None
        for c, sim in zip(cands, sims, strict=True):
            if not bears and (LOAD_KEY.search(c.key) if c.key else LOAD_TEXT.search(c.text)):
                continue  # what it bears is no answer to how heavy it is
            unit = W_UNIT if any(k.search(c.value) for k in kinds) else 0.0
            hits = min(3, lexical_hits(terms, c.text))
            near[c.text] = (c, float(sim) + unit + W_LEX * hits)
            if counted and not unit and not c.key and detect_language(c.text, asked_in) == asked_in:
                continue  # "how many pens?" is answered by a number of pens, not by a sentence about them
            if c.spec and (not _news(c.value, question)
                           or not unit and (guessed or not any(_measured(a, c) for a, _ in wanted))):
                continue  # a name says which product, not what was asked, unless it holds the measure asked
            support = max((_support(a, c) + (0.0 if guessed else first) for a, first in wanted), default=-1.0)
            if support < 0 and not (hits and loose) and not (unit and (guessed or counted)):
                continue  # no sign it speaks of what was asked: a measure without its unit, another field
            support = support / 2 if guessed else support
            score = float(sim) + max(0.0, support) + unit + W_LEX * hits
            scored.append((c, score))
            if score > best_score:
                best, best_score = c, score
        if best is None or best_score < self.min_score:
            return Finding(attribute, None, round(best_score, 4))
        # a clause of the best sentence that holds what was asked says only that ("含绒量90%", not the length too)
        if not best.key:
            hits_of = {c.text: lexical_hits(terms, c.text) for c, _ in scored}
            parts = [(c, sc) for c, sc in scored if c is not best and not c.key and c.text in best.text
                     and sc >= best_score - CLAUSE_SLACK and hits_of[c.text] >= max(1, hits_of[best.text])]
            if parts:
                best, best_score = max(parts, key=lambda x: (hits_of[x[0].text], x[1]))
            else:
                best = _one_measure(best, near, terms)
        if attribute == "dimensions":
            best = all_axes(best, cands, question)
        if best.spec and attribute in ATTRIBUTES:
            best = variant_measures(best, cands, question, product, ATTRIBUTES[attribute])
        return Finding(attribute, narrowed(best, question), round(best_score, 4))


# A field that holds one axis of a size ("height", "largeur", "长", "座高"), and a question that names one axis.
_AXIS_FIELD = re.compile(r"height|width|depth|length|diameter|thickness|hauteur|largeur|profondeur|longueur"
                         r"|diam[eè]tre|[ée]paisseur|^[长宽高深厚直]|[长宽高深厚]度|直径|座高", re.IGNORECASE)
_AXIS_ASKED = re.compile(r"\b(?:tall|high|height|wide|width|long|length|deep|depth|diameter|thick)\b|hauteur|\bhaut\b"
                         r"|largeur|\blarge\b|longueur|\blong\b|profond|diam[eè]tre|[ée]pais|多[高宽长深厚]|直径"
                         r"|[长宽高深厚]度|座高", re.IGNORECASE)


def all_axes(best: Candidate, cands: Sequence[Candidate], question: str) -> Candidate:
    """A size asked as a whole ("how big?", "quelles dimensions ?", "尺寸多少？") when the sheet gives it axis by
    axis ("height", "width", "depth" fields): every axis, in the sheet's order. A question that names one axis
    ("how tall?") gets that one."""
    if not best.key or not _AXIS_FIELD.search(best.key) or _AXIS_ASKED.search(question):
        return best
    length = ATTRIBUTES["dimensions"].value
    axes = [c for c in cands if c.key and _AXIS_FIELD.search(c.key) and length is not None and length.search(c.value)]
    if len(axes) < 2:
        return best
    han = any(has_han(c.key) for c in axes)
    sep, comma = ("：", "，") if han else (": ", ", ")
    value = comma.join(f"{c.key}{sep}{c.value}" for c in axes[:4])
    return Candidate(value, "", value)


# Size words a viewer names a variant by, in the three languages ("the large one", "le petit", "大号")
_SIZE_WORDS = {
    "xl": re.compile(r"\bx-?large\b|\bextra[- ]large\b|\bxl\b|加大|特大", re.IGNORECASE),
    "l": re.compile(r"(?<!x-)(?<!extra )(?<!extra-)\blarge\b|(?<!how )\bbig(?:ger)?\b|\bgrande?s?\b|大号|大码|大款|大的"
                    r"|^l\b", re.IGNORECASE),
    "m": re.compile(r"\bmedium\b|\bmoyenne?s?\b|中号|中码|中款|^m\b", re.IGNORECASE),
    "s": re.compile(r"(?<!how )\bsmall(?:er)?\b|\blittle\b|\bpetite?s?\b|小号|小码|小款|小的|^s\b", re.IGNORECASE),
}


def _sizes(text: str) -> set[str]:
    return {size for size, rx in _SIZE_WORDS.items() if rx.search(text)}


def variant_measures(best: Candidate, cands: Sequence[Candidate], question: str, product: Product,
                     attribute: Attribute) -> Candidate:
    """A measure read in a variant's name ("Small – 9 x 7 in") answers for that variant only: the one the question
    names (by a number or a size word: "the large one", "大号"), else every variant's, in the sheet's order, each
    measure once."""
    names = {v.name for v in product.variants}
    if best.value not in names or attribute.value is None:
        return best
    pattern = attribute.value
    # of a name joining options ("1.8m床 / 奶咖"), the option holding the measure; variants differing only in
    # another option (a colour) say the same measure once
    pieces = list(dict.fromkeys(next((p.strip() for p in c.value.split(" / ") if pattern.search(p)), c.value)
                                for c in cands if c.spec and c.value in names and pattern.search(c.value)))
    if len(pieces) < 2:
        return best
    numbers = set(_NUMBER.findall(question))
    asked = _sizes(question)
    named = [p for p in pieces if numbers & set(_NUMBER.findall(p)) or asked & _sizes(p)]
    value = "; ".join((named if named else pieces)[:4])
    return Candidate(value, "", value)


def _one_measure(best: Candidate, near: dict[str, tuple[Candidate, float]], terms: set[str]) -> Candidate:
    """Of two measures joined in one clause of the answer ("cold 24 hours and hot 12 hours"), the one clearly
    nearer the question, when one is (the other would answer what was not asked). Both, when the question's
    own words name each ("how many brightness levels and colour temperatures?")."""
    for clause in _at_commas(best.text):
        parts = sorted((near[p.strip()] for p in _measures_apart(clause) if p.strip() in near), key=lambda x: -x[1])
        if len(parts) > 1 and all(lexical_hits(terms, c.text) for c, _ in parts):
            return best
        if len(parts) > 1 and parts[0][1] - parts[1][1] >= MEASURE_MARGIN:
            return parts[0][0]
    return best


def narrowed(c: Candidate, question: str) -> Candidate:
    """The part of a value the question names by a spec label: "4U：80-84g；5U：75-79g" asked about the 5U is
    "5U：75-79g", "4 à 6 ans (16 pouces) ; 3 à 5 ans (14 pouces)" asked about the 14-inch is the second part.
    Only labels with a digit count (sizes, capacities, models), never ordinary words."""
    pieces = _PARTS_KEPT.split(c.value)  # parts and the separators between them
    parts, seps = [x.strip() for x in pieces[0::2]], pieces[1::2]
    if len(parts) < 2 or not all(parts):
        return c
    q = {t for t in tokenize(question) if any(ch.isdigit() for ch in t)}
    tokens = [set(tokenize(x)) for x in parts]
    shared = {t for i, a in enumerate(tokens) for b in tokens[i + 1:] for t in a & b}
    named = [i for i, t in enumerate(tokens) if q & (t - shared)]
    if len(named) != 1:
        return c
    # the labelled part goes on over commas until the next part that starts with a label of its own:
    # "28寸外尺寸 76 x 50 x 30 cm，净重约4.8kg" asked about the 28-inch keeps its weight
    first = last = named[0]
    while last + 1 < len(parts) and seps[last].strip() in ("，", ",") and not _LABEL_FIRST.match(parts[last + 1]):
        last += 1
    value = "".join(parts[i] + (seps[i] if i < last else "") for i in range(first, last + 1)).strip()
    return Candidate(f"{c.key}: {value}" if c.key else value, c.key, value)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _news(name: str, question: str) -> bool:
    """Does a product's or variant's name hold a number the question does not? "16寸的自行车适合多高的孩子？"
    is not answered by "Vélo enfant 16 pouces": the question named that measure to say which bike."""
    return bool(set(_NUMBER.findall(name)) - set(_NUMBER.findall(question)))


def _measured(a: Attribute, c: Candidate) -> bool:
    """Does ``c`` hold a value with the unit of measured attribute ``a`` ("28cm" for a size)?"""
    return a.value is not None and a.value.search(c.value) is not None


def _support(a: Attribute, c: Candidate) -> float:
    """Evidence that ``c`` speaks of attribute ``a`` (-1: none, or a measure without its unit)."""
    if a.value is not None and not a.value.search(c.value):
        return -1.0  # a measure needs a value with its unit: a price is not a size, a pack count not a stock
    if c.key and not a.keys.search(c.key) and any(o.keys.search(c.key) for o in ATTRIBUTES.values() if o is not a):
        return -1.0  # a field is about what its name says: "weight: 5L model 4.2 kg" is no capacity
    score = -1.0
    if c.key and a.keys.search(c.key):
        score = W_KEY
    if a.mark is not None and a.mark.search(c.value if not c.key else c.text):
        score = max(score, W_MARK)
    if a.value is not None:
        score = max(score, W_MARK)
    return score
