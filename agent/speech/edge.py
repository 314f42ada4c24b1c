"""edge-tts (online neural voices). It needs the network: every call has a short timeout so an offline
show falls back to the offline engine within a second or two instead of hanging."""

from __future__ import annotations

from collections.abc import Mapping

from agent.audio import Audio, envelope
from agent.clock import LoopClock, timeout
from agent.errors import RetryableError
from agent.ports import Clock


class EdgeSynthesizer:
    name = "edge"

    def __init__(self, voices: Mapping[str, str], timeout_s: float = 1.5, clock: Clock | None = None) -> None:
        """``clock`` times each call out (the show's clock; real time when None)."""
        self._voices = dict(voices)
        self._timeout = timeout_s
        self._clock = clock or LoopClock()

    async def say(self, text: str, language: str = "en") -> Audio:
        try:
            import edge_tts
            import miniaudio  # decodes edge's MP3 to PCM
        except ImportError as exc:
            raise RetryableError("edge-tts needs the edge-tts and miniaudio packages") from exc
        voice = self._voices.get(language) or self._voices.get("en", "en-US-AriaNeural")
        try:
            async with timeout(self._clock, self._timeout):
                mp3 = bytearray()
                async for part in edge_tts.Communicate(text, voice).stream():
                    if part.get("type") == "audio":
                        mp3.extend(part["data"])
        except (TimeoutError, OSError, Exception) as exc:  # aiohttp errors are not OSError subclasses
            raise RetryableError(f"edge-tts unreachable: {type(exc).__name__}") from exc
        decoded = miniaudio.decode(bytes(mp3), output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1)
        pcm = decoded.samples.tobytes()
        rate = decoded.sample_rate
        return Audio(pcm=pcm, sample_rate=rate, text=text, language=language, levels=envelope(pcm, rate))
