"""Read a show for the report: an on-air record (SQLite), a ``livehost rehearse --json`` output, or the console's
JSONL export of the record (what was said only).

Whatever is wrong with the file is an :class:`~agent.errors.InputError` naming the file, the line (a JSON line,
or the record's row) and the field: a file that is not an SQLite database although it is named like one, a JSON
document cut short, a JSON line that does not parse, an entry whose field has the wrong type.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from agent.errors import InputError
from agent.records.events import EVENT_KINDS, read_said, read_seen, read_shows
from agent.records.onair import KINDS

SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


@dataclass
class ShowData:
    """One show: what was said (the on-air record's entries, oldest first) and what the viewers did (``seen``:
    each event with its ``verdict`` and ``fates``; empty for a record written before events were kept)."""

    source: str
    show_id: str
    said: list[dict[str, Any]]
    seen: list[dict[str, Any]]
    name: str = ""
    language: str = ""
    has_events: bool = True
    shows: list[str] = field(default_factory=list)  # every show in the file


def load_show(path: Path, show_id: str | None = None) -> ShowData:
    """The show in ``path`` (the last one of an SQLite record unless ``show_id`` says which)."""
    src = str(path)
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise InputError(src, None, None, f"cannot read: {exc.strerror or exc}") from None
    if head == SQLITE_MAGIC:
        return _from_sqlite(path, show_id)
    if path.suffix.lower() in SQLITE_SUFFIXES:
        raise InputError(src, None, None, "not an SQLite database (an on-air record file starts with "
                                          "'SQLite format 3'): is it the right file, or was it cut short?")
    return _from_json(path, show_id)


# -- SQLite -----------------------------------------------------------------------------------------------------
def _from_sqlite(path: Path, show_id: str | None) -> ShowData:
    src = str(path)
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(src, None, None, f"cannot open the SQLite database: {exc}") from None
    conn.row_factory = sqlite3.Row
    try:
        def query(sql: str, params: tuple[object, ...]) -> list[sqlite3.Row]:
            return list(conn.execute(sql, params))

        try:
            tables = {r["name"] for r in query("SELECT name FROM sqlite_master WHERE type = 'table'", ())}
        except sqlite3.DatabaseError as exc:
            raise InputError(src, None, None, f"not a readable SQLite database: {exc}") from None
        if "onair" not in tables:
            raise InputError(src, None, "onair", "an SQLite database, but not an on-air record (no onair table)")
        try:
            shows = read_shows(query)
        except sqlite3.DatabaseError as exc:
            raise InputError(src, None, None, f"the record cannot be read: {exc}") from None
        ids = [s["show_id"] for s in shows]
        if not shows:
            raise InputError(src, None, "show_id", "the record holds no show")
        if show_id is not None and show_id not in ids:
            raise InputError(src, None, "show_id", f"no show {show_id!r} in the record; it holds: {', '.join(ids)}")
        show = next(s for s in shows if s["show_id"] == (show_id or ids[-1]))
        sid = str(show["show_id"])
        try:
            said = read_said(query, sid)
        except (ValueError, sqlite3.DatabaseError) as exc:
            raise InputError(src, _row(exc), "onair.data", f"an entry does not parse: {exc}") from None
        has_events = "events" in tables and "fates" in tables
        try:
            seen = read_seen(query, sid) if has_events else []
        except (ValueError, sqlite3.DatabaseError) as exc:
            raise InputError(src, None, "fates.detail", f"a fate does not parse: {exc}") from None
    finally:
        conn.close()
    data = ShowData(src, sid, said, seen, str(show.get("name") or ""), str(show.get("language") or ""),
                    has_events, ids)
    _check(data, None)
    return data


def _row(exc: Exception) -> int | None:
    text = str(exc)
    if text.startswith("onair row "):
        head = text[len("onair row "):].split(":", 1)[0]
        return int(head) if head.isdigit() else None
    return None


# -- JSON -------------------------------------------------------------------------------------------------------
def _from_json(path: Path, show_id: str | None) -> ShowData:
    src = str(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(src, raw[: exc.start].count(b"\n") + 1, None, "not UTF-8 text") from None
    if not text.strip():
        raise InputError(src, None, None, "the file is empty")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        lines = [n for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        first = text.splitlines()[lines[0] - 1]
        if len(lines) > 1 and _object(first) is not None:
            return _from_jsonl(src, text, show_id)
        ends = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated")
        cut = "; the file ends early: was it cut short?" if ends else ""
        raise InputError(src, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno}){cut}") from None
    one_line = 1 if "\n" not in text.strip() else None
    if not isinstance(doc, dict) or "timeline" not in doc:
        raise InputError(src, one_line, "timeline", "not a `livehost rehearse --json` output (no timeline) "
                                                    "and not an on-air record")
    said = doc.get("said")
    if said is None:  # an older rehearsal: what was said is in its timeline, without the reply's account
        said = [{**t, "product_id": t.get("product")} for t in _list(doc, "timeline", src, one_line)]
    seen = doc.get("seen", [])
    show: dict[str, Any] = doc["show"] if isinstance(doc.get("show"), dict) else {}
    data = ShowData(src, show_id or "rehearsal", _list({"said": said}, "said", src, one_line),
                    _list({"seen": seen}, "seen", src, one_line), str(show.get("name") or ""),
                    str(show.get("language") or ""), "seen" in doc, [show_id or "rehearsal"])
    _check(data, one_line)
    return data


def _from_jsonl(src: str, text: str, show_id: str | None) -> ShowData:
    """The console's export: one on-air record entry a line."""
    said: list[dict[str, Any]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        entry = _object(line)
        if entry is None:
            try:
                json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(src, n, None, f"this line is not valid JSON: {exc.msg} (column "
                                               f"{exc.colno})") from None
            raise InputError(src, n, None, "each line must be a JSON object (an on-air record entry)")
        if show_id is not None and entry.get("show_id") not in (None, show_id):
            continue
        _entry(entry, src, n, "")
        said.append(entry)
    ids = sorted({str(e["show_id"]) for e in said if e.get("show_id")})
    sid = show_id or (str(said[-1].get("show_id") or "record") if said else "record")
    return ShowData(src, sid, [e for e in said if str(e.get("show_id") or sid) == sid], [], has_events=False,
                    shows=ids)


def _object(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _list(doc: Mapping[str, Any], key: str, src: str, line: int | None) -> list[dict[str, Any]]:
    value = doc.get(key)
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        raise InputError(src, line, key, "must be a list of JSON objects")
    return value


# -- checks -----------------------------------------------------------------------------------------------------
def _check(data: ShowData, line: int | None) -> None:
    for i, entry in enumerate(data.said):
        _entry(entry, data.source, line if line is not None else _int(entry.get("id")), f"said[{i}].")
    for i, event in enumerate(data.seen):
        where = f"seen[{i}]."
        if event.get("kind") not in EVENT_KINDS:
            raise InputError(data.source, line, where + "kind", f"must be one of {sorted(EVENT_KINDS)}")
        _number(event, "t", data.source, line, where)
        if not isinstance(event.get("verdict"), dict):
            raise InputError(data.source, line, where + "verdict", "must be an object (action, category, reason)")
        fates = event.get("fates", [])
        if not isinstance(fates, list) or not all(isinstance(f, dict) and isinstance(f.get("fate"), str)
                                                  for f in fates):
            raise InputError(data.source, line, where + "fates", "must be a list of objects with a fate")


def _entry(entry: Mapping[str, Any], src: str, line: int | None, where: str) -> None:
    if entry.get("kind") not in KINDS:
        raise InputError(src, line, where + "kind", f"must be one of {sorted(KINDS)}")
    if not isinstance(entry.get("text"), str):
        raise InputError(src, line, where + "text", "must be a string")
    for key in ("start", "end"):
        _number(entry, key, src, line, where)
    for key in ("facts", "rejected", "comments"):
        if entry.get(key) is not None and not isinstance(entry.get(key), list):
            raise InputError(src, line, where + key, "must be a list")


def _number(d: Mapping[str, Any], key: str, src: str, line: int | None, where: str) -> None:
    v = d.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise InputError(src, line, where + key, "must be a number (seconds on the show clock)")


def _int(v: object) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None
