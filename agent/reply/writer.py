"""The reply chain: retrieve, prompt, stream the LLM, split into sentences, and let only guarded sentences
through to speech. A sentence that fails a guard is never spoken: the reply is regenerated once, or replaced
by one composed from the structured facts. A slow, failing or garbage-spewing LLM gets a timeout, one retry,
then a fact-based or holding reply, so the show goes on."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field

from agent.clock import Clock
from agent.errors import LlmError
from agent.guards.claims import ClaimKind, extract_claims
from agent.guards.compose import (
    Intent,
    compose_fact_reply,
    compose_holding,
    compose_refusal,
    detect_intent,
    money,
)
from agent.guards.grounding import GroundingGuard
from agent.guards.injection_echo import echoes
from agent.guards.sentences import CLAUSE_MARKS, FirstChunk, ends_sentence, strip_markup
from agent.guards.sentences import sentences as split_stream
from agent.knowledge.product import Product
from agent.language import detect_language
from agent.metrics import Metrics
from agent.ports import ChatMessage, Hit, Llm, Retriever
from agent.prompts import PromptStore
from agent.reply.prompt import build_messages, max_words, system_prompt
from agent.settings import LlmSettings, ShowSettings

log = logging.getLogger(__name__)

_PRICE_KINDS = frozenset({ClaimKind.PRICE, ClaimKind.DISCOUNT, ClaimKind.FREE})
_STOCK_KINDS = frozenset({ClaimKind.STOCK, ClaimKind.IN_STOCK, ClaimKind.SOLD_OUT, ClaimKind.LOW_STOCK})


@dataclass(frozen=True, slots=True)
class ReplyPlan:
    """What a reply will be about, decided before the LLM is called."""

    decision: str  # "answer" | "refuse"
    question: str
    users: tuple[str, ...]
    language: str
    hits: tuple[Hit, ...]
    on_screen: Product | None
    recent: tuple[str, ...] = ()

    @property
    def products(self) -> tuple[Product, ...]:
        return tuple(h.product for h in self.hits)

    @property
    def addressee(self) -> str:
        names = list(self.users[:3])
        return names[0] if len(names) == 1 else ", ".join(names)


@dataclass
class ReplyOutcome:
    """Filled as the reply streams: what was said and why (for ``ask``, ``eval`` and the console)."""

    sentences: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    source: str = "llm"  # llm | facts | refusal | holding
    timings: dict[str, float] = field(default_factory=dict)


class ReplyWriter:
    def __init__(
        self,
        *,
        llm: Llm | None,
        retriever: Retriever,
        prompts: PromptStore,
        show: ShowSettings,
        llm_settings: LlmSettings,
        clock: Clock,
        metrics: Metrics,
        output_check: Callable[[str], str | None] | None = None,
        guard: GroundingGuard | None = None,
        top_k: int = 3,
        min_dense: float = 0.815,
        min_margin: float = 0.01,
        min_keyword: float = 3.0,
        sure_dense: float = 0.845,
        first_chunk: FirstChunk = "phrase",
    ) -> None:
        self._llm = llm
        self._retriever = retriever
        self._prompts = prompts
        self._show = show
        self._llm_s = llm_settings
        self._clock = clock
        self._metrics = metrics
        self._output_check = output_check
        self._guard = guard or GroundingGuard()
        self._k = top_k
        self._first_chunk: FirstChunk = first_chunk
        self._min_dense = min_dense
        self._min_margin = min_margin
        self._min_keyword = min_keyword
        self._sure_dense = sure_dense
        self._catalog_lang: str | None = None

    async def warm(self, on_screen: Product | None, timeout_s: float | None = None) -> bool:
        """Have the LLM server cache the prompt prefix (instructions, product on screen) before anyone asks.

        Returns False when it did not finish in time; the show goes on either way.
        """
        if self._llm is None:
            return True
        system = system_prompt(self._prompts.refresh(), self._show.host_name, self._show.name,
                               self._show.reply_max_seconds, on_screen)
        try:
            async with asyncio.timeout(timeout_s or self._llm_s.timeout_s):
                async for _ in self._llm.stream([ChatMessage("system", system), ChatMessage("user", "Hi")],
                                                max_tokens=1):
                    pass
        except (LlmError, TimeoutError) as exc:
            log.info("LLM warm-up skipped", extra={"error": str(exc)})
            return False
        return True

    async def plan(self, question: str, users: Sequence[str], language: str, on_screen: Product | None,
                   recent: Sequence[str] = ()) -> ReplyPlan:
        t0 = self._clock.now()
        hits = await self._retriever.search(question, self._k, on_screen.id if on_screen else None)
        self._metrics.observe("retrieval", self._clock.now() - t0)
        if not hits or not self._asked(question, hits, language):
            return ReplyPlan("refuse", question, tuple(users), language, (), on_screen, tuple(recent))
        # The best match, plus runners-up only when the question names them too: a look-alike product in the
        # facts lets a small model borrow its numbers, and short prompts are fast.
        bar = max(self._min_keyword, 0.9 * hits[0].keyword)
        kept = (hits[0], *(h for h in hits[1:] if h.keyword >= bar))
        return ReplyPlan("answer", question, tuple(users), language, kept, on_screen, tuple(recent))

    def _asked(self, question: str, hits: Sequence[Hit], language: str) -> bool:
        """Whether the best hit is what the viewer asks about, not merely the closest thing we sell.

        Small multilingual embeddings put everything near everything, so a middling cosine counts only when
        the best product also stands out from the runner-up. And when, in the catalog's own language, none of
        the question's words occurs anywhere in the catalog ("do you sell phone cases?"), only a sure cosine
        does.
        """
        top = hits[0]
        if top.on_screen or top.keyword >= self._min_keyword:
            return True
        if top.dense >= self._sure_dense:
            return True
        coverage = getattr(self._retriever, "vocabulary_coverage", None)
        if coverage is not None and language == self._catalog_language():
            content, known = coverage(question)
            if content > 0 and known == 0:
                return False
        runner_up = max((h.dense for h in hits[1:]), default=0.0)
        return top.dense >= self._min_dense and top.dense - runner_up >= self._min_margin

    def _catalog_language(self) -> str:
        """The language most product titles are written in (the catalog's own words)."""
        if self._catalog_lang is None:
            products = getattr(self._retriever, "products", lambda: ())()
            votes = Counter(detect_language(p.title + " " + p.text[:80], "en") for p in products[:200])
            self._catalog_lang = votes.most_common(1)[0][0] if votes else self._show.default_language
        return self._catalog_lang

    async def stream(self, plan: ReplyPlan, outcome: ReplyOutcome | None = None) -> AsyncIterator[str]:
        """Guarded sentences of the reply, as soon as each is ready."""
        out = outcome or ReplyOutcome()
        start = self._clock.now()
        async for s in self._stream(plan, out):
            s = _spoken_name(s, plan)
            if not out.sentences:
                out.timings["first_sentence"] = self._clock.now() - start
                self._metrics.observe("first_guarded_sentence", self._clock.now() - start)
            out.sentences.append(s)
            yield s
        out.timings["total"] = self._clock.now() - start

    async def _stream(self, plan: ReplyPlan, out: ReplyOutcome) -> AsyncGenerator[str, None]:
        if plan.decision == "refuse":
            out.source = "refusal"
            related = plan.on_screen
            yield compose_refusal(plan.question, plan.language, plan.addressee, related)
            return
        if self._llm is not None:
            attempts = 1 + self._llm_s.retries
            for attempt in range(attempts):
                failed = dangling = False
                head = ""  # a spoken first phrase whose sentence goes on: the rest is guarded with it
                try:
                    async with aclosing(self._llm_sentences(plan, out)) as stream:
                        async for sentence in stream:
                            reason = self._check(_joined(head, sentence, plan.language), plan)
                            if reason == "grounding: currency_mismatch":
                                sentence, reason = self._recurrency(head, sentence, plan, reason)
                            if reason:
                                out.rejected.append((sentence, reason))
                                self._metrics.count("guard_rejected")
                                log.info("sentence rejected by guard", extra={"reason": reason})
                                failed, dangling = True, bool(head)
                                break
                            head = sentence if not out.sentences and not ends_sentence(sentence) else ""
                            yield self._named(sentence, plan, first=not out.sentences)
                except (LlmError, TimeoutError) as exc:
                    self._metrics.count("llm_errors")
                    log.warning("LLM failed", extra={"attempt": attempt, "error": str(exc)})
                    failed, dangling = True, bool(head)
                if out.sentences:
                    # A phrase left hanging is finished from the sheet; an answer that skipped what was
                    # asked ("how much?") gets it added.
                    tail = self._facts_tail(plan) if dangling else self._missing_fact(plan, out.sentences)
                    if tail and dangling:
                        restart = self._prompts.refresh().phrase(plan.language, "restart")
                        tail = _joined(restart, tail, plan.language)
                    if tail:
                        out.source = "llm+facts"
                        yield tail
                    return  # what was spoken is correct; never restart a reply mid-air
                if not failed:
                    break
        # Nothing trustworthy came from the LLM: say the facts ourselves.
        if plan.products:
            out.source = "facts"
            yield compose_fact_reply(plan.products, plan.question, plan.language, plan.addressee)
        else:
            out.source = "holding"
            yield compose_holding(plan.language, plan.addressee)

    async def _llm_sentences(self, plan: ReplyPlan, out: ReplyOutcome) -> AsyncGenerator[str, None]:
        assert self._llm is not None
        prompts = self._prompts.refresh()
        messages = build_messages(
            prompts,
            host_name=self._show.host_name,
            shop_name=self._show.name,
            seconds=self._show.reply_max_seconds,
            products=plan.products,
            on_screen=plan.on_screen,
            recent=plan.recent,
            user=plan.addressee,
            comment=plan.question,
            language=plan.language,
        )
        budget = max_words(self._show.reply_max_seconds, plan.language)
        max_tokens = min(self._llm_s.max_tokens, budget * 3)
        start = self._clock.now()
        tokens = self._llm.stream(messages, max_tokens=max_tokens)
        words = 0
        held = ""  # a first phrase repeating the viewer's words: it goes out only with the rest of its sentence
        async with asyncio.timeout(self._llm_s.timeout_s):
            async with aclosing(self._first_token_guard(tokens, start, out)) as guarded:
                async for raw in split_stream(guarded, self._first_chunk):
                    sentence = strip_markup(raw)
                    if not sentence:
                        continue  # only an echoed tag
                    if held:
                        sentence, held = _joined(held, sentence, plan.language), ""
                    elif not words and _says_back(sentence, plan.question):
                        held = sentence
                        continue
                    if "llm_first_clause" not in out.timings:
                        out.timings["llm_first_clause"] = self._clock.now() - start
                        self._metrics.observe("llm_first_clause", self._clock.now() - start)
                    words += len(sentence.split()) if plan.language not in ("zh", "ja") else len(sentence) // 2
                    yield sentence
                    if words >= budget:
                        return
                if held:
                    yield held

    async def _first_token_guard(self, tokens: AsyncIterator[str], start: float,
                                 out: ReplyOutcome) -> AsyncGenerator[str, None]:
        it = aiter(tokens)
        try:
            async with asyncio.timeout(self._llm_s.first_token_timeout_s):
                first = await anext(it)
        except StopAsyncIteration:
            raise LlmError("LLM returned an empty reply") from None
        out.timings["first_token"] = self._clock.now() - start
        self._metrics.observe("llm_first_token", self._clock.now() - start)
        yield first
        try:
            async for tok in it:
                yield tok
        finally:
            await tokens.aclose()  # type: ignore[attr-defined]

    @staticmethod
    def _missing_fact(plan: ReplyPlan, said: Sequence[str]) -> str | None:
        """The sheet's answer when the viewer asked for a price or stock level and the reply gave none."""
        wanted = {Intent.PRICE: _PRICE_KINDS, Intent.DISCOUNT: _PRICE_KINDS, Intent.STOCK: _STOCK_KINDS}.get(
            detect_intent(plan.question))
        if wanted is None or not plan.products:
            return None
        if any(c.kind in wanted for s in said for c in extract_claims(s)):
            return None
        return ReplyWriter._facts_tail(plan)

    @staticmethod
    def _facts_tail(plan: ReplyPlan) -> str | None:
        """The sheet's answer, without the viewer's name (it goes after something already said)."""
        if not plan.products:
            return None
        text = compose_fact_reply(plan.products, plan.question, plan.language, plan.addressee)
        return text.split(" ", 1)[1] if text.startswith("@") and " " in text else text

    def _recurrency(self, head: str, sentence: str, plan: ReplyPlan, reason: str) -> tuple[str, str | None]:
        """A small model writes "189元" for a price the sheet gives as 189 EUR. Say the sheet's currency
        instead; the amount must still be right (the whole sentence is checked again)."""
        currencies = {p.currency.upper() for p in plan.products}
        if len(currencies) != 1:
            return sentence, reason
        currency = currencies.pop()
        fixed = sentence
        for c in reversed(extract_claims(sentence)):
            if c.kind is ClaimKind.PRICE and c.value is not None and c.unit and c.unit != currency:
                fixed = fixed[:c.start] + money(c.value, currency, plan.language) + fixed[c.end:]
        again = self._check(_joined(head, fixed, plan.language), plan) if fixed != sentence else reason
        if again is None:
            self._metrics.count("currency_repaired")
            return fixed, None
        return sentence, reason

    def _check(self, sentence: str, plan: ReplyPlan) -> str | None:
        if not sentence or not any(ch.isalnum() for ch in sentence):
            return "garbage"
        result = self._guard.check(sentence, plan.products, plan.language)
        if not result.ok:
            return f"grounding: {result.reason}"
        titles = [p.title for p in plan.products]
        if echoes(sentence, plan.question, allowed=titles) or _repeats(sentence, plan.question):
            return "echoes the viewer's text"
        if self._output_check is not None:
            banned = self._output_check(sentence)
            if banned:
                return f"banned topic: {banned}"
        return None

    @staticmethod
    def _named(sentence: str, plan: ReplyPlan, first: bool) -> str:
        if not first or not plan.users:
            return sentence
        name = plan.users[0]
        if name and name.lower() in sentence.lower():
            return sentence
        sep = "，" if plan.language == "zh" else ", "
        return f"{plan.addressee}{sep}{sentence}"


def _joined(head: str, rest: str, language: str) -> str:
    """A sentence whose first phrase was spoken early, whole again, for the guards: a price must be checked
    with the variant named before it, and a banned phrase may straddle the cut."""
    if not head:
        return rest
    return head + rest if language in ("zh", "ja") else f"{head} {rest}"


def _says_back(phrase: str, comment: str) -> bool:
    """Is this first phrase the start of the viewer's comment said back ("The candle, ..." to "The candle,
    how long does it burn?")? Such a sentence usually goes on to repeat the question, which the guards
    reject whole; so none of it is spoken before its sentence is complete. A subject merely named again
    ("有机棉T恤是" | "100%...") is cut before a number or a word, not at a comma, and goes out early."""
    last = phrase.rstrip()[-1:]
    return bool(last) and last in CLAUSE_MARKS and _core(phrase) in _core(comment)


def _core(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _repeats(sentence: str, comment: str) -> bool:
    """A sentence that just says the viewer's question back (small models do) answers nothing."""
    c = _core(comment)
    return len(c) >= 4 and c in _core(sentence)


def _spoken_name(sentence: str, plan: ReplyPlan) -> str:
    """'@ana It is 59 EUR.' reads as 'at ana' aloud: address the viewer by name instead."""
    if not sentence.startswith("@") or " " not in sentence:
        return sentence
    handle, rest = sentence[1:].split(" ", 1)
    sep = "，" if plan.language == "zh" else ", "
    return f"{handle}{sep}{rest}"
