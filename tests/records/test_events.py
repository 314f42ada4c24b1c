"""The record's events and fates: every event comes back whole with its verdict and its fates in order, writes
are batched (and a reader or a close writes what waits), each show of a file keeps its own numbering, and a
bad row is refused with the field it names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.records import events as store
from agent.records.events import read_events, read_fates, read_seen, read_shows
from agent.records.onair import OnAirRecord
from testkit.wall import Wall


@pytest.fixture
def rec(tmp_path: Path, wall: Wall) -> Iterator[OnAirRecord]:
    r = OnAirRecord(tmp_path / "onair.sqlite3", show_id="show-1", wall=wall)
    yield r
    r.close()


def comment(t: float, text: str, **extra: object) -> dict[str, object]:
    return {"t": t, "kind": "comment", "platform": "douyin", "user": "ana", "user_id": "u1", "text": text,
            "action": "answer", "category": "product_question", "reason": "asks about price", "topic": "",
            "language": "en", **extra}


def test_events_come_back_whole_with_their_fates_in_order(rec: OnAirRecord, wall: Wall) -> None:
    rec.events.add_show("Maison Lumière", "fr")
    first = rec.events.add_event(comment(12.5, "多少钱？", language="zh"))
    gift = rec.events.add_event({"t": 13.0, "kind": "gift", "platform": "twitch", "user": "bo", "count": 1,
                                 "gift": {"name": "rose", "count": 5, "value": 2.5, "currency": "EUR"},
                                 "action": "thank", "category": "gift", "reason": "gift: 5 x rose"})
    rec.events.add_fate(first, t=14.0, fate="dropped", reason="displaced", detail={"reason": "displaced: full"})
    wall.t += 1
    rec.events.add_fate(first, t=15.5, fate="answered", reason="said", utterance_id="u-1", detail={"start": 15.5})
    seen = read_seen(rec.events.query, "show-1")
    assert [e["seq"] for e in seen] == [first, gift] == [1, 2]
    assert seen[0]["text"] == "多少钱？" and seen[0]["verdict"] == {
        "action": "answer", "category": "product_question", "reason": "asks about price", "topic": "",
        "language": "zh"}
    assert [(f["fate"], f["reason"], f.get("utterance_id")) for f in seen[0]["fates"]] == [
        ("dropped", "displaced", None), ("answered", "said", "u-1")]
    assert seen[0]["fates"][1]["detail"] == {"start": 15.5} and seen[0]["fates"][1]["at"] == 1001.0
    assert seen[1]["gift"] == {"name": "rose", "count": 5, "value": 2.5, "currency": "EUR"} and seen[1]["fates"] == []
    assert read_shows(rec.events.query)[0] | {"last": None} == {
        "show_id": "show-1", "name": "Maison Lumière", "language": "fr", "started": 1000.0, "last": None}


def test_rows_wait_in_memory_until_a_batch_is_full_or_a_reader_comes(rec: OnAirRecord, tmp_path: Path) -> None:
    other = OnAirRecord(tmp_path / "onair.sqlite3", show_id="reader")  # another connection to the same file
    try:
        for i in range(store.FLUSH_ROWS - 1):
            rec.events.add_event(comment(float(i), f"q{i}"))
        assert rec.events.pending() == store.FLUSH_ROWS - 1
        assert read_events(other.events.query, "show-1") == []  # not written yet
        rec.events.add_event(comment(999.0, "the last one fills the batch"))
        assert rec.events.pending() == 0
        assert len(read_events(other.events.query, "show-1")) == store.FLUSH_ROWS
        rec.events.add_event(comment(1000.0, "waits"))
        assert len(read_events(rec.events.query, "show-1")) == store.FLUSH_ROWS + 1  # a reader writes first
    finally:
        other.close()


def test_rows_waiting_are_written_once_a_second_of_wall_time_has_passed(rec: OnAirRecord, wall: Wall) -> None:
    rec.events.add_event(comment(1.0, "first"))
    assert rec.events.pending() == 1
    wall.t += store.FLUSH_S
    rec.events.add_fate(1, t=2.0, fate="blocked", reason="screen")
    assert rec.events.pending() == 0


def test_closing_the_record_writes_what_waits_and_each_show_numbers_its_own(tmp_path: Path) -> None:
    path = tmp_path / "onair.sqlite3"
    one = OnAirRecord(path, show_id="one", wall=Wall())
    one.events.add_event(comment(1.0, "a"))
    one.close()
    two = OnAirRecord(path, show_id="two", wall=Wall(2_000.0))
    assert two.events.add_event(comment(1.0, "b")) == 1
    again = OnAirRecord(path, show_id="one", wall=Wall(3_000.0))
    assert again.events.add_event(comment(5.0, "c")) == 2  # numbering goes on after a restart
    two.close()
    again.close()
    reader = OnAirRecord(path, show_id="reader")
    try:
        assert [e["text"] for e in read_events(reader.events.query, "one")] == ["a", "c"]
        assert [s["show_id"] for s in read_shows(reader.events.query)] == ["two", "one"]  # by last row written
        assert read_fates(reader.events.query, "one") == []
    finally:
        reader.close()


@pytest.mark.parametrize(("row", "field"), [
    ({"t": 1.0, "kind": "wave"}, "kind"),
    ({"t": float("nan"), "kind": "comment"}, "t"),
    ({"t": 1.0, "kind": "gift", "gift": "rose"}, "gift"),
    ({"t": 1.0, "kind": "like", "count": "12"}, "count"),
])
def test_a_bad_event_is_refused_naming_its_field(rec: OnAirRecord, row: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        rec.events.add_event(row)


def test_a_fate_must_be_answered_dropped_or_blocked(rec: OnAirRecord) -> None:
    with pytest.raises(ValueError, match="fate"):
        rec.events.add_fate(1, t=1.0, fate="lost", reason="?")
