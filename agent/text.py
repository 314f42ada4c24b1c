"""Small text helpers shared by several stages."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)|(?<=[。！？])")
_DECIMAL_SPLIT = re.compile(r"\d[.]\s*$")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (EN/FR/ZH punctuation); keeps decimals such as 39.90 intact."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text.strip()):
        part = part.strip()
        if part:
            out.append(part)
    return out
