from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import InputError
from agent.knowledge.catalog import load_catalog
from agent.knowledge.htmltext import html_to_text
from agent.knowledge.shopify import import_shopify

from .conftest import SHOPIFY

HEADER = "Handle,Title,Body (HTML),Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,Variant Price,Variant Compare At Price\n"  # noqa: E501


def test_shopify_fixtures_import_sixty_products_across_three_files() -> None:
    results = [import_shopify(f, "EUR") for f in sorted(SHOPIFY.glob("*.csv"))]
    assert [r.count for r in results] == [20, 20, 20]
    products = {p.id: p for p in load_catalog([SHOPIFY], "EUR")}
    assert len(products) == 60
    pot = products["clay-plant-pot"]
    assert [(v.name, v.price, v.stock) for v in pot.variants] == [("Regular", 9.99, 1), ("Large", 15.99, 3)]
    assert pot.price == 9.99 and pot.total_stock == 4 and pot.variants[0].options == (("Size", "Regular"),)
    anchor = products["leather-anchor"]
    assert [(v.name, v.price, v.compare_at, v.stock) for v in anchor.variants] == [
        ("Gold", 69.99, 85.0, 1),
        ("Silver", 55.0, 85.0, 0),
    ]
    sofa = products["cream-sofa"]
    assert (sofa.variants, sofa.price, sofa.compare_at, sofa.stock) == ((), 500.0, 750.0, 4)
    assert sofa.category == "Indoor" and sofa.tags == ("Couch", "Wood")
    assert all(p.currency == "EUR" and "<" not in p.text for p in products.values())


def test_html_body_is_stripped_to_text_with_paragraphs() -> None:
    assert html_to_text("<p>Soft &amp; warm</p><ul><li>wool</li><li>silk</li></ul>") == "Soft & warm\nwool\nsilk"


def test_multiline_html_body_keeps_physical_line_numbers(tmp_path: Path) -> None:
    f = tmp_path / "shop.csv"
    f.write_text(
        HEADER
        + 'hat,Hat,"<p>line one</p>\n<p>line two</p>",Size,S,,1,10,\n'
        + "hat,,,,M,,2,12,\n"
        + "scarf,Scarf,,Title,Default Title,,1,abc,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        import_shopify(f, "EUR")
    assert (err.value.line, err.value.field) == (5, "Variant Price")
    assert f"{f}:5" in str(err.value)


@pytest.mark.parametrize(
    ("rows", "line", "field"),
    [
        (",Hat,,Title,Default Title,,1,10,\n", 2, "Handle"),
        ("hat,,,Title,Default Title,,1,10,\n", 2, "Title"),
        ("hat,Hat,,Size,S,,x,10,\n", 2, "Variant Inventory Qty"),
        ("hat,Hat,,Size,S,,1,10,-5\n", 2, "Variant Compare At Price"),
        ("hat,Hat,,Size,S,,1,10,\ncap,Cap,,Size,S,,1,5,\nhat,,,,M,,1,10,\n", 4, "Handle"),
    ],
)
def test_bad_shopify_rows_name_the_row_and_column(tmp_path: Path, rows: str, line: int, field: str) -> None:
    f = tmp_path / "shop.csv"
    f.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_shopify(f, "EUR")
    assert (err.value.source, err.value.line, err.value.field) == (str(f), line, field)


def test_csv_without_shopify_columns_is_rejected_on_the_header(tmp_path: Path) -> None:
    f = tmp_path / "other.csv"
    f.write_text("name,price\nhat,10\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_shopify(f, "EUR")
    assert (err.value.line, err.value.field) == (1, "Handle")
