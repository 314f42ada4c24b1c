"""JSON catalogs as other tools and people write them: typed prices, nested specs, Shopify's products.json and
WooCommerce's REST shape read as the documented fields (agent.knowledge.fields, agent.knowledge.amounts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.errors import InputError
from agent.knowledge.amounts import amount, currency_mark
from agent.knowledge.htmltext import html_to_text
from agent.knowledge.jsoncat import import_json
from agent.product import Product


def _one(tmp_path: Path, record: dict[str, object], currency: str = "EUR") -> Product:
    f = tmp_path / "shop.json"
    f.write_text(json.dumps([record], ensure_ascii=False, indent=2), encoding="utf-8")
    return import_json(f, currency).products[0]


@pytest.mark.parametrize(
    ("typed", "value"),
    [("12,50", 12.5), ("€12.50", 12.5), ("$2,399.00", 2399.0), ("1 890,00 €", 1890.0), ("1\u202f890,00 €", 1890.0),
     ("45元", 45.0), ("￥45", 45.0), ("RMB 45", 45.0), ("CHF 1'250.50", 1250.5), ("3.5", 3.5),
     ("1.250.000", 1250000.0)],
)
def test_prices_are_read_as_people_type_them(typed: str, value: float) -> None:
    assert amount(typed) == value


@pytest.mark.parametrize("typed", ["abc", "1.2.3", "12,5,0", "about 12"])
def test_a_price_that_is_not_a_number_is_still_an_error(typed: str) -> None:
    assert amount(typed) is None


def test_the_currency_a_typed_price_names_is_kept_when_the_record_has_none(tmp_path: Path) -> None:
    assert (currency_mark("45元"), currency_mark("12 €"), currency_mark("GBP 9"), currency_mark("$9")) == (
        "CNY", "EUR", "GBP", None)
    assert _one(tmp_path, {"id": "a", "title": "茶杯", "price": "45元"}, "EUR").currency == "CNY"
    assert _one(tmp_path, {"id": "a", "title": "Cup", "price": "$9"}, "EUR").currency == "EUR"  # '$': not sure
    assert _one(tmp_path, {"id": "a", "title": "Cup", "price": "9 €", "currency": "CHF"}).currency == "CHF"


def test_nested_specs_and_lists_become_facts_and_links_flags_and_ids_do_not(tmp_path: Path) -> None:
    p = _one(tmp_path, {
        "id": "kettle", "title": "Kettle", "price": 30,
        "specs": {"capacity": "1.2 L", "power": "1500 W", "manual_url": "https://example.com/m.pdf"},
        "colours": ["red", "cream"], "featured": True, "supplier_id": 77, "created_at": "2025-01-02",
        "images": [{"src": "https://example.com/k.jpg"}], "permalink": "https://example.com/kettle",
    })
    assert p.facts == (("capacity", "1.2 L"), ("power", "1500 W"), ("colours", "red, cream"))


def test_a_shopify_products_json_record_reads_like_a_documented_one(tmp_path: Path) -> None:
    p = _one(tmp_path, {
        "id": 901, "title": "Wool Beanie", "body_html": "<p>Soft <b>lambswool</b>.</p><ul><li>One size</li></ul>",
        "vendor": "Knits", "product_type": "Hats", "tags": "winter, wool", "handle": "wool-beanie",
        "options": [{"name": "Colour", "position": 1, "values": ["Rust", "Moss"]}],
        "variants": [
            {"id": 1, "title": "Rust", "option1": "Rust", "price": "25.00", "compare_at_price": "30.00",
             "inventory_quantity": 4, "sku": "B-R", "taxable": True, "grams": 80},
            {"id": 2, "title": "Moss", "option1": "Moss", "price": "25.00", "compare_at_price": None,
             "inventory_quantity": -1, "sku": "B-M"},
        ],
    })
    assert (p.id, p.title, p.price, p.category, p.tags) == ("901", "Wool Beanie", 25.0, "Hats", ("winter", "wool"))
    assert p.text == "Soft lambswool.\nOne size"
    assert [(v.name, v.compare_at, v.stock, v.options) for v in p.variants] == [
        ("Rust", 30.0, 4, (("Colour", "Rust"),)), ("Moss", None, 0, (("Colour", "Moss"),))]
    assert p.facts == (("Colour", "Rust, Moss"),)


def test_shopifys_default_title_variant_is_the_product_itself(tmp_path: Path) -> None:
    p = _one(tmp_path, {
        "id": 5, "title": "Candle", "options": [{"name": "Title", "values": ["Default Title"]}],
        "variants": [{"title": "Default Title", "option1": "Default Title", "price": "18.00",
                      "compare_at_price": "22.00", "inventory_quantity": 9}],
    })
    assert (p.variants, p.price, p.compare_at, p.stock, p.facts) == ((), 18.0, 22.0, 9, ())


def test_a_woocommerce_record_reads_like_a_documented_one(tmp_path: Path) -> None:
    p = _one(tmp_path, {
        "id": 31, "name": "Linen Apron", "type": "simple", "status": "publish", "price": "24.00",
        "regular_price": "28.00", "sale_price": "24.00", "price_html": "<del>28</del> <ins>24</ins>",
        "description": "<p>Heavy linen, two pockets.</p>", "short_description": "<p>Cross-back straps.</p>",
        "stock_quantity": None, "stock_status": "outofstock", "total_sales": 3, "tax_status": "taxable",
        "categories": [{"id": 9, "name": "Kitchen", "slug": "kitchen"}], "tags": [{"id": 1, "name": "linen"}],
        "attributes": [{"id": 0, "name": "Colour", "options": ["Indigo"]}],
        "dimensions": {"length": "80", "width": "60", "height": ""}, "weight": "0.3",
    })
    assert (p.title, p.price, p.compare_at, p.stock, p.category, p.tags) == (
        "Linen Apron", 24.0, 28.0, 0, "Kitchen", ("linen",))
    assert p.text == "Heavy linen, two pockets.\nCross-back straps."
    assert p.facts == (("stock_status", "out of stock"), ("Colour", "Indigo"), ("length", "80"), ("width", "60"),
                       ("weight", "0.3"))


def test_a_regular_price_equal_to_the_price_is_no_discount(tmp_path: Path) -> None:
    p = _one(tmp_path, {"id": "a", "name": "Mug", "price": "9.00", "regular_price": "9.00", "sale_price": ""})
    assert (p.price, p.compare_at) == (9.0, None)


def test_a_documented_field_wins_over_another_tools_name(tmp_path: Path) -> None:
    p = _one(tmp_path, {"id": "a", "title": "Mug", "name": "Ceramic mug", "price": 9, "compare_at": 12,
                        "compare_at_price": 15, "stock": 2, "inventory_quantity": 7})
    assert (p.title, p.compare_at, p.stock) == ("Mug", 12.0, 2)
    assert ("name", "Ceramic mug") in p.facts


def test_a_pack_quantity_is_not_read_as_stock(tmp_path: Path) -> None:
    p = _one(tmp_path, {"id": "a", "title": "Tea bags", "price": 5, "quantity": "30 bags"})
    assert p.stock is None and ("quantity", "30 bags") in p.facts


def test_a_bad_value_under_another_tools_name_is_reported_under_that_name(tmp_path: Path) -> None:
    f = tmp_path / "shop.json"
    f.write_text(json.dumps([{"id": "a", "name": "Mug", "regular_price": "cheap"}], indent=2), encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_json(f, "EUR")
    assert err.value.field == "regular_price" and err.value.line == 5


def test_html_table_cells_are_said_as_name_and_value() -> None:
    assert html_to_text("<table><tr><td>Capacity</td><td>1 L</td></tr><tr><th>Power</th><td>900 W</td></tr>"
                        "</table>") == "Capacity: 1 L\nPower: 900 W"


def test_option_values_are_named_by_the_options_position_even_when_one_lists_no_values(tmp_path: Path) -> None:
    p = _one(tmp_path, {
        "id": 7, "title": "Socks", "options": [{"name": "Size", "values": []}, {"name": "Colour", "values": ["Red"]}],
        "variants": [{"title": "M / Red", "option1": "M", "option2": "Red", "price": "9.00"}],
    })
    assert p.variants[0].options == (("Size", "M"), ("Colour", "Red"))
