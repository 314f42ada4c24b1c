"""Numbers as hosts say them in EN/FR/ZH, so '1 299,00', '1,299.00', '39,9' and '九十九' compare equal to sheets.

Every number found keeps its span: the claim extractor reads the words around it to decide what it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class NumberForm(StrEnum):
    ARABIC = "arabic"
    CHINESE = "chinese"
    WORD = "word"


@dataclass(frozen=True, slots=True)
class NumberToken:
    """One number in a text. Chinese and word forms are kept only when a unit or context gives them meaning."""

    value: float
    start: int
    end: int
    form: NumberForm


CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL = "[零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二三四五六七八九]+)?"

_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "vingt": 20,
}
_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
}
_UNITS_WORDS = "one|two|three|four|five|six|seven|eight|nine|un|deux|trois|quatre|cinq|six|sept|huit|neuf"
_WORD_NUMBER = (
    rf"(?:{'|'.join(_TENS)})(?:[- ](?:et[- ])?(?:{_UNITS_WORDS}))?|{'|'.join(_WORDS)}"
)

# Thousands groups (space, no-break space, comma, dot) then an optional 1-2 digit decimal part.
_SPACES = " \u00a0\u202f"
ARABIC = (
    r"(?<![\d.,])(?:"
    r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?"
    r"|\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?"
    r"|\d+(?:[.,]\d{1,2})?"
    r")(?![\d])(?![.,]\d)"
)
_NUMBER_RE = re.compile(
    rf"(?P<a>{ARABIC})|(?P<c>{CN_NUMERAL})|(?P<w>(?<![\w'-])(?:{_WORD_NUMBER})(?![\w'-]))",
    re.IGNORECASE,
)


def parse_arabic(text: str) -> float:
    """'1 299,00' -> 1299.0, '1,299' -> 1299.0, '39,9' -> 39.9: a final 1-2 digit group is decimals."""
    s = "".join(ch for ch in text if ch not in _SPACES)
    m = re.search(r"[.,](\d{1,2})$", s)
    if m:
        whole = re.sub(r"[.,]", "", s[: m.start()])
        return float(f"{whole or 0}.{m.group(1)}")
    return float(re.sub(r"[.,]", "", s))


def parse_chinese(text: str) -> float | None:
    """'三十九' -> 39, '两百五' -> 250, '一百零五' -> 105, '八五' -> 85, '三十九点九' -> 39.9."""
    if "点" in text:
        whole_s, _, frac = text.partition("点")
        whole = parse_chinese(whole_s) if whole_s else 0.0
        if whole is None or not frac or any(c not in CN_DIGITS for c in frac):
            return None
        return float(f"{int(whole)}.{''.join(str(CN_DIGITS[c]) for c in frac)}")
    if not text:
        return None
    if all(c in CN_DIGITS for c in text):
        return float("".join(str(CN_DIGITS[c]) for c in text))
    total = section = 0
    digit: int | None = None
    last_unit = 1
    for c in text:
        if c in ("零", "〇"):
            last_unit = 1
        elif c in CN_DIGITS:
            if digit is not None:
                return None
            digit = CN_DIGITS[c]
        elif c in _CN_UNITS:
            unit = _CN_UNITS[c]
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            big = _CN_BIG[c]
            section += digit or 0
            total += (section or 1) * big
            section, digit, last_unit = 0, None, big
    if digit is not None:
        # A digit right after a unit is the next lower unit: 两百五 = 250, 十五 = 15.
        section += digit * max(last_unit // 10, 1)
    return float(total + section)


def _word_value(text: str) -> float:
    """'fifty-eight' -> 58, 'vingt et un' -> 21, 'three' -> 3."""
    parts = [w for w in re.split(r"[- ]", text.lower()) if w and w != "et"]
    if parts[0] in _TENS:
        return float(_TENS[parts[0]] + (_WORDS[parts[1]] if len(parts) > 1 else 0))
    return float(_WORDS[parts[0]])


def find_numbers(text: str) -> list[NumberToken]:
    """Every number in ``text``, left to right."""
    out: list[NumberToken] = []
    for m in _NUMBER_RE.finditer(text):
        if m.group("a"):
            out.append(NumberToken(parse_arabic(m.group("a")), m.start(), m.end(), NumberForm.ARABIC))
        elif m.group("c"):
            value = parse_chinese(m.group("c"))
            if value is not None:
                out.append(NumberToken(value, m.start(), m.end(), NumberForm.CHINESE))
        else:
            out.append(NumberToken(_word_value(m.group("w")), m.start(), m.end(), NumberForm.WORD))
    return out


def parse_any(text: str) -> float | None:
    """One number written in any supported form, or None."""
    found = find_numbers(text.strip())
    return found[0].value if len(found) == 1 else None
