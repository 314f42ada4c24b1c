"""What became of the viewers' product questions: answered (alone or with others) and how fast, or not; and
what the host said, by kind.

The show records each product question as triage lets it through (``asked``), each reply with the comments it
answers (``replied``, ``joined``), each comment the screen stopped (``blocked``) and each utterance the director
closes (``said``). Questions count as one *distinct* question when they share a merge key (the same words,
folded) within ``merge_window_s`` of each other, or were answered by the same reply.

Memory stays flat over a day and through a flood: questions are kept as *chains* (one per merge key and run
of asking), not one by one, and a group of chains is folded into plain counts once nothing can change it any
more (``settle_s`` after its last question); latencies go into a histogram (0.1 ms bins).
"""

from __future__ import annotations

import heapq
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any

from agent.director.director import TimelineEntry
from agent.events import Event
from agent.triage.flood import merge_key

SETTLE_S = 300.0  # a question's group is final this long after its last question (stale + answer time, with room)
CHAINS_PER_KEY = 4  # the recent chains of one merge key that a late reply may still point to


@dataclass(slots=True, eq=False)
class _Chain:
    """Questions with one merge key, each within the merge window of the one before; or, as a root, the union
    of the chains that one reply answered together."""

    key: str
    first: float
    last: float  # the latest question of this chain
    group_last: float  # as a root: the latest question of the whole group
    asked: int = 1  # asked, blocked, answered: of the whole group, kept on its root
    blocked: int = 0
    answered: bool = False
    parent: _Chain | None = None
    done: bool = False


def _root(c: _Chain) -> _Chain:
    while c.parent is not None:
        if c.parent.parent is not None:
            c.parent = c.parent.parent
        c = c.parent
    return c


