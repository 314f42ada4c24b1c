"""What every importer returns: the products of one file, in file order, and how many."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.knowledge.memo import ParseMemo
from agent.product import Product


@dataclass(frozen=True, slots=True)
class ImportResult:
    """``memo`` (when the importer keeps one) lets the next import of the same file skip unchanged records."""

    source: str
    products: tuple[Product, ...]
    memo: ParseMemo | None = field(default=None, compare=False, repr=False)

    @property
    def count(self) -> int:
        return len(self.products)
