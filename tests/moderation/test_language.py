from __future__ import annotations

import pytest

from agent.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("combien ?", "fr"),
        ("c'est combien la robe", "fr"),
        ("多少钱", "zh"),
        ("這件多少錢", "zh"),
        ("how much", "en"),
        ("is it cotton?", "en"),
        ("quelle taille pour 1m65 ?", "fr"),
        ("bonjour tout le monde", "fr"),
        ("ありがとう", "ja"),
        ("привет", "ru"),
        ("多少钱 price", "zh"),
    ],
)
def test_detects_language_of_short_chat(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_falls_back_to_default_when_nothing_tells() -> None:
    assert detect_language("888", default="fr") == "fr"
    assert detect_language("", default="zh") == "zh"
    assert detect_language("😀😀", default="en") == "en"
