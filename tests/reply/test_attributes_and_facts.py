"""What a question asks, and where the sheet says it: cue words, clauses, parts of a value."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from agent.product import Product, Variant
from agent.reply.answers import fact_sentence
from agent.reply.attributes import asked, measures
from agent.reply.facts import Candidate, FactFinder, Finding, all_axes, clauses, leaves_out, narrowed
from agent.reply.planner import asks_existence
from agent.vectors import PhraseVectors


@pytest.mark.parametrize(("question", "first"), [
    ("How much is the 20000mAh power bank in black?", "price"),  # the capacity only says which one
    ("Combien coûte le shampooing en 300 ml ?", "price"),
    ("Elle pèse combien, la théière ?", "weight"),  # "combien" with a weighing verb is not the price
    ("La bouilloire fait combien de litres ?", "capacity"),
    ("四件套有哪些尺寸和颜色？", "variants"),  # which sizes: the variants, not the dimensions
    ("充电宝保修多久？", "warranty"),
    ("Can I send the chopping board back?", "returns"),
    ("Is the wool throw on sale?", "price"),  # a discount is a price, not the stock
    ("Le plaid est en promo ?", "price"),
    ("这个毯子打折吗？", "price"),
    ("How high does the desk go?", "dimensions"),
    ("书架多深？", "dimensions"),
    ("On le lave comment ?", "care"),
    ("What's the max load of the shelf?", "weight"),  # a load borne is a weight
    ("Which versions does the lamp come in?", "variants"),
    ("Is the 2 m one more expensive?", "price"),  # a price compared is a price
    ("Le grand modèle est plus cher ?", "price"),
    ("我160斤能坐这把椅子吗", "weight"),  # a viewer's own weight and whether it holds them: the load
    ("je fais 95 kg, le hamac me supporte ?", "weight"),
])
def test_the_attribute_asked(question: str, first: str) -> None:
    assert asked(question, ["capacity", "use"])[0] == first


def test_without_a_cue_the_nearest_attributes_by_meaning() -> None:
    assert asked("what about camping with it", ["use", "features", "price"]) == ["use", "features"]
    assert asked("is it waterproof?", ["use", "weight"]) == ["features", "use"]  # a yes/no feature first


def test_clauses_are_never_cut_inside_brackets() -> None:
    first = "可以带上飞机（请随身携带，不可托运），"
    assert clauses(first + "IPX4防水。") == [first, "IPX4防水。"]
    assert clauses("Va au four jusqu'à 250 °C, passe au lave-vaisselle.")[1] == "passe au lave-vaisselle."
    assert clauses("0,8 L ou 1,2 L") == ["0,8 L ou 1,2 L"]


@pytest.mark.parametrize(("value", "question", "part"), [
    ("4U：80-84g；5U：75-79g", "5U的拍子多重？", "5U：75-79g"),
    ("4 à 6 ans (16 pouces) ; 3 à 5 ans (14 pouces)", "le vélo 14 pouces, pour quel âge ?", "3 à 5 ans (14 pouces)"),
    ("fraises, sucre de canne, pectine", "il y a quoi dans la confiture de fraises ?", None),  # no spec label
])
def test_the_part_of_a_value_the_question_names(value: str, question: str, part: str | None) -> None:
    got = narrowed(Candidate(f"k: {value}", "k", value), question)
    assert got.value == (part or value)


class _Flat:
    """Every text the same vector: meaning ties everywhere, so only the finder's other signals decide."""

    name, dim = "flat", 4

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32), (len(texts), 1))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_queries(texts)


def _find(product: Product, question: str, attributes: list[str]) -> str | None:
    finder = FactFinder(PhraseVectors(_Flat()), min_score=0.8)
    found = finder.find(product, attributes, question, _Flat().embed_query(question))
    return found.candidate.text if found.candidate is not None else None


_KETTLE = Product("k1", "Brass Camping Kettle 0.9 L", 30.0, "EUR", facts=(("compatibility", "gas and wood stoves"),),
                  text="Boils a litre in about 6 minutes on a gas stove. The handle folds flat. Ships in a cotton bag.")


