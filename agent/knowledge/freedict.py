"""A general French-English dictionary for keyword search across those two languages.

The embedder links few product nouns across French and English closely enough for the word bridge
(``bridge.py``: "bouilloire" is not near "kettle", and "lit" sits nearer "litter" than "bed"), so a French
question about an English catalog, or the other way round, often shares no keyword with the sheet that answers
it. FreeDict's French-English and English-French dictionaries (GPL-2+, about 8,500 headwords each, Debian's
``dict-freedict-fra-eng`` and ``dict-freedict-eng-fra``, which setup installs with apt) give the keyword side
the catalog's words: "théière" -> "teapot", "arrosoir" -> "watering can", "apron" -> "tablier". Like the
Chinese dictionary it is language data, not a list about any catalog; it is kept to the words the catalog uses
(a sense no sheet holds adds nothing), and it only adds keyword evidence: the sold-here thresholds still decide.
Without the files (another system, ``[knowledge] french_dictionary = "none"``) the bridge works alone.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from agent.knowledge.keywords import fold, tokenize
from agent.knowledge.reference import NAMELESS
from agent.language import detect_language, majority_language
from agent.product import Product

FILES = {"fr": "freedict-fra-eng", "en": "freedict-eng-fra"}  # by the language of the headwords
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_HEAD = re.compile(r"^(.*?)\s*(?:/[^/]*/)?\s*(?:<([^>]*)>)?\s*$")
_NUMBER = re.compile(r"^\d+\.\s*")
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
FIRST = 2  # senses of a word followed through two dictionaries
MAX_RUN = 3  # words in a looked-up phrase: "watering can", "sac de couchage"
_SKIP = NAMELESS
# the English colour words: the only adjectives looked up ("la lampe jaune" asks for the yellow one)
COLOURS = frozenset("""black white grey gray red blue green yellow brown pink purple orange beige navy gold silver
cream ivory violet turquoise""".split())


def _offset(code: str) -> int:
    n = 0
    for ch in code:
        n = n * 64 + _B64.index(ch)
    return n


def entries(folder: Path, language: str) -> Iterator[tuple[str, str, list[str]]]:
    """(headword, part of speech, translations) of the dictionary whose headwords are in ``language``."""
    name = FILES[language]
    text = gzip.decompress((folder / f"{name}.dict.dz").read_bytes())
    for line in (folder / f"{name}.index").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00database"):
            continue
        start, size = _offset(parts[1]), _offset(parts[2])
        body = text[start : start + size].decode("utf-8", errors="replace").replace("\u2010", "-").splitlines()
        if not body:
            continue
        head = _HEAD.match(body[0])
        if head is None:
            continue
        senses = [s.strip() for ln in body[1:] for s in re.split(r"[,;]", _NUMBER.sub("", ln)) if s.strip()]
        yield head.group(1), head.group(2) or "", senses


def _read(folder: Path) -> tuple[list[tuple[str, str, list[str]]], list[tuple[str, str, list[str]]]] | None:
    """Both dictionaries' entries (French headwords, English headwords); None without the files or on a bad one."""
    if not all((folder / f"{FILES[x]}.index").exists() for x in FILES):
        return None
    try:
        return list(entries(folder, "fr")), list(entries(folder, "en"))
    except (OSError, ValueError):
        return None


def names_of(product: Product) -> str:
    """The words that name a product (title, category, tags, variants), not the rest of its sheet: a sheet's
    "résistant à l'eau" would make any English question naming "water" find that product."""
    return " ".join([product.title, product.category, *product.tags, *(v.name for v in product.variants)])


def _nouns(french: list[tuple[str, str, list[str]]]) -> frozenset[str]:
    """The French headwords that are nouns (only the French side has parts of speech)."""
    return frozenset(_key(head) for head, pos, _ in french if pos.startswith("n"))


def _key(phrase: str) -> str:
    """A phrase as words: "Watering-can" -> "watering can" (a catalog writes it either way)."""
    return " ".join(_WORD.findall(fold(phrase).replace("-", " ")))


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss") else word


