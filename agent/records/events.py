"""Every viewer event of a show with its verdict, and what became of it: the on-air record's other half.

The on-air record keeps what was *said*; the report after the show (``livehost report``) also needs what the
viewers did: each comment, gift, like, follow and join with triage's verdict (action, category, reason, topic,
language), and each question's *fates*: answered (by which utterance), dropped (stale, queue_full, displaced,
duplicate, not_started_in_time, rejected_by_moderator, not_approved_in_time) or blocked by the semantic screen.

Three tables in the record's own file (one SQLite file per show history): ``shows`` (name and language of each
show), ``events`` (one row per event, numbered ``seq`` within its show) and ``fates`` (appended; an event may
have several, the last one tells). Writes are batched: a busy room sends hundreds of events a second and the
show's loop must not wait for a disk sync per event, so rows are kept in memory and written in one transaction
when ``FLUSH_ROWS`` are waiting, when ``FLUSH_S`` of wall time have passed, or when :meth:`ShowEvents.flush`
is called (the recorder calls it after each sentence said, readers before they read, and at close). A killed
process loses at most the rows of the last few seconds; every transaction written is whole.

The readers (``read_*``) take a ``query(sql, params)`` function, so the live console (on the show's own
connection) and the report (on a read-only connection to a file) read the same way.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias

from agent.toolbox.sqlite import Database

Row: TypeAlias = Any  # a sqlite3.Row (or any row read by column name)
Entry: TypeAlias = Mapping[str, Any]
Query: TypeAlias = Callable[[str, tuple[object, ...]], Sequence[Row]]

EVENT_KINDS = frozenset({"comment", "gift", "like", "follow", "join"})
FATES = frozenset({"answered", "dropped", "blocked"})
FLUSH_ROWS = 200
FLUSH_S = 1.0
PAGE = 5000

EVENTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS shows (
    show_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    started REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    show_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    t REAL NOT NULL,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    platform TEXT NOT NULL,
    user TEXT NOT NULL,
    user_id TEXT NOT NULL,
    text TEXT NOT NULL,
    count INTEGER NOT NULL,
    gift_name TEXT,
    gift_count INTEGER,
    gift_value REAL,
    gift_currency TEXT,
    action TEXT NOT NULL,
    category TEXT NOT NULL,
    reason TEXT NOT NULL,
    topic TEXT NOT NULL,
    language TEXT NOT NULL,
    PRIMARY KEY (show_id, seq)
);
CREATE TABLE IF NOT EXISTS fates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    show_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    t REAL NOT NULL,
    at REAL NOT NULL,
    fate TEXT NOT NULL,
    reason TEXT NOT NULL,
    utterance_id TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fates_event ON fates(show_id, seq);
"""

EVENT_COLUMNS = ("show_id", "seq", "t", "at", "kind", "platform", "user", "user_id", "text", "count", "gift_name",
                 "gift_count", "gift_value", "gift_currency", "action", "category", "reason", "topic", "language")
FATE_COLUMNS = ("show_id", "seq", "t", "at", "fate", "reason", "utterance_id", "detail")


