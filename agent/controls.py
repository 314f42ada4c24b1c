"""What a moderator can do to a running show, as one small interface for the console and the API.

The console (an adapter) calls these; the core never knows it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from agent.director.utterance import Kind, Utterance, from_texts
from agent.speech.stream import synthesize


class DirectorControls:
    """:class:`ShowControls` over a running :class:`agent.show.Show`."""

    def __init__(self, show: Any, detect_language: Callable[[str], str],
                 triage_stats: Callable[[], dict[str, Any]] | None = None) -> None:
        self._show = show
        self._detect = detect_language
        self._triage_stats = triage_stats

    def pause(self) -> None:
        self._show.director.pause()

    def resume(self) -> None:
        self._show.director.resume()

    def skip(self) -> None:
        self._show.director.skip()

    def stop(self) -> None:
        self._show.director.stop()

    def say_now(self, text: str, language: str | None = None) -> None:
        lang = language or self._detect(text)
        self._show.director.submit(Utterance(Kind.SAY_NOW, from_texts([text]), partial(synthesize, self._show.speech),
                                             language=lang))

    def status(self) -> dict[str, Any]:
        d = self._show.director
        product = d.on_screen
        return {
            "status": d.state.status,
            "on_screen": None if product is None else {"id": product.id, "title": product.title},
            "pending": [{"kind": u.kind.label, "comment": u.comment} for u in d.pending],
            "summary": self._show.summary(),
            "timeline": [t.to_json() for t in d.state.timeline[-20:]],
            "triage": self._triage_stats() if self._triage_stats else {},
            "latency_ms": self._show.metrics.summary_ms(),
        }
