"""The on-air record: what was said comes back whole, and the console's searches (text in English or Chinese with
``%`` and ``_`` taken literally, product, asker, time, kind, show) find exactly the rows they should."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.records import onair
from agent.records.onair import OnAirRecord
from testkit.wall import Wall


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "onair.sqlite"


@pytest.fixture
def rec(db: Path, wall: Wall) -> Iterator[OnAirRecord]:
    r = OnAirRecord(db, show_id="show-1", wall=wall)
    yield r
    r.close()


def _entry(text: str, kind: str = "reply", **extra: object) -> dict[str, object]:
    return {"kind": kind, "text": text, **extra}


def _texts(rows: list[dict[str, object]]) -> list[object]:
    return [r["text"] for r in rows]


FULL = {
    "start": 12.5, "end": 15.25, "kind": "reply", "text": "Yes, the bottle keeps tea hot for 12 hours.",
    "comment": {"user": "Ann", "text": "how long does it stay hot?"},
    "comments": [{"user": "Ann", "text": "how long does it stay hot?"}, {"user": "Bo", "text": "hours hot?"}],
    "product_id": "p-1", "product_title": "不锈钢保温杯 500ml", "language": "en", "source": "llm",
    "attribute": "insulation", "facts": ["keeps drinks hot for 12 hours"],
    "rejected": [["It is the best bottle ever.", "superlative"]], "timings": {"llm_ms": 420.0, "tts_ms": 80},
    "latency_ms": 612, "interrupted": False, "approval": {"by": "mod", "edited": False}, "utterance_id": "u-7",
}


def test_add_stores_the_whole_entry_and_search_reads_it_back(rec: OnAirRecord, wall: Wall, db: Path) -> None:
    wall.t = 1700000000.25
    rid = rec.add(FULL)

    (row,) = rec.search()
    assert row == {**FULL, "id": rid, "show_id": "show-1", "at": 1700000000.25}
    conn = sqlite3.connect(db)
    try:
        cols = conn.execute('SELECT start, "end", kind, user, comment, product_id, product_title, language'
                            " FROM onair").fetchone()
    finally:
        conn.close()
    assert cols == (12.5, 15.25, "reply", "Ann", "how long does it stay hot?", "p-1", "不锈钢保温杯 500ml", "en")
    assert rec.count() == 1


def test_first_asker_comes_from_comments_when_comment_is_missing(rec: OnAirRecord) -> None:
    rec.add(_entry("thanks both", kind="thanks", comments=[{"user": "Cy", "text": "love it"}, {"user": "Di"}]))
    rec.add(_entry("scripted line", kind="script"))

    assert _texts(rec.search(user="Cy")) == ["thanks both"]
    assert _texts(rec.search(text="love")) == ["thanks both"]  # the first asker's comment is searched too
    assert _texts(rec.search(user="")) == ["scripted line"]  # no asker at all


def test_text_search_is_a_case_insensitive_substring_of_text_or_comment(rec: OnAirRecord) -> None:
    rec.add(_entry("The Jacket is WATERPROOF.", comment={"user": "a", "text": "rain ok?"}))
    rec.add(_entry("Free shipping today.", comment={"user": "b", "text": "Is it Waterproof at all?"}))
    rec.add(_entry("Nothing about water."))

    assert _texts(rec.search(text="waterproof")) == ["Free shipping today.", "The Jacket is WATERPROOF."]
    assert _texts(rec.search(text="RAIN")) == ["The Jacket is WATERPROOF."]
    assert rec.search(text="snow") == []


def test_text_search_finds_a_chinese_substring(rec: OnAirRecord) -> None:
    rec.add(_entry("这款保温杯可以保温十二小时。", language="zh"))
    rec.add(_entry("现在下单包邮。", comment={"user": "小王", "text": "保温杯包邮吗？"}, language="zh"))

    assert _texts(rec.search(text="保温十二")) == ["这款保温杯可以保温十二小时。"]
    assert _texts(rec.search(text="保温杯")) == ["现在下单包邮。", "这款保温杯可以保温十二小时。"]
    assert rec.search(text="保冷") == []


@pytest.mark.parametrize(("needle", "found"), [
    ("50%", ["50% off today"]),
    ("%", ["50% off today"]),
    ("e_c", ["snake_case name"]),
    ("_", ["snake_case name"]),
    ("\\", ["back\\slash"]),
    ("\\%", []),
])
def test_text_search_takes_percent_underscore_and_backslash_literally(rec: OnAirRecord, needle: str,
                                                                      found: list[str]) -> None:
    for text in ["50% off today", "500 off today", "snake_case name", "snakeXcase name", "back\\slash"]:
        rec.add(_entry(text))

    assert _texts(rec.search(text=needle)) == found


def test_product_matches_the_exact_id_or_a_title_substring(rec: OnAirRecord) -> None:
    rec.add(_entry("bottle", product_id="p-1", product_title="不锈钢保温杯"))
    rec.add(_entry("bottle big", product_id="p-10", product_title="Big 100% Bottle"))
    rec.add(_entry("jacket", product_id="p-2", product_title="Rain Jacket"))

    assert _texts(rec.search(product="p-1")) == ["bottle"]  # not p-10
    assert _texts(rec.search(product="保温杯")) == ["bottle"]
    assert _texts(rec.search(product="bottle")) == ["bottle big"]
    assert _texts(rec.search(product="0%")) == ["bottle big"]
    assert rec.search(product="p-") == []


def test_user_matches_the_first_or_any_merged_asker_by_exact_name(rec: OnAirRecord) -> None:
    rec.add(_entry("merged reply", comment={"user": "Ann", "text": "q1"},
                   comments=[{"user": "Ann", "text": "q1"}, {"user": "Bo", "text": "q2"}, {"user": "小王"}]))
    rec.add(_entry("anna reply", comment={"user": "Anna", "text": "q3"}, comments=[{"user": "Anna", "text": "q3"}]))
    # the name appears elsewhere in the entry, but not as an asker
    rec.add(_entry('Bo said "user": "Bo"', comment={"user": "Cy", "text": '{"user": "Bo"}'},
                   approval={"user": "Bo"}, facts=['"user": "Bo"']))

    assert _texts(rec.search(user="Ann")) == ["merged reply"]
    assert _texts(rec.search(user="Bo")) == ["merged reply"]
    assert _texts(rec.search(user="小王")) == ["merged reply"]
    assert _texts(rec.search(user="Anna")) == ["anna reply"]
    assert rec.search(user="An") == []
    assert _texts(rec.search(user="Cy")) == ['Bo said "user": "Bo"']


def test_time_window_is_half_open_on_wall_time(rec: OnAirRecord, wall: Wall) -> None:
    for t in (100.0, 200.0, 300.0):
        wall.t = t
        rec.add(_entry(f"at {t:.0f}"))

    assert _texts(rec.search(since=200.0, until=300.0)) == ["at 200"]
    assert _texts(rec.search(since=200.0)) == ["at 300", "at 200"]
    assert _texts(rec.search(until=200.0)) == ["at 100"]


def test_kind_and_show_filters_and_paging(db: Path, wall: Wall) -> None:
    first = OnAirRecord(db, show_id="monday", wall=wall)
    second = OnAirRecord(db, show_id="tuesday", wall=wall)
    try:
        first.add(_entry("m script", kind="script"))
        first.add(_entry("m reply"))
        second.add(_entry("t say", kind="say_now"))
        second.add(_entry("t bridge", kind="bridge"))

        assert _texts(first.search(kind="script")) == ["m script"]
        assert _texts(first.search(show_id="tuesday")) == ["t bridge", "t say"]
        assert _texts(second.search()) == ["t bridge", "t say", "m reply", "m script"]
        assert _texts(second.search(limit=2, offset=1)) == ["t say", "m reply"]
        assert _texts(second.search(text="reply", show_id="monday", kind="reply")) == ["m reply"]
    finally:
        first.close()
        second.close()


def test_export_jsonl_writes_oldest_first_and_roundtrips(rec: OnAirRecord, wall: Wall,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onair, "EXPORT_PAGE", 2)  # several pages from a few rows
    rec.add(FULL)
    for i in range(5):
        wall.t += 1
        rec.add(_entry(f"第{i}句", product_id="p-1" if i % 2 else "p-2"))

    out = io.StringIO()
    assert rec.export_jsonl(out) == 6
    lines = out.getvalue().splitlines()
    assert [json.loads(s) for s in lines] == rec.search()[::-1]
    assert "不锈钢保温杯" in lines[0] and "第0句" in lines[1]  # readable, not \\u escapes

    some = io.StringIO()
    assert rec.export_jsonl(some, product="p-1", since=1001.0) == 2
    assert [json.loads(s)["text"] for s in some.getvalue().splitlines()] == ["第1句", "第3句"]


@pytest.mark.parametrize("kwargs", [
    {"limit": 0}, {"limit": 1001}, {"offset": -1}, {"kind": "shout"}, {"since": 10.0, "until": 5.0},
    {"since": float("nan")}, {"until": float("-inf")},
])
def test_search_refuses_bad_filters(rec: OnAirRecord, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        rec.search(**kwargs)  # type: ignore[arg-type]


def test_export_refuses_bad_and_unknown_filters(rec: OnAirRecord) -> None:
    with pytest.raises(ValueError):
        rec.export_jsonl(io.StringIO(), kind="shout")
    with pytest.raises(TypeError):
        rec.export_jsonl(io.StringIO(), limit=5)  # type: ignore[call-arg]


@pytest.mark.parametrize("entry", [
    {"text": "no kind"}, {"kind": "shout", "text": "x"}, {"kind": "reply"}, {"kind": "reply", "text": 5},
    {"kind": "reply", "text": "x", "start": "soon"}, {"kind": "reply", "text": "x", "end": float("nan")},
    {"kind": "reply", "text": "x", "start": True}, {"kind": "reply", "text": "x", "comment": "Ann: hi"},
    {"kind": "reply", "text": "x", "comments": ["Ann"]}, {"kind": "reply", "text": "x", "comments": "Ann"},
    {"kind": "reply", "text": "x", "timings": {"llm_ms": float("nan")}},
])
def test_add_refuses_a_malformed_entry_and_stores_nothing(rec: OnAirRecord, entry: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        rec.add(entry)
    assert rec.count() == 0


def test_show_id_is_required(db: Path) -> None:
    with pytest.raises(ValueError):
        OnAirRecord(db, show_id="")
