"""Voices per language, from settings.toml: each sentence goes to the engine set for its language, in the voice
set for its language; the tables are checked at start (unknown keys, impossible limits, missing recordings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.clock import LoopClock
from agent.errors import ConfigError
from agent.metrics import Metrics
from agent.settings import Settings, load_settings
from agent.speech.espeak import EspeakLibrary
from agent.speech.factory import build_synthesizer
from agent.speech.failover import Failover
from agent.speech.router import LanguageRouter
from agent.speech.voices import spoken_by
from testkit.cosyvoice_server import FakeCosyVoice
from testkit.fish_speech_server import FakeFishSpeech
from testkit.gpt_sovits_server import FakeGptSovits

from .clone_kit import REFERENCE_WAV
from .conftest import SENTENCES, threads_named


def _settings(tmp_path: Path, toml: str) -> Settings:
    path = tmp_path / "settings.toml"
    path.write_text(toml, encoding="utf-8")
    return load_settings(path)


def _shop_toml(gpt: str, fish: str) -> str:
    return f"""
[speech]
engine = "gpt_sovits"
language_engines = {{ fr = "fish_speech" }}

[speech.gpt_sovits]
url = "{gpt}"
ref_audio_path = "/srv/voices/mia_en.wav"
prompt_text = "Hi, I'm Mia, welcome to the shop."
prompt_lang = "en"

[speech.gpt_sovits.voices.zh]
ref_audio_path = "/srv/voices/mia_zh.wav"
prompt_text = "大家好，我是米娅。"
prompt_lang = "zh"

[speech.fish_speech]
url = "{fish}"
references = [{{ audio = "voices/mia.wav", text = "Bonjour, je suis Mia." }}]
"""


async def test_a_french_reply_uses_the_french_voice_and_a_chinese_one_the_chinese_voice(
        tmp_path: Path, reference: Path, gpt_sovits: FakeGptSovits, fish_speech: FakeFishSpeech,
        espeak_lib: EspeakLibrary) -> None:
    settings = _settings(tmp_path, _shop_toml(gpt_sovits.url, fish_speech.url))
    synth = build_synthesizer(settings.speech, espeak_lib, root=settings.root)
    assert isinstance(synth, LanguageRouter)

    said = {language: await synth.say(SENTENCES[language], language) for language in ("en", "zh", "fr")}

    en, zh = gpt_sovits.received
    assert (en["text"], en["ref_audio_path"], en["text_lang"]) == (SENTENCES["en"], "/srv/voices/mia_en.wav", "en")
    assert (zh["text"], zh["ref_audio_path"], zh["prompt_text"], zh["text_lang"]) == (
        SENTENCES["zh"], "/srv/voices/mia_zh.wav", "大家好，我是米娅。", "zh")
    (fr,) = fish_speech.received
    assert fr["text"] == SENTENCES["fr"] and fr["references"][0]["audio"] == REFERENCE_WAV
    assert [said[lang].sample_rate for lang in ("en", "zh", "fr")] == [32000, 32000, 44100]
    assert [spoken_by(synth, lang) for lang in ("en", "zh", "fr")] == ["gpt_sovits", "gpt_sovits", "fish_speech"]


async def test_a_language_routed_to_espeak_never_reaches_the_server(
        tmp_path: Path, gpt_sovits: FakeGptSovits, espeak_lib: EspeakLibrary) -> None:
    settings = _settings(tmp_path, f"""
[speech]
engine = "gpt_sovits"
language_engines = {{ fr = "espeak" }}
[speech.gpt_sovits]
url = "{gpt_sovits.url}"
ref_audio_path = "/srv/mia.wav"
""")
    synth = build_synthesizer(settings.speech, espeak_lib)

    audio = await synth.say(SENTENCES["fr"], "fr")

    assert gpt_sovits.received == [] and audio.sample_rate == espeak_lib.sample_rate
    assert spoken_by(synth, "fr") == "espeak"


async def test_each_sentence_the_fallback_says_is_counted_and_heard_by_on_error(
        tmp_path: Path, cosyvoice: FakeCosyVoice, reference: Path, espeak_lib: EspeakLibrary) -> None:
    cosyvoice.mode = "error"
    settings = _settings(tmp_path, f"""
