"""Claim extraction: what the guard can see in EN/FR/ZH sentences."""

from __future__ import annotations

import pytest

from agent.guards.claims import Claim, ClaimKind, extract_claims
from agent.guards.numbers import parse_arabic, parse_chinese

K = ClaimKind


def only(sentence: str, kind: ClaimKind) -> list[Claim]:
    return [c for c in extract_claims(sentence) if c.kind is kind]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("39", 39.0),
        ("39.90", 39.9),
        ("39,90", 39.9),
        ("39.9", 39.9),
        ("1,299.00", 1299.0),
        ("1 299,00", 1299.0),
        ("1\u202f299,00", 1299.0),
        ("1.299,00", 1299.0),
        ("1,299", 1299.0),
        ("29.95", 29.95),
    ],
)
def test_arabic_numbers_normalise_thousands_and_decimal_commas(text: str, value: float) -> None:
    assert parse_arabic(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三十九", 39),
        ("两百", 200),
        ("十五", 15),
        ("一百零五", 105),
        ("两百五", 250),
        ("一千二百九十九", 1299),
        ("八五", 85),
        ("三十九点九", 39.9),
        ("一万五", 15000),
        ("十", 10),
    ],
)
def test_chinese_numerals_parse_to_values(text: str, value: float) -> None:
    assert parse_chinese(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("sentence", "value", "currency"),
    [
        ("The shirt is 58 EUR.", 58, "EUR"),
        ("Il coûte 39,90 €.", 39.9, "EUR"),
        ("Only €39.90 today!", 39.9, "EUR"),
        ("Seulement 1 299,00 € !", 1299, "EUR"),
        ("It's 1,299.00 USD.", 1299, "USD"),
        ("It's $12.50.", 12.5, "USD"),
        ("It costs 20 euros.", 20, "EUR"),
        ("只要39.9欧", 39.9, "EUR"),
        ("售价三十九欧元", 39, "EUR"),
        ("两百元", 200, "CNY"),
        ("九十九块九", 99.9, ""),
        ("九块九毛九", 9.99, ""),
        ("It costs 39.", 39, ""),
    ],
)
def test_prices_are_found_with_value_and_currency(sentence: str, value: float, currency: str) -> None:
    prices = only(sentence, K.PRICE)
    assert len(prices) == 1
    assert prices[0].value == pytest.approx(value)
    assert prices[0].unit == currency


def test_former_price_and_saving_are_qualified() -> None:
    now, was = only("It was 75 EUR, now 59.99 EUR.", K.PRICE)
    assert (now.qualifier, was.qualifier) == ("was", "")
    assert only("原价75欧元", K.PRICE)[0].qualifier == "was"
    assert only("au lieu de 75 €", K.PRICE)[0].qualifier == "was"
    assert only("Save 15 EUR today!", K.PRICE)[0].qualifier == "saving"


def test_variant_name_regular_is_not_read_as_regular_price() -> None:
    assert [c.qualifier for c in only("The Large is 15.99 EUR and the Regular is 9.99 EUR.", K.PRICE)] == ["", ""]


@pytest.mark.parametrize(
    ("sentence", "off"),
    [
        ("20% off today", 20),
        ("-20 % sur tout", 20),
        ("打八折", 20),
        ("8折", 20),
        ("八五折", 15),
        ("8.5折", 15),
        ("半价", 50),
        ("百分之二十的折扣", 20),
        ("save 30 percent", 30),
        ("30 % de réduction", 30),
    ],
)
def test_discounts_in_every_form_normalise_to_percent_off(sentence: str, off: float) -> None:
    discounts = only(sentence, K.DISCOUNT)
    assert [c.value for c in discounts] == [pytest.approx(off)]


def test_percent_without_discount_words_is_a_plain_percentage() -> None:
    assert [c.kind for c in extract_claims("20% off, and it is 100% cotton")] == [K.DISCOUNT, K.PERCENT]


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("Only 3 left!", 3),
        ("We have 3 in stock.", 3),
        ("Il n'en reste plus que 3 !", 3),
        ("还剩3件", 3),
        ("库存还有5件", 5),
        ("only three left", 3),
        ("5 pièces restantes", 5),
        ("仅剩两件", 2),
    ],
)
def test_stock_levels_are_found(sentence: str, value: int) -> None:
    assert [c.value for c in only(sentence, K.STOCK)] == [value]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("It's in stock.", K.IN_STOCK),
        ("Sold out, sorry.", K.SOLD_OUT),
        ("not in stock", K.SOLD_OUT),
        ("C'est épuisé.", K.SOLD_OUT),
        ("有货", K.IN_STOCK),
        ("已经售罄", K.SOLD_OUT),
        ("Selling fast!", K.LOW_STOCK),
        ("库存紧张", K.LOW_STOCK),
        ("encore disponible", K.IN_STOCK),
    ],
)
def test_stock_phrases_without_numbers(sentence: str, kind: ClaimKind) -> None:
    assert [c.kind for c in extract_claims(sentence)] == [kind]


