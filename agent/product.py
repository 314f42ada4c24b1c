"""The structured product record every importer produces and every guard checks against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Variant:
    """One buyable variant: its option values (size, colour, ...), price, compare-at price and stock."""

    name: str
    price: float | None = None
    compare_at: float | None = None
    stock: int | None = None
    sku: str = ""
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Product:
    """A product sheet. ``price`` is the base (lowest) price; variants carry their own.

    ``source`` is the file it came from and ``line`` where its record starts, so errors and the console can
    point at it. ``text`` is the free description (plain text, HTML already stripped).
    """

    id: str
    title: str
    price: float | None
    currency: str
    text: str = ""
    variants: tuple[Variant, ...] = ()
    stock: int | None = None
    compare_at: float | None = None
    tags: tuple[str, ...] = ()
    vendor: str = ""
    category: str = ""
    source: str = ""
    line: int = 0
    facts: tuple[tuple[str, str], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def prices(self) -> tuple[float, ...]:
        """Every price this product may be sold at (base, variants, compare-at)."""
        vals = {p for p in (self.price, self.compare_at) if p is not None}
        for v in self.variants:
            vals.update(p for p in (v.price, v.compare_at) if p is not None)
        return tuple(sorted(vals))

    @property
    def total_stock(self) -> int | None:
        if self.stock is not None:
            return self.stock
        stocks = [v.stock for v in self.variants if v.stock is not None]
        return sum(stocks) if stocks else None

    def sheet(self, text_limit: int | None = None, *, brief: bool = False) -> str:
        """The product sheet as plain text: what the LLM reads and ``knowledge search`` snippets come from.

        ``text_limit`` trims the free description (structured facts are always complete) and ``brief``
        leaves out the id and the SKUs (nothing a viewer asks about, ~15% of a sheet): a short prompt is a
        fast prompt on a small CPU model.
        """
        lines = [f"Product: {self.title}" if brief else f"Product: {self.title} (id: {self.id})"]
        if self.price is not None:
            lines.append(f"Price: {fmt_price(self.price)} {self.currency}")
        if self.compare_at is not None:
            lines.append(f"Compare-at price: {fmt_price(self.compare_at)} {self.currency}")
        stock = self.total_stock
        if stock is not None:
            lines.append(f"In stock: {stock}")
        for v in self.variants:
            parts = [f"Variant {v.name}"]
            if v.price is not None:
                parts.append(f"price {fmt_price(v.price)} {self.currency}")
            if v.compare_at is not None:
                parts.append(f"was {fmt_price(v.compare_at)} {self.currency}")
            if v.stock is not None:
                parts.append(f"stock {v.stock}")
            if v.sku and not brief:
                parts.append(f"SKU {v.sku}")
            lines.append(", ".join(parts))
        for k, val in self.facts:
            lines.append(f"{k}: {val}")
        if self.tags:
            lines.append("Tags: " + ", ".join(self.tags))
        if self.text and text_limit != 0:
            text = self.text if text_limit is None else self.text[:text_limit].rsplit(" ", 1)[0] + " ..."
            lines.append(text if text_limit is None or len(self.text) > text_limit else self.text)
        return "\n".join(lines)


def fmt_price(value: float) -> str:
    """12.0 -> '12', 12.5 -> '12.50'."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
