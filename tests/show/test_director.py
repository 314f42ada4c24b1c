import asyncio
from collections.abc import AsyncIterator
from functools import partial

from agent.clock import VirtualClock
from agent.director.bus import RenderBus
from agent.director.director import Director
from agent.director.script import Script, ScriptCursor, ScriptLine
from agent.director.utterance import Kind, Utterance, from_texts
from agent.metrics import Metrics
from agent.product import Product
from agent.render import AudioChunk, ProductShown, UtteranceEnded
from agent.speech.cache import SpeechCache
from agent.speech.stream import synthesize
from testkit.tone_tts import RecordingRenderer, ToneEngine

PRODUCTS = {p.id: p for p in (Product("shirt", "Linen Shirt", 49.0, "EUR"), Product("mug", "Mug", 12.0, "EUR"))}


def make_script(n: int = 6) -> Script:
    lines = tuple(ScriptLine(i, f"Script sentence number {i}.", "shirt" if i < 3 else "mug", "intro", "en")
                  for i in range(n))
    return Script(lines, loop=True)


def make_director(clock: VirtualClock, n: int = 6, **kw: object) -> tuple[Director, RecordingRenderer, ToneEngine]:
    engine = ToneEngine()
    rec = RecordingRenderer()
    d = Director(clock=clock, bus=RenderBus([rec]), cursor=ScriptCursor(make_script(n)), speech=SpeechCache(engine),
                 products=PRODUCTS.get, metrics=Metrics(clock), **kw)  # type: ignore[arg-type]
    return d, rec, engine


async def run_for(clock: VirtualClock, director: Director, seconds: float, during=None) -> None:  # type: ignore[no-untyped-def]
    driver = asyncio.ensure_future(clock.run())
    show = asyncio.ensure_future(director.run())
    if during is not None:
        await during()
    await clock.sleep(seconds)
    director.stop()
    await show
    driver.cancel()
    await asyncio.gather(driver, return_exceptions=True)


async def test_script_plays_sentence_by_sentence_and_loops() -> None:
    clock = VirtualClock()
    d, rec, _ = make_director(clock, n=3)
    await run_for(clock, d, 60)
    spoken = [t.script_index for t in d.state.timeline if t.kind == "script" and not t.interrupted]
    assert spoken[:7] == [0, 1, 2, 0, 1, 2, 0]
    # playback is paced by audio duration: no overlap, no gap
    ends = [(t.start, t.end) for t in d.state.timeline]
    assert all(b[0] >= a[1] - 1e-9 for a, b in zip(ends, ends[1:], strict=False))


async def test_reply_waits_for_sentence_end_then_script_resumes_at_next_sentence() -> None:
    clock = VirtualClock()
    d, rec, _ = make_director(clock)

    async def comment_mid_sentence() -> None:
        await clock.sleep(0.3)  # inside script sentence 0 (it lasts ~1.35 s)
        d.submit(Utterance(Kind.REPLY, from_texts(["Ana, it is 49 EUR."]), partial(synthesize, ToneEngine()),
                           comment={"user": "ana", "text": "price?"}, received=clock.now()))

    await run_for(clock, d, 8, comment_mid_sentence)
    kinds = [(t.kind, t.script_index) for t in d.state.timeline]
    assert kinds[:4] == [("script", 0), ("reply", None), ("script", 1), ("script", 2)]
    first_script, reply = d.state.timeline[0], d.state.timeline[1]
    assert not first_script.interrupted and reply.start >= first_script.end - 1e-9
    assert reply.comment == {"user": "ana", "text": "price?"}
    assert d.state.resumed_after_reply == 1


async def test_bridge_phrase_is_said_before_the_script_resumes() -> None:
    clock = VirtualClock()
    d, rec, _ = make_director(clock, bridges=lambda lang, p: [f"Back to the {p.title if p else 'show'}."])

    async def comment() -> None:
        await clock.sleep(0.1)
        d.submit(Utterance(Kind.REPLY, from_texts(["Sure."]), partial(synthesize, ToneEngine())))

    await run_for(clock, d, 6, comment)
    kinds = [t.kind for t in d.state.timeline][:4]
    assert kinds == ["script", "reply", "bridge", "script"]
    assert d.state.timeline[2].text == "Back to the Linen Shirt."


async def test_no_bridge_phrase_while_questions_keep_coming() -> None:
    clock = VirtualClock()
    d, _, _ = make_director(clock, bridges=lambda lang, p: ["Back to the show."])
    d.busy = lambda: True

    async def comment() -> None:
        await clock.sleep(0.1)
        d.submit(Utterance(Kind.REPLY, from_texts(["Sure."]), partial(synthesize, ToneEngine())))

    await run_for(clock, d, 6, comment)
    assert [t.kind for t in d.state.timeline][:3] == ["script", "reply", "script"]


