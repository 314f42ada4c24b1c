"""The thing a question is about, by its words: "how much is the dog kennel" -> "kennel", "l'étagère en bambou
elle coûte combien" -> "etagere".

A question about something the shop does not sell often shares a word with something it does ("the pine
wardrobe" and a pine bookshelf, "l'étagère en bambou" and a bamboo mirror), and both sit close by meaning, so
the sold-here thresholds answer it about the wrong product. The thing named is the head of the question's noun
phrase: in English the last word of the words after a determiner ("the balance bike"), in French the first
word after one ("la table à manger en chêne"). A word that names an attribute by itself ("dimensions", "la
hauteur", "warranty") is no thing; a determiner after "on peut", "je" or "il" is an object pronoun ("on peut la
passer sous l'eau"). In Chinese, the last two characters of the nouns the question opens with, cut into words
by a dictionary ("实木衣柜多少钱" -> "衣柜", "背包本身多重" -> "背包"; "桌子" is a "桌", "米粉里" the "米粉"). A
French question without a determiner names none (None): the usual thresholds decide alone. A measure word ("la
température de la bouilloire"), an adverb ("send it back", "the monitor later on"), an English past participle
("the seeds treated with...") and, in French, a pronoun end or skip the thing; after "will the", "does the" the
subject's last word is the verb when nothing but a preposition follows ("will the meadow mix grow in shade").

The other way round, a question that names a product by the words of its name alone (every word of the phrase,
French complements included: "une cafetière à capsules" is no "cafetière à piston") asks about it, even when
its keyword and cosine scores are low ("how much is the chair rn").
"""

from __future__ import annotations

import re

from agent.knowledge import segment
from agent.knowledge.keywords import fold, tokenize
from agent.knowledge.reference import NAMELESS as _STOP
from agent.language import HAN_RUN
from agent.product import Product
from agent.reply.attributes import ATTRIBUTES, cued, measures

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
# English adverbs that end a thing's name ("add a camera to the monitor later on")
_ADVERBS = frozenset("""later now yet ever soon today tonight tomorrow already anymore though first instead either
enough alone outside inside indoors outdoors exactly really actually usually normally properly easily quickly fully
completely definitely probably honestly seriously basically currently""".split())
# a question opening "will the ...", "does the ..." has a verb after its subject; when the words after the run are
# none ("does the kettle whistle?") or a preposition ("will the meadow mix grow in shade"), the run's last is it
_AUX = frozenset("do does did will would can could should shall may might must".split())
_NO_VERB = frozenset("""in on at with for to from of by into onto under over about up down off out a an the my your
it them this that these those ? ! . , ; :""".split())
# "is the rabbit safe for a toddler?": after "is the", the subject is followed by what is said of it, an adjective
# the run must not take for the thing's name ("is the dog bed in stock?" keeps its "bed")
_COPULA = frozenset("is are was were isn aren".split())
_PREDICATES = frozenset("""safe ok okay good fine big small large heavy light warm cold hot soft hard strong sturdy
durable real genuine new worth suitable compatible available ready easy loud quiet bright dark thick thin long short
tall wide deep sharp sticky noisy toxic organic vegan natural handmade waterproof comfy cute nice legit authentic
original true same different expensive cheap pricey free open stretchy itchy slippery fragile solid pure clean
refurbished used""".split())
_PREDICATE_ENDS = ("able", "ible", "proof", "ful", "less", "ous")
# "can you make the desk lamp brighter?": after "make the", a comparative says how, the thing is before it
_CAUSATIVE = frozenset("make makes get keep turn".split())
_COMPARATIVES = frozenset("""dimmer brighter louder quieter warmer cooler softer harder bigger smaller longer shorter
tighter looser stronger faster slower hotter colder thicker thinner lighter heavier darker higher lower""".split())
_INSIDE = frozenset("in inside into dans".split())  # before a determiner: what a thing holds
_HAN_INSIDE = ("里", "内", "中")
_PRONOUNS_FR = frozenset("il elle ils elles on je tu vous nous ca".split())
_PREP_FR = frozenset("a de d du des en pour au aux sans avec".split())
_HAN_LEAD = re.compile("^(?:请问|问下|问一下|主播|那个|这个|那款|这款|你们家?的?|我想问)+")
_HAN_STOP = frozenset("能可是有多几还要会哪够")  # a word opening with one asks about the thing: "能用", "多重"
_HAN_MEASURE = frozenset("个件款双副只台把张套条瓶盒袋支顶")
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
    return next(iter(named_phrases(question, language)), [])


