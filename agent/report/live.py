"""The report's key figures during the show, for the console: read from the live record, only the rows added
since the last read, with the report's own definitions (:mod:`agent.report.outcomes`).

- ``questions_per_minute``: questions over the last ``window_s`` of show time (and over the whole show);
- ``unanswered``: questions that will not be answered (dropped, blocked, refused, not stated...), and those
  still without any reply ``no_reply_after_s`` after they were asked;
- ``latency_ms``: comment to first audio of every answered comment, p50 and p95;
- ``blocked``: comments blocked by the word lists or the semantic screen.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from agent.metrics import percentile
from agent.records.events import Query, read_events, read_fates, read_said
from agent.report.outcomes import NO_REPLY_AFTER_S, UNANSWERED, is_blocked, is_question, outcome
from agent.report.tables import clock

WINDOW_S = 300.0


class LiveFigures:
    """Reads the show ``show_id`` through ``query`` (see :mod:`agent.records.events`); thread-safe."""

    def __init__(self, query: Query, show_id: str, *, window_s: float = WINDOW_S,
                 no_reply_after_s: float = NO_REPLY_AFTER_S) -> None:
        self._query = query
        self.show_id = show_id
        self._window = window_s
        self._no_reply = no_reply_after_s
        self._lock = threading.Lock()
        self._seq = self._fate = self._said_id = 0
        self._times: dict[int, float] = {}  # seq -> t of every comment (answered ones give a latency)
        self._questions: dict[int, dict[str, Any]] = {}  # seq -> the event, with its fates
        self._blocked: set[int] = set()
        self._said: dict[str, Mapping[str, Any]] = {}  # utterance id -> {"source"}
        self._latencies: list[float] = []
        self._comments = self._replies = 0
        self._first: float | None = None
        self._last = 0.0

    def read(self) -> dict[str, Any]:
        with self._lock:
            self._catch_up()
            return self._figures()

    def _catch_up(self) -> None:
        for e in read_events(self._query, self.show_id, self._seq):
            seq, t = int(e["seq"]), float(e["t"])
            self._seq = seq
            self._first = t if self._first is None else min(self._first, t)
            self._last = max(self._last, t)
            if e.get("kind") == "comment":
                self._comments += 1
                self._times[seq] = t
            if is_blocked(e):
                self._blocked.add(seq)
            if is_question(e):
                self._questions[seq] = e
        for s in read_said(self._query, self.show_id, self._said_id):
            self._said_id = int(s["id"])
            self._last = max(self._last, float(s.get("end") or 0.0))
            if s.get("kind") == "reply":
                self._replies += 1
                if s.get("utterance_id"):
                    self._said[str(s["utterance_id"])] = {"source": s.get("source")}
        for f in read_fates(self._query, self.show_id, self._fate):
            self._fate = int(f["id"])
            seq = int(f["seq"])
            if f.get("fate") == "blocked":
                self._blocked.add(seq)
            if seq in self._questions:
                self._questions[seq].setdefault("fates", []).append(f)
            start = (f.get("detail") or {}).get("start")
            if f.get("fate") == "answered" and seq in self._times and isinstance(start, int | float):
                self._latencies.append(float(start) - self._times[seq])

    def _figures(self) -> dict[str, Any]:
        now = self._last
        recent = sum(1 for q in self._questions.values() if float(q["t"]) > now - self._window)
        elapsed = now - self._first if self._first is not None else 0.0
        unanswered = 0
        for q in self._questions.values():
            fate = outcome({**q, "fates": q.get("fates", [])}, self._said)
            if fate in UNANSWERED and (fate != "no_reply" or now - float(q["t"]) > self._no_reply):
                unanswered += 1
        window_min = min(self._window, max(elapsed, 1.0)) / 60.0
        return {
            "show_id": self.show_id, "show_time": clock(elapsed), "comments": self._comments,
            "questions": len(self._questions), "questions_per_minute": round(recent / window_min, 2),
            "questions_per_minute_show": round(len(self._questions) / max(elapsed / 60.0, 1 / 60), 2),
            "window_s": self._window, "unanswered": unanswered, "replies": self._replies,
            "latency_ms": {"p50": _ms(percentile(self._latencies, 50)), "p95": _ms(percentile(self._latencies, 95)),
                           "n": len(self._latencies)},
            "blocked": len(self._blocked),
        }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)
