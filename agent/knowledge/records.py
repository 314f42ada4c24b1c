"""Turns one loosely-typed record (front matter, a JSON object) into a :class:`Product`, checking each field.

Markdown and JSON catalogs share the same fields, so they share this validation; the caller says where each
field sits (``line_of``) so that an error names the file, the line and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from agent.errors import InputError
from agent.product import Product, Variant

TEXT_KEYS = ("text", "description", "body")
KNOWN = frozenset(
    {"id", "title", "price", "currency", "compare_at", "variants", "stock", "tags", "vendor", "category"}
).union(TEXT_KEYS)
VARIANT_KNOWN = frozenset({"name", "price", "compare_at", "stock", "sku"})

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
    """Validate ``rec`` and build the product. Unknown scalar keys become ``facts`` (material, care, ...)."""

    def fail(reason: str, *path: str | int) -> InputError:
        name = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
        return InputError(source, line_of(*path), name or None, reason)

    if not isinstance(rec, Mapping):
        raise InputError(source, line_of(), None, "a product must be an object with 'id' and 'title'")
    pid = rec.get("id", default_id)
    if pid is None or (isinstance(pid, str) and not pid.strip()) or isinstance(pid, bool | list | dict):
        raise fail("missing: every product needs an id", "id")
    pid = str(pid).strip()
    title = rec.get("title")
    if not isinstance(title, str | int | float) or isinstance(title, bool) or not str(title).strip():
        raise fail("missing: every product needs a title", "title")
    cur = rec.get("currency") or currency
    if not isinstance(cur, str) or not cur.strip():
        raise fail("must be a currency code such as EUR", "currency")
    variants = _variants(rec.get("variants"), fail)
    price = number(rec.get("price"), lambda r: fail(r, "price"))
    if price is None:
        priced = [v.price for v in variants if v.price is not None]
        price = min(priced) if priced else None
    tags = rec.get("tags") or ()
    if isinstance(tags, str):
        tags = [t for t in (x.strip() for x in tags.split(",")) if t]
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str | int | float) for t in tags):
        raise fail("must be a list of words", "tags")
    if not text:  # JSON catalogs carry the free description as a field
        text = next((str(rec[k]) for k in TEXT_KEYS if isinstance(rec.get(k), str)), "")
    facts = tuple((k, _fact(v)) for k, v in rec.items() if k not in KNOWN and v is not None and not isinstance(v, dict))
    return Product(
        id=pid,
        title=str(title).strip(),
        price=price,
        currency=cur.strip().upper(),
        text=text.strip(),
        variants=variants,
        stock=count(rec.get("stock"), lambda r: fail(r, "stock")),
        compare_at=number(rec.get("compare_at"), lambda r: fail(r, "compare_at")),
        tags=tuple(str(t).strip() for t in tags),
        vendor=str(rec.get("vendor") or ""),
        category=str(rec.get("category") or ""),
        source=source,
        line=line_of(),
        facts=facts,
    )


def _variants(raw: Any, fail: Callable[..., InputError]) -> tuple[Variant, ...]:
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
        name = v.get("name")
        if name is None or not str(name).strip():
            raise fail("missing: every variant needs a name", "variants", i, "name")
        options = tuple((str(k), str(x)) for k, x in v.items() if k not in VARIANT_KNOWN and x is not None)
        out.append(
            Variant(
                name=str(name).strip(),
                price=number(v.get("price"), _at(fail, "variants", i, "price")),
                compare_at=number(v.get("compare_at"), _at(fail, "variants", i, "compare_at")),
                stock=count(v.get("stock"), _at(fail, "variants", i, "stock")),
                sku=str(v.get("sku") or ""),
                options=options,
            )
        )
    return tuple(out)


def _at(fail: Callable[..., InputError], *path: str | int) -> Callable[[str], InputError]:
    return lambda reason: fail(reason, *path)


def number(value: Any, fail: Callable[[str], InputError]) -> float | None:
    """A price: a non-negative number; '12,50' and '€12.50' are accepted, 'abc' is not."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise fail(f"must be a number, got {value!r}")
    if isinstance(value, int | float):
        num = float(value)
    else:
        cleaned = str(value).strip().strip("€$£¥").strip().replace(",", ".")
        try:
            num = float(cleaned)
        except ValueError:
            raise fail(f"must be a number, got {value!r}") from None
    if num < 0 or num != num:
        raise fail(f"must be zero or more, got {value!r}")
    return num


def count(value: Any, fail: Callable[[str], InputError]) -> int | None:
    """A stock count: a whole number, zero or more."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise fail(f"must be a whole number, got {value!r}")
    try:
        num = float(value)
    except (TypeError, ValueError):
        raise fail(f"must be a whole number, got {value!r}") from None
    if not num.is_integer() or num < 0:
        raise fail(f"must be a whole number, zero or more, got {value!r}")
    return int(num)


def _fact(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