def phrase_about(question: str, language: str, product: Product) -> list[str]:
    """The question's phrase whose head ``product`` owns, when one does ("what comes in the box with the
    tripod?" is about the tripod), else its first (:func:`named_phrase`)."""
    phrases = named_phrases(question, language)
    return next((p for p in phrases if owns(head_of(p, language) or "", product)), phrases[0] if phrases else [])


def named_phrases(question: str, language: str) -> list[list[str]]:
    """Every phrase of :func:`named_phrase`'s kind in the question, in order (one at most in Chinese)."""
    if language == "zh":
        thing = _han_thing(question)
        return [[thing]] if thing else []
    words = _tokens(question)
    if language == "fr":
        return [p for i, w in enumerate(words[:-1])
                if w in _DET_FR and (i == 0 or words[i - 1] not in _BEFORE_PRONOUN) and _thing(words[i + 1])
                for p in [_french_phrase(words[i + 1:])] if p]
    if language != "en":
        return []
    starts = [i + 1 for i, w in enumerate(words) if w in _DET_EN] or [0]
    runs = [_english_run(words[start:]) for start in starts]
    first, start = runs[0], starts[0]
    if len(first) >= 2 and start >= 2 and words[start - 2] in _AUX:
        end = start + words[start:].index(first[-1]) + 1
        if end == len(words) or words[end] in _NO_VERB or words[end].isdigit() or words[end] in _ADVERBS:
            runs[0] = first[:-1]  # "does the kettle whistle?": the verb after the subject
    elif len(first) >= 2 and start >= 2 and (words[start - 2] in _COPULA and _predicate(first[-1])
                                             or words[start - 2] in _CAUSATIVE and first[-1] in _COMPARATIVES):
        runs[0] = first[:-1]  # "is the rabbit safe for...", "make the lamp brighter": what is said of the thing
    return [run for run in runs if run]


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
        if not _thing(w) or w in _VERBS or w in _ADVERBS or _participle(w):
            if run:
                break
            continue
        run.append(w)
    return run


def _predicate(word: str) -> bool:
    """An English adjective said of a thing ("safe", "washable", "waterproof"), never a thing's last word."""
    return word in _PREDICATES or len(word) > 5 and word.endswith(_PREDICATE_ENDS)


