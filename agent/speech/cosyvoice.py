"""A cloned voice from a CosyVoice server (its ``runtime/python/fastapi/server.py``), one sentence a request.

``speech.cosyvoice.mode`` picks the endpoint (``/inference_<mode>``) and so the form fields sent:
``tts_text`` always, ``spk_id`` (sft, instruct), ``prompt_text`` (zero_shot), ``instruct_text`` (instruct,
instruct2) and the reference recording uploaded as ``prompt_wav`` (zero_shot, cross_lingual, instruct2). The
answer is bare 16-bit PCM, no header: its rate is the model's, so it is a setting (``sample_rate``).
"""

from __future__ import annotations

from pathlib import Path

from agent.audio import Audio
from agent.clock import LoopClock
from agent.errors import ConfigError
from agent.ports import Clock
from agent.speech.pcm import PcmReader
from agent.speech.remote import Limits, audio, fetch, read_file, ssl_context
from agent.speech_settings import CosyVoiceSettings, primary_language

FIELDS: dict[str, tuple[str, ...]] = {  # the form fields each endpoint takes besides tts_text
    "sft": ("spk_id",),
    "zero_shot": ("prompt_text", "prompt_wav"),
    "cross_lingual": ("prompt_wav",),
    "instruct": ("spk_id", "instruct_text"),
    "instruct2": ("instruct_text", "prompt_wav"),
}


class CosyVoiceSynthesizer:
    name = "cosyvoice"

    def __init__(self, settings: CosyVoiceSettings, clock: Clock | None = None, root: Path = Path(".")) -> None:
        """Reference recordings are read now (a missing one stops the show at start); relative paths are taken
        from ``root``, the folder of settings.toml. ``clock`` times each request out (real time when None)."""
        self._settings = settings
        self._clock = clock or LoopClock()
        self._wavs: dict[str, bytes] = {}
        ssl_context()  # built now rather than on the first sentence
        for language in ["", *settings.voices]:
            voice = settings.voice(language) if language else settings
            where = f"speech.cosyvoice.voices.{language}." if language else "speech.cosyvoice."
            for name in FIELDS[voice.mode]:
                if not getattr(voice, name):
                    raise ConfigError(f"{where}{name} is empty: mode '{voice.mode}' needs it")
            if "prompt_wav" in FIELDS[voice.mode] and voice.prompt_wav not in self._wavs:
                self._wavs[voice.prompt_wav] = read_file(voice.prompt_wav, f"{where}prompt_wav", root)

    def request(self, text: str, language: str) -> tuple[str, dict[str, str], dict[str, tuple[str, bytes, str]]]:
        """The endpoint, the form fields and the uploaded file of one sentence, in its language's voice."""
        v = self._settings.voice(primary_language(language))
        data = {"tts_text": text}
        files: dict[str, tuple[str, bytes, str]] = {}
        for name in FIELDS[v.mode]:
            if name == "prompt_wav":
                files["prompt_wav"] = (Path(v.prompt_wav).name, self._wavs[v.prompt_wav], "audio/wav")
            else:
                data[name] = str(getattr(v, name))
        data.update(v.params)
        return f"{self._settings.url}/inference_{v.mode}", data, files

    async def say(self, text: str, language: str = "en") -> Audio:
        url, data, files = self.request(text, language)
        reader = PcmReader(self._settings.sample_rate)
        limits = Limits(self._settings.first_audio_s, self._settings.timeout_s)
        pcm = await fetch(self._clock, limits,
                          lambda client: client.stream("POST", url, data=data, files=files or None), reader,
                          "CosyVoice")
        return audio(pcm, reader.sample_rate, text, language, "CosyVoice")
