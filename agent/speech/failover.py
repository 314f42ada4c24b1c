"""A voice server with the local voice behind it: a sentence the server cannot say in time is said locally, and
a server that failed is left alone for a backoff before the next sentence tries it again.

Unlike :class:`agent.speech.fallback.FallbackSynthesizer` (which sticks to its fallback after one failure, for
an online engine on a show whose network is down), this one keeps coming back to the server: a clone server
restarts, or had one slow sentence. While it is backed off no sentence waits for it, so a dead server costs its
time limit once per backoff, not once per sentence. Time is the injected clock's.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

from agent.audio import Audio
from agent.errors import LivehostError
from agent.metrics import Metrics
from agent.ports import Clock, SpeechEngine
from agent.toolbox.backoff import Backoff

log = logging.getLogger(__name__)

FALLBACK_COUNTER = "speech_fallback"  # sentences the local voice said for the server


class Failover:
    def __init__(self, primary: SpeechEngine, fallback: SpeechEngine, *, clock: Clock, backoff: Backoff,
                 metrics: Metrics | None = None, on_error: Callable[[str], None] | None = None,
                 rng: random.Random | None = None) -> None:
        """``metrics`` counts each sentence the fallback says (``speech_fallback``); ``on_error(engine)`` hears
        each failure of the server (the health check)."""
        self.primary = primary
        self.fallback = fallback
        self._clock = clock
        self._backoff = backoff
        self._metrics = metrics
        self._on_error = on_error
        self._rng = rng
        self._failures = 0
        self._retry_at = float("-inf")
        self._probing = False
        self.last = ""  # the engine that said the latest sentence
        self.name = f"{primary.name}+{fallback.name}"

    @property
    def backed_off(self) -> bool:
        """True while sentences skip the server."""
        return self._clock.now() < self._retry_at or (self._failures > 0 and self._probing)

    async def say(self, text: str, language: str = "en") -> Audio:
        if not self.backed_off:
            retrying = self._failures > 0
            self._probing = retrying
            try:
                audio = await self.primary.say(text, language)
            except (LivehostError, OSError, TimeoutError) as exc:
                self._failed(exc)
            else:
                self._failures, self._retry_at = 0, float("-inf")
                if retrying:
                    log.info("voice server is back", extra={"engine": self.primary.name})
                self.last = self.primary.name
                return audio
            finally:
                if retrying:
                    self._probing = False
        if self._metrics is not None:
            self._metrics.count(FALLBACK_COUNTER)
        self.last = self.fallback.name
        return await self.fallback.say(text, language)

    def _failed(self, exc: BaseException) -> None:
        delay = self._backoff.delay(self._failures, self._rng)
        self._failures += 1
        self._retry_at = self._clock.now() + delay
        log.warning("voice server failed; the local voice speaks until the next try",
                    extra={"engine": self.primary.name, "fallback": self.fallback.name, "error": str(exc)[:200],
                           "failures": self._failures, "retry_in_s": round(delay, 3)})
        if self._on_error is not None:
            self._on_error(self.primary.name)
