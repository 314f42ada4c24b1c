"""The bounded queue of things the host will answer: highest priority first, then the most asked, then the
freshest.

It is where floods are absorbed: a question that repeats (or nearly repeats) one already waiting, within
``merge_window_s``, joins it instead of taking a slot, so fifty "price?" become one answer addressed to
several viewers. Questions older than ``stale_after_s`` are dropped rather than answered late, and when
the queue is full the least important item gives way. Every drop is reported as (verdict, reason).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from agent.ports import Clock
from agent.settings import TriageSettings
from agent.triage.flood import key_grams, merge_key, near_duplicate
from agent.triage.stats import TriageStats
from agent.verdict import Action, Verdict

log = logging.getLogger(__name__)
DropHook = Callable[[Verdict, str], None]
KEY_CACHE = 1024
MAX_ASKERS = 64  # a merged question keeps its first asker and the newest ones; ``asked`` counts them all


@dataclass(slots=True)
class _Entry:
    verdict: Verdict
    key: str
    grams: frozenset[str]
    seq: int
    newest: float  # when its latest asker asked
    asked: int = 1  # how many viewers asked it (also those no longer listed in the verdict)


class VerdictQueue:
    """``push(verdict)`` ANSWER verdicts; ``await get()`` the next one worth saying."""

    def __init__(
        self,
        settings: TriageSettings,
        clock: Clock,
        *,
        on_drop: DropHook | None = None,
        stats: TriageStats | None = None,
        keep_drops: int = 1000,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.on_drop = on_drop
        self.stats = stats
        self.dropped: deque[tuple[Verdict, str]] = deque(maxlen=keep_drops)
        self._entries: list[_Entry] = []
        self._seq = 0
        self._recent: OrderedDict[str, float] = OrderedDict()
        self._ready: asyncio.Event | None = None
        self._keys: OrderedDict[str, tuple[str, frozenset[str]]] = OrderedDict()  # text -> (key, grams) LRU

    def __len__(self) -> int:
        return len(self._entries)

    def push(self, verdict: Verdict) -> bool:
        """Queue (or merge) ``verdict``. False when it was dropped (the reason went to ``on_drop``)."""
        if verdict.action is not Action.ANSWER:
            raise ValueError(f"only ANSWER verdicts are queued, got {verdict.action.value}")
        key, grams = self._key_of(verdict.event.text)
        now = self.clock.now()
        answered = self._recent.get(key)
        if answered is not None and now - answered <= self.settings.merge_window_s:
            self._drop(verdict, f"duplicate: same as a question answered {now - answered:.1f} s ago")
            return False
        window = self.settings.merge_window_s
        for e in self._entries:
            if (e.key == key or near_duplicate(e.grams, grams)) and (
                verdict.event.time - e.verdict.event.time <= window
            ):
                events = e.verdict.events + verdict.events
                if len(events) > MAX_ASKERS:  # a flash sale: thousands ask "price?"; keep the list bounded
                    events = (events[0], *events[len(events) - MAX_ASKERS + 1:])
                e.verdict = replace(e.verdict, events=events, priority=max(e.verdict.priority, verdict.priority))
                e.asked += len(verdict.events)
                e.newest = max(e.newest, max(ev.time for ev in verdict.events))
                if self.stats is not None:
                    self.stats.merge()
                return True
        if len(self._entries) >= self.settings.queue_size:
            self._purge_stale(now)
        if len(self._entries) >= self.settings.queue_size:
            worst = min(self._entries, key=lambda e: (e.verdict.priority, -e.seq))
            if verdict.priority <= worst.verdict.priority:
                self._drop(verdict, f"queue_full: {len(self._entries)} waiting with higher or equal priority")
                return False
            self._entries.remove(worst)
            self._drop(worst.verdict, f"displaced: queue full, priority {verdict.priority} arrived")
        self._seq += 1
        self._entries.append(_Entry(verdict, key, grams, self._seq, self._newest(verdict), len(verdict.events)))
        if self._ready is not None:
            self._ready.set()
        return True

    def get_nowait(self, max_age_s: float | None = None) -> Verdict | None:
        """The best fresh verdict, or None. Stale ones met on the way are dropped with their age. With
        ``max_age_s``, only a question asked (last) within that many seconds is taken: an older one could no
        longer be answered in time, so it stays only to join a fresher reply (until it goes stale)."""
        now = self.clock.now()
        while self._entries:
            pool = self._entries if max_age_s is None else [e for e in self._entries if now - e.newest <= max_age_s]
            if not pool:
                return None
            best = max(pool, key=self._rank)
            self._entries.remove(best)
            if self._is_stale(best, now):
                self._drop(best.verdict, self._stale_reason(best, now))
                continue
            self._remember(best.key, now)
            return best.verdict
        return None

    def close(self, reason: str) -> int:
        """Drop everything still waiting (the show ended): each with ``reason``, a stale one with its age, so
        that every question has a fate in the record. Returns how many verdicts were dropped."""
        now = self.clock.now()
        entries, self._entries = self._entries, []
        for e in entries:
            self._drop(e.verdict, self._stale_reason(e, now) if self._is_stale(e, now) else reason)
        return len(entries)

    def waiting(self) -> list[Verdict]:
        """The fresh verdicts waiting now, best first (a snapshot: nothing is taken)."""
        now = self.clock.now()
        ranked = sorted(self._entries, key=self._rank, reverse=True)
        return [e.verdict for e in ranked if not self._is_stale(e, now)]

    def take(self, verdict: Verdict) -> bool:
        """Take ``verdict`` out of the queue (it is answered together with another); False if not waiting."""
        for e in self._entries:
            if e.verdict is verdict:
                self._entries.remove(e)
                self._remember(e.key, self.clock.now())
                if self.stats is not None:
                    self.stats.merge()
                return True
        return False

    @staticmethod
    def _rank(e: _Entry) -> tuple[int, int, float]:
        """Higher priority first, then the question more viewers asked, then the freshest: under load the
        oldest would be stale before its turn, the freshest can still be answered in time."""
        return (e.verdict.priority, e.asked, e.newest)

    async def get(self, max_age_s: float | None = None) -> Verdict:
        while True:
            v = self.get_nowait(max_age_s)
            if v is not None:
                return v
            if self._ready is None:
                self._ready = asyncio.Event()
            self._ready.clear()
            await self._ready.wait()

    # -- internals ----------------------------------------------------------------------------------

    def _key_of(self, text: str) -> tuple[str, frozenset[str]]:
        """The merge key and its bigrams, remembered for recent texts (floods repeat the same line)."""
        got = self._keys.get(text)
        if got is not None:
            self._keys.move_to_end(text)
            return got
        key = merge_key(text)
        got = (key, key_grams(key))
        self._keys[text] = got
        if len(self._keys) > KEY_CACHE:
            self._keys.popitem(last=False)
        return got

    def _newest(self, v: Verdict) -> float:
        return max(e.time for e in v.events)

    def _is_stale(self, e: _Entry, now: float) -> bool:
        return now - e.newest > self.settings.stale_after_s

    def _stale_reason(self, e: _Entry, now: float) -> str:
        return f"stale: waited {now - e.newest:.1f} s (limit {self.settings.stale_after_s:g} s)"

    def _purge_stale(self, now: float) -> None:
        for e in [e for e in self._entries if self._is_stale(e, now)]:
            self._entries.remove(e)
            self._drop(e.verdict, self._stale_reason(e, now))

    def _remember(self, key: str, now: float) -> None:
        self._recent[key] = now
        self._recent.move_to_end(key)
        while len(self._recent) > 256:
            self._recent.popitem(last=False)

    def _drop(self, verdict: Verdict, reason: str) -> None:
        self.dropped.append((verdict, reason))
        if self.stats is not None:
            self.stats.drop(verdict, reason)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("verdict dropped", extra={"reason": reason, "users": verdict.users})
        if self.on_drop is not None:
            self.on_drop(verdict, reason)
