"""The director: one voice, many wishes. It plays the script sentence by sentence; between sentences it
plays whatever has a higher priority (say-now > reply > thanks > bridge), then resumes the script at the
next unspoken sentence. Playback is paced by each chunk's duration on the injected clock, so the show runs
the same with or without a browser, and on virtual time in tests and rehearsals.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
from collections.abc import Callable, Sequence
from typing import Any

from agent.audio import Audio
from agent.director.airtime import Airtime
from agent.director.bus import RenderBus
from agent.director.script import ScriptCursor, ScriptLine
from agent.director.timeline import DirectorState as DirectorState  # re-exported: tests and controls read it here
from agent.director.timeline import TimelineEntry as TimelineEntry  # re-exported: said, tally, seen import it here
from agent.director.utterance import Kind, Utterance
from agent.metrics import Metrics
from agent.onscreen import OnScreen
from agent.ports import Clock
from agent.product import Product
from agent.render import AudioChunk, ProductShown, ShowState, UtteranceEnded, UtteranceStarted
from agent.speech.cache import SpeechCache

log = logging.getLogger(__name__)


class Director:
    def __init__(
        self,
        *,
        clock: Clock,
        bus: RenderBus,
        cursor: ScriptCursor,
        speech: SpeechCache,
        products: Callable[[str], Product | None],
        metrics: Metrics,
        bridges: Callable[[str, Product | None], list[str]] | None = None,
        cut_in_at_once: bool = False,
        script_between_replies: int = 1,
        thanks_patience_s: float = 10.0,
        on_screen: OnScreen | None = None,
        rng: random.Random | None = None,
        script_share: float = 0.0,
        airtime_window_s: float = 300.0,
        said: Sequence[Callable[[TimelineEntry], None]] = (),
        expired: Sequence[Callable[[Utterance], None]] = (),
    ) -> None:
        self._clock = self.clock = clock
        self._bus = bus
        self._cursor = cursor
        self.cursor = cursor
        self._speech = speech
        self._products = products
        self._metrics = metrics
        self._bridges = bridges
        self._cut_in_at_once = cut_in_at_once
        self._between = script_between_replies
        self._thanks_patience = thanks_patience_s
        self._screen = on_screen
        self._rng = rng or random.Random(0)
        self._airtime = Airtime(script_share, airtime_window_s)
        self._said = list(said)  # observers of each entry once played (the on-air record)
        self._expired = list(expired)  # observers of each reply dropped before it could start (the record)
        self._chunk_end = 0.0
        self._heap: list[tuple[int, int, Utterance]] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._cut = asyncio.Event()
        self._unpaused = asyncio.Event()
        self._unpaused.set()
        self._stopped = False
        self._finishing = False  # a graceful stop: the sentence playing ends, then the closing line
        self._closing: Utterance | None = None
        self.state = DirectorState()
        self.busy: Callable[[], bool] = lambda: False  # questions keep coming (the show says): no bridges then
        self.current: Utterance | None = None

    def listen(self, said: Callable[[TimelineEntry], None] | None = None,
               expired: Callable[[Utterance], None] | None = None) -> None:
        """Observe every entry once played, and every reply dropped before it could start."""
        if said is not None:
            self._said.append(said)
        if expired is not None:
            self._expired.append(expired)

    # -- controls (moderator and pipeline) -------------------------------------------------------------
    def submit(self, utt: Utterance) -> None:
        """Queue an utterance; its production (LLM, TTS) starts now, while the current sentence plays."""
        if not utt.created:
            utt.created = self._clock.now()
        utt.start()
        heapq.heappush(self._heap, (-utt.priority, next(self._seq), utt))
        self._wake.set()
        if self.current is not None and utt.kind is Kind.SAY_NOW and self._cut_in_at_once:
            self._cut.set()

    @property
    def pending(self) -> list[Utterance]:
        return [u for _, _, u in sorted(self._heap)]

    def remaining_s(self) -> float:
        """Seconds of audio left in what plays now, as far as it is produced (0 when nothing plays)."""
        if self.current is None:
            return 0.0
        return max(0.0, self._chunk_end - self._clock.now()) + self.current.queued_seconds()

    async def until_free(self, lead_s: float, due: Callable[[], float | None] | None = None) -> None:
        """Return once what plays now has at most ``lead_s`` seconds left and a reply would go next (the
        script has had its share, or ``due()``, when the best question waiting must be answered by, comes
        before another script sentence could end): the next reply is then made from the freshest questions,
        just in time, instead of waiting behind the current utterance and the script sentences owed."""
        while not self._stopped and self.current is not None:
            left = self.remaining_s()
            share = self._airtime.share <= 0 or self._airtime.script_has_its_share()
            if left <= lead_s and (share or self._too_late_after_script(due() if due is not None else None)):
                return
            await self._clock.sleep(max(left - lead_s, 0.0) if left > lead_s else left + 0.01)

    def air_to_spare(self) -> bool:
        """The script has had more than its share of the air lately (see ``Airtime.air_to_spare``)."""
        return self._airtime.air_to_spare()

    @property
    def on_screen(self) -> Product | None:
        return self.state.on_screen

    def pause(self) -> None:
        self.state.status = "paused"
        self._unpaused.clear()
        self._cut.set()

    def resume(self) -> None:
        self.state.status = "playing"
        self._unpaused.set()

    def skip(self) -> None:
        """Cut what is playing now; if it is the script, jump to its next segment."""
        if self.current is None or self.current.kind is Kind.SCRIPT:
            self._cursor.skip_segment()
        self._cut.set()

    def finish(self, closing: Utterance | None = None) -> None:
        """A graceful stop (SIGTERM): the sentence playing now ends, ``closing`` is said, then the director
        stops; nothing else waiting is said. :meth:`stop` still cuts at once."""
        self._finishing, self._closing = True, closing
        if closing is not None:
            closing.start()  # synthesized while the last sentence plays
        if self._clock.now() >= self._chunk_end:
            self._cut.set()  # no sentence is being said: nothing to finish
        self._unpaused.set()
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self.state.status = "stopped"
        self._cut.set()
        self._unpaused.set()
        self._wake.set()

    # -- the loop ----------------------------------------------------------------------------------------
    async def run(self) -> None:
        await self._bus.send(ShowState("playing"))
        after_reply = False
        owed = 0  # script sentences owed before the next reply or thanks: the show carries on between answers
        try:
            while not self._stopped:
                if self._finishing:
                    self._finishing, closing = False, self._closing
                    if closing is not None:
                        await self._play(closing)
                    self.stop()
                    continue
                if not self._unpaused.is_set():
                    await self._bus.send(ShowState("paused"))
                    await self._unpaused.wait()
                    if self._stopped:
                        break
                    await self._bus.send(ShowState("playing"))
                line = self._cursor.current()
                urgent = bool(self._heap) and self._heap[0][2].kind is Kind.SAY_NOW
                if self._heap and (urgent or line is None or self._replies_first(owed)):
                    utt = self._pop()
                    if utt is None:
                        continue
                    await self._play(utt)
                    if utt.kind >= Kind.REPLY:
                        after_reply = True
                    if utt.kind in (Kind.REPLY, Kind.THANKS):
                        owed = self._between
                    continue
                if line is None:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                if after_reply:
                    after_reply = False
                    self.state.resumed_after_reply += 1
                    if not self._heap and not self.busy():  # no bridge while questions wait or keep coming
                        await self._bridge(line)
                if await self._play_line(line):
                    owed -= 1
        finally:
            for _, _, utt in self._heap:
                await utt.cancel()
            self._heap.clear()
            await self._bus.send(ShowState("stopped"))

    def _replies_first(self, owed: int) -> bool:
        """With a script share set, the share decides (a reply about to go stale may run ahead of it a
        little); without one, ``script_between_replies`` sentences are owed after each reply or thanks."""
        if self._airtime.share > 0:
            return self._airtime.script_has_its_share() or self._reply_would_expire()
        return owed <= 0

    def _reply_would_expire(self) -> bool:
        """Would the best waiting reply miss its deadline if a script sentence played first? Then it goes
        first: the script's share is kept over the airtime window, a late answer is lost for good."""
        top = self._heap[0][2] if self._heap else None
        return top is not None and top.kind is Kind.REPLY and self._too_late_after_script(top.expires)

    def _too_late_after_script(self, deadline: float | None) -> bool:
        """Would ``deadline`` pass if a script sentence played first (and the script is not short of its share)?"""
        if deadline is None or self._airtime.script_short():
            return False
        return self._clock.now() + 2.5 * self._airtime.typical_script_s() > deadline

    def _pop(self) -> Utterance | None:
        """Highest priority first; but a thank-you that has waited too long goes before further replies,
        so a busy chat never starves the gift thanks. A reply past its ``expires`` is dropped, never said
        late (None is returned; the director looks again)."""
        now = self._clock.now()
        if self._heap[0][2].kind is Kind.SAY_NOW:
            return heapq.heappop(self._heap)[2]
        for i, (_, _, u) in enumerate(self._heap):
            if u.kind is Kind.THANKS and now - u.created >= self._thanks_patience:
                self._heap.pop(i)
                heapq.heapify(self._heap)
                return u
        utt = heapq.heappop(self._heap)[2]
        if utt.expires is not None and now > utt.expires:
            self.state.add_expired(utt)
            for observe_expired in self._expired:
                observe_expired(utt)
            self._metrics.count("reply_expired")
            asyncio.ensure_future(utt.cancel())
            return None
        return utt

    async def _bridge(self, line: ScriptLine) -> None:
        if self._bridges is None:
            return
        product = self._products(line.product_id) if line.product_id else None
        options = self._bridges(line.language, product)
        if not options:
            return
        audio = await self._audio(self._rng.choice(options), line.language)
        if audio is None:
            return
        utt = Utterance(Kind.BRIDGE, None, None, language=line.language, product_id=line.product_id)
        utt.preload([audio])
        await self._play(utt)

    async def _audio(self, text: str, language: str) -> Audio | None:
        """A script line's or a bridge's speech; None (logged) when the engine fails or hangs past its timeout:
        that sentence is skipped and the show goes on."""
        try:
            return await self._speech.get(text, language)
        except Exception as exc:  # noqa: BLE001 - whatever the engine raised, the show must not end on it
            log.warning("sentence skipped: speech failed", extra={"error": repr(exc), "chars": len(text)})
            return None

    async def _play_line(self, line: ScriptLine) -> bool:
        audio = await self._audio(line.text, line.language)
        if audio is None:
            self._cursor.advance()
            return False
        nxt = self._cursor.script.lines[(line.index + 1) % len(self._cursor.script.lines)]
        self._speech.prefetch(nxt.text, nxt.language)
        utt = Utterance(Kind.SCRIPT, None, None, language=line.language, product_id=line.product_id)
        utt.preload([audio])
        completed = await self._play(utt, script_index=line.index)
        if completed:
            self._cursor.advance()
        return completed

    async def _show_product(self, product_id: str | None) -> None:
        if not product_id or (self.state.on_screen and self.state.on_screen.id == product_id):
            return
        product = self._products(product_id)
        if product is None:
            return
        self.state.on_screen = product
        await self._bus.send(ProductShown(product.id, product.title, product.price, product.currency))
        if self._screen is not None:
            self._screen.show(product)

    async def _play(self, utt: Utterance, script_index: int | None = None) -> bool:
        """Play an utterance to its end or until cut; returns True when every chunk was played."""
        self.current = utt
        self._cut.clear()
        start = self._clock.now()
        started = False
        latency: float | None = None
        completed = True
        seq = 0
        try:
            await self._show_product(utt.product_id)
            while True:
                if self._finishing:  # a graceful stop: the sentence that just played was the last
                    completed = started and utt.said_all()
                    break
                audio = await self._next_or_cut(utt)
                if audio is None:
                    completed = not self._cut.is_set()
                    break
                now = self._clock.now()
                if not started:
                    started = True
                    start = now
                    utt.playing.set()
                    await self._bus.send(UtteranceStarted(utt.id, utt.kind.label, utt.comment))
                    if utt.received is not None:
                        latency = now - utt.received
                        self._metrics.observe("comment_to_first_audio", latency)
                await self._bus.send(AudioChunk(utt.id, seq, audio, now, utt.kind.label))
                self._chunk_end = now + audio.duration
                seq += 1
                if not await self._hold(audio.duration):
                    completed = False
                    break
                utt.spoken.append(audio.text)
        finally:
            if not completed or self._stopped:
                await utt.cancel()
            else:
                await utt.aclose()
            self.current = None
        if utt.error is not None:
            log.warning("utterance failed", extra={"utterance": utt.id, "error": repr(utt.error)})
        if started:
            end = self._clock.now()
            interrupted = not completed
            self._metrics.said(utt.kind.label, cut=interrupted)
            await self._bus.send(UtteranceEnded(utt.id, utt.kind.label, " ".join(utt.spoken), interrupted))
            entry = TimelineEntry(
                start, end, utt.kind.label, " ".join(utt.spoken), utt.comment, interrupted,
                utt.product_id, utt.id, script_index, latency, utt.comments,
            )
            self.state.add(entry)
            for observe in self._said:
                observe(entry)
            self._airtime.add(end, end - start, utt.kind is Kind.SCRIPT)
        return completed and started

    async def _next_or_cut(self, utt: Utterance) -> Any:
        """The next chunk, unless a cut (stop, skip, pause, urgent say-now) comes first."""
        if self._cut.is_set():
            return None
        get = asyncio.ensure_future(utt.next_audio())
        cut = asyncio.ensure_future(self._cut.wait())
        try:
            await asyncio.wait({get, cut}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            cut.cancel()
            if not get.done():
                get.cancel()
        if get.done() and not get.cancelled() and not self._cut.is_set():
            return get.result()
        return None

    async def _hold(self, seconds: float) -> bool:
        """Wait while a chunk plays; False if cut short."""
        sleep = asyncio.ensure_future(self._clock.sleep(seconds))
        cut = asyncio.ensure_future(self._cut.wait())
        try:
            await asyncio.wait({sleep, cut}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for f in (sleep, cut):
                if not f.done():
                    f.cancel()
            await asyncio.gather(sleep, cut, return_exceptions=True)
        return not self._cut.is_set()
