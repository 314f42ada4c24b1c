"""Other tools' names for the documented catalog fields, and nested values turned into facts.

Shops fill JSON catalogs from the tools they have: Shopify's products.json, WooCommerce's REST API, a sheet
saved as JSON by hand. ``canonical`` reads their names for the documented fields as those fields ("name" for a
product without a "title", "compare_at_price", "inventory_quantity", "body_html", "product_type"...), and
``facts`` keeps what is nested as facts a viewer can ask about: a nested object's entries ("specs": {"容量":
"500ml"} gives 容量: 500ml), a list of named options (Shopify's "options", WooCommerce's "attributes") one fact
each. What nobody says on air is left out: links, images, ids, timestamps, yes/no flags, HTML copies.
A documented field always wins over another tool's name for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from agent.knowledge.amounts import amount
from agent.knowledge.htmltext import html_to_text, looks_like_html

DOCUMENTED = frozenset({"id", "title", "price", "currency", "compare_at", "variants", "stock", "tags", "vendor",
                        "category"})
TEXT_KEYS = ("text", "description", "body", "body_html", "short_description")
_COMPARE = ("compare_at_price", "regular_price", "original_price", "list_price")
_STOCK = ("inventory_quantity", "stock_quantity")  # not "quantity": that may be a pack size
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("name", "product_name"),
    "price": ("sale_price", "regular_price", "current_price"),
    "compare_at": _COMPARE,
    "stock": _STOCK,
    "category": ("product_type", "categories"),
}
_READ_AS_FIELDS = frozenset(ALIASES["price"] + _COMPARE + _STOCK)  # copies of a field, never facts of their own
VARIANT_ALIASES: dict[str, tuple[str, ...]] = {"name": ("title",), "compare_at": _COMPARE, "stock": _STOCK}
_AVAILABILITY = ("stock_status", "availability")
_AVAILABLE_WORDS = {"instock": "in stock", "outofstock": "out of stock", "onbackorder": "on backorder"}
_OUT = frozenset({"out of stock", "sold out", "soldout"})
_OPTION_KEYS = ("option1", "option2", "option3")
_NOISE_KEYS = frozenset({  # platforms' bookkeeping, never a fact about the product
    "images", "image", "featured_image", "media", "variations", "meta_data", "_links", "handle", "slug",
    "permalink", "status", "position", "menu_order", "options", "attributes", "default_attributes",
    "catalog_visibility", "tax_status", "tax_class", "backorders", "manage_stock", "purchasable", "total_sales",
    "average_rating", "rating_count", "reviews_allowed", "sold_individually", "shipping_class", "purchase_note",
    "button_text", "inventory_policy", "inventory_management", "fulfillment_service", "template_suffix",
    "published_scope", "admin_graphql_api_id", "requires_shipping", "taxable", "grams", "barcode",
})
_NOISE_SUFFIX = ("_id", "_ids", "_at", "_gmt", "_url", "_html")
_PLATFORM_TYPES = frozenset({"simple", "variable", "grouped", "external"})  # WooCommerce's "type", not the shop's
_URL = re.compile(r"^(?:https?:)?//\S+$")
_DEFAULT_VARIANT = "Default Title"  # Shopify's name for the one variant of a product without options


def _ignored(key: str) -> bool:
    k = key.lower()
    return k in _NOISE_KEYS or k.endswith(_NOISE_SUFFIX) or k.startswith("date_")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def canonical(rec: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``rec`` with other tools' field names read as the documented ones, and where each came from (so an
    error names the key as written in the file)."""
    out = dict(rec)
    origin: dict[str, str] = {}
    for field, names in ALIASES.items():
        if not _blank(out.get(field)):
            continue
        alias = next((n for n in names if n in rec and not _blank(rec[n]) and n != field), None)
        if alias is not None:
            out[field], origin[field] = rec[alias], alias
    if out.get("category") is not None and not isinstance(out["category"], str):
        out["category"] = ", ".join(_names(out["category"]))
    if isinstance(out.get("tags"), list | str):
        out["tags"] = _names(out["tags"])
    if "compare_at" in origin and not _above(out.get("compare_at"), out.get("price")):
        del out["compare_at"], origin["compare_at"]  # WooCommerce's regular price when nothing is on sale
    if _blank(out.get("stock")) and any(_availability(rec.get(k)) in _OUT for k in _AVAILABILITY):
        out["stock"] = 0
    return out, origin


