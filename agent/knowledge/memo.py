"""Re-import without re-parsing: each product remembered by the exact text it was parsed from.

A live edit usually touches one product of a big file, yet the whole file is read again. The importers look
each record's raw text up in the previous import's memo and rebuild only records whose text changed. Only
records that parsed without error are remembered, so an unchanged record can never hide an error; the line
a record starts on is not part of the key (a product above it may have grown), it is set afresh.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace

from agent.product import Product


class ParseMemo:
    """Raw record text -> the product parsed from it, for one file, one currency."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: dict[Hashable, Product] = {}

    def get(self, key: Hashable, line: int) -> Product | None:
        product = self._items.get(key)
        if product is None or product.line == line:
            return product
        return replace(product, line=line)

    def put(self, key: Hashable, product: Product) -> None:
        self._items[key] = product

    def __len__(self) -> int:
        return len(self._items)


def lookup(memo: ParseMemo | None, key: Hashable, line: int) -> Product | None:
    return memo.get(key, line) if memo is not None else None