[speech]
engine = "cosyvoice"
[speech.cosyvoice]
url = "{cosyvoice.url}"
mode = "cross_lingual"
prompt_wav = "voices/mia.wav"
""")
    metrics = Metrics(LoopClock())
    failed: list[str] = []
    synth = build_synthesizer(settings.speech, espeak_lib, on_error=failed.append, metrics=metrics,
                              root=settings.root)
    assert isinstance(synth, Failover)

    for language in ("en", "zh"):
        await synth.say(SENTENCES[language], language)

    assert metrics.counters["speech_fallback"] == 2  # both sentences said by espeak...
    assert failed == ["cosyvoice"]  # ...the second without asking the server again (backoff)
    assert len(cosyvoice.received) == 1


@pytest.mark.parametrize(("table", "key"), [
    ('[speech.gpt_sovits]\nref_audio = "x.wav"', "speech.gpt_sovits.ref_audio"),
    ('[speech.fish_speech.voices.fr]\nreference = "mia"', "speech.fish_speech.voices.fr.reference"),
    ('[speech.cosyvoice]\nmode = "clone"', "speech.cosyvoice.mode"),
    ('[speech.gpt_sovits]\nfirst_audio_s = 9.0\ntimeout_s = 4.0', "speech.gpt_sovits"),
    ('[speech]\nlanguage_engines = { fr = "festival" }', "speech.language_engines.fr"),
])
def test_a_wrong_key_or_value_in_a_voice_table_names_it(tmp_path: Path, table: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        _settings(tmp_path, table)


def test_a_clone_limit_that_leaves_no_time_for_the_local_voice_stops_the_show_at_start(
        tmp_path: Path, espeak_lib: EspeakLibrary) -> None:
    settings = _settings(tmp_path, """
[speech]
engine = "gpt_sovits"
timeout_s = 5.0
[speech.gpt_sovits]
ref_audio_path = "/srv/mia.wav"
timeout_s = 6.0
""")
    with pytest.raises(ConfigError, match=r"speech\.gpt_sovits\.timeout_s \(6\) must be under speech\.timeout_s"):
        build_synthesizer(settings.speech, espeak_lib)


def test_a_missing_reference_recording_names_the_setting(tmp_path: Path, espeak_lib: EspeakLibrary) -> None:
    settings = _settings(tmp_path, """
[speech]
engine = "fish_speech"
[speech.fish_speech.voices.zh]
references = [{ audio = "voices/none.wav", text = "大家好" }]
[speech.fish_speech]
reference_id = "mia"
""")
    with pytest.raises(ConfigError, match=r"speech\.fish_speech\.voices\.zh\.references\[0\]\.audio"):
        build_synthesizer(settings.speech, espeak_lib, root=settings.root)


def test_the_shipped_settings_file_loads_with_every_voice_table() -> None:
    settings = load_settings(Path(__file__).resolve().parents[2] / "settings.toml")

    assert settings.speech.engine == "espeak"  # offline by default; espeak-ng speaks Mandarin too
    assert settings.speech.voices["zh"] == "cmn"
    assert settings.speech.gpt_sovits.url == "http://127.0.0.1:9880"
    assert settings.speech.cosyvoice.url == "http://127.0.0.1:50000"
    assert settings.speech.fish_speech.url == "http://127.0.0.1:8080"


def test_piper_as_the_fallback_is_built_for_english_and_closed_with_the_show(tmp_path: Path,
                                                                             espeak_lib: EspeakLibrary) -> None:
    pytest.importorskip("piper", reason="the piper extra is not installed")
    settings = _settings(tmp_path, """
[speech]
engine = "gpt_sovits"
[speech.gpt_sovits]
ref_audio_path = "/srv/mia.wav"
fallback = "piper"
""")
    before = threads_named("piper")
    synth = build_synthesizer(settings.speech, espeak_lib)
    assert isinstance(synth, LanguageRouter)  # it owns Piper's worker thread
    failover = synth.engine_for("fr")
    assert isinstance(failover, Failover) and failover.fallback.name == "en=piper+espeak,*=espeak"

    synth.close()

    assert threads_named("piper") == before
