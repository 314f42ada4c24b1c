"""Which size fits: a viewer's own measure against the sheet's size guide.

Live-commerce viewers ask "我180穿啥码", "my lab is like 30 inch chest, which size?", "je fais 1m75, quelle
taille ?". When the sheet writes a size guide as labelled ranges ("尺码参考：M 155-165cm，L 165-175cm",
"Sizing by chest girth: S 17–22 in, M 22–28 in"), the answer is the one range that holds the viewer's measure,
said as the sheet writes it ("XL 175-185cm"). Nothing is guessed: no guide, no unit that matches, or no range
that holds the measure, and the usual answer (the sizes on offer) is given instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.product import Product

_NUM = r"\d+(?:[.,]\d+)?"
# "M 155-165cm", "L: 28–34 in", "XL（175-185cm）", "38 码 160-165"
_RANGE = re.compile(
    rf"(?<![\w.])(?P<label>X{{0,4}}[SML]|\dXL|\d{{2,3}})\s*(?:码|號|号)?\s*[:：(（]?\s*"
    rf"(?P<lo>{_NUM})\s*(?P<lu>cm|m|in|kg|lbs?)?\s*(?:-|–|—|~|～|至|到)\s*(?P<hi>{_NUM})\s*"
    r"(?P<unit>cm|厘米|公分|mm|m|in|inch(?:es)?|\"|kg|公斤|千克|斤|lbs?)?", re.IGNORECASE)
# "XXL 185cm以上", "XL 175 cm and up", "XL 34+ in"
_ABOVE = re.compile(
    rf"(?<![\w.])(?P<label>X{{0,4}}[SML]|\dXL|\d{{2,3}})\s*[:：(（]?\s*(?P<lo>{_NUM})\s*"
    r"(?P<unit>cm|厘米|公分|m|in|inch(?:es)?|kg|公斤|斤|lbs?)?\s*(?:以上|\+|and up|or more|et plus|et \+)",
    re.IGNORECASE)
_UNITS = {"cm": "cm", "厘米": "cm", "公分": "cm", "mm": "mm", "m": "m", "in": "in", "inch": "in", "inches": "in",
          '"': "in", "kg": "kg", "公斤": "kg", "千克": "kg", "斤": "jin", "lb": "lb", "lbs": "lb"}
_TO_BASE = {"cm": ("len", 1.0), "mm": ("len", 0.1), "m": ("len", 100.0), "in": ("len", 2.54),
            "kg": ("mass", 1.0), "jin": ("mass", 0.5), "lb": ("mass", 0.4536)}
_HAN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "零": 0}
# the viewer's own measure
_METRES = re.compile(r"(?<!\d)([12])\s*(?:m|米)\s*(\d{1,2})?(?!\d)", re.IGNORECASE)  # 1m75, 1米8
_METRES_DOT = re.compile(r"(?<!\d)([12][.,]\d{1,2})\s*m(?![a-z])", re.IGNORECASE)  # 1.75m, 1,80 m
_HAN_METRES = re.compile(r"一米([一二三四五六七八九零])([一二三四五六七八九零])?")  # 一米八, 一米七五
_WITH_UNIT = re.compile(rf"({_NUM})\s*(cm|厘米|公分|kg|公斤|千克|斤|lbs?|pounds|in\b|inch(?:es)?|\")", re.IGNORECASE)
_BARE_HEIGHT = re.compile(r"(?:身高|个子|我|高)\s*(1[3-9]\d|20\d)(?!\d)|(?<!\d)(1[3-9]\d|20\d)\s*的?(?:个子|身高)")
# the question asks which size (else a measure is about something else: "does it fit a 30 inch bag?")
_WHICH_SIZE = re.compile(r"\bsizes?\b|\bwhich one\b|\bfit|taille|pointure|quel(?:le)? (?:taille|modèle)|码|尺码"
                         r"|穿哪|穿啥|穿什么|选哪|选什么|哪个|多大的", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Fit:
    label: str  # the size the sheet gives for that measure ("XL")
    said: str  # its range as the sheet writes it ("XL 175-185cm")


def buyer_measure(question: str) -> tuple[str, float] | None:
    """The viewer's own measure as (kind, value in cm or kg): "我180" -> ("len", 180), "120斤" -> ("mass", 60)."""
    if (m := _HAN_METRES.search(question)) is not None:
        cm = 100 + 10 * _HAN_DIGITS[m.group(1)] + (_HAN_DIGITS[m.group(2)] if m.group(2) else 0)
        return "len", float(cm)
    if (m := _METRES_DOT.search(question)) is not None:
        return "len", float(m.group(1).replace(",", ".")) * 100
    if (m := _METRES.search(question)) is not None and (m.group(2) or "米" in m.group(0)):
        tail = m.group(2) or "0"
        return "len", 100 * int(m.group(1)) + (int(tail) * 10 if len(tail) == 1 else int(tail))
    if (m := _WITH_UNIT.search(question)) is not None:
        raw = m.group(2).lower()
        unit = "lb" if raw.startswith(("pound", "lb")) else _UNITS.get(raw, "")
        if unit in _TO_BASE:
            kind, factor = _TO_BASE[unit]
            return kind, float(m.group(1).replace(",", ".")) * factor
    if (m := _BARE_HEIGHT.search(question)) is not None:
        return "len", float(m.group(1) or m.group(2))
    return None


def size_for(question: str, product: Product) -> Fit | None:
    """The one size of the sheet's guide that holds the viewer's measure, when the question asks which size."""
    if len(product.variants) < 2 or _WHICH_SIZE.search(question) is None:
        return None
    measure = buyer_measure(question)
    if measure is None:
        return None
    kind, value = measure
    labels = {part.strip().upper() for v in product.variants for part in re.split(r"[/()（）]", v.name)}
    text = "\n".join([product.text, *(f"{k}: {v}" for k, v in product.facts)])
    found: list[Fit] = []
    for m in [*_RANGE.finditer(text), *_ABOVE.finditer(text)]:
        label = m.group("label").upper()
        unit = _UNITS.get((m.group("unit") or m.groupdict().get("lu") or "").lower(), "")
        if unit not in _TO_BASE or _TO_BASE[unit][0] != kind or not any(label == x or x.startswith(label + " ")
                                                                        or x.endswith(" " + label) for x in labels):
            continue
        factor = _TO_BASE[unit][1]
        lo = float(m.group("lo").replace(",", ".")) * factor
        hi = float(m.group("hi").replace(",", ".")) * factor if "hi" in m.groupdict() else float("inf")
        if lo <= value <= hi:  # on a boundary two sizes hold it: no answer of this kind
            found.append(Fit(label, m.group(0).strip(" ，,;；")))
    labels_found = {f.label for f in found}
    return found[0] if len(labels_found) == 1 else None
