"""The streaming sentence splitter: sentences out as soon as they end, never cut inside a number."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import pytest

from agent.reply.sentences import FirstChunk, ends_sentence, sentences, split_sentences, strip_markup


async def stream(chunks: Iterable[str]) -> AsyncIterator[str]:
    for c in chunks:
        yield c


async def collect(chunks: Iterable[str], first: FirstChunk = "sentence") -> list[str]:
    return [s async for s in sentences(stream(chunks), first)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It is 39.90 EUR. Want one?", ["It is 39.90 EUR.", "Want one?"]),
        ("Total: 1,299.00 USD! Great.", ["Total: 1,299.00 USD!", "Great."]),
        ("Il coûte 39,90 €. Super !", ["Il coûte 39,90 €.", "Super !"]),
        ("Ask Mr. Smith, e.g. about sizes. Thanks!", ["Ask Mr. Smith, e.g. about sizes.", "Thanks!"]),
        ("Colours: blue, red, etc. We ship fast.", ["Colours: blue, red, etc.", "We ship fast."]),
        ("S, M, L, etc. are in stock.", ["S, M, L, etc. are in stock."]),
        ("It is item No. 5 in the list. OK?", ["It is item No. 5 in the list.", "OK?"]),
        ("Wait... really?! Yes.", ["Wait...", "really?!", "Yes."]),
        ("Hello\nWorld", ["Hello", "World"]),
        ("这件衬衫售价50欧元。还有货！要吗？", ["这件衬衫售价50欧元。", "还有货！", "要吗？"]),
        ("价格是39.9欧元。好的", ["价格是39.9欧元。", "好的"]),
        ("We have size M. It is 60 EUR.", ["We have size M.", "It is 60 EUR."]),
        ('He said "great." Then left.', ['He said "great."', "Then left."]),
        ("好的!现在开始", ["好的!", "现在开始"]),
        ("", []),
        ("   \n  ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


async def test_stream_chunk_splitting_a_decimal_does_not_cut_the_number() -> None:
    assert await collect(["The shirt is 39", ".", "90 EUR", ". Nice"]) == ["The shirt is 39.90 EUR.", "Nice"]


async def test_stream_chunk_splitting_thousands_does_not_cut_the_number() -> None:
    out = await collect(["It is 1", ",", "299", ".00 USD, really", ". ok"], first="clause")
    assert out == ["It is 1,299.00 USD, really.", "ok"]


async def test_sentence_is_yielded_as_soon_as_the_next_token_confirms_it() -> None:
    seen: list[str] = []

    async def tokens() -> AsyncIterator[str]:
        for t in ["Hi there.", " How", " are", " you?"]:
            yield t
            seen.append(t)

    out = []
    async for s in sentences(tokens(), "sentence"):
        out.append((s, len(seen)))
    # 'Hi there.' comes out once ' How' arrived, before the rest of the stream.
    assert out == [("Hi there.", 1), ("How are you?", 4)]


async def test_cjk_sentences_stream_token_by_token() -> None:
    assert await collect(list("你好。我们有货！")) == ["你好。", "我们有货！"]


async def test_first_clause_is_yielded_early_when_long_enough() -> None:
    chunks = ["The Ocean Blue Shirt", " is a great choice,", " and it", " is 50 EUR", ". Enjoy!"]
    assert await collect(chunks, first="clause") == [
        "The Ocean Blue Shirt is a great choice,",
        "and it is 50 EUR.",
        "Enjoy!",
    ]


async def test_only_the_first_clause_is_cut_early() -> None:
    text = "Welcome to the show everyone, hello! This is a really long sentence, with a comma."
    assert await collect([text], first="clause") == [
        "Welcome to the show everyone,",
        "hello!",
        "This is a really long sentence, with a comma.",
    ]


async def test_short_first_clause_is_not_cut() -> None:
    assert await collect(["Yes, it is 50 EUR."], first="clause") == ["Yes, it is 50 EUR."]


async def test_first_clause_cjk_needs_eight_characters() -> None:
    assert await collect(["好的，", "这件衬衫非常适合夏天穿，", "售价50欧元。"], first="clause") == [
        "好的，这件衬衫非常适合夏天穿，",
        "售价50欧元。",
    ]


async def test_first_clause_disabled_keeps_whole_sentences() -> None:
    chunks = ["The Ocean Blue Shirt is a great choice,", " and it is 50 EUR."]
    assert await collect(chunks, first="sentence") == ["The Ocean Blue Shirt is a great choice, and it is 50 EUR."]


async def test_comma_inside_a_number_is_not_a_clause() -> None:
    assert await collect(["Our best seller costs exactly 1,299.00 EUR today."], first="clause") == [
        "Our best seller costs exactly 1,299.00 EUR today."
    ]


async def test_unterminated_tail_is_flushed_at_the_end() -> None:
    assert await collect(["It is 50 EUR", " and in stock"]) == ["It is 50 EUR and in stock"]


async def test_a_run_on_without_punctuation_is_cut_to_keep_speech_moving() -> None:
    words = ["word"] * 200
    out = [s async for s in sentences(stream(w + " " for w in words), "sentence", max_chars=100)]
    assert all(len(s) <= 100 for s in out)
    assert " ".join(out).split() == words


def test_markup_echoed_from_the_prompt_is_never_spoken() -> None:
    assert strip_markup('<viewer name="ana">Hi Ana, the shirt is 59 EUR.') == "Hi Ana, the shirt is 59 EUR."
    assert strip_markup("</viewer> <facts_on_screen/>") == ""
    assert strip_markup("I <3 linen, and it is < 60 EUR") == "I <3 linen, and it is < 60 EUR"


async def test_first_phrase_ends_before_a_number() -> None:
    chunks = ["We make", " it from ", "100", "% European", " flax linen. It", " is soft."]
    assert await collect(chunks, first="phrase") == ["We make it from", "100% European flax linen.", "It is soft."]


async def test_first_phrase_ends_between_a_product_name_and_its_verb() -> None:
    assert await collect(["The linen", " shirt is", " made of 100% linen."], first="phrase") == [
        "The linen shirt", "is made of 100% linen."]
    assert await collect(["Le plaid en laine coûte 98 EUR."], first="phrase") == ["Le plaid en laine", "coûte 98 EUR."]


async def test_first_phrase_ends_before_an_opener_word_once_it_is_complete() -> None:
    # "in" + "digo" is not the opener "in"; "with" is
    assert await collect(["It looks great ", "in", "digo and it", " goes", " with jeans."], first="phrase") == [
        "It looks great indigo", "and it goes with jeans."]


async def test_first_phrase_needs_three_words() -> None:
    assert await collect(["It is 59 EUR, in white."], first="phrase") == ["It is 59 EUR,", "in white."]
    assert await collect(["Yes, for 59 EUR."], first="phrase") == ["Yes, for 59 EUR."]


async def test_first_phrase_in_chinese_ends_at_a_mark_or_before_a_number() -> None:
    assert await collect(list("有机棉T恤是100%有机棉。很软。"), first="phrase") == [
        "有机棉T恤是", "100%有机棉。", "很软。"]
    assert await collect(list("颜色有白色、蓝色。"), first="phrase") == ["颜色有白色、", "蓝色。"]


async def test_only_the_first_piece_is_a_phrase() -> None:
    text = "Welcome to the show with us. This is a sentence with 3 words and more."
    assert await collect([text], first="phrase") == [
        "Welcome to the show", "with us.", "This is a sentence with 3 words and more."]


def test_ends_sentence_tells_a_phrase_from_a_sentence() -> None:
    assert ends_sentence("It is soft.") and ends_sentence("很软。") and ends_sentence("Is it? »")
    assert not ends_sentence("The linen shirt is made of") and not ends_sentence("It is 59 EUR,")
