"""The audit trail: who did what from the moderator console, when, from where, and what it changed.

Every record is one SQLite transaction (:class:`~agent.toolbox.sqlite.Database`: WAL, full sync), so a record
whose ``add`` returned survives ``kill -9`` and a killed process leaves no half-written one. Records are
append-only: triggers refuse ``UPDATE`` and ``DELETE`` even to someone holding the file in a SQLite shell.
Each record carries ``digest``, the SHA-256 of the canonical JSON of its other fields, so :meth:`AuditLog.verify`
finds a record that was torn or edited behind the triggers' back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from agent.toolbox.sqlite import Database

log = logging.getLogger(__name__)

Record: TypeAlias = dict[str, object]
Records: TypeAlias = list[Record]  # (``AuditLog.list`` hides the builtin inside the class)
MAX_LIMIT = 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    who TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    client TEXT NOT NULL,
    before TEXT,
    after TEXT,
    ok INTEGER NOT NULL,
    detail TEXT NOT NULL,
    digest TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE INDEX IF NOT EXISTS audit_who ON audit(who);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
"""

# the columns the digest covers, in the order they are stored
FIELDS = ("id", "at", "who", "role", "action", "target", "client", "before", "after", "ok", "detail")


def _encode(value: object) -> str | None:
    """JSON text for a before/after value; None stays NULL. Values JSON cannot hold are kept as their str()."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _decode(text: str | None) -> object:
    return None if text is None else json.loads(text)


def record_digest(fields: Record) -> str:
    """SHA-256 (hex) of the canonical JSON of a record's stored fields (``FIELDS``, ``before``/``after`` as text)."""
    canon = json.dumps({k: fields[k] for k in FIELDS}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def _finite(name: str, value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")


class AuditLog:
    """An append-only log of console actions in one SQLite file."""

    def __init__(self, path: Path | str, *, wall: Callable[[], float] = time.time) -> None:
        self._db = Database(path, SCHEMA)
        self._wall = wall

    def add(self, *, who: str, action: str, target: str = "", role: str = "", client: str = "",
            before: object = None, after: object = None, ok: bool = True, detail: str = "") -> int:
        """Append one record in its own transaction and return its id; it is durable when this returns."""
        if not who or not action:
            raise ValueError("an audit record needs who and action")
        fields: Record = {"at": float(self._wall()), "who": who, "role": role, "action": action, "target": target,
                          "client": client, "before": _encode(before), "after": _encode(after), "ok": int(bool(ok)),
                          "detail": detail}
        with self._db.transaction() as conn:
            # the id is chosen inside the write lock so that the digest can cover it
            row = conn.execute("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0)"
                               " + 1").fetchone()
            record_id = int(row[0])
            fields["id"] = record_id
            fields["digest"] = record_digest(fields)
            conn.execute("INSERT INTO audit (id, at, who, role, action, target, client, before, after, ok, detail,"
                         " digest) VALUES (:id, :at, :who, :role, :action, :target, :client, :before, :after, :ok,"
                         " :detail, :digest)", fields)
        return record_id

    def list(self, *, limit: int = 100, before_id: int | None = None, who: str | None = None,
             action: str | None = None, since: float | None = None, until: float | None = None) -> Records:
        """Records newest first; ``before_id`` pages back, ``since <= at < until`` bounds the wall time."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        _finite("since", since)
        _finite("until", until)
        if since is not None and until is not None and since > until:
            raise ValueError("since is after until")
        where: list[str] = []
        params: list[object] = []
        for clause, value in (("id < ?", before_id), ("who = ?", who), ("action = ?", action),
                              ("at >= ?", since), ("at < ?", until)):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = "SELECT * FROM audit" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?"
        return [_record(row) for row in self._db.query(sql, (*params, limit))]

    def verify(self) -> int:
        """How many records do not match their digest (0 when the trail is whole)."""
        bad = sum(1 for row in self._db.query("SELECT * FROM audit ORDER BY id")
                  if record_digest(dict(row)) != row["digest"])
        if bad:
            log.warning("audit records fail their digest", extra={"bad": bad, "path": str(self._db.path)})
        return bad

    def count(self) -> int:
        return int(self._db.query("SELECT COUNT(*) FROM audit")[0][0])

    def close(self) -> None:
        self._db.close()


def _record(row: sqlite3.Row) -> Record:
    out: Record = dict(row)
    out["before"] = _decode(row["before"])
    out["after"] = _decode(row["after"])
    out["ok"] = bool(row["ok"])
    return out
