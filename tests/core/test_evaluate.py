"""The eval's judge, written apart from the guards it checks: wrong claims, broken replies, attributes."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.app.evaluate import Case, broken, judge, load_cases, summarize, wrong_claims
from agent.errors import InputError
from agent.product import Product, Variant

BOX = Product("tea", "Tea Gift Box", 128.0, "CNY", text="30 bags of green tea in a gift box.", stock=200)
BOOTS = Product("boots", "Snow Boots", 299.0, "CNY", variants=(Variant("36", 299.0, stock=5),
                                                               Variant("37", 299.0, stock=0)))


def test_a_number_not_on_the_sheet_is_a_wrong_claim() -> None:
    assert wrong_claims("The box holds 30 bags.", "how many bags?", [BOX], ()) == []
    assert wrong_claims("The box holds 40 bags.", "how many bags?", [BOX], ()) == ["number not on the sheet: 40"]


def test_a_discount_in_percent_that_follows_from_the_sheets_prices_is_no_wrong_claim() -> None:
    lamp = Product("lamp", "Desk Lamp", 60.0, "EUR", compare_at=80.0)
    assert wrong_claims("It is 60 EUR instead of 80 EUR, 25% off.", "on sale?", [lamp], ()) == []
    assert wrong_claims("It is 60 EUR, 30% off.", "on sale?", [lamp], ()) == ["number not on the sheet: 30"]


def test_a_price_in_another_currency_is_a_wrong_claim() -> None:
    assert wrong_claims("It is 128 CNY.", "price?", [BOX], ()) == []
    assert wrong_claims("It is 128 EUR.", "price?", [BOX], ()) == ["currency EUR (sheet: CNY)"]


def test_forbidden_strings_are_wrong_claims() -> None:
    assert wrong_claims("The box holds 200 bags.", "q", [BOX], ["200"]) == ["forbidden: 200"]


def test_a_restart_or_a_cut_phrase_is_a_broken_reply() -> None:
    assert broken("ana, the thermos is Let me say that properly: it is 128 CNY.")
    assert broken("ana, the thermos keeps")
    assert not broken("ana, the thermos: it keeps drinks hot for 12 hours.")


def test_the_sheet_does_not_say_counts_as_answered_only_when_the_reply_says_so() -> None:
    case = Case("warranty?", "answer", ("tea",), (), ("1 year",), attribute="warranty", in_sheet=False)
    said = judge(case, {"decision": "answer", "reply": "The sheet doesn't say.", "stated": False}, ["tea"], [BOX])
    guessed = judge(case, {"decision": "answer", "reply": "Warranty: 1 year.", "stated": True}, ["tea"], [BOX])
    assert said.passed and said.answered and not guessed.passed and not guessed.answered


def test_summary_keeps_llm_facts_apart_and_splits_by_language() -> None:
    en = Case("how much?", "answer", ("tea",), ("128",), lang="en")
    zh = Case("多少钱", "answer", ("tea",), ("128",), lang="zh")
    results = [judge(en, {"decision": "answer", "reply": "It is 128 CNY.", "source": "facts"}, ["tea"], [BOX]),
               judge(zh, {"decision": "answer", "reply": "售价120元。", "source": "llm"}, ["tea"], [BOX])]
    s = summarize(results)
    assert s["fact_accuracy"] == 0.5 and s["llm_fact_accuracy"] == 0.0 and s["wrong_claims_spoken"] == 1
    assert s["by_language"]["en"]["fact_accuracy"] == 1.0 and s["sources"] == {"facts": 1, "llm": 1}


def test_a_bad_case_file_names_the_line_and_the_field(tmp_path: Path) -> None:
    f = tmp_path / "cases.jsonl"
    f.write_text('{"question": "ok?"}\n{"question": "q", "in_sheet": "no"}\n')
    with pytest.raises(InputError) as err:
        load_cases(f)
    assert err.value.line == 2 and err.value.field == "in_sheet"


def test_a_forbidden_number_counts_only_as_a_whole_number_outside_the_product_name() -> None:
    pack = Product("bars", "Protein Bars - Box of 12", 30.0, "USD", stock=20)
    assert wrong_claims("Protein Bars - Box of 12: 20 in stock.", "how many boxes?", [pack], ["12"]) == []
    assert wrong_claims("Cover 220x240 cm.", "size?", [BOX], ["40"]) == ["number not on the sheet: 220",
                                                                 "number not on the sheet: 240"]
    assert wrong_claims("We have 12 boxes.", "how many boxes?", [pack], ["12"]) == ["forbidden: 12"]


def test_the_digits_of_a_viewers_name_as_the_host_says_it_are_no_claim() -> None:
    case = Case("how much is the bird bath", "refuse", user="garden_fan_72")
    said = judge(case, {"decision": "refuse", "reply": "garden fan 72, Sorry, we don't sell that."}, [], [])
    assert said.passed and not said.wrong
