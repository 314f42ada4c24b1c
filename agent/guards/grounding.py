"""The grounding guard: a sentence goes on air only if every fact it states is on a retrieved product sheet.

The LLM invents numbers (a sheet saying 39 EUR, a reply saying 58 EUR) and a wrong price on air is a legal
problem, so the rule is strict: a claim the sheets cannot confirm is a violation, and a sentence with any
violation is not spoken. Each violation carries a stable machine-readable ``code``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.guards.claims import Claim, ClaimKind, extract_claims
from agent.guards.lexicon import size_label
from agent.guards.numbers import NumberForm, find_numbers
from agent.guards.scope import Scope, option_values, product_mentions, scope_of, variant_mentions
from agent.product import Product, Variant


@dataclass(frozen=True, slots=True)
class Violation:
    """``code`` is for machines (logs, metrics, tests); ``detail`` says what the sheet holds instead."""

    code: str
    claim: Claim
    detail: str = ""


@dataclass(frozen=True, slots=True)
class GuardResult:
    """``reason`` is 'ok' or the first violation's code; ``violations`` lists them all."""

    ok: bool
    reason: str
    claims: tuple[Claim, ...]
    violations: tuple[Violation, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.code for v in self.violations))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "reason": self.reason,
            "claims": [{"kind": c.kind.value, "span": c.span, "value": c.value, "unit": c.unit} for c in self.claims],
            "violations": [{"code": v.code, "span": v.claim.span, "detail": v.detail} for v in self.violations],
        }


@dataclass(frozen=True, slots=True)
class _Evidence:
    """What one sheet supports beyond its structured fields: numbers and claims in its own text."""

    numbers: frozenset[float]
    claims: tuple[Claim, ...]


def _evidence(p: Product) -> _Evidence:
    """Numbers and claims in the sheet's free text (title, description, facts, tags, SKUs) and fields."""
    free = "\n".join(
        [p.title, p.text, *(f"{k}: {v}" for k, v in p.facts), *p.tags, *(v.sku for v in p.variants)]
    )
    nums = {round(n.value, 2) for n in find_numbers(free) if n.form is NumberForm.ARABIC}
    nums.update(round(x, 2) for x in p.prices)
    nums.update(s for s in (p.total_stock, *(v.stock for v in p.variants)) if s is not None)
    return _Evidence(frozenset(nums), extract_claims(free))


def _close(a: float, b: float | None, tol: float) -> bool:
    return b is not None and abs(a - b) <= tol


def _ends(c: Claim) -> tuple[float, ...]:
    assert c.value is not None
    return (c.value,) if c.upper is None else (c.value, c.upper)


