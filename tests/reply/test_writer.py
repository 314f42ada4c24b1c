"""The reply chain: answers said from the sheet, the LLM's rephrasing spoken only when faithful.

The LLM is a real OpenAI-compatible HTTP server that replays chosen token streams (testkit/scripted_llm.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from agent.knowledge.base import KnowledgeBase
from agent.knowledge.embedding import HashEmbedder
from agent.reply.planner import CatalogMatch, ReplyPlan
from agent.reply.writer import ReplyOutcome, ReplyWriter
from agent.settings import KnowledgeSettings
from testkit.scripted_llm import Script, ScriptedLlmServer

from .conftest import collect, make_writer


async def test_a_price_is_said_from_the_sheet_with_the_variant_asked(writer: ReplyWriter,
                                                                      scripted: ScriptedLlmServer) -> None:
    said, out = await collect(writer, "How much is the linen shirt in size L?")
    assert said == ["ana, The Relaxed Linen Shirt in L / Sage is 64 EUR."]
    assert out.source == "facts" and out.attribute == "price" and out.stated
    assert not scripted.records  # no LLM for a price


async def test_a_viewers_name_is_said_without_its_underscores(writer: ReplyWriter, scripted: ScriptedLlmServer) -> None:
    said, _ = await collect(writer, "How much is the linen shirt in size L?", user="mama_bear_21")
    assert said[0].startswith("mama bear 21, ")  # a voice reads "_" as "underscore"
    said, _ = await collect(writer, "What sizes does the linen shirt come in?", user="mama_bear_21")
    assert said[0].startswith("mama bear 21, ")
    scripted.say("It is made of 100% Mongolian cashmere.")
    said, _ = await collect(writer, "What is the cashmere scarf made of? Which material?", user="mama_bear_21")
    assert said[0] == "mama bear 21, the Cashmere Scarf:"


async def test_the_variants_on_offer_are_all_listed(writer: ReplyWriter) -> None:
    said, out = await collect(writer, "What sizes does the linen shirt come in?")
    text = " ".join(said)
    assert all(size in text for size in ("S", "M", "L", "XL")) and "White" in text and "Sage" in text
    assert out.attribute == "variants"


async def test_an_attribute_is_answered_from_the_sheet_field_that_states_it(writer: ReplyWriter,
                                                                             scripted: ScriptedLlmServer) -> None:
    scripted.say("It is made of 100% Mongolian cashmere.")
    said, out = await collect(writer, "What is the cashmere scarf made of? Which material?")
    assert said[0] == "ana, the Cashmere Scarf:"  # said while the model rephrases: it cannot turn out wrong
    assert said[1] == "It is made of 100% Mongolian cashmere."
    assert out.source == "llm" and out.attribute == "material" and out.fact.startswith("material:")


async def test_what_the_sheet_does_not_say_is_never_guessed_nor_replaced_by_the_price(writer: ReplyWriter) -> None:
    said, out = await collect(writer, "What is the warranty on the cashmere scarf?")
    text = " ".join(said)
    assert "doesn't say" in text and "120" not in text and "EUR" not in text
    assert out.source == "not_stated" and out.stated is False


async def test_a_rephrasing_with_another_number_is_not_spoken(writer: ReplyWriter,
                                                              scripted: ScriptedLlmServer) -> None:
    scripted.say("It is made of 80% cashmere.")
    said, out = await collect(writer, "What is the cashmere scarf made of? Which material?")
    assert "80%" not in " ".join(said) and said[-1] == "Material: 100% Mongolian cashmere."
    assert out.source == "facts" and out.rejected and "number" in out.rejected[0][1]


async def test_a_rephrasing_that_negates_the_sheet_is_not_spoken(writer: ReplyWriter,
                                                                 scripted: ScriptedLlmServer) -> None:
    scripted.say("It is not 100% Mongolian cashmere.")
    said, out = await collect(writer, "What is the cashmere scarf made of? Which material?")
    assert "not" not in said[-1] and out.rejected[0][1].startswith("negation")


async def test_a_rephrasing_that_adds_a_material_is_not_spoken(writer: ReplyWriter,
                                                               scripted: ScriptedLlmServer) -> None:
    scripted.say("It is 100% Mongolian cashmere with gold and silver threads.")
    said, out = await collect(writer, "What is the cashmere scarf made of? Which material?")
    assert "gold" not in " ".join(said) and "material not on the sheet" in out.rejected[0][1]


async def test_a_failing_llm_costs_only_the_rephrasing(writer: ReplyWriter, scripted: ScriptedLlmServer) -> None:
    scripted.push(Script(status=500))
    said, out = await collect(writer, "What is the cashmere scarf made of? Which material?")
    assert said == ["ana, the Cashmere Scarf:", "Material: 100% Mongolian cashmere."] and out.source == "facts"


async def test_a_hanging_llm_times_out_and_the_sheet_is_said(sample_kb: KnowledgeBase, repo_root: Path,
                                                             scripted: ScriptedLlmServer) -> None:
    from agent.llm.client import OpenAiLlm

    llm = OpenAiLlm(scripted.base_url, "scripted")
    try:
        w = make_writer(sample_kb, repo_root, llm, timeout_s=0.3)
        scripted.push(Script(["too late"], first_token_delay=5.0))
        said, out = await collect(w, "What is the cashmere scarf made of? Which material?")
    finally:
        await llm.aclose()
    assert said[-1] == "Material: 100% Mongolian cashmere." and out.source == "facts"


async def test_a_hanging_llm_times_out_on_virtual_time(sample_kb: KnowledgeBase, repo_root: Path,
                                                        scripted: ScriptedLlmServer) -> None:
    """The paraphrase timeout runs on the show's clock: on virtual time a model that never answers is given
    up after the virtual seconds, without those seconds passing for real."""
    from agent.clock import VirtualClock
    from agent.llm.client import OpenAiLlm

    clock = VirtualClock()
    driver = asyncio.ensure_future(clock.run())
    llm = OpenAiLlm(scripted.base_url, "scripted")
    try:
        w = make_writer(sample_kb, repo_root, llm, timeout_s=600.0, clock=clock)
        scripted.push(Script(["too late"], first_token_delay=3600.0))
        said, out = await collect(w, "What is the cashmere scarf made of? Which material?")
    finally:
        await llm.aclose()
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)
    assert said[-1] == "Material: 100% Mongolian cashmere." and out.source == "facts"
    assert clock.now() >= 600.0 and all(r.tokens_sent == 0 for r in scripted.records)


async def test_without_an_llm_the_answer_is_the_sheet_in_one_sentence(sample_kb: KnowledgeBase,
                                                                      repo_root: Path) -> None:
    w = make_writer(sample_kb, repo_root, None)
    said, out = await collect(w, "What is the cashmere scarf made of? Which material?")
    assert said == ["ana, the Cashmere Scarf: Material: 100% Mongolian cashmere."] and out.source == "facts"


async def test_other_language_policy_rephrases_only_facts_written_in_another_language(
    sample_kb: KnowledgeBase, repo_root: Path, scripted: ScriptedLlmServer
) -> None:
    from agent.llm.client import OpenAiLlm

    llm = OpenAiLlm(scripted.base_url, "scripted")
    try:
        w = make_writer(sample_kb, repo_root, llm, paraphrase="other-language")
        said, out = await collect(w, "What is the cashmere scarf made of? Which material?")
    finally:
        await llm.aclose()
    assert not scripted.records and out.source == "facts" and len(said) == 1


async def test_a_refusal_and_a_deflection_are_fixed_lines(writer: ReplyWriter) -> None:
    base = dict(question="q", users=("ana",), language="en", hits=(), on_screen=None)
    out = ReplyOutcome()
    refused = [s async for s in writer.stream(ReplyPlan("refuse", **base), out)]  # type: ignore[arg-type]
    assert refused == ["ana, Sorry, that's not something we have in our catalog."] and out.source == "refusal"
    out = ReplyOutcome()
    deflected = [s async for s in writer.stream(ReplyPlan("deflect", **base), out)]  # type: ignore[arg-type]
    assert "ana" in deflected[0] and "products" in deflected[0] and out.source == "deflect"


async def test_a_sentence_with_a_banned_phrase_is_never_spoken(sample_kb: KnowledgeBase, repo_root: Path) -> None:
    w = make_writer(sample_kb, repo_root, None)
    w._output_check = lambda s: "medical" if "cashmere" in s.lower() else None
    said, out = await collect(w, "What is the cashmere scarf made of? Which material?")
    assert out.rejected and out.rejected[0][1] == "banned topic: medical"
    assert said == ["ana, One moment, let me check that for you."] and out.source == "holding"


async def test_a_question_that_asks_two_things_by_name_gets_both_from_the_sheet(writer: ReplyWriter) -> None:
    said, out = await collect(writer, "How much is the linen shirt, and how do I wash it?")
    assert said == ["ana, The Relaxed Linen Shirt is 59 EUR for S / White and M / White and 64 EUR for L / Sage "
                    "and XL / Sage.", "Care: Machine wash at 30 °C, hang to dry, iron while slightly damp."]
    assert out.attribute == "price" and out.source == "facts"


async def test_a_part_that_names_only_a_measure_is_a_question_of_its_own(writer: ReplyWriter) -> None:
    said, out = await collect(writer, "How much is the linen shirt? At how many degrees?")
    assert "59 EUR" in said[0] and said[1] == "Care: Machine wash at 30 °C, hang to dry, iron while slightly damp."
    assert out.attribute == "price"


async def test_a_yes_no_question_the_sheets_line_leaves_out_is_said_not_to_be_on_the_sheet(sample_kb: KnowledgeBase,
                                                                                          repo_root: Path) -> None:
    writer = make_writer(sample_kb, repo_root)  # no LLM: the sheet's words
    assert writer.finder is not None
    writer.finder.min_score = -1.0  # the hash embedder has no meaning: the finder's other signals decide
    said, out = await collect(writer, "Can I iron the cashmere scarf?")
    assert said[0] == "ana, the Cashmere Scarf: Care: Hand wash cold with wool detergent, dry flat, store folded."
    # the viewer was named once already: the follow-up says the sheet stops there, without a second "ana,"
    assert said[1:] == ["That's all the sheet says on it; I'll check the rest and come back to you!"]
    assert out.stated is False
    said, out = await collect(writer, "Can I hand wash the cashmere scarf?")
    assert len(said) == 1 and out.stated is True


async def test_a_part_that_only_names_the_product_adds_nothing(writer: ReplyWriter) -> None:
    said, _ = await collect(writer, "The linen shirt, how much is it?")
    assert len(said) == 1 and "59 EUR" in said[0]


async def test_a_second_part_the_sheet_does_not_state_is_not_guessed(writer: ReplyWriter) -> None:
    said, _ = await collect(writer, "How much is the linen shirt and what is the warranty?")
    assert len(said) == 1 and "59 EUR" in said[0]


async def test_when_only_the_second_part_is_on_the_sheet_the_first_is_said_not_to_be(sample_kb: KnowledgeBase,
                                                                                     repo_root: Path) -> None:
    writer = make_writer(sample_kb, repo_root)  # no LLM: the sheet's words
    plan = await writer.plan("What is the warranty on the cashmere scarf? And how do I wash it, hand wash cold?",
                             ["ana"], "en", None)
    assert plan.second is not None and plan.second.attributes == ("care",)
    plan = replace(plan, attributes=("warranty",))  # the first part alone: not on the sheet
    out = ReplyOutcome()
    said = [s async for s in writer.stream(plan, out)]
    assert said[0] == "ana, the Cashmere Scarf: Care: Hand wash cold with wool detergent, dry flat, store folded."
    assert len(said) == 2 and "doesn't say" in said[1]
    assert out.stated is False and out.source == "facts"  # the attribute asked first is not on the sheet


async def test_a_measure_the_second_part_names_does_not_steer_the_first_answer(tmp_path: Path,
                                                                               repo_root: Path) -> None:
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "throw.md").write_text("---\nid: throw\ntitle: Merino Throw\nprice: 69\ncurrency: EUR\n"
                                   "dimensions: 180 x 130 cm\ncare: hand wash at 30 °C, dry flat\n---\n"
                                   "A warm merino throw.\n", encoding="utf-8")
    kb = KnowledgeBase(KnowledgeSettings(embedding="hash"), [shop], tmp_path / "kb", currency="EUR",
                       embedder=HashEmbedder())
    kb.sync()
    sold = CatalogMatch(min_keyword=0.0, sure_dense=-1.0, min_dense=-1.0)  # a one-product shop: it is the one
    writer = make_writer(kb, repo_root, match=sold)  # no LLM: the sheet's words
    assert writer.finder is not None
    writer.finder.min_score = -1.0  # the hash embedder has no meaning: the finder's other signals decide
    said, out = await collect(writer, "How big is the merino throw, and what temperature do I wash it at?")
    assert said == ["ana, the Merino Throw: Dimensions: 180 x 130 cm.", "Care: hand wash at 30 °C, dry flat."]
    assert out.attribute == "dimensions"
