"""Answer the crowd, not one viewer at a time: the next question is planned, and the questions waiting in the
queue that ask the same thing about the same product (in any of the languages, worded any way) join its
reply, which names every asker ("several of you" past a few).

Two questions ask the same thing when the reply planner reaches the same decision about them: an answer
about the same product and the same attribute (price, stock, material...). The planner reads meaning (the
multilingual embedder) and the catalog's words, so "多少钱" and "how much is it?" about the thermos on screen
join, while "is it waterproof?" about it does not. Plans are cached by text: a flood repeats itself.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from agent.events import Event
from agent.ports import Clock, ReplyQueue
from agent.product import Product
from agent.prompts import PromptSet
from agent.reply.compose import said_name
from agent.reply.planner import ReplyPlan
from agent.reply.writer import ReplyWriter
from agent.verdict import Category, Verdict

PLAN_CACHE = 512


@dataclass(frozen=True, slots=True)
class Answer:
    """One reply to make: its (possibly merged) verdict, and the plan (None for chit-chat's fixed lines)."""

    verdict: Verdict
    plan: ReplyPlan | None
    merged: int = 0  # questions this reply answers besides the first (same words, or the same thing asked)
    left_out: tuple[Event, ...] = ()  # askers of the same thing whose comment is too old to be named


def same_question(plan: ReplyPlan) -> tuple[object, ...] | None:
    """What makes two questions one: an answer about the same products and the same attribute."""
    if plan.decision != "answer":
        return None
    return (tuple(p.id for p in plan.products), plan.attributes[:1] or ("price",))


class Answering:
    """``await next(...)`` the next reply to make, with the waiting questions it answers merged in."""

    def __init__(self, queue: ReplyQueue, writer: ReplyWriter, clock: Clock, *,
                 screened: Callable[[Event], Awaitable[bool]], names: Callable[[Verdict, int], list[str]],
                 crowd: Callable[[str], str], candidates: int = 8, max_names: int = 3,
                 fresh_s: float = 5.0) -> None:
        """``screened``: whether a comment passes the semantic screen; ``names``: the viewers a verdict may
        name; ``crowd(language)``: how to address more than ``max_names`` viewers; ``candidates``: how many
        waiting questions are compared with each one answered; ``fresh_s``: a merged reply answers the
        askers of the last ``fresh_s`` seconds (and always the newest one): older ones are left out as stale."""
        self._queue = queue
        self._writer = writer
        self._clock = clock
        self._fresh_s = fresh_s
        self._screened = screened
        self._names = names
        self._crowd = crowd
        self._candidates = candidates
        self._max_names = max_names
        self._plans: OrderedDict[tuple[str, str, str], ReplyPlan] = OrderedDict()

    async def next(self, on_screen: Product | None, recent: Sequence[str] = (),
                   max_age_s: float | None = None) -> Answer:
        """``max_age_s``: take only a question asked within that many seconds (one that can still be answered
        in time); older ones wait in the queue to join a fresher reply."""
        while True:
            verdict = await self._queue.get(max_age_s)
            if await self._screened(verdict.event):
                break
        if verdict.category is Category.CHITCHAT:
            return Answer(verdict, None)
        plan = await self._plan(verdict, on_screen, recent)
        key = same_question(plan)
        if key is not None:
            for other in self._queue.waiting()[: self._candidates]:
                if other.category is Category.CHITCHAT or not await self._screened(other.event):
                    continue
                if same_question(await self._plan(other, on_screen, recent)) == key and self._queue.take(other):
                    verdict = replace(verdict, events=verdict.events + other.events)
        verdict, left_out = self._fresh(verdict)
        names = self._names(verdict, self._max_names + 1)
        users = names if len(names) <= self._max_names else [self._crowd(verdict.language)]
        return Answer(verdict, replace(plan, users=tuple(users)), len(verdict.events) - 1, left_out)

    def _fresh(self, verdict: Verdict) -> tuple[Verdict, tuple[Event, ...]]:
        """The verdict with only its recent askers (the newest always), and the ones left out."""
        if len(verdict.events) < 2:
            return verdict, ()
        newest = max(verdict.events, key=lambda e: e.time)
        oldest_kept = self._clock.now() - self._fresh_s
        kept = tuple(e for e in verdict.events if e.time >= oldest_kept or e is newest)
        if len(kept) == len(verdict.events):
            return verdict, ()
        return replace(verdict, events=kept), tuple(e for e in verdict.events if e not in kept)

    async def _plan(self, verdict: Verdict, on_screen: Product | None, recent: Sequence[str]) -> ReplyPlan:
        event = verdict.event
        key = (event.text, verdict.language, on_screen.id if on_screen is not None else "")
        plan = self._plans.get(key)
        if plan is None:
            plan = await self._writer.plan(event.text, self._names(verdict, self._max_names), verdict.language,
                                           on_screen, list(recent))
            self._plans[key] = plan
            while len(self._plans) > PLAN_CACHE:
                self._plans.popitem(last=False)
        else:
            self._plans.move_to_end(key)
        return plan


def can_wait(answer: Answer) -> bool:
    """What is left out while the room is busy: small talk (not greetings), deflections, and questions off the
    shop's scope that would only be told the shop does not sell that."""
    if answer.plan is None:
        return not answer.verdict.reason.startswith("a greeting")
    return answer.plan.decision == "deflect" or (
        answer.plan.decision == "refuse" and answer.verdict.category is Category.OTHER_QUESTION)


def chitchat_line(prompts: PromptSet, verdict: Verdict, names: Sequence[str]) -> str:
    """Greetings and small talk get a warm fixed line: no catalog lookup, no LLM, no refusal."""
    key = "greeting" if verdict.reason.startswith("a greeting") else "chitchat"
    users = said_name(", ".join(names)) or prompts.phrase(verdict.language, "everyone")
    return prompts.phrase(verdict.language, key, users=users)


def thanks_line(prompts: PromptSet, verdict: Verdict, names: Sequence[str]) -> str:
    """Gifts, follows, likes and joins are thanked with fixed lines from phrases.toml (empty: nothing to say)."""
    users = said_name(", ".join(names)) or prompts.phrase(verdict.language, "everyone")
    lang = verdict.language
    kinds = {e.kind.value for e in verdict.events}
    if "gift" in kinds:
        gift = next(e.gift for e in verdict.events if e.gift is not None)
        return prompts.phrase(lang, "thanks_gift", users=users, gift=gift.name, count=gift.count)
    if "follow" in kinds:
        return prompts.phrase(lang, "thanks_follow", users=users)
    if "like" in kinds:
        return prompts.phrase(lang, "thanks_like", users=users, count=sum(e.count for e in verdict.events))
    if "join" in kinds:
        return prompts.phrase(lang, "greeting", users=users)
    return ""
