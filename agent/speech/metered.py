"""The show's speech engine, watched: each synthesis timed (``livehost_stage_seconds{stage="speech"}``), each
failure counted (``livehost_speech_errors_total{engine}``), and what the health check needs kept: failures in a
row, the last error, and whether the configured engine gave way to the offline fallback."""

from __future__ import annotations

from agent.audio import Audio
from agent.health import Status
from agent.metrics import Metrics
from agent.ports import Clock, Closes, SpeechEngine

DOWN_AFTER = 3  # failed syntheses in a row before speech counts as down


class MeteredSpeech:
    def __init__(self, engine: SpeechEngine, metrics: Metrics, clock: Clock) -> None:
        self._engine = engine
        self._metrics = metrics
        self._clock = clock
        self.name = engine.name
        self.failures = 0  # in a row
        self.last_error = ""
        self.fell_back_from = ""  # the engine that failed and gave way to the fallback

    async def say(self, text: str, language: str = "en") -> Audio:
        t0 = self._clock.now()
        try:
            audio = await self._engine.say(text, language)
        except Exception as exc:
            self.failures += 1
            self.last_error = type(exc).__name__
            self._metrics.speech_error(self.name)
            raise
        self.failures = 0
        self._metrics.observe("speech", self._clock.now() - t0)
        return audio

    def fell_back(self, engine: str) -> None:
        """``on_error`` of :func:`agent.speech.factory.build_synthesizer`: the configured engine failed."""
        self.fell_back_from = engine
        self._metrics.speech_error(engine)

    def status(self) -> Status:
        if self.failures >= DOWN_AFTER:
            return Status.down(f"{self.failures} syntheses failed in a row ({self.last_error})")
        if self.failures:
            return Status.degraded(f"the last synthesis failed ({self.last_error})")
        if self.fell_back_from:
            return Status.degraded(f"{self.fell_back_from} failed; speaking with the offline voice")
        return Status.ok(self.name)

    def close(self) -> None:
        if isinstance(self._engine, Closes):
            self._engine.close()
