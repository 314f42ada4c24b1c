"""The one streaming loop: a text arriving sentence by sentence in, one audio chunk per sentence out."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from agent.audio import Audio
from agent.ports import SpeechEngine


async def synthesize(engine: SpeechEngine, sentences: AsyncIterable[str], language: str = "en") -> AsyncIterator[Audio]:
    """Each non-blank sentence spoken by ``engine`` as soon as it arrives (blank ones are skipped)."""
    async for sentence in sentences:
        if sentence.strip():
            yield await engine.say(sentence, language)
