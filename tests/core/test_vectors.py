"""Exemplar phrase vectors are embedded once per model and kept on disk, atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agent.knowledge.embedding import HashEmbedder
from agent.ports import Vector
from agent.vectors import PhraseVectors


class Counting(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        self.embedded += list(texts)
        return super().embed_queries(texts)


def test_each_phrase_is_embedded_once_and_kept_on_disk(tmp_path: Path) -> None:
    first = Counting()
    a = PhraseVectors(first, tmp_path).vectors(["price?", "size?", "price?"])
    assert first.embedded == ["price?", "size?"] and a.shape == (3, first.dim)
    again = Counting()
    b = PhraseVectors(again, tmp_path).vectors(["size?", "price?", "colour?"])
    assert again.embedded == ["colour?"]
    assert np.allclose(b[1], a[0]) and not list(tmp_path.glob(".*tmp"))


def test_an_unreadable_cache_is_embedded_again(tmp_path: Path) -> None:
    (tmp_path / "hash.npz").write_bytes(b"not a cache")
    c = Counting()
    assert PhraseVectors(c, tmp_path).vectors(["hi"]).shape == (1, c.dim) and c.embedded == ["hi"]
