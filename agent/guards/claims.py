"""Every checkable claim in one sentence (EN/FR/ZH): prices, discounts, stock, sizes, delays, dates, numbers.

The grounding guard can only refuse what it can see, so extraction errs towards finding a claim: any arabic
number that no context explains is still a NUMBER claim the sheet must contain. Phrase claims (health,
superlatives, guarantees, 'free') are taken first so their words are never read again as something else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from agent.guards import lexicon as lx
from agent.guards.numbers import NumberForm, NumberToken, find_numbers, parse_any, parse_chinese
from agent.guards.phrases import PHRASES, PhraseKind


class ClaimKind(StrEnum):
    PRICE = "price"
    DISCOUNT = "discount"
    PERCENT = "percent"
    STOCK = "stock"
    IN_STOCK = "in_stock"
    SOLD_OUT = "sold_out"
    LOW_STOCK = "low_stock"
    SIZE = "size"
    COUNT = "count"
    SHIPPING = "shipping"
    DURATION = "duration"
    DATE = "date"
    NUMBER = "number"
    MEDICAL = "medical"
    SUPERLATIVE = "superlative"
    GUARANTEE = "guarantee"
    FREE = "free"


@dataclass(frozen=True, slots=True)
class Claim:
    """One claim. ``unit``: currency code, '%', a delay unit, a size label, a date or a phrase key.

    ``upper`` ends a range ('3-5 days'); ``qualifier`` marks a price as the former one ('was') or an amount
    saved ('saving'), which are checked against the compare-at price instead of the selling price.
    """

    kind: ClaimKind
    span: str
    start: int
    end: int
    value: float | None = None
    unit: str = ""
    upper: float | None = None
    qualifier: str = ""

    @property
    def hours(self) -> tuple[float, float] | None:
        """A delay as (low, high) hours, so '2 days' equals '48 h'."""
        if self.value is None or self.kind not in (ClaimKind.SHIPPING, ClaimKind.DURATION):
            return None
        per = lx.unit_hours(self.unit)
        return (self.value * per, (self.upper if self.upper is not None else self.value) * per)


_PHRASE_KIND = {
    PhraseKind.MEDICAL: ClaimKind.MEDICAL, PhraseKind.SUPERLATIVE: ClaimKind.SUPERLATIVE,
    PhraseKind.GUARANTEE: ClaimKind.GUARANTEE, PhraseKind.FREE: ClaimKind.FREE,
    PhraseKind.IN_STOCK: ClaimKind.IN_STOCK, PhraseKind.SOLD_OUT: ClaimKind.SOLD_OUT,
    PhraseKind.LOW_STOCK: ClaimKind.LOW_STOCK,
}
_STOCK_PHRASES = (PhraseKind.IN_STOCK, PhraseKind.SOLD_OUT, PhraseKind.LOW_STOCK)
_SKIP = re.compile(r"@[\w.\-]+|https?://\S+")
_RANGE_JOIN = re.compile(r"\s?(?:-|–|—|~|to|à|au|or|ou|到|至|或)\s?", re.IGNORECASE)
_CTX = 32
_CLAUSE_END = re.compile(r"[,;:.!?](?:\s|$)|[，；：。！？]")


class _Taken:
    """Spans already explained by a claim, so one piece of text yields one claim."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.spans)

    def take(self, start: int, end: int) -> None:
        self.spans.append((start, end))


def extract_claims(sentence: str) -> tuple[Claim, ...]:
    """All claims in ``sentence``, in text order."""
    taken = _Taken()
    for m in _SKIP.finditer(sentence):
        taken.take(m.start(), m.end())
    claims: list[Claim] = []
    claims += _phrases(sentence, taken, stock=False)
    claims += _dates(sentence, taken)
    claims += _sizes(sentence, taken)
    claims += _special_discounts(sentence, taken)
    claims += _numbers(sentence, taken)
    claims += _phrases(sentence, taken, stock=True)
    claims += _relative_shipping(sentence)
    return tuple(sorted(claims, key=lambda c: (c.start, c.end)))


def _phrases(text: str, taken: _Taken, *, stock: bool) -> Iterator[Claim]:
    for ph in PHRASES:
        if (ph.kind in _STOCK_PHRASES) != stock:
            continue
        for m in ph.pattern.finditer(text):
            if taken.free(m.start(), m.end()):
                taken.take(m.start(), m.end())
                yield Claim(_PHRASE_KIND[ph.kind], m.group(0), m.start(), m.end(), unit=ph.key)