@dataclass(frozen=True, slots=True)
class GroundingGuard:
    """Checks one sentence against the retrieved products. Pure and fast (well under a millisecond).

    ``price_tolerance``: rounding to cents only, so 59.99 said as 60 fails. ``discount_tolerance``: percentage
    points. ``low_stock_max``: the most units 'almost sold out' may describe.
    """

    price_tolerance: float = 0.006
    discount_tolerance: float = 1.0
    low_stock_max: int = 5
    cache_size: int = 256
    _cache: dict[Product, _Evidence] = field(default_factory=dict, init=False, repr=False, compare=False)

    def check(self, sentence: str, products: Sequence[Product], language: str = "en") -> GuardResult:
        """Every claim in ``sentence`` must hold for the products it speaks of. ``language`` is a hint only."""
        claims = extract_claims(sentence)
        if not claims:
            return GuardResult(True, "ok", (), ())
        evidence = {p.id: self._evidence(p) for p in products}
        titles = product_mentions(sentence, products)
        variants = variant_mentions(sentence, products, claims, titles)
        violations: list[Violation] = []
        for c in claims:
            if c.kind is ClaimKind.MEDICAL:
                violations.append(Violation("medical_claim", c, "health claims are never allowed"))
                continue
            if not products:
                violations.append(Violation("no_facts", c, "no product sheet to check against"))
                continue
            scope = scope_of(c, sentence, claims, products, titles, variants)
            v = self._check(c, scope, [evidence[p.id] for p in scope.products], list(evidence.values()))
            if v is not None:
                violations.append(v)
        reason = violations[0].code if violations else "ok"
        return GuardResult(not violations, reason, claims, tuple(violations))

    def _evidence(self, p: Product) -> _Evidence:
        """Sheets change rarely and are checked every sentence: keep their evidence, bounded."""
        try:
            return self._cache[p]
        except (KeyError, TypeError):
            pass
        ev = _evidence(p)
        if len(self._cache) >= self.cache_size:
            self._cache.clear()
        try:
            self._cache[p] = ev
        except TypeError:  # an unhashable product (a list in facts): just don't cache it
            pass
        return ev

    def _check(self, c: Claim, scope: Scope, ev: list[_Evidence], all_ev: list[_Evidence]) -> Violation | None:
        k = c.kind
        if k is ClaimKind.PRICE:
            return self._price(c, scope)
        if k is ClaimKind.DISCOUNT:
            return self._discount(c, scope)
        if k in (ClaimKind.STOCK, ClaimKind.IN_STOCK, ClaimKind.SOLD_OUT, ClaimKind.LOW_STOCK):
            return self._stock(c, scope)
        if k is ClaimKind.SIZE:
            return _size(c, scope, ev)
        if k is ClaimKind.COUNT:
            return _count(c, scope, ev)
        if k is ClaimKind.PERCENT:
            if self._discount(c, scope) is None or _said(c, all_ev, ClaimKind.PERCENT):
                return None
            return Violation("percent_unsupported", c, "no sheet states this percentage")
        if k in (ClaimKind.SHIPPING, ClaimKind.DURATION):
            return _delay(c, all_ev)
        if k is ClaimKind.DATE:
            if any(s.kind is ClaimKind.DATE and s.unit == c.unit for e in all_ev for s in e.claims):
                return None
            return Violation("date_unsupported", c, "no sheet states this date")
        if k is ClaimKind.NUMBER:
            assert c.value is not None
            if any(_close(c.value, n, 0.001) for e in all_ev for n in e.numbers):
                return None
            return Violation("number_unsupported", c, "no sheet contains this number")
        return _phrase(c, all_ev)

    def _price(self, c: Claim, scope: Scope) -> Violation | None:
        wrong = [p for p in scope.products if c.unit and c.unit != p.currency.upper()]
        if wrong and len(wrong) == len(scope.products):
            return Violation("currency_mismatch", c, f"sheet currency is {wrong[0].currency}")
        allowed: list[float] = []
        others: list[float] = []
        for p, vs in scope.pairs():
            chosen = vs if vs is not None else (*p.variants, None)
            for v in chosen:
                allowed += _price_values(p, v, c.qualifier)
            if vs is not None:
                others += [x for v in p.variants if v not in vs for x in _price_values(p, v, c.qualifier)]
        if all(any(_close(x, a, self.price_tolerance) for a in allowed) for x in _ends(c)):
            return None
        code = {"was": "compare_at_mismatch", "saving": "saving_mismatch"}.get(c.qualifier, "price_mismatch")
        if any(any(_close(x, o, self.price_tolerance) for o in others) for x in _ends(c)):
            code = "variant_mismatch"
        return Violation(code, c, "sheet says " + (", ".join(_fmt(a) for a in sorted(set(allowed))) or "nothing"))

    def _discount(self, c: Claim, scope: Scope) -> Violation | None:
        actual: list[float] = []
        for p, vs in scope.pairs():
            for v in vs if vs is not None else (*p.variants, None):
                price, was = (p.price, p.compare_at) if v is None else (v.price, v.compare_at)
                if price is not None and was and was > price:
                    actual.append((was - price) / was * 100)
        if not actual:
            return Violation("no_discount", c, "no compare-at price above the price")
        if all(any(abs(x - a) <= self.discount_tolerance for a in actual) for x in _ends(c)):
            return None
        return Violation("discount_mismatch", c, "sheet discount " + ", ".join(f"{a:.1f}%" for a in actual))

    def _stock(self, c: Claim, scope: Scope) -> Violation | None:
        stocks: list[int | None] = []
        for p, vs in scope.pairs():
            stocks += [p.total_stock] if vs is None else [v.stock for v in vs]
        if not stocks or any(s is None for s in stocks):
            return Violation("stock_unknown", c, "the sheet has no stock level")
        known = [s for s in stocks if s is not None]
        ok = {
            ClaimKind.STOCK: lambda: all(any(_close(x, s, 0.001) for s in known) for x in _ends(c)),
            ClaimKind.IN_STOCK: lambda: all(s > 0 for s in known),
            ClaimKind.SOLD_OUT: lambda: all(s == 0 for s in known),
            ClaimKind.LOW_STOCK: lambda: all(0 < s <= self.low_stock_max for s in known),
        }[c.kind]()
        if ok:
            return None
        code = "out_of_stock" if c.kind is ClaimKind.IN_STOCK else "stock_mismatch"
        return Violation(code, c, "sheet stock " + ", ".join(str(s) for s in known))


