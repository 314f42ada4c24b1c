"""Shopify product CSV exports.

A product spans consecutive rows sharing a ``Handle``: the first row carries Title, Body (HTML), Vendor, Type,
Tags and the option names; each row with an option value or a price is a variant; other rows only add images.
Line numbers are physical lines (an HTML body may span several), so an error points where an editor shows it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from agent.errors import InputError
from agent.knowledge.htmltext import html_to_text
from agent.knowledge.imported import ImportResult
from agent.knowledge.memo import ParseMemo, lookup
from agent.knowledge.records import count, number
from agent.product import Product, Variant

_REQUIRED = ("Handle", "Title", "Variant Price")


Row = tuple[int, list[str]]  # (physical line, cells)


@dataclass(slots=True)
class _Draft:
    handle: str
    line: int
    head: dict[str, str]
    option_names: list[str]
    variants: list[Variant] = field(default_factory=list)


def import_shopify(path: str | Path, currency: str, memo: ParseMemo | None = None) -> ImportResult:
    """``memo`` (the previous import's) skips products whose rows are unchanged, byte for byte."""
    p = Path(path)
    source = str(p)
    fresh = ParseMemo()
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            products = tuple(_products(fh, source, currency, memo, fresh))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(source, None, None, f"cannot read: {exc}") from exc
    except csv.Error as exc:
        raise InputError(source, None, None, f"not a valid CSV file: {exc}") from exc
    return ImportResult(source, products, fresh)


def _products(
    fh: Iterable[str], source: str, currency: str, memo: ParseMemo | None, fresh: ParseMemo
) -> Iterator[Product]:
    """Rows are grouped by handle first; a group is checked (or found in ``memo``) when it ends, so errors
    still come in row order."""
    reader = csv.reader(fh)
    header = next(reader, None)
    if header is None:
        raise InputError(source, 1, None, "empty file: expected a Shopify product CSV header")
    cols = {name.strip(): i for i, name in enumerate(header)}
    for need in _REQUIRED:
        if need not in cols:
            raise InputError(source, 1, need, "column missing: is this a Shopify product export?")
    at, head = cols["Handle"], tuple(header)

    def finish(group: list[Row]) -> Product:
        key = (head, tuple(tuple(raw) for _, raw in group))
        product = lookup(memo, key, group[0][0])
        if product is None:
            product = _product(_draft(group, cols, source), source, currency)
        fresh.put(key, product)
        return product

    seen: dict[str, int] = {}
    group: list[Row] = []
    handle = ""
    prev_end = reader.line_num
    rows = iter(reader)
    while True:
        try:
            raw = next(rows, None)
        except (csv.Error, UnicodeDecodeError, OSError):
            if group:
                yield finish(group)  # its errors come first, as they are earlier in the file
            raise
        if raw is None:
            break
        line, prev_end = prev_end + 1, reader.line_num
        if not any(c.strip() for c in raw):
            continue
        this = raw[at].strip() if at < len(raw) else ""
        if group and this == handle:
            group.append((line, raw))
            continue
        if group:
            yield finish(group)
            seen[handle] = group[-1][0]
        if not this:
            raise InputError(source, line, "Handle", "empty: every row needs the product's handle")
        if this in seen:
            raise InputError(source, line, "Handle", f"{this!r} continues a product ended at line {seen[this]}")
        handle, group = this, [(line, raw)]
    if group:
        yield finish(group)


def _draft(group: list[Row], cols: dict[str, int], source: str) -> _Draft:
    """Check a product's rows and gather its variants."""
    current: _Draft | None = None
    for line, raw in group:
        row = {name: (raw[i].strip() if i < len(raw) else "") for name, i in cols.items()}
        if current is None:
            if not row["Title"]:
                raise InputError(source, line, "Title", f"empty on the first row of product {row['Handle']!r}")
            names = [row.get(f"Option{n} Name", "") for n in (1, 2, 3)]
            current = _Draft(row["Handle"], line, row, names)
        variant = _variant(row, current.option_names, source, line)
        if variant is not None:
            current.variants.append(variant)
    assert current is not None
    return current


def _variant(row: dict[str, str], option_names: list[str], source: str, line: int) -> Variant | None:
    values = [row.get(f"Option{n} Value", "") for n in (1, 2, 3)]
    if not any(values) and not row.get("Variant Price") and not row.get("Variant SKU"):
        return None  # an image-only row
    options = tuple(
        (name or f"Option{n + 1}", v)
        for n, (name, v) in enumerate(zip(option_names, values, strict=True))
        if v and v != "Default Title"
    )

    def fail(col: str) -> Callable[[str], InputError]:
        return lambda reason: InputError(source, line, col, reason)

    return Variant(
        name=" / ".join(v for _, v in options) or "Default Title",
        price=number(row.get("Variant Price"), fail("Variant Price")),
        compare_at=number(row.get("Variant Compare At Price"), fail("Variant Compare At Price")),
        stock=count(row.get("Variant Inventory Qty"), fail("Variant Inventory Qty")),
        sku=row.get("Variant SKU", ""),
        options=options,
    )


def _product(d: _Draft, source: str, currency: str) -> Product:
    head = d.head
    real = [v for v in d.variants if v.name != "Default Title"]
    single = d.variants[0] if len(d.variants) == 1 and not real else None
    prices = [v.price for v in d.variants if v.price is not None]
    tags = tuple(t.strip() for t in head.get("Tags", "").split(",") if t.strip())
    return Product(
        id=d.handle,
        title=head["Title"],
        price=min(prices) if prices else None,
        currency=currency,
        text=html_to_text(head.get("Body (HTML)", "")),
        variants=tuple(real),
        stock=single.stock if single else None,
        compare_at=single.compare_at if single else None,
        tags=tags,
        vendor=head.get("Vendor", ""),
        category=head.get("Type", ""),
        source=source,
        line=d.line,
    )
