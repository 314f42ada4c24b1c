"""An audio chunk: one spoken sentence (or clause), with the timing captions and mouth shapes need.

It sits below the speech engines (agent.ports names it in the SpeechEngine interface), so it imports nothing
from the project.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np

LEVEL_HZ = 50  # mouth-level frames per second carried with every chunk


@dataclass(frozen=True, slots=True)
class Audio:
    """16-bit little-endian mono PCM for ``text``; ``levels`` is the loudness envelope at ``LEVEL_HZ`` (0..1)."""

    pcm: bytes
    sample_rate: int
    text: str
    language: str = "en"
    levels: tuple[float, ...] = ()

    @property
    def duration(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate if self.sample_rate else 0.0

    def wav(self) -> bytes:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.sample_rate)
            w.writeframes(self.pcm)
        return buf.getvalue()


def envelope(pcm: bytes, sample_rate: int, hz: int = LEVEL_HZ) -> tuple[float, ...]:
    """RMS loudness per 1/hz window, scaled to 0..1 (a mouth-open value)."""
    n = len(pcm) // 2
    if n == 0 or sample_rate <= 0:
        return ()
    samples = np.frombuffer(pcm[: n * 2], dtype="<i2").astype(np.float64)
    win = max(1, sample_rate // hz)
    full = n // win * win
    means = [np.mean(np.square(samples[:full]).reshape(-1, win), axis=1)] if full else []
    if full < n:
        means.append(np.array([np.mean(np.square(samples[full:]))]))
    rms = np.sqrt(np.concatenate(means)) / 32768.0
    return tuple(round(float(v), 3) for v in np.minimum(1.0, rms * 4.0))
