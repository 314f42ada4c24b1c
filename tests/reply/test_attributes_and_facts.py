"""What a question asks, and where the sheet says it: cue words, clauses, parts of a value."""

from __future__ import annotations

import pytest

from agent.reply.attributes import asked
from agent.reply.facts import Candidate, clauses, narrowed


@pytest.mark.parametrize(("question", "first"), [
    ("How much is the 20000mAh power bank in black?", "price"),  # the capacity only says which one
    ("Combien coûte le shampooing en 300 ml ?", "price"),
    ("Elle pèse combien, la théière ?", "weight"),  # "combien" with a weighing verb is not the price
    ("La bouilloire fait combien de litres ?", "capacity"),
    ("四件套有哪些尺寸和颜色？", "variants"),  # which sizes: the variants, not the dimensions
    ("充电宝保修多久？", "warranty"),
    ("Can I send the chopping board back?", "returns"),
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
