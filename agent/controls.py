"""What a moderator can do to a running show, as one small interface for the console and the API.

The console (an adapter) calls these; the core never knows it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from agent.approval import Approvals
from agent.director.director import Director
from agent.director.utterance import Kind, Utterance, from_texts
from agent.ports import SpeechEngine
from agent.speech.stream import synthesize


class DirectorControls:
    """:class:`agent.ports.ShowControls` over a show's director: pause, resume, skip, stop, say now, status.

    ``summary``, ``latency_ms`` and ``triage_stats`` report on the show for the console's status.
    """

    def __init__(self, director: Director, speech: SpeechEngine, detect_language: Callable[[str], str], *,
                 summary: Callable[[], dict[str, Any]] = dict,
                 latency_ms: Callable[[], dict[str, Any]] = dict,
                 triage_stats: Callable[[], dict[str, Any]] = dict,
                 approvals: Approvals | None = None) -> None:
        self._director = director
        self._speech = speech
        self._detect = detect_language
        self._summary = summary
        self._latency = latency_ms
        self._triage_stats = triage_stats
        self._approvals = approvals or Approvals(director.clock)

    def pause(self) -> None:
        self._director.pause()

    def resume(self) -> None:
        self._director.resume()

    def skip(self) -> None:
        self._director.skip()

    def stop(self) -> None:
        self._director.stop()

    def say_now(self, text: str, language: str | None = None) -> None:
        lang = language or self._detect(text)
        self._director.submit(Utterance(Kind.SAY_NOW, from_texts([text]), partial(synthesize, self._speech),
                                        language=lang))

    def status(self) -> dict[str, Any]:
        d = self._director
        product = d.on_screen
        return {
            "status": d.state.status,
            "on_screen": None if product is None else {"id": product.id, "title": product.title},
            "pending": [{"kind": u.kind.label, "comment": u.comment} for u in d.pending],
            "summary": self._summary(),
            "timeline": [t.to_json() for t in d.state.timeline[-20:]],
            "triage": self._triage_stats(),
            "latency_ms": self._latency(),
            "approval": {"enabled": self._approvals.enabled, "expire_s": self._approvals.expire_s,
                         "waiting": len(self._approvals.waiting())},
        }

    def set_approval(self, on: bool) -> None:
        self._approvals.set_enabled(on)

    def approvals(self) -> list[dict[str, Any]]:
        now = self._director.clock.now()
        return [{**r.to_json(), "expires_in_s": round(max(0.0, r.expires - now), 1)} for r in self._approvals.waiting()]

    def approve(self, review_id: str, who: str, text: str | None = None) -> dict[str, Any]:
        return self._approvals.approve(review_id, who, text).to_json()

    def reject(self, review_id: str, who: str) -> dict[str, Any]:
        return self._approvals.reject(review_id, who).to_json()
