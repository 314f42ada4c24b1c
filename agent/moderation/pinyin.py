"""Toneless pinyin for homophone matching ("赌搏" for 赌博, "zheng zhi" for 政治).

Readings come from pypinyin's character table; they are cached per character on first use, since a show
only ever meets a few thousand distinct characters.
"""

from __future__ import annotations

import unicodedata


def _toneless(reading: str) -> str:
    s = "".join(c for c in unicodedata.normalize("NFKD", reading) if not unicodedata.combining(c))
    return s.replace("ü", "v").lower()


class PinyinTable:
    """Character -> set of toneless readings; word -> its most common spelling."""

    def __init__(self) -> None:
        from pypinyin.pinyin_dict import pinyin_dict

        self._dict: dict[int, str] = pinyin_dict
        self._cache: dict[str, frozenset[str]] = {}
        self._toned: dict[str, frozenset[str]] = {}
        self._primary: dict[str, frozenset[str]] = {}

    def readings(self, ch: str) -> frozenset[str]:
        got = self._cache.get(ch)
        if got is None:
            got = frozenset(_toneless(r) for r in self.toned(ch))
            self._cache[ch] = got
        return got

    def toned(self, ch: str) -> frozenset[str]:
        got = self._toned.get(ch)
        if got is None:
            got = frozenset(r for r in self._dict.get(ord(ch), "").split(",") if r)
            self._toned[ch] = got
        return got

    def primary(self, ch: str) -> frozenset[str]:
        """The most common reading, with its tone (the strict comparison for two-character words)."""
        got = self._primary.get(ch)
        if got is None:
            got = frozenset(self._dict.get(ord(ch), "").split(",")[:1]) - {""}
            self._primary[ch] = got
        return got

    def spell(self, word: str) -> str:
        """The usual toneless spelling of a Chinese word, syllables joined ("政治" -> "zhengzhi")."""
        from pypinyin import Style, lazy_pinyin

        return "".join(_toneless(s) for s in lazy_pinyin(word, style=Style.NORMAL))

    def sounds_alike(self, a: str, b: str, *, toneless: bool = True) -> bool:
        """Same length and every position shares a reading (else the same main reading and tone).

        Two-character words need the tones too: toneless, 大麻 (cannabis) would catch 大妈 (auntie).
        """
        if len(a) != len(b):
            return False
        look = self.readings if toneless else self.primary
        for x, y in zip(a, b, strict=True):
            if x != y and not (look(x) & look(y)):
                return False
        return True
