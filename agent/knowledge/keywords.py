"""Keyword side of hybrid search: exact words the embedding blurs (SKUs, names, sizes, colours).

Latin text is folded (case, accents) and split into words, with a light plural strip; hyphenated codes such as
SKUs are kept whole as well. Chinese has no spaces, so CJK runs become single characters and bigrams.
Scoring is BM25-like with per-field weights (title and SKU count more than the description).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agent.language import HAN_CHARS
from agent.product import Product

_TOKEN = re.compile(rf"[{HAN_CHARS}]+|[a-z0-9]+(?:[-_./][a-z0-9]+)*")
_FIELD_WEIGHTS = {"title": 3.0, "sku": 3.0, "variant": 2.0, "tag": 1.5, "text": 1.0}


def fold(text: str) -> str:
    """Lower case without accents: 'Crème' -> 'creme'."""
    if text.isascii():
        return text.lower()
    nfkd = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in nfkd if not unicodedata.combining(c))


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Terms of ``text``: folded latin words (and whole codes), CJK characters and bigrams."""
    out: list[str] = []
    for tok in _TOKEN.findall(fold(text)):
        if "\u3400" <= tok[0] <= "\ufaff":
            out.extend(tok)
            out.extend(tok[i : i + 2] for i in range(len(tok) - 1))
            continue
        if tok.isalnum():
            out.append(_stem(tok))
            continue
        out.append(tok)
        out.extend(_stem(p) for p in re.split(r"[-_./]", tok) if p)
    return out


def _fields(p: Product) -> Iterable[tuple[str, str]]:
    yield "title", p.title
    yield "title", p.id.replace("-", " ")
    for v in p.variants:
        yield "variant", v.name
        if v.sku:
            yield "sku", v.sku
    for t in (*p.tags, p.category, p.vendor):
        if t:
            yield "tag", t
    for k, val in p.facts:
        yield "text", f"{k} {val}"
    if p.text:
        yield "text", p.text


def product_terms(p: Product) -> dict[str, float]:
    """Each term of the product with the weight of the strongest field it appears in."""
    weights: dict[str, float] = {}
    for field, text in _fields(p):
        w = _FIELD_WEIGHTS[field]
        for term in set(tokenize(text)):
            weights[term] = max(weights.get(term, 0.0), w) + (0.1 if field == "text" else 0.0)
    return weights


Posting = tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]
TermChange = tuple[dict[str, float], dict[str, float]]  # a product's terms before and after an edit


def _idf(n: int, df: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def _weights(raw: npt.NDArray[np.float32], idf: float) -> npt.NDArray[np.float32]:
    """BM25-style: the field weight saturates, the idf scales it."""
    return (raw / (raw + 1.2) * 2.2 * idf).astype(np.float32)


@dataclass(frozen=True, slots=True)
class KeywordIndex:
    """An inverted index: term -> (product rows, weights), with the idf already folded into the weights.

    Rows in a posting are ascending. The arrays are never written once built: an updated index shares the
    postings of every term the edit did not touch with the index it came from.
    """

    postings: dict[str, Posting]
    size: int

    @classmethod
    def build(
        cls, products: Sequence[Product], terms_of: Callable[[Product], dict[str, float]] | None = None
    ) -> KeywordIndex:
        """``terms_of`` may memoize :func:`product_terms`, so a re-sync only tokenizes changed products."""
        acc: dict[str, dict[int, float]] = defaultdict(dict)
        for row, p in enumerate(products):
            weights = terms_of(p) if terms_of is not None else product_terms(p)
            for term, w in weights.items():
                acc[term][row] = w
        n = max(1, len(products))
        postings: dict[str, Posting] = {}
        for term, rows in acc.items():
            idx = np.fromiter(rows.keys(), dtype=np.int32, count=len(rows))
            raw = np.fromiter(rows.values(), dtype=np.float32, count=len(rows))
            postings[term] = (idx, _weights(raw, _idf(n, len(rows))))
        return cls(postings, len(products))

    def updated(self, changes: Mapping[int, TermChange], terms_at: Callable[[int], dict[str, float]]) -> KeywordIndex:
        """The index after the products at some rows were edited (same rows, same count), equal to a full
        :meth:`build` over the edited products. ``changes``: row -> (old terms, new terms); ``terms_at``: the
        current terms of any row. Only terms whose weight changed in an edited product are touched: if the
        same products still carry the term, the idf holds and only the edited weights are rewritten;
        otherwise its posting is rebuilt (its idf changed)."""
        n = max(1, self.size)
        touched: dict[str, list[int]] = defaultdict(list)
        for row in sorted(changes):
            old, new = changes[row]
            for term in old.keys() | new.keys():
                if old.get(term) != new.get(term):
                    touched[term].append(row)
        postings = dict(self.postings)
        for term, rows in touched.items():
            joined = [r for r in rows if term not in changes[r][0]]
            left = [r for r in rows if term not in changes[r][1]]
            idx, vals = self.postings.get(term, (np.zeros(0, np.int32), np.zeros(0, np.float32)))
            if not joined and not left:
                vals = vals.copy()
                raw = np.array([changes[r][1][term] for r in rows], dtype=np.float32)
                vals[np.searchsorted(idx, rows)] = _weights(raw, _idf(n, idx.size))
                postings[term] = (idx, vals)
                continue
            members = sorted(set(idx.tolist()).difference(left).union(joined))
            if not members:
                del postings[term]
                continue
            raw = np.array([terms_at(r)[term] for r in members], dtype=np.float32)
            postings[term] = (np.array(members, dtype=np.int32), _weights(raw, _idf(n, len(members))))
        return KeywordIndex(postings, self.size)

    def scores(self, terms: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros(self.size, dtype=np.float32)
        for term in set(terms):
            hit = self.postings.get(term)
            if hit is not None:
                np.add.at(out, hit[0], hit[1])
        return out

    def __contains__(self, term: object) -> bool:
        return term in self.postings
