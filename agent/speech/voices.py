"""The voices of a show: each voice-clone engine behind a :class:`Failover` to its local fallback, and an engine
per language (``speech.language_engines``; the rest use ``speech.engine``), routed by each sentence's language.
Within an engine, ``[speech.<engine>.voices.<language>]`` picks the voice (see :mod:`agent.speech_settings`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from agent.errors import ConfigError
from agent.metrics import Metrics
from agent.ports import Clock, Closes, SpeechEngine
from agent.settings import SpeechSettings
from agent.speech.cosyvoice import CosyVoiceSynthesizer
from agent.speech.failover import Failover
from agent.speech.fish_speech import FishSpeechSynthesizer
from agent.speech.gpt_sovits import GptSovitsSynthesizer
from agent.speech.router import LanguageRouter
from agent.speech_settings import CLONE_ENGINES
from agent.toolbox.backoff import Backoff


def clone_engine(name: str, settings: SpeechSettings, clock: Clock, root: Path) -> SpeechEngine:
    """The bare engine (no fallback) for a voice-clone server; ``root`` resolves reference recordings."""
    if name == "gpt_sovits":
        return GptSovitsSynthesizer(settings.gpt_sovits, clock)
    if name == "cosyvoice":
        return CosyVoiceSynthesizer(settings.cosyvoice, clock, root)
    if name == "fish_speech":
        return FishSpeechSynthesizer(settings.fish_speech, clock, root)
    raise ValueError(f"not a voice-clone engine: {name}")


def build_voices(settings: SpeechSettings, offline: SpeechEngine, local: Callable[[str], SpeechEngine],
                 clock: Clock, metrics: Metrics | None = None, root: Path = Path("."),
                 on_error: Callable[[str], None] | None = None) -> SpeechEngine:
    """Every engine the settings name, each built once. ``local(name)`` builds a non-clone engine as the factory
    does (piper and edge already fall back to espeak); ``offline`` is espeak; ``on_error(engine)`` hears each
    failure of a clone server."""
    locals_: dict[str, SpeechEngine] = {"espeak": offline}

    def local_engine(name: str) -> SpeechEngine:
        if name not in locals_:
            locals_[name] = local(name)
        return locals_[name]

    built: dict[str, SpeechEngine] = {}
    for name in dict.fromkeys([settings.engine, *settings.language_engines.values()]):
        if name in CLONE_ENGINES:
            server = getattr(settings, name)
            limit = getattr(settings, "timeout_s", None)  # the show gives up on a sentence after this
            if limit is not None and server.timeout_s >= limit:
                raise ConfigError(f"speech.{name}.timeout_s ({server.timeout_s:g}) must be under speech.timeout_s "
                                  f"({limit:g}): the local voice needs the rest of the time to say the sentence")
            backoff = Backoff(initial_s=server.backoff_initial_s, max_s=max(server.backoff_initial_s,
                                                                            server.backoff_max_s))
            built[name] = Failover(clone_engine(name, settings, clock, root), local_engine(server.fallback),
                                   clock=clock, backoff=backoff, metrics=metrics, on_error=on_error)
        else:
            built[name] = local_engine(name)
    default = built[settings.engine]
    routes = {language: built[name] for language, name in settings.language_engines.items()}
    owns = [engine for engine in locals_.values() if isinstance(engine, Closes)]
    if not routes and not owns:
        return default
    return LanguageRouter(routes, default=default, owns=owns)


def spoken_by(engine: SpeechEngine, language: str) -> str:
    """Which engine said the latest sentence in ``language`` (the clone server, or its fallback)."""
    if isinstance(engine, LanguageRouter):
        engine = engine.engine_for(language)
    return getattr(engine, "last", "") or engine.name
