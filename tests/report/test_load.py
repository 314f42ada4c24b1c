"""Reading a show for the report: an on-air record picks its last show (or the one asked for), a rehearsal and
the console's JSONL export are read too, and whatever is wrong with a file is an error naming the file, the line
and the field: a truncated JSON file, a JSON line that does not parse, a file that is not SQLite, a bad field."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from agent.errors import InputError
from agent.records.onair import OnAirRecord
from agent.report.load import load_show

REHEARSAL = {
    "timeline": [], "dropped": [], "summary": {}, "show": {"name": "Shop", "language": "fr"},
    "said": [{"utterance_id": "u1", "start": 5.0, "end": 8.0, "kind": "reply", "text": "59 EUR.",
              "comment": {"user": "ana", "text": "price?"}, "comments": [{"user": "ana", "text": "price?"}],
              "source": "facts", "facts": ["price: 59 EUR"]}],
    "seen": [{"seq": 1, "t": 3.0, "kind": "comment", "platform": "douyin", "user": "ana", "text": "price?",
              "verdict": {"action": "answer", "category": "product_question"},
              "fates": [{"fate": "answered", "reason": "said", "utterance_id": "u1", "t": 8.0}]}],
}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_rehearsal_is_read_with_its_language_and_events(tmp_path: Path) -> None:
    data = load_show(write(tmp_path / "r.json", json.dumps(REHEARSAL)))
    assert (data.language, data.name, len(data.said), len(data.seen), data.has_events) == ("fr", "Shop", 1, 1, True)


def test_an_older_rehearsal_without_said_is_read_from_its_timeline(tmp_path: Path) -> None:
    old = {"timeline": [{"start": 1.0, "end": 2.0, "kind": "script", "text": "Hello", "comment": None,
                         "interrupted": False, "product": "linen-shirt"}], "dropped": [], "summary": {}}
    data = load_show(write(tmp_path / "old.json", json.dumps(old)))
    assert data.said[0]["product_id"] == "linen-shirt" and data.seen == [] and not data.has_events


def test_a_truncated_json_file_names_its_last_line(tmp_path: Path) -> None:
    text = json.dumps(REHEARSAL, indent=1)
    path = write(tmp_path / "cut.json", text[: len(text) // 2])
    with pytest.raises(InputError) as err:
        load_show(path)
    assert err.value.source == str(path) and err.value.line == text[: len(text) // 2].count("\n") + 1
    assert "cut short" in str(err.value) and str(path) in str(err.value)


def test_a_json_line_that_does_not_parse_is_named_by_its_line(tmp_path: Path) -> None:
    lines = [json.dumps({"kind": "script", "text": f"line {i}", "start": i, "end": i + 1}) for i in range(4)]
    lines[2] = '{"kind": "reply", "text": "cut'
    path = write(tmp_path / "export.jsonl", "\n".join(lines))
    with pytest.raises(InputError, match=r"export\.jsonl:3: this line is not valid JSON") as err:
        load_show(path)
    assert err.value.line == 3


def test_the_consoles_export_is_read_as_what_was_said(tmp_path: Path) -> None:
    lines = [json.dumps({"kind": "script", "text": f"line {i}", "start": i, "end": i + 1, "show_id": "a"})
             for i in range(3)]
    data = load_show(write(tmp_path / "onair.jsonl", "\n".join(lines)))
    assert len(data.said) == 3 and data.show_id == "a" and not data.has_events


@pytest.mark.parametrize("name", ["onair.sqlite3", "record.db"])
def test_a_file_named_like_a_record_that_is_not_sqlite_says_so(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, "this is not a database, only text\n" * 40)
    with pytest.raises(InputError, match="not an SQLite database") as err:
        load_show(path)
    assert err.value.source == str(path)


def test_an_sqlite_file_cut_short_is_not_readable(tmp_path: Path) -> None:
    good = tmp_path / "good.sqlite3"
    rec = OnAirRecord(good, show_id="s")
    for i in range(200):
        rec.add({"kind": "script", "text": f"sentence {i} " * 20, "start": i, "end": i + 1})
    rec.close()
    cut = tmp_path / "cut.sqlite3"
    cut.write_bytes(good.read_bytes()[:5000])
    with pytest.raises(InputError, match=str(cut)):
        load_show(cut)


def test_an_sqlite_database_that_is_no_record_is_refused_naming_the_table(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(InputError, match="not an on-air record") as err:
        load_show(path)
    assert err.value.field == "onair"


@pytest.mark.parametrize(("where", "key", "value", "field"), [
    ("seen", "t", "3", "seen[0].t"),
    ("seen", "kind", "wave", "seen[0].kind"),
    ("said", "start", None, "said[0].start"),
    ("said", "facts", "price", "said[0].facts"),
    ("", "timeline", None, "timeline"),
])
def test_a_bad_field_is_named_with_its_line(tmp_path: Path, where: str, key: str, value: object, field: str) -> None:
    doc = json.loads(json.dumps(REHEARSAL))
    if where:
        doc[where][0][key] = value
    else:
        del doc[key]
    path = write(tmp_path / "bad.json", json.dumps(doc))
    with pytest.raises(InputError) as err:
        load_show(path)
    assert (err.value.field, err.value.line) == (field, 1)
    assert f"{path}:1: field '{field}'" in str(err.value)


def test_the_last_show_of_a_record_is_read_unless_another_is_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "onair.sqlite3"
    for n, (sid, wall) in enumerate((("monday", 1_000.0), ("tuesday", 2_000.0))):
        rec = OnAirRecord(path, show_id=sid, wall=functools.partial(float, wall))
        rec.events.add_show(sid.title(), "zh")
        rec.add({"kind": "script", "text": f"hello {sid}", "start": 1.0, "end": 2.0})
        rec.events.add_event({"t": 1.5, "kind": "like", "user": f"u{n}", "action": "thank", "category": "social"})
        rec.close()
    last = load_show(path)
    assert (last.show_id, last.name, last.language, last.shows) == ("tuesday", "Tuesday", "zh", ["monday", "tuesday"])
    assert load_show(path, "monday").said[0]["text"] == "hello monday"
    with pytest.raises(InputError, match="no show 'friday' in the record; it holds: monday, tuesday"):
        load_show(path, "friday")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nothing.json: cannot read"):
        load_show(tmp_path / "nothing.json")