def _finite(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    return float(value)


def _text(row: Entry, key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value)


class ShowEvents:
    """The events and fates of one show (``show_id``), written in batches over the record's database."""

    def __init__(self, db: Database, show_id: str, wall: Callable[[], float] = time.time) -> None:
        self._db = db
        self.show_id = show_id
        self._wall = wall
        self._lock = threading.Lock()  # the loop adds, a console worker thread may flush
        self._events: list[tuple[object, ...]] = []
        self._fates: list[tuple[object, ...]] = []
        self._flushed = wall()
        rows = db.query("SELECT COALESCE(MAX(seq), 0) FROM events WHERE show_id = ?", (show_id,))
        self._seq = int(rows[0][0])
        self.failed = 0  # batches that could not be written (logged by the caller)

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[Row]:
        """Read the record (after writing what waits, so a reader sees every event added so far)."""
        self.flush()
        return self._db.query(sql, params)

    def add_show(self, name: str, language: str) -> None:
        """Name the show and its language (kept once: the first call wins)."""
        with self._db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO shows (show_id, name, language, started) VALUES (?, ?, ?, ?)",
                         (self.show_id, name, language, float(self._wall())))

    def add_event(self, event: Entry) -> int:
        """One viewer event with its verdict: ``t`` (show clock, s), ``kind``, ``platform``, ``user``, ``user_id``,
        ``text``, ``count``, ``gift`` (``{"name", "count", "value", "currency"}`` or None), ``action``,
        ``category``, ``reason``, ``topic``, ``language``. Returns its number in the show (``seq``)."""
        kind = event.get("kind")
        if kind not in EVENT_KINDS:
            raise ValueError(f"kind must be one of {sorted(EVENT_KINDS)}")
        t = _finite(event.get("t"), "t")
        gift = event.get("gift")
        if gift is not None and not isinstance(gift, Mapping):
            raise ValueError("gift must be an object with name, count and value, or None")
        count = event.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValueError("count must be an integer")
        g: Mapping[str, Any] = gift or {}
        with self._lock:
            self._seq += 1
            seq = self._seq
            self._events.append((
                self.show_id, seq, t, float(self._wall()), kind, _text(event, "platform"), _text(event, "user"),
                _text(event, "user_id") or _text(event, "user"), _text(event, "text"), count,
                None if gift is None else _text(g, "name"), None if gift is None else int(g.get("count", 1)),
                None if gift is None else _finite(g.get("value", 0.0), "gift.value"),
                None if gift is None else _text(g, "currency"), _text(event, "action"), _text(event, "category"),
                _text(event, "reason"), _text(event, "topic"), _text(event, "language")))
        self._maybe_flush()
        return seq

    def add_fate(self, seq: int, *, t: float, fate: str, reason: str, utterance_id: str | None = None,
                 detail: Mapping[str, Any] | None = None) -> None:
        """What became of event ``seq``: ``fate`` answered / dropped / blocked, with a short ``reason`` code."""
        if fate not in FATES:
            raise ValueError(f"fate must be one of {sorted(FATES)}")
        row = (self.show_id, int(seq), _finite(t, "t"), float(self._wall()), fate, reason, utterance_id,
               json.dumps(dict(detail or {}), ensure_ascii=False, allow_nan=False, default=str))
        with self._lock:
            self._fates.append(row)
        self._maybe_flush()

    def pending(self) -> int:
        with self._lock:
            return len(self._events) + len(self._fates)

    def flush(self) -> None:
        """Write every row waiting, in one transaction."""
        with self._lock:
            events, fates = self._events, self._fates
            if not events and not fates:
                return
            self._events, self._fates = [], []
            self._flushed = self._wall()
        try:
            with self._db.transaction() as conn:
                conn.executemany(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES "
                                 f"({', '.join('?' * len(EVENT_COLUMNS))})", events)
                conn.executemany(f"INSERT INTO fates ({', '.join(FATE_COLUMNS)}) VALUES "
                                 f"({', '.join('?' * len(FATE_COLUMNS))})", fates)
        except Exception:
            self.failed += 1
            raise

    def _maybe_flush(self) -> None:
        if self.pending() >= FLUSH_ROWS or self._wall() - self._flushed >= FLUSH_S:
            self.flush()


# -- readers ------------------------------------------------------------------------------------------------
def read_shows(query: Query) -> list[dict[str, Any]]:
    """Every show in the file, oldest first: ``show_id``, ``name``, ``language``, ``started``, ``last`` (the
    wall time of its last row). Shows recorded before the events table existed have only what was said."""
    said = query("SELECT show_id, MIN(at) AS first, MAX(at) AS last FROM onair GROUP BY show_id", ())
    shows: dict[str, dict[str, Any]] = {
        r["show_id"]: {"show_id": r["show_id"], "name": "", "language": "", "started": r["first"], "last": r["last"]}
        for r in said}
    if _has_table(query, "shows"):
        for r in query("SELECT show_id, name, language, started FROM shows", ()):
            s = shows.setdefault(r["show_id"], {"show_id": r["show_id"], "last": r["started"]})
            s.update(name=r["name"], language=r["language"], started=r["started"])
        for r in query("SELECT show_id, MAX(at) AS last FROM events GROUP BY show_id", ()):
            s = shows.setdefault(r["show_id"], {"show_id": r["show_id"], "name": "", "language": "",
                                                "started": r["last"], "last": r["last"]})
            s["last"] = max(float(s["last"] or 0.0), float(r["last"]))
    return sorted(shows.values(), key=lambda s: (float(s["last"] or 0.0), s["show_id"]))


