"""The audit trail: records come back newest first with every field, filters and paging select the right ones,
SQLite itself refuses to change or delete a record, and ``verify`` finds one changed behind its back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.records.audit import AuditLog
from testkit.wall import Wall


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "records" / "audit.sqlite"


@pytest.fixture
def audit(db: Path, wall: Wall) -> Iterator[AuditLog]:
    log = AuditLog(db, wall=wall)
    yield log
    log.close()


def _fill(audit: AuditLog, wall: Wall) -> list[int]:
    ids = []
    for t, who, action in [(100.0, "ann", "file.save"), (200.0, "bo", "show.pause"), (300.0, "ann", "show.pause"),
                           (400.0, "cy", "file.save"), (500.0, "ann", "file.save")]:
        wall.t = t
        ids.append(audit.add(who=who, action=action, target=f"t{t:.0f}"))
    return ids


def test_add_returns_increasing_ids_and_list_gives_every_field_newest_first(audit: AuditLog, wall: Wall) -> None:
    wall.t = 1234.5
    first = audit.add(who="ann", role="moderator", action="file.save", target="prompts/host.txt",
                      client="10.0.0.7", before={"v": 1}, after={"v": 2}, ok=True, detail="saved")
    wall.t = 1300.0
    second = audit.add(who="bo", action="login", ok=False, detail="wrong password")

    assert second > first
    newest, oldest = audit.list()
    assert newest["id"] == second and newest["ok"] is False and newest["before"] is None
    assert {k: v for k, v in oldest.items() if k != "digest"} == {
        "id": first, "at": 1234.5, "who": "ann", "role": "moderator", "action": "file.save",
        "target": "prompts/host.txt", "client": "10.0.0.7", "before": {"v": 1}, "after": {"v": 2}, "ok": True,
        "detail": "saved"}
    assert isinstance(oldest["digest"], str) and len(oldest["digest"]) == 64
    assert audit.count() == 2


def test_list_filters_by_who_action_and_half_open_time_window(audit: AuditLog, wall: Wall) -> None:
    ids = _fill(audit, wall)

    assert [r["id"] for r in audit.list(who="ann")] == [ids[4], ids[2], ids[0]]
    assert [r["id"] for r in audit.list(action="show.pause")] == [ids[2], ids[1]]
    assert [r["id"] for r in audit.list(who="ann", action="file.save")] == [ids[4], ids[0]]
    assert [r["id"] for r in audit.list(since=200.0, until=400.0)] == [ids[2], ids[1]]
    assert audit.list(who="an") == []  # names match exactly


def test_list_pages_back_with_before_id_and_limit(audit: AuditLog, wall: Wall) -> None:
    ids = _fill(audit, wall)

    page1 = audit.list(limit=2)
    page2 = audit.list(limit=2, before_id=int(str(page1[-1]["id"])))
    page3 = audit.list(limit=2, before_id=int(str(page2[-1]["id"])))
    assert [r["id"] for r in page1 + page2 + page3] == ids[::-1]


@pytest.mark.parametrize("kwargs", [{"limit": 0}, {"limit": 1001}, {"since": 5.0, "until": 4.0},
                                    {"since": float("nan")}, {"until": float("inf")}])
def test_list_refuses_bad_filters(audit: AuditLog, kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        audit.list(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [{"who": "", "action": "x"}, {"who": "ann", "action": ""}])
def test_add_needs_who_and_action(audit: AuditLog, kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        audit.add(**kwargs)  # type: ignore[arg-type]
    assert audit.count() == 0


def test_update_and_delete_are_refused_even_from_another_connection(audit: AuditLog, db: Path) -> None:
    rid = audit.add(who="ann", action="file.save", detail="original")
    conn = sqlite3.connect(db)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit SET detail = 'forged' WHERE id = ?", (rid,))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit WHERE id = ?", (rid,))
        conn.rollback()
    finally:
        conn.close()

    (rec,) = audit.list()
    assert rec["detail"] == "original"
    assert audit.verify() == 0


def test_verify_counts_a_record_changed_behind_the_triggers(audit: AuditLog, db: Path) -> None:
    rid = audit.add(who="ann", action="file.save")
    audit.add(who="bo", action="file.save")
    assert audit.verify() == 0

    conn = sqlite3.connect(db)
    try:
        conn.execute("DROP TRIGGER audit_no_update")
        conn.execute("UPDATE audit SET who = 'mallory' WHERE id = ?", (rid,))
        conn.commit()
    finally:
        conn.close()
    assert audit.verify() == 1


def test_before_and_after_roundtrip_as_json_with_chinese_kept_readable(audit: AuditLog, db: Path) -> None:
    before = {"words": ["政治", "选举"], "note": "旧版", "n": 3, "nested": {"ok": True, "none": None}}
    after = ["新版 — \"quoted\" 100% _x_", 1.5, None]
    audit.add(who="主持人", action="topics.save", target="banned/政治.toml", before=before, after=after,
              detail="改了两个词")

    (rec,) = audit.list(who="主持人")
    assert rec["before"] == before and rec["after"] == after
    assert rec["detail"] == "改了两个词" and rec["target"] == "banned/政治.toml"
    raw = sqlite3.connect(db)
    try:
        assert "选举" in raw.execute("SELECT before FROM audit").fetchone()[0]  # stored readable, not \\u escapes
    finally:
        raw.close()
    assert audit.verify() == 0


def test_records_and_their_digests_survive_reopening(db: Path, wall: Wall) -> None:
    log = AuditLog(db, wall=wall)
    ids = [log.add(who="ann", action=f"a{i}", after={"i": i}) for i in range(3)]
    log.close()

    again = AuditLog(db, wall=wall)
    try:
        assert [r["id"] for r in again.list()] == ids[::-1]
        assert again.add(who="bo", action="a3") > ids[-1]
        assert again.verify() == 0 and again.count() == 4
    finally:
        again.close()