def _day(token: str) -> int | None:
    if token == "1er":
        return 1
    v = parse_any(token) if not token.isdigit() else float(token)
    return int(v) if v is not None else None


def _dates(text: str, taken: _Taken) -> Iterator[Claim]:
    for name, pattern in lx.DATE_PATTERNS:
        for m in pattern.finditer(text):
            if not taken.free(m.start(), m.end()):
                continue
            g = m.groups()
            year, month, day = "", None, None
            if name == "ymd":
                year, month, day = g[0], int(g[1]), int(g[2])
            elif name == "cn":
                year, month, day = g[0] or "", _day(g[1]), _day(g[2])
            elif name == "md_en":
                month, day = lx.MONTHS.get(g[0].lower()[:3]), int(g[1])
            elif name == "dm_en":
                day, month = int(g[0]), lx.MONTHS.get(g[1].lower()[:3])
            elif name == "dm_fr":
                day, month = _day(g[0]), lx.MONTHS.get(g[1].lower())
            else:
                year, month, day = g[2] or "", int(g[1]), int(g[0])
            if not month or not day:
                continue
            label = f"{month:02d}-{day:02d}" if name != "slash" else f"{day}/{month}"
            taken.take(m.start(), m.end())
            yield Claim(ClaimKind.DATE, m.group(0), m.start(), m.end(), unit=(f"{year}-" if year else "") + label)


def _sizes(text: str, taken: _Taken) -> Iterator[Claim]:
    for pattern in (lx.SIZE_LIST, lx.SIZE_SUFFIX, lx.SIZE_BARE):
        for m in pattern.finditer(text):
            start = m.start(1) if m.lastindex else m.start()
            end = m.end(1) if m.lastindex else m.end()
            if not taken.free(start, end):
                continue
            taken.take(start, end)
            inner = text[start:end]
            if pattern is not lx.SIZE_LIST:
                yield Claim(ClaimKind.SIZE, m.group(0), m.start(), m.end(), unit=lx.size_label(inner))
                continue
            for t in lx.SIZE_TOKEN.finditer(inner):
                word = t.group(0)
                yield Claim(ClaimKind.SIZE, word, start + t.start(), start + t.end(), unit=lx.size_label(word))


def _special_discounts(text: str, taken: _Taken) -> Iterator[Claim]:
    """'打八折' / '8.5折' (pay 80% / 85%), '半价' (half price), '百分之二十' (20 percent)."""
    for m in lx.ZHE.finditer(text):
        raw = m.group(1)
        n = float(raw) if raw[0].isdigit() else parse_chinese(raw)
        if n is None or not taken.free(m.start(), m.end()) or n <= 0:
            continue
        off = 100 - n * 10 if n < 10 else 100 - n
        taken.take(m.start(), m.end())
        yield Claim(ClaimKind.DISCOUNT, m.group(0), m.start(), m.end(), round(off, 2), "%")
    for m in lx.HALF_PRICE.finditer(text):
        if taken.free(m.start(), m.end()):
            taken.take(m.start(), m.end())
            yield Claim(ClaimKind.DISCOUNT, m.group(0), m.start(), m.end(), 50.0, "%")
    for m in lx.PERCENT_CN.finditer(text):
        raw = m.group(1)
        value = float(raw) if raw[0].isdigit() else parse_chinese(raw)
        if value is None or not taken.free(m.start(), m.end()):
            continue
        taken.take(m.start(), m.end())
        yield Claim(_percent_kind(text, m.start(), m.end()), m.group(0), m.start(), m.end(), value, "%")


def _percent_kind(text: str, start: int, end: int) -> ClaimKind:
    before = _CLAUSE_END.split(text[max(0, start - _CTX) : start])[-1]
    after = _CLAUSE_END.split(text[end : end + _CTX])[0]
    if lx.SIGN_BEFORE.search(before) or lx.DISCOUNT_CONTEXT.search(before) or lx.DISCOUNT_CONTEXT.search(after):
        return ClaimKind.DISCOUNT
    return ClaimKind.PERCENT


