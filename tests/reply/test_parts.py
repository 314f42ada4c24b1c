"""Splitting a question that asks two things (agent.reply.parts)."""

from __future__ import annotations

import pytest

from agent.reply.parts import asks_something, question_parts


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("Is it waterproof? What does it weigh?", ["Is it waterproof?", "What does it weigh?"]),
        ("How tall is the lamp and what bulb does it take?", ["How tall is the lamp", "what bulb does it take?"]),
        ("Elle fait quelle taille et comment on la lave ?", ["Elle fait quelle taille", "comment on la lave ?"]),
        ("这个锅能用电磁炉吗？有多重？", ["这个锅能用电磁炉吗？", "有多重？"]),
        ("这个锅多重，能进烤箱吗", ["这个锅多重", "能进烤箱吗"]),
        ("Salt and pepper mill, how much?", ["Salt and pepper mill, how much?"]),
        ("Do you have it in black and white?", ["Do you have it in black and white?"]),
    ],
)
def test_a_question_splits_only_where_a_new_question_begins(question: str, parts: list[str]) -> None:
    assert question_parts(question) == parts


def test_a_part_that_only_names_a_product_asks_nothing() -> None:
    assert not asks_something("这个杯子") and not asks_something("the blue mug")
    assert asks_something("多少钱？") and asks_something("how heavy is it") and asks_something("il coûte combien")