@pytest.mark.parametrize(("question", "guess", "said"), [
    # the question names a measure (a duration, a power, a temperature): a sheet value in its unit answers it,
    # whatever attribute meaning guessed
    ("how long does it take to boil?", ["compatibility"], "Boils a litre in about 6 minutes on a gas stove."),
    ("elle chauffe en combien de minutes ?", ["shipping"], "Boils a litre in about 6 minutes on a gas stove."),
])
def test_a_measure_named_in_the_question_finds_the_value_in_its_unit(question: str, guess: list[str],
                                                                     said: str) -> None:
    assert _find(_KETTLE, question, guess) == said


@pytest.mark.parametrize("question", ["how loud is it?", "how long does it last?"])
def test_a_yes_no_frame_in_a_question_naming_a_measure_asks_no_feature(question: str) -> None:
    assert "features" not in asked(question, ["capacity"])


def test_how_often_in_french_asks_no_price() -> None:
    assert asked("faut changer le filtre tous les combien", ["care"])[0] != "price"


def test_a_cue_word_keeps_its_attribute_over_a_value_of_the_measure_asked() -> None:
    # "how long is the warranty": the words ask for the warranty; a shipping time is no answer
    assert _find(_KETTLE, "warranty? how long?", ["warranty"]) is None


def test_a_product_name_is_said_only_as_the_measure_asked() -> None:
    # the title holds "0.9 L": an answer to the capacity, never to a question it only names the product for
    assert _find(_KETTLE, "what capacity is it?", ["capacity"]) == "Brass Camping Kettle 0.9 L"
    assert _find(_KETTLE, "is it good for a camping trip?", ["use"]) is None
    # a name whose only measure is the one the question named to say which product answers nothing
    assert _find(_KETTLE, "how big is the 0.9 L kettle?", ["dimensions", "capacity"]) is None


_CASE = Product("p1", "Slim Pen Case", 19.0, "EUR",
                text="Made of recycled felt. Takes 8 pens and a ruler. Fits in any school bag.")


def test_a_count_of_the_thing_the_question_names_answers_it_whatever_the_verb_cues() -> None:
    # "fit" cues compatibility, but "8 pens" is the answer to "how many pens"
    assert _find(_CASE, "how many pens fit in the case?", ["compatibility"]) == "Takes 8 pens and a ruler."


_STOOL = Product("s1", "Oak Step Stool", 89.0, "GBP",
                 text="Delivered flat-packed with all fixings. Shipped by courier in 3 to 5 days, £6.50.")


@pytest.mark.parametrize("question", ["how much is delivery on the stool?", "la livraison coûte combien ?",
                                      "运费多少钱"])
def test_what_delivery_costs_is_answered_by_an_amount_not_by_how_it_arrives(question: str) -> None:
    assert _find(_STOOL, question, ["shipping"]) == "Shipped by courier in 3 to 5 days, £6.50."


_DESK = Product("d1", "Standing Desk", 549.0, "USD",
                facts=(("load_capacity", "350 lb"), ("height_range", "25 to 51 in")),
                text="Heavyweight 600 gsm felt pad included.")


def test_a_load_borne_answers_what_it_holds_never_how_heavy_it_is() -> None:
    assert _find(_DESK, "how much weight can it hold?", ["capacity", "weight"]) == "load_capacity: 350 lb"
    assert _find(_DESK, "how heavy is the desk?", ["weight"]) != "load_capacity: 350 lb"


_CHAIR = Product("c1", "Grow-With-Me High Chair", 189.0, "USD",
                 text="Converts to a booster; holds up to 50 lbs in high chair mode. The chair weighs 16.5 lbs.")


def test_a_sentence_saying_what_it_holds_is_no_answer_to_how_heavy_it_is() -> None:
    assert _find(_CHAIR, "is the high chair heavy?", ["weight"]) == "The chair weighs 16.5 lbs."
    assert _find(_CHAIR, "how much weight can it hold?", ["weight"]) != "The chair weighs 16.5 lbs."


