"""A synthesizer that tries a primary engine per sentence and falls back to another when it fails."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator

from agent.errors import LivehostError
from agent.speech.audio import Audio

log = logging.getLogger(__name__)


class SentenceEngine:
    """What the fallback wrapper needs of an engine: one sentence in, one Audio out."""

    name: str

    async def say(self, text: str, language: str = "en") -> Audio:  # pragma: no cover - protocol
        raise NotImplementedError


class FallbackSynthesizer:
    """Primary engine first; after it fails once the fallback takes over for the rest of the show.

    Sticking to the fallback avoids paying the primary's timeout on every sentence of a show whose network
    is down.
    """

    def __init__(self, primary: SentenceEngine, fallback: SentenceEngine) -> None:
        self._primary = primary
        self._fallback = fallback
        self.failed = False
        self.name = f"{primary.name}+{fallback.name}"

    async def say(self, text: str, language: str = "en") -> Audio:
        if not self.failed:
            try:
                return await self._primary.say(text, language)
            except (LivehostError, OSError, TimeoutError) as exc:
                self.failed = True
                log.warning("speech engine failed; falling back", extra={"engine": self._primary.name,
                                                                          "error": str(exc)})
        return await self._fallback.say(text, language)

    async def synthesize(self, sentences: AsyncIterable[str], language: str = "en") -> AsyncIterator[Audio]:
        async for sentence in sentences:
            if sentence.strip():
                yield await self.say(sentence, language)
