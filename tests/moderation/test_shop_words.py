"""Ordinary words must not be read as list words: a plain 'l' is not an 'i' ("folds" is not a slur), a
sound-alike does not run across a number ("充电宝20000毫安"), and a sound-alike the shop's own catalog writes
("真丝单只装": 丝单 sounds like 私单) is the shop's word. Exact list words and the tricks stay caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.events import Event, EventKind, User
from agent.knowledge.catalog import load_catalog
from agent.moderation.store import TopicStore
from agent.settings import TriageSettings
from agent.triage.triage import Triage
from agent.verdict import Action

ROOT = Path(__file__).resolve().parents[2]
# development and regression catalogs (the held-out shops are not used to write tests)
CATALOGS = [ROOT / "knowledge", ROOT / "evals" / "electronics_catalog.json",
            *sorted((ROOT / "evals" / "dev").glob("*_dev"))]


def test_a_plain_l_is_not_read_as_the_i_of_a_list_word(shipped_store: TopicStore) -> None:
    assert shipped_store.match("it folds flat for the car") is None
    for trick in ("fo1ds are dumb", "foIds are dumb"):  # a digit or a capital I for the 'i' is still the word
        m = shipped_store.match(trick)
        assert m is not None and m.topic == "hate"


def test_a_sound_alike_does_not_run_across_a_number_but_a_spaced_list_word_does(shipped_store: TopicStore) -> None:
    assert shipped_store.match("充电宝20000毫安能带上飞机吗") is None
    assert shipped_store.match("电2报3号多少") is not None  # the exact word, digits stuffed in between
    assert shipped_store.match("加 薇 信聊") is not None  # a sound-alike spaced out


def test_the_shops_own_wording_excuses_a_sound_alike_never_an_exact_word(store: TopicStore) -> None:
    assert store.match("真丝单只装吗") is not None
    store.use_shop_wording(["桑蚕丝枕套 真丝单只装 48×74cm"])
    assert store.match("真丝单只装吗") is None
    assert store.check_output("这款枕套是真丝单只装的") is None
    assert store.match("可以走私单吗") is not None
    assert store.match("加丝单更便宜") is not None  # the sound-alike, but not as the shop writes it


def test_triage_forgets_verdicts_made_before_the_catalog_was_known(store: TopicStore) -> None:
    triage = Triage(TriageSettings(user_rate_per_min=1_000_000), store, store.clock)

    def action() -> Action:
        return triage.decide(Event(EventKind.COMMENT, User("u", "u"), text="真丝单只装吗")).action

    assert action() is Action.BLOCK
    store.use_shop_wording(["真丝单只装"])
    assert action() is not Action.BLOCK


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_no_sheet_line_of_a_catalog_trips_the_lists(shipped_store: TopicStore, catalog: Path) -> None:
    products = load_catalog([catalog], "EUR")
    lines = [part.strip() for p in products
             for text in (p.title, p.text, *(f"{k}: {v}" for k, v in p.facts), *(v.name for v in p.variants))
             for part in text.replace("。", "\n").splitlines() if part.strip()]
    assert len(lines) >= 10
    tripped = [(t, m.label()) for t in lines for m in (shipped_store.match(t), shipped_store.check_output(t)) if m]
    assert tripped == []
