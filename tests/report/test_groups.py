"""Unanswered questions grouped by meaning: the same words (any case, spacing, punctuation) are one wording, texts
closer than the threshold join the most asked one, texts asking for different attributes never join, only the
most asked wordings are embedded past the limit, and the thresholds are the ones chosen on development material."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agent.knowledge.embedding import HashEmbedder
from agent.ports import Vector
from agent.report.groups import THRESHOLDS, fold, group_texts


class Table:
    """An embedder whose vectors the test chooses: texts starting with the same letter are one meaning."""

    name = "table"
    dim = 4

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def _one(self, text: str) -> Vector:
        axis = {"a": 0, "b": 1, "c": 2}.get(text[:1].lower(), 3)
        v = np.full(self.dim, 0.05, dtype=np.float32)
        v[axis] = 1.0
        return v / np.linalg.norm(v)

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        self.embedded += list(texts)
        return np.array([self._one(t) for t in texts], dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        return self.embed_queries(texts)

    def embed_query(self, text: str) -> Vector:
        return self._one(text)


def test_the_same_words_are_one_wording_counted_and_close_ones_join_the_most_asked() -> None:
    texts = ["a ship to Canada?", "A  ship to canada", "b returns?", "a delivered in Canada", "a ship to Canada ?"]
    grouping = group_texts(texts, Table(), threshold=0.9)
    first, second = grouping.groups
    assert first.label == "a ship to Canada?"
    assert first.texts == [("a ship to Canada?", 3), ("a delivered in Canada", 1)]
    assert first.items == [0, 1, 3, 4] and second.items == [2] and grouping.left_out == []
    assert fold("Ça  LIVRE, au Canada ?") == "ça livre au canada"


def test_questions_asking_for_different_attributes_never_join() -> None:
    texts = ["a how much is the lamp?", "a how heavy is the lamp?", "a what does the lamp cost"]
    grouping = group_texts(texts, Table(), threshold=0.5)
    assert [g.items for g in grouping.groups] == [[0, 2], [1]]  # price and price together, the weight apart


def test_past_the_limit_only_the_most_asked_wordings_are_embedded() -> None:
    table = Table()
    texts = ["c rare one", "b twice", "b twice", "a thrice", "a thrice", "a thrice"]
    grouping = group_texts(texts, table, threshold=0.9, max_texts=2)
    assert table.embedded == ["a thrice", "b twice"]
    assert grouping.left_out == [0] and [g.label for g in grouping.groups] == ["a thrice", "b twice"]


def test_nothing_to_group_embeds_nothing() -> None:
    table = Table()
    assert group_texts([], table).groups == [] and table.embedded == []


def test_the_hash_embedder_groups_reworded_questions_of_the_same_words() -> None:
    texts = ["Do you ship to Canada?", "do you ship to canada please", "What is the return policy?"]
    grouping = group_texts(texts, HashEmbedder())
    assert [g.items for g in grouping.groups][0] == [0, 1] and grouping.threshold == THRESHOLDS["hash"]


def test_the_thresholds_are_the_ones_chosen_on_development_material(repo_root: Path) -> None:
    chosen = json.loads((repo_root / "bench" / "results" / "report-calibration.json").read_text(encoding="utf-8"))
    assert {name: r["chosen"]["threshold"] for name, r in chosen.items()} == THRESHOLDS
