"""Speech engines by name (settings.speech.engine), each wrapped with the offline fallback."""

from __future__ import annotations

from collections.abc import Callable

from agent.clock import LoopClock
from agent.ports import Clock, Closes, SpeechEngine
from agent.settings import SpeechSettings
from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer
from agent.speech.fallback import FallbackSynthesizer
from agent.speech.router import LanguageRouter

ESPEAK_DEFAULT_WPM = 175  # the rate Piper voices speak at with length_scale 1.0, roughly


def _espeak(s: SpeechSettings, lib: EspeakLibrary, clock: Clock) -> SpeechEngine:
    return EspeakSynthesizer(lib, s.voices, s.rate_wpm)


def _edge(s: SpeechSettings, lib: EspeakLibrary, clock: Clock) -> SpeechEngine:
    from agent.speech.edge import EdgeSynthesizer

    return EdgeSynthesizer(s.edge_voices, s.edge_timeout_s, clock=clock)


def _piper(s: SpeechSettings, lib: EspeakLibrary, clock: Clock) -> SpeechEngine:
    from agent.speech.piper import PiperSynthesizer

    # rate_wpm drives Piper too: 175 wpm (the default) is the voice's own pace, 210 wpm speaks 1.2x faster.
    return PiperSynthesizer(s.piper_voice or None, length_scale=ESPEAK_DEFAULT_WPM / s.rate_wpm)


ENGINES: dict[str, Callable[[SpeechSettings, EspeakLibrary, Clock], SpeechEngine]] = {
    "espeak": _espeak,
    "edge": _edge,
    "piper": _piper,
}


def build_synthesizer(settings: SpeechSettings, lib: EspeakLibrary, clock: Clock | None = None) -> SpeechEngine:
    """The configured engine; any engine other than espeak falls back to espeak when it fails.

    An engine that speaks only some languages (it has a ``languages`` set, like a Piper voice) gets only
    those; every other language goes straight to espeak. Such an engine may own a worker thread: call
    ``close()`` on the result when the show ends. ``clock`` times out network engines (real time when None).
    """
    offline = EspeakSynthesizer(lib, settings.voices, settings.rate_wpm)
    if settings.engine == "espeak":
        return offline
    factory = ENGINES.get(settings.engine)
    if factory is None:
        from agent.errors import ConfigError

        raise ConfigError(f"speech.engine: unknown engine '{settings.engine}'; known: {sorted(ENGINES)}")
    engine = factory(settings, lib, clock or LoopClock())
    guarded = FallbackSynthesizer(engine, offline)
    languages: frozenset[str] | None = getattr(engine, "languages", None)
    if languages is None:
        return guarded
    owns: list[Closes] = [engine] if isinstance(engine, Closes) else []
    return LanguageRouter(dict.fromkeys(languages, guarded), default=offline, owns=owns)
