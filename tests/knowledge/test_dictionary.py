"""The Chinese-English dictionary on the keyword side: kept to the catalog's words, in the direction a question
in the other script needs, and never a word the catalog does not use."""

from __future__ import annotations

import json
from pathlib import Path

from agent.knowledge.base import KnowledgeBase
from agent.knowledge.dictionary import Dictionary
from agent.knowledge.embedding import HashEmbedder
from agent.knowledge.glossary import Glossary
from agent.knowledge.words import CatalogWords
from agent.product import Product
from agent.settings import KnowledgeSettings

LATIN = [Product("tent", "Ridge Camping Tent, 2 person", 120.0, "USD", text="Sleeps two. Poles and pegs included."),
         Product("kettle", "Stovetop Kettle 1.5 L", 35.0, "USD", text="Whistles when the water boils.")]
HAN = [Product("wok", "不锈钢炒锅 32cm", 199.0, "CNY", text="无涂层，电磁炉通用。"),
       Product("cooker", "智能电饭煲 4L", 299.0, "CNY", text="预约定时，24小时保温。")]


def test_chinese_words_become_the_english_words_a_latin_catalog_uses() -> None:
    d = Dictionary.for_catalog(LATIN)
    assert d is not None and not d.catalog_han
    assert "tent" in d.expand("帐篷多少钱") and "kettle" in d.expand("水壶多大")
    assert d.expand("有洗发水吗？") == []  # shampoo: no word of this catalog
    assert d.expand("how much is the tent") == []  # a question in the catalog's own script needs nothing


def test_english_words_and_phrases_become_the_chinese_words_a_chinese_catalog_uses() -> None:
    d = Dictionary.for_catalog(HAN)
    assert d is not None and d.catalog_han
    assert "炒锅" in d.expand("how heavy is the wok")
    assert "电饭煲" in d.expand("rice cooker warranty?")
    assert d.expand("do you sell pressure cookers") == []  # 高压锅 is no word of this catalog
    assert d.expand("炒锅多重") == []


def test_the_shops_glossary_comes_first_and_the_dictionary_adds_to_it() -> None:
    words = CatalogWords(Glossary({"帐篷": ["ridge tent"]}), Dictionary.for_catalog(LATIN))
    assert words.expand("帐篷多少钱")[:2] == ["ridge tent", "tent"]
    assert CatalogWords().expand("帐篷多少钱") == []


async def test_a_chinese_question_finds_the_english_product_by_its_words(tmp_path: Path) -> None:
    # the hash embedder links nothing across languages: the dictionary's words are what find the tent
    cat = tmp_path / "catalog.json"
    cat.write_text(json.dumps({"products": [{"id": p.id, "title": p.title, "price": p.price, "currency": "USD",
                                             "text": p.text} for p in LATIN]}), encoding="utf-8")
    for setting, found in (("cedict", True), ("none", False)):
        kb = KnowledgeBase(KnowledgeSettings(dictionary=setting), [cat], tmp_path / setting, embedder=HashEmbedder())
        kb.sync()
        hits = await kb.search("帐篷多少钱", k=2)
        assert (hits[0].product.id == "tent" and hits[0].keyword > 0) is found
        kb.close()


def test_an_edit_that_adds_no_word_keeps_the_dictionary_without_reading_it_again() -> None:
    from dataclasses import replace

    for catalog in (LATIN, HAN):
        d = Dictionary.for_catalog(catalog)
        cheaper = [replace(catalog[0], price=1.0), catalog[1]]
        assert Dictionary.for_catalog(cheaper, d) is d  # prices and stock carry no words
        renamed = [replace(catalog[0], title=catalog[0].title + (" 帐篷" if d and d.catalog_han else " lantern")),
                   catalog[1]]
        assert Dictionary.for_catalog(renamed, d) is not d
