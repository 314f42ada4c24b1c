"""A busy room: replies are said while fresh or not at all, the script keeps its share of the air, and the
next reply is made just in time from the freshest questions (on virtual time, tone speech)."""

from __future__ import annotations

import asyncio
from functools import partial

from agent.clock import VirtualClock
from agent.director.airtime import Airtime
from agent.director.timeline import KEEP_RECENT, TimelineEntry
from agent.director.utterance import Kind, Utterance, from_texts
from agent.speech.stream import synthesize
from testkit.tone_tts import ToneEngine
from tests.show.test_director import make_director, run_for


def _reply(clock: VirtualClock, text: str, expires: float | None = None) -> Utterance:
    return Utterance(Kind.REPLY, from_texts([text]), partial(synthesize, ToneEngine()),
                     comment={"user": "ana", "text": "price?"}, received=clock.now(), expires=expires)


async def test_a_reply_that_cannot_start_before_its_deadline_is_dropped_never_said_late() -> None:
    clock = VirtualClock()
    d, _, _ = make_director(clock)
    late = _reply(clock, "Ana, it is 49 EUR.", expires=0.5)  # the script sentence playing now lasts longer

    async def comment() -> None:
        await clock.sleep(0.3)
        d.submit(late)

    await run_for(clock, d, 6, comment)
    assert [t for t in d.state.timeline if t.kind == "reply"] == []
    assert d.state.expired == [late] and late.playing.is_set()  # the pipeline moves on to the next question


async def test_the_script_keeps_its_share_of_the_air_when_replies_never_stop() -> None:
    clock = VirtualClock()
    d, _, _ = make_director(clock, script_share=0.5, airtime_window_s=60.0)

    async def keep_asking() -> None:
        async def feed() -> None:
            while True:
                utt = _reply(clock, "Ana, it is 49 EUR and it comes in three sizes.")
                d.submit(utt)
                await utt.playing.wait()

        asyncio.ensure_future(feed())

    await run_for(clock, d, 300, keep_asking)
    air = {k: sum(t.end - t.start for t in d.state.timeline if t.kind == k) for k in ("script", "reply")}
    share = air["script"] / (air["script"] + air["reply"])
    assert 0.4 <= share <= 0.6, share


async def test_without_a_share_the_director_keeps_its_fixed_script_sentences_between_replies() -> None:
    airtime = Airtime(0.0, 60.0)
    airtime.add(10.0, 10.0, script=False)
    assert not airtime.script_has_its_share() and not airtime.script_short()


async def test_the_next_reply_is_made_when_the_air_is_about_to_be_free() -> None:
    clock = VirtualClock()
    d, _, _ = make_director(clock)
    waited: list[float] = []

    async def ask_when_free() -> None:
        async def go() -> None:
            await clock.sleep(0.2)  # a script sentence is playing
            assert d.remaining_s() > 0.5
            await d.until_free(0.5)
            waited.append(d.remaining_s())

        asyncio.ensure_future(go())

    await run_for(clock, d, 5, ask_when_free)
    assert waited and waited[0] <= 0.5


async def _free_at(due: float | None) -> tuple[float, float]:
    """When ``until_free`` returns with a question due ``due`` s from now (None: none), and when the first
    script sentence ends; the script starts a little below its share of the air, not short of it."""
    clock = VirtualClock()
    d, _, _ = make_director(clock, script_share=0.5, airtime_window_s=60.0)
    d._airtime.add(0.0, 5.2, script=False)
    d._airtime.add(0.0, 4.8, script=True)
    returned: list[float] = []

    async def ask() -> None:
        async def go() -> None:
            await clock.sleep(0.2)
            deadline = None if due is None else clock.now() + due
            await d.until_free(0.5, lambda: deadline)
            returned.append(clock.now())

        asyncio.ensure_future(go())

    await run_for(clock, d, 30, ask)
    return returned[0], d.state.timeline[0].end


async def test_a_product_question_about_to_go_stale_is_answered_before_the_script_catches_up() -> None:
    due_at, first_sentence = await _free_at(3.0)
    free_at, _ = await _free_at(None)
    assert due_at <= first_sentence < free_at


async def test_the_director_keeps_only_its_recent_timeline_while_listeners_see_every_entry() -> None:
    clock = VirtualClock()
    d, _, _ = make_director(clock, n=2)
    seen: list[str] = []
    d.listen(said=lambda entry: seen.append(entry.utterance_id))
    for i in range(3 * KEEP_RECENT):  # a long show so far
        d.state.add(TimelineEntry(float(i), i + 1.0, "script", "line", None, False, None, f"u{i}"))
    assert KEEP_RECENT <= len(d.state.timeline) <= 2 * KEEP_RECENT
    await run_for(clock, d, 20)
    assert len(seen) >= 3 and seen[-1] == d.state.timeline[-1].utterance_id


def test_in_a_busy_room_small_talk_deflections_and_off_scope_refusals_wait_but_product_answers_do_not() -> None:
    from agent.answering import Answer, can_wait
    from agent.events import Event, EventKind, User
    from agent.reply.planner import ReplyPlan
    from agent.verdict import Action, Category, Verdict

    def answer(category: Category, decision: str | None, reason: str = "q") -> Answer:
        e = Event(EventKind.COMMENT, User("ann", "ann"), text="?", time=0.0)
        plan = None if decision is None else ReplyPlan(decision, "?", ("ann",), "en", (), None)
        return Answer(Verdict(Action.ANSWER, category, reason, (e,)), plan)

    assert can_wait(answer(Category.CHITCHAT, None, "chit-chat"))
    assert not can_wait(answer(Category.CHITCHAT, None, "a greeting"))
    assert can_wait(answer(Category.OTHER_QUESTION, "deflect"))
    assert can_wait(answer(Category.OTHER_QUESTION, "refuse"))
    assert not can_wait(answer(Category.PRODUCT_QUESTION, "refuse"))  # "we do not sell that" answers it
    assert not can_wait(answer(Category.PRODUCT_QUESTION, "answer"))


def test_spare_air_goes_to_the_chat_only_when_the_script_had_more_than_its_share() -> None:
    airtime = Airtime(0.3, 60.0)
    airtime.add(10.0, 2.0, script=True)
    airtime.add(18.0, 8.0, script=False)
    assert not airtime.air_to_spare()  # the script had 20% against its 30%: no air to spare...
    airtime.add(22.0, 4.0, script=True)
    assert airtime.air_to_spare()  # ...43%: small talk may have some
    assert not Airtime(0.0, 60.0).air_to_spare()
