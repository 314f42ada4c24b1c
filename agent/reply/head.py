"""The thing a question is about, by its words: "how much is the dog kennel" -> "kennel", "l'étagère en bambou
elle coûte combien" -> "etagere".

A question about something the shop does not sell often shares a word with something it does ("the pine
wardrobe" and a pine bookshelf, "l'étagère en bambou" and a bamboo mirror), and both sit close by meaning, so
the sold-here thresholds answer it about the wrong product. The thing named is the head of the question's noun
phrase: in English the last word of the words after a determiner ("the balance bike"), in French the first
word after one ("la table à manger en chêne"). A word that names an attribute by itself ("dimensions", "la
hauteur", "warranty") is no thing; a determiner after "on peut", "je" or "il" is an object pronoun ("on peut la
passer sous l'eau"). In Chinese, the last two characters of the question's opening words ("实木衣柜多少钱" ->
"衣柜"; "桌子" is a "桌", "米粉里" the "米粉"). A French question without a determiner names none (None): the
usual thresholds decide alone. A measure word ("la température de la bouilloire"), an adverb of a phrasal verb
("send it back") and, in French, a pronoun end or skip the thing.

The other way round, a question that names a product by the words of its name alone (every word of the phrase,
French complements included: "une cafetière à capsules" is no "cafetière à piston") asks about it, even when
its keyword and cosine scores are low ("how much is the chair rn").
"""

from __future__ import annotations

import re

from agent.knowledge.keywords import fold, tokenize
from agent.knowledge.reference import NAMELESS as _STOP
from agent.language import HAN_RUN
from agent.product import Product
from agent.reply.attributes import cued, measures

_WORD_OR_STOP = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|[?!.,;:？！。，；：]")
_DET_EN = frozenset("the this that these those your ur".split())  # not "my": the viewer's own things
_DET_FR = frozenset("le la les l un une des du ce cet cette ces votre vos".split())
# words after which "le", "la", "les" are object pronouns, not determiners
_BEFORE_PRONOUN = frozenset("on je j tu il elle ils elles peut peux pouvez faut va vais dois doit ne n".split())
# English verbs that end a subject in shop questions ("the fish tank holds", "the tray go in")
_VERBS = frozenset("""come comes fit fits work works go goes hold holds last lasts weigh weighs cut cuts run runs need
needs use used made make makes look looks feel feels wash washes cost costs take takes keep keeps stay stays arrive
arrives ship ships charge charges fold folds open opens close closes get gets""".split())
# English adverbs that end a phrasal verb ("send the monitor back"), never a thing's name
_PARTICLES = frozenset("back away apart together around along aside".split())
_INSIDE = frozenset("in inside into dans".split())  # before a determiner: what a thing holds
_HAN_INSIDE = ("里", "内", "中")
_PRONOUNS_FR = frozenset("il elle ils elles on je tu vous nous ca".split())
_PREP_FR = frozenset("a de d du des en pour au aux sans avec".split())
_HAN_LEAD = re.compile("^(?:请问|问下|问一下|主播|那个|这个|那款|这款|你们家?的?|我想问)+")
# characters that end the thing's name in a Chinese question: what is asked, or said about it
_HAN_STOP = frozenset("多是能可有几的怎还什要会吗呢啊用适带支防耐掉重大长宽高贵便一哪够里")
_HAN_ASKS = ("多", "几", "什么", "怎么", "哪", "有没有", "是不是", "能不能", "可不可以", "有")
_HAN_PEOPLE = ("我", "你", "他", "她", "宝宝", "孩子", "小孩")
_LEADING = re.compile(r"[0-9A-Za-z]")
_PREFIX = 5  # a typo or an inflection keeps the start of a word: "harnes" is the "harness"


def named_thing(question: str, language: str) -> str | None:
    """The head word of the thing the question names (folded), or None when it names none that way."""
    return head_of(named_phrase(question, language), language)


def head_of(phrase: list[str], language: str) -> str | None:
    """The head of a phrase from :func:`named_phrase` or :func:`inside_phrase`: English puts it last."""
    return (phrase[-1] if language == "en" else phrase[0]) if phrase else None


def named_phrase(question: str, language: str) -> list[str]:
    """The words of the thing the question names, its head among them (folded): in English the words after a
    determiner up to the head ("the velvet chair" -> velvet, chair), in French the head and the words that
    follow it before a pronoun or a verb ("la poêle céramique elle ..." -> poele, ceramique), in Chinese the
    head alone ("实木衣柜多少钱" -> 衣柜). Empty when it names none that way."""
    if language == "zh":
        thing = _han_thing(question)
        return [thing] if thing else []
    words = _tokens(question)
    if language == "fr":
        for i, w in enumerate(words[:-1]):
            if w in _DET_FR and (i == 0 or words[i - 1] not in _BEFORE_PRONOUN) and _thing(words[i + 1]):
                return _french_phrase(words[i + 1:])
        return []
    if language != "en":
        return []
    return _english_run(words[next((i + 1 for i, w in enumerate(words) if w in _DET_EN), 0):])


