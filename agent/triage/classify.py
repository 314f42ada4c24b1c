"""What kind of comment is this: a product question, another question, a greeting, chit-chat or noise?

Word lists, not a model: this runs on every comment at chat speed, and live-commerce chat is formulaic
("price?", "size M?", "多少钱", "combien ?"). Short comments made only of a product word ("link", "尺码")
are questions in this setting even without a question mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from agent.language import FR_SAID_OF, HAN

PRIORITY_ON_SCREEN = 30
PRIORITY_PRODUCT = 20
PRIORITY_OTHER = 10
PRIORITY_GREETING = 3
PRIORITY_CHITCHAT = 1

_WORD = re.compile(r"[a-zà-öø-ÿœ0-9']+")

_Q_START = frozenset(
    "how what whats what's when where which who why is are do does did can could will would should any got "
    "combien quel quelle quels quelles comment pourquoi où ou quand est-ce qui quoi peut-on peux avez as "
    "y-a-t-il".split()
)
# Chat puts the thing first and the question after it ("air fryer how many liters", "le tapis y a quelles
# couleurs", "la veste elle est garantie combien de temps"), often with no question mark: an interrogative
# phrase anywhere asks too. Only phrases that ask ("how many", not "how"; "what size", not "what"; "quel",
# "combien" and "c'est quoi" are interrogative wherever they stand); "ou" without its accent is "or".
_Q_ANYWHERE = re.compile(
    r"\bhow (?:many|much|long|big|heavy|loud|tall|wide|high|deep|thick|often|old|far|fast|warm|do|does|did|can|"
    r"should|would|to)\b|\bwhat(?:'?s| is| are) (?:the|it|its|this|that|these|those|they|ur|your)\b|"
    r"\bwhat (?:does|do|size|sizes|colou?rs?|material|kind|type)\b|"
    r"\bwhich (?:one|size|colou?r|model|version)s?\b|"
    r"\bcombien\b|\bquel(?:le)?s?\b|\bc(?:'est|est)? ?(?:quoi|koi)\b|\bquoi comme\b|\best-ce qu|"
    r"\bcomment (?:on|je|il|elle|ça|ca|faire|le|la|les)\b|\boù\b|\bpourquoi\b|\ben quoi\b|"
    r"\bou (?:pas|non)\s*$|\bquand\s*$|"
    # a verb before its subject asks, unless the line ends there ("if it breaks can i return it"; "this is it")
    r"(?:\b(?:can|could|will|would|should|is|are)\s+(?:i|you|u|we|they|it)|\b(?:do|did)\s+(?:i|you|u|we|they)"
    r"|\bdoes\s+(?:it|he|she|this|that))\b(?!\s*$)"
)
# French asks without a question mark in three more ways: a verb and its subject inverted ("est-elle doublée",
# "peut-on", "a-t-il"; "-vous" only after the verbs that ask, since "abonnez-vous" is an order), "je peux" or "on
# peut" opening the line ("on peut le porter sous la pluie"; not "je peux pas"), and the thing said first and taken
# up by a pronoun ("la lampe elle marche avec des piles", "les bottes elles sont fourrées") or by a "c'est" that
# says what it is made of or free of ("le miel c'est sans sucre"), unless the line praises
# it ("la robe elle est trop belle" is a compliment, not a question)
_Q_FR = re.compile(
    r"\b[a-zà-ÿ]+-(?:t-)?(?:il|elle|ils|elles|tu)\b|\b(?:peut|doit|va|a|est|fait|faut|sait|pourrait|devrait|peux|"
    r"puis)-(?:t-)?on\b|"  # "-on" only after a French verb: "add-on", "ride-on", "carry-on" are English things
    r"\b(?:avez|êtes|etes|pouvez|faites|vendez|livrez|acceptez|proposez|envoyez|expédiez|expediez)-vous\b|"
    r"^(?:je|j'|on|tu|vous)\s*(?:peux|peut|pourrais|pourrait|pouvez|pourriez)\b(?!.*\b(?:pas|plus|jamais|rien)\b)"
)
_DISLOCATED = re.compile(
    r"^(?:le|la|les|l'|ce|cet|cette|ces|votre|vos|ton|ta|tes)\s*[^,.!]{2,40}?\s(?:(?:il|elle|ils|elles)\s+(?:est|sont|"
    r"fait|font|va|vont|marche|marchent|tient|tiennent|passe|passent|existe|existent|a|ont|se|peut|peuvent)\b"
    r"|" + FR_SAID_OF + ")"
)
_PRAISE = re.compile(r"\b(?:trop|beaux?|belles?|jolie?s?|magnifiques?|canon|sublimes?|top|super|génial|genial|"
                     r"parfaite?s?|mignonn?e?s?|adore|stylée?s?|incroyables?|dingue|moches?|nulle?s?|ouf)\b")
# a request that names what it wants: "dis-moi la taille du plaid", "liste les couleurs", "tell me the price"
_REQUEST = re.compile(r"^(?:dis|dites|donne|donnez|montre|montrez|répète|repete|répétez|repetez|rappelle|rappelez|"
                      r"réexplique|reexplique|explique|expliquez|liste|listez|précise|precise|précisez|indique|"
                      r"indiquez)\b|^(?:tell|show|give|list|repeat|explain|remind)\s+(?:me|us)\b")
_Q_HAN = ("吗", "么", "呢", "什么", "怎么", "多少", "几", "哪", "是不是", "有没有", "能不能", "可不可以", "咋",
          "啥", "多大", "多长", "多重", "多久", "多厚", "多高", "多宽", "多深", "多粗", "多远")
_PRODUCT_WORDS = frozenset(
    """
    price prices cost costs much combien size sizes sizing colour color colours colors stock available availability ship
    shipping shipped delivery deliver material fabric cotton wool leather silk polyester discount coupon code link
    buy order return returns refund warranty waterproof fit fits length width height weight dimensions battery
    wash washable sale deal offer cheaper expensive quality brand model variant sold left pieces xs xl xxl
    prix coûte coute taille tailles couleur couleurs dispo disponible disponibles livraison livrer livré
    expédition matière tissu coton laine cuir soie promo réduction remise lien acheter commande commander retour
    remboursement garantie lavable pointure longueur largeur hauteur poids imperméable impermeable étanche etanche
    batterie qualité qualite marque modèle modele
    """.split()
)
_PRODUCT_HAN = (
    "多少钱", "价格", "价钱", "尺码", "码数", "尺寸", "大小", "颜色", "色号", "库存",
    "有货", "现货", "发货", "快递", "包邮", "运费", "材质", "面料", "纯棉", "棉的",
    "优惠", "折扣", "打折", "券", "链接", "怎么买", "下单", "退货", "退款", "保修",
    "质量", "几号", "上身", "显瘦", "身高", "体重", "斤", "能穿", "好穿", "贵",
    "便宜", "还有吗", "拍", "买",
)
_DEICTIC = frozenset("it this that these those ça ca ce cette celui celle ces le la".split())
_DEICTIC_HAN = ("这个", "这件", "这款", "这条", "这双", "它", "那个", "这套")
_GREETINGS = frozenset(
    "hi hello hey hiya yo bonjour bonsoir salut coucou hola morning evening welcome".split()
)
_GREETING_HAN = ("你好", "大家好", "主播好", "哈喽", "早上好", "晚上好", "下午好", "来了", "我来了", "嗨")


def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """One C scan saying whether any of ``words`` occurs (instead of a Python loop of ``in`` tests)."""
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


_Q_HAN_RX = _any_of(_Q_HAN)
# "送不送", "能用不", "能机洗不", "洗了掉色不": an A-not-A question, a listed verb before a final 不, or any verb or
# adjective before it after at least two more characters ("我才不" is an answer, not a question, and too short
# to tell); "有...没" ("箱子有海关锁没") asks too
_A_NOT_A = re.compile(r"(?<!不)(.)不\1|[能会要可行好对是有用穿吃拍卖送]不$|..[^不]不$|有.{1,12}没$")
_PRODUCT_HAN_RX = _any_of(_PRODUCT_HAN)
_DEICTIC_HAN_RX = _any_of(_DEICTIC_HAN)
_GREETING_HAN_RX = _any_of(_GREETING_HAN)


class Kind(Enum):
    PRODUCT = "product"
    QUESTION = "question"
    GREETING = "greeting"
    CHITCHAT = "chitchat"
    NOISE = "noise"


@dataclass(frozen=True, slots=True)
class Classified:
    kind: Kind
    on_screen: bool = False
    why: str = ""


def classify(norm: str, title_words: frozenset[str] = frozenset(), showing: bool = False) -> Classified:
    """Classify folded text. ``title_words``: lowercase words/bigrams of the on-screen product's title."""
    words = _WORD.findall(norm)
    han = "".join(HAN.findall(norm))
    if not words and not han:
        return Classified(Kind.NOISE, why="no words (emoji or symbols only)")
    if not han and "".join(words).isdigit():
        return Classified(Kind.NOISE, why="numbers only (a cheer like 666 / 888)")
    question = ("?" in norm or "？" in norm or (bool(words) and words[0] in _Q_START)
                or (bool(words) and _Q_ANYWHERE.search(norm) is not None))
    if han and not question:
        question = _Q_HAN_RX.search(han) is not None or _A_NOT_A.search(han) is not None
    if words and not question:
        question = _Q_FR.search(norm) is not None or (_DISLOCATED.search(norm) is not None
                                                     and _PRAISE.search(norm) is None)
    hits = _PRODUCT_WORDS.intersection(words)
    product = min(hits) if hits else None
    if product and not question:
        question = _REQUEST.search(norm) is not None
    if product is None and han and _PRODUCT_HAN_RX.search(han) is not None:
        product = next((p for p in _PRODUCT_HAN if p in han), None)  # the first in list order names it
    if "how much" in norm:
        product = product or "how much"
    mentions_title = bool(title_words) and (
        not title_words.isdisjoint(words) or any(han[i : i + 2] in title_words for i in range(len(han) - 1))
    )
    short = len(words) + len(han) // 2 <= 4
    if product or (mentions_title and question):
        if question or short:
            deictic = not _DEICTIC.isdisjoint(words) or _DEICTIC_HAN_RX.search(han) is not None
            on_screen = showing and (mentions_title or deictic or short)
            return Classified(Kind.PRODUCT, on_screen, f"asks about {product or 'the product'}")
        return Classified(Kind.CHITCHAT, why=f"mentions {product} without asking")
    if question:
        return Classified(Kind.QUESTION, why="a question not about products")
    if (words and words[0] in _GREETINGS) or (han and _GREETING_HAN_RX.search(han) is not None):
        return Classified(Kind.GREETING, why="a greeting")
    if len(set(norm.replace(" ", ""))) <= 2 and len(norm) <= 8:
        return Classified(Kind.NOISE, why="a short cheer")
    return Classified(Kind.CHITCHAT, why="chit-chat")


def title_words(title: str) -> frozenset[str]:
    """Words (3+ letters) and Han bigrams of a product title, for "is the <title> waterproof?"."""
    low = title.casefold()
    out = {w for w in _WORD.findall(low) if len(w) >= 3}
    han = "".join(HAN.findall(low))
    out.update(han[i : i + 2] for i in range(len(han) - 1))
    return frozenset(out)