def _price_values(p: Product, v: Variant | None, qualifier: str) -> list[float]:
    price = p.price if v is None or v.price is None else v.price
    was = p.compare_at if v is None or v.compare_at is None else v.compare_at
    if qualifier == "was":
        return [was] if was is not None else []
    if qualifier == "saving":
        return [round(was - price, 2)] if was is not None and price is not None and was > price else []
    return [price] if price is not None else []


def _fmt(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.2f}"


def _said(c: Claim, ev: list[_Evidence], *kinds: ClaimKind) -> bool:
    return any(
        s.kind in kinds and s.value is not None and c.value is not None and abs(s.value - c.value) < 0.01
        for e in ev for s in e.claims
    )


def _size(c: Claim, scope: Scope, ev: list[_Evidence]) -> Violation | None:
    labels = {size_label(x) for p in scope.products for v in p.variants for x in option_values(v)}
    labels.update(s.unit for e in ev for s in e.claims if s.kind is ClaimKind.SIZE)
    if c.unit in labels:
        return None
    return Violation("size_unavailable", c, "sizes on the sheet: " + (", ".join(sorted(labels)) or "none"))


def _count(c: Claim, scope: Scope, ev: list[_Evidence]) -> Violation | None:
    counts: set[float] = set()
    for p in scope.products:
        counts.add(float(len(p.variants)))
        names = {name for v in p.variants for name, _ in v.options}
        counts.update(len({val for v in p.variants for n, val in v.options if n == name}) for name in names)
    counts.update(s.value for e in ev for s in e.claims if s.kind is ClaimKind.COUNT and s.value is not None)
    if c.value in counts:
        return None
    return Violation("count_mismatch", c, "the sheet lists another number of options")


def _delay(c: Claim, ev: list[_Evidence]) -> Violation | None:
    said = [s for e in ev for s in e.claims if s.kind in (ClaimKind.SHIPPING, ClaimKind.DURATION)]
    hours = c.hours
    if hours is None:
        if any(s.unit == c.unit for s in said):
            return None
    elif any(s.hours is not None and all(abs(a - b) < 0.01 for a, b in zip(s.hours, hours, strict=True))
             for s in said):
        return None
    code = "shipping_unsupported" if c.kind is ClaimKind.SHIPPING else "duration_unsupported"
    return Violation(code, c, "no sheet states this delay")


def _phrase(c: Claim, ev: list[_Evidence]) -> Violation | None:
    """Superlatives, guarantees and 'free' need the same claim on a sheet (any guarantee backs 'guaranteed')."""
    for e in ev:
        for s in e.claims:
            if s.kind is c.kind and (s.unit == c.unit or (c.unit == "guarantee" and s.kind is ClaimKind.GUARANTEE)):
                return None
    return Violation(f"{c.kind.value}_unsupported", c, f"no sheet says '{c.unit}'")
