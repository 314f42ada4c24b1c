"""Mouth opening over time from the audio chunks being played, for renderers that animate a model.

Each :class:`~agent.render.AudioChunk` carries its loudness envelope and the show-clock time ``at`` it
starts, so the mouth value at any instant is a lookup; no audio analysis happens here.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.audio import LEVEL_HZ
from agent.render import AudioChunk


@dataclass(frozen=True, slots=True)
class _Span:
    utterance_id: str
    start: float
    end: float
    levels: tuple[float, ...]


class MouthTrack:
    """The chunks playing now or soon; ``level(now)`` gives 0..1, 0 when nothing plays."""

    def __init__(self) -> None:
        self._spans: list[_Span] = []

    def add(self, chunk: AudioChunk) -> None:
        a = chunk.audio
        self._spans.append(_Span(chunk.utterance_id, chunk.at, chunk.at + a.duration, a.levels))

    def cut(self, utterance_id: str) -> None:
        """Forget an interrupted utterance so the mouth closes at once."""
        self._spans = [s for s in self._spans if s.utterance_id != utterance_id]

    def clear(self) -> None:
        self._spans.clear()

    def speaking(self, now: float) -> bool:
        return any(s.start <= now < s.end for s in self._spans)

    def level(self, now: float) -> float:
        self._spans = [s for s in self._spans if s.end > now]
        playing = [s for s in self._spans if s.start <= now]
        if not playing:
            return 0.0
        span = playing[-1]  # the latest-started chunk wins if two overlap
        i = int((now - span.start) * LEVEL_HZ)
        if i >= len(span.levels):
            return 0.0
        return max(0.0, min(1.0, float(span.levels[i])))
