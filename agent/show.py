"""The live pipeline: events in, triage, replies and thanks out through the director.

    sources -> triage.decide -> (answer) reply queue -> screen -> ReplyWriter -> Utterance -> Director -> renderers
                             -> (thank)  thanks aggregator -> Utterance -> Director
                             -> (ignore/block) counted, shown to the console
                             -> (passed) chat feed -> screen -> the overlay's chat, on the broadcast

Moderators see every comment with its verdict (``ChatSeen``, console only). The broadcast shows only comments
that passed the word lists *and* the semantic screen (``ChatShown``); the screen runs on the comments about to
be answered or shown, not on every event, so triage keeps its throughput. Viewer names said on air (thanks,
replies) are checked against the same lists first.

One reply is prepared while another plays, never more: the queue keeps the rest and drops what went stale.
In approval mode (``approvals``) replies are written ahead and wait for a moderator instead.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter, OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from agent.answering import Answer, Answering, can_wait, chitchat_line, thanks_line
from agent.approval import Approvals
from agent.director.bus import RenderBus
from agent.director.director import Director
from agent.director.utterance import Kind, Utterance, from_texts
from agent.events import Event
from agent.metrics import Metrics, percentile
from agent.moderation.screen import Screen
from agent.onscreen import OnScreen
from agent.ports import Clock, Decider, EventSource, ReplyQueue, SpeechEngine, Thanks
from agent.product import Product
from agent.prompts import PromptStore
from agent.render import ChatSeen, ChatShown
from agent.reply.writer import ReplyOutcome, ReplyWriter
from agent.said import SaidLog
from agent.speech.stream import synthesize
from agent.tally import AirCounts, QuestionTally, ShowStats
from agent.triage.flood import merge_key
from agent.verdict import Action, Category, Verdict, drop_code

log = logging.getLogger(__name__)


class Show:
    def __init__(
        self,
        *,
        clock: Clock,
        sources: Sequence[EventSource],
        triage: Decider,
        queue: ReplyQueue,
        thanks: Thanks,
        writer: ReplyWriter,
        director: Director,
        bus: RenderBus,
        speech: SpeechEngine,
        prompts: PromptStore,
        metrics: Metrics,
        background: Sequence[Callable[[], Awaitable[None]]] = (),
        idle_after_s: float = 0.0,
        rng: random.Random | None = None,
        screen: Screen | None = None,
        name_ok: Callable[[str], bool] | None = None,
        flagged: Callable[[str, str], bool] | None = None,
        feed_backlog: int = 20,
        on_screen: OnScreen | None = None,
        answer_within_s: float = 10.0,
        candidates: int = 8,
        merge_window_s: float = 10.0,
        lead_s: float = 1.0,
        drop_counts: Callable[[], dict[str, int]] | None = None,
        approvals: Approvals | None = None,
        said: SaidLog | None = None,
        dropped: Callable[[Verdict, str], None] | None = None,
    ) -> None:
        """``screen``: the semantic moderation layer (None: word lists only). ``name_ok``: whether a viewer's
        name may be said on air; ``flagged(platform, user_id)``: a viewer blocked lately, never named.
        ``feed_backlog``: comments waiting for the broadcast's chat feed; in a flood the oldest are left out of
        the feed (moderators still see them). ``on_screen``: each product put on screen warms the LLM for it.
        ``approvals``: approval mode (replies wait for a moderator); ``said``: notes for the on-air record;
        ``dropped(verdict, reason)``: told of each drop decided here (the record's fates)."""
        self._clock = clock
        self._sources = list(sources)
        self._triage = triage
        self._queue = queue
        self._thanks = thanks
        self._writer = writer
        self.director = director
        self._bus = bus
        self._speech = self.speech = speech
        self._prompts = prompts
        self.metrics = metrics
        self._background = list(background)
        self._idle_after = idle_after_s
        self._rng = rng or random.Random(0)
        self._last_comment = 0.0
        self._warming: asyncio.Task[bool] | None = None
        self.stats = ShowStats()
        self._recent: deque[str] = deque(maxlen=8)
        self._screen, self._name_ok, self._flagged = screen, name_ok, flagged
        self._screened_keys: OrderedDict[tuple[str, str], bool] = OrderedDict()
        self._feed: deque[Event] = deque(maxlen=max(1, feed_backlog))
        self._feed_ready = asyncio.Event()
        metrics.depth("chat_feed", lambda: len(self._feed))
        if on_screen is not None:
            on_screen.listen(self.product_changed)
        self._answer_within, self._lead_s = answer_within_s, lead_s
        self._pending: tuple[Utterance, frozenset[str]] | None = None
        self._last_question = float("-inf")
        self._dropped, self._drops_here = dropped, Counter[str]()  # small talk when busy, stale merged askers
        self.tally, self.air = QuestionTally(merge_window_s), AirCounts()  # what was asked, what was said
        for observe in (self.air.said, self.tally.said):
            director.listen(said=observe)
        director.busy = self._busy  # no bridge phrases while questions keep coming: the air goes to answers
        self._drop_counts = drop_counts
        self._answering = Answering(queue, writer, clock, screened=self._screened, names=self.names,
                                    crowd=lambda language: self._prompts.refresh().phrase(language, "several"),
                                    candidates=candidates, fresh_s=answer_within_s / 3)
        self.approvals = approvals
        self._said = said or SaidLog(None)

    async def run(self, duration: float | None = None) -> None:
        """Run until ``duration`` s of show clock have passed (None: forever) or the director ends; stop cleanly."""
        tasks: list[asyncio.Future[Any]] = [asyncio.ensure_future(self.director.run())]
        tasks += [asyncio.ensure_future(self._ingest(s)) for s in self._sources]
        tasks.append(asyncio.ensure_future(self._respond()))
        tasks.append(asyncio.ensure_future(self._thank()))
        tasks.append(asyncio.ensure_future(self._show_chat()))
        tasks += [asyncio.ensure_future(job()) for job in self._background]
        if self._idle_after > 0:
            tasks.append(asyncio.ensure_future(self._idle()))
        length = [] if duration is None else [asyncio.ensure_future(self._clock.sleep(duration))]
        tasks += length  # the show ends when its length is up, or when the director ends (a graceful stop)
        try:
            done, _ = await asyncio.wait([tasks[0], *length], return_when=asyncio.FIRST_COMPLETED)
            await asyncio.gather(*done)  # a director that failed fails the show
        finally:
            self.director.stop()
            if self._warming is not None:
                tasks.append(self._warming)
            for s in self._sources:
                await s.aclose()
            for t in tasks[1:]:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.approvals is not None:
                await self.approvals.aclose()

    def product_changed(self, product: Product) -> None:
        """Warm the LLM's prompt cache for the new product on screen (a question about it is then fast)."""
        if self._warming is not None and not self._warming.done():
            self._warming.cancel()
        self._warming = asyncio.ensure_future(self._writer.warm(product))

    async def _ingest(self, source: EventSource) -> None:
        async for event in source.events():
            await self.handle(event)

    async def handle(self, event: Event) -> Verdict:
        """Triage one event and route it; returns the verdict (for tests and the console)."""
        t0 = self._clock.now()
        verdict = self._triage.decide(event)
        self.metrics.observe("triage", self._clock.now() - t0)
        if event.kind.value == "comment":
            self.stats.comments_seen += 1
            self._last_comment = self._clock.now()
        self.metrics.verdict(verdict)  # the comment by platform, the verdict by action and category
        if verdict.action is Action.BLOCK:
            self.stats.comments_blocked += 1
        await self._bus.send(ChatSeen(
            event.platform, event.user.name, event.text, event.kind.value, verdict.action.value,
            verdict.category.value, verdict.reason,
        ))
        if verdict.action is Action.ANSWER:
            if verdict.category is Category.PRODUCT_QUESTION:
                self.tally.asked(event)
            if verdict.category is not Category.CHITCHAT:
                self._last_question = self._clock.now()
            if not self._joins_pending(event):
                self._queue.push(verdict)
        elif verdict.action is Action.THANK:
            self._thanks.add(verdict)
        if verdict.broadcast:
            self._feed.append(event)
            self._feed_ready.set()
        return verdict

    async def _blocked(self, event: Event, reason: str, action: str = "block", category: str = "banned") -> None:
        """A comment the screen stopped after triage let it through: moderators see why, viewers see nothing."""
        self.stats.comments_blocked += 1
        self.tally.blocked(event)
        self.metrics.count("screen.block")
        await self._bus.send(ChatSeen(event.platform, event.user.name, event.text, event.kind.value, action,
                                      category, reason))

    async def _screened(self, event: Event) -> bool:
        """True when the comment passes the semantic screen (or there is none). Checked once per comment:
        the chat feed and the reply queue may both ask."""
        if self._screen is None or not event.text:
            return True
        key = (event.key, event.text)
        known = self._screened_keys.get(key)
        if known is not None:
            return known
        m = await self._screen.check(event.text, event)
        self._screened_keys[key] = m is None
        while len(self._screened_keys) > 2048:
            self._screened_keys.popitem(last=False)
        if m is None:
            return True
        what = {"spam": "spam", "injection": "injection attempt"}.get(m.category, "banned topic")
        how = "meaning: close to" if m.rule == "meaning" else f"{m.rule}:"  # "decoded pattern:", "decoded keyword:"
        await self._blocked(event, f"{what} '{m.topic}' ({how} \"{m.matched}\")",
                            category={"spam": "spam", "injection": "injection"}.get(m.category, "banned"))
        return False

    async def _show_chat(self) -> None:
        """The broadcast's chat feed: only comments that passed every layer, newest kept in a flood."""
        while True:
            while not self._feed:
                self._feed_ready.clear()
                await self._feed_ready.wait()
            event = self._feed.popleft()
            if await self._screened(event):
                if event.text:
                    self._recent.append(f"{event.user.name}: {event.text}")
                await self._bus.send(ChatShown(event.platform, self.spoken_name(event.user.name), event.text,
                                               event.kind.value))

    def spoken_name(self, name: str) -> str:
        """A viewer's name as it may appear on air: names that break the lists are never said or shown."""
        if self._name_ok is None or self._name_ok(name):
            return name
        self.metrics.count("unsafe_name")
        return ""

    def names(self, verdict: Verdict, limit: int = 3) -> list[str]:
        """The viewers a reply or a thank-you names: never one blocked lately, never a name that breaks the
        lists (the aggregate thanks them all the same, as "everyone")."""
        out: list[str] = []
        for e in verdict.events:
            if self._flagged is not None and self._flagged(e.platform, e.user.id):
                continue
            name = self.spoken_name(e.user.name)
            if name and name not in out:
                out.append(name)
            if len(out) >= limit:
                break
        return out

    async def _respond(self) -> None:
        while True:
            reviewing = self.approvals is not None and self.approvals.enabled
            if self.approvals is not None and reviewing:
                await self.approvals.room()  # replies wait for a moderator; the air is not what paces them
            else:
                await self.director.until_free(self._lead_s, self._purchase_due)
            # a question that could not start within answer_within_s is not taken (its reply would go unsaid)
            max_age = None if reviewing else self._answer_within - self.director.remaining_s() - self._lead_s
            answer = await self._answering.next(self.director.on_screen, list(self._recent), max_age)
            if self._busy() and can_wait(answer) and not self.director.air_to_spare():
                self._drop(answer.verdict, "small_talk_when_busy: questions keep coming, the air goes to them")
                continue
            if self.approvals is not None and self.approvals.enabled:
                self.approvals.spawn(self._reviewed(self.approvals, answer))
                continue
            utt = self.reply_utterance(answer)
            self._pending = (utt, frozenset(merge_key(e.text) for e in answer.verdict.events))
            self.director.submit(utt)
            await utt.playing.wait()
            self._pending = None

    async def _reviewed(self, approvals: Approvals, answer: Answer) -> None:
        """Approval mode: write the reply in full, wait for a moderator, then say what was approved at once."""
        outcome = ReplyOutcome()
        text = " ".join([s async for s in self._text(answer, outcome)]).strip()
        verdict, plan = answer.verdict, answer.plan
        review = approvals.new_review(verdict, plan.product if plan is not None else None, text,
                                      facts=tuple(self._said.facts(plan, outcome)), source=outcome.source)
        decision = await approvals.decide(review)
        if not decision.on_air or not decision.text:
            return
        utt = self._reply(verdict, from_texts([decision.text]))
        utt.expires = self._clock.now() + self._answer_within  # approved now: said now, or not at all
        self._said.reply(utt.id, plan, outcome, approval={**decision.to_json(), "review": review.id})
        self.stats.merged += answer.merged
        self.tally.replied(utt.id, verdict.events)
        self.director.submit(utt)

    def _text(self, answer: Answer, outcome: ReplyOutcome) -> AsyncIterator[str]:
        if answer.plan is None:
            # greetings and small talk get a warm fixed line: no catalog lookup, no LLM, no refusal
            return from_texts([chitchat_line(self._prompts.refresh(), answer.verdict, self.names(answer.verdict))])
        return self._writer.stream(answer.plan, outcome)

    def _purchase_due(self) -> float | None:
        """When the best product question waiting must be answered by (None: none waiting)."""
        best = next((v for v in self._queue.waiting() if v.category is Category.PRODUCT_QUESTION), None)
        return None if best is None else max(e.time for e in best.events) + self._answer_within

    def _busy(self) -> bool:
        """A question came in lately (within ``answer_within_s``)."""
        return self._clock.now() - self._last_question < self._answer_within

    def _joins_pending(self, event: Event) -> bool:
        """The same words as the reply about to start: the asker is answered by it (and listed with it)."""
        pending = self._pending
        if pending is None or pending[0].playing.is_set() or merge_key(event.text) not in pending[1]:
            return False
        utt = pending[0]
        utt.comments = (*utt.comments, {"user": event.user.name, "text": event.text})
        self.tally.joined(utt.id, event)
        self.stats.merged += 1
        return True

    def reply_utterance(self, answer: Answer) -> Utterance:
        outcome = ReplyOutcome()
        self.stats.merged += answer.merged
        if answer.left_out:  # askers of the same thing too old to be named
            self._drop(replace(answer.verdict, events=answer.left_out), "stale_merged: too old to name in the reply")
        utt = self._reply(answer.verdict, self._text(answer, outcome))
        self._said.reply(utt.id, answer.plan, outcome)
        self.tally.replied(utt.id, answer.verdict.events)
        return utt

    def _reply(self, verdict: Verdict, text: AsyncIterator[str]) -> Utterance:
        event = verdict.event
        return Utterance(
            Kind.REPLY, text, partial(synthesize, self._speech), language=verdict.language,
            comment={"user": event.user.name, "text": event.text},
            comments=tuple({"user": e.user.name, "text": e.text} for e in verdict.events),
            received=event.time, created=self._clock.now(),
            expires=min(e.time for e in verdict.events) + self._answer_within,  # every asker named in time
        )

    async def _thank(self) -> None:
        while True:
            verdict = await self._thanks.next()
            text = thanks_line(self._prompts.refresh(), verdict, self.names(verdict))
            if text:
                self.director.submit(Utterance(Kind.THANKS, from_texts([text]), partial(synthesize, self._speech),
                                               language=verdict.language))

    async def _idle(self) -> None:
        """When the chat has been quiet for a while, invite questions (phrases.toml ``idle``)."""
        self._last_comment = self._clock.now()
        while True:
            wait = self._last_comment + self._idle_after - self._clock.now()
            if wait > 0:
                await self._clock.sleep(wait)
                continue
            product = self.director.on_screen
            line = self.director.cursor.current()
            lang = line.language if line is not None else "en"
            options = self._prompts.refresh().phrase_list(lang, "idle", product=product.title if product else "")
            self.director.submit(Utterance(Kind.BRIDGE, from_texts([self._rng.choice(options)]),
                                           partial(synthesize, self._speech), language=lang))
            self._last_comment = self._clock.now()  # at most one invitation per quiet period

    def summary(self) -> dict[str, Any]:
        """The show so far, from running counts (a day's timeline is not kept)."""
        p50 = percentile(self.metrics.samples.get("comment_to_first_audio", ()), 50)
        return {
            "comments_seen": self.stats.comments_seen,
            "replies_spoken": self.air.spoken["reply"],
            "script_sentences_spoken": self.air.whole["script"],
            "script_resumed_after_reply": self.director.state.resumed_after_reply,
            "thanks_spoken": self.air.spoken["thanks"],
            "comments_blocked": self.stats.comments_blocked,
            "median_comment_to_first_audio_ms": None if p50 is None else round(p50 * 1000, 1),
            **self.tally.summary(),
            "questions_merged": self.stats.merged,
            "drops_by_reason": self.drops(),
            "script_airtime_share": self.air.share("script"),
        }

    def _drop(self, verdict: Verdict, reason: str) -> None:
        self._drops_here[drop_code(reason)] += len(verdict.events)
        if self._dropped is not None:
            self._dropped(verdict, reason)

    def drops(self) -> dict[str, int]:
        drops = dict(self._drop_counts()) if self._drop_counts is not None else {}
        expired = self.director.state.expired_count
        if expired:
            drops["not_started_in_time"] = expired
        drops.update(self._drops_here)
        if self.approvals is not None:
            for action, reason in (("reject", "rejected_by_moderator"), ("expired", "not_approved_in_time")):
                if self.approvals.counts.get(action):
                    drops[reason] = self.approvals.counts[action]
        return drops

