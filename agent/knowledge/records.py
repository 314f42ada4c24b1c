"""Turns one loosely-typed record (front matter, a JSON object) into a :class:`Product`, checking each field.

Markdown and JSON catalogs share the same fields, so they share this validation; the caller says where each
field sits (``line_of``) so that an error names the file, the line and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from agent.errors import InputError
from agent.knowledge import fields
from agent.knowledge.amounts import amount, currency_mark
from agent.product import Product, Variant

VARIANT_KNOWN = frozenset({"name", "price", "compare_at", "stock", "sku", "options"})

LineOf = Callable[..., int]


def product_from_record(
    rec: Mapping[str, Any],
    *,
    source: str,
    line_of: LineOf,
    currency: str,
    text: str = "",
    default_id: str = "",
) -> Product:
    """Validate ``rec`` and build the product. Other keys become ``facts`` (material, care, a nested "specs"
    object's entries...); other tools' names for the documented fields are read as them (``fields``)."""
    if not isinstance(rec, Mapping):
        raise InputError(source, line_of(), None, "a product must be an object with 'id' and 'title'")
    raw = rec
    rec, origin = fields.canonical(raw)

    def fail(reason: str, *path: str | int) -> InputError:
        written = tuple(origin.get(p, p) if i == 0 and isinstance(p, str) else p for i, p in enumerate(path))
        name = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in written).replace(".[", "[")
        return InputError(source, line_of(*written), name or None, reason)

    pid = rec.get("id", default_id)
    if pid is None or (isinstance(pid, str) and not pid.strip()) or isinstance(pid, bool | list | dict):
        raise fail("missing: every product needs an id", "id")
    pid = str(pid).strip()
    title = rec.get("title")
    if not isinstance(title, str | int | float) or isinstance(title, bool) or not str(title).strip():
        raise fail("missing: every product needs a title", "title")
    cur = rec.get("currency") or _marked(rec) or currency
    if not isinstance(cur, str) or not cur.strip():
        raise fail("must be a currency code such as EUR", "currency")
    every = _variants(rec.get("variants"), fail, fields.option_names(raw))
    variants = tuple(v for v in every if not fields.is_placeholder(v.name))
    single = every[0] if len(every) == 1 and not variants else None  # Shopify's one "Default Title" variant
    price = number(rec.get("price"), lambda r: fail(r, "price"))
    if price is None:
        priced = [v.price for v in every if v.price is not None]
        price = min(priced) if priced else None
    tags = rec.get("tags") or ()  # a comma string or a list of {"name"} is a list of words by now (fields)
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str | int | float) for t in tags):
        raise fail("must be a list of words", "tags")
    text = "\n".join(part for part in (text.strip(), fields.description(rec)) if part)
    stock = count(rec.get("stock"), lambda r: fail(r, "stock"))
    compare_at = number(rec.get("compare_at"), lambda r: fail(r, "compare_at"))
    return Product(
        id=pid,
        title=str(title).strip(),
        price=price,
        currency=cur.strip().upper(),
        text=text,
        variants=variants,
        stock=single.stock if stock is None and single else stock,
        compare_at=single.compare_at if compare_at is None and single else compare_at,
        tags=tuple(str(t).strip() for t in tags),
        vendor=str(rec.get("vendor") or ""),
        category=str(rec.get("category") or ""),
        source=source,
        line=line_of(),
        facts=fields.facts(raw, set(origin.values())),
    )


def _marked(rec: Mapping[str, Any]) -> str | None:
    """The currency the record's typed prices name ("89元", "24,90 €"), for a record without a currency."""
    variants = rec.get("variants")
    prices = [rec.get("price"), *(v.get("price") for v in variants if isinstance(v, Mapping))] if isinstance(
        variants, list) else [rec.get("price")]
    return next((c for p in prices if isinstance(p, str) and (c := currency_mark(p))), None)


def _variants(raw: Any, fail: Callable[..., InputError], option_names: list[str]) -> tuple[Variant, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise fail("must be a list of {name, price, compare_at, stock, sku}", "variants")
    out = []
    for i, v in enumerate(raw):
        if isinstance(v, str):
            v = {"name": v}
        if not isinstance(v, Mapping):
            raise fail("each variant must be {name, price, compare_at, stock, sku}", "variants", i)
        v, origin = fields.canonical_variant(v, option_names)

        def at(key: str, i: int = i, origin: dict[str, str] = origin) -> Callable[[str], InputError]:
            return _at(fail, "variants", i, origin.get(key, key))

        name = v.get("name")
        if name is None or not str(name).strip():
            raise fail("missing: every variant needs a name", "variants", i, "name")
        named = v["options"]
        options = tuple(named) if named else tuple(fields.facts(v, set(origin.values()) | VARIANT_KNOWN))
        out.append(
            Variant(
                name=str(name).strip(),
                price=number(v.get("price"), at("price")),
                compare_at=number(v.get("compare_at"), at("compare_at")),
                stock=count(v.get("stock"), at("stock")),
                sku=str(v.get("sku") or ""),
                options=options,
            )
        )
    return tuple(out)


def _at(fail: Callable[..., InputError], *path: str | int) -> Callable[[str], InputError]:
    return lambda reason: fail(reason, *path)


def number(value: Any, fail: Callable[[str], InputError]) -> float | None:
    """A price: a non-negative number, also as people type it: '12,50', '€12.50', '¥1,299.00', '89元',
    '1 249,00 €', 'CNY 89'. 'abc' and '1.2.3' are errors."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise fail(f"must be a number, got {value!r}")
    num = float(value) if isinstance(value, int | float) else amount(str(value))
    if num is None:
        raise fail(f"must be a number, got {value!r}")
    if num < 0 or num != num:
        raise fail(f"must be zero or more, got {value!r}")
    return num


def count(value: Any, fail: Callable[[str], InputError]) -> int | None:
    """A stock count: a whole number; below zero (oversold, on backorder: Shopify and WooCommerce allow it)
    is none left to sell, 0."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise fail(f"must be a whole number, got {value!r}")
    num = amount(value) if isinstance(value, str) else None
    if num is None:
        try:
            num = float(value)
        except (TypeError, ValueError):
            raise fail(f"must be a whole number, got {value!r}") from None
    if not num.is_integer():
        raise fail(f"must be a whole number, got {value!r}")
    return max(0, int(num))
