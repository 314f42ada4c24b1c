"""The Chroma server store, against a real ``chroma run`` subprocess on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.knowledge.base import KnowledgeBase
from agent.settings import KnowledgeSettings
from testkit.chroma_server import CHROMA, chroma_server

from .conftest import SAMPLE_SHOP, CountingEmbedder


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMA.exists():
        pytest.skip("no chroma executable beside the interpreter")
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as (_, url):
        yield url


async def test_server_store_persists_products_and_syncs_incrementally(chroma_url: str, tmp_path: Path) -> None:
    settings = KnowledgeSettings(store="server", server_url=chroma_url, embedding="hash", collection="srv")
    first = KnowledgeBase(settings, [SAMPLE_SHOP], tmp_path, embedder=CountingEmbedder())
    report = first.sync()
    assert report.added == report.products >= 10
    assert not (tmp_path / "chroma").exists()  # nothing stored locally in server mode
    again_embedder = CountingEmbedder()
    again = KnowledgeBase(settings, [SAMPLE_SHOP], tmp_path, embedder=again_embedder)
    assert again.sync().unchanged == report.products and again_embedder.passages == []
    assert again.products() == first.products()
    hits = await again.search("Rattan Pendant Lamp", k=1)
    assert hits[0].product.id == "rattan-pendant-lamp"
    first.close()
    again.close()
