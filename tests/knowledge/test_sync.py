from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent.errors import InputError
from agent.knowledge.base import KnowledgeBase
from agent.settings import KnowledgeSettings

from .conftest import SAMPLE_SHOP, CountingEmbedder

HASH = KnowledgeSettings(embedding="hash")


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    dst = tmp_path / "shop"
    shutil.copytree(SAMPLE_SHOP, dst)
    return dst


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_resync_after_one_description_edit_reembeds_only_that_product(
    shop: Path, tmp_path: Path, counting: CountingEmbedder
) -> None:
    kb = KnowledgeBase(HASH, [shop], tmp_path / "data", embedder=counting)
    first = kb.sync()
    n = first.products
    assert (first.added, first.embedded) == (n, n) and len(counting.passages) == 2 * n  # title + passage
    counting.passages.clear()
    assert kb.sync().unchanged == n and counting.passages == []
    edit(shop / "cashmere-scarf.md", "Warm without bulk.", "Warm without bulk, and very light.")
    report = kb.sync()
    assert (report.reembedded, report.added, report.unchanged) == (1, 0, n - 1)
    assert counting.passages[0] == "Cashmere Scarf" and len(counting.passages) == 2


def test_price_and_stock_change_updates_the_store_without_embedding(
    shop: Path, tmp_path: Path, counting: CountingEmbedder
) -> None:
    kb = KnowledgeBase(HASH, [shop], tmp_path / "data", embedder=counting)
    kb.sync()
    counting.passages.clear()
    edit(shop / "wool-throw-blanket.md", "price: 98\n", "price: 79\n")
    report = kb.sync()
    assert (report.restamped, report.embedded) == (1, 0) and counting.passages == []
    product = kb.get("wool-throw-blanket")
    assert product is not None and product.price == 79.0


def test_removed_and_added_files_are_deleted_and_embedded(
    shop: Path, tmp_path: Path, counting: CountingEmbedder
) -> None:
    kb = KnowledgeBase(HASH, [shop], tmp_path / "data", embedder=counting)
    n = kb.sync().products
    (shop / "leather-belt.md").unlink()
    (shop / "new.md").write_text("---\nid: new-hat\ntitle: Felt Hat\nprice: 40\n---\nA hat.", encoding="utf-8")
    report = kb.sync()
    assert (report.removed, report.added, report.products) == (1, 1, n)
    assert kb.get("leather-belt") is None and kb.get("new-hat") is not None


def test_reopened_store_rebuilds_products_exactly_and_embeds_nothing(shop: Path, tmp_path: Path) -> None:
    first = KnowledgeBase(HASH, [shop], tmp_path / "data", embedder=CountingEmbedder())
    first.sync()
    again_embedder = CountingEmbedder()
    again = KnowledgeBase(HASH, [shop], tmp_path / "data", embedder=again_embedder)
    report = again.sync()
    assert report.unchanged == report.products and again_embedder.passages == []
    assert again.products() == first.products()
    assert [p.variants for p in again.products()] == [p.variants for p in first.products()]


def test_bad_edit_raises_and_keeps_the_last_good_catalog(shop: Path, tmp_path: Path) -> None:
    kb = KnowledgeBase(HASH, [shop], tmp_path / "data", embedder=CountingEmbedder())
    kb.sync()
    edit(shop / "linen-shirt.md", "price: 59\ncurrency", "price: cheap\ncurrency")
    with pytest.raises(InputError) as err:
        kb.sync()
    assert err.value.field == "price" and err.value.line == 4
    product = kb.get("linen-shirt")
    assert product is not None and product.price == 59.0