def _participle(word: str) -> bool:
    """An English past participle ("treated", "included"): it ends a name and starts none. "bed" and "seed" are
    nouns; a participle before a noun ("the padded jacket") is skipped as the name has not started."""
    return len(word) > 5 and word.endswith("ed") and not word.endswith("eed")


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
    """Chinese: the nouns the question's first run of characters opens with, less "那个", "这款" and the like,
    up to a word that asks, describes or names an attribute ("电热毯多少钱" -> "电热毯", "背包本身多重" -> "背包",
    "书架尺寸多少" -> "书架"); its head is its last two characters (a compound ends in what it is: "保温杯" is a
    cup). The words come from a dictionary (:mod:`agent.knowledge.segment`); None when the run opens with no
    noun ("推车" is tagged a verb) rather than a guess."""
    first = HAN_RUN.search(question)
    if first is None or _LEADING.search(question[: first.start()]):
        return None  # "32码黑色还有吗": a size or a code first, no name
    tagged = segment.words(first.group())
    lead = 0
    while lead < len(tagged) and (tagged[lead][1].startswith("r") or _HAN_LEAD.fullmatch(tagged[lead][0])):
        lead += 1
    if lead < len(tagged) and (lead and tagged[lead][0] in _HAN_MEASURE or tagged[lead][1] == "mq"):
        lead += 1  # "这双跑鞋", "这件雨衣"
    rest = tagged[lead:]
    if not rest or rest[0][0].startswith(_HAN_ASKS) or rest[0][0].startswith(_HAN_PEOPLE):
        return None  # "多少钱", "有没有...", "我在...": it opens with the question or the viewer, not a thing
    run = ""
    for i, (word, tag) in enumerate(rest):
        after = rest[i + 1] if i + 1 < len(rest) else None
        if word[0] in _HAN_STOP or _names_attribute(word) or word.endswith("色") and run:
            break  # ... or a colour ("墨绿色"): which one, not what
        if tag == "l" and not run:  # a set phrase can be a name ("四件套", "跑步机")
            run = word
            continue
        if tag.startswith("v") and tag != "vn" and _in_compound(word, run, after):
            run += word
            continue
        if not (tag.startswith("n") or tag == "vn"):
            break
        run += word
    can = run.find("能", 3)
    run = run[:can] if can > 0 else run  # "充电宝能带上...": the dictionary's "宝能" is no word here
    if len(run) == 2 and run[1] == "子":
        return run[0]  # a noun's suffix: "桌子" is a "桌", as in "书桌"
    return run[-2:] if len(run) >= 2 else None


def _in_compound(word: str, run: str, after: tuple[str, str] | None) -> bool:
    """A word tagged a verb that is part of a thing's name: before a one-character noun ("喂食" + "器"), opening
    a name before a noun ("折叠" + "台灯", "烧" + "水壶"), or a one-character one ending a name before the question
    ("瑜伽" + "垫")."""
    if after is not None and len(after[0]) == 1 and after[1].startswith("n"):
        return True
    if not run:
        return after is not None and after[1].startswith("n")
    return len(word) == 1 and (after is None or after[1].startswith(("m", "y", "x")))


def _names_attribute(word: str) -> bool:
    """Is the word an attribute's name ("尺寸", "保修", "大容量"), or a measure's, rather than part of a thing's
    ("清洗机" holds a care word but is a machine)?"""
    return bool(measures(word)) or any(a.cues.fullmatch(word) or len(word) > 2 and a.cues.fullmatch(word[-2:])
                                       for a in ATTRIBUTES.values())


def name_words(product: Product) -> set[str]:
    """The words of the product's name, tags and category, as the keyword side spells them."""
    return set(tokenize(_name(product)))


def owns_all(words: list[str], product: Product) -> bool:
    """Does the product's name, tags or category hold every one of ``words`` (see :func:`owns`)?"""
    return bool(words) and all(owns(w, product) for w in words)


def owns(thing: str, product: Product) -> bool:
    """Does the product's name, tags or category hold the word (as the keyword side spells it, or its start)?"""
    return _writes(thing, _name(product))


def mentions(thing: str, product: Product) -> bool:
    """Does the product's name or sheet (its text, variants and facts) write the word (see :func:`owns`)?"""
    sheet = " ".join([product.text, *(v.name for v in product.variants), *(f"{k} {v}" for k, v in product.facts)])
    return owns(thing, product) or _writes(thing, sheet)


def _writes(thing: str, text: str) -> bool:
    """Does ``text`` hold the word: a Chinese one as written, a Latin one as the keyword side spells it or by its
    first letters ("harnes" is the "harness")?"""
    if HAN_RUN.search(thing):
        return thing in text
    own = set(tokenize(text))
    word = next(iter(tokenize(thing)), thing)
    return word in own or any(len(o) >= _PREFIX and len(word) >= _PREFIX and o[:_PREFIX] == word[:_PREFIX]
                              for o in own)


def _name(product: Product) -> str:
    return " ".join([product.title, *product.tags, product.category])


def _thing(word: str) -> bool:
    return (len(word) >= 3 and not any(c.isdigit() for c in word) and word not in _STOP and word not in _PARTICLES
            and not cued(word) and not measures(word))