async def test_product_card_follows_the_script_segment() -> None:
    clock = VirtualClock()
    d, rec, _ = make_director(clock)
    await run_for(clock, d, 10)
    shown = [e.product_id for e in rec.events if isinstance(e, ProductShown)]
    assert shown[:2] == ["shirt", "mug"]


async def test_pause_cuts_the_sentence_and_resume_replays_it_whole() -> None:
    clock = VirtualClock()
    d, rec, _ = make_director(clock)

    async def pause_resume() -> None:
        await clock.sleep(0.5)
        d.pause()
        await clock.sleep(3)
        d.resume()

    await run_for(clock, d, 8, pause_resume)
    tl = d.state.timeline
    assert tl[0].interrupted and tl[0].script_index == 0
    assert tl[1].script_index == 0 and not tl[1].interrupted and tl[1].start >= 3.5
    played = [t.script_index for t in tl if t.kind == "script" and not t.interrupted and t.script_index is not None]
    assert played == sorted(played) and len(played) == len(set(played))


async def test_interrupt_cancels_the_llm_stream_and_tts_behind_a_reply() -> None:
    clock = VirtualClock()
    d, rec, _ = make_director(clock, cut_in_at_once=True)
    closed = asyncio.Event()
    produced: list[str] = []

    async def endless_llm() -> AsyncIterator[str]:
        try:
            i = 0
            while True:
                i += 1
                produced.append(f"Sentence {i}.")
                yield f"Sentence {i}."
        finally:
            closed.set()

    async def scenario() -> None:
        await clock.sleep(0.1)
        d.submit(Utterance(Kind.REPLY, endless_llm(), partial(synthesize, ToneEngine())))
        await clock.sleep(3)
        d.submit(Utterance(Kind.SAY_NOW, from_texts(["Moderator says stop."]), partial(synthesize, ToneEngine())))

    await run_for(clock, d, 10, scenario)
    assert closed.is_set()
    reply = next(t for t in d.state.timeline if t.kind == "reply")
    assert reply.interrupted
    # the record holds only what was played, not what the LLM produced ahead
    assert len(reply.text.split("Sentence")) - 1 < len(produced)
    ended = next(e for e in rec.events if isinstance(e, UtteranceEnded) and e.kind == "reply")
    assert ended.interrupted and ended.spoken == reply.text
    assert any(t.kind == "say_now" for t in d.state.timeline)


async def test_audio_chunks_carry_text_and_mouth_levels() -> None:
    clock = VirtualClock()
    d, rec, _ = make_director(clock, n=2)
    await run_for(clock, d, 3)
    chunk = next(e for e in rec.events if isinstance(e, AudioChunk))
    assert chunk.audio.text == "Script sentence number 0."
    assert chunk.audio.levels and max(chunk.audio.levels) > 0
    assert chunk.to_json()["data"]


async def test_script_carries_on_between_back_to_back_replies() -> None:
    clock = VirtualClock()
    d, rec, _ = make_director(clock, script_between_replies=1)

    async def flood() -> None:
        await clock.sleep(0.1)
        for i in range(3):
            d.submit(Utterance(Kind.REPLY, from_texts([f"Answer {i}."]), partial(synthesize, ToneEngine())))

    await run_for(clock, d, 12, flood)
    kinds = [t.kind for t in d.state.timeline][:6]
    assert kinds == ["script", "reply", "script", "reply", "script", "reply"]
    played = [t.script_index for t in d.state.timeline if t.kind == "script"]
    assert played[:4] == [0, 1, 2, 3]  # resumed at the next unspoken sentence each time


async def test_a_waiting_thank_you_is_not_starved_by_a_stream_of_replies() -> None:
    clock = VirtualClock()
    d, rec, _ = make_director(clock, script_between_replies=0)

    async def busy_chat() -> None:
        await clock.sleep(0.1)
        d.submit(Utterance(Kind.THANKS, from_texts(["Thank you wei for the roses!"]),
                           partial(synthesize, ToneEngine())))
        for i in range(12):
            d.submit(Utterance(Kind.REPLY, from_texts([f"Here is answer number {i}."]),
                               partial(synthesize, ToneEngine())))
            await clock.sleep(1.0)

    await run_for(clock, d, 30, busy_chat)
    kinds = [t.kind for t in d.state.timeline]
    assert "thanks" in kinds
    thanks = next(t for t in d.state.timeline if t.kind == "thanks")
    assert thanks.start - 0.1 <= 10.0 + 2.0  # patience plus the sentence that was playing


def test_script_lines_the_sheets_do_not_back_are_left_out() -> None:
    from agent.director.script import guarded

    lines = (ScriptLine(0, "The Linen Shirt is 49 EUR.", "shirt", "offer", "en"),
             ScriptLine(1, "Today only, the Linen Shirt is 19 EUR!", "shirt", "offer", "en"),
             ScriptLine(2, "The Mug cures headaches.", "mug", "features", "en"))
    kept = guarded(Script(lines), list(PRODUCTS.values()))
    assert [line.text for line in kept.lines] == ["The Linen Shirt is 49 EUR."]