def inside_phrase(question: str, language: str) -> list[str]:
    """The thing whose contents the question asks about ("any nuts in the granola?" -> granola, "il y a du sucre
    dans la confiture ?" -> confiture, "米粉里有没有糖" -> 米粉), or []. "Do you have" then asks what that thing
    holds, not for another thing ("a lid for the skillet")."""
    if language == "zh":
        thing = _han_thing(question)
        if thing is None:
            return []
        end = question.find(thing) + len(thing)
        return [thing] if question[end : end + 1] in _HAN_INSIDE else []
    words = _tokens(question)
    dets = _DET_FR if language == "fr" else _DET_EN
    for i, w in enumerate(words[:-2]):
        if w in _INSIDE and words[i + 1] in dets:
            rest = words[i + 2:]
            return _french_phrase(rest) if language == "fr" else _english_run(rest)
    return []


def _tokens(question: str) -> list[str]:
    # punctuation stays a token: a thing's name ends with its sentence ("...the seed mix? they're my favourite")
    return _WORD_OR_STOP.findall(fold(question).replace("'", " ").replace("’", " "))


def _english_run(words: list[str]) -> list[str]:
    """The first run of thing words, up to a verb or a word that is no thing."""
    run: list[str] = []
    for w in words:
        if not _thing(w) or w in _VERBS:
            if run:
                break
            continue
        run.append(w)
    return run


def _french_phrase(words: list[str]) -> list[str]:
    """The head, its adjectives and its complements ("une cafetière à capsules" -> cafetiere, capsules), up to a
    pronoun or a word that is no thing (a verb, a short word)."""
    phrase: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in _PREP_FR and phrase:
            nxt = i + 1 + (i + 1 < len(words) and words[i + 1] in _DET_FR)
            if nxt < len(words) and _thing(words[nxt]) and words[nxt] not in _PRONOUNS_FR:
                i = nxt
                continue
            break
        if not _thing(w) or w in _PRONOUNS_FR:
            break
        phrase.append(w)
        i += 1
    return phrase


def _han_thing(question: str) -> str | None:
    """Chinese: the question's first run of characters, less "那个" and the like, up to the first character that
    asks or describes ("电热毯多少钱" -> "电热毯", "榨汁机的杯子..." -> "榨汁机"); its head is its last two characters
    (a compound ends in what it is: "保温杯" is a cup)."""
    first = HAN_RUN.search(question)
    if first is None or _LEADING.search(question[: first.start()]):
        return None  # "32码黑色还有吗": a size or a code first, no name
    run = _HAN_LEAD.sub("", first.group())
    if run.startswith(_HAN_ASKS) or run.startswith(_HAN_PEOPLE):
        return None  # "多少钱", "有没有...", "我在...": it opens with the question or the viewer, not a thing
    cut = next((i for i, ch in enumerate(run) if i >= 2 and ch in _HAN_STOP), len(run))
    if cut == 2 and run[1] == "子":
        return run[0]  # a noun's suffix: "桌子" is a "桌", as in "书桌"
    return run[cut - 2 : cut] if cut >= 2 else None


def name_words(product: Product) -> set[str]:
    """The words of the product's name, tags and category, as the keyword side spells them."""
    return set(tokenize(_name(product)))


def owns_all(words: list[str], product: Product) -> bool:
    """Does the product's name, tags or category hold every one of ``words`` (see :func:`owns`)?"""
    return bool(words) and all(owns(w, product) for w in words)


def owns(thing: str, product: Product) -> bool:
    """Does the product's name, tags or category hold the word (as the keyword side spells it, or its start)?"""
    name = _name(product)
    if HAN_RUN.search(thing):
        return thing in name
    own = set(tokenize(name))
    word = next(iter(tokenize(thing)), thing)
    return word in own or any(len(o) >= _PREFIX and len(word) >= _PREFIX and o[:_PREFIX] == word[:_PREFIX]
                              for o in own)


def _name(product: Product) -> str:
    return " ".join([product.title, *product.tags, product.category])


def _thing(word: str) -> bool:
    return (len(word) >= 3 and not any(c.isdigit() for c in word) and word not in _STOP and word not in _PARTICLES
            and not cued(word) and not measures(word))
