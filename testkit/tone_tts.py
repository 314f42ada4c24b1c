"""A deterministic speech engine for timing tests: a tone whose length is proportional to the text."""

from __future__ import annotations

import math
import struct

from agent.audio import Audio, envelope

RATE = 8000


class ToneEngine:
    name = "tone"

    def __init__(self, seconds_per_char: float = 0.05) -> None:
        self.per_char = seconds_per_char
        self.calls: list[str] = []

    async def say(self, text: str, language: str = "en") -> Audio:
        self.calls.append(text)
        n = int(len(text) * self.per_char * RATE)
        pcm = struct.pack(f"<{n}h", *(int(8000 * math.sin(i / 5)) for i in range(n)))
        return Audio(pcm=pcm, sample_rate=RATE, text=text, language=language, levels=envelope(pcm, RATE))


class RecordingRenderer:
    name = "recording"

    def __init__(self) -> None:
        self.events: list[object] = []

    async def start(self) -> None:
        return None

    async def send(self, event: object) -> None:
        self.events.append(event)

    async def aclose(self) -> None:
        return None
