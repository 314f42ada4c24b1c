"""Chinese text cut into words, each with its part of speech ("实木衣柜多少钱" -> 实木/n 衣柜/n 多少/m 钱/n).

Chinese writes no spaces, so "the thing a question names" cannot be read off its characters: "轮子摔坏了保吗" is
about a wheel, but its last two characters before "吗" are "了保". jieba (MIT, on PyPI with its own dictionary of
349,000 words and their parts of speech; nothing is downloaded) cuts the text into dictionary words and tags
them (nouns "n", verbs "v", numerals "m", pronouns "r", particles "u" and "y"...). It is general language data,
not a list about any catalog.

Loading the dictionary takes about two seconds, so it is read once per process, on first use or from
:func:`warm` (the show calls it at start for a Chinese catalog).
"""

from __future__ import annotations

import functools
import logging
from typing import Any


def words(text: str) -> list[tuple[str, str]]:
    """``text`` as (word, part of speech) pairs, in order."""
    return [(w.word, w.flag) for w in _tagger().cut(text)]


def warm() -> None:
    """Read the dictionary now rather than on the first Chinese question."""
    words("多少钱")


@functools.cache
def _tagger() -> Any:
    import jieba
    import jieba.posseg

    logging.getLogger("jieba").setLevel(logging.WARNING)  # it logs its own loading at DEBUG to stderr
    return jieba.posseg.POSTokenizer(jieba.Tokenizer())
