"""Is a sentence the LLM wrote a faithful rendering of the sheet's fact? Every claim checked, not only prices.

The LLM only rephrases (or translates) a fact the sheet states; its sentence is spoken only if:
- every number it says is on the sheet, and every number with a unit in the fact is said (value and unit);
- it negates what the fact negates and nothing else ("两面防滑" never becomes "not non-slip");
- every material it names is on the sheet (a sheet saying opal never yields "gold and silver");
- it stays close in meaning to the fact (multilingual embedding, so a translation counts);
- the grounding guard accepts its prices, stock, sizes and delays, and it makes no health or absolute claim.
Otherwise the template sentence built from the sheet is spoken instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from agent.guards.grounding import GroundingGuard
from agent.guards.numbers import NumberForm, find_numbers
from agent.language import has_han
from agent.ports import Vector
from agent.product import Product

_I = re.IGNORECASE
_NEGATION = re.compile(
    r"\b(?:not|no(?!-)|never|without|none|cannot|can't|won't|isn't|aren't|doesn't|don't|didn't|neither|nor)\b"
    r"|n't\b|\b(?:ne|n'|pas|sans|aucune?|jamais|ni|non(?!-))\b|不|没|無|无|非|未|别|勿|禁止",
    _I,
)
# Words that start with a negation but name a feature: "non-slip", "不锈钢" (stainless), "无线" (wireless).
_NOT_NEGATIONS = re.compile(
    r"\bno[n]?-\w+|不锈|不粘|不沾|无线|无糖|无毒|无味|无痕|无缝|无刺激|无添加|无磷|无铅|无香|无氟|无框|无菌|无籽|无骨|无袖"
    r"|非转基因|非遗|免洗|免烫",
    _I,
)
# Materials a product may be made of, EN/FR/ZH, each with one canonical name. Generic shop vocabulary.
_MATERIALS: dict[str, tuple[str, ...]] = {
    "cotton": ("cotton", "coton", "棉"),
    "linen": ("linen", "lin", "亚麻"),
    "wool": ("wool", "laine", "羊毛", "毛呢"),
    "merino": ("merino", "mérinos", "美利奴"),
    "cashmere": ("cashmere", "cachemire", "羊绒"),
    "silk": ("silk", "soie", "丝绸", "真丝", "桑蚕丝"),
    "leather": ("leather", "cuir", "皮革", "真皮", "牛皮", "羊皮"),
    "suede": ("suede", "daim", "麂皮"),
    "polyester": ("polyester", "涤纶", "聚酯"),
    "nylon": ("nylon", "尼龙", "锦纶"),
    "elastane": ("elastane", "spandex", "lycra", "élasthanne", "氨纶"),
    "acrylic": ("acrylic", "acrylique", "腈纶"),
    "viscose": ("viscose", "rayon", "粘胶"),
    "denim": ("denim", "jean", "牛仔"),
    "canvas": ("canvas", "toile", "帆布"),
    "velvet": ("velvet", "velours", "天鹅绒", "丝绒"),
    "fleece": ("fleece", "polaire", "抓绒"),
    "down": ("goose down", "duck down", "duvet", "羽绒", "鸭绒", "鹅绒"),
    "bamboo": ("bamboo", "bambou", "竹"),
    "wood": ("wood", "wooden", "bois", "木", "实木"),
    "oak": ("oak", "chêne", "橡木"),
    "walnut": ("walnut", "noyer", "胡桃木"),
    "steel": ("steel", "acier", "钢"),
    "stainless": ("stainless", "inox", "inoxydable", "不锈钢"),
    "iron": ("iron", "fonte", "fer", "铸铁", "铁"),
    "aluminium": ("aluminium", "aluminum", "铝"),
    "copper": ("copper", "cuivre", "铜"),
    "brass": ("brass", "laiton", "黄铜"),
    "titanium": ("titanium", "titane", "钛"),
    "gold": ("gold", "golden", "or", "doré", "金"),
    "silver": ("silver", "argent", "银"),
    "platinum": ("platinum", "platine", "铂"),
    "opal": ("opal", "opale", "蛋白石", "欧泊"),
    "pearl": ("pearl", "perle", "珍珠"),
    "diamond": ("diamond", "diamant", "钻石"),
    "crystal": ("crystal", "cristal", "水晶"),
    "glass": ("glass", "verre", "玻璃"),
    "ceramic": ("ceramic", "céramique", "陶瓷"),
    "porcelain": ("porcelain", "porcelaine", "瓷"),
    "stoneware": ("stoneware", "grès", "粗陶"),
    "clay": ("clay", "argile", "陶土"),
    "plastic": ("plastic", "plastique", "塑料"),
    "silicone": ("silicone", "硅胶"),
    "rubber": ("rubber", "caoutchouc", "橡胶"),
    "latex": ("latex", "乳胶"),
    "foam": ("foam", "mousse", "泡沫", "海绵"),
    "cork": ("cork", "liège", "软木"),
    "paper": ("paper", "papier", "纸"),
    "cardboard": ("cardboard", "carton", "纸板"),
    "marble": ("marble", "marbre", "大理石"),
    "stone": ("stone", "pierre", "石"),
    "resin": ("resin", "résine", "树脂"),
    "acetate": ("acetate", "acétate", "醋酸"),
    "carbon": ("carbon fiber", "carbon fibre", "fibre de carbone", "碳纤维", "碳素"),
    "wax": ("wax", "cire", "蜡"),
    "rattan": ("rattan", "rotin", "藤"),
    "jute": ("jute", "黄麻"),
    "hemp": ("hemp", "chanvre", "大麻纤维"),
    "felt": ("felt", "feutre", "毛毡"),
    "mesh": ("mesh", "maille", "网布"),
    "neoprene": ("neoprene", "néoprène", "氯丁橡胶"),
}
_LATIN_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _material_index() -> tuple[dict[str, str], list[tuple[str, str]]]:
    latin: dict[str, str] = {}
    han: list[tuple[str, str]] = []
    for canon, words in _MATERIALS.items():
        for w in words:
            if has_han(w):
                han.append((w, canon))
            else:
                latin[w.lower()] = canon
    han.sort(key=lambda x: -len(x[0]))
    return latin, han


_LATIN_MATERIALS, _HAN_MATERIALS = _material_index()
_MULTIWORD = sorted((w for w in _LATIN_MATERIALS if " " in w), key=len, reverse=True)


def materials(text: str) -> set[str]:
    """Canonical materials a text names, in any of the three languages."""
    low = text.lower()
    found: set[str] = set()
    for phrase in _MULTIWORD:
        if phrase in low:
            found.add(_LATIN_MATERIALS[phrase])
            low = low.replace(phrase, " ")
    for w in _LATIN_WORD.findall(low):
        canon = _LATIN_MATERIALS.get(w)
        if canon is not None and w != "or":  # French "or" (gold) is English "or": only with "en or"
            found.add(canon)
    if re.search(r"\ben or\b", low):
        found.add("gold")
    han = text
    for w, canon in _HAN_MATERIALS:
        if w in han:
            found.add(canon)
            han = han.replace(w, " ")
    return found


def negated(text: str) -> bool:
    """Does the text deny something? Feature words that merely start like a negation do not count."""
    return _NEGATION.search(_NOT_NEGATIONS.sub(" ", text)) is not None


def _values(text: str) -> set[float]:
    return {round(n.value, 2) for n in find_numbers(text) if n.form is NumberForm.ARABIC}


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str = "ok"


@dataclass
class Faithful:
    """``embed``: text -> unit vector (the multilingual model), for the closeness check."""

    embed: Callable[[str], Vector] | None = None
    min_similarity: float = 0.84
    guard: GroundingGuard | None = None

    def check(self, sentence: str, fact: str, products: Sequence[Product], language: str) -> Verdict:
        if not sentence.strip() or not any(ch.isalnum() for ch in sentence):
            return Verdict(False, "empty")
        sheet = "\n".join(p.sheet() for p in products)
        said, stated = _values(sentence), _values(fact)
        if not said <= (stated | _values(sheet)):
            return Verdict(False, "number not on the sheet")
        if not stated <= said:
            return Verdict(False, "a value of the fact is missing")
        if negated(sentence) != negated(fact):
            return Verdict(False, "negation differs from the sheet")
        extra = materials(sentence) - materials(fact) - materials(sheet)
        if extra:
            return Verdict(False, f"material not on the sheet: {', '.join(sorted(extra))}")
        guard = self.guard or GroundingGuard()
        result = guard.check(sentence, products, language)
        if not result.ok:
            return Verdict(False, f"grounding: {result.reason}")
        if self.embed is not None:
            sim = float(np.dot(self.embed(sentence), self.embed(fact)))
            if sim < self.min_similarity:
                return Verdict(False, f"not close to the sheet ({sim:.3f})")
        return Verdict(True)
