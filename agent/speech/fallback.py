"""A synthesizer that tries a primary engine per sentence and falls back to another when it fails."""

from __future__ import annotations

import logging
from collections.abc import Callable

from agent.audio import Audio
from agent.errors import LivehostError
from agent.ports import SpeechEngine

log = logging.getLogger(__name__)


class FallbackSynthesizer:
    """Primary engine first; after it fails once the fallback takes over for the rest of the show.

    Sticking to the fallback avoids paying the primary's timeout on every sentence of a show whose network
    is down. ``on_error(engine)`` hears each failure of an engine (the metrics, the health check).
    """

    def __init__(self, primary: SpeechEngine, fallback: SpeechEngine,
                 on_error: Callable[[str], None] | None = None) -> None:
        self._primary = primary
        self._fallback = fallback
        self._on_error = on_error
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
                if self._on_error is not None:
                    self._on_error(self._primary.name)
        return await self._fallback.say(text, language)
