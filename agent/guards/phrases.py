"""Claims with no number that still need a sheet behind them: health, superlatives, guarantees, 'free', stock.

Each pattern carries a canonical key shared across languages, so 'lifetime warranty' on the sheet supports
'garantie à vie' on air, while a sheet's 'free shipping' never supports a bare 'it's free'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_I = re.IGNORECASE


class PhraseKind(StrEnum):
    MEDICAL = "medical"
    SUPERLATIVE = "superlative"
    GUARANTEE = "guarantee"
    FREE = "free"
    IN_STOCK = "in_stock"
    SOLD_OUT = "sold_out"
    LOW_STOCK = "low_stock"


@dataclass(frozen=True, slots=True)
class Phrase:
    kind: PhraseKind
    key: str
    pattern: re.Pattern[str]


def _p(kind: PhraseKind, key: str, pattern: str) -> Phrase:
    return Phrase(kind, key, re.compile(pattern, _I))


_M, _S, _G, _F = PhraseKind.MEDICAL, PhraseKind.SUPERLATIVE, PhraseKind.GUARANTEE, PhraseKind.FREE
_IN, _OUT, _LOW = PhraseKind.IN_STOCK, PhraseKind.SOLD_OUT, PhraseKind.LOW_STOCK

# Order matters inside a kind: longer, more specific phrases first (a matched span is not matched again).
PHRASES: tuple[Phrase, ...] = (
    # health: a host must never claim these, whatever a sheet says
    _p(_M, "cure", r"\bcur(?:es?|ing)\b|\bheals?\b|\bhealing\b|guéri[rts]?\b|guérison|治愈|治病|根治|祛病"),
    _p(_M, "treat", r"\btreats?\s+(?:\w+\s+)?(?:pain|disease|acne|illness|anxiety|arthritis|insomnia|cancer"
       r"|eczema|depression|diabetes)|\brelieves?\s+(?:pain|stress|anxiety)|治疗|疗效|药用|消炎|止痛"
       r"|\bsoigne[rz]?\b|\btraite(?:r|ment)?\s+(?:la |les |l')?(?:douleur|maladie|acné|cancer|diabète)"),
    _p(_M, "weight_loss", r"lose weight|weight[- ]loss|burns? fat|fat[- ]burning|slimming|perdre du poids"
       r"|maigrir|amincissant|brûle(?:r)? les graisses|减肥|瘦身|燃脂|减重"),
    _p(_M, "health", r"\bdetox\b|détox|anti[- ]?aging|anti[- ]?âge|boosts? (?:your )?immun\w*|clinically proven"
       r"|cliniquement prouvé|\bmedical[- ]grade|\btherapeutic|thérapeutique|排毒|抗衰老|抗癌|防癌|降血压"
       r"|降血糖|提高免疫力"),
    # superlatives
    _p(_S, "best_world", r"best\s+(?:\w+\s+){0,2}in the world|world'?s best|meilleure? (?:\w+ )?(?:du|au) monde"
       r"|世界上最好|全球最好|世界第一|全球第一|天下第一"),
    _p(_S, "number_one", r"\bnumber one\b|\bno\.?\s?1\b|#\s?1\b|numéro un\b|\bn°\s?1\b|第一名|销量第一|排名第一"
       r"|全网第一|\b1st in\b"),
    _p(_S, "lowest_price", r"lowest price|cheapest|best price|unbeatable|prix (?:le )?plus bas|l[ae] moins ch[eè]re?"
       r"|imbattable|meilleur prix|全网最低|最低价|最便宜|全网最便宜|史上最低"),
    _p(_S, "best", r"\bthe best\b|\ble meilleur\b|\bla meilleure\b|\bles meilleur(?:e)?s\b|最好|最佳|最强|顶级"
       r"|国家级|史上最|极致"),
    # guarantees
    _p(_G, "lifetime_warranty", r"lifetime (?:warranty|guarantee)|garantie? (?:à vie|illimitée)|终身保修|终身质保"),
    _p(_G, "money_back", r"money[- ]back|full refund|satisfait ou remboursé|remboursement intégral|无理由退货|包退"
       r"|假一赔"),
    _p(_G, "guarantee", r"\b100\s?% guaranteed|guarantee[ds]?\b|warrant(?:y|ies|ed)\b|risk[- ]free|garanti(?:e|es|s)?\b"
       r"|sans risque|保证|保修|质保|包换"),
    # free
    _p(_F, "free_shipping", r"free (?:shipping|delivery)|ships? (?:for )?free|shipping is free|livraison (?:est )?"
       r"(?:gratuite|offerte)|frais de port offerts|包邮|免运费|免邮"),
    _p(_F, "free_returns", r"free returns?|retours? (?:gratuits?|offerts?)|免费退货|免费退换"),
    _p(_F, "free_gift", r"free gift|cadeau offert|(?:en )?cadeau\b|赠品|赠送|买一送一|送一个|免费送"),
    _p(_F, "free", r"(?<!feel )(?<![-\w])free\b(?!-)(?! to\b)|\bgratuite?s?\b|\boffert(?:e|s|es)?\b|免费|白送|不要钱"),
    # stock without a number (numbers are handled by the extractor)
    _p(_LOW, "low_stock", r"almost (?:sold out|gone)|selling fast|limited stock|(?:only )?a few left|last few"
       r"|presque épuisée?s?|derni[eè]res? pièces|stock limité|bientôt épuisée?s?|库存紧张|快卖完|快抢光"
       r"|数量有限|最后几件|手慢无"),
    _p(_OUT, "sold_out", r"sold out|out of stock|not in stock|no longer (?:in stock|available)|unavailable"
       r"|épuisée?s?|rupture de stock|plus en stock|pas en stock|plus disponible|售罄|卖完了?|没货|缺货|断货"
       r"|无货|卖光"),
    _p(_IN, "in_stock", r"\bin stock\b|available now|still available|en stock|encore disponible|toujours disponible"
       r"|有货|现货|有库存"),
)
