"""What every importer returns: the products of one file, in file order, and how many."""

from __future__ import annotations

from dataclasses import dataclass

from agent.knowledge.product import Product


@dataclass(frozen=True, slots=True)
class ImportResult:
    source: str
    products: tuple[Product, ...]

    @property
    def count(self) -> int:
        return len(self.products)
