"""The one streaming loop: a text arriving sentence by sentence in, one audio chunk per sentence out; and the
time limit every engine is held to, on the show's clock."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator

from agent.audio import Audio
from agent.clock import timeout
from agent.ports import Clock, Closes, SpeechEngine

log = logging.getLogger(__name__)


async def synthesize(engine: SpeechEngine, sentences: AsyncIterable[str], language: str = "en") -> AsyncIterator[Audio]:
    """Each non-blank sentence spoken by ``engine`` as soon as it arrives (blank ones are skipped)."""
    async for sentence in sentences:
        if sentence.strip():
            yield await engine.say(sentence, language)


class TimedSpeech:
    """``engine`` held to ``timeout_s`` per sentence on ``clock``: an engine that hangs raises
    :class:`TimeoutError` (logged), and the director skips what it could not say instead of waiting forever."""

    def __init__(self, engine: SpeechEngine, clock: Clock, timeout_s: float) -> None:
        self._engine = engine
        self._clock = clock
        self._timeout_s = timeout_s
        self.name = engine.name

    async def say(self, text: str, language: str = "en") -> Audio:
        try:
            async with timeout(self._clock, self._timeout_s):
                return await self._engine.say(text, language)
        except TimeoutError:
            log.warning("speech engine timed out", extra={"engine": self.name, "timeout_s": self._timeout_s,
                                                          "chars": len(text)})
            raise

    def close(self) -> None:
        """Release what the engine holds (Piper's worker thread)."""
        if isinstance(self._engine, Closes):
            self._engine.close()
