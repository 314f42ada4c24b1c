"""Speech engines by name (settings.speech.engine), each wrapped with the offline fallback."""

from __future__ import annotations

from collections.abc import Callable

from agent.settings import SpeechSettings
from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer
from agent.speech.fallback import FallbackSynthesizer, SentenceEngine


def _espeak(s: SpeechSettings, lib: EspeakLibrary) -> SentenceEngine:
    return EspeakSynthesizer(lib, s.voices, s.rate_wpm)  # type: ignore[return-value]


def _edge(s: SpeechSettings, lib: EspeakLibrary) -> SentenceEngine:
    from agent.speech.edge import EdgeSynthesizer

    return EdgeSynthesizer(s.edge_voices, s.edge_timeout_s)  # type: ignore[return-value]


ENGINES: dict[str, Callable[[SpeechSettings, EspeakLibrary], SentenceEngine]] = {
    "espeak": _espeak,
    "edge": _edge,
}


def build_synthesizer(settings: SpeechSettings, lib: EspeakLibrary) -> FallbackSynthesizer | EspeakSynthesizer:
    """The configured engine; any engine other than espeak falls back to espeak when it fails."""
    offline = EspeakSynthesizer(lib, settings.voices, settings.rate_wpm)
    if settings.engine == "espeak":
        return offline
    factory = ENGINES.get(settings.engine)
    if factory is None:
        from agent.errors import ConfigError

        raise ConfigError(f"speech.engine: unknown engine '{settings.engine}'; known: {sorted(ENGINES)}")
    return FallbackSynthesizer(factory(settings, lib), offline)  # type: ignore[arg-type]
