"""The French-English dictionary on the keyword side: FreeDict's files as Debian installs them, kept to the
catalog's words, nouns and colours only, and a way across for a Chinese question about a French catalog."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from agent.knowledge.base import KnowledgeBase
from agent.knowledge.dictionary import Dictionary
from agent.knowledge.embedding import HashEmbedder
from agent.knowledge.freedict import FrenchEnglish, entries
from agent.knowledge.words import CatalogWords
from agent.product import Product
from agent.settings import KnowledgeSettings

DEBIAN = Path("/usr/share/dictd")  # dict-freedict-fra-eng and dict-freedict-eng-fra (scripts/setup.sh installs them)
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

ENGLISH = [Product("can", "Galvanised Watering Can 10 L", 39.0, "GBP", text="Long spout, sturdy handle."),
           Product("stool", "Oak Step Stool, Yellow", 89.0, "GBP", text="Two steps, a painted finish."),
           Product("bike", "Little Wolf Kids' Bike", 189.0, "GBP", text="Small frame for ages 4 to 6.")]
FRENCH = [Product("tente", "Tente dôme 2 places", 149.0, "EUR", text="Montage en cinq minutes, sardines incluses."),
          Product("tablier", "Tablier de cuisine en lin", 32.0, "EUR", text="Une grande poche devant."),
          Product("theiere", "Théière en fonte noire 0,8 L", 54.9, "EUR", text="Filtre inox amovible.")]


def _b64(n: int) -> str:
    out = ""
    while True:
        out = _B64[n % 64] + out
        n //= 64
        if n == 0:
            return out


def _dictd(folder: Path, name: str, items: list[tuple[str, str]]) -> None:
    """A dictd dictionary as dictfmt writes it: a gzipped body and an index of base-64 offsets."""
    body, index = b"", []
    for head, text in items:
        data = text.encode("utf-8")
        index.append(f"{head}\t{_b64(len(body))}\t{_b64(len(data))}")
        body += data
    (folder / f"{name}.dict.dz").write_bytes(gzip.compress(body))
    (folder / f"{name}.index").write_text("00databaseshort\tA\tB\n" + "\n".join(index) + "\n", encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _dictd(tmp_path, "freedict-fra-eng", [
        ("arrosoir", "arrosoir /aʀozwaʀ/ <n, fem>\nwatering‐can\n"),
        ("jaune", "jaune /ʒon/ <adj>\nyellow\n"),
        ("petit", "petit /pəti/ <adj>\n1. small\n2. little\n"),
        ("tabouret", "tabouret /tabuʀɛ/ <n, masc>\nstool\n"),
        ("tente", "tente /tɑ̃t/ <n, fem>\ntent\n"),
        ("tablier", "tablier /tablje/ <n, masc>\napron\n"),
        ("poche", "poche /pɔʃ/ <n, fem>\npocket\n"),
        ("théière", "théière /tejɛʀ/ <n, fem>\n1. teapot\n2. tea-pot\n"),
        ("tenter", "tenter /tɑ̃te/ <v>\ntry, tempt\n"),
        ("verre", "verre /vɛʀ/ <n, masc>\nglass\n"),
        ("fonction", "fonction /fɔ̃ksjɔ̃/ <n, fem>\nfunction\n")])
    _dictd(tmp_path, "freedict-eng-fra", [
        ("apron", "apron /eiprən/\ntablier\n"),
        ("teapot", "teapot /tiːpɔt/\nthéière\n"),
        ("small", "small /smɔːl/\npetit\n")])
    return tmp_path


def test_the_files_read_as_headword_part_of_speech_and_translations(folder: Path) -> None:
    french = {head: (pos, senses) for head, pos, senses in entries(folder, "fr")}
    assert french["petit"] == ("adj", ["small", "little"])  # numbered senses are senses
    assert french["arrosoir"] == ("n, fem", ["watering-can"])


def test_a_french_question_gets_the_english_catalogs_words_for_its_nouns_and_colours(folder: Path) -> None:
    d = FrenchEnglish.for_catalog(ENGLISH, folder)
    assert d is not None and d.language == "en"
    assert d.expand("c'est combien l'arrosoir jaune ?") == ["watering can", "yellow"]  # "watering-can" as written
    assert d.expand("le tabouret il est en quel bois") == ["stool"]
    assert d.expand("le petit vélo il coûte combien") == []  # "small" would find every size S: no adjectives
    assert d.expand("how much is the watering can") == []  # a question in the catalog's language needs nothing


def test_an_english_question_gets_the_french_catalogs_words_and_only_words_it_uses(folder: Path) -> None:
    d = FrenchEnglish.for_catalog(FRENCH, folder)
    assert d is not None and d.language == "fr"
    assert d.expand("How long is the linen apron?") == ["tablier"]
    assert d.expand("how much is the teapot") == ["theiere"]
    assert d.expand("do you sell small tents?") == ["tente"]  # plural to singular; "small" adds nothing
    assert d.lookup(["tent", "teapot", "kettle"]) == ["tente", "theiere"]  # a Chinese question's English senses
    assert d.expand("is the pocket big?") == []  # "poche" is a word of a sheet's text, not of a product's name


def test_without_the_files_or_for_a_chinese_catalog_there_is_none(tmp_path: Path, folder: Path) -> None:
    assert FrenchEnglish.for_catalog(ENGLISH, tmp_path / "absent") is None
    han = [Product("wok", "不锈钢炒锅 32cm", 199.0, "CNY", text="无涂层，电磁炉通用。")]
    assert FrenchEnglish.for_catalog(han, folder) is None


def test_a_chinese_question_about_a_french_catalog_goes_through_english(folder: Path) -> None:
    french = FrenchEnglish.for_catalog(FRENCH, folder)
    assert french is not None
    chinese = Dictionary.for_catalog(FRENCH, also=french.english())
    assert chinese is not None
    assert "tente" in CatalogWords(dictionary=chinese, french=french).expand("帐篷多少钱")
    assert "tente" not in CatalogWords(dictionary=Dictionary.for_catalog(FRENCH)).expand("帐篷多少钱")


def test_a_french_question_about_a_chinese_catalog_goes_through_english(folder: Path) -> None:
    han = [Product("box", "玻璃保鲜盒 4件套", 59.0, "CNY", text="多功能，可微波。"),
           Product("wok", "不锈钢炒锅 32cm", 199.0, "CNY", text="无涂层，电磁炉通用。")]
    chinese = Dictionary.for_catalog(han)
    assert chinese is not None
    french = FrenchEnglish.for_chinese(folder, chinese.named_senses([p.title for p in han]))
    assert french is not None and french.language == "zh"
    words = CatalogWords(dictionary=chinese, french=french)
    assert "玻璃" in words.expand("les boîtes en verre c'est combien ?")  # "verre" -> "glass" -> "玻璃"
    # "功能" is a word of a sheet's text, not of a product's name: "fonction" does not reach it
    assert not any("功能" in w for w in words.expand("la fonction vapeur elle marche comment ?"))
    assert french.expand("how much is the glass box") == []  # only French questions take this way


async def test_debians_dictionaries_find_the_product_a_french_question_names(tmp_path: Path) -> None:
    # the real files, on the hash embedder that links nothing across languages: only the words find the can
    cat = tmp_path / "catalog.json"
    cat.write_text(json.dumps({"products": [{"id": p.id, "title": p.title, "price": p.price, "currency": "GBP",
                                             "text": p.text} for p in ENGLISH]}), encoding="utf-8")
    for setting, found in (("freedict", True), ("none", False)):
        kb = KnowledgeBase(KnowledgeSettings(french_dictionary=setting, french_dictionary_folder=str(DEBIAN)),
                           [cat], tmp_path / setting, embedder=HashEmbedder())
        kb.sync()
        hits = await kb.search("c'est combien l'arrosoir ?", k=2)
        assert (hits[0].product.id == "can" and hits[0].keyword > 0) is found
        kb.close()