def test_a_fabric_weight_in_grams_per_square_metre_is_a_weight() -> None:
    assert _find(_DESK, "what weight is the felt?", ["weight"]) == "Heavyweight 600 gsm felt pad included."


@pytest.mark.parametrize(("key", "value", "said"), [
    ("load_capacity", "350 lb", "Maximum load: 350 lb."),  # never "Weight: 350 lb": that is not what it weighs
    ("height_range", "25 to 51 in", "Height range: 25 to 51 in."),  # a field's name as said aloud
    ("warranty", "2 years", "Warranty: 2 years."),
])
def test_a_field_is_said_by_a_name_a_viewer_understands(key: str, value: str, said: str) -> None:
    assert fact_sentence(Finding("x", Candidate(f"{key}: {value}", key, value)), "en") == said


def test_two_measures_joined_by_and_are_two_clauses() -> None:
    assert clauses("Keeps drinks cold 20 hours and hot 10 hours.") == ["Keeps drinks cold 20 hours", "hot 10 hours."]
    assert clauses("Salt and pepper, 2 mills.") == ["Salt and pepper,", "2 mills."]  # words, not measures


@pytest.mark.parametrize(("question", "exists"), [
    ("do you sell camping stoves?", True),
    ("你们家有露营炉吗？多少钱？", True),  # the price asked after it does not make it a quantity question
    ("how many do you have left?", False),
    ("还有多少个？", False),
    ("黑色M码还有吗", False),  # whether some is left: a stock question about a thing the shop has
    ("do you still have the green one?", False),
])
def test_an_existence_question_is_read_clause_by_clause(question: str, exists: bool) -> None:
    assert asks_existence(question) is exists


@pytest.mark.parametrize(("question", "not_first"), [
    ("what colour temperature does the bulb give?", "variants"),  # a light's measure, not a colour option
    ("how many settings does the fan have?", "stock"),  # what it has, not how many the shop has
])
def test_words_that_look_like_a_cue_but_ask_something_else(question: str, not_first: str) -> None:
    assert not_first not in asked(question, ["features"])


def test_a_field_is_about_what_its_name_says() -> None:
    # "weight: 2 L model 1.1 kg" holds a volume, but it is the weight: no answer to the capacity
    pot = Product("p1", "Enamel Stock Pot", 40.0, "EUR", facts=(("weight", "2 L model 1.1 kg"),
                                                               ("capacity", "2 L or 3 L")))
    assert _find(pot, "what capacity is it?", ["capacity"]) == "capacity: 2 L or 3 L"
    alone = Product("p2", "Enamel Stock Pot", 40.0, "EUR", facts=(("weight", "2 L model 1.1 kg"),))
    assert _find(alone, "what capacity is it?", ["capacity"]) is None


