"""Settings of the voice-clone speech engines: ``[speech.gpt_sovits]``, ``[speech.cosyvoice]``,
``[speech.fish_speech]``.

Each table holds the server's ``url``, the limits that hand a sentence to the local engine (``first_audio_s``,
``timeout_s``, ``fallback``, the backoff before the server is tried again) and the voice, under the server's own
parameter names, so a shop can copy them from the server's documentation. A ``voices`` table inside it gives a
voice per language (``[speech.gpt_sovits.voices.fr]``): its keys replace the engine table's for that language
only, every key it leaves out is the engine table's.

Kept apart from :mod:`agent.settings` (which uses these models) so that module stays short; same layer.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LocalEngine = Literal["espeak", "piper"]
EngineName = Literal["espeak", "edge", "piper", "gpt_sovits", "cosyvoice", "fish_speech"]
CLONE_ENGINES: tuple[str, ...] = ("gpt_sovits", "cosyvoice", "fish_speech")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def primary_language(language: str) -> str:
    """``"en-US"`` and ``"en_us"`` -> ``"en"``."""
    return language.replace("_", "-").split("-")[0].lower()


class _Server(_Section):
    """What every voice-clone server table holds besides the voice."""

    url: str = ""
    first_audio_s: float = Field(2.0, gt=0, le=60)  # no audio from the server within this: the local engine speaks
    timeout_s: float = Field(4.0, gt=0, le=120)  # the whole sentence within this (under speech.timeout_s)
    fallback: LocalEngine = "espeak"
    backoff_initial_s: float = Field(5.0, gt=0)  # after a failure, sentences skip the server this long...
    backoff_max_s: float = Field(60.0, gt=0)  # ...doubling after each failed retry, up to this

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")

    @model_validator(mode="after")
    def _limits(self) -> Self:
        if self.first_audio_s > self.timeout_s:
            raise ValueError("first_audio_s must not be over timeout_s")
        return self

    def _merged(self, voices: dict[str, Any], language: str) -> Self:
        voice = voices.get(primary_language(language))
        if voice is None:
            return self
        return self.model_copy(update={key: getattr(voice, key) for key in voice.model_fields_set})


# -- GPT-SoVITS (api_v2.py: /tts) -------------------------------------------------------------------------------
class GptSovitsVoice(_Section):
    ref_audio_path: str = ""  # the reference recording, a path on the server's machine
    aux_ref_audio_paths: tuple[str, ...] = ()
    prompt_text: str = ""  # what the reference recording says
    prompt_lang: str = ""  # its language; empty: the sentence's language
    text_lang: str = ""  # how the server reads the text ("zh", "en", "all_zh", "auto"...); empty: the sentence's
    speed_factor: float = Field(1.0, gt=0, le=3)
    text_split_method: str = "cut5"
    top_k: int = Field(15, ge=1)
    top_p: float = Field(1.0, gt=0, le=1)
    temperature: float = Field(1.0, gt=0, le=2)
    seed: int = -1
    streaming_mode: int = Field(1, ge=0, le=3)  # 1 (true) works with every api_v2; 2, 3: lower latency, newer servers
    params: dict[str, Any] = {}  # any other /tts parameter, by the server's own name


class GptSovitsSettings(_Server, GptSovitsVoice):
    url: str = "http://127.0.0.1:9880"
    voices: dict[str, GptSovitsVoice] = {}

    def voice(self, language: str) -> GptSovitsSettings:
        return self._merged(self.voices, language)


# -- CosyVoice (runtime/python/fastapi/server.py: /inference_*) -------------------------------------------------
class CosyVoiceVoice(_Section):
    # /inference_sft (spk_id), /inference_zero_shot (prompt_text, prompt_wav), /inference_cross_lingual
    # (prompt_wav), /inference_instruct (spk_id, instruct_text), /inference_instruct2 (instruct_text, prompt_wav)
    mode: Literal["sft", "zero_shot", "cross_lingual", "instruct", "instruct2"] = "zero_shot"
    spk_id: str = ""  # a built-in speaker ("中文女"...) for sft and instruct
    prompt_text: str = ""  # what the reference recording says (zero_shot)
    prompt_wav: str = ""  # the reference recording (a WAV file here; uploaded with each request)
    instruct_text: str = ""  # how to speak ("用开心的语气说")
    params: dict[str, str] = {}  # any other form field, by the server's own name


class CosyVoiceSettings(_Server, CosyVoiceVoice):
    url: str = "http://127.0.0.1:50000"
    # The server answers with bare 16-bit PCM at its model's rate: 22050 for CosyVoice-300M, 24000 for
    # CosyVoice2 and CosyVoice3.
    sample_rate: int = Field(22050, ge=8000, le=96000)
    voices: dict[str, CosyVoiceVoice] = {}

    def voice(self, language: str) -> CosyVoiceSettings:
        return self._merged(self.voices, language)


# -- Fish-Speech (tools/api_server.py: /v1/tts) ---------------------------------------------------------------------
class FishReference(_Section):
    audio: str  # a recording (a file here; sent with each request)
    text: str  # what it says


class FishSpeechVoice(_Section):
    reference_id: str = ""  # a voice stored on the server; or:
    references: tuple[FishReference, ...] = ()
    streaming: bool = True
    chunk_length: int = Field(200, ge=100, le=1000)
    normalize: bool = True
    latency: Literal["normal", "balanced"] = "normal"
    use_memory_cache: Literal["on", "off"] = "on"  # the server keeps the references' encoding between requests
    max_new_tokens: int = Field(1024, ge=0)
    top_p: float = Field(0.8, ge=0.1, le=1)
    temperature: float = Field(0.8, ge=0.1, le=1)
    repetition_penalty: float = Field(1.1, ge=0.9, le=2)
    seed: int | None = None
    params: dict[str, Any] = {}  # any other /v1/tts field, by the server's own name


class FishSpeechSettings(_Server, FishSpeechVoice):
    url: str = "http://127.0.0.1:8080"
    encoding: Literal["msgpack", "json"] = "msgpack"
    api_key_env: str = "LIVEHOST_FISH_SPEECH_API_KEY"  # the server's --api-key, if it was started with one
    voices: dict[str, FishSpeechVoice] = {}

    def voice(self, language: str) -> FishSpeechSettings:
        return self._merged(self.voices, language)
