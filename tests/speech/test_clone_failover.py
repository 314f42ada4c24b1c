"""A voice server that is down, hangs, is slow, errs or sends silence: the sentence is said by the local voice
within the set time, the fallback is logged and counted, and the next sentences skip the server for a backoff,
then try it again."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from agent.clock import LoopClock, VirtualClock
from agent.metrics import Metrics
from agent.ports import Clock
from agent.speech.cosyvoice import CosyVoiceSynthesizer
from agent.speech.espeak import EspeakSynthesizer
from agent.speech.failover import Failover
from agent.speech.fish_speech import FishSpeechSynthesizer
from agent.speech.gpt_sovits import GptSovitsSynthesizer
from agent.speech_settings import CosyVoiceSettings, FishSpeechSettings, GptSovitsSettings
from agent.toolbox.backoff import Backoff
from testkit.cosyvoice_server import FakeCosyVoice
from testkit.fish_speech_server import FakeFishSpeech
from testkit.gpt_sovits_server import FakeGptSovits
from testkit.voice_server import VoiceServer

from .clone_kit import driven
from .conftest import SENTENCES

FIRST_AUDIO_S = 2.0
REAL_SLACK_S = 1.0  # a loaded CI box; nothing here waits for a limit in real time


def _failover(engine: GptSovitsSynthesizer | CosyVoiceSynthesizer | FishSpeechSynthesizer,
              espeak: EspeakSynthesizer, clock: Clock, metrics: Metrics | None = None) -> Failover:
    return Failover(engine, espeak, clock=clock, backoff=Backoff(initial_s=5.0, max_s=60.0, jitter=0.0),
                    metrics=metrics)


def _gpt(server: VoiceServer, clock: Clock, first_audio_s: float = FIRST_AUDIO_S) -> GptSovitsSynthesizer:
    settings = GptSovitsSettings(url=server.url, ref_audio_path="/srv/mia.wav", first_audio_s=first_audio_s,
                                 timeout_s=first_audio_s * 2)
    return GptSovitsSynthesizer(settings, clock)


async def test_a_hanging_server_gives_the_sentence_to_espeak_at_first_audio_s_of_show_time(
        gpt_sovits: FakeGptSovits, espeak: EspeakSynthesizer, caplog: pytest.LogCaptureFixture) -> None:
    gpt_sovits.mode = "hang"
    clock = VirtualClock()
    metrics = Metrics(clock)
    async with driven(clock):
        synth = _failover(_gpt(gpt_sovits, clock), espeak, clock, metrics)
        started = time.monotonic()
        audio = await synth.say(SENTENCES["en"], "en")

    assert clock.now() == pytest.approx(FIRST_AUDIO_S)  # the limit, on the show's clock
    assert time.monotonic() - started < REAL_SLACK_S  # not in real time
    assert audio.sample_rate == espeak._lib.sample_rate and audio.duration > 0.8 and max(audio.levels) > 0
    assert synth.last == "espeak" and metrics.counters["speech_fallback"] == 1
    record = next(r for r in caplog.records if r.levelno == logging.WARNING and r.name == "agent.speech.failover")
    assert record.getMessage() == "voice server failed; the local voice speaks until the next try"
    assert record.__dict__["engine"] == "gpt_sovits" and "no audio within 2 s" in record.__dict__["error"]


async def test_a_dead_server_costs_its_limit_once_per_backoff_not_once_per_sentence(
        gpt_sovits: FakeGptSovits, espeak: EspeakSynthesizer) -> None:
    gpt_sovits.mode = "hang"
    clock = VirtualClock()
    metrics = Metrics(clock)
    async with driven(clock):
        synth = _failover(_gpt(gpt_sovits, clock), espeak, clock, metrics)
        await synth.say(SENTENCES["en"], "en")
        asked = len(gpt_sovits.received)

        for language in ("fr", "zh", "en"):  # within the 5 s backoff: straight to espeak
            before = clock.now()
            audio = await synth.say(SENTENCES[language], language)
            assert clock.now() == before and audio.language == language
        assert len(gpt_sovits.received) == asked

        gpt_sovits.mode = "ok"
        await clock.sleep(5.0)  # the backoff has passed: the next sentence tries the server again
        audio = await synth.say(SENTENCES["en"], "en")

    assert len(gpt_sovits.received) == asked + 1
    assert audio.sample_rate == 32000 and synth.last == "gpt_sovits"
    assert metrics.counters["speech_fallback"] == 4


async def test_backoff_doubles_while_the_server_stays_down(gpt_sovits: FakeGptSovits,
                                                           espeak: EspeakSynthesizer) -> None:
    await gpt_sovits.stop()  # connections refused
    clock = VirtualClock()
    async with driven(clock):
        synth = _failover(_gpt(gpt_sovits, clock), espeak, clock)
        tries = []
        for _ in range(18):  # one sentence a second for 18 s
            backed_off = synth.backed_off
            await synth.say("One moment.", "en")
            if not backed_off:
                tries.append(clock.now())
            await clock.sleep(1.0)

    assert [round(b - a) for a, b in zip(tries, tries[1:], strict=False)] == [5, 10]


async def test_a_refused_connection_falls_back_at_once(gpt_sovits: FakeGptSovits, espeak: EspeakSynthesizer) -> None:
    await gpt_sovits.stop()
    clock = LoopClock()
    synth = _failover(_gpt(gpt_sovits, clock), espeak, clock)

    started = clock.now()
    audio = await synth.say(SENTENCES["zh"], "zh")

    assert clock.now() - started < REAL_SLACK_S
    assert synth.last == "espeak" and audio.language == "zh" and audio.duration > 0.8


async def test_silence_with_http_200_is_a_failure_and_espeak_says_the_sentence(
        gpt_sovits: FakeGptSovits, espeak: EspeakSynthesizer) -> None:
    gpt_sovits.mode = "silence"
    clock = LoopClock()
    synth = _failover(_gpt(gpt_sovits, clock), espeak, clock)

    audio = await synth.say(SENTENCES["en"], "en")

    assert synth.last == "espeak" and max(audio.levels) > 0


async def test_a_language_the_model_does_not_speak_is_refused_by_the_server_and_espeak_speaks_it(
        gpt_sovits: FakeGptSovits, espeak: EspeakSynthesizer) -> None:
    clock = LoopClock()
    synth = _failover(_gpt(gpt_sovits, clock), espeak, clock)

    audio = await synth.say(SENTENCES["fr"], "fr")  # GPT-SoVITS v2 has no French: HTTP 400

    assert gpt_sovits.received[-1]["text_lang"] == "fr"
    assert synth.last == "espeak" and audio.language == "fr"


async def test_a_first_chunk_slower_than_the_limit_falls_back_within_the_limit(
        gpt_sovits: FakeGptSovits, espeak: EspeakSynthesizer) -> None:
    gpt_sovits.first_chunk_delay_s = 30.0  # a model still loading
    clock = VirtualClock()
    async with driven(clock):
        synth = _failover(_gpt(gpt_sovits, clock), espeak, clock)
        audio = await synth.say(SENTENCES["en"], "en")

    assert clock.now() == pytest.approx(FIRST_AUDIO_S)
    assert synth.last == "espeak" and audio.duration > 0.8


async def test_a_first_chunk_within_the_limit_is_the_clone_speaking(gpt_sovits: FakeGptSovits,
                                                                    espeak: EspeakSynthesizer) -> None:
    gpt_sovits.first_chunk_delay_s = 0.05
    clock = LoopClock()
    synth = _failover(_gpt(gpt_sovits, clock, first_audio_s=5.0), espeak, clock)

    audio = await synth.say(SENTENCES["en"], "en")

    assert synth.last == "gpt_sovits" and audio.sample_rate == 32000


@pytest.mark.parametrize("mode", ["error", "hang"])
async def test_cosyvoice_failures_fall_back(cosyvoice: FakeCosyVoice, espeak: EspeakSynthesizer, reference: Path,
                                            mode: str) -> None:
    cosyvoice.mode = mode  # type: ignore[assignment]
    clock = VirtualClock()
    async with driven(clock):
        settings = CosyVoiceSettings(url=cosyvoice.url, prompt_text="hi", prompt_wav=str(reference),
                                     first_audio_s=FIRST_AUDIO_S)
        synth = _failover(CosyVoiceSynthesizer(settings, clock), espeak, clock)
        audio = await synth.say(SENTENCES["en"], "en")

    assert synth.last == "espeak" and audio.duration > 0.8
    assert clock.now() <= FIRST_AUDIO_S + 0.001


@pytest.mark.parametrize("mode", ["error", "hang", "unauthorized"])
async def test_fish_speech_failures_fall_back(fish_speech: FakeFishSpeech, espeak: EspeakSynthesizer,
                                              mode: str) -> None:
    if mode == "unauthorized":
        fish_speech.api_key = "not-the-one-we-have"
    else:
        fish_speech.mode = mode  # type: ignore[assignment]
    clock = VirtualClock()
    async with driven(clock):
        settings = FishSpeechSettings(url=fish_speech.url, reference_id="mia", first_audio_s=FIRST_AUDIO_S)
        synth = _failover(FishSpeechSynthesizer(settings, clock), espeak, clock)
        audio = await synth.say(SENTENCES["fr"], "fr")

    assert synth.last == "espeak" and audio.language == "fr"
    assert clock.now() <= FIRST_AUDIO_S + 0.001
