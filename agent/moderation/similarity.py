"""Paraphrase matching against each topic's example phrases, cheap enough to run on every comment.

An embedding model costs ~40 ms a query; this costs microseconds. Each text becomes a set of character
n-grams (3-grams of the folded text, 2-grams of its Han characters); an inverted index finds the
examples that share grams, and the cosine of the two sets decides. It catches reorderings, inserted filler
words and small rewordings of an example, not synonyms: moderators add example phrases to widen it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

from agent.moderation.normalize import Normalizer, Views

MIN_GRAMS = 4


def grams(v: Views) -> frozenset[str]:
    """Trigrams of the folded text (shared with the pattern gates), plus Han bigrams for Chinese."""
    han = v.han
    if not han:
        return v.tri
    return v.tri.union([han[i : i + 2] for i in range(len(han) - 1)])


@dataclass(frozen=True, slots=True)
class Similar:
    topic: str
    example: str
    score: float


class ExampleIndex:
    """Inverted index over example phrases; :meth:`best` returns the closest one above ``threshold``."""

    def __init__(self, examples: Iterable[tuple[str, str]], normalizer: Normalizer, threshold: float) -> None:
        self.threshold = threshold
        self._items: list[tuple[str, str, int]] = []
        self._index: dict[str, list[int]] = {}
        for topic, text in examples:
            g = grams(normalizer.views(text))
            if len(g) < MIN_GRAMS:
                continue
            idx = len(self._items)
            self._items.append((topic, text, len(g)))
            for gram in g:
                self._index.setdefault(gram, []).append(idx)
        self._known = frozenset(self._index)
        self._min_m = min((m for _, _, m in self._items), default=0)

    def __len__(self) -> int:
        return len(self._items)

    def best(self, v: Views) -> Similar | None:
        if not self._items:
            return None
        g = grams(v)
        n = len(g)
        if n < MIN_GRAMS:
            return None
        # Shared-gram prefilter: the cosine c / sqrt(n * m) reaches the threshold only with c >= threshold *
        # sqrt(n * m) grams in common, so below that bound for the smallest example (m = _min_m) nothing can
        # match; the margin keeps the test exact under floating-point rounding.
        low = self.threshold * math.sqrt(n * self._min_m) * (1.0 - 1e-9)
        if len(self._known & g) < low:
            return None
        # Counted in the text's gram order, as before, so that ties between examples resolve the same way.
        counts = Counter(chain.from_iterable(filter(None, map(self._index.get, g))))
        best: Similar | None = None
        best_score = self.threshold
        for idx, c in counts.items():
            if c < low:  # hopeless whatever the example's size: skip before any arithmetic
                continue
            topic, text, m = self._items[idx]
            score = c / math.sqrt(n * m)
            if score >= best_score:
                best_score = score
                best = Similar(topic, text, round(score, 3))
        return best
