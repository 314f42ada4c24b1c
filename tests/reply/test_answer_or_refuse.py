"""The answer-or-refuse rule on retrieval signals (a stand-in retriever gives chosen hits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.clock import LoopClock
from agent.knowledge.product import Product
from agent.metrics import Metrics
from agent.ports import Hit
from agent.prompts import PromptStore
from agent.reply.writer import ReplyWriter
from agent.settings import LlmSettings, ShowSettings

WATCH = Product("smart-watch", "Smart Watch S2", 199.0, "USD", text="GPS watch")
CASE = Product("phone-case", "Silicone Phone Case", 12.99, "USD", text="Soft case")


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


def writer(retriever: ChosenHits, repo_root: Path) -> ReplyWriter:
    clock = LoopClock()
    return ReplyWriter(llm=None, retriever=retriever, prompts=PromptStore(repo_root / "prompts"),
                       show=ShowSettings(), llm_settings=LlmSettings(), clock=clock, metrics=Metrics(clock))


@pytest.mark.parametrize(
    ("top", "runner", "keyword", "known", "language", "decision"),
    [
        (0.80, 0.70, 4.0, 1, "en", "answer"),  # the product is named
        (0.86, 0.85, 0.0, 0, "en", "answer"),  # a sure cosine
        (0.825, 0.805, 0.0, 1, "fr", "answer"),  # middling cosine that stands out ("montre connectée")
        (0.830, 0.826, 0.0, 1, "fr", "refuse"),  # middling cosine, no clear winner ("lunettes de soleil")
        (0.830, 0.800, 0.0, 0, "en", "refuse"),  # no word of the question is in the catalog ("sofas")
        (0.830, 0.800, 0.0, 0, "fr", "answer"),  # ...but a French question may use words an English catalog lacks
        (0.80, 0.70, 0.0, 1, "en", "refuse"),  # too far from everything
    ],
)
async def test_answer_or_refuse(top: float, runner: float, keyword: float, known: int, language: str,
                                decision: str, repo_root: Path) -> None:
    hits = [Hit(WATCH, 1.0, dense=top, keyword=keyword), Hit(CASE, 0.5, dense=runner)]
    plan = await writer(ChosenHits(hits, known), repo_root).plan("q", ["ana"], language, None)
    assert plan.decision == decision
    assert (plan.products[0].id == "smart-watch") if decision == "answer" else not plan.products


async def test_a_question_about_the_product_on_screen_is_always_answered(repo_root: Path) -> None:
    hits = [Hit(WATCH, 1.0, dense=0.70, on_screen=True)]
    plan = await writer(ChosenHits(hits, 0), repo_root).plan("how much is it?", ["ana"], "en", WATCH)
    assert plan.decision == "answer"
