"""Each voice-clone engine speaks its server's API as published: the fields it sends (by the server's own names,
in the voice set for the sentence's language), and the audio it reads back, at the right rate, with levels."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.speech.cosyvoice import CosyVoiceSynthesizer
from agent.speech.fish_speech import FishSpeechSynthesizer
from agent.speech.gpt_sovits import GptSovitsSynthesizer
from agent.speech_settings import (
    CosyVoiceSettings,
    CosyVoiceVoice,
    FishReference,
    FishSpeechSettings,
    GptSovitsSettings,
    GptSovitsVoice,
)
from testkit.cosyvoice_server import FakeCosyVoice
from testkit.fish_speech_server import FakeFishSpeech
from testkit.gpt_sovits_server import FakeGptSovits

from .clone_kit import REFERENCE_WAV

SENTENCE = "Hello everyone, welcome back to the show."


def _gpt(url: str, **kw: object) -> GptSovitsSynthesizer:
    return GptSovitsSynthesizer(GptSovitsSettings.model_validate({
        "url": url, "ref_audio_path": "/srv/voices/mia_en.wav", "prompt_text": "Hi, I'm Mia.", "prompt_lang": "en",
        **kw}))


async def test_gpt_sovits_posts_the_api_v2_fields_and_reads_the_streamed_wav(gpt_sovits: FakeGptSovits) -> None:
    engine = _gpt(gpt_sovits.url, speed_factor=1.1, params={"repetition_penalty": 1.4})

    audio = await engine.say(SENTENCE, "en")

    sent = gpt_sovits.received[-1]
    assert sent["method"] == "POST"
    assert {k: sent[k] for k in ("text", "text_lang", "ref_audio_path", "prompt_text", "prompt_lang", "media_type",
                                 "streaming_mode", "speed_factor", "repetition_penalty")} == {
        "text": SENTENCE, "text_lang": "en", "ref_audio_path": "/srv/voices/mia_en.wav", "prompt_text": "Hi, I'm Mia.",
        "prompt_lang": "en", "media_type": "wav", "streaming_mode": 1, "speed_factor": 1.1, "repetition_penalty": 1.4}
    assert audio.sample_rate == 32000  # from the streamed header
    assert audio.duration == pytest.approx(len(SENTENCE) * 0.06, abs=0.01)
    assert audio.text == SENTENCE and audio.language == "en"
    assert len(audio.levels) == pytest.approx(audio.duration * 50, abs=1) and max(audio.levels) > 0.5


async def test_gpt_sovits_reads_a_whole_wav_when_not_streaming(gpt_sovits: FakeGptSovits) -> None:
    audio = await _gpt(gpt_sovits.url, streaming_mode=0).say(SENTENCE, "en")

    assert gpt_sovits.received[-1]["streaming_mode"] == 0
    assert audio.sample_rate == 32000 and audio.duration > 2


async def test_gpt_sovits_uses_the_voice_of_the_sentences_language(gpt_sovits: FakeGptSovits) -> None:
    engine = _gpt(gpt_sovits.url, voices={"zh": GptSovitsVoice(ref_audio_path="/srv/voices/mia_zh.wav",
                                                                prompt_text="大家好，我是米娅。", prompt_lang="zh",
                                                                text_lang="all_zh")})

    await engine.say("大家好，欢迎来到直播间。", "zh-CN")
    await engine.say(SENTENCE, "en")

    zh, en = gpt_sovits.received[-2:]
    assert (zh["ref_audio_path"], zh["prompt_lang"], zh["text_lang"], zh["prompt_text"]) == (
        "/srv/voices/mia_zh.wav", "zh", "all_zh", "大家好，我是米娅。")
    assert (en["ref_audio_path"], en["prompt_lang"], en["text_lang"]) == ("/srv/voices/mia_en.wav", "en", "en")
    assert zh["speed_factor"] == en["speed_factor"] == 1.0  # what a voice leaves out is the engine table's


def test_gpt_sovits_without_a_reference_names_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"speech\.gpt_sovits\.voices\.fr\.ref_audio_path"):
        GptSovitsSynthesizer(GptSovitsSettings(ref_audio_path="/srv/a.wav",
                                               voices={"fr": GptSovitsVoice(ref_audio_path="")}))


async def test_cosyvoice_uploads_the_prompt_wav_and_reads_headerless_pcm_at_the_set_rate(
        cosyvoice: FakeCosyVoice, reference: Path) -> None:
    cosyvoice.rate = 24000  # a CosyVoice2 model
    settings = CosyVoiceSettings(url=cosyvoice.url, sample_rate=24000, prompt_text="希望你以后能够做的比我还好呦。",
                                 prompt_wav="voices/mia.wav")
    engine = CosyVoiceSynthesizer(settings, root=reference.parent.parent)

    audio = await engine.say(SENTENCE, "en")

    sent = cosyvoice.received[-1]
    assert sent["endpoint"] == "zero_shot"
    assert sent["tts_text"] == SENTENCE and sent["prompt_text"] == "希望你以后能够做的比我还好呦。"
    assert sent["prompt_wav"] == REFERENCE_WAV
    assert audio.sample_rate == 24000
    assert audio.duration == pytest.approx(len(SENTENCE) * 0.06, abs=0.01)


@pytest.mark.parametrize(("voice", "endpoint", "fields"), [
    (CosyVoiceVoice(mode="sft", spk_id="中文女"), "sft", {"spk_id": "中文女"}),
    (CosyVoiceVoice(mode="instruct2", instruct_text="用开心的语气说", prompt_wav="voices/mia.wav"), "instruct2",
     {"instruct_text": "用开心的语气说"}),
    (CosyVoiceVoice(mode="cross_lingual", prompt_wav="voices/mia.wav"), "cross_lingual", {}),
])
async def test_cosyvoice_mode_picks_the_endpoint_and_its_form_fields(
        cosyvoice: FakeCosyVoice, reference: Path, voice: CosyVoiceVoice, endpoint: str,
        fields: dict[str, str]) -> None:
    settings = CosyVoiceSettings(url=cosyvoice.url, spk_id="英文女", voices={"zh": voice})
    engine = CosyVoiceSynthesizer(settings.model_copy(update={"mode": "sft"}), root=reference.parent.parent)

    audio = await engine.say("欢迎来到直播间。", "zh")

    sent = cosyvoice.received[-1]
    assert sent["endpoint"] == endpoint
    assert {k: sent[k] for k in fields} == fields
    assert ("prompt_wav" in sent) == (endpoint != "sft")
    assert audio.sample_rate == 22050 and audio.duration > 0.3


def test_cosyvoice_missing_prompt_wav_stops_the_show_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"speech\.cosyvoice\.prompt_wav: cannot read"):
        CosyVoiceSynthesizer(CosyVoiceSettings(prompt_text="hi", prompt_wav="nowhere.wav"), root=tmp_path)


async def test_fish_speech_sends_msgpack_with_the_recording_as_bytes_and_the_bearer_key(
        fish_speech: FakeFishSpeech, reference: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fish_speech.api_key = "sekrit"
    monkeypatch.setenv("LIVEHOST_FISH_SPEECH_API_KEY", "sekrit")
    settings = FishSpeechSettings(url=fish_speech.url, references=(FishReference(audio=str(reference), text="Hi."),))
    engine = FishSpeechSynthesizer(settings)

    audio = await engine.say(SENTENCE, "en")

    sent = fish_speech.received[-1]
    assert sent["content_type"] == "application/msgpack"
    assert sent["text"] == SENTENCE and sent["format"] == "wav" and sent["streaming"] is True
    assert sent["references"] == [{"audio": REFERENCE_WAV, "text": "Hi."}]
    assert sent["reference_id"] is None
    assert audio.sample_rate == 44100 and audio.duration == pytest.approx(len(SENTENCE) * 0.06, abs=0.01)
    assert await engine.healthy()


async def test_fish_speech_json_sends_the_recording_as_base64(fish_speech: FakeFishSpeech, reference: Path) -> None:
    settings = FishSpeechSettings(url=fish_speech.url, encoding="json", streaming=False,
                                  references=(FishReference(audio=str(reference), text="Hi."),))
    engine = FishSpeechSynthesizer(settings)
    body, content_type = engine.encode(engine.request(SENTENCE, "en"))

    audio = await engine.say(SENTENCE, "en")

    assert content_type == "application/json"
    assert body.decode().count(base64.b64encode(REFERENCE_WAV).decode()) == 1
    assert fish_speech.received[-1]["content_type"] == "application/json"
    assert fish_speech.received[-1]["streaming"] is False  # a whole WAV file back
    assert audio.sample_rate == 44100 and audio.duration > 2


async def test_fish_speech_voice_per_language_by_reference_id(fish_speech: FakeFishSpeech) -> None:
    settings = FishSpeechSettings.model_validate({"url": fish_speech.url, "reference_id": "mia",
                                                  "voices": {"fr": {"reference_id": "mia-fr", "latency": "balanced"}}})
    fish_speech.reference_ids = ("mia", "mia-fr")
    engine = FishSpeechSynthesizer(settings)

    await engine.say("Bonjour à tous.", "fr")
    await engine.say(SENTENCE, "en")

    fr, en = fish_speech.received[-2:]
    assert (fr["reference_id"], fr["latency"]) == ("mia-fr", "balanced")
    assert (en["reference_id"], en["latency"]) == ("mia", "normal")


async def test_fish_speech_without_the_key_is_unhealthy(fish_speech: FakeFishSpeech,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVEHOST_FISH_SPEECH_API_KEY", raising=False)
    fish_speech.api_key = "sekrit"

    assert not await FishSpeechSynthesizer(FishSpeechSettings(url=fish_speech.url, reference_id="mia")).healthy()
