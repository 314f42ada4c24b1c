"""The per-text cache never outlives the rules it was computed under."""

from __future__ import annotations

from agent.clock import VirtualClock
from agent.events import Event, EventKind, User
from agent.moderation.store import TopicStore
from agent.settings import TriageSettings
from agent.triage.triage import Triage
from agent.verdict import Action


def comment(text: str, n: int) -> Event:
    return Event(EventKind.COMMENT, User(f"u{n}", f"u{n}"), text=text, message_id=f"m{n}")


def test_a_new_banned_word_applies_to_a_text_already_seen(store: TopicStore, clock: VirtualClock) -> None:
    triage = Triage(TriageSettings(), store, clock)
    text = "does the scarf come with a zorblax coupon?"
    assert triage.decide(comment(text, 1)).action is not Action.BLOCK
    store.propose("zorblax", '''
description = "a made-up topic for this test"
[keywords]
en = ["zorblax"]
''')
    assert triage.decide(comment(text, 2)).action is Action.BLOCK


def test_the_cache_can_be_turned_off(store: TopicStore, clock: VirtualClock) -> None:
    triage = Triage(TriageSettings(), store, clock, text_cache=0)
    assert triage.decide(comment("hello there", 1)).action is not Action.BLOCK
