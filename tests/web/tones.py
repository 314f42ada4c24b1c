"""Test audio without TTS: sine tones (or silence) as AudioChunks with a real loudness envelope."""

from __future__ import annotations

import math
import struct

from agent.audio import Audio, envelope
from agent.render import AudioChunk

RATE = 16000


def tone(seconds: float, freq: float = 220.0, amp: float = 0.5) -> bytes:
    """A sine tone as s16le mono PCM; amp 0 gives silence."""
    n = int(seconds * RATE)
    peak = int(32767 * amp)
    return struct.pack(f"<{n}h", *(int(peak * math.sin(2 * math.pi * freq * i / RATE)) for i in range(n)))


def chunk(text: str, seconds: float = 0.5, *, utt: str = "u1", seq: int = 0, amp: float = 0.5) -> AudioChunk:
    pcm = tone(seconds, amp=amp)
    audio = Audio(pcm=pcm, sample_rate=RATE, text=text, levels=envelope(pcm, RATE))
    return AudioChunk(utterance_id=utt, seq=seq, audio=audio, at=0.0)
