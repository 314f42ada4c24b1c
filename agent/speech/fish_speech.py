"""A cloned voice from a Fish-Speech server (``tools/api_server.py``): ``POST /v1/tts``, one sentence a request.

The request is MessagePack (the server's own client's choice: reference recordings travel as bytes) or JSON
(recordings as base64); the voice is the server's stored ``reference_id`` or ``references`` sent with each
request. With ``streaming`` the answer is a WAV stream (a header whose data length is 0, then bare PCM),
otherwise a whole WAV file. A server started with ``--api-key`` wants ``Authorization: Bearer <key>``; the key
comes from the environment variable ``api_key_env`` names. ``GET /v1/health`` says whether it is up.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import httpx
import msgpack

from agent.audio import Audio
from agent.clock import LoopClock, timeout
from agent.errors import ConfigError
from agent.ports import Clock
from agent.speech.pcm import WavReader
from agent.speech.remote import Limits, audio, fetch, read_file, ssl_context
from agent.speech_settings import FishSpeechSettings, primary_language


class FishSpeechSynthesizer:
    name = "fish_speech"

    def __init__(self, settings: FishSpeechSettings, clock: Clock | None = None, root: Path = Path(".")) -> None:
        """Reference recordings are read now (a missing one stops the show at start); relative paths are taken
        from ``root``, the folder of settings.toml. ``clock`` times each request out (real time when None)."""
        self._settings = settings
        self._clock = clock or LoopClock()
        self._audio: dict[str, bytes] = {}
        ssl_context()  # built now rather than on the first sentence
        for language in ["", *settings.voices]:
            voice = settings.voice(language) if language else settings
            where = f"speech.fish_speech.voices.{language}." if language else "speech.fish_speech."
            if not voice.reference_id and not voice.references:
                raise ConfigError(f"{where}reference_id and {where}references are both empty: name a voice stored "
                                  "on the server or give a recording and what it says")
            for i, ref in enumerate(voice.references):
                if ref.audio not in self._audio:
                    self._audio[ref.audio] = read_file(ref.audio, f"{where}references[{i}].audio", root)
        key = os.environ.get(settings.api_key_env, "") if settings.api_key_env else ""
        self._headers = {"Authorization": f"Bearer {key}"} if key else {}

    def request(self, text: str, language: str) -> dict[str, Any]:
        """The ``/v1/tts`` fields of one sentence, in its language's voice (recordings as bytes)."""
        v = self._settings.voice(primary_language(language))
        body: dict[str, Any] = {
            "text": text,
            "format": "wav",
            "streaming": v.streaming,
            "chunk_length": v.chunk_length,
            "normalize": v.normalize,
            "latency": v.latency,
            "references": [{"audio": self._audio[r.audio], "text": r.text} for r in v.references],
            "reference_id": v.reference_id or None,
            "seed": v.seed,
            "use_memory_cache": v.use_memory_cache,
            "max_new_tokens": v.max_new_tokens,
            "top_p": v.top_p,
            "temperature": v.temperature,
            "repetition_penalty": v.repetition_penalty,
        }
        body.update(v.params)
        return body

    def encode(self, body: dict[str, Any]) -> tuple[bytes, str]:
        """The request body as sent, with its content type."""
        if self._settings.encoding == "msgpack":
            return msgpack.packb(body, use_bin_type=True), "application/msgpack"
        refs = [{**r, "audio": base64.b64encode(r["audio"]).decode("ascii")} for r in body["references"]]
        return json.dumps({**body, "references": refs}, ensure_ascii=False).encode("utf-8"), "application/json"

    async def say(self, text: str, language: str = "en") -> Audio:
        content, content_type = self.encode(self.request(text, language))
        headers = {**self._headers, "Content-Type": content_type}
        url = f"{self._settings.url}/v1/tts"
        reader = WavReader()
        limits = Limits(self._settings.first_audio_s, self._settings.timeout_s)
        pcm = await fetch(self._clock, limits,
                          lambda client: client.stream("POST", url, content=content, headers=headers), reader,
                          "Fish-Speech")
        return audio(pcm, reader.sample_rate, text, language, "Fish-Speech")

    async def healthy(self) -> bool:
        """True when ``GET /v1/health`` answers ``{"status": "ok"}`` within ``first_audio_s``."""
        try:
            async with timeout(self._clock, self._settings.first_audio_s):
                async with httpx.AsyncClient(verify=ssl_context(), timeout=None) as client:
                    response = await client.get(f"{self._settings.url}/v1/health", headers=self._headers)
            return response.status_code == 200 and response.json().get("status") == "ok"
        except (TimeoutError, httpx.HTTPError, ValueError):
            return False
