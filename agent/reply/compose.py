"""Replies built straight from product fields, for when the LLM's reply fails the guard or the LLM is down.

Every number comes from the sheet and every sentence is phrased so the grounding guard can read it back
(prices next to the variant they belong to, 'instead of' before a compare-at price), so these replies are
always safe to speak. Short on purpose: they interrupt a live show.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

from agent.guards import lexicon as lx
from agent.guards.claims import ClaimKind, extract_claims
from agent.guards.scope import option_values, variant_mentions
from agent.language import HAN_CHARS
from agent.product import Product, Variant, fmt_price


class Intent(StrEnum):
    PRICE = "price"
    STOCK = "stock"
    SIZES = "sizes"
    SHIPPING = "shipping"
    DISCOUNT = "discount"


_I = re.IGNORECASE
_INTENTS: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (Intent.SHIPPING, re.compile(r"ship|deliver|dispatch|arriv|livr|exp[ée]di|envoi|发货|快递|到货|物流|寄|送达", _I)),
    (Intent.STOCK, re.compile(r"stock|left\b|available|dispo|reste|库存|有货|还有|剩|现货|卖完|sold out|épuis", _I)),
    (Intent.DISCOUNT, re.compile(r"discount|sale\b|promo|deal|réduc|remise|solde|rabais|打折|折扣|优惠|便宜|减价", _I)),
    (Intent.PRICE, re.compile(r"price|cost|how much|prix|co[uû]t|combien|多少钱|价格|价钱|几块", _I)),
    (Intent.SIZES, re.compile(r"\bsizes?\b|taille|尺码|尺寸|码|fit\b", _I)),
)
_SIZE_OPTION = re.compile(r"size|taille|尺码|尺寸|pointure", _I)
_CURRENCY_ZH = {"EUR": "欧元", "USD": "美元", "CNY": "元", "GBP": "英镑", "JPY": "日元", "HKD": "港元"}
_UNITS = {
    "fr": {"day": "jours", "business day": "jours ouvrés", "hour": "heures", "week": "semaines"},
    "zh": {"day": "天", "business day": "个工作日", "hour": "小时", "week": "周"},
    "en": {"day": "days", "business day": "business days", "hour": "hours", "week": "weeks"},
}
_HOURS_PER = (("week", 168.0), ("day", 24.0), ("hour", 1.0))
_LANGS = ("en", "fr", "zh")


def detect_intent(question: str) -> Intent:
    """What the viewer asks about; the main price when it cannot tell."""
    for intent, pattern in _INTENTS:
        if pattern.search(question):
            return intent
    return Intent.PRICE


def _lang(language: str) -> str:
    code = language.lower()[:2]
    return code if code in _LANGS else "en"


def said_name(names: str) -> str:
    """Viewers' names as the host says them: "mama_bear_21" is "mama bear 21" (a voice reads "_" as "underscore")."""
    return names.replace("_", " ")


def _at(user: str) -> str:
    name = re.sub(r"\s+", "_", user.strip().lstrip("@"))
    return f"@{name} " if name else ""


def money(value: float, currency: str, language: str) -> str:
    """'59.99 EUR' / '59,99 EUR' / '59.99 欧元'."""
    lang = _lang(language)
    num = fmt_price(value)
    if lang == "fr":
        return f"{num.replace('.', ',')} {currency}"
    if lang == "zh":
        return f"{num} {_CURRENCY_ZH.get(currency.upper(), currency)}"
    return f"{num} {currency}"


