"""The extra keyword words a question gets, remade at each sync: the shop's glossary, the dictionaries, the bridge.

Each is optional: ``[knowledge] dictionary``, ``french_dictionary`` and ``bridge`` turn the language data off, a
shop without a ``glossary.toml`` has none. The Chinese dictionary is kept while the catalog uses no word it lacks
(it reads 9 MB), the French one and the bridge while the products are the same (the bridge's name vectors are
cached); the glossary is re-read (a shop edits it). For a French catalog the Chinese dictionary also keeps the
English words the French one knows it by, so a Chinese question reaches it through English ("帐篷" -> "tent" ->
"tente"); for a Chinese catalog the French one keeps the French words for the English senses the Chinese one
holds, so a French question reaches it the other way ("verre" -> "glass" -> "玻璃").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agent.knowledge.bridge import Vectorize, WordBridge
from agent.knowledge.dictionary import Dictionary
from agent.knowledge.freedict import FrenchEnglish, names_of
from agent.knowledge.glossary import Glossary
from agent.language import has_han
from agent.product import Product
from agent.settings import KnowledgeSettings


class CatalogWords:
    """``expand(question)``: the shop's glossary's words, then the Chinese and the French dictionaries', then the
    bridge's."""

    def __init__(self, glossary: Glossary | None = None, dictionary: Dictionary | None = None,
                 bridge: WordBridge | None = None, french: FrenchEnglish | None = None) -> None:
        self.glossary = glossary or Glossary()
        self.dictionary = dictionary
        self.bridge = bridge
        self.french = french

    def embeds(self, question: str) -> bool:
        """Would :meth:`expand` embed anything (the question is in another language than a bridged catalog)?"""
        return self.bridge is not None and self.bridge.applies(question)

    def expand(self, question: str) -> list[str]:
        senses = self.dictionary.expand(question) if self.dictionary is not None else []
        extra = [*self.glossary.expand(question), *senses]
        if self.french is not None and self.french.language == "zh":
            # a French question about a Chinese catalog: its words' English senses, then their Chinese
            if self.dictionary is not None:
                extra = [*extra, *self.dictionary.chinese(self.french.expand(question))]
        elif self.french is not None:
            extra = [*extra, *self.french.expand(question)]
            if self.french.language == "fr" and has_han(question):
                # a Chinese question about a French catalog: its words' English senses, then their French
                extra = [*extra, *self.french.lookup(senses)]
        if self.bridge is not None:
            extra = [*extra, *self.bridge.expand(question)]
        return extra


def catalog_words(settings: KnowledgeSettings, paths: Sequence[Path], products: Sequence[Product],
                  last: CatalogWords | None, same: bool, names_vectors: Vectorize, embed: Vectorize) -> CatalogWords:
    """The words for ``products``; ``last``: the last sync's, ``same``: are the products the same?"""
    french = last.french if last is not None and same else None
    if french is None and settings.french_dictionary == "freedict":
        french = FrenchEnglish.for_catalog(products, Path(settings.french_dictionary_folder))
    dictionary = last.dictionary if last is not None and same else None  # nothing to read again
    if dictionary is None and settings.dictionary == "cedict":
        dictionary = Dictionary.for_catalog(products, last.dictionary if last is not None else None,
                                            also=french.english() if french is not None else frozenset())
    if french is None and settings.french_dictionary == "freedict" and dictionary is not None \
            and dictionary.catalog_han:
        # only what names products: a sheet's "尺寸" or "重量" would make any French "taille" or "poids" find it
        french = FrenchEnglish.for_chinese(Path(settings.french_dictionary_folder),
                                           dictionary.named_senses([names_of(p) for p in products]))
    bridge = last.bridge if last is not None and same else None
    if bridge is None and settings.bridge == "embedder":
        bridge = WordBridge.for_catalog(products, dictionary, names_vectors, embed,
                                        min_cosine=settings.bridge_min_cosine,
                                        min_margin=settings.bridge_min_margin)
    return CatalogWords(Glossary.load(paths), dictionary, bridge, french)
