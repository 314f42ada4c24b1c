"""What the semantic layer reads: obfuscated comments decoded as a reader would."""

from __future__ import annotations

import pytest

from agent.moderation.normalize import Normalizer, readable


@pytest.mark.parametrize(("text", "decoded"), [
    ("g a m b l i n g after the stream", "gambling after the stream"),
    ("g4mbl1ng site with bonus", "gambling site with bonus"),
    ("s.e.x chat", "sex chat"),
    ("ｇａｍｂｌｉｎｇ night", "gambling night"),
    ("怎 么 做 燃 烧 瓶", "怎么做燃烧瓶"),
    ("蒸 馏 ✨ 水", "蒸馏水"),
])
def test_tricks_are_undone(folding: tuple[Normalizer, object], text: str, decoded: str) -> None:
    assert readable(folding[0].fold(text)) == decoded


@pytest.mark.parametrize("text", ["How much is it? 59€ size M", "call me at 8", "the 2 in 1 pack", "3 x 4 m"])
def test_prices_sizes_and_plain_text_are_left_alone(folding: tuple[Normalizer, object], text: str) -> None:
    folded = folding[0].fold(text)
    assert readable(folded) == " ".join(folded.split())