def _join(items: Sequence[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + (" et " if lang == "fr" else " and ") + items[-1]


def _name(p: Product, lang: str) -> str:
    return {"en": f"The {p.title}", "fr": f"L'article {p.title}", "zh": p.title}[lang]


def _label(v: Variant) -> str:
    return " / ".join(option_values(v)) or v.name


def _pick_product(products: Sequence[Product], question: str) -> Product:
    q = question.lower()

    def score(p: Product) -> int:
        return sum(1 for w in re.findall(r"\w{3,}", p.title.lower()) if w in q)

    return max(products, key=score)  # max keeps the first (best retrieved) on ties


def _asked_variants(p: Product, question: str) -> tuple[Variant, ...]:
    """The variants a question names: those that match the most of what it names ("米白M码" is the M in
    cream, not every M), by option value, size or colour alias, or a word or number only some variants have."""
    if not p.variants:
        return ()
    claims = extract_claims(question)
    named: dict[Variant, int] = {}
    for m in variant_mentions(question, [p], claims, []):
        for v in m.variants:
            named[v] = named.get(v, 0) + 1
    for v, n in _named_variants(p, question).items():
        named[v] = named.get(v, 0) + n
    if not named:
        return ()
    best = max(named.values())
    return tuple(v for v in p.variants if named.get(v) == best)


_CJK_RUN = re.compile(f"[{HAN_CHARS}]{{2,}}")
_LETTER = re.compile(r"(?<![\w'’.-])[SMLsml](?![\w'’.-])")  # a size letter standing alone in a variant's name


def _colour_forms(word: str) -> tuple[str, ...]:
    """Every way to say the colour ``word`` names, in EN/FR/ZH ("rouge" -> red, 红色...), or nothing."""
    for english, forms in lx.COLOUR_ALIASES.items():
        if word == english or word in forms:
            return (english, *forms)
    return ()


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _named_variants(p: Product, question: str) -> dict[Variant, int]:
    """Variants the question names by a word only some of them have ("the three-wick one", "蓝色的"), in the
    sheet's words, as a colour in another language, or by a number ("750的", "32 cm")."""
    if len(p.variants) < 2:
        return {}
    q = question.lower()
    q_numbers = set(re.findall(r"\d+(?:[.,]\d+)?", q))
    words = [{_singular(w) for w in re.findall(r"[a-z][\w-]+|\d+(?:[.,]\d+)?", v.name.lower())}
             | set(_CJK_RUN.findall(v.name)) | {w.upper() for w in _LETTER.findall(v.name)} for v in p.variants]
    common = set.intersection(*words)
    named: dict[Variant, int] = {}
    for v, ws in zip(p.variants, words, strict=True):
        said = set()
        for w in ws - common:
            if w[0].isdigit():
                hit = w in q_numbers
            elif len(w) == 1:  # a size letter ("L – 36 x 27 in") is named only as a capital standing alone
                hit = re.search(r"(?<![\w'’-])" + w + r"(?![\w'’-])", question) is not None
            elif _CJK_RUN.fullmatch(w):
                hit = w in question
            else:  # "1 Camera" and "2 Cameras" share the word: only the number tells them apart
                hit = re.search(r"(?<![\w-])" + re.escape(w) + r"(?:s|es)?(?![\w-])", q) is not None
            if hit or any(form in q for form in _colour_forms(w) if len(form) >= 2):
                said.add(w)
        if said:
            named[v] = len(said)
    return named if 0 < len(named) < len(p.variants) or len(set(named.values())) > 1 else {}


def compose_fact_reply(products: Sequence[Product], question: str, language: str, user: str,
                       intent: Intent | None = None) -> str:
    """A short reply from the sheet answering ``question`` (price, variant price, stock, sizes, shipping);
    ``intent`` says what is asked when the caller knows (else it is read from the question's words)."""
    lang = _lang(language)
    if not products:
        return compose_refusal(question, lang, user, None)
    p = _pick_product(products, question)
    variants = _asked_variants(p, question)
    intent = intent or detect_intent(question)
    if intent is Intent.STOCK:
        body = _stock(p, variants, lang)
    elif intent is Intent.SIZES:
        body = _sizes(p, lang)
    elif intent is Intent.SHIPPING:
        body = _shipping(p, lang)
    elif intent is Intent.DISCOUNT:
        body = _discount(p, variants, lang)
    else:
        body = None
    return _at(user) + (body or _price(p, variants, lang))


def _price(p: Product, variants: Sequence[Variant], lang: str) -> str:
    name = _name(p, lang)
    priced = [v for v in (variants or p.variants) if v.price is not None]
    if variants and len({v.price for v in priced}) == 1:
        v = priced[0]
        assert v.price is not None
        amount, label = money(v.price, p.currency, lang), _join([_label(x) for x in priced], lang)
        return {"en": f"{name} in {label} is {amount}.", "fr": f"{name} en {label} coûte {amount}.",
                "zh": f"{name}（{label}）售价 {amount}。"}[lang]
    if len({v.price for v in priced}) > 1:
        groups: dict[float, list[str]] = {}
        for v in priced:
            assert v.price is not None
            groups.setdefault(v.price, []).append(_label(v))
        if lang == "zh":
            parts = [f"{'、'.join(labels)} {money(price, p.currency, lang)}" for price, labels in groups.items()]
            return f"{name}：{'，'.join(parts)}。"
        word = "pour" if lang == "fr" else "for"
        parts = [f"{money(price, p.currency, lang)} {word} {_join(labels, lang)}" for price, labels in groups.items()]
        verb = "coûte" if lang == "fr" else "is"
        return f"{name} {verb} {_join(parts, lang)}."
    price = p.price if p.price is not None else (priced[0].price if priced else None)
    if price is None:
        return {"en": f"I don't have the price of the {p.title} right now.",
                "fr": f"Je n'ai pas encore le prix de l'article {p.title}.",
                "zh": f"{p.title} 的价格我暂时还没有。"}[lang]
    amount = money(price, p.currency, lang)
    if p.compare_at is not None and p.compare_at > price:
        was = money(p.compare_at, p.currency, lang)
        return {"en": f"{name} is {amount} instead of {was}.", "fr": f"{name} coûte {amount} au lieu de {was}.",
                "zh": f"{name} 现价 {amount}，原价 {was}。"}[lang]
    return {"en": f"{name} is {amount}.", "fr": f"{name} coûte {amount}.", "zh": f"{name} 售价 {amount}。"}[lang]


def _stock(p: Product, variants: Sequence[Variant], lang: str) -> str | None:
    if len(variants) > 1:
        parts = [_stock(p, [v], lang) for v in variants]
        return None if None in parts else " ".join(x for x in parts if x)
    if variants:
        v = variants[0]
        name = {"en": f"{_name(p, lang)} in {_label(v)}", "fr": f"{_name(p, lang)} en {_label(v)}",
                "zh": f"{p.title}（{_label(v)}）"}[lang]
        stock = v.stock
    else:
        name, stock = _name(p, lang), p.total_stock
    if stock is None:
        return None
    if stock == 0:
        return {"en": f"{name} is sold out.", "fr": f"{name} est épuisé.", "zh": f"{name} 已售罄。"}[lang]
    return {"en": f"{name}: {stock} in stock.", "fr": f"{name} : {stock} en stock.",
            "zh": f"{name} 还有 {stock} 件库存。"}[lang]


def _size_values(p: Product) -> list[str]:
    values: list[str] = []
    for v in p.variants:
        sized = [val for name, val in v.options if _SIZE_OPTION.search(name)]
        if not v.options:  # names such as "M", "S / White" or "L - Sage"
            sized = [part.strip() for part in re.split(r"[/,|-]", v.name) if lx.SIZE_TOKEN.fullmatch(part.strip())]
        values += [x for x in sized if x not in values]
    return values


def _sizes(p: Product, lang: str) -> str | None:
    sizes = [s for s in _size_values(p) if lx.SIZE_TOKEN.fullmatch(s)]
    if not sizes:  # sizes a sheet lists as a fact ('Sizes: S, M') rather than as variants
        facts = "\n".join(f"{k}: {v}" for k, v in p.facts)
        sizes = list(dict.fromkeys(c.span for c in extract_claims(facts) if c.kind is ClaimKind.SIZE))
    if not sizes:
        return None if p.price is None else {
            "en": f"{_name(p, lang)} is not sold in different sizes; it is {money(p.price, p.currency, lang)}.",
            "fr": f"{_name(p, lang)} n'existe pas en plusieurs tailles ; il coûte {money(p.price, p.currency, lang)}.",
            "zh": f"{p.title} 没有尺码可选，售价 {money(p.price, p.currency, lang)}。",
        }[lang]
    listed = _join(sizes, lang)
    return {"en": f"{_name(p, lang)} comes in sizes {listed}.", "fr": f"{_name(p, lang)} existe en tailles {listed}.",
            "zh": f"{p.title} 的尺码有：{listed}。"}[lang]


def _delay_words(low: float, high: float, unit: str, lang: str) -> str:
    """48-72 hours -> '2-3 days' / '2-3 jours' / '2-3 天' (the guard compares hours, so any exact unit is fine)."""
    if re.search(r"ouvr|business|working|工作日", unit):
        base, per = "business day", 24.0
    else:
        base, per = next(((u, h) for u, h in _HOURS_PER if low % h == 0 and high % h == 0), ("hour", 1.0))
    a, b = fmt_price(low / per), fmt_price(high / per)
    return f"{a if a == b else f'{a}-{b}'} {_UNITS[lang][base]}"


def _shipping(p: Product, lang: str) -> str | None:
    free = "\n".join([p.text, *(f"{k}: {v}" for k, v in p.facts)])
    for c in extract_claims(free):
        hours = c.hours
        if c.kind is ClaimKind.SHIPPING and hours is not None:
            d = _delay_words(hours[0], hours[1], c.unit, lang)
            return {"en": f"{_name(p, lang)} ships in {d}.", "fr": f"{_name(p, lang)} est expédié sous {d}.",
                    "zh": f"{p.title} {d}内发货。"}[lang]
    if p.price is None:
        return None
    amount = money(p.price, p.currency, lang)
    return {"en": f"I have no shipping details for the {p.title} yet; it is {amount}.",
            "fr": f"Je n'ai pas encore les délais de livraison de l'article {p.title} ; il coûte {amount}.",
            "zh": f"{p.title} 暂时没有发货信息，售价 {amount}。"}[lang]


def _discount(p: Product, variants: Sequence[Variant], lang: str) -> str | None:
    cands: list[tuple[float | None, float | None, Variant | None]] = [(v.price, v.compare_at, v) for v in variants]
    cands = cands or [(p.price, p.compare_at, None)] + [(v.price, v.compare_at, v) for v in p.variants]
    for price, was, v in cands:
        if price is not None and was is not None and was > price:
            pct = round((was - price) / was * 100)
            name = _name(p, lang) if v is None else {
                "en": f"{_name(p, lang)} in {_label(v)}", "fr": f"{_name(p, lang)} en {_label(v)}",
                "zh": f"{p.title}（{_label(v)}）"}[lang]
            a, b = money(price, p.currency, lang), money(was, p.currency, lang)
            return {"en": f"{name} is {a} instead of {b}, {pct}% off.",
                    "fr": f"{name} coûte {a} au lieu de {b}, soit {pct} % de réduction.",
                    "zh": f"{name} 现价 {a}，原价 {b}，优惠 {pct}%。"}[lang]
    if p.price is None:
        return None
    amount = money(p.price, p.currency, lang)
    return {"en": f"There is no discount on the {p.title}; it is {amount}.",
            "fr": f"Pas de réduction sur l'article {p.title} : il coûte {amount}.",
            "zh": f"{p.title} 目前没有折扣，售价 {amount}。"}[lang]


def compose_refusal(question: str, language: str, user: str, related: Product | None = None) -> str:
    """A polite 'we don't sell that', optionally pointing to a related product (never echoing the question)."""
    lang = _lang(language)
    head = {"en": "Sorry, that's not something we have in our catalog.",
            "fr": "Désolée, nous n'avons pas cet article dans notre catalogue.",
            "zh": "抱歉，我们的商品里没有这个。"}[lang]
    if related is None:
        return _at(user) + head
    tail = {"en": f" You might like the {related.title}.", "fr": f" L'article {related.title} pourrait vous plaire.",
            "zh": f"可以看看 {related.title}。"}[lang]
    return _at(user) + head + tail


def compose_holding(language: str, user: str) -> str:
    """What to say while the LLM is unavailable: buys time, states nothing."""
    lang = _lang(language)
    return _at(user) + {"en": "One moment, let me check that for you.", "fr": "Un instant, je vérifie pour vous.",
                        "zh": "稍等，我帮你查一下。"}[lang]
