"""Sold here or not: the planner's rule on retrieval signals (a stand-in retriever gives chosen hits)."""

from __future__ import annotations

import numpy as np
import pytest

from agent.clock import LoopClock
from agent.metrics import Metrics
from agent.ports import Hit
from agent.product import Product
from agent.reply.planner import CatalogMatch, Planner
from agent.reply.scope import ScopeDecision

WATCH = Product("smart-watch", "Smart Watch S2", 199.0, "USD", text="GPS watch", tags=("watch",))
CASE = Product("phone-case", "Silicone Phone Case", 12.99, "USD", text="Soft case")
MATCH = CatalogMatch(min_keyword=2.0, sure_dense=0.92, min_dense=0.865, min_margin=0.03, exists_dense=0.90,
                     cross=CatalogMatch(min_keyword=2.0, sure_dense=0.92, min_dense=0.78, min_margin=-1.0,
                                        exists_dense=0.93))


class ChosenHits:
    def __init__(self, hits: list[Hit], known_words: int = 1) -> None:
        self.hits = hits
        self.known = known_words

    async def search(self, query: str, k: int = 3, on_screen: str | None = None) -> list[Hit]:
        return self.hits[:k]

    def get(self, product_id: str) -> Product | None:
        return None

    def products(self) -> tuple[Product, ...]:
        return (WATCH, CASE)

    def vocabulary_coverage(self, query: str) -> tuple[int, int]:
        return (3, self.known)


def planner(retriever: ChosenHits) -> Planner:
    clock = LoopClock()
    return Planner(retriever, clock, Metrics(clock), match=MATCH)


@pytest.mark.parametrize(
    ("question", "top", "runner", "keyword", "known", "language", "decision"),
    [
        ("how much is the smart watch?", 0.80, 0.70, 4.0, 1, "en", "answer"),  # the product is named
        ("what does it cost", 0.93, 0.92, 0.0, 1, "en", "answer"),  # a sure cosine
        ("what does it cost", 0.87, 0.80, 0.0, 1, "en", "answer"),  # stands out from the runner-up
        ("what does it cost", 0.87, 0.86, 0.0, 1, "en", "refuse"),  # no clear winner
        ("what does it cost", 0.87, 0.80, 0.0, 0, "en", "refuse"),  # no word of it in the catalog ("sofas")
        ("combien coûte la montre ?", 0.80, 0.79, 0.0, 0, "fr", "answer"),  # another language: its own bar
        ("combien coûte la montre ?", 0.75, 0.70, 0.0, 0, "fr", "refuse"),  # ...which it must still reach
        ("do you sell phone cases?", 0.86, 0.80, 3.0, 1, "en", "refuse"),  # "do you have X": X is not a watch
        ("do you sell smart watches?", 0.86, 0.80, 3.0, 1, "en", "answer"),  # ...and it is one here
        # named by its own words, and only it is: answered below the thresholds
        ("how much is the watch rn", 0.80, 0.78, 1.0, 1, "en", "answer"),
        ("any gps in the smart watch?", 0.80, 0.78, 1.0, 1, "en", "answer"),  # what the watch it names holds
        ("any gps in the watch box?", 0.80, 0.78, 1.0, 1, "en", "refuse"),  # a box is named
        ("do you have a strap for the smart watch?", 0.80, 0.78, 1.0, 1, "en", "refuse"),  # asks for a strap
    ],
)
async def test_sold_here(question: str, top: float, runner: float, keyword: float, known: int, language: str,
                         decision: str) -> None:
    hits = [Hit(WATCH, 1.0, dense=top, keyword=keyword), Hit(CASE, 0.5, dense=runner)]
    plan = await planner(ChosenHits(hits, known)).plan(question, ["ana"], language, None)
    assert plan.decision == decision
    assert (plan.products[0].id == "smart-watch") if decision == "answer" else not plan.products


async def test_a_thing_named_by_two_matches_is_left_to_the_thresholds() -> None:
    other = Product("kids-watch", "Kids Watch", 39.0, "USD")
    hits = [Hit(WATCH, 1.0, dense=0.80, keyword=1.0), Hit(other, 0.9, dense=0.79, keyword=1.0)]
    plan = await planner(ChosenHits(hits)).plan("how much is the watch", ["ana"], "en", None)
    assert plan.decision == "refuse"


async def test_a_question_about_the_product_on_screen_is_always_answered() -> None:
    hits = [Hit(WATCH, 1.0, dense=0.70, on_screen=True)]
    plan = await planner(ChosenHits(hits, 0)).plan("how much is it?", ["ana"], "en", WATCH)
    assert plan.decision == "answer" and plan.attributes[0] == "price"


