"""The words around a number that say what it is (price, stock, delay...), in EN/FR/ZH, as compiled patterns.

Kept apart from the extractor so a new language or currency is a table edit, not a logic change. Context
patterns are matched against the few characters right after (``*_AFTER``, anchored) or right before
(``*_BEFORE``, anchored at the end) a number.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# ---- currencies -------------------------------------------------------------------------------------------
CURRENCY_AFTER = re.compile(
    r"\s?(€|euros?\b|eur\b|us\s?dollars?\b|dollars?\b|usd\b|\$|£|gbp\b|pounds?\b|chf\b|cny\b|rmb\b|yuan\b"
    r"|欧元|欧|美元|港元|港币|日元|英镑|人民币|元|块钱|块|¥|￥)",
    _I,
)
CURRENCY_BEFORE = re.compile(r"(€|\$|£|¥|￥|\beur|\busd|\bus\$|\bgbp|\bcny|\brmb|\bchf)\s?$", _I)
# Chinese change after the unit: 九十九块九 = 99.9, 三块五毛 = 3.5, 九块九毛九 = 9.99.
CN_CHANGE_AFTER = re.compile(r"([零〇一二两三四五六七八九\d])(?:毛|角)?(?:([零〇一二两三四五六七八九\d])分?)?")

_CURRENCY_CODES: dict[str, str] = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "欧元": "EUR", "欧": "EUR",
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "us$": "USD", "美元": "USD",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "英镑": "GBP",
    "chf": "CHF", "cny": "CNY", "rmb": "CNY", "yuan": "CNY", "人民币": "CNY", "元": "CNY",
    "¥": "CNY", "￥": "CNY", "港元": "HKD", "港币": "HKD", "日元": "JPY",
}


def currency_code(token: str) -> str:
    """ISO code for a currency word or sign; '' for the unit-less 块 ('bucks'), which only the value checks."""
    t = re.sub(r"\s+", "", token.lower())
    if t.startswith("us") and "dollar" in t:
        return "USD"
    return _CURRENCY_CODES.get(t, "")


# ---- prices, discounts ------------------------------------------------------------------------------------
PERCENT_AFTER = re.compile(r"\s?(%|％|percent\b|per\s?cent\b|pour\s?cents?\b|pourcents?\b)", _I)
PERCENT_CN = re.compile(r"百分之(" + "[零〇一二两三四五六七八九十百]+|\\d+(?:\\.\\d+)?" + r")")
ZHE = re.compile(r"(?:打\s?)?([零〇一二两三四五六七八九]{1,2}|\d(?:\.\d)?|\d\d)\s?折")
HALF_PRICE = re.compile(r"半价|moitié prix|half[- ]price|à moitié prix", _I)
DISCOUNT_CONTEXT = re.compile(
    r"\boff\b|discount|\bsave\b|saving|\bsale\b|réduction|remise|rabais|promo|soldes?|économ|de moins"
    r"|折扣|优惠|减|降价|便宜|立省|省",
    _I,
)
SIGN_BEFORE = re.compile(r"[-−–]\s?$")
WAS_BEFORE = re.compile(
    r"(?:\bwas|\binstead of|\boriginally|\bregularly|\bregular price|\bnormally|\busually|\bcompare at|\bdown from"
    r"|au lieu de|\bavant|\bprix barré|\bhabituellement|\bnormalement|\bprix initial|原价|之前|以前|平时|划线价)"
    r"[^.!?。！？,，;；\d]{0,12}$",
    _I,
)
SAVING_AFTER = re.compile(r"\s?(?:off\b|de réduction|de remise|de moins|d'économie)", _I)
SAVING_BEFORE = re.compile(r"(?:\bsave|\bsaving|économisez|\bremise de|立减|立省|减了?|省了?|便宜了?)\s?$", _I)
PRICE_BEFORE = re.compile(
    r"(?:\bcosts?|\bprice[sd]?(?: is| at)?|\bpriced at|\bfor only|\bfor just|\bfor|\bonly|\bjust|\bat"
    r"|co[uû]te(?:nt)?|\bprix(?: de)?|\bà seulement|\bà|\bpour|\bseulement"
    r"|售价|价格|价钱|卖|只要|仅需|仅售|现价|到手价|原价|只需)\s?(?:是|为|:|：)?\s?$",
    _I,
)

# ---- stock ------------------------------------------------------------------------------------------------
_MEASURE = r"(?:items?|pieces?|units?|pcs|pairs?|ones?|pièces?|articles?|exemplaires?|unités?)"
STOCK_AFTER = re.compile(
    rf"\s?(?:{_MEASURE}\s)?(?:left|remaining|in stock|still available|available|restant(?:e?s)?|en stock"
    r"|disponibles?|de disponibles?)\b|\s?[件个套条台双只份]?(?:库存|现货|在库)",
    _I,
)
STOCK_BEFORE = re.compile(
    r"(?:il (?:n'en |en )?reste(?: plus)?(?: que)?|plus que|还剩(?:下)?|仅剩(?:下)?|只剩(?:下)?|剩下|剩"
    r"|库存(?:还有|只有|仅有|有)?|we have|there are|we've got|nous avons|il y a)\s?$",
    _I,
)
CN_MEASURE_AFTER = re.compile(r"\s?[件个套条台双只份]")
STOCK_HAVE_BEFORE = re.compile(r"(?:还有|只有|仅有|有)\s?$")
COUNT_AFTER = re.compile(
    r"\s?(?:different\s|autres\s)?(?:sizes|colou?rs|tailles|couleurs|coloris|variants|versions|models|modèles"
    r"|options)\b|\s?(?:种|个|款)(?:颜色|尺码|款式|尺寸|规格)|\s?(?:种颜色|个尺码|种尺码|个颜色|款)",
    _I,
)

# ---- delays and dates -------------------------------------------------------------------------------------
DURATION_AFTER = re.compile(
    r"\s?(business days?|working days?|jours? ouvr[ée]s|days?|jours?|hours?|hrs?|h\b|weeks?|semaines?"
    r"|months?|mois\b|minutes?|mins?\b|个?工作日|天|小时|个?星期|周|个月|分钟)",
    _I,
)
_HOURS = {
    "business day": 24, "working day": 24, "jour ouvré": 24, "jour ouvre": 24, "day": 24, "jour": 24,
    "hour": 1, "hr": 1, "h": 1, "week": 168, "semaine": 168, "month": 720, "mois": 720, "minute": 1 / 60,
    "min": 1 / 60, "工作日": 24, "天": 24, "小时": 1, "星期": 168, "周": 168, "个月": 720, "分钟": 1 / 60,
}


def unit_hours(unit: str) -> float:
    """Hours in one ``unit`` ('2 days' and '48 h' must compare equal)."""
    u = unit.lower().strip().removeprefix("个")
    if u != "mois":
        u = re.sub(r"s\b", "", u)
    return float(_HOURS.get(u, _HOURS.get(u.replace("é", "e"), 24)))


SHIPPING_CONTEXT = re.compile(
    r"\bship|deliver|dispatch|arriv|\bsent\b|\bsend\b|livr|exp[ée]di|envoy|envoi|reçu|re[cç]ev|发货|到货|送达|快递|物流"
    r"|配送|寄|到手|收到",
    _I,
)
RELATIVE_DAYS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("same_day", re.compile(r"\bsame[- ]day\b|\btoday\b|le jour même|aujourd'hui|当天|今天|当日", _I)),
    ("next_day", re.compile(r"\bnext[- ]day\b|\btomorrow\b|\bdemain\b|lendemain|明天|次日|隔天|第二天", _I)),
)
RANGE_SEP = re.compile(r"\s?(?:-|–|—|~|to|à|a|au|or|ou|到|至|或)\s?$", _I)

_MONTHS_EN = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_MONTHS_FR = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
    "novembre", "décembre",
]
MONTHS: dict[str, int] = {m: i + 1 for i, m in enumerate(_MONTHS_EN)} | {
    m: i + 1 for i, m in enumerate(_MONTHS_FR)
} | {"fevrier": 2, "aout": 8, "decembre": 12, "sept": 9}
_EN_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_FR_MONTH = "(" + "|".join(_MONTHS_FR + ["fevrier", "aout", "decembre"]) + ")"
_CN_D = "[零〇一二两三四五六七八九十]{1,3}|\\d{1,2}"
DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ymd", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("cn", re.compile(rf"(?:(\d{{4}})年)?({_CN_D})月({_CN_D})[日号]")),
    ("md_en", re.compile(rf"\b{_EN_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", _I)),
    ("dm_en", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_EN_MONTH}(?![a-z])", _I)),
    ("dm_fr", re.compile(rf"\b(\d{{1,2}}|1er)\s+{_FR_MONTH}\b", _I)),
    ("slash", re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?(?![\d/])")),
)

# ---- sizes and colours ------------------------------------------------------------------------------------
_SIZE_WORD = (
    r"(?<![A-Za-z0-9])(?:XXXL|XXL|XL|XXS|XS|[2-5]XL|S|M|L|extra[- ]large|x-large|small|medium|large|regular"
    r"|petite?|moyenne?|grande?|\d{2}(?:[.,]5)?(?!\s?(?:[€$%％£¥￥]|eur|usd|dollar|欧|元|块|[.,]\d)))(?![A-Za-z0-9])"
    r"|(?:加大|大|中|小)[号码]"
)
SIZE_TOKEN = re.compile(_SIZE_WORD, _I)
_SIZE_SEP = r"\s*(?:,|、|/|，|\bor\b|\band\b|\bet\b|\bou\b|\bto\b|à|\bau\b|-|–|和|或|到|至)\s*"
SIZE_LIST = re.compile(
    r"(?:\bsizes?|\btailles?|\bpointures?|尺码|尺寸|码数)\s*(?:is|are|:|：|est|sont|有|为|是|from|de|du|in|en)?\s*"
    rf"((?:{_SIZE_WORD})(?:{_SIZE_SEP}(?:{_SIZE_WORD}))*)",
    _I,
)
SIZE_BARE = re.compile(r"(?<![A-Za-z0-9])(?:XXS|XS|XL|XXL|XXXL|[2-5]XL)(?![A-Za-z0-9])")
SIZE_SUFFIX = re.compile(r"(?<![A-Za-z0-9])(XXXL|XXL|XL|XS|S|M|L|[2-5]XL|\d{2})\s?[码号]|(?:加大|大|中|小)[号码]", _I)
_SIZE_CANON: dict[str, str] = {
    "s": "S", "small": "S", "petit": "S", "petite": "S", "小号": "S", "小码": "S",
    "m": "M", "medium": "M", "moyen": "M", "moyenne": "M", "中号": "M", "中码": "M",
    "l": "L", "large": "L", "grand": "L", "grande": "L", "大号": "L", "大码": "L",
    "xl": "XL", "extra large": "XL", "extra-large": "XL", "x-large": "XL", "加大号": "XL", "加大码": "XL",
    "2xl": "XXL", "3xl": "XXXL",
}


def size_label(token: str) -> str:
    """'Large', 'L', 'grande', '大号' -> 'L'; '38' -> '38'; anything else upper-cased."""
    t = re.sub(r"\s+", " ", token.strip().lower()).replace(",", ".")
    return _SIZE_CANON.get(t, t.upper())


SIZE_ALIASES: dict[str, tuple[str, ...]] = {
    "S": ("small", "petit", "petite", "小号", "小码"),
    "M": ("medium", "moyen", "moyenne", "中号", "中码"),
    "L": ("large", "grand", "grande", "大号", "大码"),
    "XL": ("extra large", "x-large", "加大号", "加大码"),
}
COLOUR_ALIASES: dict[str, tuple[str, ...]] = {
    "blue": ("bleu", "bleue", "蓝色", "蓝"), "black": ("noir", "noire", "黑色", "黑"),
    "gold": ("doré", "dorée", "en or", "金色"), "silver": ("argent", "argenté", "argentée", "银色"),
    "purple": ("violet", "violette", "紫色"), "red": ("rouge", "红色"), "white": ("blanc", "blanche", "白色"),
    "green": ("vert", "verte", "绿色"), "grey": ("gris", "grise", "灰色"), "gray": ("gris", "grise", "灰色"),
    "yellow": ("jaune", "黄色"), "pink": ("rose", "粉色"), "brown": ("marron", "棕色"),
}