class _Words:
    """A toy embedder: texts about heat ('hot', 'warm') and about 'cold' point different ways."""

    name, dim = "words", 3

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for t in texts:
            v = np.array([t.count("hot") + t.count("warm"), t.count("cold"), 1.0], dtype=np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.array(rows)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_queries(texts)


def test_of_two_joined_measures_the_one_asked_is_said_alone() -> None:
    flask = Product("f1", "Steel Flask", 20.0, "EUR", text="Keeps drinks cold 20 hours and hot 10 hours.")
    finder = FactFinder(PhraseVectors(_Words()), min_score=0.5)
    question = "how long does it keep drinks warm?"  # shares "keep drinks" with the cold half only
    found = finder.find(flask, ["features"], question, _Words().embed_query(question))
    assert found.candidate is not None and found.candidate.text == "hot 10 hours."


def test_two_joined_measures_the_question_names_each_are_said_together() -> None:
    lamp = Product("l1", "Desk Lamp", 40.0, "EUR", text="Touch dimmer with 5 brightness levels and 3 colour modes.")
    finder = FactFinder(PhraseVectors(_Words()), min_score=0.5)
    question = "how many brightness levels and colour modes?"
    found = finder.find(lamp, ["features"], question, _Words().embed_query(question))
    assert found.candidate is not None and found.candidate.text == lamp.text


@pytest.mark.parametrize(("question", "kinds"), [
    ("how long does the charge last?", 1),
    ("ça dure combien de temps ?", 1),
    ("la coque est dure ?", 0),  # "dure" as in hard: a material, not a duration
    ("充电器多少w的", 1),
    ("is the power bank heavy?", 0),  # a product's name, not a power asked
    ("最高多少度", 1),
    ("Combien de vitesses a le ventilateur ?", 1),  # a count of settings
    ("取暖器有几档？", 1),
    ("Which safety standard does the car seat meet?", 1),  # a standard's code
    ("what settings do you recommend?", 0),
    ("蓝牙是几点几的？", 1),  # a version of a standard
    ("What Bluetooth version is it?", 1),
    ("fountain how loud is it", 1),  # a noise level
    ("la fontaine il faut changer le filtre tous les combien", 1),  # how often: a duration
    ("how many bags in the pack?", 1),  # a count of the thing named
    ("一盒几片？", 1),
    ("how many do you have left?", 0),  # no thing named: the stock, asked by its own words
])
def test_the_measure_a_question_names(question: str, kinds: int) -> None:
    assert len(measures(question)) == kinds


@pytest.mark.parametrize(("question", "value", "holds"), [
    ("how many heat settings?", "Three heat settings and 2 fan speeds.", True),
    ("几档风速？", "风速三档可调。", True),
    ("quelle norme ?", "Conforme à la norme EN 71-3.", True),
    ("which standard?", "Meets the standard for kids.", False),
    ("蓝牙几点几？", "蓝牙5.3，续航7小时。", True),
    ("which bluetooth version?", "Pairs with 2 devices.", False),
    ("how loud is it?", "Pump runs under 30 dB.", True),
    ("litter how many bags in the pack", "Each bag is 6 L; 3 bags per pack.", True),
    ("litter how many bags in the pack", "Each bag is 6 L.", False),
    ("combien de sachets dans la boîte ?", "La boîte contient 20 petits sachets.", True),
    ("一包几袋？", "每包3袋，每袋2公斤。", True),
])
def test_the_measure_asked_is_found_in_its_value(question: str, value: str, holds: bool) -> None:
    assert any(k.search(value) for k in measures(question)) == holds


_AXES = [Candidate("height: 84 cm", "height", "84 cm"), Candidate("material: oak", "material", "oak"),
         Candidate("width: 212 cm", "width", "212 cm"), Candidate("depth: 93 cm", "depth", "93 cm"),
         Candidate("Solid oak frame.", "", "Solid oak frame.")]


@pytest.mark.parametrize("question", ["How big is the sofa?", "Quelles sont les dimensions ?", "沙发尺寸多少？"])
def test_a_size_asked_as_a_whole_is_said_axis_by_axis_in_the_sheets_order(question: str) -> None:
    said = all_axes(_AXES[0], _AXES, question)
    assert said.text == "height: 84 cm, width: 212 cm, depth: 93 cm" and said.key == ""


@pytest.mark.parametrize("question", ["How tall is the sofa?", "Il fait quelle largeur ?", "沙发多高？"])
def test_a_question_that_names_one_axis_gets_that_one(question: str) -> None:
    assert all_axes(_AXES[0], _AXES, question) is _AXES[0]


def test_axes_given_in_chinese_are_joined_the_chinese_way() -> None:
    axes = [Candidate("长: 120cm", "长", "120cm"), Candidate("宽: 60cm", "宽", "60cm")]
    assert all_axes(axes[0], axes, "书桌尺寸？").text == "长：120cm，宽：60cm"


def test_a_single_size_field_or_a_sentence_is_left_as_it_is() -> None:
    one = [Candidate("size: 120 x 60 cm", "size", "120 x 60 cm"), _AXES[2]]
    assert all_axes(one[0], one, "how big?") is one[0]  # "size" is no axis
    assert all_axes(_AXES[4], _AXES, "how big?") is _AXES[4]


@pytest.mark.parametrize(("question", "line", "title", "attribute", "left_out"), [
    ("Can I iron the shorts?", "care: Machine wash at 30°C, do not tumble dry", "Running Shorts", "care", True),
    ("Can I machine wash the shorts?", "care: Machine wash at 30°C, do not tumble dry", "Running Shorts", "care",
     False),
    ("do you ship the bed to jersey?", "shipping: Ships by courier in 3-5 days", "Cedar Bed", "shipping", True),
    ("does the pan work on induction?", "Works on gas, electric and induction hobs.", "Steel Pan", "compatibility",
     False),  # "work on" and "induction" name the topic; the line says induction
    ("elle marche sur induction la poêle ?", "compatibilité : gaz, électrique", "Poêle 28 cm", "compatibility", True),
    ("这件外套可以熨烫吗？", "保养：可机洗，不可烘干", "羊毛外套", "care", True),
    ("这件外套能机洗吗", "保养：建议干洗，不可机洗", "羊毛外套", "care", False),
    ("小米14能用吗", "适用：华为Mate 60", "手机壳", "compatibility", True),  # the Latin words and numbers count too
    ("华为Mate 60能用吗", "适用：华为Mate 60", "手机壳", "compatibility", False),
    ("do the lamps have a remote?", "features: IP65, switches on at dusk", "Solar Lamps", "weight", True),  # guessed
    ("can I set the temperature on it?", "features: auto shut-off, 360° base", "Kettle", "features", True),
    ("杯子可以进洗碗机吗 想省事", "保养：建议手洗", "保温杯", "care", True),  # 吗 before the line ends
    # the pronoun carrying the question is no thing asked, even when the line has it too
    ("ils sont imperméables les bottes ?", "ils sont doublés de laine", "Bottes de pluie", "features", True),
    ("are they dishwasher safe, the bowls?", "they are hand-painted", "Ceramic Bowls", "features", True),
    # not a yes/no question about one thing: the line answers it as it is
    ("How long does shipping take?", "shipping: Ships by courier in 3-5 days", "Cedar Bed", "shipping", False),
    ("is it ok for my 4 yr old?", "age: 3-8 years", "Tool Set", "age", False),  # a value answers it
    ("can I return it if I don't like the colour?", "returns: free returns within 30 days", "Mug", "returns", False),
])
def test_a_yes_no_question_about_a_thing_the_line_leaves_out(question: str, line: str, title: str, attribute: str,
                                                               left_out: bool) -> None:
    key, _, value = line.partition(": ") if ": " in line else ("", "", line)
    found = Candidate(line, key, value or line)
    assert leaves_out(question, found, Product("p", title, 10.0, "EUR"), attribute) is left_out


def test_a_bluetooth_version_is_no_variant() -> None:
    assert asked("What Bluetooth version are the earbuds?", ["features"])[0] != "variants"


def test_a_viewer_carrying_the_product_asks_its_weight_not_its_load() -> None:
    assert _find(_CHAIR, "is the high chair heavy? gotta carry it up the stairs", ["weight"]) == (
        "The chair weighs 16.5 lbs.")


def test_a_labelled_part_keeps_what_follows_it_up_to_the_next_label() -> None:
    size = "20寸外尺寸 55 x 36 x 23 cm，净重约3.1kg；28寸外尺寸 76 x 50 x 30 cm，净重约4.8kg"
    c = narrowed(Candidate(size, "", size), "28寸空箱子重不重")
    assert c.text == "28寸外尺寸 76 x 50 x 30 cm，净重约4.8kg"
    grips = "4U：80-84g，5U：75-79g"
    assert narrowed(Candidate(grips, "", grips), "5U的多重").text == "5U：75-79g"


@pytest.mark.parametrize(("question", "first"), [
    ("雨衣不合适能退不", "returns"),
    ("y a le cable avec la tondeuse ou pas", "included"),
])
def test_more_ways_to_ask_a_return_or_what_comes_with_it(question: str, first: str) -> None:
    assert asked(question, ["material"])[0] == first


@pytest.mark.parametrize(("value", "holds"), [
    ('Tall (24")', True),  # an inch mark before a bracket
    ("28寸外尺寸 76 x 50 x 30 cm", True),
    ("20寸登机箱", True),  # a Chinese unit before another character
    ("1米8的床", True),
    ("5 more colours", False),
    ("ready in 5 mins", False),
])
def test_a_length_ends_where_no_latin_letter_follows(value: str, holds: bool) -> None:
    from agent.reply.attributes import ATTRIBUTES

    pattern = ATTRIBUTES["dimensions"].value
    assert pattern is not None and bool(pattern.search(value)) == holds


@pytest.mark.parametrize(("sentence", "says"), [
    ("Made from recycled glass, hand-blown.", True),
    ("Housse 100% coton, lavable.", True),
    ("采用304不锈钢内胆", True),
    ("Fabriqué en France.", False),  # where it is made is its origin
    ("Top-rack dishwasher safe.", False),
])
def test_a_sentence_saying_what_a_thing_is_made_of_speaks_of_its_material(sentence: str, says: bool) -> None:
    from agent.reply.attributes import ATTRIBUTES

    mark = ATTRIBUTES["material"].mark
    assert mark is not None and bool(mark.search(sentence)) == says


def test_whats_in_asks_what_a_set_holds_or_what_a_food_holds_as_meaning_orders_them() -> None:
    assert asked("whats in the tool kit exactly", ["included", "use"])[:2] == ["included", "ingredients"]
    assert asked("what's in the granola?", ["ingredients", "use"])[:2] == ["ingredients", "included"]
    assert asked("does the blender come w a travel lid", ["capacity", "use"])[0] == "included"  # chat's "w"


@pytest.mark.parametrize(("value", "kind"), [
    ("a 15 metre hose", "dimensions"),
    ("pèse 2 kilos", "weight"),
    ("a 6 quart pot", "capacity"),
])
def test_units_written_out_count_as_their_symbols(value: str, kind: str) -> None:
    from agent.reply.attributes import ATTRIBUTES

    pattern = ATTRIBUTES[kind].value
    assert pattern is not None and pattern.search(value)


def test_a_duration_in_seconds_is_a_duration() -> None:
    from agent.reply.attributes import DURATION

    assert DURATION.search("ready in 45 seconds") and DURATION.search("45秒即热") and not DURATION.search("5 sets")


_BASKET = Product("b1", "Woven Storage Basket", 15.0, "USD", text="Hand-woven from water hyacinth.",
                  variants=(Variant("Small – 20 x 15 x 12 cm", 15.0), Variant("Large – 35 x 25 x 20 cm", 22.0)))


@pytest.mark.parametrize(("question", "said"), [
    ("how big is the basket?", "Small – 20 x 15 x 12 cm; Large – 35 x 25 x 20 cm"),  # every size when none is named
    ("how big is the large basket?", "Large – 35 x 25 x 20 cm"),  # the one named, by its size word
    ("大号收纳篮尺寸多少", "Large – 35 x 25 x 20 cm"),  # in another language too
    ("le petit panier il mesure combien ?", "Small – 20 x 15 x 12 cm"),
    ("how tall is the big one", "Large – 35 x 25 x 20 cm"),  # "big", not "how big"
])
def test_sizes_given_in_variant_names_are_said_all_or_the_one_named(question: str, said: str) -> None:
    assert _find(_BASKET, question, ["dimensions"]) == said


_STANDING = Product("d2", "Standing Desk", 299.0, "USD", text="Steel frame, bamboo top.",
                variants=(Variant("120 cm / Oak", 299.0), Variant("120 cm / Walnut", 299.0),
                          Variant("160 cm / Oak", 349.0)))


@pytest.mark.parametrize(("question", "said"), [
    ("how wide is the desk?", "120 cm; 160 cm"),  # each size once, whatever colours it comes in
    ("how wide is the 160 desk?", "160 cm"),
])
def test_a_size_shared_by_variants_of_other_colours_is_said_once(question: str, said: str) -> None:
    assert _find(_STANDING, question, ["dimensions"]) == said


def test_a_weight_without_a_person_holding_it_asks_no_load() -> None:
    assert "weight" not in asked("will the trimmer take my old 18v battery?", ["compatibility"])
    assert "weight" not in asked("la brouette elle contient combien", ["capacity"])
