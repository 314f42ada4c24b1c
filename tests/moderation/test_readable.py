"""What the semantic layer reads: obfuscated comments decoded as a reader would."""

from __future__ import annotations

import pytest

from agent.moderation.normalize import Normalizer, Unmasker, readable


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


def test_masked_letters_are_read_back_as_the_list_word_they_hide() -> None:
    unmask = Unmasker(["bomb", "suicide", "murder*", "fils de pute", "kill you"])
    assert unmask("b*mb threat s*icide m*rd*r") == "bomb threat suicide murder"
    assert unmask("fils de p*te") == "fils de pute"


@pytest.mark.parametrize("text", ["st*dio tour", "b** the p*", "5*3 cm", "****", "no mask here"])
def test_masks_that_hide_no_list_word_or_too_much_stay(text: str) -> None:
    assert Unmasker(["bomb", "studios", "sex"])(text) == text
