from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.errors import InputError
from agent.knowledge.catalog import catalog_files, load_catalog
from agent.knowledge.jsoncat import import_json, import_jsonl

MUG = {"id": "mug", "title": "Mug", "price": 12, "variants": [{"name": "Blue", "price": 12, "stock": 3}]}
LAMP = {"id": "lamp", "title": "Lamp", "price": "49,90", "tags": "light, brass", "stock": 2}


def test_json_list_and_products_object_both_import(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text(json.dumps([MUG, LAMP], indent=2), encoding="utf-8")
    b = tmp_path / "b.json"
    b.write_text(json.dumps({"products": [MUG]}), encoding="utf-8")
    ra, rb = import_json(a, "EUR"), import_json(b, "EUR")
    assert ra.count == 2 and rb.count == 1
    lamp = ra.products[1]
    assert (lamp.price, lamp.tags, lamp.stock, lamp.currency) == (49.9, ("light", "brass"), 2, "EUR")
    assert '"lamp"' in a.read_text().splitlines()[lamp.line]  # the line after the object's opening brace
    assert ra.products[0].variants[0].stock == 3


def test_jsonl_imports_one_product_per_line_and_skips_blank_lines(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps(MUG) + "\n\n" + json.dumps(LAMP) + "\n", encoding="utf-8")
    r = import_jsonl(f, "EUR")
    assert [(p.id, p.line) for p in r.products] == [("mug", 1), ("lamp", 3)]


def test_json_error_points_at_the_line_of_the_bad_field(tmp_path: Path) -> None:
    f = tmp_path / "bad.json"
    bad = dict(LAMP, stock=1.5)
    f.write_text(json.dumps([MUG, bad], indent=2), encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_json(f, "EUR")
    lines = f.read_text().splitlines()
    assert err.value.field == "stock"
    assert '"stock": 1.5' in lines[(err.value.line or 0) - 1]


def test_json_variant_error_names_the_variant(tmp_path: Path) -> None:
    f = tmp_path / "bad.json"
    f.write_text(json.dumps([{"id": "a", "title": "A", "variants": [{"name": "S"}, {"price": 3}]}], indent=2))
    with pytest.raises(InputError) as err:
        import_json(f, "EUR")
    assert err.value.field == "variants[1].name"
    lines = f.read_text().splitlines()
    assert lines[(err.value.line or 0) - 1].strip() == "{"  # the variant's own object
    assert '"price": 3' in lines[err.value.line or 0]


def test_invalid_json_and_jsonl_report_the_line(tmp_path: Path) -> None:
    f = tmp_path / "x.json"
    f.write_text('[\n {"id": "a",\n  "title": }\n]', encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_json(f, "EUR")
    assert err.value.line == 3
    g = tmp_path / "y.jsonl"
    g.write_text(json.dumps(MUG) + "\n" + '{"id": "b", "title": "B", "price": -1}\n', encoding="utf-8")
    with pytest.raises(InputError) as err2:
        import_jsonl(g, "EUR")
    assert (err2.value.line, err2.value.field) == (2, "price")


def test_duplicate_id_across_files_names_both_files(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps(MUG) + "\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\nid: mug\ntitle: Other mug\n---\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_catalog([tmp_path], "EUR")
    message = str(err.value)
    assert str(tmp_path / "a.jsonl") in message and str(tmp_path / "b.md") in message


def test_folder_scan_skips_hidden_files_and_chat_logs_but_not_catalogs(tmp_path: Path) -> None:
    (tmp_path / "shop.jsonl").write_text(json.dumps(MUG) + "\n", encoding="utf-8")
    (tmp_path / "demo_chat.jsonl").write_text('{"type": "comment", "user": "a", "text": "hi"}\n')
    (tmp_path / ".draft.md").write_text("---\ntitle: x\n---\n")
    (tmp_path / "notes.txt").write_text("not a catalog")
    (tmp_path / "questions.jsonl").write_text('{"question": "how much?", "expect": "answer"}\n')
    (tmp_path / "woo.jsonl").write_text('{"name": "Apron", "regular_price": "30"}\n')  # another tool's names
    assert [f.name for f in catalog_files([tmp_path])] == ["shop.jsonl", "woo.jsonl"]


def test_missing_path_and_unsupported_file_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_catalog([tmp_path / "nope"], "EUR")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(InputError, match="unsupported"):
        load_catalog([tmp_path / "x.txt"], "EUR")
