"""Say it: sentences built from the sheet, one template per kind of answer and language (EN/FR/ZH).

Every value comes from the sheet as the sheet writes it, so these sentences are true by construction; the LLM
may only rephrase them (:mod:`agent.reply.paraphrase`). The first thing said is an acknowledgement naming the
viewer and the product ("Ana, the linen shirt:"), which cannot turn out wrong once retrieval has chosen the
product, so a fast start never needs a "let me say that properly".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.language import han_count
from agent.product import Product, Variant
from agent.reply.attributes import ATTRIBUTES, LOAD_KEY
from agent.reply.facts import Finding

LANGS = ("en", "fr", "zh")
LABELS: dict[str, dict[str, str]] = {
    "price": {"en": "Price", "fr": "Prix", "zh": "价格"},
    "variants": {"en": "Options", "fr": "Déclinaisons", "zh": "可选款式"},
    "stock": {"en": "Stock", "fr": "Stock", "zh": "库存"},
    "material": {"en": "Material", "fr": "Matière", "zh": "材质"},
    "dimensions": {"en": "Dimensions", "fr": "Dimensions", "zh": "尺寸"},
    "weight": {"en": "Weight", "fr": "Poids", "zh": "重量"},
    "capacity": {"en": "Capacity", "fr": "Contenance", "zh": "容量"},
    "compatibility": {"en": "Compatibility", "fr": "Compatibilité", "zh": "适用"},
    "use": {"en": "Use", "fr": "Utilisation", "zh": "用法"},
    "included": {"en": "In the box", "fr": "Inclus", "zh": "包含"},
    "shipping": {"en": "Shipping", "fr": "Livraison", "zh": "发货"},
    "returns": {"en": "Returns", "fr": "Retours", "zh": "退换"},
    "warranty": {"en": "Warranty", "fr": "Garantie", "zh": "保修"},
    "care": {"en": "Care", "fr": "Entretien", "zh": "保养"},
    "origin": {"en": "Origin", "fr": "Origine", "zh": "产地"},
    "ingredients": {"en": "Ingredients", "fr": "Composition", "zh": "成分"},
    "age": {"en": "Age", "fr": "Âge", "zh": "适用年龄"},
    "features": {"en": "Features", "fr": "Caractéristiques", "zh": "特点"},
    "load": {"en": "Maximum load", "fr": "Charge maximale", "zh": "承重"},  # a weight borne, not weighed
}
_BRACKETS = re.compile(r"【[^】]*】|\[[^\]]*\]|（[^）]*）|\([^)]*\)")
_END = re.compile(r"[.!?。！？…]$")
_CUT_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,×*/%-]*$")
_UNIT = re.compile(r"qt|oz|ml|cl|cm|mm|kg|l|g|m|in|inch|w|v|mah|pcs", re.IGNORECASE)
_AMOUNT = re.compile(r"\d[\d.,/x×]*")
_TRAILING = " ,;:/|–—-"  # separators a shortened title never ends on
_SPEC = re.compile(r"\d[\d.,]*[-\s]?[a-z]{1,5}\.?|\d+[.,]\d+|-|–|qt|oz|ml|cm|mm|kg", re.IGNORECASE)


def lang_of(language: str) -> str:
    code = language.lower()[:2]
    return code if code in LANGS else "en"


def short_title(p: Product) -> str:
    """The product's name as a host says it: bracketed tags and spec tokens ("10.25-inch", "5.8 Qt", "4L")
    left out, long keyword titles cut at a word."""
    words = _BRACKETS.sub(" ", p.title).split()
    kept: list[str] = []
    i = 0
    while i < len(words):
        w, after = words[i], words[i + 1] if i + 1 < len(words) else ""
        if _AMOUNT.fullmatch(w) and _UNIT.fullmatch(after):
            i += 2  # "21 cm", "0.9 L", "1800 W": a number goes with its unit, never said bare
            continue
        if not _SPEC.fullmatch(w) and not (w in ("Ø", "ø") and _AMOUNT.match(after)):
            kept.append(w)
        i += 1
    title = (" ".join(kept if len(kept) >= 1 and kept != ["-"] else words) or p.title).rstrip(_TRAILING)
    cjk = han_count(title)
    limit = 24 if cjk > len(title) / 2 else 48
    if len(title) <= limit:
        return title
    cut = title[:limit]
    space = cut.rfind(" ")
    if space > limit // 3:
        return cut[:space].rstrip(_TRAILING)  # "Dog Harness – Reflective," is said without its comma
    split = _CUT_TOKEN.search(cut) if title[limit].isascii() and title[limit].isalnum() else None
    # a number or a Latin word cut in two ("48x74cm" -> "48x7") would be a wrong figure: said whole or not at all
    return cut[: split.start()] if split is not None and split.start() > limit // 3 else cut


def ack(user: str, p: Product, language: str) -> str:
    """'Ana, the linen shirt:': the first words of an answer, said while the rest is being checked."""
    lang = lang_of(language)
    name = short_title(p)
    if lang == "zh":
        return f"{user}，{name}：" if user else f"{name}："
    if lang == "fr":
        return f"{user}, pour {name} :" if user else f"Pour {name} :"
    return f"{user}, the {name}:" if user else f"The {name}:"


def _sentence(text: str, lang: str) -> str:
    text = text.strip().rstrip(",;，；、")
    if _END.search(text):
        return text
    return text + ("。" if lang == "zh" else ".")


def fact_sentence(finding: Finding, language: str) -> str:
    """The sheet's answer: 'Warranty: 2 years.' for a field, the sheet's own sentence otherwise."""
    assert finding.candidate is not None
    lang = lang_of(language)
    c = finding.candidate
    if not c.key:
        return _sentence(c.value, lang)
    named = next((n for n, a in ATTRIBUTES.items() if a.keys.search(c.key)), "")
    attribute = "load" if LOAD_KEY.search(c.key) else named
    label = LABELS.get(attribute, {}).get(lang) or _said(c.key)
    sep = "：" if lang == "zh" else (" : " if lang == "fr" else ": ")
    return _sentence(f"{label}{sep}{c.value}", lang)


def _said(key: str) -> str:
    """A field's name as said aloud: "height_range" is "Height range"."""
    words = re.sub(r"[_]+", " ", key).strip()
    return words[:1].upper() + words[1:] if words else key


def _option_groups(variants: Sequence[Variant]) -> list[list[str]]:
    """Each option's values in sheet order: sizes in one group, colours in another ("M / Black")."""
    groups: dict[str, list[str]] = {}
    for v in variants:
        pairs = list(v.options) or [(str(i), part.strip()) for i, part in enumerate(re.split(r"\s*/\s*", v.name))]
        for name, value in pairs:
            if value and value.lower() not in ("default title", "default"):
                bucket = groups.setdefault(name, [])
                if value not in bucket:
                    bucket.append(value)
    return [g for g in groups.values() if g]


def variants_sentence(p: Product, language: str) -> str | None:
    """'The boots come in 36, 37, 38 and 39; black and brown.' (None when the sheet lists no variants)."""
    lang = lang_of(language)
    groups = _option_groups(p.variants)
    if not groups:
        return None
    name = short_title(p)
    if lang == "zh":
        return f"{name}有：" + "；".join("、".join(g) for g in groups) + "。"
    joined = "; ".join(_list(g, lang) for g in groups)
    if lang == "fr":
        return f"{name} existe en {joined}."
    return f"The {name} comes in {joined}."


def _list(items: Sequence[str], lang: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + (" et " if lang == "fr" else " and ") + items[-1]