def canonical_variant(rec: Mapping[str, Any], option_names: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A variant with other tools' field names read as the documented ones; ``options`` holds its option
    values named as the product's options list names them (Shopify's option1..3, WooCommerce's attributes)."""
    out = dict(rec)
    origin: dict[str, str] = {}
    for field, names in VARIANT_ALIASES.items():
        alias = next((n for n in names if n in rec and not _blank(rec[n])), None)
        if _blank(out.get(field)) and alias is not None:
            out[field], origin[field] = rec[alias], alias
    options = [(option_names[i] if i < len(option_names) and option_names[i] else key, str(rec[key]))
               for i, key in enumerate(_OPTION_KEYS) if not _blank(rec.get(key))]
    options += _named_values(rec.get("attributes"))
    options = [(k, v) for k, v in options if v != _DEFAULT_VARIANT]
    if _blank(out.get("name")) and options:
        out["name"] = " / ".join(v for _, v in options)
    out["options"] = options or None
    return out, origin


def is_placeholder(name: str) -> bool:
    return name == _DEFAULT_VARIANT


def option_names(rec: Mapping[str, Any]) -> list[str]:
    """The names of a product's options in their order (option1 is the first), values or not."""
    options = rec.get("options")
    if not isinstance(options, list):
        return []
    return [str(o.get("name", "")).strip() if isinstance(o, Mapping) else str(o) for o in options]


def description(rec: Mapping[str, Any]) -> str:
    """Every description field, HTML reduced to text, each said once."""
    parts: list[str] = []
    for key in TEXT_KEYS:
        value = rec.get(key)
        if isinstance(value, str) and value.strip():
            text = html_to_text(value) if looks_like_html(value) else value.strip()
            if text and text not in parts:
                parts.append(text)
    return "\n".join(parts)


def facts(rec: Mapping[str, Any], used: set[str]) -> tuple[tuple[str, str], ...]:
    """The record's other fields as (name, value) facts; ``used``: the keys read as documented fields."""
    out: list[tuple[str, str]] = []
    for key, value in rec.items():
        if key in used or key in DOCUMENTED or key in TEXT_KEYS or key in _READ_AS_FIELDS:
            continue
        if key.lower() in ("options", "attributes"):
            out.extend(_named_values(value))
        elif not _ignored(key):
            out.extend(_facts_of(key, value, depth=0))
    return tuple(out)


def _facts_of(key: str, value: Any, depth: int) -> list[tuple[str, str]]:
    if _blank(value) or isinstance(value, bool):
        return []
    if key.lower() in _AVAILABILITY and isinstance(value, str):
        return [(key, _availability(value))]
    if isinstance(value, Mapping):
        if depth >= 2:
            return []
        return [f for k, v in value.items() if not _ignored(str(k)) for f in _facts_of(str(k), v, depth + 1)]
    if isinstance(value, list | tuple):
        if any(isinstance(v, Mapping) for v in value):
            return _named_values(value)
        items = [str(v).strip() for v in value if not _blank(v) and not isinstance(v, bool)]
        return [(key, ", ".join(items))] if items else []
    text = str(value).strip()
    if _URL.match(text) or (key == "type" and text in _PLATFORM_TYPES):
        return []
    return [(key, html_to_text(text) if looks_like_html(text) else text)]


def _named_values(value: Any) -> list[tuple[str, str]]:
    """[{"name": "Size", "values": ["S", "M"]}] (or "options", "option", "value") as [("Size", "S, M")]."""
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        if not isinstance(item, Mapping):
            continue
        name = next((item[k] for k in ("name", "label", "key") if not _blank(item.get(k))), None)
        vals = next((item[k] for k in ("values", "options", "option", "value") if not _blank(item.get(k))), None)
        if name is None or vals is None:
            continue
        listed = [str(v) for v in (vals if isinstance(vals, list | tuple) else [vals]) if str(v) != _DEFAULT_VARIANT]
        if listed:
            out.append((str(name).strip(), ", ".join(listed).strip()))
    return out


def _names(value: Any) -> list[str]:
    """Tags or categories as words: a comma string, a list of words, or a list of {"name": ...}."""
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    if not isinstance(value, list | tuple):
        return [str(value)]
    out = []
    for v in value:
        if isinstance(v, Mapping):
            v = v.get("name")
        if not _blank(v) and not isinstance(v, Mapping | list):
            out.append(str(v).strip())
    return out


def _availability(value: Any) -> str:
    text = str(value or "").strip().lower()
    return _AVAILABLE_WORDS.get(text.replace(" ", "").replace("_", ""), text)


def _above(old: Any, price: Any) -> bool:
    o = float(old) if isinstance(old, int | float) else amount(str(old))
    p = float(price) if isinstance(price, int | float) else amount(str(price))
    return o is None or p is None or o > p