@pytest.mark.parametrize(("question", "head_sold"), [
    ("有没有智能手表？", False),  # the catalog is English: no Chinese word of it can be named
    ("do you have any watches?", True),
    ("do you have watch straps?", False),  # a catalog word, but the thing asked is a strap
])
def test_the_thing_asked_for_must_be_named_by_the_catalog(question: str, head_sold: bool) -> None:
    assert Planner._names_it(question, WATCH) is head_sold


@pytest.mark.parametrize(("question", "titles", "first", "picked"), [
    # the mower is named, the hose only shares "ranger" and "place" with the question by its description
    ("elle se plie pour la ranger la tondeuse ? j'ai pas de place", ("Tuyau d'arrosage 15 m", "Tondeuse 42 cm"),
     (3.8, 0.84), 1),
    # "充电宝" is the power bank's name; the lamp's "充电款" shares only "充电"
    ("充电宝能一起充几个手机", ("复古露营灯 充电款", "20000mAh 快充充电宝"), (12.2, 0.89), 1),
    # named equally: the best match stays
    ("la tondeuse et le tuyau", ("Tuyau d'arrosage 15 m", "Tondeuse 42 cm"), (3.8, 0.84), 0),
])
def test_the_product_named_in_the_question_is_picked(question: str, titles: tuple[str, str],
                                                      first: tuple[float, float], picked: int) -> None:
    a, b = (Product(f"p{i}", t, 10.0, "EUR") for i, t in enumerate(titles))
    hits = [Hit(a, 1.0, dense=first[1], keyword=first[0]), Hit(b, 0.9, dense=0.90, keyword=2.8)]
    assert Planner._pick(question, hits).product.id == f"p{picked}"


STRAPPED = Product("smart-watch", "Smart Watch S2", 199.0, "USD", text="GPS watch, two silicone straps",
                   tags=("watch",))


@pytest.mark.parametrize(("question", "keyword", "watch", "decision"), [
    ("how much is the smart watch?", 0.0, WATCH, "answer"),  # the watch is the thing named
    ("how much is the watch strap?", 3.0, STRAPPED, "refuse"),  # a strap shares "watch", sits close, is no watch
    ("how much is the watch strap?", 6.0, STRAPPED, "answer"),  # ...unless the words match strongly
    ("how much is the watch strap?", 6.0, WATCH, "refuse"),  # ...and the sheet mentions a strap at all
    ("montre connectée, le bracelet il coûte combien ?", 3.0, WATCH, "answer"),  # another language: the usual bar
])
async def test_a_question_naming_another_thing_needs_the_catalogs_words(question: str, keyword: float, watch: Product,
                                                                         decision: str) -> None:
    match = CatalogMatch(min_keyword=4.0, sure_dense=0.90, unnamed_min_keyword=5.0, cross=MATCH.cross)
    hits = [Hit(watch, 1.0, dense=0.95, keyword=keyword), Hit(CASE, 0.5, dense=0.70)]
    clock = LoopClock()
    language = "fr" if "montre" in question else "en"
    plan = await Planner(ChosenHits(hits), clock, Metrics(clock), match=match).plan(question, ["ana"], language, None)
    assert plan.decision == decision


class Deflecting:
    """A scope that sits every question nearest a deflected kind (a stand-in for the meaning comparison)."""

    def __init__(self, kind: str) -> None:
        self.decision = ScopeDecision(True, None, kind, 0.1)
        self.current = self

    def refresh(self) -> Deflecting:
        return self

    def decide(self, vec: object) -> ScopeDecision:
        return self.decision

    def attributes(self, vec: object) -> list[tuple[str, float]]:
        return [("features", 0.9)]


@pytest.mark.parametrize(("question", "kind", "decision"), [
    ("does the smart watch switch off by itself?", "personal", "answer"),  # it names the watch
    ("do you ever turn yourself off at night?", "personal", "deflect"),  # it names nothing sold
    ("can the smart watch hurt someone?", "harmful", "deflect"),  # a harmful question stays deflected
    ("la smart watch elle s'éteint toute seule ?", "personal", "deflect"),  # not in the catalog's language
])
async def test_a_deflected_question_that_names_a_product_by_its_words_is_about_it(question: str, kind: str,
                                                                                  decision: str) -> None:
    hits = [Hit(WATCH, 1.0, dense=0.80, keyword=4.0), Hit(CASE, 0.5, dense=0.70)]
    clock = LoopClock()
    planner = Planner(ChosenHits(hits), clock, Metrics(clock), match=MATCH, scope=Deflecting(kind),  # type: ignore[arg-type]
                      embed=lambda q: np.zeros(4, dtype=np.float32))
    language = "fr" if "elle" in question else "en"
    plan = await planner.plan(question, ["ana"], language, None)
    assert plan.decision == decision
