from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import InputError
from agent.knowledge.catalog import load_catalog
from agent.knowledge.frontmatter import split_front_matter
from agent.knowledge.markdown import import_markdown

from .conftest import SAMPLE_SHOP

SHEET = """---
id: tee
title: Cotton Tee   # a comment
price: 29.5
currency: EUR
stock: 4
tags: [cotton, basics]
material: organic cotton
variants:
  - name: S / White
    price: 29.5
    compare_at: 35
    stock: 2
    sku: TEE-S
  - {name: M / Black, price: 31, stock: 0, sku: TEE-M}
---
# Cotton Tee

A **soft** tee. See [care](https://x.example).
"""


def write(tmp_path: Path, text: str, name: str = "tee.md") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_markdown_sheet_becomes_product_with_variants_facts_and_plain_text(tmp_path: Path) -> None:
    result = import_markdown(write(tmp_path, SHEET), "USD")
    assert result.count == 1
    p = result.products[0]
    assert (p.id, p.title, p.price, p.currency, p.stock) == ("tee", "Cotton Tee", 29.5, "EUR", 4)
    assert p.tags == ("cotton", "basics")
    assert p.facts == (("material", "organic cotton"),)
    assert [(v.name, v.price, v.compare_at, v.stock, v.sku) for v in p.variants] == [
        ("S / White", 29.5, 35.0, 2, "TEE-S"),
        ("M / Black", 31.0, None, 0, "TEE-M"),
    ]
    assert p.text == "Cotton Tee\n\nA soft tee. See care."
    assert p.line == 1


def test_front_matter_records_the_line_of_each_nested_value() -> None:
    fm = split_front_matter(SHEET, "x.md")
    assert fm.line("variants", 0, "compare_at") == 12
    assert fm.line("variants", 1) == 15
    assert fm.body_line == 17


def test_missing_id_defaults_to_file_name_and_currency_to_the_setting(tmp_path: Path) -> None:
    p = import_markdown(write(tmp_path, "---\ntitle: Mug\nprice: 12\n---\nA mug.", "blue-mug.md"), "EUR")
    assert (p.products[0].id, p.products[0].currency) == ("blue-mug", "EUR")


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("---\nid: a\ntitle: A\nprice: twelve\n---\n", 4, "price"),
        ("---\nid: a\nprice: 3\n---\n", 1, "title"),
        ("---\nid: a\ntitle: A\nvariants:\n  - name: S\n    stock: 2.5\n---\n", 6, "variants[0].stock"),
        ("---\nid: a\ntitle: A\nvariants:\n  - price: 4\n---\n", 5, "variants[0].name"),
        ("---\nid: a\ntitle: A\ntags: [a, b\n---\n", 4, None),
        ("---\nid: a\ntitle: A\n", 1, None),
    ],
)
def test_bad_sheet_error_names_file_line_and_field(tmp_path: Path, text: str, line: int, field: str | None) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        import_markdown(path, "EUR")
    assert (err.value.source, err.value.line, err.value.field) == (str(path), line, field)
    assert str(path) in str(err.value)


def test_sample_shop_has_ten_varied_eur_products() -> None:
    products = load_catalog([SAMPLE_SHOP], "EUR")
    assert len(products) >= 10
    assert all(p.currency == "EUR" and p.price is not None for p in products)
    assert any(p.compare_at is not None and p.price is not None and p.compare_at > p.price for p in products)
    with_variants = [p for p in products if p.variants]
    assert any(len({v.price for v in p.variants}) > 1 for p in with_variants)
    assert any(v.stock == 0 for p in with_variants for v in p.variants)
