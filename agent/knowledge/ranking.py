"""Hybrid ranking over an immutable in-memory snapshot: dense cosine + keywords, fused by reciprocal rank.

Reciprocal rank fusion needs no score calibration between the two signals, which matters because e5
cosines sit in a narrow band (0.75-0.9) while keyword scores are unbounded. The snapshot is swapped whole on
sync, so a search never sees a half-updated index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agent.knowledge.keywords import KeywordIndex, tokenize
from agent.knowledge.reference import FUNCTION_WORDS_FR, GENERIC_TERMS, names_a_product
from agent.ports import Hit
from agent.product import Product

RRF_K = 60.0
W_DENSE = 1.0
W_KEYWORD = 1.0
W_KEYWORD_SCORE = 0.5
W_ON_SCREEN = 0.5  # a nudge when the question names something: "in blue?" most likely means the one shown
# ...but only when the one shown matches the question's words about as well as the best match does: "how much
# is the rattan lamp?" asked while the oak table is on screen is about the lamp.
ON_SCREEN_MIN_KEYWORD_SHARE = 0.75
SNIPPET_CHARS = 200


@dataclass(frozen=True, slots=True)
class Snapshot:
    products: tuple[Product, ...]
    matrix: npt.NDArray[np.float32]  # (n, dim), unit rows, same order as products
    keywords: KeywordIndex
    rows: dict[str, int]

    @classmethod
    def build(
        cls,
        products: Sequence[Product],
        vectors: npt.NDArray[np.float32],
        terms_of: Callable[[Product], dict[str, float]] | None = None,
    ) -> Snapshot:
        return cls(
            products=tuple(products),
            matrix=np.ascontiguousarray(vectors, dtype=np.float32),
            keywords=KeywordIndex.build(products, terms_of),
            rows={p.id: i for i, p in enumerate(products)},
        )

    def updated(
        self,
        changes: Mapping[int, tuple[Product, npt.NDArray[np.float32]]],
        terms_of: Callable[[Product], dict[str, float]],
    ) -> Snapshot:
        """A new snapshot with the products (and vectors) at some rows replaced, ids and order unchanged.

        Equal to :meth:`build` over the edited list, at the cost of the edit: one matrix copy (searches may be
        reading this snapshot) and the postings of the terms the edited products gained, lost or reweighted.
        ``terms_of`` must still give the old terms of an old product when asked before the new one's.
        """
        products = list(self.products)
        matrix = self.matrix.copy()
        term_changes = {}
        for row, (product, vector) in changes.items():
            if product.id != products[row].id:
                raise ValueError(f"row {row}: {product.id!r} replaces {products[row].id!r}; rebuild instead")
            term_changes[row] = (terms_of(products[row]), terms_of(product))
            products[row] = product
            matrix[row] = vector
        keywords = self.keywords.updated(term_changes, lambda r: terms_of(products[r]))
        return Snapshot(tuple(products), matrix, keywords, self.rows)

    @property
    def size(self) -> int:
        return len(self.products)


_DROPPED = GENERIC_TERMS | frozenset(tokenize(" ".join(sorted(FUNCTION_WORDS_FR))))  # as the keyword side spells them


def query_terms(query: str, extra: Sequence[str] = ()) -> list[str]:
    """Keyword terms of the question plus ``extra`` words (glossary translations), generic words dropped, and
    French function words ("My son is allergic" shares "son" with a French sheet, not a product)."""
    text = " ".join([query, *extra])
    return [t for t in tokenize(text) if t not in _DROPPED]


def rank(
    snap: Snapshot,
    query: str,
    qvec: npt.NDArray[np.float32],
    k: int,
    on_screen: str | None = None,
    extra_terms: Sequence[str] = (),
) -> list[Hit]:
    n = snap.size
    if n == 0 or k <= 0:
        return []
    depth = min(n, max(50, k * 10))
    fused = np.zeros(n, dtype=np.float64)
    dense = snap.matrix @ qvec
    _add_ranks(fused, _top(dense, depth), W_DENSE)
    terms = query_terms(query, extra_terms)
    kw = np.zeros(n, dtype=np.float32)
    if terms:
        kw = snap.keywords.scores(terms)
        hits = np.flatnonzero(kw > 0)
        if hits.size:
            _add_ranks(fused, hits[_top(kw[hits], depth)], W_KEYWORD)
            # Ranks alone tie a product matching one query word with one matching them all: reward matching more.
            fused += W_KEYWORD_SCORE * (kw / kw.max()) / (RRF_K + 1)
    row = snap.rows.get(on_screen) if on_screen else None
    resolved = False
    if row is not None:
        if names_a_product(query):
            # a product named in words the catalog does not share ("这个马克杯套装" for an English catalog) gives
            # no keyword evidence that the one on screen is meant: no nudge then
            top_kw = float(kw.max())
            if top_kw > 0 and kw[row] >= ON_SCREEN_MIN_KEYWORD_SHARE * top_kw:
                fused[row] += W_ON_SCREEN / (RRF_K + 1)
        else:
            fused[row] = fused.max() + 1.0 / RRF_K
            resolved = True
    best = _top(fused, min(k, n))
    scale = (W_DENSE + W_KEYWORD + W_KEYWORD_SCORE) / (RRF_K + 1)
    return [
        Hit(snap.products[i], round(min(1.0, float(fused[i]) / scale), 4), snippet(snap.products[i], terms),
            dense=round(float(dense[i]), 4), keyword=round(float(kw[i]), 3), on_screen=resolved and i == row)
        for i in best
        if fused[i] > 0
    ]


def _top(scores: npt.NDArray[np.floating], m: int) -> npt.NDArray[np.intp]:
    """Indices of the ``m`` largest scores, best first (argpartition: O(n), not a full sort)."""
    if m >= scores.size:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, m - 1)[:m]
    return part[np.argsort(-scores[part], kind="stable")]


def _add_ranks(fused: npt.NDArray[np.float64], order: npt.NDArray[np.intp], weight: float) -> None:
    fused[order] += weight / (RRF_K + 1.0 + np.arange(order.size))


def snippet(p: Product, terms: Sequence[str]) -> str:
    """The sheet line sharing most terms with the question, else the first line of the description."""
    lines = [ln for ln in p.sheet().splitlines()[1:] if ln.strip()]
    wanted = set(terms)
    best, best_n = "", 0
    for ln in lines:
        hits = len(wanted.intersection(tokenize(ln)))
        if hits > best_n:
            best, best_n = ln, hits
    if not best:
        best = p.text.splitlines()[0] if p.text else (lines[0] if lines else p.title)
    return best if len(best) <= SNIPPET_CHARS else best[: SNIPPET_CHARS - 1].rstrip() + "…"
