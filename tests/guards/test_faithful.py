"""The check an LLM rephrasing must pass before it is spoken: same values, same negations, no new material."""

from __future__ import annotations

import pytest

from agent.guards.faithful import Faithful, materials, negated
from agent.product import Product

MAT = Product("mat", "Yoga Mat", 39.0, "EUR", text="Non-slip on both sides. 183 x 61 cm, 4 mm thick.",
              facts=(("material", "natural rubber"),))
EARRINGS = Product("ear", "Opal Drop Earrings", 45.0, "EUR", facts=(("material", "opal, sterling silver hooks"),))


@pytest.mark.parametrize(("sentence", "fact", "product", "ok", "reason"), [
    ("It is 183 by 61 cm and 4 mm thick.", "183 x 61 cm, 4 mm thick.", MAT, True, "ok"),
    ("It is 180 by 61 cm.", "183 x 61 cm, 4 mm thick.", MAT, False, "number not on the sheet"),
    ("It is 183 cm long.", "183 x 61 cm, 4 mm thick.", MAT, False, "a value of the fact is missing"),
    ("The mat has no non-slip side.", "Non-slip on both sides.", MAT, False, "negation differs from the sheet"),
    ("Le tapis est antidérapant des deux côtés.", "Non-slip on both sides.", MAT, True, "ok"),
    ("They are made of gold and silver.", "material: opal, sterling silver hooks", EARRINGS, False,
     "material not on the sheet: gold"),
    ("They are opal with sterling silver hooks.", "material: opal, sterling silver hooks", EARRINGS, True, "ok"),
    ("", "Non-slip on both sides.", MAT, False, "empty"),
])
def test_a_rephrasing_keeps_what_the_sheet_says(sentence: str, fact: str, product: Product, ok: bool,
                                                reason: str) -> None:
    verdict = Faithful().check(sentence, fact, [product], "en")
    assert verdict.ok is ok and verdict.reason.startswith(reason)


def test_materials_are_read_in_three_languages() -> None:
    assert materials("100% cotton") == {"cotton"} == materials("100 % coton") == materials("纯棉100%")
    assert materials("en or massif") == {"gold"} and materials("black or white") == set()


def test_negations_are_seen_in_three_languages() -> None:
    assert negated("not waterproof") and negated("pas imperméable") and negated("不防水")
    assert not negated("waterproof") and not negated("imperméable") and not negated("防水")


def test_a_translation_far_from_the_fact_in_meaning_is_refused() -> None:
    vectors = {"fact": [1.0, 0.0], "close": [0.9, 0.436], "far": [0.6, 0.8]}
    import numpy as np

    faithful = Faithful(embed=lambda text: np.array(vectors[text.rstrip(".")], dtype=np.float32), min_similarity=0.84)
    assert faithful.check("close.", "fact", [MAT], "en").ok
    assert faithful.check("far.", "fact", [MAT], "en").reason.startswith("not close to the sheet")


@pytest.mark.parametrize("feature", ["non-slip", "no-iron cotton", "不锈钢", "无线耳机", "不粘锅", "antidérapant"])
def test_feature_words_that_start_like_a_negation_are_not_negations(feature: str) -> None:
    assert not negated(feature)
