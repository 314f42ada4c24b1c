"""Live edits stay cheap: unchanged records are not parsed again and one edited product patches one row."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from agent.errors import InputError
from agent.knowledge.base import KnowledgeBase
from agent.knowledge.catalog import import_file, load_catalog
from agent.knowledge.embedding import HashEmbedder
from agent.knowledge.keywords import product_terms
from agent.knowledge.ranking import Snapshot
from agent.settings import KnowledgeSettings

from .conftest import SHOPIFY, CountingEmbedder

HASH = KnowledgeSettings(embedding="hash")


def records(n: int) -> list[dict[str, object]]:
    colours = ["red", "navy", "olive", "sand"]
    return [
        {
            "id": f"item-{i}",
            "title": f"{colours[i % 4].title()} Item {i}",
            "price": 10 + i,
            "tags": [colours[i % 4], "cotton" if i % 2 else "wool"],
            "variants": [{"name": "S", "price": 10 + i, "stock": i % 3, "sku": f"IT-{i}-S"}],
            "description": f"A {colours[i % 4]} thing, number {i}.",
        }
        for i in range(n)
    ]


def write_jsonl(path: Path, recs: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")


def assert_same_snapshot(a: Snapshot, b: Snapshot) -> None:
    assert a.products == b.products and a.rows == b.rows
    assert np.array_equal(a.matrix, b.matrix)
    assert a.keywords.size == b.keywords.size and a.keywords.postings.keys() == b.keywords.postings.keys()
    for term, (idx, vals) in a.keywords.postings.items():
        other = b.keywords.postings[term]
        assert np.array_equal(idx, other[0]) and np.array_equal(vals, other[1]), term


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_reimport_reuses_unchanged_records_and_equals_a_fresh_import(tmp_path: Path, suffix: str) -> None:
    f = tmp_path / f"shop{suffix}"
    recs = records(30)
    if suffix == ".csv":
        shutil.copy(SHOPIFY / "apparel.csv", f)
    else:
        dump(f, recs)
    first = import_file(f, "EUR")
    victim = first.products[3]
    if suffix == ".csv":
        f.write_text(f.read_text(encoding="utf-8").replace(victim.title, victim.title + " Deluxe", 1))
    else:
        recs[3]["title"] = f"{victim.title} Deluxe"
        dump(f, recs)
    again = import_file(f, "EUR", previous=first)
    assert again == import_file(f, "EUR")
    assert again.products[3].title == victim.title + " Deluxe"
    assert all(a is b for i, (a, b) in enumerate(zip(first.products, again.products, strict=True)) if i != 3)
    if suffix == ".csv":
        return
    dump(f, [{"id": "new", "title": "New"}, *recs])  # a record added above: every line number moves
    shifted = import_file(f, "EUR", previous=again)
    assert shifted == import_file(f, "EUR") and shifted.products[1].line > again.products[0].line


def dump(path: Path, recs: list[dict[str, object]]) -> None:
    if path.suffix == ".jsonl":
        write_jsonl(path, recs)
    else:
        path.write_text(json.dumps(recs, indent=1), encoding="utf-8")


@pytest.mark.parametrize(("blank_at", "bad_price_at"), [(10, 20), (20, 10)])
def test_reimport_of_a_broken_csv_reports_the_same_first_error(
    tmp_path: Path, blank_at: int, bad_price_at: int
) -> None:
    f = tmp_path / "shop.csv"
    shutil.copy(SHOPIFY / "apparel.csv", f)
    first = import_file(f, "EUR")
    with f.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    price = rows[0].index("Variant Price")
    rows[bad_price_at][price] = "abc"
    rows.insert(blank_at, ["", *rows[blank_at][1:]])  # a row without its handle
    with f.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(InputError) as fresh_err:
        import_file(f, "EUR")
    with pytest.raises(InputError) as memo_err:
        import_file(f, "EUR", previous=first)
    assert str(memo_err.value) == str(fresh_err.value)
    assert fresh_err.value.field == ("Handle" if blank_at < bad_price_at else "Variant Price")


def test_snapshot_update_equals_a_full_build() -> None:
    products = load_catalog([SHOPIFY], "EUR")
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(products), 8)).astype(np.float32)
    snap = Snapshot.build(products, vectors, product_terms)
    edited = list(products)
    edits = {
        4: replace(products[4], title="Zeppelin Hat", tags=()),  # terms gained and lost: idf changes
        9: replace(products[9], text=products[9].text + " Brass."),  # weights of existing terms
        17: replace(products[17], price=1.0),  # no term change at all
    }
    new_vectors = vectors.copy()
    for row, p in edits.items():
        edited[row] = p
        new_vectors[row] = rng.standard_normal(8).astype(np.float32)
    patched = snap.updated({r: (p, new_vectors[r]) for r, p in edits.items()}, product_terms)
    assert_same_snapshot(patched, Snapshot.build(edited, new_vectors, product_terms))
    assert_same_snapshot(snap, Snapshot.build(products, vectors, product_terms))  # the old one is untouched


async def test_editing_one_product_changes_only_its_row_and_search_follows(tmp_path: Path) -> None:
    cat = tmp_path / "shop.jsonl"
    recs = records(40)
    write_jsonl(cat, recs)
    counting = CountingEmbedder()
    kb = KnowledgeBase(HASH, [cat], tmp_path / "data", embedder=counting)
    kb.sync()
    before = kb.snapshot
    assert before is not None
    counting.passages.clear()
    recs[7]["title"] = "Zeppelin Lantern"
    recs[7]["description"] = "A brass lantern shaped like an airship."
    write_jsonl(cat, recs)
    report = kb.sync()
    after = kb.snapshot
    assert after is not None and report.embedded == 1 and len(counting.passages) == 2
    changed = [r for r in range(after.size) if not np.array_equal(before.matrix[r], after.matrix[r])]
    assert changed == [after.rows["item-7"]]
    assert [p.id for p in after.products] == [p.id for p in before.products]
    assert all(a is b for i, (a, b) in enumerate(zip(before.products, after.products, strict=True)) if i != 7)
    hits = await kb.search("zeppelin lantern", k=3)
    assert hits[0].product.id == "item-7" and hits[0].product.title == "Zeppelin Lantern"
    assert "zeppelin" not in before.keywords and "zeppelin" in after.keywords
    fresh = KnowledgeBase(HASH, [cat], tmp_path / "fresh", embedder=HashEmbedder())
    fresh.sync()
    assert fresh.snapshot is not None
    assert_same_snapshot(after, fresh.snapshot)


def test_adding_and_removing_products_rebuilds_the_snapshot_correctly(tmp_path: Path) -> None:
    cat = tmp_path / "shop.jsonl"
    recs = records(20)
    write_jsonl(cat, recs)
    kb = KnowledgeBase(HASH, [cat], tmp_path / "data", embedder=HashEmbedder())
    kb.sync()
    write_jsonl(cat, [*recs[:5], *recs[6:], {"id": "late", "title": "Late Arrival", "price": 3}])
    report = kb.sync()
    assert (report.added, report.removed) == (1, 1)
    fresh = KnowledgeBase(HASH, [cat], tmp_path / "fresh", embedder=HashEmbedder())
    fresh.sync()
    assert kb.snapshot is not None and fresh.snapshot is not None
    assert_same_snapshot(kb.snapshot, fresh.snapshot)