class QuestionTally:
    def __init__(self, merge_window_s: float, settle_s: float = SETTLE_S) -> None:
        self._window = merge_window_s
        self._settle = settle_s
        self._chains: dict[str, list[_Chain]] = {}  # merge key -> its recent open chains, oldest first
        self._heap: list[tuple[float, int, _Chain]] = []  # (last question, seq, chain): what may settle next
        self._seq = count()
        # reply -> (when it was made, [(merge key, asked at)...]); a reply never said is forgotten settle_s later
        self._replies: OrderedDict[str, tuple[float, list[tuple[str, float]]]] = OrderedDict()
        self._tenths: Counter[int] = Counter()  # comment-to-first-audio latencies of answered questions, in 0.1 ms
        self._settled: Counter[str] = Counter(questions=0, groups=0, answered=0)

    # -- what the show reports --------------------------------------------------------------------------
    def asked(self, event: Event) -> None:
        key, t = merge_key(event.text), event.time
        chains = self._chains.setdefault(key, [])
        if chains and not _root(chains[-1]).done and 0 <= t - chains[-1].last <= self._window:
            chain = chains[-1]
            chain.last = t
            root = _root(chain)  # the counts live on the group's root
            root.group_last, root.asked = max(root.group_last, t), root.asked + 1
        else:
            chain = _Chain(key, t, t, t)
            chains.append(chain)
            del chains[:-CHAINS_PER_KEY]
            heapq.heappush(self._heap, (t, next(self._seq), chain))  # once per chain: it moves on when popped
        self._settle_until(t - self._settle)

    def blocked(self, event: Event) -> None:
        chain = self._find(merge_key(event.text), event.time)
        if chain is not None:
            _root(chain).blocked += 1

    def replied(self, utterance_id: str, events: Sequence[Event]) -> None:
        made = max((e.time for e in events), default=0.0)
        self._replies[utterance_id] = (made, [(merge_key(e.text), e.time) for e in events])
        self._forget_unsaid(made - self._settle)

    def joined(self, utterance_id: str, event: Event) -> None:
        """``event`` asked what the reply ``utterance_id`` (not started yet) answers: it counts as answered by it."""
        self._replies.setdefault(utterance_id, (event.time, []))[1].append((merge_key(event.text), event.time))

    def said(self, entry: TimelineEntry) -> None:
        """The director closed ``entry``: a reply that started answers its questions, all as one group."""
        reply = self._replies.pop(entry.utterance_id, None)
        if reply is None or entry.kind != "reply":
            return
        group: _Chain | None = None
        for key, t in reply[1]:
            self._tenths[round((entry.start - t) * 10_000)] += 1
            chain = self._find(key, t)
            if chain is None:
                continue
            root = _root(chain)
            root.answered = True
            if group is None:
                group = root
            elif root is not group:
                root.parent = group
                group.group_last, group.asked = max(group.group_last, root.group_last), group.asked + root.asked
                group.blocked += root.blocked
        self._forget_unsaid(entry.start - self._settle)

    # -- the summary -------------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        counts = Counter(self._settled)
        for r in {id(r): r for r in (_root(c) for _, _, c in self._heap) if not r.done}.values():
            _count(r, counts)  # the groups not settled yet, as they stand
        groups, answered = counts["groups"], counts["answered"]
        return {
            "product_questions": counts["questions"],
            "distinct_product_questions": groups,
            "distinct_product_questions_answered": answered,
            "distinct_answered_share": round(answered / groups, 3) if groups else None,
            "answered_comment_to_first_audio_ms": self._percentiles_ms(50, 95),
        }

    # -- internals ---------------------------------------------------------------------------------------
    def _find(self, key: str, t: float) -> _Chain | None:
        """The open chain of ``key`` that holds the question asked at ``t`` (the latest before it)."""
        for chain in reversed(self._chains.get(key, ())):
            if chain.first <= t + 1e-9:
                return None if _root(chain).done else chain
        return None

    def _settle_until(self, cutoff: float) -> None:
        """Fold into counts every group whose last question is older than ``cutoff``."""
        while self._heap and self._heap[0][0] < cutoff:
            _, _, chain = heapq.heappop(self._heap)
            root = _root(chain)
            if not root.done:
                if root.group_last >= cutoff:
                    heapq.heappush(self._heap, (root.group_last, next(self._seq), chain))
                    continue
                root.done = True
                _count(root, self._settled)
            chains = self._chains.get(chain.key)
            if chains is not None and chain in chains:
                chains.remove(chain)
                if not chains:
                    del self._chains[chain.key]

    def _forget_unsaid(self, cutoff: float) -> None:
        """Replies made long ago and never said (dropped before they started) are forgotten."""
        while self._replies and next(iter(self._replies.values()))[0] < cutoff:
            self._replies.popitem(last=False)

    def _percentiles_ms(self, *qs: float) -> dict[str, Any]:
        """``n`` and the nearest-rank percentiles of the latencies, in ms to 0.1 (as agent.metrics.percentile
        on the values), in one pass over the sorted histogram."""
        n = sum(self._tenths.values())
        out: dict[str, Any] = {"n": n, **{f"p{q:g}": None for q in qs}}
        ranks = sorted((max(0, min(n - 1, round(q / 100 * (n - 1)))), f"p{q:g}") for q in qs) if n else []
        seen = 0
        for tenth in sorted(self._tenths):
            seen += self._tenths[tenth]
            while ranks and seen > ranks[0][0]:
                out[ranks.pop(0)[1]] = tenth / 10
        return out


@dataclass
class ShowStats:
    """Counts of what came in (what was said: ``AirCounts``)."""

    comments_seen: int = 0
    comments_blocked: int = 0
    merged: int = 0  # questions answered together with another one


def _count(root: _Chain, counts: Counter[str]) -> None:
    """Add a group (its root) to ``counts``: its questions not blocked, and whether it is a distinct question
    (one of them was not blocked) and an answered one."""
    live = root.asked - root.blocked
    counts["questions"] += live
    if live > 0:
        counts["groups"] += 1
        counts["answered"] += root.answered


class AirCounts:
    """What the host said, counted as the director closes each utterance: how many of each kind (whole ones
    apart) and their airtime. The show's summary reads these, not the whole day's timeline."""

    def __init__(self) -> None:
        self.spoken: Counter[str] = Counter()
        self.whole: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def said(self, entry: TimelineEntry) -> None:
        self.spoken[entry.kind] += 1
        if not entry.interrupted:
            self.whole[entry.kind] += 1
        self.seconds[entry.kind] += entry.end - entry.start

    def share(self, kind: str) -> float | None:
        """The share of the airtime that went to ``kind`` (script, reply...)."""
        total = sum(self.seconds.values())
        return None if total <= 0 else round(self.seconds[kind] / total, 3)
