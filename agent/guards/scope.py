"""Which product and which variant each claim in a sentence is about.

A price is only right for the variant it is said of: 'the Large is 9.99 EUR' is wrong when only the Regular
costs 9.99. Mentions are found by title and by option value (with FR/ZH size and colour aliases); a claim
takes the mentions right after it ('9.99 EUR for the Regular') or else those between it and the previous
claim ('the Large is 15.99 EUR').
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agent.guards import lexicon as lx
from agent.guards.claims import Claim, ClaimKind
from agent.product import Product, Variant

_DEFAULT_VALUES = {"default title", "default", ""}
_CONNECT = re.compile(
    r"\s*[(（:：\-—]?\s*(?:for|pour|in|en|on|with|avec|of|de|du|au)?\s*(?:the|le|la|les|l'|a|an|un|une)?\s*"
    r"(?:size|taille|colou?r|couleur|version|model|modèle|variant|option)?\s*",
    re.IGNORECASE,
)
_AND = re.compile(r"\s*(?:,|，|、|/|&|and|et|or|ou|和|或)\s*(?:the|le|la|les|l')?\s*", re.IGNORECASE)
ANCHORS = frozenset({
    ClaimKind.PRICE, ClaimKind.DISCOUNT, ClaimKind.STOCK, ClaimKind.IN_STOCK, ClaimKind.SOLD_OUT,
    ClaimKind.LOW_STOCK,
})


@dataclass(frozen=True, slots=True)
class Mention:
    """A product, or some of its variants, named at ``start:end``. Empty ``variants``: the product itself."""

    product: Product
    variants: tuple[Variant, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Scope:
    """What one claim speaks of: products, and per product the variants named (None: any of them)."""

    products: tuple[Product, ...]
    variants: tuple[tuple[Variant, ...] | None, ...]

    def pairs(self) -> list[tuple[Product, tuple[Variant, ...] | None]]:
        return list(zip(self.products, self.variants, strict=True))


def _word_re(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![A-Za-z0-9])" + re.escape(phrase) + r"(?![A-Za-z0-9])", re.IGNORECASE)


def product_mentions(text: str, products: Sequence[Product]) -> list[Mention]:
    """Titles named in ``text``; a title not found whole may be named by its longest run of 2+ words."""
    out: list[Mention] = []
    for p in products:
        words = re.findall(r"[\w'-]+", p.title)
        found = False
        for n in range(len(words), 0, -1):
            if n == 1 and (len(words) > 1 or len(words[0]) < 5):
                break
            for i in range(len(words) - n + 1):
                for m in _word_re(" ".join(words[i : i + n])).finditer(text):
                    out.append(Mention(p, (), m.start(), m.end()))
                    found = True
            if found:
                break
    return out


def option_values(v: Variant) -> tuple[str, ...]:
    """A variant's option values; a variant with none is known by the parts of its name ('Small / Blue')."""
    if v.options:
        return tuple(value for _, value in v.options)
    return tuple(part.strip() for part in v.name.split("/") if part.strip())


def variant_aliases(value: str) -> tuple[str, ...]:
    """How an option value may be said in EN/FR/ZH: 'Large' -> large, grand, grande, 大号..."""
    low = value.lower()
    return (low, *lx.SIZE_ALIASES.get(lx.size_label(value), ()), *lx.COLOUR_ALIASES.get(low, ()))


def variant_mentions(
    text: str, products: Sequence[Product], claims: Sequence[Claim], titles: Sequence[Mention]
) -> list[Mention]:
    """Option values named in ``text`` (not inside a title), plus size claims that name a variant's size."""
    out: list[Mention] = []
    for p in products:
        by_value: dict[str, list[Variant]] = {}
        for v in p.variants:
            for value in option_values(v):
                if value.lower() not in _DEFAULT_VALUES:
                    by_value.setdefault(value, []).append(v)
        for value, variants in by_value.items():
            for alias in variant_aliases(value):
                if len(alias) < 2:
                    continue
                for m in _word_re(alias).finditer(text):
                    if not any(t.start <= m.start() < t.end for t in titles):
                        out.append(Mention(p, tuple(variants), m.start(), m.end()))
            label = lx.size_label(value)
            for c in claims:
                if c.kind is ClaimKind.SIZE and c.unit == label:
                    out.append(Mention(p, tuple(variants), c.start, c.end))
    return sorted(out, key=lambda m: m.start)


def _attach(mentions: Sequence[Mention], claim: Claim, lo: int, hi: int, text: str) -> list[Mention]:
    after = [m for m in mentions if claim.end <= m.start < hi]
    if after and _CONNECT.fullmatch(text[claim.end : after[0].start]):
        chain = [after[0]]
        for m in after[1:]:
            if m.start >= chain[-1].end and _AND.fullmatch(text[chain[-1].end : m.start]):
                chain.append(m)
            elif m.start >= chain[-1].end:
                break
        return chain
    return [m for m in mentions if lo <= m.start and m.end <= claim.start]


def scope_of(
    claim: Claim, text: str, claims: Sequence[Claim], products: Sequence[Product],
    titles: Sequence[Mention], variants: Sequence[Mention],
) -> Scope:
    """The products and variants ``claim`` is about (the whole sentence's mentions when none is next to it)."""
    anchors = [c for c in claims if c.kind in ANCHORS and c is not claim]
    lo = max((c.end for c in anchors if c.end <= claim.start), default=0)
    hi = min((c.start for c in anchors if c.start >= claim.end), default=len(text))
    near_p = _attach(titles, claim, lo, hi, text) or list(titles)
    chosen = list(dict.fromkeys(m.product.id for m in near_p)) or [p.id for p in products]
    prods = [p for p in products if p.id in chosen]
    near_v = [m for m in _attach(variants, claim, lo, hi, text) if m.product.id in chosen]
    if not near_v:
        near_v = [m for m in variants if m.product.id in chosen]
    picked: list[tuple[Variant, ...] | None] = []
    for p in prods:
        vs = [v for m in near_v if m.product.id == p.id for v in m.variants]
        picked.append(tuple(dict.fromkeys(vs)) if vs else None)
    return Scope(tuple(prods), tuple(picked))