@pytest.mark.parametrize(
    ("sentence", "labels"),
    [
        ("Available in sizes S, M and L.", ["S", "M", "L"]),
        ("taille M", ["M"]),
        ("尺码有S、M、L", ["S", "M", "L"]),
        ("size 38 fits well", ["38"]),
        ("Do you have XL?", ["XL"]),
        ("M码还有", ["M"]),
        ("大号", ["L"]),
        ("tailles Small à Large", ["S", "L"]),
    ],
)
def test_sizes_are_normalised(sentence: str, labels: list[str]) -> None:
    assert [c.unit for c in only(sentence, K.SIZE)] == labels


def test_size_keyword_does_not_swallow_a_price() -> None:
    kinds = [c.kind for c in extract_claims("The size is 60 EUR")]
    assert kinds == [K.PRICE]


@pytest.mark.parametrize(
    ("sentence", "hours"),
    [
        ("ships in 2 days", (48, 48)),
        ("livraison sous 48 h", (48, 48)),
        ("3天发货", (72, 72)),
        ("Delivery in 3-5 business days.", (72, 120)),
        ("livré en 3 à 5 jours", (72, 120)),
        ("48小时内发货", (48, 48)),
        ("ships within a week... or 1 week", (168, 168)),
    ],
)
def test_shipping_times_normalise_to_hours(sentence: str, hours: tuple[float, float]) -> None:
    ships = only(sentence, K.SHIPPING)
    assert ships and ships[-1].hours == hours


def test_relative_shipping_days_are_claims() -> None:
    assert [c.unit for c in only("It ships tomorrow.", K.SHIPPING)] == ["next_day"]
    assert [c.unit for c in only("当天发货", K.SHIPPING)] == ["same_day"]
    assert only("See you tomorrow!", K.SHIPPING) == []


@pytest.mark.parametrize(
    ("sentence", "label"),
    [("on March 3rd", "03-03"), ("le 3 mars", "03-03"), ("3月15日", "03-15"), ("2025-03-15", "2025-03-15")],
)
def test_dates_are_normalised(sentence: str, label: str) -> None:
    assert [c.unit for c in only(sentence, K.DATE)] == [label]


@pytest.mark.parametrize(
    ("sentence", "kind", "key"),
    [
        ("This cures headaches.", K.MEDICAL, "cure"),
        ("Ça guérit tout.", K.MEDICAL, "cure"),
        ("可以治疗失眠", K.MEDICAL, "treat"),
        ("Helps you lose weight.", K.MEDICAL, "weight_loss"),
        ("The best in the world!", K.SUPERLATIVE, "best_world"),
        ("le meilleur du monde", K.SUPERLATIVE, "best_world"),
        ("We are number one.", K.SUPERLATIVE, "number_one"),
        ("全网最低", K.SUPERLATIVE, "lowest_price"),
        ("100% guaranteed", K.GUARANTEE, "guarantee"),
        ("lifetime warranty", K.GUARANTEE, "lifetime_warranty"),
        ("garantie à vie", K.GUARANTEE, "lifetime_warranty"),
        ("free shipping", K.FREE, "free_shipping"),
        ("livraison gratuite", K.FREE, "free_shipping"),
        ("包邮", K.FREE, "free_shipping"),
        ("It's free!", K.FREE, "free"),
        ("C'est gratuit.", K.FREE, "free"),
        ("免费", K.FREE, "free"),
    ],
)
def test_unsupported_claim_phrases_have_kind_and_key(sentence: str, kind: ClaimKind, key: str) -> None:
    claims = extract_claims(sentence)
    assert [(c.kind, c.unit) for c in claims] == [(kind, key)]


@pytest.mark.parametrize(
    "sentence",
    ["Feel free to ask!", "A gluten-free snack", "One moment please.", "稍等，我查一下。", "Un instant, je vérifie."],
)
def test_ordinary_words_are_not_claims(sentence: str) -> None:
    assert extract_claims(sentence) == ()


def test_viewer_handles_and_urls_are_not_numbers() -> None:
    assert extract_claims("@ana92 see https://shop.example/p/123") == ()


def test_unexplained_numbers_are_number_claims() -> None:
    assert [(c.kind, c.value) for c in extract_claims("It has 7 pockets.")] == [(K.NUMBER, 7)]


def test_option_counts_are_count_claims() -> None:
    assert [(c.kind, c.value) for c in extract_claims("It comes in 3 sizes.")] == [(K.COUNT, 3)]


@pytest.mark.parametrize(
    ("sentence", "value"),
    [("It costs fifty-eight euros.", 58), ("Il coûte cinquante-huit €.", 58), ("vingt et un euros", 21)],
)
def test_spelled_out_prices_are_prices(sentence: str, value: float) -> None:
    assert [c.value for c in only(sentence, K.PRICE)] == [value]


def test_chinese_saving_with_le_is_a_saving() -> None:
    assert only("省了15.01欧元", K.PRICE)[0].qualifier == "saving"