class FrenchEnglish:
    """``expand(question)``: the catalog's words for a French question's words (an English catalog) or an English
    question's words (a French catalog), or []; for a Chinese catalog (``language`` "zh"), the English phrases
    of a French question's words that the Chinese dictionary turns into the catalog's. Built for one catalog:
    :meth:`for_catalog`, :meth:`for_chinese`."""

    def __init__(self, language: str, words: dict[str, tuple[str, ...]]) -> None:
        self.language = language  # the catalog's
        self.words = words  # a phrase of the other language, folded -> the catalog's words for it

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def for_catalog(cls, products: Sequence[Product], folder: Path) -> FrenchEnglish | None:
        """The dictionary kept to the words of ``products`` (an English or a French catalog); None for another
        catalog or without the files."""
        language = majority_language([p.title + " " + p.text[:80] for p in products[:200]])
        read = _read(folder) if language in ("en", "fr") else None
        if read is None:
            return None
        french, english = read
        own = frozenset(w for p in products for w in tokenize(names_of(p)))  # the words that name products
        pairs: dict[str, list[str]] = {}

        def add(phrase: str, translation: str) -> None:
            key, said = _key(phrase), _key(translation)
            terms = [t for t in tokenize(said) if t not in _SKIP]
            if key and terms and len(key.split()) <= MAX_RUN and all(t in own for t in terms):
                kept = pairs.setdefault(key, [])
                if said not in kept:
                    kept.append(said)

        # nouns and colours only: a product is named by a noun, and other adjectives mislead ("small" is the
        # "petit" of any title with the word, and every size L is "large")
        nouns = _nouns(french)
        for head, pos, senses in french:
            for sense in senses:
                if pos.startswith("n") or pos.startswith("adj") and _key(sense) in COLOURS:
                    add(head, sense) if language == "en" else add(sense, head)
        for head, _, senses in english:
            for sense in senses:
                if _key(sense) in nouns or _key(head) in COLOURS:
                    add(sense, head) if language == "en" else add(head, sense)
        return cls(language, {k: tuple(v) for k, v in pairs.items()}) if pairs else None

    @classmethod
    def for_chinese(cls, folder: Path, english: frozenset[str]) -> FrenchEnglish | None:
        """For a Chinese catalog: French nouns to the English phrases in ``english`` (those the Chinese dictionary
        knows the catalog's words by), so a French question reaches it through English ("verre" -> "glass" ->
        "玻璃"); None without any or without the files."""
        read = _read(folder) if english else None
        if read is None:
            return None
        french, english_side = read
        pairs: dict[str, list[str]] = {}

        def add(phrase: str, sense: str) -> None:
            key = _key(phrase)
            if key and len(key.split()) <= MAX_RUN and sense not in pairs.setdefault(key, []):
                pairs[key].append(sense)

        # a word's first senses only, and no generic word: two hops through a dictionary drift fast ("service" ->
        # "function" -> "多功能", "temps" -> "time")
        english = frozenset(e for e in english if e not in _SKIP)
        nouns = _nouns(french) - _SKIP
        for head, pos, senses in french:
            for sense in senses[:FIRST]:
                if pos.startswith("n") and _key(head) in nouns and _key(sense) in english:
                    add(head, _key(sense))
        for head, _, senses in english_side:
            for sense in senses[:FIRST]:
                if _key(head) in english and _key(sense) in nouns:
                    add(sense, _key(head))
        return cls("zh", {k: tuple(v) for k, v in pairs.items() if v}) or None

    def english(self) -> frozenset[str]:
        """The English words a French catalog is known by (for the Chinese dictionary: "帐篷" -> "tent")."""
        if self.language != "fr":
            return frozenset()
        return frozenset(t for key in self.words for t in tokenize(key) if t not in _SKIP)

    def lookup(self, phrases: Sequence[str]) -> list[str]:
        """The catalog's words for phrases of the other language (a Chinese question's English senses)."""
        out: list[str] = []
        for phrase in phrases:
            out.extend(w for w in self._find(_key(phrase).split()) if w not in out)
        return out

    def _find(self, words: Sequence[str]) -> tuple[str, ...]:
        """The catalog's words for a phrase, as written or with its last word singular ("tents": "tent")."""
        if not words:
            return ()
        return self.words.get(" ".join(words)) or self.words.get(" ".join([*words[:-1], _singular(words[-1])])) or ()

    def applies(self, question: str) -> bool:
        asked = detect_language(question, self.language)
        return asked == "fr" if self.language == "zh" else asked not in (self.language, "zh")

    def expand(self, question: str) -> list[str]:
        if not self.words or not self.applies(question):
            return []
        words = _WORD.findall(fold(question))
        out: list[str] = []
        i = 0
        while i < len(words):
            for n in range(MAX_RUN, 0, -1):
                run = words[i : i + n]
                if len(run) < n or run[0] in _SKIP or run[-1] in _SKIP:
                    continue
                found = self._find(run)
                if found:
                    out.extend(w for w in found if w not in out)
                    i += n
                    break
            else:
                i += 1
        return out
