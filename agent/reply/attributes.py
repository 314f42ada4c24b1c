"""The generic vocabulary of product attributes, in English, French and Chinese: words that ask for one
(cues), names a sheet gives the field that holds it (keys), and the kind of value that can answer it (units).

Nothing here names a product or a catalog: these are the words any shop uses for price, size, material,
warranty... Meaning does the rest (:mod:`agent.reply.scope`); the cues are the second opinion the truthful
answers sketch asks for, and the units keep a number of the wrong kind (a pack count for a stock level, a
price for a size) from being given as the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_I = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    cues: re.Pattern[str]  # in a question: asks for this attribute
    keys: re.Pattern[str]  # a sheet field name that holds it
    value: re.Pattern[str] | None = None  # a sheet sentence can answer it only if it holds such a value
    mark: re.Pattern[str] | None = None  # a sheet sentence about it says one of these words


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _I)


def _measure(units: str) -> str:
    """A number and one of ``units`` (alternatives): the unit ends where a Latin letter does not follow."""
    return rf"\d\s?(?:{units})(?![a-z])"


# a unit ends where a Latin letter does not follow: "(24\")" and "28寸外径" hold a length, "5 more" holds none;
# units written out count as their symbols do ("5 meters", "2 kilos", "6 quarts", "30 seconds")
_LENGTH = _measure(r"mm|cm|m|km|in|inch|inches|pouces?|ft|feet|foot|yds?|yards?|(?:centi|milli|kilo)?(?:met(?:er|re)s?"
                   r"|mètres?)|\"|″|毫米|厘米|公分|米|寸") + r"|\d\s?[x×*]\s?\d"
_MASS = _measure(r"mg|g|kg|gsm|g/m²|g/m2|grammes?|grams?|kilos?|kilogram(?:me)?s?|lbs?|pounds?|oz|ounces?"
                 r"|克|千克|公斤|斤")
_VOLUME = _measure(r"ml|cl|dl|l|(?:milli|centi)?(?:liters?|litres?)|oz|fl ?oz|gallons?|quarts?|qt|cups?|tasses?"
                   r"|毫升|升|mah|wh|杯")
# the name of a field holding a load the product bears ("load_capacity", "charge max", "承重"): see LOAD_KEY
_LOAD = r"(?:\b|_)load|charge max|承重|载重"
_BODY = _measure(r"斤|公斤|kg|kilos?|lbs?|pounds?")  # a person's weight, as a viewer gives it
_BEARS = (r"能坐|坐得|能站|站得|能躺|撑得住|\bhold|\bsupport|\btake (?:me|my)|\bsit on|\btient|\btenir|\bsupporte"
          r"|s'asseoir")
_DURATION = _measure(r"s|secs?|seconds?|secondes?|h|hrs?|hours?|heures?|min|mins|minutes?|days?|jours?|weeks?"
                     r"|semaines?|months?|mois|years?|ans?|秒|小时|分钟|天|周|个月|月|年")
_AGE = (r"\d\s?(?:\+|ans|years?|yrs?|months?|mois|岁|个月)|(?:ages?|âge|dès|from|à partir de)\s?\d"
        r"|\d\s?-\s?\d+\s?(?:岁|ans|years)")

# A yes/no feature is asked by a frame ("is it ...?", "能不能...") or by naming one ("waterproof", "防滑"); a
# frame in a question that names a measure ("how loud is it?", "how long does it last?") asks that measure.
_YES_NO_FRAME = r"\bis it\b|\bdoes it\b|\bcan it\b|est-(?:il|elle|ce)|能不能|可以|支持|有没有"
_FEATURE_WORDS = (r"\bwaterproof|\bnon[- ]?slip|\bdishwasher|\binduction|\bbpa|imperméable|antidérapant|induction"
                  r"|防水|防滑")
_NAMES_A_FEATURE = _rx(_FEATURE_WORDS)
# A sheet sentence says what a thing is made of ("Made from recycled glass", "100% coton", "采用304不锈钢"):
# a construction word, or one of the common materials any shop names (no catalog's own words)
_MATERIAL_MARK = (r"\bmade (?:of|from|out of|with)\b|\bcrafted (?:of|from)\b|\bconstructed\b"
                  r"|fabriqu[ée]e?s? à partir d"
                  r"|\ben (?:pur |100 ?% )?(?:coton|laine|lin|soie|cuir|bois|acier|inox|verre|grès|fonte)\b"
                  r"|compos[ée]e?s? d|采用|制成|做的|材质|面料"
                  r"|\b(?:cotton|linen|wool|merino|cashmere|silk|polyester|nylon|spandex|leather|suede|denim|canvas"
                  r"|wood|wooden|bamboo|oak|pine|walnut|maple|beech|steel|stainless|aluminium|aluminum|copper|brass"
                  r"|glass|ceramic|porcelain|stoneware|silicone|plastic|rubber|latex|foam|acrylic|resin|marble|cork"
                  r"|rattan|wicker|coton|laine|soie|cuir|daim|chêne|hêtre|noyer|bambou|acier|inox|fonte|cuivre|laiton"
                  r"|verre|céramique|porcelaine|plastique|caoutchouc|mousse|résine|marbre|liège|rotin|osier)\b"
                  r"|纯棉|棉|亚麻|羊毛|羊绒|真丝|蚕丝|皮革|牛皮|真皮|帆布|实木|竹|不锈钢|铝合金|玻璃|陶瓷|硅胶|塑料|橡胶"
                  r"|乳胶|树脂|大理石|藤编")

ATTRIBUTES: dict[str, Attribute] = {a.name: a for a in (
    Attribute("price", _rx(r"\bprices?\b|\bcosts?\b|\bhow much\b(?! (?!is\b|are\b|for\b|do\b|does\b|will\b)[a-z])"
                           r"|\bwhat'?s the damage\b"
                           r"|\$\$|prix|co[uû]te|(?<!tous les )combien(?! de\b| d')|combien d'euros|c'est combien|tarif"
                           r"|多少钱|价格"
                           r"|价钱"
                           r"|几块|多少米|啥价|什么价|怎么卖|贵不贵|售价"
                           # a discount is a price: "on sale?", "en promo ?", "打折吗" ("for sale" asks if it is sold)
                           r"|\bon sale\b|\bdiscount|\bpromo|\bdeals?\b|\bremise\b|\bsoldes?\b|\bsoldée?s?\b|rabais"
                           r"|打折|折扣|优惠|减价"
                           # a price compared is a price: "is the big one more expensive?", "le grand est plus cher ?"
                           r"|\bmore expensive\b|\bcheaper\b|\bless expensive\b|\bplus cher|\bmoins cher"
                           r"|更贵|贵吗|便宜"),
              _rx(r"^price$|^prix$|价格|售价")),
    Attribute("variants", _rx(r"\bsizes?\b|\bcolou?rs?\b(?! temperatures?)|(?<!bluetooth )(?<!usb )\bversions?\b"
                              r"|\bmodels?\b|\bvariants?\b"
                              r"|\boptions?\b|which one"
                              r"|tailles?|pointures?|couleurs?|coloris|modèles?|尺码|码数|尺寸有|颜色|色号|款式|规格"
                              r"|型号|几种|哪几"
                              r"|(?:哪些|几种|什么|几个)(?:尺寸|尺码|颜色|款式|规格)"
                              r"|(?:尺寸|尺码|颜色)(?:有哪些|有几|有什么)"),
              _rx(r"^(sizes?|colou?rs?|variants?|options?|tailles?|couleurs?|尺码|颜色|规格|款式)$")),
    Attribute("stock", _rx(r"\bstock\b|\bleft\b|\bavailable\b|\bsold out\b|\bin stock|\bstill (?:have|got)\b"
                           r"|\bhow many\b.{0,40}\b(?:you|we) (?:still )?(?:have|got)\b|\bhow many\b.{0,30}\bleft\b"
                           r"|reste|dispo|épuisé|encore en|库存|有货"
                           r"|现货|还有吗|还有没有|还有货"
                           r"|还剩|剩几|卖完|断货|缺货"),
              _rx(r"^(stock|inventory|库存)$")),
    Attribute("material", _rx(r"\bmade of\b|\bmaterial|\bfabric|\bmade from|\bwhat is it made|matière|matiere|en quoi"
                              r"|tissu"
                              r"|composé|材质|面料|材料|什么做的|布料|用料|纯棉|真皮"),
              _rx(r"material|fabric|matière|matiere|tissu|材质|面料|材料"), None, _rx(_MATERIAL_MARK)),
    Attribute("dimensions", _rx(r"\bdimensions?|\bhow big|\bhow large|\bhow long(?! (?:does|do|will|can|is the battery"
                                r"|before|until))|\bhow wide|\bhow tall|\bsize of\b"
                                r"|\blength\b"
                                r"|\bhow (?:high|deep|thick)\b|\bwidth|\bheight|\bdepth\b|dimension|taille de|longueur"
                                r"|largeur|hauteur|mesure|多大|尺寸|多长|多宽"
                                r"|多高|多深|多厚|大小|长宽"),
                _rx(r"dimension|size|taille|尺寸|规格|长宽"), _rx(_LENGTH)),
    Attribute("weight", _rx(r"\bweigh|\bheavy|\bhow light\b|\bweight|poids|pèse|pese|lourd|léger|多重|重量|几斤"
                            r"|重不重|重吗|沉不沉|沉吗|有多沉"
                            r"|多少克|轻不轻|\bmax(?:imum)? load|\bload capacity|\bweight (?:limit|capacity)|charge max"
                            r"|承重|载重|能承受"
                            # a viewer's own weight and whether it holds them asks the load ("我180斤能坐吗")
                            r"|(?:" + _BODY + r").{0,15}(?:" + _BEARS + r")"
                            r"|(?:" + _BEARS + r").{0,15}(?:" + _BODY + ")"),
              _rx(r"weight|poids|重量|净重|" + _LOAD), _rx(_MASS)),
    Attribute("capacity", _rx(r"\bcapacity|\bhow much (?:does it|can it) hold|\bhold\b|\bvolume\b|\blit(?:er|re)s?\b"
                              r"|\bml\b"
                              r"|mah|contenance|capacité|litres?|容量|能装|装多少|几升|多少毫升|毫安"),
              _rx(r"capacity|volume|contenance|capacité|容量"), _rx(_VOLUME)),
    Attribute("compatibility", _rx(r"\bcompatible|\bwork(?:s)? (?:with|on)|\bfit(?:s)?\b|\bsuitable for\b|\bsupport"
                                   r"|\bcan i use"
                                   r"|compatible|marche (?:avec|sur)|convient|fonctionne|adapté|兼容|适用|适合|能用"
                                   r"|能不能用"
                                   r"|支持|配不配|能连|能装"),
                   _rx(r"compatib|fits?|适用|兼容|支持"),
                   None, _rx(r"compatib|fits?\b|works? with|suitable|support|convient|adapté|fonctionne|marche|适用"
                             r"|适合|兼容"
                             r"|支持|可用|能用|可连")),
    Attribute("use", _rx(r"\bhow (?:do|to) (?:i )?use|\bhow does it work|\bwhat is it for|\bused for|comment (?:on )?"
                         r"(?:l'?)?utilise|à quoi sert|utilisation|s'utilise"
                         r"|怎么用|如何使用|用法|用来|能用来|怎么使用"),
            _rx(r"usage|use|utilisation|用法|使用"),
            None, _rx(r"\buse|\bideal|\bperfect for|\bfor\b|utilis|idéal|parfait pour|pour |用|适合|可以")),
    # "what's in the tool kit?" asks what a set holds as much as "what's in the granola?" asks its ingredients:
    # both cue, meaning orders them; chat writes "with" as "w" or "w/"
    Attribute("included", _rx(r"\bincluded|\bincludes?\b|\bin the box|\bcomes? w(?:ith\b|/|\b)|\bwhat do i get"
                              r"|\bcontents?|\bwhat(?:'?s| is) in\b"
                              r"|\bset of\b"
                              r"|inclus|fourni|livré avec|contient|dans la boîte|dans le coffret"
                              r"|\bavec (?:la|le|les)\b.{0,20}\bou pas|包含|含有|送什么"
                              r"|赠品|配件"
                              r"|附赠|有什么东西|几件|里面有"),
                 _rx(r"includ|contents?|in the box|inclus|contenu|包含|清单|配件|赠品"),
                 None, _rx(r"includ|comes? with|in the box|contains?|inclu|livré avec|fourni|contient|含|送|附|赠|配")),
    Attribute("shipping", _rx(r"\bship|\bdeliver|\bpostage|\bdispatch|\barriv|livr|expédi|envoi|frais de port|发货"
                              r"|快递|物流"
                              r"|包邮|运费|邮费|几天到|到货|寄"),
                 _rx(r"shipping|delivery|livraison|expédition|发货|物流|快递|配送"),
                 None, _rx(r"ship|deliver|dispatch|post|livr|expédi|envoi|port|发货|快递|物流|包邮|运费|到货|寄")),
    Attribute("returns", _rx(r"\breturn|\brefund|\bexchange|\bsend\b.{0,30}\bback\b|retour|rembours|échang|renvoyer"
                             r"|退货|退款|退换"
                             r"|换货|包退|无理由|能退|可以退|退不退|能不能退|可退"),
              _rx(r"returns?|refunds?|retours?|退货|退换"),
              None, _rx(r"return|refund|exchange|retour|rembours|échang|退|换")),
    Attribute("warranty", _rx(r"\bwarrant|\bguarantee|garantie|garanti|保修|质保|保固|保多久"),
              _rx(r"warranty|guarantee|garantie|保修|质保"),
              None, _rx(r"warrant|guarant|garanti|保修|质保|包换|换新")),
    Attribute("care", _rx(r"\bwash|\bclean|\bcare\b|\biron\b|\bdishwasher|\bdryer|\bmachine[- ]washable|laver|lavage"
                          r"|\blav(?:e|es|ent|able|ables)\b"
                          r"|entretien"
                          r"|lave-vaisselle|repasser|sèche-linge|nettoyer|洗|清洗|清洁|保养|熨|烘干|机洗|手洗"),
          _rx(r"care|washing|entretien|lavage|洗涤|保养|清洗"),
          None, _rx(r"wash|clean|iron|dishwasher|dry|lav|entretien|repass|séch|nettoy|洗|清|熨|烘|晾|保养")),
    Attribute("origin", _rx(r"\bmade in\b|\bwhere (?:is it|are they|was it) (?:made|from|produced)|\borigin"
                            r"|\bwhere .* made"
                            r"|\bfrom where|fabriqué|origine|provenance|d'où"
                            r"|产地|哪里产|哪产|哪里生产|哪里的|国产|进口"),
            _rx(r"origin|made in|country|origine|provenance|fabrication|产地|原产"),
            None, _rx(r"made in|from|origin|fabriqu|origine|provenance|产|制造|生产")),
    Attribute("ingredients", _rx(r"\bingredients?|\bcontains?\b|\bwhat(?:'?s| is) in\b|\ballerg|\bgluten|\bnuts?\b"
                                 r"|\bvegan"
                                 r"|ingrédients?"
                                 r"|composition|allerg|contient|sans gluten|成分|配料|过敏|含不含|有没有添加|添加剂"),
                 _rx(r"ingredients?|composition|allerg|ingrédients?|成分|配料"),
                 None, _rx(r"ingredient|contain|allerg|gluten|nut|ingrédient|composition|contient|成分|配料|含|添加"
                           r"|过敏")),
    Attribute("age", _rx(r"\bage\b|\bages\b|\bhow old|\byears? old|\bâge|\bquel âge|\bans\b"
                         r"|几岁|多大的孩子|年龄|几个月"),
         _rx(r"^age|age_range|âge|年龄|适用年龄"), _rx(_AGE)),
    Attribute("features", _rx(_YES_NO_FRAME + "|" + _FEATURE_WORDS), _rx(r"features?|caractéristiques|特点|功能")),
)}
DURATION = _rx(_DURATION)
# A load the product bears ("load_capacity: 350 lb", "charge max", "承重") is a weight field that answers only a
# question about what it bears ("how much weight can it hold?"), never "how heavy is it?" ("gotta carry it up the
# stairs" is the viewer carrying it).
LOAD_KEY = _rx(_LOAD)
# ... and a sheet sentence that says what it bears ("holds up to 50 lbs", "承重120斤") is that load, not its weight
LOAD_TEXT = _rx(r"\b(?:holds?|supports?|bears?|carries|takes) up to\b|\bmax(?:imum)? load|\bload capacity"
                r"|supporte jusqu|charge max|承重|载重|最大承重")
LOAD_ASKED = _rx(r"\b(?:hold|support|bear|carry)(?! (?:it|them|this|that)\b)|\bload|\bmax(?:imum)? weight"
                 r"|supporte|charge|承重|载重|能承受|最大重量|能坐|能放多重|能挂多重")
# A question that names a kind of measure ("how long does it last", "combien de watts", "多少度") asks for a
# value in its unit, whichever attribute it is filed under: a sheet clause holding such a value can answer it.
MEASURES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (_rx(r"\bhow long (?:does|do|will|can|is the battery|before|until)|\bhow often\b"
         r"|\bbattery life|\bhow many (?:hours|days|weeks|months|years)|combien de (?:temps|jours|heures|semaines"
         r"|mois|minutes)|\bdurée|\bdure (?:combien|longtemps)|ça dure"
         r"|\btous les combien|quelle fréquence|多久|多长时间|几天|几个小时|几小时|几分钟|几个月|续航|能用多"),
     DURATION),
    # how loud: "under 30 dB", "噪音低于40分贝"
    (_rx(r"\bhow (?:loud|quiet|noisy)\b|\bnoise level|\bdecibels?\b|\bdb\b|\bbruit|bruyant|silencieu|décibels?"
         r"|噪音|噪声|分贝|声音大|吵不吵|吵吗"),
     _rx(_measure(r"db|dba|db\(a\)|decibels?|décibels?|分贝"))),
    (_rx(r"\bwatts?\b|\bwattage|\bhow (?:much )?power(?:ful)?\b|\bpower output|puissance"
         r"|功率|多少瓦|几瓦|多少w(?![a-z])"),
     _rx(_measure(r"w|kw|watts?|瓦"))),
    (_rx(r"\btemperature|\bdegrees?\b|\bhow hot\b|températures?|degrés?|多少度|几度|温度|°"),
     _rx(r"\d\s?(?:°|℃|degrees|degrés|度)")),
    # how many settings: "5 brightness levels", "3 vitesses", "三档"
    (_rx(r"\bhow many (?:\w+ )?(?:settings|levels|modes|speeds|steps|positions)\b"
         r"|combien de (?:\w+ )?(?:niveaux|modes|vitesses|réglages|positions)\b|几档|几个档|多少档|几挡|几级|几种模式"),
     _rx(r"\d\s?(?:[a-z]+ )?(?:settings?|levels?|modes?|speeds?|steps?|positions?|niveaux|vitesses|réglages)\b"
         r"|\d\s?(?:档|挡|级)|[一二三四五六七八九十两]\s?(?:档|挡|级)")),
    # which version of a standard: "蓝牙是几点几的？", "which Bluetooth version?" -> "蓝牙5.3", "Bluetooth 5.0", "v2.1"
    (_rx(r"\bversion|几点几|版本|几代"),
     _rx(r"(?:bluetooth|蓝牙|bt|usb|wi-?fi|v)\s?\d+\.\d")),
    # what something other than the product costs ("how much is postage?", "la livraison coûte combien", "运费多少钱"):
    # an amount of money, not a sentence about the delivery
    (_rx(r"\bprices?\b|\bcosts?\b|\bfees?\b|\bhow much (?:is|are|for)\b|co[uû]te|tarif|frais|\bprix\b|多少钱|运费"
         r"|邮费|几块|收费"),
     _rx(r"\d(?:[.,]\d+)?\s?(?:€|eur\b|euros?\b|\$|usd\b|£|gbp\b|元|块|rmb\b|cny\b)|[$€£¥]\s?\d")),
    # which standard or certification: a standard's code ("EN 1078", "GB 4706", "ISO 9001")
    (_rx(r"\bstandards?\b|\bcertifi|\bnormes?\b|homologu|标准|认证|国标"),
     re.compile(r"\b(?:EN|ISO|IEC|ASTM|GB|UL|CE|CPSC|BS|DIN|NF)\s?[A-Z]?\s?\d{2,}")),
)
_EXPLICIT_PRICE = _rx(r"\bprices?\b|\bcosts?\b|\bhow much (?:is|are|for|does|do|will)\b|\bwhat'?s the damage\b|prix"
                      r"|co[uû]t|tarif|euros?\b"
                      r"|dollars?\b|[$€£¥]|多少钱|价|几块|多少米|怎么卖"
                      r"|\bmore expensive\b|\bcheaper\b|\bless expensive\b|\bplus cher|\bmoins cher|更贵|贵吗|便宜")
# Attributes a question names to say which variant it means ("the 300 ml one", "in black"), not to ask about.
_SPECIFIERS = frozenset({"capacity", "dimensions", "weight", "variants"})
_WHICH = _rx(r"\bwhat (?:sizes|colou?rs)|\bwhich (?:sizes|colou?rs|models)|\bcome in\b"
             r"|quelles? (?:tailles?|couleurs?|pointures?)"
             r"|existe en|(?:哪些|几种|什么|几个)(?:尺寸|尺码|颜色|款式|规格)|(?:尺寸|尺码|颜色)(?:有哪些|有几|有什么)")


def cued(question: str) -> list[str]:
    """Attributes whose cue words occur in the question, in the order of :data:`ATTRIBUTES`; a yes/no frame
    in a question that names a measure ("how loud is it?") cues no feature."""
    found = [name for name, a in ATTRIBUTES.items() if a.cues.search(question)]
    if "features" in found and not _NAMES_A_FEATURE.search(question) and measures(question):
        found.remove("features")
    return found


def asked(question: str, by_meaning: list[str], keep: int = 2) -> list[str]:
    """The attributes a question asks for, most likely first: those its cue words name, ordered by meaning
    (a question may cue several: "多大" is a size or a capacity); with no cue, the nearest by meaning.
    "What sizes / colours?" lists the variants; a price word ("how much is", "combien coûte", "多少钱")
    asks the price whatever unit the question also names ("the 300 ml one")."""
    cued_all = cued(question)
    cues = [a for a in cued_all if a != "features"]
    if not cues:
        if "features" in cued_all:  # "is it waterproof?": a yes/no feature, and the nearest attribute by meaning
            return ["features", *[a for a in by_meaning if a != "features"][: keep - 1]]
        return by_meaning[:keep] or ["features"]
    rank = {a: i for i, a in enumerate(by_meaning)}
    ordered = sorted(cues, key=lambda a: rank.get(a, len(rank)))
    if "stock" in ordered:  # "still have it in size 11?": the size says which, the stock is asked
        ordered.remove("stock")
        ordered.insert(0, "stock")
    if "variants" in ordered and _WHICH.search(question):
        ordered.remove("variants")
        ordered.insert(0, "variants")
    if "price" in ordered and len(ordered) > 1 and not _EXPLICIT_PRICE.search(question):
        ordered.remove("price")  # "elle pèse combien ?": "combien" asks the weight here, not the price
    if "price" in ordered and all(a in _SPECIFIERS for a in ordered if a != "price"):
        ordered.remove("price")
        ordered.insert(0, "price")
    return ordered[:keep]


# "how many bags in a pack?", "combien de sachets ?", "一包几袋？": a count of the thing named, which a sheet says as
# a number before that word ("3 bags per pack", "30 sachets", "3袋"). The words after "how many" that name no
# thing are skipped ("how many do you have left").
_COUNT_ASKED = re.compile(r"\bhow many ((?:[^\W\d_]+ ?){1,2})|\bcombien (?:de |d')([^\W\d_]+)", _I)
_COUNT_HAN = re.compile(r"(?:几|多少)([个包袋件片只根支套盒瓶双块张条层卷粒颗罐])")
_NOT_THINGS = frozenset("do does did are is was were can could will would you we they u ur your of in on for per "
                        "left more still have has got there temps".split())
_HAN_NUMBER = "[一二三四五六七八九十两]"


def _counted(question: str) -> re.Pattern[str] | None:
    """The value pattern for a count of a named thing the question asks, if it asks one."""
    alts: list[str] = []
    for m in _COUNT_ASKED.finditer(question):
        for word in (m.group(1) or m.group(2) or "").split():
            w = word.lower()
            if w in _NOT_THINGS or len(w) < 3:
                continue
            forms = {w, w[:-1]} if w[-1] in "sx" else {w, w + "s"}  # "bags" says "bag" too, "sachet" "sachets"
            if w.endswith("es"):
                forms.add(w[:-2])
            alts.extend(re.escape(f) for f in sorted(forms, key=len, reverse=True))
            break  # the first word that names a thing: "how many small bags" is said "3 small bags"
    if alts:
        return re.compile(r"\d\s?(?:[^\W\d_]+ )?(?:" + "|".join(alts) + r")\b", _I)
    han = [re.escape(m.group(1)) for m in _COUNT_HAN.finditer(question)]
    if han:
        cls = "|".join(han)
        return re.compile(rf"(?:\d|{_HAN_NUMBER})\s?(?:{cls})")
    return None


def measured(question: str) -> tuple[list[re.Pattern[str]], bool]:
    """The kinds of value the question asks for by naming a measure (a duration, a power, a temperature, a
    count of a thing it names), and whether they are that count ("how many cards", "几个口")."""
    found = [value for cue, value in MEASURES if cue.search(question)]
    count = None if found else _counted(question)  # "how many hours": a duration already says it
    return ([count], True) if count is not None else (found, False)


def measures(question: str) -> list[re.Pattern[str]]:
    """The kinds of value the question asks for by naming a measure (see :func:`measured`)."""
    return measured(question)[0]
