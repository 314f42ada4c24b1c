"""Text folding that defeats cheap evasion tricks before any list is matched.

One pass builds several *views* of a comment, each suited to one kind of rule: regex patterns read the
NFKC/casefolded/simplified text with its spacing; Chinese keywords read the Han characters alone (spaces,
emoji and symbols squeezed out); Latin keywords read a "skeleton" (accents dropped, leetspeak folded, ``l``
and ``1`` both folded to ``i``) concatenated, together with where each original token started and ended,
so that "g.a.m.b.l.i.n.g" and "gam bling" match "gambling" while "skill" never matches "kill".
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from itertools import accumulate

from agent.language import HAN_CHARS, HAN_RUN
from agent.moderation.gate import trigrams

_TOKEN = re.compile(r"[a-z0-9]+")
_MIXED = re.compile(f"[a-z0-9{HAN_CHARS}]+")
_SPACES = re.compile(r"\s+")
_BETWEEN_HAN = re.compile(f"(?<=[{HAN_CHARS}])[^\\w{HAN_CHARS}]+(?=[{HAN_CHARS}])")
_SPELLED = re.compile(r"(?<![\w])(?:[^\W_][ .\-_*·•|/]){2,}[^\W_](?![\w])")
_PAIR = re.compile(r"[^\W\d_][ .\-_*·•|/][^\W\d_]")
_WORD_GAP = re.compile(r"\s{2,}|\s*[\u3000]\s*")
_MIXED_TOKEN = re.compile(r"\S*[a-z]\S*")

# Digit and symbol look-alikes, applied only inside tokens that also hold letters ("s3x", "g4mbl1ng",
# "$ex"), so prices and sizes ("38", "20€") are left alone. "l" and "1" both fold to "i" in keywords too.
_LEET_DIGITS = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"})
_LEET_SYMBOL = re.compile(r"[@$!|€£+][a-z0-9]")
_LEET_SYMBOLS = {"@": "a", "$": "s", "!": "i", "|": "i", "€": "e", "£": "l", "+": "t"}
_FOLD_L = str.maketrans({"l": "i"})


def _accent_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for o in range(0xC0, 0x250):
        ch = chr(o)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii():
            table[o] = base.lower()
    table[ord("œ")] = "oe"
    table[ord("æ")] = "ae"
    table[ord("ß")] = "ss"
    return table


def _any_of(chars: dict[int, str]) -> re.Pattern[str]:
    """A regex finding any key of a translate table, or any astral character: a C scan ~10x cheaper than
    ``str.translate`` (a dict look-up per character), so only texts that need translating pay for it.

    Astral keys are left out of the class on purpose: a class with any keeps ``re`` from building its
    bitmap and each character is then compared with every member.
    """
    bmp = "".join(re.escape(chr(o)) for o in sorted(chars) if o <= 0xFFFF)
    return re.compile(f"[{bmp}]|[\U00010000-\U0010ffff]" if bmp else "[\U00010000-\U0010ffff]")


_ACCENTS = _accent_table()
_ACCENTED = _any_of(_ACCENTS)


def _load_t2s() -> dict[int, str]:
    """Single-character traditional -> simplified map from zhconv's data file (phrases are not needed here).

    The JSON is read directly: zhconv's own loader leaves the file open (a ResourceWarning).
    """
    data = json.loads(resources.files("zhconv").joinpath("zhcdict.json").read_text(encoding="utf-8"))
    table: dict[str, str] = data["zh2Hans"]
    return {ord(k): v for k, v in table.items() if len(k) == 1 and len(v) == 1}


@dataclass(frozen=True, slots=True)
class Views:
    """The folded forms of one text (see the module docstring)."""

    norm: str
    han: str
    latin: str
    starts: tuple[int, ...]
    ends: frozenset[int]
    mixed: str
    tri: frozenset[str]
    words: frozenset[str] = frozenset()  # whole words (leetspeak folded, 'l' kept), letters spelled out joined
    plain: str = ""  # ``latin`` before 'l' is folded to 'i' (same positions): "folds" is not "foids"
    han_breaks: frozenset[int] = frozenset()  # positions in ``han`` where digits or letters were taken out


def skeleton(word: str, *, fold_l: bool = True) -> str:
    """Fold a Latin keyword the way :meth:`Normalizer.views` folds text (no separators kept); ``fold_l``
    False keeps 'l' as :attr:`Views.plain` does."""
    w = unicodedata.normalize("NFKC", word).casefold().translate(_ACCENTS)
    if _LEET_SYMBOL.search(w) is not None:
        w = " ".join(_leet_chunk(c) for c in w.split())
    toks = [t if t.isalpha() or t.isdigit() else t.translate(_LEET_DIGITS) for t in _TOKEN.findall(w)]
    joined = "".join(toks)
    return joined.translate(_FOLD_L) if fold_l else joined


def _han_view(norm: str) -> tuple[str, frozenset[int]]:
    """The Chinese characters joined (spaces and symbols between them are a spacing trick), and where a digit
    or a letter stood between two of them ("充电宝20000毫安": 宝 and 毫 belong to different words)."""
    runs: list[str] = []
    breaks: list[int] = []
    at, last = 0, None
    for m in HAN_RUN.finditer(norm):
        if last is not None and any(c.isalnum() for c in norm[last : m.start()]):
            breaks.append(at)
        runs.append(m.group(0))
        at += len(m.group(0))
        last = m.end()
    return "".join(runs), frozenset(breaks)


def word_form(word: str) -> str:
    """A short keyword as :attr:`Views.words` holds words: folded, accents dropped, 'l' kept."""
    w = unicodedata.normalize("NFKC", word).casefold().translate(_ACCENTS)
    return "".join(_TOKEN.findall(w))


def _leet_chunk(chunk: str) -> str:
    out = chunk.translate(_LEET_DIGITS)
    if any(c in _LEET_SYMBOLS for c in out):
        chars = list(out)
        n = len(chars)
        for i, c in enumerate(chars):
            rep = _LEET_SYMBOLS.get(c)
            if rep is not None and i + 1 < n and chars[i + 1].isalnum() and (i == 0 or chars[i - 1].isalnum()):
                chars[i] = rep
        out = "".join(chars)
    return out


class Normalizer:
    """Builds :class:`Views`; holds the traditional->simplified table (loaded once, read-only after)."""

    def __init__(self) -> None:
        self._t2s = _load_t2s()
        self._traditional = _any_of(self._t2s)

    def fold(self, text: str) -> str:
        """NFKC + casefold + traditional->simplified: the form regex patterns and allow-lists read."""
        if text.isascii():
            return text.lower()
        folded = unicodedata.normalize("NFKC", text).casefold()
        return folded.translate(self._t2s) if self._traditional.search(folded) is not None else folded

    def simplify(self, text: str) -> str:
        return text.translate(self._t2s)

    def views(self, text: str) -> Views:
        norm = self.fold(text)
        if norm.isascii():
            ascii_only = True
            han, han_breaks = "", frozenset[int]()
            base = norm
        else:
            ascii_only = False
            han, han_breaks = _han_view(norm)
            base = norm.translate(_ACCENTS) if _ACCENTED.search(norm) is not None else norm
        if _LEET_SYMBOL.search(base) is not None:
            base = " ".join(_leet_chunk(c) for c in base.split())
        tokens = _TOKEN.findall(base)
        joined = "".join(tokens)
        if not joined.isalpha():  # some token holds a digit: fold leetspeak digits (skipped for plain words)
            n = len(tokens)
            for i, tok in enumerate(tokens):
                if tok.isalpha():
                    continue
                if not tok.isdigit():
                    tokens[i] = tok.translate(_LEET_DIGITS)  # "g4mbl1ng", "s3x"
                elif len(tok) == 1 and ((i > 0 and len(tokens[i - 1]) == 1 and tokens[i - 1].isalpha())
                                        or (i + 1 < n and len(tokens[i + 1]) == 1 and tokens[i + 1].isalpha())):
                    tokens[i] = tok.translate(_LEET_DIGITS)  # "d r 0 g u e": a spaced-out digit among letters
            joined = "".join(tokens)
        ends = list(accumulate(map(len, tokens)))
        starts = (0, *ends[:-1]) if ends else ()
        latin = joined.replace("l", "i")
        mixed = latin if ascii_only else "".join(_MIXED.findall(base)).replace("l", "i")
        return Views(norm, han, latin, starts, frozenset(ends), mixed, trigrams(norm), _words(tokens), joined,
                     han_breaks)


# What chat means by some emoji, for the semantic screen (its meaning and its second read by the word lists;
# triage never reads these): a reader sees
# "🔪🩸 outside your studio" as a threat. Generic meanings, in English; the model is multilingual.
_EMOJI_WORDS = {
    "🔪": " knife ", "🗡": " knife ", "🔫": " gun ", "💣": " bomb ", "🧨": " explosive ", "🩸": " blood ",
    "💀": " dead ", "☠": " death ", "⚰": " coffin ", "🪦": " grave ", "🪢": " rope ", "💊": " pills ",
    "💉": " needle ", "🍃": " weed ", "🌿": " weed ", "🍁": " weed ", "❄": " snow ", "🍆": " dick ",
    "🍑": " ass ", "💦": " cum ", "👅": " lick ", "🎰": " casino ", "🎲": " gambling ", "🃏": " cards ",
    "🐒": " monkey ", "🐵": " monkey ", "🐷": " pig ", "🐖": " pig ", "🐽": " pig ", "🖕": " fuck you ",
}
_EMOJI_RX = re.compile("|".join(map(re.escape, _EMOJI_WORDS)))


def readable(folded: str) -> str:
    """A folded text as a reader decodes it, for the semantic screen: letters spelled out one by one joined
    again ("g a m b l i n g", "s.e.x" -> "gambling", "sex"), leetspeak inside words folded ("g4mbl1ng"), and
    spaces or symbols between Chinese characters dropped ("怎 么 做" -> "怎么做"). Numbers and prices alone stay.
    """
    text = _BETWEEN_HAN.sub("", folded)
    if not text.isascii():
        text = _EMOJI_RX.sub(lambda m: _EMOJI_WORDS[m.group(0)], text)
    # letters spelled out one by one: a single separator inside a word, two spaces between words (where some
    # word is spelled out, a two-letter one is too: "b l o w  u p")
    parts = _WORD_GAP.split(text)
    spelled = len(parts) > 1 and any(_SPELLED.fullmatch(p.strip()) for p in parts)
    text = " ".join(_SPELLED.sub(_join_spelled, part) if not (spelled and _PAIR.fullmatch(part.strip()))
                    else re.sub(r"\W", "", part) for part in parts)

    def fold_token(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok.isalpha() or not any(c.isdigit() or c in _LEET_SYMBOLS for c in tok):
            return tok
        return _leet_chunk(tok)

    return squash(_MIXED_TOKEN.sub(fold_token, text))


def _join_spelled(m: re.Match[str]) -> str:
    """'g a m b l 1 n g' -> 'gambl1ng' (leet folded later); '3 x 4 m' (a size) stays as it is."""
    chars = re.sub(r"[\W_]", "", m.group(0))
    letters = sum(c.isalpha() for c in chars)
    return chars if letters >= 3 and letters > len(chars) - letters else m.group(0)


def _words(tokens: list[str]) -> frozenset[str]:
    """The tokens as words, plus each run of single letters joined ("s e x" -> "sex")."""
    out = set(tokens)
    run: list[str] = []
    for tok in [*tokens, ""]:
        if len(tok) == 1:
            run.append(tok)
            continue
        if len(run) >= 2:
            out.add("".join(run))
        run = []
    return frozenset(out)


def squash(text: str) -> str:
    """Collapse whitespace (for readable ``matched`` snippets)."""
    return _SPACES.sub(" ", text).strip()


_MASKED = re.compile(r"(?<![\w*])[a-z]*\*[a-z*]*(?![\w*])")


class Unmasker:
    """Letters masked with ``*`` ("b*mb", "s*icide", "p*te") read back as the word of the lists they hide: a
    masked word in chat is one the writer knew would be caught. Only words with at least two letters shown and
    no more masked than shown are read back; the first list word (alphabetically) that fits is used."""

    def __init__(self, words: Iterable[str]) -> None:
        by_length: dict[int, set[str]] = {}
        for w in (w for phrase in words for w in phrase.replace("*", " ").split()):
            form = word_form(w)
            if len(form) >= 3 and form.isascii() and form.isalpha():
                by_length.setdefault(len(form), set()).add(form)
        self._by_length = {n: sorted(ws) for n, ws in by_length.items()}

    def __call__(self, text: str) -> str:
        if "*" not in text:
            return text
        return _MASKED.sub(self._word, text)

    def _word(self, m: re.Match[str]) -> str:
        tok = m.group(0)
        shown = sum(c != "*" for c in tok)
        if shown < 2 or shown < len(tok) - shown:
            return tok
        for w in self._by_length.get(len(tok), ()):
            if all(c == "*" or c == wc for c, wc in zip(tok, w, strict=True)):
                return w
        return tok
