"""Product words across French, English and Chinese by meaning, for a question in another language.

A French question about an English or a Chinese catalog shares no keyword with it ("la litière" and "Tofu Cat
Litter", "le cuiseur à riz" and "电饭煲"), and the whole question's vector rarely lands close enough to the right
sheet to count as sold here. Word by word the multilingual embedder does better: "litière" is at 0.93 from
"litter", "cuiseur à riz" at 0.93 from "rice cooker", while function words and verbs stay further from any
product's name. So the bridge embeds the words that name the catalog's products once per sync (runs of one to
three words of titles, categories and tags; for a Chinese catalog the dictionary's English senses of the
Chinese words its titles use, which lead back to those words), and a question in another language gets, for
each run of its own words, the closest name when it is close enough and closer than the next
(``bridge_min_cosine``, ``bridge_min_margin``: chosen on the development shops). Like the dictionary it only
adds keyword evidence: the sold-here thresholds still decide, and "do you sell X?" still needs X's meaning.
Chinese questions are left to the dictionary (their words need cutting first).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from agent.knowledge.dictionary import Dictionary
from agent.knowledge.keywords import fold
from agent.knowledge.reference import NAMELESS as _STOP
from agent.language import detect_language, majority_language
from agent.ports import Vector
from agent.product import Product
from agent.vectors import QueryCache

_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
MAX_RUN = 3  # words in a run: "cuiseur a riz", "sleeping bag"
MAX_NAMES = 4000  # name runs embedded for one catalog

Vectorize = Callable[[Sequence[str]], Vector]


def runs(text: str) -> list[str]:
    """Runs of one to three words that start and end with a word naming something: "le cuiseur à riz 5L" ->
    ["cuiseur", "cuiseur a riz", "riz"]."""
    words = _WORD.findall(fold(text))
    out: list[str] = []
    for i in range(len(words)):
        for n in range(1, MAX_RUN + 1):
            run = words[i : i + n]
            if len(run) < n or run[0] in _STOP or run[-1] in _STOP or (n == 1 and len(run[0]) < 3):
                continue
            out.append(" ".join(run))
    return list(dict.fromkeys(out))


class WordBridge:
    """``expand(question)``: the catalog's name words closest to the question's own, or [] when the question
    is in the catalog's language (or Chinese)."""

    def __init__(self, language: str, names: Sequence[str], words: Sequence[tuple[str, ...]], vectors: Vector,
                 embed: Vectorize, *, min_cosine: float, min_margin: float) -> None:
        self.language = language
        self.names = list(names)
        self.words = list(words)
        self.vectors = np.asarray(vectors, dtype=np.float32).reshape(len(self.names), -1)
        self.min_cosine = min_cosine
        self.min_margin = min_margin
        self._embed = embed
        self._seen = QueryCache(2048)

    def __len__(self) -> int:
        return len(self.names)

    @classmethod
    def for_catalog(cls, products: Sequence[Product], dictionary: Dictionary | None, names_vectors: Vectorize,
                    embed: Vectorize, *, min_cosine: float, min_margin: float) -> WordBridge | None:
        """The bridge for ``products``: their name runs embedded with ``names_vectors`` (cached phrase vectors),
        questions' runs with ``embed``. None when nothing names a product (or a Chinese catalog without the
        dictionary, whose English senses are its names)."""
        language = majority_language([p.title + " " + p.text[:80] for p in products[:200]])
        named = [" ".join([p.title, p.category, *p.tags]) for p in products]
        by_name: dict[str, tuple[str, ...]] = {}
        if language == "zh":
            if dictionary is None or not dictionary.catalog_han:
                return None
            text = "\n".join(named)
            for sense, heads in dictionary.en_zh.items():
                kept = tuple(h for h in heads if h in text)
                if kept:
                    by_name[sense] = kept
        else:
            counts = Counter(run for line in named for run in runs(line))
            # a big catalog: its single words first, then the runs most products share (each name costs ~5-10 ms
            # to embed once; the vectors are kept on disk)
            for run, _ in sorted(counts.items(), key=lambda rc: (rc[0].count(" "), -rc[1]))[:MAX_NAMES]:
                by_name[run] = (run,)
        if not by_name:
            return None
        names = sorted(by_name)
        return cls(language, names, [by_name[n] for n in names], names_vectors(names), embed,
                   min_cosine=min_cosine, min_margin=min_margin)

    def applies(self, question: str) -> bool:
        """Is ``question`` one the bridge looks at: in French or English, not the catalog's language?"""
        return detect_language(question, self.language) not in (self.language, "zh")

    def expand(self, question: str) -> list[str]:
        if not self.applies(question):
            return []
        asked = runs(question)
        if not asked:
            return []
        sims = self._vectors(asked) @ self.vectors.T
        out: list[str] = []
        for row in sims:
            order = np.argsort(-row)[:2]
            best = float(row[order[0]])
            second = float(row[order[1]]) if order.size > 1 else 0.0
            if best >= self.min_cosine and best - second >= self.min_margin:
                out.extend(w for w in self.words[int(order[0])] if w not in out)
        return out

    def _vectors(self, texts: Sequence[str]) -> Vector:
        rows: list[Vector | None] = [self._seen.get(t) for t in texts]
        missing = [t for t, r in zip(texts, rows, strict=True) if r is None]
        if missing:
            fresh = dict(zip(missing, self._embed(missing), strict=True))
            for t, v in fresh.items():
                self._seen.put(t, v)
            rows = [fresh[t] if r is None else r for t, r in zip(texts, rows, strict=True)]
        return np.vstack([np.asarray(r, dtype=np.float32) for r in rows])
