"""The thing a question names: the head of its noun phrase in English and French, never an attribute word or
an object pronoun; and whether a product's name holds it."""

from __future__ import annotations

from agent.product import Product
from agent.reply.head import inside_phrase, mentions, named_phrase, named_thing, owns, owns_all, phrase_about


def test_an_english_question_names_the_last_word_after_its_determiner() -> None:
    assert named_thing("how much is the camping stove?", "en") == "stove"
    assert named_thing("does the garden hose come with a nozzle", "en") == "hose"  # a verb ends the thing
    assert named_thing("rain jacket what sizes", "en") == "jacket"  # no determiner: the words it starts with
    assert named_thing("the lamp dimensions pls", "en") == "lamp"  # an attribute word is no thing


def test_a_french_question_names_the_first_word_after_its_determiner() -> None:
    assert named_thing("la lampe de chevet elle coûte combien ?", "fr") == "lampe"
    assert named_thing("quelle est la hauteur du tabouret ?", "fr") == "tabouret"  # "hauteur" asks a size
    assert named_thing("on peut la laver en machine ?", "fr") is None  # "la" stands for the product here


def test_an_english_name_ends_before_an_adverb_a_participle_or_the_verb_after_an_auxiliary() -> None:
    assert named_phrase("can i put a lid on the pot later", "en") == ["pot"]
    assert named_phrase("whats in the tool kit exactly", "en") == ["tool", "kit"]
    assert named_phrase("are the cushions washed before shipping", "en") == ["cushions"]
    assert named_phrase("how much is the padded jacket", "en") == ["jacket"]  # a participle before it is skipped
    assert named_phrase("will the herb planter crack in frost", "en") == ["herb", "planter"]
    assert named_phrase("does the kettle whistle?", "en") == ["kettle"]
    assert named_phrase("does the garden hose have a nozzle", "en") == ["garden", "hose"]  # "have" is the verb


def test_a_chinese_question_names_the_nouns_it_opens_with_cut_into_words() -> None:
    assert named_thing("行李箱本身多重", "zh") == "李箱"  # "本身" is a pronoun, not the thing
    assert named_thing("雨伞尺寸多少", "zh") == "雨伞"  # an attribute's name ends it
    assert named_thing("台灯摔坏了保修吗", "zh") == "台灯"  # not "了保"
    assert named_thing("这双拖鞋是什么材质", "zh") == "拖鞋"  # a demonstrative and its measure word go
    assert named_thing("折叠台灯多少钱", "zh") == "台灯" and named_thing("烧水壶包邮吗", "zh") == "水壶"
    assert named_thing("充电宝能带上高铁吗", "zh") == "电宝"  # "能" starts what is asked
    assert named_thing("保温杯藏青色还有吗", "zh") == "温杯"  # a colour says which one


def test_the_phrase_named_holds_the_things_words_and_not_a_verbs_particle_or_a_measure() -> None:
    assert named_phrase("can i send the desk lamp back if it breaks", "en") == ["desk", "lamp"]
    assert named_phrase("vous avez une lampe à pince ?", "fr") == ["lampe", "pince"]  # its complement too
    assert named_phrase("le tabouret en chêne il coûte combien", "fr") == ["tabouret", "chene"]
    # a measure is no thing: the thing is the next one named
    assert named_phrase("on peut régler la température du radiateur ?", "fr") == ["radiateur"]
    # a sentence ends it
    assert named_phrase("any gluten in the oat cookies? my son is allergic", "en") == ["oat", "cookies"]
    assert named_phrase("这个多少钱", "zh") == []
    lamp = Product("lamp", "Lampe à pince en métal", 19.0, "EUR")
    assert owns_all(["lampe", "pince"], lamp) and not owns_all(["lampe", "bureau"], lamp) and not owns_all([], lamp)


def test_the_thing_whose_contents_are_asked_is_the_one_after_in_dans_or_before_里() -> None:
    assert inside_phrase("any nuts in the oat granola? allergic", "en") == ["oat", "granola"]
    assert inside_phrase("il y a du sucre dans la confiture ?", "fr") == ["confiture"]
    assert inside_phrase("燕麦片里有没有坚果", "zh") == ["麦片"]
    assert inside_phrase("do you have a lid for the skillet", "en") == []  # asks for another thing
    assert inside_phrase("有没有台灯", "zh") == [] and inside_phrase("燕麦片有没有坚果", "zh") == []


def test_questions_without_a_thing_name_none() -> None:
    assert named_thing("how much is it?", "en") is None
    assert named_thing("c'est combien ?", "fr") is None
    assert named_thing("这个多少钱", "zh") is None and named_thing("有没有台灯", "zh") is None


def test_a_chinese_question_names_the_end_of_its_opening_words() -> None:
    assert named_thing("那个折叠台灯多少钱", "zh") == "台灯"  # "那个" goes, "多" starts the question
    assert named_thing("台灯的灯泡能换吗", "zh") == "台灯"  # the lamp's bulb: the lamp is the thing
    assert named_thing("台灯里有没有电池", "zh") == "台灯"  # what is in it: the lamp is the thing
    assert named_thing("凳子多高", "zh") == "凳"  # a noun's suffix: a "凳子" is a "凳", as in "折叠凳"
    lamp = Product("lamp", "LED 护眼台灯 三档调光", 129.0, "CNY")
    assert owns("台灯", lamp) and not owns("落地灯"[-2:], Product("x", "落地 风扇", 1.0, "CNY"))


def test_a_product_owns_the_words_of_its_name_tags_and_category_and_their_typos() -> None:
    lamp = Product("lamp", "Brass Bedside Lamp", 49.0, "EUR", tags=("lighting",), category="Lampes")
    assert owns("lamp", lamp) and owns("lampes", lamp) and owns("lighting", lamp)
    assert owns("bedsides", lamp)  # plural and typo keep the start
    assert not owns("stool", lamp) and not owns("tabouret", lamp)


def test_a_product_mentions_a_word_its_name_or_sheet_writes() -> None:
    kettle = Product("k", "304不锈钢电热水壶", 99.0, "CNY", text="保温功能，壶身双层防烫")
    assert mentions("水壶", kettle) and mentions("保温", kettle) and not mentions("温杯", kettle)
    watch = Product("w", "Smart Watch", 99.0, "USD", text="GPS watch with two silicone straps")
    assert mentions("strap", watch) and not mentions("charger", watch)


def test_the_phrase_about_a_product_is_the_one_naming_it_else_the_first() -> None:
    tripod = Product("t", "Aluminium Travel Tripod", 59.0, "USD")
    assert phrase_about("what comes in the box with the tripod?", "en", tripod) == ["tripod"]
    assert phrase_about("does the pine wardrobe fit next to the desk?", "en", tripod) == ["pine", "wardrobe"]
    robot = Product("r", "Robot pâtissier Brio 1000 W", 299.0, "EUR")
    assert phrase_about("on peut mettre un laminoir sur le robot brio ?", "fr", robot) == ["robot", "brio"]


def test_after_is_the_the_subject_ends_before_what_is_said_of_it() -> None:
    assert named_phrase("is the rabbit safe for a toddler?", "en") == ["rabbit"]
    assert named_phrase("are the covers washable?", "en") == ["covers"]
    assert named_phrase("is the dog bed in stock?", "en") == ["dog", "bed"]  # a noun stays the thing
    assert named_phrase("is the oak table big enough for 6", "en") == ["oak", "table"]
    assert named_phrase("can you make the desk lamp brighter?", "en") == ["desk", "lamp"]  # how, not what
