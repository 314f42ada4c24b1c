"""One way to open a SQLite database that survives a killed process: WAL, full sync, one writer at a time.

Each committed transaction is in the write-ahead log before ``commit()`` returns, so ``kill -9`` at any
moment leaves every committed record whole and none half-written; readers never block the writer.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Database:
    """A connection shared by the event loop and worker threads, serialized by a lock."""

    def __init__(self, path: Path | str, schema: str = "", *, sync: str = "FULL") -> None:
        """``sync``: FULL (the default) or NORMAL; in WAL mode both keep every commit through a killed
        process, FULL also through a power cut (at a write's fsync cost)."""
        if sync not in ("FULL", "NORMAL"):
            raise ValueError("sync must be FULL or NORMAL")
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10.0)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(f"PRAGMA synchronous={sync}")
            self._conn.execute("PRAGMA foreign_keys=ON")
            if schema:
                self._conn.executescript(schema)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE ... COMMIT``; rolled back if the block raises."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[object, ...] | dict[str, object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._conn.execute(sql, params))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
