"""Banned-topic word lists: every evasion trick of the adversarial set is caught, real benign chat is not.

Paraphrases ("tell me who you are going to vote for") are the semantic layer's job: tests/moderation/
test_semantic.py. This set was written with the lists (evals/README.md): a regression test, not a measurement.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.events import Event, EventKind, User
from agent.moderation.store import TopicStore
from agent.settings import TriageSettings
from agent.triage.triage import Triage
from agent.verdict import Action

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared" / "fixtures"


def _rows() -> list[dict[str, str]]:
    lines = (DATA / "adversarial_banned.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(s) for s in lines if s.strip()]


def _benign_real() -> list[str]:
    out: list[str] = []
    live = SHARED / "livechat" / "subset.json"
    for pairs in json.loads(live.read_text(encoding="utf-8")).values():
        out.extend(p[0] for p in pairs)
    for f in sorted((SHARED / "youtube").glob("*.json")):
        for item in json.loads(f.read_text(encoding="utf-8")).get("items", []):
            msg = item.get("snippet", {}).get("displayMessage")
            if msg:
                out.append(msg)
    return out


def _triage(store: TopicStore) -> Triage:
    return Triage(TriageSettings(user_rate_per_min=1_000_000), store, store.clock)


def _decide(triage: Triage, texts: list[str]) -> list[Action]:
    return [
        triage.decide(Event(EventKind.COMMENT, User(f"u{i}", f"u{i}"), text=t)).action for i, t in enumerate(texts)
    ]


def test_adversarial_set_is_big_and_covers_three_languages() -> None:
    rows = _rows()
    assert len(rows) >= 150
    assert {r["lang"] for r in rows} >= {"en", "fr", "zh"}


def test_word_lists_block_at_least_98_percent_of_the_evasion_tricks(shipped_store: TopicStore) -> None:
    rows = [r for r in _rows() if r["trick"] != "paraphrase"]
    actions = _decide(_triage(shipped_store), [r["text"] for r in rows])
    missed = [r["text"] for r, a in zip(rows, actions, strict=True) if a is not Action.BLOCK]
    assert 1 - len(missed) / len(rows) >= 0.98, missed


def test_real_benign_chat_false_block_rate_at_most_2_percent(shipped_store: TopicStore) -> None:
    texts = _benign_real()
    assert len(texts) >= 45
    actions = _decide(_triage(shipped_store), texts)
    blocked = [t for t, a in zip(texts, actions, strict=True) if a is Action.BLOCK]
    assert len(blocked) / len(texts) <= 0.02, blocked


def test_shop_chat_in_three_languages_is_never_blocked(shipped_store: TopicStore) -> None:
    texts = [s.strip() for s in (DATA / "benign_shop_chat.txt").read_text(encoding="utf-8").splitlines() if s]
    actions = _decide(_triage(shipped_store), texts)
    assert [t for t, a in zip(texts, actions, strict=True) if a is Action.BLOCK] == []


@pytest.mark.parametrize(
    "word", ["size", "price", "ship", "cotton", "unisex", "that skill", "kill it", "大妈好", "秒杀人好多", "跳楼价",
             "消毒品", "想死你了", "正直", "politique de retour", "bath bomb", "massage gun", "my order number 1234"]
)
def test_everyday_shop_words_never_match(shipped_store: TopicStore, word: str) -> None:
    assert shipped_store.match(word) is None


@pytest.mark.parametrize(
    ("trick", "text", "topic"),
    [
        ("plain", "online gambling", "gambling"),
        ("chinese-no-spaces", "有人一起赌博吗", "gambling"),
        ("fullwidth", "ｇａｍｂｌｉｎｇ", "gambling"),
        ("traditional", "賭博", "gambling"),
        ("pinyin-spaced", "zheng zhi", "politics"),
        ("pinyin-joined", "zhengzhi", "politics"),
        ("pinyin-gambling", "du bo", "gambling"),
        ("homophone", "赌搏", "gambling"),
        ("dots", "g.a.m.b.l.i.n.g", "gambling"),
        ("spaced-han", "赌 博", "gambling"),
        ("leet", "g4mbl1ng", "gambling"),
        ("leet-short", "s3x", "sexual"),
        ("symbol-leet", "$ex", "sexual"),
        ("emoji-padding", "g🎰a🎰m🎰b🎰l🎰i🎰n🎰g", "gambling"),
        ("emoji-han", "赌🎲博", "gambling"),
        ("zero-width", "ca\u200bsi\u200bno", "gambling"),
        ("mixed-script", "加v私聊", "off_platform"),
        ("pattern-phone", "call 06 12 34 56 78", "personal_data"),
        ("pattern-phone-11-digits", "ring me on 02079460958", "personal_data"),
        ("pattern-phone-dashed", "text 0-2-0-7-9-4-6-0-9-5-8 tonight", "personal_data"),
        ("pattern-email", "bob@example.com", "personal_data"),
    ],
)
def test_each_evasion_trick_is_matched(shipped_store: TopicStore, trick: str, text: str, topic: str) -> None:
    m = shipped_store.match(text)
    assert m is not None, trick
    assert m.topic == topic


@pytest.mark.parametrize("text", ["my order 0001234567 has not arrived", "it is 0.99 off, code 12345678901",
                                  "订单号2023110512345还没发货"])
def test_order_numbers_and_prices_are_not_phone_numbers(shipped_store: TopicStore, text: str) -> None:
    m = shipped_store.match(text)
    assert m is None or m.topic != "personal_data", m


def test_check_output_applies_the_same_lists_to_the_host(shipped_store: TopicStore) -> None:
    m = shipped_store.check_output("This cream cures cancer, trust me!")
    assert m is not None and m.topic == "medical"
    assert shipped_store.check_output("Add me on WhatsApp for a discount") is not None
    assert shipped_store.check_output("The linen shirt is 39 euros and ships in two days.") is None


def test_check_output_passes_real_host_replies(shipped_store: TopicStore) -> None:
    live = SHARED / "livechat" / "subset.json"
    replies = [p[1] for pairs in json.loads(live.read_text(encoding="utf-8")).values() for p in pairs]
    flagged = [r for r in replies if shipped_store.check_output(r) is not None]
    assert len(flagged) / len(replies) <= 0.02, flagged
