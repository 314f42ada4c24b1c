"""The reply chain: plan, then say only what the sheet says.

    plan (scope, retrieval, sold here?, attribute) -> deflect | refuse | answer
    answer: price, stock, variants -> sentences built from the sheet's fields
            anything else          -> the field or sheet sentence that states it (agent.reply.facts),
                                      as a template sentence, or the LLM's rephrasing of it once verified
            nothing on the sheet   -> "the sheet doesn't say, I'll check" (never a guess, never the price)

The LLM never writes a fact of its own: it may rephrase (or translate) the one fact found, and its sentence
is spoken only when :class:`agent.guards.faithful.Faithful` accepts it. The first words of an answer name the
viewer and the product, which cannot turn out wrong, so nothing said is ever taken back on air.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from agent.guards.injection_echo import echoes
from agent.language import detect_language, has_han
from agent.metrics import Metrics
from agent.ports import Clock
from agent.product import Product
from agent.prompts import PromptStore
from agent.reply.answers import ack, fact_sentence, variants_sentence
from agent.reply.compose import Intent, compose_fact_reply, compose_holding, compose_refusal, detect_intent, said_name
from agent.reply.facts import STRUCTURED, Candidate, FactFinder, Finding, leaves_out
from agent.reply.fit import size_for
from agent.reply.paraphrase import Paraphraser
from agent.reply.planner import Planner, ReplyPlan

log = logging.getLogger(__name__)

Paraphrase = Literal["always", "other-language", "never"]
_SIZE_WORDS = re.compile(r"\bsizes?\b|taille|尺寸|尺码|大小|多大", re.IGNORECASE)
__all__ = ["Paraphrase", "ReplyOutcome", "ReplyPlan", "ReplyWriter"]


@dataclass
class ReplyOutcome:
    """Filled as the reply is said: what was said and why (for ``ask``, ``eval`` and the console).

    ``source``: llm (the LLM's verified rephrasing of a sheet fact), facts (sentences built from the sheet),
    mixed (both), not_stated (the sheet does not say), refusal, deflect, holding. ``finding``: the sheet fact
    the answer rests on; ``rejected``: the LLM sentences not spoken, with the reason.
    """

    sentences: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    source: str = "facts"
    timings: dict[str, float] = field(default_factory=dict)
    attribute: str = ""
    stated: bool | None = None
    fact: str = ""
    fallback: str = ""  # the LLM failed or timed out (why): the sheet's own words were said instead


class ReplyWriter:
    def __init__(
        self,
        *,
        planner: Planner,
        prompts: PromptStore,
        clock: Clock,
        metrics: Metrics,
        finder: FactFinder | None = None,
        paraphraser: Paraphraser | None = None,
        paraphrase: Paraphrase = "other-language",
        output_check: Callable[[str], str | None] | None = None,
    ) -> None:
        self.planner = planner
        self._prompts = prompts
        self._clock = clock
        self._metrics = metrics
        self._finder = finder
        self._paraphraser = paraphraser
        self._policy: Paraphrase = paraphrase
        self._output_check = output_check

    async def warm(self, on_screen: Product | None, timeout_s: float | None = None) -> bool:
        """Page the LLM in before the first viewer asks (at start; a product change needs nothing, since the
        model never reads a product sheet). False when it did not answer in time; the show goes on."""
        if self._paraphraser is None or on_screen is not None:
            return True
        return await self._paraphraser.warm(timeout_s)

    @property
    def finder(self) -> FactFinder | None:
        return self._finder

    async def plan(self, question: str, users: Sequence[str], language: str, on_screen: Product | None,
                   recent: Sequence[str] = ()) -> ReplyPlan:
        return await self.planner.plan(question, users, language, on_screen, recent)

    async def stream(self, plan: ReplyPlan, outcome: ReplyOutcome | None = None) -> AsyncIterator[str]:
        """The reply's sentences, each as soon as it is ready and checked."""
        out = outcome or ReplyOutcome()
        start = self._clock.now()
        async for s in self._stream(plan, out):
            banned = self._output_check(s) if self._output_check is not None else None
            if banned:  # a sheet or a name may itself hold a banned phrase (or an absolute claim): never say it
                out.rejected.append((s, f"banned topic: {banned}"))
                self._metrics.guard_rejected("banned topic")
                log.info("sentence not spoken", extra={"topic": banned, "source": out.source})
                continue
            if not out.sentences:
                out.timings["first_sentence"] = self._clock.now() - start
                self._metrics.observe("first_guarded_sentence", self._clock.now() - start)
            out.sentences.append(s)
            yield s
        if out.rejected and not out.sentences:
            holding = self.holding(plan)  # everything was stopped: say something that states nothing
            log.info("reply replaced by a holding line", extra={"replaced": len(out.rejected)})
            out.source, out.stated = "holding", None
            out.sentences.append(holding)
            yield holding
        out.timings["total"] = self._clock.now() - start
        self._metrics.reply(out.source)

    async def _stream(self, plan: ReplyPlan, out: ReplyOutcome) -> AsyncGenerator[str, None]:
        if plan.decision == "deflect":
            out.source = "deflect"
            yield self._deflection(plan)
            return
        if plan.decision == "refuse" or plan.product is None:
            out.source = "refusal"
            yield _spoken(compose_refusal(plan.question, plan.language, plan.addressee, plan.on_screen), plan)
            return
        product = plan.product
        attribute = plan.attributes[0] if plan.attributes else "price"
        out.attribute = attribute
        structured = attribute in STRUCTURED and (attribute != "variants" or bool(product.variants))
        fit = size_for(plan.question, product) if attribute == "variants" else None
        if fit is not None:  # "我180穿啥码": the size the sheet's own guide gives for that measure
            out.stated = True
            async for s in self._say_fact(plan, product, Finding("variants", Candidate(fit.said, "", fit.said)), out):
                yield s
        elif structured or self._finder is None or plan.vector is None:
            out.source, out.stated = "facts", True
            yield self._structured(plan, product, attribute)
        else:
            attributes = plan.attributes
            if attribute == "variants" and not product.variants and _SIZE_WORDS.search(plan.question):
                # "what size is it?" of a product sold in one size asks how big it is
                attributes = ("dimensions", *(a for a in attributes if a not in ("variants", "dimensions")))
                out.attribute = "dimensions"
            finding = self._find_first(plan, product, attributes)
            if not finding.found:
                # not guessed: said not to be on the sheet, after the other part's answer when the sheet has it
                also = self._second(plan, product, "")
                out.source, out.stated = ("facts" if also else "not_stated"), False
                if also:
                    yield _join(ack(said_name(plan.addressee), product, plan.language), also, plan.language)
                yield self._not_stated(plan, product)
                return
            out.stated = True
            async for s in self._say_fact(plan, product, finding, out):
                yield s
            if finding.candidate is not None and self._leaves_out(plan, product, finding.candidate):
                # what the sheet says on the topic was said (to the viewer, by name); the thing asked is not in it
                out.stated = False
                yield self._prompts.refresh().phrase(plan.language, "not_stated_more")
                return
        also = self._second(plan, product, out.fact)
        if also:
            out.source = "mixed" if out.source == "llm" else out.source
            yield also

    def _find_first(self, plan: ReplyPlan, product: Product, attributes: tuple[str, ...]) -> Finding:
        """What the sheet says to the question, or to its first part when it asks two things (the other part
        is answered on its own, after): a measure the other part names ("à combien de degrés ?") does not
        steer the first answer. A first part the sheet answers only with the whole question's words gets
        that answer."""
        assert self._finder is not None and plan.vector is not None
        if plan.second is not None:
            own = tuple(a for a in attributes if a not in plan.second.attributes) or attributes
            first = plan.question.replace(plan.second.question, " ").strip()
            finding = self._finder.find(product, own, first or plan.question, plan.vector)
            if finding.found:
                return finding
        return self._finder.find(product, attributes, plan.question, plan.vector)

    @staticmethod
    def _leaves_out(plan: ReplyPlan, product: Product, found: Candidate) -> bool:
        """A yes/no question about something the sheet's answer does not mention, read in one language."""
        other = detect_language(found.value, plan.language) != plan.language
        if other or has_han(found.value) != has_han(plan.question):
            return False  # "含花生吗？" against "peanuts, dates...": no shared words to look for
        return leaves_out(plan.question, found, product, plan.attributes[0] if plan.attributes else "")

    def _second(self, plan: ReplyPlan, product: Product, said: str) -> str:
        """The sentence that answers the other part of a two-part question ("... and how much is it?") from
        the sheet, or "" when there is none, the sheet does not say, or it is what was just said."""
        part = plan.second
        if part is None:
            return ""
        attribute = part.attributes[0]
        if attribute in STRUCTURED and (attribute != "variants" or bool(product.variants)):
            return self._structured(replace(plan, question=part.question, users=()), product, attribute)
        if self._finder is None or part.vector is None:
            return ""
        finding = self._finder.find(product, part.attributes, part.question, part.vector)
        found = finding.candidate.text if finding.candidate is not None else ""
        if not found or (said and (found in said or said in found)):
            return ""  # nothing, or what was just said (a clause of it, or the sentence it is a clause of)
        return fact_sentence(finding, plan.language)

    def _structured(self, plan: ReplyPlan, product: Product, attribute: str) -> str:
        """Price, stock and the variants on offer, from the sheet's fields."""
        if attribute == "variants":
            listed = variants_sentence(product, plan.language)
            if listed is not None and detect_intent(plan.question) is not Intent.STOCK:
                sep = "，" if plan.language == "zh" else ", "
                return f"{said_name(plan.addressee)}{sep}{listed}" if plan.addressee else listed
        asked = detect_intent(plan.question)
        intent: Intent = Intent.STOCK if attribute == "stock" else (asked if asked is Intent.DISCOUNT else Intent.PRICE)
        if attribute == "variants":
            intent = Intent.STOCK if asked is Intent.STOCK else Intent.SIZES
        return _spoken(compose_fact_reply([product], plan.question, plan.language, plan.addressee, intent), plan)

    async def _say_fact(self, plan: ReplyPlan, product: Product, finding: Finding,
                        out: ReplyOutcome) -> AsyncGenerator[str, None]:
        template = fact_sentence(finding, plan.language)
        out.fact = finding.candidate.text if finding.candidate is not None else ""
        head = ack(said_name(plan.addressee), product, plan.language)
        if self._paraphraser is None or not self._wants_llm(plan, out.fact):
            out.source = "facts"
            yield _join(head, template, plan.language)
            return
        yield head  # first audio: the viewer and the product, while the model rephrases the fact
        rephrased = await self._paraphraser.rephrase(out.fact, product, plan.language)
        if rephrased.sentence is not None and not echoes(rephrased.sentence, plan.question,
                                                         allowed=[product.title]):
            out.source = "llm"
            self._metrics.count("paraphrase_used")
            yield rephrased.sentence
            return
        if not rephrased.raw and rephrased.sentence is None:
            out.fallback = rephrased.reason
        if rephrased.raw:
            out.rejected.append((rephrased.raw, rephrased.reason))
            self._metrics.guard_rejected(rephrased.reason if rephrased.sentence is None else "echoes the question")
        out.source = "facts"
        yield template

    def _wants_llm(self, plan: ReplyPlan, fact: str) -> bool:
        if self._policy == "never":
            return False
        if self._policy == "always":
            return True
        return detect_language(fact, plan.language) != plan.language

    def _not_stated(self, plan: ReplyPlan, product: Product) -> str:
        prompts = self._prompts.refresh()
        users = said_name(plan.addressee) or prompts.phrase(plan.language, "everyone")
        return prompts.phrase(plan.language, "not_stated", users=users, product=product.title)

    def _deflection(self, plan: ReplyPlan) -> str:
        """A fixed, polite line that steers back to the products (phrases.toml ``deflect``)."""
        prompts = self._prompts.refresh()
        users = said_name(plan.addressee) or prompts.phrase(plan.language, "everyone")
        if plan.on_screen is not None:
            options = prompts.phrase_list(plan.language, "deflect", users=users, product=plan.on_screen.title)
        else:
            options = prompts.phrase_list(plan.language, "deflect_no_product", users=users)
        return options[sum(map(ord, plan.question)) % len(options)]

    def holding(self, plan: ReplyPlan) -> str:
        """What to say while nothing can be looked up: buys time, states nothing."""
        return _spoken(compose_holding(plan.language, plan.addressee), plan)


def _join(head: str, rest: str, language: str) -> str:
    return head + rest if language in ("zh", "ja") else f"{head} {rest}"


def _spoken(sentence: str, plan: ReplyPlan) -> str:
    """'@ana It is 59 EUR.' reads as 'at ana' aloud: address the viewer by name instead."""
    if not sentence.startswith("@") or " " not in sentence:
        return sentence
    handle, rest = sentence[1:].split(" ", 1)
    sep = "，" if plan.language == "zh" else ", "
    return f"{said_name(handle)}{sep}{rest}"
