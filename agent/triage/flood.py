""""Same question" keys: a chat storm must cost O(1) per event, so near-duplicate detection compares small
gram sets only against the few questions still waiting in the queue. (Per-viewer rate limits and repeated
deliveries use :mod:`agent.toolbox`.)
"""

from __future__ import annotations

import re
import unicodedata

from agent.language import HAN_CHARS

_KEEP = re.compile(f"[\\w{HAN_CHARS}]+")
_RUNS = re.compile(r"(.)\1+")


def merge_key(text: str) -> str:
    """"Price??", "price ?" and "PRICE" share one key: folded, punctuation/emoji gone, letter runs squeezed."""
    t = text.casefold() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    return _RUNS.sub(r"\1", "".join(_KEEP.findall(t)))


def key_grams(key: str) -> frozenset[str]:
    return frozenset(key[i : i + 2] for i in range(len(key) - 1))


def near_duplicate(a: frozenset[str], b: frozenset[str], threshold: float = 0.8) -> bool:
    """Jaccard of bigram sets; only for keys long enough (4+ bigrams) to be meaningful."""
    if len(a) < 4 or len(b) < 4:
        return False
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter) >= threshold
