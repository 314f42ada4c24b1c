"""A cloned voice from a GPT-SoVITS server (its ``api_v2.py``): ``POST /tts`` with JSON, one sentence a request.

The answer is a WAV stream: a header whose data length is 0, then bare 16-bit PCM; the sample rate is the
header's. On an internal error the server still answers HTTP 200, with about a second of silence; that counts
as a failure here (see :func:`agent.speech.remote.audio`).
"""

from __future__ import annotations

from typing import Any

from agent.audio import Audio
from agent.clock import LoopClock
from agent.errors import ConfigError
from agent.ports import Clock
from agent.speech.pcm import WavReader
from agent.speech.remote import Limits, audio, fetch, ssl_context
from agent.speech_settings import GptSovitsSettings, primary_language


class GptSovitsSynthesizer:
    name = "gpt_sovits"

    def __init__(self, settings: GptSovitsSettings, clock: Clock | None = None) -> None:
        """``clock`` times each request out (the show's clock; real time when None)."""
        for language, voice in [("", settings), *((k, settings.voice(k)) for k in settings.voices)]:
            if not voice.ref_audio_path:
                where = f"voices.{language}." if language else ""
                raise ConfigError(f"speech.gpt_sovits.{where}ref_audio_path is empty: GPT-SoVITS clones the voice "
                                  "of a reference recording (a path on the server's machine)")
        self._settings = settings
        self._clock = clock or LoopClock()
        self._url = f"{settings.url}/tts"
        ssl_context()  # built now rather than on the first sentence

    def request(self, text: str, language: str) -> dict[str, Any]:
        """The JSON body of ``POST /tts`` for one sentence, in the voice set for its language."""
        v = self._settings.voice(language)
        lang = primary_language(language)
        body: dict[str, Any] = {
            "text": text,
            "text_lang": v.text_lang or lang,
            "ref_audio_path": v.ref_audio_path,
            "aux_ref_audio_paths": list(v.aux_ref_audio_paths),
            "prompt_text": v.prompt_text,
            "prompt_lang": v.prompt_lang or lang,
            "top_k": v.top_k,
            "top_p": v.top_p,
            "temperature": v.temperature,
            "text_split_method": v.text_split_method,
            "speed_factor": v.speed_factor,
            "seed": v.seed,
            "media_type": "wav",
            "streaming_mode": v.streaming_mode,
        }
        body.update(v.params)
        return body

    async def say(self, text: str, language: str = "en") -> Audio:
        body = self.request(text, language)
        reader = WavReader()
        limits = Limits(self._settings.first_audio_s, self._settings.timeout_s)
        pcm = await fetch(self._clock, limits, lambda client: client.stream("POST", self._url, json=body), reader,
                          "GPT-SoVITS")
        return audio(pcm, reader.sample_rate, text, language, "GPT-SoVITS")
