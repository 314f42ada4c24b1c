"""Product <-> JSON, so the store can rebuild a product exactly, and the hashes that drive incremental sync.

Two hashes: ``embed_hash`` covers only the text that is embedded, ``record_hash`` the whole record. A price or
stock change alters the record but not the embedded text, so it updates the store without re-embedding.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from agent.product import Product, Variant

PASSAGE_TEXT_CHARS = 600


def product_to_dict(p: Product) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "price": p.price,
        "currency": p.currency,
        "text": p.text,
        "variants": [
            {
                "name": v.name,
                "price": v.price,
                "compare_at": v.compare_at,
                "stock": v.stock,
                "sku": v.sku,
                "options": [list(o) for o in v.options],
            }
            for v in p.variants
        ],
        "stock": p.stock,
        "compare_at": p.compare_at,
        "tags": list(p.tags),
        "vendor": p.vendor,
        "category": p.category,
        "source": p.source,
        "line": p.line,
        "facts": [list(f) for f in p.facts],
        "extra": _jsonable(p.extra),
    }


def product_from_dict(d: dict[str, Any]) -> Product:
    return Product(
        id=d["id"],
        title=d["title"],
        price=d["price"],
        currency=d["currency"],
        text=d["text"],
        variants=tuple(
            Variant(
                name=v["name"],
                price=v["price"],
                compare_at=v["compare_at"],
                stock=v["stock"],
                sku=v["sku"],
                options=tuple((a, b) for a, b in v["options"]),
            )
            for v in d["variants"]
        ),
        stock=d["stock"],
        compare_at=d["compare_at"],
        tags=tuple(d["tags"]),
        vendor=d["vendor"],
        category=d["category"],
        source=d["source"],
        line=d["line"],
        facts=tuple((a, b) for a, b in d["facts"]),
        extra=dict(d.get("extra") or {}),
    )


def dumps(p: Product) -> str:
    return json.dumps(product_to_dict(p), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def passage_text(p: Product) -> str:
    """What gets embedded: names and descriptive words, not prices or stock (those change often)."""
    parts = [p.title]
    if p.category:
        parts.append(p.category)
    if p.tags:
        parts.append(", ".join(p.tags))
    if p.variants:
        parts.append("Options: " + ", ".join(v.name for v in p.variants))
    parts.extend(f"{k}: {v}" for k, v in p.facts)
    if p.text:
        parts.append(p.text[:PASSAGE_TEXT_CHARS])
    return ". ".join(s.strip().rstrip(".") for s in parts if s.strip())


def embed_hash(p: Product, model: str) -> str:
    return _sha(model + "\x00" + passage_text(p))


def record_hash(p: Product) -> str:
    return _sha(dumps(p))


def _sha(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()[:32]


def _jsonable(extra: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in extra.items():
        try:
            json.dumps(v)
        except (TypeError, ValueError):
            continue
        out[str(k)] = v
    return out
