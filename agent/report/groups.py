"""Questions grouped by meaning: "do you ship to Canada?", "vous livrez au Canada ?" and "可以寄到加拿大吗" are one
line of the report's list of what the sheets should say.

Texts that are the same once folded (case, spacing, punctuation) are one text; the distinct texts, most asked
first, are embedded with the show's embedder (the one retrieval uses: multilingual) and grouped by a simple
threshold clustering: each text joins the group whose first (most asked) text is the closest, when the cosine
reaches the threshold, and starts a group of its own otherwise. Two texts that ask for different attributes by
the project's own cue words (:func:`agent.reply.attributes.cued`: "how heavy" and "how much" about one product
are close by meaning for a small multilingual model) never join. The thresholds were chosen on development
material (``evals/dev/report/groups.jsonl`` and the development shops' questions) by
``bench/report_calibrate.py``, never on the records the tests build; see bench/results/report-calibration.json.

Embedding is the cost (tens of ms a text on one core), so at most ``MAX_TEXTS`` distinct texts are grouped,
the most asked first; the others are counted apart (``left_out``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from agent.ports import Embedder, Vector
from agent.reply.attributes import cued

# embedder name -> cosine a text must reach with a group's first text to join it (bench/report_calibrate.py)
THRESHOLDS = {"e5small": 0.91, "hash": 0.64}
DEFAULT_THRESHOLD = 0.91  # an embedder never calibrated: e5's, the strictest
MAX_TEXTS = 600

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """The text as compared for identity: NFKC, case-folded, punctuation and spaces as one space."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


@dataclass
class Group:
    """One meaning: ``items`` are the indexes of the texts given, ``texts`` its distinct wordings with how
    often each was asked, most asked first."""

    items: list[int] = field(default_factory=list)
    texts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.texts[0][0] if self.texts else ""


@dataclass
class Grouping:
    groups: list[Group]
    left_out: list[int]  # indexes of texts not grouped (past MAX_TEXTS distinct ones)
    threshold: float


def threshold_for(embedder: Embedder) -> float:
    return THRESHOLDS.get(embedder.name, DEFAULT_THRESHOLD)


def cluster(vectors: Vector, threshold: float, cues: Sequence[frozenset[str]] | None = None) -> list[int]:
    """The leader clustering of unit ``vectors`` (in the order given): each row's group number. ``cues``: the
    attributes each text asks for by its words; a text never joins a leader that asks for others."""
    leaders: list[int] = []
    out: list[int] = []
    matrix = np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0), dtype=np.float32)
    for i in range(len(vectors)):
        v = vectors[i]
        if len(leaders):
            sims = matrix @ v
            if cues is not None and cues[i]:
                for j, lead in enumerate(leaders):
                    if cues[lead] and not cues[lead] & cues[i]:
                        sims[j] = -1.0
            best = int(np.argmax(sims))
            if float(sims[best]) >= threshold:
                out.append(best)
                continue
        leaders.append(i)
        matrix = np.vstack([matrix, v[None, :]]) if len(matrix) else v[None, :].astype(np.float32)
        out.append(len(leaders) - 1)
    return out


def group_texts(texts: Sequence[str], embedder: Embedder, *, threshold: float | None = None,
                max_texts: int = MAX_TEXTS, embed: Callable[[Sequence[str]], Vector] | None = None) -> Grouping:
    """Group ``texts`` by meaning (see the module docstring). ``embed``: query vectors for many texts (a
    cache in front of ``embedder``); ``embedder.embed_queries`` by default."""

    thr = threshold_for(embedder) if threshold is None else threshold
    by_key: dict[str, list[int]] = {}
    for i, t in enumerate(texts):
        by_key.setdefault(fold(t) or t, []).append(i)
    # most asked first, then first asked: the leaders are the commonest wordings
    keys = sorted(by_key, key=lambda k: (-len(by_key[k]), by_key[k][0]))
    kept, rest = keys[:max_texts], keys[max_texts:]
    if not kept:
        return Grouping([], [i for k in rest for i in by_key[k]], thr)
    wording = [_commonest([texts[i] for i in by_key[k]]) for k in kept]
    vectors = (embed or embedder.embed_queries)(wording)
    labels = cluster(np.asarray(vectors, dtype=np.float32), thr, [frozenset(cued(w)) for w in wording])
    groups: dict[int, Group] = {}
    for key, text, g in zip(kept, wording, labels, strict=True):
        group = groups.setdefault(g, Group())
        group.items += by_key[key]
        group.texts.append((text, len(by_key[key])))
    ordered = sorted(groups.values(), key=lambda gr: (-len(gr.items), min(gr.items)))
    for gr in ordered:
        gr.items.sort()
    return Grouping(ordered, sorted(i for k in rest for i in by_key[k]), thr)


def _commonest(texts: list[str]) -> str:
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    return max(counts, key=lambda t: (counts[t], -texts.index(t)))
