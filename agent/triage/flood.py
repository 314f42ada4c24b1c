"""Flood control primitives: per-user rate limits, repeated deliveries, and "same question" keys.

A chat storm must cost O(1) per event: the limiter keeps a short deque per user (pruned as it goes and
capped in users), and near-duplicate detection compares small gram sets only against the few questions
still waiting in the queue.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict, deque

from agent.ports import Clock

_KEEP = re.compile(r"[\w\u4e00-\u9fff]+")
_RUNS = re.compile(r"(.)\1+")


class RateLimiter:
    """At most ``per_min`` comments per user in any sliding 60 s window (on the injected clock)."""

    def __init__(self, per_min: int, clock: Clock, *, max_users: int = 50_000) -> None:
        self.per_min = per_min
        self.clock = clock
        self.max_users = max_users
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, user_id: str) -> bool:
        now = self.clock.now()
        q = self._seen.get(user_id)
        if q is None:
            q = deque()
            self._seen[user_id] = q
            if len(self._seen) > self.max_users:
                self._seen.popitem(last=False)
        else:
            self._seen.move_to_end(user_id)
            while q and now - q[0] >= 60.0:
                q.popleft()
        if len(q) >= self.per_min:
            return False
        q.append(now)
        return True


class Deduper:
    """Drops repeated deliveries of the same platform message id (at-least-once connectors)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._keys: OrderedDict[str, None] = OrderedDict()

    def seen(self, key: str) -> bool:
        if key in self._keys:
            return True
        self._keys[key] = None
        if len(self._keys) > self.capacity:
            self._keys.popitem(last=False)
        return False


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
