"""The LLM's only job in an answer: say one sheet fact as one natural sentence in the viewer's language.

The model gets the fact, not the catalog; its sentence goes on air only if :class:`agent.guards.faithful.Faithful`
accepts it (same values and units, same negations, no material or number the sheet lacks, close in meaning).
A slow, failing or unfaithful model costs nothing but the template sentence, which is spoken instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from agent.clock import timeout
from agent.errors import LlmError
from agent.guards.faithful import Faithful
from agent.metrics import Metrics
from agent.ports import ChatMessage, Clock, Llm
from agent.product import Product
from agent.reply.prompt import LANGUAGE_NAMES
from agent.reply.sentences import split_sentences, strip_markup

log = logging.getLogger(__name__)

SYSTEM = ("You are a live-shopping host. Rewrite the given product fact as one short spoken sentence in "
          "{language}. Use only the fact: keep every number and unit exactly, add nothing, leave nothing out, "
          "no greeting, no name, no emoji, no markdown.")
USER = "Product: {product}\nFact: {fact}\nOne sentence in {language}:"


@dataclass(frozen=True, slots=True)
class Rephrased:
    sentence: str | None  # None: use the template
    reason: str  # "ok", or why the model's sentence was not used
    raw: str = ""


class Paraphraser:
    def __init__(self, llm: Llm, clock: Clock, faithful: Faithful, *, timeout_s: float = 6.0,
                 max_tokens: int = 60, metrics: Metrics | None = None) -> None:
        self.llm = llm
        self.metrics = metrics
        self.clock = clock
        self.faithful = faithful
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens

    async def rephrase(self, fact: str, product: Product, language: str,
                       products: Sequence[Product] | None = None) -> Rephrased:
        name = LANGUAGE_NAMES.get(language, language)
        messages = [ChatMessage("system", SYSTEM.format(language=name)),
                    ChatMessage("user", USER.format(product=product.title, fact=fact, language=name))]
        try:
            async with timeout(self.clock, self.timeout_s):
                raw = await self._collect(messages)
        except (LlmError, TimeoutError) as exc:
            log.info("paraphrase skipped", extra={"error": str(exc) or type(exc).__name__})
            self._failed(exc)
            return Rephrased(None, "llm failed or timed out")
        first = _ended(next(iter(split_sentences(strip_markup(raw))), "").strip(), language)
        verdict = await asyncio.to_thread(self.faithful.check, first, fact, list(products or [product]), language)
        if not verdict.ok:
            return Rephrased(None, verdict.reason, first)
        return Rephrased(first, "ok", first)

    async def warm(self, timeout_s: float | None = None) -> bool:
        """One token through the model with the fixed instructions, so the server has them cached."""
        messages = [ChatMessage("system", SYSTEM.format(language="English")), ChatMessage("user", "Hi")]
        try:
            async with timeout(self.clock, timeout_s or self.timeout_s):
                async for _ in self.llm.stream(messages, max_tokens=1):
                    pass
        except (LlmError, TimeoutError) as exc:
            log.info("LLM warm-up skipped", extra={"error": str(exc) or type(exc).__name__})
            self._failed(exc)
            return False
        return True

    def _failed(self, exc: Exception) -> None:
        """``livehost_llm_errors_total{kind}``: ``timeout``, or the client's error class (APIConnectionError...)."""
        if self.metrics is not None:
            self.metrics.llm_error("timeout" if isinstance(exc, TimeoutError) else type(exc.__cause__ or exc).__name__)

    async def _collect(self, messages: list[ChatMessage]) -> str:
        parts: list[str] = []
        async for tok in self.llm.stream(messages, max_tokens=self.max_tokens):
            parts.append(tok)
        return "".join(parts)


def _ended(sentence: str, language: str) -> str:
    """A model may stop without the final full stop; a spoken sentence ends with one."""
    if not sentence or sentence[-1] in ".!?。！？…":
        return sentence
    return sentence + ("。" if language in ("zh", "ja") else ".")
