"""Nearest exemplar by meaning, in any language: the second, semantic look at a comment.

Word lists see spellings; they miss "I no longer want to be alive" when the list says "I want to die". Here
each label (a banned topic, an injection, an off-scope kind, an attribute asked...) is a set of exemplar
phrases in English, French and Chinese, embedded once by the multilingual model; a text's vector is compared
with all of them in one matrix product (~0.2 ms for 3,000 exemplars).

Small multilingual models put every sentence fairly close to every other (cosines of 0.75-0.9 for anything),
so raw cosines decide badly. Two things make them usable: the exemplars' mean vector is subtracted first
(what all chat shares), and a label counts by its *margin* over the nearest negative exemplar (phrases that
look close but are fine: counter-speech, shop questions, "killer deal"). The thresholds on that margin are
chosen on a development set (``bench/calibrate.py``), never on the exemplars themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from agent.moderation.matcher import Match
from agent.moderation.topics import Topic
from agent.ports import Vector
from agent.vectors import PhraseVectors


@dataclass(frozen=True, slots=True)
class Nearest:
    """The closest label: its best exemplar, the (centred) cosine, and the margin over the negatives."""

    label: str
    example: str
    score: float
    margin: float


class SemanticIndex:
    """Labelled exemplars and negatives, centred and stacked once; immutable after construction.

    ``k``: a label's score is the mean of its ``k`` best cosines (1: the nearest exemplar).
    """

    def __init__(
        self,
        labelled: Sequence[tuple[str, str]],
        negatives: Sequence[str],
        vectors: PhraseVectors,
        *,
        k: int = 1,
    ) -> None:
        self.k = max(1, k)
        self.labels = tuple(dict.fromkeys(label for label, _ in labelled))
        self._examples = [text for _, text in labelled]
        texts = self._examples + list(negatives)
        dim = vectors.embedder.dim
        raw = vectors.vectors(texts) if texts else np.zeros((0, dim), dtype=np.float32)
        self._mean = raw.mean(axis=0) if len(raw) else np.zeros(dim, dtype=np.float32)
        matrix = _unit(raw - self._mean)
        n = len(self._examples)
        self._matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self._negatives = slice(n, len(texts))
        self._rows = {lab: np.array([i for i, (la, _) in enumerate(labelled) if la == lab], dtype=np.intp)
                      for lab in self.labels}

    def __len__(self) -> int:
        return len(self._examples)

    def center(self, vec: Vector) -> Vector:
        """A text's vector in the index's centred space (unit length)."""
        centred: Vector = _unit(np.asarray(vec, dtype=np.float32)[None, :] - self._mean)[0]
        return centred

    def scores(self, vec: Vector) -> dict[str, Nearest]:
        """Every label's score and margin for one (raw, unit) text vector."""
        if not self.labels:
            return {}
        sims = self._matrix @ self.center(vec)
        neg = self._top(sims[self._negatives])
        out = {}
        for label, rows in self._rows.items():
            s = sims[rows]
            best = int(rows[int(np.argmax(s))])
            score = self._top(s)
            out[label] = Nearest(label, self._examples[best], round(score, 4), round(score - neg, 4))
        return out

    def nearest(self, vec: Vector, thresholds: Mapping[str, float] | None = None,
                default: float = 0.0) -> Nearest | None:
        """The label with the largest margin among those whose margin reaches their threshold, else None."""
        best: Nearest | None = None
        for n in self.scores(vec).values():
            limit = default if thresholds is None else thresholds.get(n.label, default)
            if n.margin >= limit and (best is None or n.margin > best.margin):
                best = n
        return best

    def _top(self, sims: np.ndarray) -> float:
        if sims.size == 0:
            return -1.0
        if self.k == 1 or sims.size == 1:
            return float(sims.max())
        k = min(self.k, sims.size)
        return float(np.partition(sims, -k)[-k:].mean())


def _unit(m: np.ndarray) -> Vector:
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    return np.asarray(m / np.where(norms > 0, norms, 1.0), dtype=np.float32)


class TopicMeaning:
    """The semantic layer over one version of the topic files.

    Every blocking topic's ``examples`` are its exemplars; the ``allowed`` category's examples, every topic's
    ``allow`` phrases and ``negatives`` (ordinary shop questions, passed in by the composition root) are the
    negatives. A topic matches when its margin reaches its ``embedding_threshold`` (else ``default``).
    """

    def __init__(self, topics: Sequence[Topic], vectors: PhraseVectors, *, negatives: Sequence[str] = (),
                 default: float = 0.15, k: int = 3) -> None:
        blocking = [t for t in topics if t.blocks and t.examples]
        labelled = [(t.name, text) for t in blocking for _, text in t.examples]
        negs = [text for t in topics if not t.blocks for _, text in t.examples]
        negs += [text for t in topics for _, text in t.allow if len(text) >= 6]
        negs += list(negatives)
        self.index = SemanticIndex(labelled, list(dict.fromkeys(negs)), vectors, k=k)
        self.default = default
        self.thresholds = {t.name: t.embedding_threshold for t in blocking if t.embedding_threshold is not None}
        self._category = {t.name: t.category for t in blocking}

    def match(self, vec: Vector) -> Match | None:
        best = self.index.nearest(vec, self.thresholds, self.default)
        if best is None:
            return None
        return Match(best.label, "meaning", best.example, best.margin, self._category[best.label])

    def threshold(self, topic: str) -> float:
        return self.thresholds.get(topic, self.default)
