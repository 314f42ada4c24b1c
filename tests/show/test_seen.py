"""What the viewers did and what became of it: a rehearsal's ``seen`` holds every event of the chat with triage's
verdict and each question's fate (answered by a reply that was said, or dropped with the reason the rehearsal's
``dropped`` gives), and the recorder tells the semantic screen's block from the verdict's own echo, records the
queue's drops, the director's expired replies and a moderator's rejections, and never stops the show."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from agent.approval import Decision, Review
from agent.director.director import TimelineEntry
from agent.director.utterance import Kind, Utterance
from agent.events import Event, EventKind, User
from agent.records.events import read_seen
from agent.records.onair import OnAirRecord
from agent.render import ChatSeen
from agent.seen import SeenLog
from agent.verdict import Action, Category, Verdict
from tests.report.rehearsed import chat_lines, rehearsed


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


class Decide:
    def __init__(self, verdicts: Mapping[str, Verdict]) -> None:
        self.verdicts = verdicts

    def decide(self, event: Event) -> Verdict:
        return self.verdicts[event.text]


def ask(text: str, user: str = "ana", t: float = 100.0) -> Event:
    return Event(EventKind.COMMENT, User(user, user), platform="douyin", text=text, time=t, message_id=f"{user}{t}")


def verdict(event: Event, action: Action = Action.ANSWER, category: Category = Category.PRODUCT_QUESTION,
            **kw: Any) -> Verdict:
    return Verdict(action, category, kw.pop("reason", "asks about price"), (event,), **kw)


@pytest.fixture
def record() -> Iterator[OnAirRecord]:
    r = OnAirRecord(":memory:", show_id="s")
    yield r
    r.close()


def fates(record: OnAirRecord) -> dict[str, list[tuple[str, str]]]:
    return {e["text"]: [(f["fate"], f["reason"]) for f in e["fates"]] for e in read_seen(record.events.query, "s")}


async def test_the_screens_block_is_a_fate_and_the_verdicts_echo_is_not(record: OnAirRecord) -> None:
    clock = Clock()
    seen = SeenLog(record.events, clock, show=("Shop", "en"))
    price, weed = ask("how much is it?"), ask("where to buy weed", "troll")
    triage = seen.triage(Decide({price.text: verdict(price),
                                 weed.text: verdict(weed, Action.BLOCK, Category.BANNED, topic="drugs",
                                                    reason="banned topic 'drugs' (weed)")}))
    for e in (price, weed):
        v = triage.decide(e)
        await seen.send(ChatSeen(e.platform, e.user.name, e.text, "comment", v.action.value, v.category.value,
                                 v.reason))
    assert fates(record) == {"how much is it?": [], "where to buy weed": []}  # echoes: no fate
    clock.t += 2
    await seen.send(ChatSeen("douyin", "ana", "how much is it?", "comment", "block", "banned",
                             "banned topic 'gambling' (meaning: close to \"bet\")"))
    await seen.aclose()
    rows = read_seen(record.events.query, "s")
    assert rows[0]["fates"][0]["fate"] == "blocked" and rows[0]["fates"][0]["reason"] == "screen"
    assert rows[0]["fates"][0]["detail"]["topic"] == "gambling" and rows[0]["fates"][0]["t"] == 102.0
    assert rows[1]["verdict"]["topic"] == "drugs" and rows[1]["verdict"]["action"] == "block"


async def test_drops_expired_replies_rejections_and_replies_said_are_each_events_fate(record: OnAirRecord) -> None:
    seen = SeenLog(record.events, Clock())
    events = [ask(t, u) for t, u in (("stale one", "a"), ("expired one", "b"), ("rejected one", "c"),
                                     ("answered one", "d"), ("answered too", "e"))]
    triage = seen.triage(Decide({e.text: verdict(e) for e in events}))
    for e in events:
        triage.decide(e)
    earlier: list[str] = []
    hook = seen.chain_drop(lambda v, reason: earlier.append(reason))
    hook(verdict(events[0]), "stale: waited 46.0 s (limit 45 s)")
    assert earlier == ["stale: waited 46.0 s (limit 45 s)"]  # the queue's own hook still runs
    seen.expired(Utterance(Kind.REPLY, None, None, comment={"user": "b", "text": "expired one"},
                           comments=({"user": "b", "text": "expired one"},)))
    review = Review("r1", "It is 59 EUR.", "en", {"user": "c", "text": "rejected one"},
                    ({"user": "c", "text": "rejected one"},))
    seen.reviewed(review, Decision("reject", review.text, "mia"))
    seen.reviewed(review, Decision("approve", review.text, "mia"))  # approved: the reply said tells the fate
    seen.said(TimelineEntry(110.0, 113.0, "reply", "Yes!", {"user": "d", "text": "answered one"}, False, None,
                            "u-9", comments=({"user": "d", "text": "answered one"},
                                             {"user": "e", "text": "answered too"})))
    assert fates(record) == {
        "stale one": [("dropped", "stale")], "expired one": [("dropped", "not_started_in_time")],
        "rejected one": [("dropped", "rejected_by_moderator")], "answered one": [("answered", "said")],
        "answered too": [("answered", "said")]}


async def test_a_chat_event_nobody_decided_is_kept_as_the_console_saw_it(record: OnAirRecord) -> None:
    seen = SeenLog(record.events, Clock())
    await seen.send(ChatSeen("twitch", "bo", "hi all", "comment", "answer", "chitchat", "a greeting"))
    await seen.aclose()
    (row,) = read_seen(record.events.query, "s")
    assert (row["platform"], row["user"], row["verdict"]["category"], row["t"]) == ("twitch", "bo", "chitchat", 100.0)


async def test_a_failing_record_is_counted_and_never_stops_the_show() -> None:
    class Broken:
        def add_show(self, name: str, language: str) -> None:
            raise OSError("disk full")

        def add_event(self, event: Mapping[str, Any]) -> int:
            raise OSError("disk full")

        def add_fate(self, seq: int, **kw: Any) -> None:
            raise OSError("disk full")

        def flush(self) -> None:
            raise OSError("disk full")

    seen = SeenLog(Broken(), Clock(), show=("Shop", "en"))
    e = ask("price?")
    assert seen.triage(Decide({e.text: verdict(e)})).decide(e).action is Action.ANSWER
    await seen.aclose()
    assert seen.failed == 3


async def test_a_rehearsal_carries_every_event_with_its_verdict_and_what_became_of_it(tmp_path: Path) -> None:
    report = await rehearsed(tmp_path, minutes=6)
    assert {"timeline", "dropped", "summary", "seen", "said"} <= set(report)
    sent = [x for x in chat_lines(6)]
    seen = report["seen"]
    assert [(e["kind"], e["user"], e.get("text", ""), e["platform"]) for e in seen] == [
        (x["type"], x["user"], x.get("text", ""), x["platform"]) for x in sent]
    assert all(e["verdict"]["action"] in ("answer", "thank", "ignore", "block") for e in seen)
    said = {s["utterance_id"]: s for s in report["said"]}
    answered = [(e, f) for e in seen for f in e["fates"] if f["fate"] == "answered"]
    assert answered and len(answered) == report["summary"]["answered_comment_to_first_audio_ms"]["n"]
    for e, f in answered:
        reply = said[f["utterance_id"]]
        assert reply["kind"] == "reply" and {"user": e["user"], "text": e["text"]} in reply["comments"]
    dropped = sorted((d["user"], d["text"], d["reason"].split(":")[0]) for d in report["dropped"])
    recorded = sorted((e["user"], e["text"], f["reason"]) for e in seen for f in e["fates"] if f["fate"] == "dropped")
    assert recorded == dropped  # a question every 12 s: usually every one is answered, nothing dropped
    blocked = [e for e in seen if e["verdict"]["action"] == "block"]
    assert len(blocked) == report["summary"]["comments_blocked"] and blocked
    json.dumps(report)  # the whole report stays JSON


async def test_in_a_busy_rehearsal_the_shows_own_drops_are_fates_and_in_the_dropped_list(tmp_path: Path) -> None:
    from agent.app.rehearse import rehearse
    from agent.settings import load_settings
    from testkit.scripted_llm import Script, ScriptedLlmServer
    from tests.report.rehearsed import QUESTIONS, SETTINGS

    chat: list[dict[str, Any]] = [{"t": 2.0 + i, "type": "comment", "user": f"v{i}",
                                   "text": QUESTIONS[i % len(QUESTIONS)]} for i in range(40)]
    chat += [{"t": 2.5 + i, "type": "comment", "user": f"c{i}", "text": "this stream is so fun lol"} for i in range(40)]
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in sorted(chat, key=lambda x: x["t"])), encoding="utf-8")
    server = ScriptedLlmServer(Script(["Thanks for asking!"]))
    await server.start()
    try:
        settings = load_settings(SETTINGS, overrides={"show.data_dir": str(tmp_path / "data"),
                                                      "knowledge.embedding": "hash", "llm.base_url": server.base_url})
        report = await rehearse(settings, chat=str(path), duration=90.0)
    finally:
        await server.stop()
    recorded = sorted((e["user"], f["reason"]) for e in report["seen"] for f in e["fates"] if f["fate"] == "dropped")
    listed = sorted((d["user"], d["reason"].split(":")[0]) for d in report["dropped"])
    assert recorded == listed
    own = {r for _, r in recorded} & {"small_talk_when_busy", "stale_merged"}
    assert own, recorded  # askers too old to name in a merged reply, small talk skipped: decided by the show
    for reason in own:
        assert report["summary"]["drops_by_reason"][reason] == sum(1 for _, r in recorded if r == reason)