def read_events(query: Query, show_id: str, after_seq: int = 0) -> list[dict[str, Any]]:
    """The show's events after ``after_seq``, in order, each as its JSON form (see :func:`event_json`)."""
    out: list[dict[str, Any]] = []
    last = after_seq
    while True:
        rows = query("SELECT * FROM events WHERE show_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                     (show_id, last, PAGE))
        out += [event_json(r) for r in rows]
        if len(rows) < PAGE:
            return out
        last = int(rows[-1]["seq"])


def read_fates(query: Query, show_id: str, after_id: int = 0) -> list[dict[str, Any]]:
    """The show's fates after row ``after_id``, in the order they happened, with their row ``id``."""
    out: list[dict[str, Any]] = []
    last = after_id
    while True:
        rows = query("SELECT * FROM fates WHERE show_id = ? AND id > ? ORDER BY id LIMIT ?", (show_id, last, PAGE))
        out += [fate_json(r) for r in rows]
        if len(rows) < PAGE:
            return out
        last = int(rows[-1]["id"])


def read_said(query: Query, show_id: str, after_id: int = 0) -> list[dict[str, Any]]:
    """What was said in the show after row ``after_id``, oldest first (the on-air record's entries)."""
    out: list[dict[str, Any]] = []
    last = after_id
    while True:
        rows = query("SELECT id, at, data FROM onair WHERE show_id = ? AND id > ? ORDER BY id LIMIT ?",
                     (show_id, last, PAGE))
        for r in rows:
            entry = json.loads(r["data"])
            if not isinstance(entry, dict):
                raise ValueError(f"onair row {r['id']}: data is not a JSON object")
            entry.update(id=r["id"], at=r["at"])
            out.append(entry)
        if len(rows) < PAGE:
            return out
        last = int(rows[-1]["id"])


def read_seen(query: Query, show_id: str) -> list[dict[str, Any]]:
    """The show's events in order, each with its ``fates`` (oldest first): ``rehearse --json``'s ``seen``."""
    events = read_events(query, show_id)
    by_seq = {e["seq"]: e for e in events}
    for e in events:
        e["fates"] = []
    for f in read_fates(query, show_id):
        event = by_seq.get(f.pop("seq"))
        if event is not None:
            f.pop("id")
            event["fates"].append(f)
    return events


def event_json(r: Row) -> dict[str, Any]:
    """An event row as the report and ``rehearse --json`` (``seen``) carry it."""
    d: dict[str, Any] = {
        "seq": r["seq"], "t": r["t"], "at": r["at"], "kind": r["kind"], "platform": r["platform"],
        "user": r["user"], "user_id": r["user_id"], "text": r["text"], "count": r["count"],
        "verdict": {"action": r["action"], "category": r["category"], "reason": r["reason"], "topic": r["topic"],
                    "language": r["language"]},
    }
    if r["gift_name"] is not None:
        d["gift"] = {"name": r["gift_name"], "count": r["gift_count"], "value": r["gift_value"],
                     "currency": r["gift_currency"] or ""}
    return d


def fate_json(r: Row) -> dict[str, Any]:
    d: dict[str, Any] = {"id": r["id"], "seq": r["seq"], "t": r["t"], "at": r["at"], "fate": r["fate"],
                         "reason": r["reason"]}
    if r["utterance_id"]:
        d["utterance_id"] = r["utterance_id"]
    detail = json.loads(r["detail"]) if r["detail"] else {}
    if detail:
        d["detail"] = detail
    return d


def _has_table(query: Query, name: str) -> bool:
    return bool(query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))
