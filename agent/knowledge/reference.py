"""Does a question name a product, or mean "the one on screen"?

"How much is it?", "combien ça coûte ?", "多少钱" carry no product words: once the generic shopping words of
each language are removed, nothing is left, so the product on screen is the answer. Anything left over
(a product word in any language) means the viewer named something, and normal ranking applies.
"""

from __future__ import annotations

import re

from agent.knowledge.keywords import fold
from agent.language import HAN_RUN

_GENERIC_WORDS = frozenset(
    """
    a an the it its it's this that these those one is are was be do does did can could would will i you we my
    me your how what which when where why much many price cost costs pay buy get order available availability
    stock left there any have has in on of for to with and or please tell show about size sizes colour colours
    color colors still ship shipping delivery deliver take long day days discount sale cheaper expensive
    euro euros eur dollar dollars quantity more thing item product hi hello hey ok okay so just really
    combien coute coutent prix ca c est ce cet cette ces le la les l un une des du de d et ou il elle on
    pour avec en dans sur quel quelle quels quelles est-ce que qu qui dispo disponible reste encore taille
    tailles couleur couleurs livraison livre delai jours acheter commander vous je tu nous mon ma mes ton ta
    bonjour salut svp merci oui non y a t s n pas plus moins cher article produit truc vraiment temps fois
    """.split()
)
_GENERIC_ZH = (
    "多少钱 多少 价格 价钱 钱 怎么卖 怎么样 怎么 这个 那个 这款 那款 这件 那件 这 那 它 个 款 件 "
    "有货 还有 有没有 库存 货 几 吗 呢 啊 吧 呀 的 了 是 有 什么 尺码 尺寸 颜色 发货 快递 运费 包邮 "
    "请问 你好 主播 可以 能 买 贵 便宜 打折 优惠 现在 一下 看看 介绍 我 你 要 想"
).split()
GENERIC_TERMS = _GENERIC_WORDS | frozenset(w for w in _GENERIC_ZH if len(w) <= 2)
"""Words that say nothing about which product: left out of keyword matching too."""
# English words that name no thing: never looked up across languages (generic shop talk is GENERIC_TERMS)
FUNCTION_WORDS = frozenset("""a an the is are was were be been do does did can could will would should shall may might
must have has had i you he she it we they me him her us them my your his its our their this that these those
what which who whom whose how when where why there here and or but if then than so too very just also not no yes
of in on at by for with from to into about over under up down out off again any some all each every more most
much many few less least own same such only other another as ok okay pls please rn lol u ur""".split())
# ... and French ones (folded, as keywords are): the words of a French question that name no thing
FUNCTION_WORDS_FR = frozenset("""a au aux l d qu n s j m c se sa son ses leur leurs par sans tres bien peut peux
faut fait font faire va vont sont etre avoir ai as avez ont ici la-dessus si comme tout tous toute toutes rien
quoi comment pourquoi quand ou donc alors aussi deja elle elles ils lui eux me te moi toi vos votre notre nos
cela ceci ca ce""".split())
NAMELESS = GENERIC_TERMS | FUNCTION_WORDS | FUNCTION_WORDS_FR
"""Words that name no thing in any of the three languages: never a product's name, nor part of one's edges."""
_LATIN = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")


def names_a_product(query: str) -> bool:
    """True when the question holds words beyond generic shopping talk in English, French or Chinese."""
    q = fold(query)
    zh = "".join(HAN_RUN.findall(q))
    for phrase in sorted(_GENERIC_ZH, key=len, reverse=True):
        zh = zh.replace(phrase, "")
    if zh:
        return True
    for word in _LATIN.findall(q):
        for piece in re.split(r"['’-]", word):
            if piece and piece not in _GENERIC_WORDS and not piece.isdigit():
                return True
    return False
