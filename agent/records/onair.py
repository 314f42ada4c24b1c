"""The on-air record: one row per thing the host said, so a moderator can find what was said, when, and why.

Each row keeps the columns the console searches (wall time, show-clock span, kind, text, the first asker and
their comment, the product, the language) and the whole entry as JSON (``data``): the askers merged into the
reply, the facts it rested on, the sentences the guards cut and why, timings, approval. One transaction per
row in a :class:`~agent.toolbox.sqlite.Database` (WAL, full sync): a row whose ``add`` returned survives
``kill -9``.

Text search is ``LIKE`` with ``%``, ``_`` and the escape character escaped, not FTS: the host speaks Chinese
as well as English, and FTS's default tokenizer does not split Chinese into words, so a substring of a
sentence would not be found. (``LIKE`` folds case for ASCII letters only.)
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TypeAlias, TypedDict, Unpack

from agent.records.events import EVENTS_SCHEMA, ShowEvents
from agent.toolbox.sqlite import Database

Record: TypeAlias = dict[str, object]

KINDS = frozenset({"script", "reply", "thanks", "bridge", "say_now"})
MAX_LIMIT = 1000
EXPORT_PAGE = 500
ESCAPE = "\\"

SCHEMA = """
CREATE TABLE IF NOT EXISTS onair (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    show_id TEXT NOT NULL,
    at REAL NOT NULL,
    start REAL,
    "end" REAL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    user TEXT NOT NULL,
    comment TEXT NOT NULL,
    product_id TEXT NOT NULL,
    product_title TEXT NOT NULL,
    language TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS onair_at ON onair(at);
CREATE INDEX IF NOT EXISTS onair_product ON onair(product_id);
CREATE INDEX IF NOT EXISTS onair_user ON onair(user);
CREATE INDEX IF NOT EXISTS onair_show ON onair(show_id);
"""

# the first asker, or anyone merged into the reply (``comments`` holds objects: checked by ``add``)
USER_MATCH = ("(user = ? OR EXISTS (SELECT 1 FROM json_each(onair.data, '$.comments') AS c"
              " WHERE json_extract(c.value, '$.user') = ?))")


class Filters(TypedDict, total=False):
    """What :meth:`OnAirRecord.search` and :meth:`OnAirRecord.export_jsonl` filter on."""

    text: str | None
    product: str | None
    user: str | None
    since: float | None
    until: float | None
    kind: str | None
    show_id: str | None


def like_pattern(needle: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern matching ``needle`` anywhere, its ``%``, ``_`` and ``\\`` taken literally."""
    escaped = needle.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def _number(entry: Mapping[str, object], key: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{key} must be a finite number")
    return float(value)


def _str(entry: Mapping[str, object], key: str) -> str:
    value = entry.get(key)
    return "" if value is None else str(value)


def _first_asker(entry: Mapping[str, object]) -> tuple[str, str]:
    """(name, comment) of the first asker: ``comment``, else the first of ``comments``, else ('', '')."""
    comment = entry.get("comment")
    comments = entry.get("comments")
    if comment is not None and not isinstance(comment, Mapping):
        raise ValueError("comment must be an object with user and text, or None")
    if comments is not None and (isinstance(comments, str | bytes) or not isinstance(comments, Sequence)
                                 or not all(isinstance(c, Mapping) for c in comments)):
        raise ValueError("comments must be a list of objects with user and text")
    first = comment if comment is not None else (comments[0] if comments else None)
    if first is None:
        return "", ""
    return _str(first, "user"), _str(first, "text")


class OnAirRecord:
    """What the host said during one show (``show_id``), searchable across every show kept in the same file."""

    def __init__(self, path: Path | str, *, show_id: str, wall: Callable[[], float] = time.time) -> None:
        if not show_id:
            raise ValueError("show_id must not be empty")
        self.show_id = show_id
        self._db = Database(path, SCHEMA + EVENTS_SCHEMA)
        self._wall = wall
        self.events = ShowEvents(self._db, show_id, wall)  # the viewers' events and their fates, same file

    def add(self, entry: Mapping[str, object]) -> int:
        """Record one thing said (``kind`` and ``text`` required) in its own transaction; returns its id."""
        kind, text = entry.get("kind"), entry.get("text")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}")
        if not isinstance(text, str):
            raise ValueError("text must be a string")
        user, comment = _first_asker(entry)
        row = {
            "show_id": self.show_id, "at": float(self._wall()), "start": _number(entry, "start"),
            "end": _number(entry, "end"), "kind": kind, "text": text, "user": user, "comment": comment,
            "product_id": _str(entry, "product_id"), "product_title": _str(entry, "product_title"),
            "language": _str(entry, "language"),
            # NaN is not JSON: SQLite's json functions would refuse the row, and user search with it
            "data": json.dumps(dict(entry), ensure_ascii=False, allow_nan=False, default=str),
        }
        with self._db.transaction() as conn:
            cur = conn.execute(
                'INSERT INTO onair (show_id, at, start, "end", kind, text, user, comment, product_id, product_title,'
                " language, data) VALUES (:show_id, :at, :start, :end, :kind, :text, :user, :comment, :product_id,"
                " :product_title, :language, :data)", row)
            row_id = cur.lastrowid
        assert row_id is not None
        return row_id

    def search(self, *, text: str | None = None, product: str | None = None, user: str | None = None,
               since: float | None = None, until: float | None = None, kind: str | None = None,
               show_id: str | None = None, limit: int = 100, offset: int = 0) -> list[Record]:
        """Rows newest first. ``text``: substring of what was said or of the first asker's comment, any case;
        ``product``: the product's id, or a substring of its title; ``user``: the exact name of the first asker
        or of any asker merged into the reply; ``since <= at < until`` (wall time, seconds)."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        if offset < 0:
            raise ValueError("offset must not be negative")
        where, params = self._where(text=text, product=product, user=user, since=since, until=until, kind=kind,
                                    show_id=show_id)
        sql = f"SELECT * FROM onair WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?"
        return [_record(r) for r in self._db.query(sql, (*params, limit, offset))]

    def export_jsonl(self, out: IO[str], **filters: Unpack[Filters]) -> int:
        """Write the rows ``search`` would find, oldest first, one JSON object a line; returns the lines written."""
        where, params = self._where(**filters)
        written, last = 0, 0
        while True:
            rows = self._db.query(f"SELECT * FROM onair WHERE {where} AND id > ? ORDER BY id LIMIT ?",
                                  (*params, last, EXPORT_PAGE))
            for r in rows:
                out.write(json.dumps(_record(r), ensure_ascii=False) + "\n")
            written += len(rows)
            if len(rows) < EXPORT_PAGE:
                return written
            last = int(rows[-1]["id"])

    def count(self) -> int:
        return int(self._db.query("SELECT COUNT(*) FROM onair")[0][0])

    def close(self) -> None:
        try:
            self.events.flush()
        finally:
            self._db.close()

    @staticmethod
    def _where(*, text: str | None = None, product: str | None = None, user: str | None = None,
               since: float | None = None, until: float | None = None, kind: str | None = None,
               show_id: str | None = None) -> tuple[str, list[object]]:
        """The WHERE clause (never empty) and its parameters; ValueError on a filter that can match nothing."""
        for name, bound in (("since", since), ("until", until)):
            if bound is not None and not math.isfinite(bound):
                raise ValueError(f"{name} must be a finite number")
        if since is not None and until is not None and since > until:
            raise ValueError("since is after until")
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}")
        where: list[str] = []
        params: list[object] = []
        if text is not None:
            where.append(f"(text LIKE ? ESCAPE '{ESCAPE}' OR comment LIKE ? ESCAPE '{ESCAPE}')")
            params += [like_pattern(text)] * 2
        if product is not None:
            where.append(f"(product_id = ? OR product_title LIKE ? ESCAPE '{ESCAPE}')")
            params += [product, like_pattern(product)]
        if user is not None:
            where.append(USER_MATCH)
            params += [user, user]
        for clause, value in (("at >= ?", since), ("at < ?", until), ("kind = ?", kind), ("show_id = ?", show_id)):
            if value is not None:
                where.append(clause)
                params.append(value)
        return " AND ".join(where) or "1", params


def _record(row: sqlite3.Row) -> Record:
    out: Record = json.loads(row["data"])
    out.update(id=row["id"], show_id=row["show_id"], at=row["at"])
    return out
