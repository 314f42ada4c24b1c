"""Run many regexes cheaply: each one only when a literal it cannot match without is in the text.

A Python regex that does not start with a literal steps through every position of the text (~3 µs on a
chat line); sixty of them blow the per-event budget. Most never can match: "\\bbet on the (match|game)"
needs " on the " to be there. :func:`required` reads the regex's parse tree and returns a set of literals
at least one of which every match contains (or a digit marker, or None when nothing is certain), and
:class:`GatedPatterns` runs a regex only when its gate opens — a few ``in`` tests instead of a scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812
from re import _parser as P  # type: ignore[attr-defined]  # noqa: N812
from typing import Any

DIGIT = "\x00digit"
_DIGITS = re.compile(r"\d")


def required(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """Literals (lowercased) of which every match of ``pattern`` contains one; None if none is certain."""
    try:
        tree = P.parse(pattern, flags)
    except re.error:
        return None
    return _seq(list(tree))


def _score(req: frozenset[str]) -> tuple[int, int]:
    shortest = min((1 if s == DIGIT else len(s)) for s in req)
    return (min(shortest, 4), -len(req))


def _seq(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def close() -> None:
        if run:
            candidates.append(frozenset({"".join(run).lower()}))
            run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        close()
        req = _node(op, av)
        if req is not None:
            candidates.append(req)
    close()
    if not candidates:
        return None
    return max(candidates, key=_score)


def _node(op: Any, av: Any) -> frozenset[str] | None:
    if op is C.SUBPATTERN:
        return _seq(list(av[-1]))
    if op is C.ATOMIC_GROUP:
        return _seq(list(av))
    if op is C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            req = _seq(list(alt))
            if req is None:
                return None
            out |= req
        return frozenset(out)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, _hi, sub = av
        return _seq(list(sub)) if lo >= 1 else None
    if op is C.IN and any(o is C.CATEGORY and a is C.CATEGORY_DIGIT for o, a in av):
        return frozenset({DIGIT})
    return None


def trigrams(text: str) -> frozenset[str]:
    return frozenset([text[i : i + 3] for i in range(len(text) - 2)])


@dataclass(frozen=True, slots=True)
class _Gated:
    gate: frozenset[str] | None
    rx: re.Pattern[str]
    label: str


class GatedPatterns:
    """Patterns with their gates; :meth:`finditer` yields (label, match) for patterns whose gate opens.

    Gate literals are indexed by their first three characters: the text's trigram set intersected with
    that index (in C) finds the few literals worth an ``in`` test, whatever the number of patterns.
    """

    def __init__(self, patterns: Iterable[tuple[re.Pattern[str], str]]) -> None:
        self._items = tuple(_Gated(required(p.pattern, p.flags), p, label) for p, label in patterns)
        self._always: list[int] = []
        self._digit: list[int] = []
        self._by_lit: dict[str, list[int]] = {}
        for i, item in enumerate(self._items):
            if item.gate is None:
                self._always.append(i)
                continue
            for lit in item.gate:
                if lit == DIGIT:
                    self._digit.append(i)
                else:
                    self._by_lit.setdefault(lit, []).append(i)
        self._short = tuple(lit for lit in self._by_lit if len(lit) < 3)
        self._tri: dict[str, list[str]] = {}
        for lit in self._by_lit:
            if len(lit) >= 3:
                self._tri.setdefault(lit[:3], []).append(lit)
        self._tri_keys = frozenset(self._tri)  # set & set walks the smaller side (the text's, usually)

    def __len__(self) -> int:
        return len(self._items)

    def search(self, text: str, tri: frozenset[str] | None = None) -> tuple[str, re.Match[str]] | None:
        for m in self.finditer(text, tri):
            return m
        return None

    def _opened(self, text: str, tri: frozenset[str] | None) -> list[int]:
        found: set[int] = set(self._always)
        by_lit = self._by_lit
        for lit in self._short:
            if lit in text:
                found.update(by_lit[lit])
        if self._tri:
            if tri is None:
                tri = trigrams(text)
            keys = self._tri_keys & tri
            if keys:
                by_tri = self._tri
                for key in keys:
                    for lit in by_tri[key]:
                        if lit in text:
                            found.update(by_lit[lit])
        if self._digit and _DIGITS.search(text) is not None:
            found.update(self._digit)
        if len(found) > 1:
            return sorted(found)
        return list(found)

    def finditer(self, text: str, tri: frozenset[str] | None = None) -> Iterable[tuple[str, re.Match[str]]]:
        """``tri``: the text's :func:`trigrams`, when the caller already has them."""
        for i in self._opened(text, tri):
            item = self._items[i]
            for m in item.rx.finditer(text):
                yield item.label, m