def _numbers(text: str, taken: _Taken) -> Iterator[Claim]:
    nums = [n for n in find_numbers(text) if taken.free(n.start, n.end)]
    skip_until = -1
    for i, n in enumerate(nums):
        if n.start < skip_until:
            continue
        claim = _classify(text, n)
        nxt = nums[i + 1] if i + 1 < len(nums) else None
        if (claim is None or claim.kind is ClaimKind.NUMBER) and nxt is not None:
            joined = _range(text, n, nxt)
            if joined is not None:
                claim, skip_until = joined, nxt.end
        if claim is not None and taken.free(claim.start, claim.end):
            taken.take(claim.start, claim.end)
            yield claim


def _range(text: str, low: NumberToken, high: NumberToken) -> Claim | None:
    """'3-5 days', '3 à 5 jours', '3到5天': the second number's unit applies to both."""
    if not _RANGE_JOIN.fullmatch(text[low.end : high.start]):
        return None
    second = _classify(text, high)
    if second is None or second.kind in (ClaimKind.NUMBER, ClaimKind.SIZE, ClaimKind.DATE, ClaimKind.COUNT):
        return None
    return Claim(
        second.kind, text[low.start : second.end], low.start, second.end, low.value, second.unit,
        upper=second.value, qualifier=second.qualifier,
    )


def _classify(text: str, n: NumberToken) -> Claim | None:
    """What a number is, from the words right after it, then right before it."""
    after = text[n.end : n.end + _CTX]
    before = text[max(0, n.start - _CTX) : n.start]

    def claim(kind: ClaimKind, end: int, unit: str = "", value: float = n.value, start: int = n.start,
              qualifier: str = "") -> Claim:
        return Claim(kind, text[start:end], start, end, value, unit, qualifier=qualifier)

    if m := lx.CURRENCY_AFTER.match(after):
        value, end = n.value, n.end + m.end()
        token = m.group(1)
        if token in ("块", "块钱", "元") and (c := lx.CN_CHANGE_AFTER.match(text, end)):
            value += _change_digit(c.group(1)) / 10 + (_change_digit(c.group(2)) / 100 if c.group(2) else 0)
            end = c.end()
        return claim(ClaimKind.PRICE, end, lx.currency_code(token), value,
                     qualifier=_price_qualifier(text, n.start, end))
    if m := lx.CURRENCY_BEFORE.search(before):
        start = n.start - (len(before) - m.start())
        return claim(ClaimKind.PRICE, n.end, lx.currency_code(m.group(1)), start=start,
                     qualifier=_price_qualifier(text, start, n.end))
    if m := lx.PERCENT_AFTER.match(after):
        end = n.end + m.end()
        return claim(_percent_kind(text, n.start, end), end, "%")
    if m := lx.DURATION_AFTER.match(after):
        kind = ClaimKind.SHIPPING if lx.SHIPPING_CONTEXT.search(text) else ClaimKind.DURATION
        return claim(kind, n.end + m.end(), m.group(1).lower())
    if m := lx.STOCK_AFTER.match(after):
        return claim(ClaimKind.STOCK, n.end + m.end())
    if m := lx.COUNT_AFTER.match(after):
        return claim(ClaimKind.COUNT, n.end + m.end())
    measure = lx.CN_MEASURE_AFTER.match(after)
    if lx.STOCK_BEFORE.search(before) or (measure and lx.STOCK_HAVE_BEFORE.search(before)):
        return claim(ClaimKind.STOCK, n.end + (measure.end() if measure else 0))
    if lx.PRICE_BEFORE.search(before):
        return claim(ClaimKind.PRICE, n.end, qualifier=_price_qualifier(text, n.start, n.end))
    if n.form is NumberForm.ARABIC:
        return claim(ClaimKind.NUMBER, n.end)
    return None


def _change_digit(ch: str) -> int:
    return int(ch) if ch.isdigit() else int(parse_chinese(ch) or 0)


def _price_qualifier(text: str, start: int, end: int) -> str:
    before = text[max(0, start - _CTX) : start]
    if lx.WAS_BEFORE.search(before):
        return "was"
    if lx.SAVING_AFTER.match(text, end) or lx.SAVING_BEFORE.search(before):
        return "saving"
    return ""


def _relative_shipping(text: str) -> Iterator[Claim]:
    """'ships tomorrow', 'livré demain', '当天发货': a delay claim without a number."""
    if not lx.SHIPPING_CONTEXT.search(text):
        return
    for key, pattern in lx.RELATIVE_DAYS:
        for m in pattern.finditer(text):
            yield Claim(ClaimKind.SHIPPING, m.group(0), m.start(), m.end(), unit=key)
