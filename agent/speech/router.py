"""A synthesizer that picks the engine per sentence by language (e.g. Piper for English, espeak for the rest)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from agent.audio import Audio
from agent.ports import Closes, SpeechEngine


def primary_language(language: str) -> str:
    """``"en-US"`` and ``"en_us"`` -> ``"en"``."""
    return language.replace("_", "-").split("-")[0].lower()


class LanguageRouter:
    """Each sentence goes to the engine routed for its language; any other language goes to ``default``.

    Routing happens before any engine is tried, so a language an engine cannot speak never counts as that
    engine failing (a :class:`FallbackSynthesizer` sticks to its fallback after one failure).
    """

    def __init__(self, routes: Mapping[str, SpeechEngine], default: SpeechEngine,
                 owns: Iterable[Closes] = ()) -> None:
        self._routes = {primary_language(k): v for k, v in routes.items()}
        self._default = default
        self._owned = tuple(owns)
        parts = [f"{lang}={engine.name}" for lang, engine in sorted(self._routes.items())]
        self.name = ",".join([*parts, f"*={default.name}"])

    def engine_for(self, language: str) -> SpeechEngine:
        return self._routes.get(primary_language(language), self._default)

    async def say(self, text: str, language: str = "en") -> Audio:
        return await self.engine_for(language).say(text, language)

    def close(self) -> None:
        """Release what the router was handed to own (e.g. Piper's worker thread)."""
        for engine in self._owned:
            engine.close()
