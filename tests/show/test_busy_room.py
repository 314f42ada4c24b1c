"""A busy room: replies are said while fresh or not at all, the script keeps its share of the air, and the
next reply is made just in time from the freshest questions (on virtual time, tone speech)."""

from __future__ import annotations

import asyncio
from functools import partial

from agent.clock import VirtualClock
from agent.director.airtime import Airtime
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
