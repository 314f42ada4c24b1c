"""Products for guard tests: the Shopify fixture CSVs read by a tiny local parser, plus hand-built sheets.

Served as fixtures (the suite imports test modules with importlib, so helpers cannot be imported by name).
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from agent.product import Product, Variant

_ROOT = Path(__file__).resolve().parents[2]


def fixtures_dir() -> Path | None:
    """The shared Shopify fixtures, wherever this checkout keeps them (None when absent)."""
    env = os.environ.get("LIVEHOST_FIXTURES")
    for base in ([Path(env)] if env else []) + [_ROOT / "shared" / "fixtures", _ROOT.parent / "shared" / "fixtures"]:
        if (base / "shopify").is_dir():
            return base / "shopify"
    return None


def _num(s: str) -> float | None:
    return float(s) if s.strip() else None


def load_shopify(path: Path, currency: str = "EUR") -> list[Product]:
    """Group rows by handle; 'Default Title' rows become a product without variants."""
    rows: dict[str, list[dict[str, str]]] = {}
    lines: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f), start=2):
            rows.setdefault(row["Handle"], []).append(row)
            lines.setdefault(row["Handle"], i)
    out = []
    for handle, group in rows.items():
        head = group[0]
        names = [head.get(f"Option{k} Name", "") for k in (1, 2, 3)]
        variants = []
        for r in group:
            if not r["Variant Price"].strip():
                continue
            opts = tuple(
                (names[k - 1], r[f"Option{k} Value"])
                for k in (1, 2, 3)
                if names[k - 1] and r[f"Option{k} Value"] and r[f"Option{k} Value"] != "Default Title"
            )
            stock = r["Variant Inventory Qty"].strip()
            variants.append(
                Variant(
                    name=" / ".join(v for _, v in opts) or "Default Title",
                    price=_num(r["Variant Price"]),
                    compare_at=_num(r["Variant Compare At Price"]),
                    stock=int(stock) if stock else None,
                    sku=r["Variant SKU"],
                    options=opts,
                )
            )
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", head["Body (HTML)"])).strip()
        cheapest = min(variants, key=lambda v: v.price if v.price is not None else 1e18)
        single = len(variants) == 1 and not variants[0].options
        out.append(
            Product(
                id=handle,
                title=head["Title"],
                price=cheapest.price,
                currency=currency,
                text=text,
                variants=() if single else tuple(variants),
                stock=cheapest.stock if single else None,
                compare_at=cheapest.compare_at,
                tags=tuple(t.strip() for t in head["Tags"].split(",") if t.strip()),
                vendor=head["Vendor"],
                source=str(path),
                line=lines[handle],
            )
        )
    return out


def all_fixture_products() -> list[Product]:
    d = fixtures_dir()
    if d is None:
        return []
    return [p for f in sorted(d.glob("*.csv")) for p in load_shopify(f)]


SHIRT = Product("ocean-blue-shirt", "Ocean Blue Shirt", 50.0, "EUR", text="Ocean blue cotton shirt.", stock=1)
POT = Product(
    "clay-plant-pot",
    "Clay Plant Pot",
    9.99,
    "EUR",
    text="Classic blown clay pot for plants",
    variants=(
        Variant("Regular", 9.99, None, 1, options=(("Size", "Regular"),)),
        Variant("Large", 15.99, None, 3, options=(("Size", "Large"),)),
    ),
    facts=(("Shipping", "Ships in 2 days"),),
)
LIGHT = Product("copper-light", "Copper Light", 59.99, "EUR", compare_at=75.0, stock=2, text="Copper bedside light")
TOP = Product(
    "classic-varsity-top",
    "Classic Varsity Top",
    60.0,
    "EUR",
    text="Womens casual varsity top.",
    variants=tuple(
        Variant(s, 60.0, None, n, options=(("Size", s),)) for s, n in (("Small", 1), ("Medium", 0), ("Large", 4))
    ),
)
ANCHOR = Product(
    "leather-anchor",
    "Anchor Bracelet Mens",
    55.0,
    "EUR",
    compare_at=85.0,
    text="Black leather bracelet with gold or silver anchor for men.",
    variants=(
        Variant("Gold", 69.99, 85.0, 1, options=(("Color", "Gold"),)),
        Variant("Silver", 55.0, 85.0, 0, options=(("Color", "Silver"),)),
    ),
)
SCARF = Product(
    "silk-scarf",
    "Silk Scarf",
    39.0,
    "EUR",
    compare_at=48.75,
    stock=12,
    text="100% silk scarf. Free shipping in France. Lifetime warranty on the stitching.",
    facts=(("Delivery", "3-5 business days"), ("Sizes", "S, M"), ("Launch", "March 3")),
)
ALL = (SHIRT, POT, LIGHT, TOP, ANCHOR, SCARF)


@dataclass(frozen=True)
class Shop:
    """The hand-built sheets, by name."""

    shirt: Product = SHIRT
    pot: Product = POT
    light: Product = LIGHT
    top: Product = TOP
    anchor: Product = ANCHOR
    scarf: Product = SCARF

    @property
    def all(self) -> tuple[Product, ...]:
        return ALL


@pytest.fixture(scope="session")
def shop() -> Shop:
    return Shop()


@pytest.fixture(scope="session")
def fixture_products() -> list[Product]:
    """Every product of the shared Shopify fixtures; skips when this checkout has none."""
    products = all_fixture_products()
    if not products:
        pytest.skip("shared Shopify fixtures not found (set LIVEHOST_FIXTURES)")
    return products
