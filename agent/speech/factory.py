"""Speech engines by name (settings.speech.engine), each wrapped with the offline fallback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from agent.clock import LoopClock
from agent.metrics import Metrics
from agent.ports import Clock, Closes, SpeechEngine
from agent.settings import SpeechSettings
from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer
from agent.speech.fallback import FallbackSynthesizer
from agent.speech.router import LanguageRouter
from agent.speech.voices import build_voices, clone_engine
from agent.speech_settings import CLONE_ENGINES

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
    # voice-clone servers (agent/speech/voices.py builds them with their fallback and per-language voices)
    **{name: (lambda n: lambda s, lib, clock: clone_engine(n, s, clock, Path(".")))(name) for name in CLONE_ENGINES},
}


def build_synthesizer(settings: SpeechSettings, lib: EspeakLibrary, clock: Clock | None = None,
                      on_error: Callable[[str], None] | None = None, metrics: Metrics | None = None,
                      root: str | Path = ".") -> SpeechEngine:
    """The configured engine; any engine other than espeak falls back to espeak when it fails.

    An engine that speaks only some languages (it has a ``languages`` set, like a Piper voice) gets only
    those; every other language goes straight to espeak. Such an engine may own a worker thread: call
    ``close()`` on the result when the show ends. ``clock`` times out network engines (real time when None);
    ``on_error(engine)`` hears each failure of the configured engine before espeak takes over.
    A voice-clone engine, or an engine per language, is built by :func:`agent.speech.voices.build_voices`
    (``metrics`` counts the sentences its fallback says; ``root`` resolves reference recordings).
    """
    offline = EspeakSynthesizer(lib, settings.voices, settings.rate_wpm)
    if settings.engine in CLONE_ENGINES or settings.language_engines:
        def local(name: str) -> SpeechEngine:
            return build_synthesizer(settings.model_copy(update={"engine": name, "language_engines": {}}), lib,
                                     clock, on_error)

        return build_voices(settings, offline, local, clock or LoopClock(), metrics, Path(root), on_error)
    if settings.engine == "espeak":
        return offline
    factory = ENGINES.get(settings.engine)
    if factory is None:
        from agent.errors import ConfigError

        raise ConfigError(f"speech.engine: unknown engine '{settings.engine}'; known: {sorted(ENGINES)}")
    engine = factory(settings, lib, clock or LoopClock())
    guarded = FallbackSynthesizer(engine, offline, on_error)
    languages: frozenset[str] | None = getattr(engine, "languages", None)
    if languages is None:
        return guarded
    owns: list[Closes] = [engine] if isinstance(engine, Closes) else []
    return LanguageRouter(dict.fromkeys(languages, guarded), default=offline, owns=owns)
